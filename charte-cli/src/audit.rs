//! `charte audit FILE URL...` and `charte audit FILE --har CAPTURE.har`: what a running
//! site really sets, checked against its charter (SPEC, "Audit").

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use charte_audit::audit::{self, Options, Report, Selectors};

/// The arguments of `charte audit`.
#[derive(clap::Args)]
pub(crate) struct AuditArgs {
    /// The site's TOML declaration.
    file: PathBuf,
    /// The pages to start from (same-origin pages reached from them are visited too).
    #[arg(required_unless_present = "har", conflicts_with = "har")]
    urls: Vec<String>,
    /// Judge a browser's HAR export instead of visiting the site.
    #[arg(long, value_name = "CAPTURE.har")]
    har: Option<PathBuf>,
    /// At most this many pages per state.
    #[arg(long, default_value_t = 20, value_name = "N")]
    max_pages: usize,
    /// How long one page may take to load, in seconds.
    #[arg(long, default_value_t = 15, value_name = "SECONDS")]
    page_timeout: u64,
    /// The CSS selector of the banner's « accept all » control (when the site's
    /// consent cookie is not the charter's).
    #[arg(long, requires = "refuse_selector", value_name = "CSS")]
    accept_selector: Option<String>,
    /// The CSS selector of the banner's « refuse all » control.
    #[arg(long, requires = "accept_selector", value_name = "CSS")]
    refuse_selector: Option<String>,
    /// Write the report as JSON here.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Write the report as a standalone HTML page here.
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
}

/// Exit status 2: the audit could not run.
fn could_not_run(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

pub(crate) fn audit(args: AuditArgs) -> ExitCode {
    let charter = match charte_core::check(&super::origin(&args.file)).charter {
        Ok(charter) => charter,
        Err(diagnostics) => {
            super::print_diagnostics(&diagnostics);
            return could_not_run(&format!(
                "{}: the charter has errors: nothing audited",
                args.file.display()
            ));
        }
    };
    let report = match &args.har {
        Some(har) => match std::fs::read_to_string(har) {
            Ok(text) => audit::run_har(&charter, &text),
            Err(e) => return could_not_run(&format!("cannot read {}: {e}", har.display())),
        },
        None => visit(&charter, &args),
    };
    let report = match report {
        Ok(report) => report,
        Err(e) => return could_not_run(&e.to_string()),
    };
    for (path, text) in [
        (&args.json, audit::json(&report)),
        (&args.html, audit::html(&report)),
    ] {
        if let Some(path) = path {
            if let Err(e) = std::fs::write(path, text) {
                return could_not_run(&format!("cannot write {}: {e}", path.display()));
            }
        }
    }
    show(&report);
    if report.fails() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Visits the site, with a progress bar on a terminal.
fn visit(charter: &charte_core::Charter, args: &AuditArgs) -> Result<Report, audit::Error> {
    let mut options = Options {
        max_pages: args.max_pages,
        page_timeout: Duration::from_secs(args.page_timeout),
        selectors: Selectors {
            accept: args.accept_selector.clone(),
            refuse: args.refuse_selector.clone(),
        },
        ..Options::default()
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        // Four states, each at most `max_pages` pages (plus the reloads of `withdraw`).
        let bar = indicatif::ProgressBar::new((4 * args.max_pages) as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed}] {bar:30} {pos} pages  {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    if let Some(bar) = &bar {
        let bar = bar.clone();
        options.progress = Some(Box::new(move |state, url| {
            bar.inc(1);
            bar.set_message(format!("{state}: {url}"));
        }));
    }
    let report = audit::run(charter, &args.urls, &options);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report
}

/// Prints the findings: an aligned table on a terminal, tab-separated lines otherwise;
/// page problems and a summary on stderr.
fn show(report: &Report) {
    let terminal = std::io::stdout().is_terminal();
    if terminal {
        crate::out::out!("{}", audit::table(report));
    } else {
        crate::out::out!("{}", audit::lines(report));
    }
    for page in &report.pages {
        if let Some(error) = &page.error {
            eprintln!("warning: {} ({}): {error}", page.url, page.state);
        }
    }
    let failing = report
        .findings
        .iter()
        .filter(|f| f.kind != audit::Kind::Unused)
        .count();
    let unused = report.findings.len() - failing;
    eprintln!(
        "{} pages visited; {failing} finding{}, {unused} declared cookie{} never seen",
        report.pages.len(),
        if failing == 1 { "" } else { "s" },
        if unused == 1 { "" } else { "s" },
    );
}
