//! `charte audit`: what a running site really sets, in a real browser, compared with
//! its charter (SPEC, "Audit").
//!
//! The browser side ([`collect`](self)) visits the site in four states and records
//! every cookie it sees from three sources; the comparison ([`judge`](self)) applies
//! charte-core's own rules (lookup, categories and consent, name prefixes, lifetimes)
//! to each observation. A HAR capture goes through the same comparison.
//!
//! ```no_run
//! use charte_audit::audit::{self, Options};
//!
//! let charter = charte_core::check_str("site.toml", &std::fs::read_to_string("site.toml")?)
//!     .charter
//!     .expect("a valid charter");
//! let report = audit::run(&charter, &["http://127.0.0.1:3000/".to_owned()], &Options::default())?;
//! for finding in &report.findings {
//!     println!("{} {} {:?}", finding.kind, finding.cookie, finding.state);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod collect;
mod har;
mod judge;
mod report;

use std::fmt;
use std::time::Duration;

pub use collect::run;
pub use har::run_har;
pub use judge::judge;
pub use report::{html, json, lines, table};

/// The four states a site is visited in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// No decision recorded.
    None,
    /// Every category refused.
    Refuse,
    /// Every category accepted.
    Accept,
    /// Accepted, browsed, then refused and the page loaded again.
    Withdraw,
}

impl State {
    /// The four, in the order they are reported.
    pub const ALL: [State; 4] = [State::None, State::Refuse, State::Accept, State::Withdraw];

    /// `"none"`, `"refuse"`, `"accept"`, `"withdraw"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::None => "none",
            State::Refuse => "refuse",
            State::Accept => "accept",
            State::Withdraw => "withdraw",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a cookie was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A `Set-Cookie` line of a response (pages, redirects, sub-resources, frames).
    SetCookie,
    /// A write by a script: `document.cookie` or `cookieStore.set`.
    Script,
    /// The browser's cookie store at the end of a state (its URL: the first page after
    /// which the store held the cookie).
    Store,
}

impl Source {
    /// `"set-cookie"`, `"script"`, `"store"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::SetCookie => "set-cookie",
            Source::Script => "script",
            Source::Store => "store",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Not in the charter.
    Undeclared,
    /// Its category needs a consent the visitor had not given (state `none` or
    /// `refuse`, or `accept` before the decision).
    WithoutConsent,
    /// Set, or still in the store, after the visitor withdrew.
    AfterWithdrawal,
    /// Lives longer than its declared duration, or than a cap (400 days; 6 months for
    /// the consent cookie; 13 months for anonymous statistics).
    TooLong,
    /// Domain, path, `Secure`, `HttpOnly`, `SameSite` or a name prefix's rule not as
    /// declared.
    Attributes,
    /// Declared, never seen: information only (does not fail the audit).
    Unused,
}

impl Kind {
    /// `"undeclared"`, `"without-consent"`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Undeclared => "undeclared",
            Kind::WithoutConsent => "without-consent",
            Kind::AfterWithdrawal => "after-withdrawal",
            Kind::TooLong => "too-long",
            Kind::Attributes => "attributes",
            Kind::Unused => "unused",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. `state`, `source` and `url` are `None` only for [`Kind::Unused`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// What is wrong.
    pub kind: Kind,
    /// The cookie's name as seen (for `unused`, as declared: a pattern ends in `*`).
    pub cookie: String,
    /// The state it was seen in.
    pub state: Option<State>,
    /// Where it was seen.
    pub source: Option<Source>,
    /// The response's URL (`set-cookie`), the writing script's (`script`), or the
    /// first page after which the store held the cookie (`store`; in `withdraw`, that
    /// can be a page of the browsing before the withdrawal).
    pub url: Option<String>,
    /// Why it is a finding, in words.
    pub detail: String,
}

/// One page the audit tried to visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The state it was visited in.
    pub state: State,
    /// Its URL.
    pub url: String,
    /// Why it could not be fully visited (timeout, network error), if so.
    pub error: Option<String>,
}

/// What an audit found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The charter's site, as declared.
    pub charter: String,
    /// The charter's revision.
    pub revision: String,
    /// Every page visited, per state, in the order visited.
    pub pages: Vec<Page>,
    /// Every finding, sorted (by kind, cookie, state, source, URL).
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether the audit fails: any finding other than `unused`.
    pub fn fails(&self) -> bool {
        self.findings.iter().any(|f| f.kind != Kind::Unused)
    }
}

/// How the site's banner is operated when its consent cookie is not the charter's.
#[derive(Debug, Clone, Default)]
pub struct Selectors {
    /// CSS selector of the « accept all » control.
    pub accept: Option<String>,
    /// CSS selector of the « refuse all » control.
    pub refuse: Option<String>,
}

/// Called as the audit goes: the state and the URL of each page visited.
pub type Progress = dyn Fn(State, &str) + Send + Sync;

/// The audit's settings.
pub struct Options {
    /// At most this many pages per state (breadth-first from the URLs given). Default 20.
    pub max_pages: usize,
    /// How long one page may take to load. Default 15 s.
    pub page_timeout: Duration,
    /// How long a page must stay quiet (no response, no cookie write) after loading
    /// before the next one. Default 300 ms.
    pub settle: Duration,
    /// Banner controls to click; when both are `None` the auditor writes the decision
    /// in the charter's consent cookie itself.
    pub selectors: Selectors,
    /// Told of every page as it is visited (a progress bar).
    pub progress: Option<Box<Progress>>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_pages: 20,
            page_timeout: Duration::from_secs(15),
            settle: Duration::from_millis(300),
            selectors: Selectors::default(),
            progress: None,
        }
    }
}

/// Why an audit could not run (exit status 2).
#[derive(Debug)]
pub enum Error {
    /// No browser, or it failed.
    Browser(crate::browser::Error),
    /// Bad input: a URL that is not http(s), a start page that cannot be reached, a
    /// malformed HAR, a charter without a consent cookie and no selectors...
    Input(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Browser(e) => write!(f, "browser: {e}"),
            Error::Input(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::browser::Error> for Error {
    fn from(e: crate::browser::Error) -> Error {
        Error::Browser(e)
    }
}

/// One cookie seen, before it is judged.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The state it was seen in.
    pub state: State,
    /// The consent in effect when it was seen.
    pub moment: Moment,
    /// Where it was seen.
    pub source: Source,
    /// Its name.
    pub name: String,
    /// What was seen: a `Set-Cookie` line, a `document.cookie` string (also for
    /// `cookieStore.set`, rewritten as one), or a stored cookie.
    pub seen: Seen,
    /// The URL of the response, of the script, or (`store`) of the first page after
    /// which the store held the cookie.
    pub url: String,
    /// When, in Unix seconds (lifetimes of `Expires` are counted from it).
    pub at: u64,
    /// The order of its page in the state (0 for the first page): the first page a
    /// finding shows up on is the one reported.
    pub page: usize,
}

/// The consent in effect for an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// No decision yet.
    Undecided,
    /// Everything refused.
    Refused,
    /// Everything accepted.
    Accepted,
    /// Refused after having accepted.
    Withdrawn,
    /// The consent a captured request carried (a HAR).
    Recorded(charte_core::Consent),
}

/// What was seen of a cookie.
#[derive(Debug, Clone)]
pub enum Seen {
    /// A `Set-Cookie` line or a script's cookie string.
    Line(String),
    /// A cookie in the store.
    Stored(crate::browser::Cookie),
    /// A cookie a captured request carried (a HAR): the browser held it, but its
    /// attributes are unknown.
    Sent,
}
