//! `charte`: check, render and import cookie charters from the command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files } => check(&files),
    }
}

/// Prints the diagnostics of each file to stderr (coloured on a terminal) and fails
/// when any file has an error.
fn check(files: &[PathBuf]) -> ExitCode {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut errors = 0;
    for file in files {
        let origin = charte_core::Origin {
            path: file.clone(),
            display: file.display().to_string(),
            root: None,
        };
        match charte_core::check(&origin).charter {
            Ok(charter) => println!(
                "{}: ok ({} cookies, revision {})",
                file.display(),
                charter.cookies().len(),
                charter.revision()
            ),
            Err(diagnostics) => {
                for d in &diagnostics.0 {
                    let text = if colour { d.render_colored() } else { d.render() };
                    eprintln!("{text}\n");
                }
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
