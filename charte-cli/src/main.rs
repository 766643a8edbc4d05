//! `charte`: check, render and import cookie charters from the command line.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use charte_cli::import::Defaults;
use charte_core::{render::Format, Lang};
use clap::{Parser, Subcommand, ValueEnum};

mod out;

mod audit;
mod guard;
mod proof;

use out::{out, outln};

#[derive(Parser)]
#[command(name = "charte", version, about = "Cookie charters as code")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check declarations and print every problem, as `charter!` reports them.
    Check {
        /// The TOML declarations to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Render the charter page of a declaration to stdout.
    Render {
        /// The TOML declaration.
        file: PathBuf,
        /// The page's format.
        #[arg(long, value_enum, default_value_t = FormatArg::Html)]
        format: FormatArg,
        /// The language of the page's own words (default: the declaration's `lang`).
        /// Declared texts stay in the declaration's language.
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// Check what a running site really sets against its charter, in headless
    /// Chromium, in four states (exit 0: no finding but `unused`; 1: findings;
    /// 2: could not run).
    Audit(audit::AuditArgs),
    /// Print the client guard of a declaration to stdout: the script to load first in
    /// every page, before any other, that keeps scripts to the cookies the charter allows.
    Guard {
        /// The TOML declaration.
        file: PathBuf,
    },
    /// Turn an existing charter page (text with tab-separated tables, as copied from a
    /// browser) into a TOML declaration, printed to stdout.
    Import {
        /// The page, as text.
        page: PathBuf,
        /// The provider of the cookies of tables without a provider column (« Nom du
        /// prestataire », Supplier...), such as the site's publisher.
        #[arg(long, value_name = "TEXT")]
        provider: Option<String>,
        /// The service of the cookies of tables without a service column (« Service et
        /// emplacement », Location...), such as « Tout le site ».
        #[arg(long, value_name = "TEXT")]
        service: Option<String>,
    },
    /// Proof of consent: verify, export, show or purge a log of decisions.
    Proof {
        #[command(subcommand)]
        command: proof::ProofCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    /// A standalone HTML page.
    Html,
    /// Markdown with pipe tables.
    #[value(alias = "markdown")]
    Md,
    /// Plain text with tab-separated tables.
    #[value(alias = "txt")]
    Text,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Html => Format::Html,
            FormatArg::Md => Format::Markdown,
            FormatArg::Text => Format::Text,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    /// French.
    Fr,
    /// English.
    En,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::Fr => Lang::Fr,
            LangArg::En => Lang::En,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files } => check(&files),
        Command::Render { file, format, lang } => {
            render(&file, format.into(), lang.map(Lang::from))
        }
        Command::Import {
            page,
            provider,
            service,
        } => import(&page, &Defaults { provider, service }),
        Command::Guard { file } => guard::guard(&file),
        Command::Proof { command } => proof::run(command),
        Command::Audit(args) => audit::audit(args),
    }
}

fn use_colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn origin(file: &Path) -> charte_core::Origin {
    charte_core::Origin {
        path: file.to_path_buf(),
        display: file.display().to_string(),
        root: None,
    }
}

fn print_diagnostics(diagnostics: &charte_core::Diagnostics) {
    let colour = use_colour();
    for d in &diagnostics.0 {
        let text = if colour {
            d.render_colored()
        } else {
            d.render()
        };
        eprintln!("{text}\n");
    }
}

/// Prints the page of a valid declaration; a declaration with errors prints them, as
/// `check` does, and renders nothing.
fn render(file: &Path, format: Format, lang: Option<Lang>) -> ExitCode {
    match charte_core::check(&origin(file)).charter {
        Ok(charter) => {
            let lang = lang.unwrap_or(charter.lang());
            out!("{}", charter.render(format, lang));
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            let n = diagnostics.0.len();
            eprintln!(
                "error: {n} problem{} found: no page rendered",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}

/// Prints the declaration read from a page; warnings (skipped lines) and errors (what
/// could not be placed) go to stderr as `PAGE:LINE: ...`.
fn import(page: &Path, defaults: &Defaults) -> ExitCode {
    let text = match std::fs::read(page) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                eprintln!("error: {}: not UTF-8 text", page.display());
                return ExitCode::FAILURE;
            }
        },
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", page.display());
            return ExitCode::FAILURE;
        }
    };
    let located = |note: &charte_cli::import::Note| match note.line {
        Some(line) => format!("{}:{line}", page.display()),
        None => page.display().to_string(),
    };
    match charte_cli::import::import_with(&text, defaults) {
        Ok(imported) => {
            for warning in &imported.warnings {
                eprintln!("{}: warning: {}", located(warning), warning.message);
            }
            out!("{}", imported.toml());
            ExitCode::SUCCESS
        }
        Err(error) => {
            for warning in &error.warnings {
                eprintln!("{}: warning: {}", located(warning), warning.message);
            }
            for problem in &error.problems {
                eprintln!("{}: error: {}", located(problem), problem.message);
            }
            let n = error.problems.len();
            eprintln!(
                "error: {n} problem{} found: no declaration written",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}

/// Prints the diagnostics of each file to stderr (coloured on a terminal) and fails
/// when any file has an error.
fn check(files: &[PathBuf]) -> ExitCode {
    let mut errors = 0;
    for file in files {
        match charte_core::check(&origin(file)).charter {
            Ok(charter) => {
                let count = charter.cookies().len();
                let noun = if count == 1 { "cookie" } else { "cookies" };
                outln!(
                    "{}: ok ({count} {noun}, revision {})",
                    file.display(),
                    charter.revision()
                );
            }
            Err(diagnostics) => {
                print_diagnostics(&diagnostics);
                errors += diagnostics.0.len();
            }
        }
    }
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: {errors} problem{} found",
            if errors == 1 { "" } else { "s" }
        );
        ExitCode::FAILURE
    }
}
