//! Proof of consent: a tamper-evident log of the visitors' decisions, kept in the site's
//! own database (features `proof-sqlite` and `proof-postgres`).
//!
//! A site must be able to show, for any visitor, what they chose, when, and on what page
//! (CNIL délibération 2020-092; EDPB guidelines 05/2020 §108: "merely referring to a
//! correct configuration" is not proof). [`ProofLog`] appends one [`Record`] per
//! decision; [`Store`] reads the log back: [`Store::verify`], [`Store::export`],
//! [`Store::records_of`], [`Store::purge`] (what `charte proof ...` runs).
//!
//! # Stores
//!
//! - `sqlite://path/to/proof.sqlite` (`sqlite:///abs/path` for an absolute path): the
//!   file is created when missing by [`ProofLog::open`] (never by [`Store::open`], which
//!   reads an existing log), in WAL mode with `synchronous=FULL` (a committed
//!   record survives a power cut);
//! - `postgres://user@host:port/db` (or `postgresql://`), for several servers sharing
//!   one log: each transaction locks the chain's head, so the servers' records form one
//!   chain.
//!
//! [`ProofLog::open`] creates the tables (`proof_schema`, `proof_records`,
//! `proof_charters`, `proof_head`, `proof_checkpoints`) and migrates them; a store
//! written by a newer charte is refused rather than misread.
//!
//! # What a record holds
//!
//! The consent id, the decision time, the charter revision, the three consentable
//! categories (granted or refused), the [`Action`], the route (the request's path), and
//! the time the record was committed. **No IP address, no user agent, no cookie other
//! than the decision.** The first record of each revision also holds the SHA-256 of
//! the charter as rendered then (Text and Html, French and English), archived once in
//! `proof_charters`: what the visitor was shown.
//!
//! # The chain
//!
//! Records are numbered from 1 (`seq`) and each holds the SHA-256 of the previous one
//! (`prev_hash`, 64 zeros for record 1) and its own (`hash`), as lowercase hex. The bytes
//! hashed are, in this order, one line per field, each line ending in `\n`:
//!
//! ```text
//! charte-proof 1
//! seq <seq>
//! prev <prev_hash>
//! consent <len>:<consent id>
//! decided <decided_at>
//! recorded <recorded_at>
//! revision <len>:<revision>
//! statistics <granted|refused>
//! first-party <granted|refused>
//! third-party <granted|refused>
//! action <grant|refuse|partial|withdraw>
//! route <len>:<route>
//! charter <sha-256 of the archived charter, or empty>
//! ```
//!
//! where numbers are decimal (times in Unix seconds, UTC) and `<len>` is the byte length
//! of the UTF-8 text that follows it, so that no text can pass for another field. An
//! archived charter's SHA-256 is over `charte-charter 1\n`, then `<len>:<text>\n` for
//! the revision, Text fr, Text en, Html fr and Html en, in this order.
//!
//! Editing, deleting, reordering or inserting a record breaks the chain at the first
//! record touched; `proof_head` holds the last record's number and hash, so removing the
//! last records is seen too. A purge deletes the oldest records and leaves a checkpoint
//! (the number and hash of the last record deleted) from which the rest still verifies.
//!
//! What a chain cannot show: someone who can write to the database, and who rewrites
//! every record after the one they change (and the head), leaves a chain that verifies.
//! Keep the hash [`Verification::head_hash`] prints somewhere else (a ticket, a mail) to
//! pin the log as it was on that day.
//!
//! # Example
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let charter = charte_core::check_str("x.toml", "[charter]\nsite = \"https://example.fr\"\n").charter.unwrap();
//! # let dir = std::env::temp_dir().join(format!("charte-proof-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let url = format!("sqlite://{}", dir.join("proof.sqlite").display());
//! use charte_core::proof::{Action, Decision, ProofLog, Store};
//! use charte_core::model::Categories;
//!
//! let log = ProofLog::open(&url)?;
//! let decision = Decision {
//!     consent_id: "0123456789abcdefghijklmnop".into(),
//!     decided_at: 1_764_000_000,
//!     granted: Categories::EMPTY,
//!     action: Action::Refuse,
//!     route: "/consent".into(),
//! };
//! // In a server, `.await` it: the decision's response waits for the commit.
//! let receipt = futures_lite_block_on(log.record(&charter, decision))?;
//! assert_eq!(receipt.seq, 1);
//!
//! let verification = Store::open(&url)?.verify()?;
//! assert!(verification.broken.is_none());
//! assert_eq!(verification.records, 1);
//! // Dropping the last handle commits what is queued and closes the file.
//! drop(log);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let waker = std::task::Waker::noop();
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut f = std::pin::pin!(f);
//! #     loop {
//! #         if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; }
//! #         std::thread::sleep(std::time::Duration::from_millis(1));
//! #     }
//! # }
//! ```

mod chain;
mod log;
mod store;
mod url;

#[cfg(feature = "proof-postgres")]
mod postgres;
#[cfg(feature = "proof-sqlite")]
mod sqlite;

use std::fmt;

use crate::model::Categories;

pub use log::ProofLog;
pub use store::Store;

/// What a decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Every category the charter asks consent for was granted (« Tout accepter »).
    Grant,
    /// Every category was refused (« Tout refuser »).
    Refuse,
    /// Some granted, some refused.
    Partial,
    /// The consent cookie was removed: the visitor withdrew their decision.
    Withdraw,
}

impl Action {
    /// The action's name in records and exports: `grant`, `refuse`, `partial`, `withdraw`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Grant => "grant",
            Action::Refuse => "refuse",
            Action::Partial => "partial",
            Action::Withdraw => "withdraw",
        }
    }

    /// Reads a name written by [`Action::as_str`].
    pub fn parse(text: &str) -> Option<Action> {
        [
            Action::Grant,
            Action::Refuse,
            Action::Partial,
            Action::Withdraw,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }

    /// The action of a decision granting `granted` on a charter whose categories needing
    /// consent are `asked`: `grant` when all of them are granted, `refuse` when none is,
    /// `partial` otherwise (a charter asking nothing: `refuse`).
    ///
    /// ```
    /// use charte_core::{proof::Action, model::Categories, Category};
    /// let asked = Categories::of(&[Category::Statistics, Category::ThirdParty]);
    /// assert_eq!(Action::of(asked, asked), Action::Grant);
    /// assert_eq!(Action::of(Categories::of(&[Category::Statistics]), asked), Action::Partial);
    /// assert_eq!(Action::of(Categories::EMPTY, asked), Action::Refuse);
    /// ```
    pub fn of(granted: Categories, asked: Categories) -> Action {
        if asked.without(granted).is_empty() && !asked.is_empty() {
            Action::Grant
        } else if granted.is_empty() {
            Action::Refuse
        } else {
            Action::Partial
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decision to record, as the layer saw it pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The consent's id (26 characters `[0-9a-z]` in consent values of format 2).
    pub consent_id: String,
    /// When the visitor decided, in Unix seconds (UTC): the consent value's time.
    pub decided_at: u64,
    /// The categories granted (every other consentable one is refused).
    pub granted: Categories,
    /// What the decision did.
    pub action: Action,
    /// The route the decision was made on (the request's path, without its query).
    pub route: String,
}

/// A record of the log, as stored (see the [module](self) docs for the chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its place in the chain, from 1.
    pub seq: u64,
    /// The consent's id.
    pub consent_id: String,
    /// When the visitor decided, in Unix seconds (UTC).
    pub decided_at: u64,
    /// When the record was committed, in Unix seconds (UTC).
    pub recorded_at: u64,
    /// The charter revision the visitor was shown.
    pub revision: String,
    /// The categories granted (every other consentable one is refused).
    pub granted: Categories,
    /// What the decision did.
    pub action: Action,
    /// The route the decision was made on.
    pub route: String,
    /// On the first record of a revision, the SHA-256 (hex) of its archived charter.
    pub charter_sha256: Option<String>,
    /// The previous record's hash (hex; 64 zeros for record 1).
    pub prev_hash: String,
    /// This record's hash (hex).
    pub hash: String,
}

/// What [`ProofLog::record`] answers once the record is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The record's place in the chain.
    pub seq: u64,
    /// The record's hash (hex).
    pub hash: String,
}

/// A revision's charter as it was archived: what visitors deciding on it were shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedCharter {
    /// The charter revision.
    pub revision: String,
    /// When it was archived (its first decision), in Unix seconds (UTC).
    pub archived_at: u64,
    /// The SHA-256 (hex) of the texts below, as the [module](self) docs define it.
    pub sha256: String,
    /// [`Format::Text`](crate::Format::Text) in French.
    pub text_fr: String,
    /// [`Format::Text`](crate::Format::Text) in English.
    pub text_en: String,
    /// [`Format::Html`](crate::Format::Html) in French.
    pub html_fr: String,
    /// [`Format::Html`](crate::Format::Html) in English.
    pub html_en: String,
}

/// The mark a purge leaves: the last record it deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The number of the last record deleted (the chain resumes at `seq + 1`).
    pub seq: u64,
    /// Its hash: the next record's `prev_hash`.
    pub hash: String,
    /// When the purge ran, in Unix seconds (UTC).
    pub purged_at: u64,
    /// The date asked for (`--before`), in Unix seconds (UTC).
    pub before: u64,
}

/// The result of [`Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Records read.
    pub records: u64,
    /// The last purge's checkpoint, when records were purged.
    pub checkpoint: Option<Checkpoint>,
    /// The number and hash of the chain's last record, as `proof_head` holds them
    /// (`0` and 64 zeros for an empty log).
    pub head_seq: u64,
    /// See [`Verification::head_seq`].
    pub head_hash: String,
    /// The first record that breaks the chain, if any.
    pub broken: Option<Broken>,
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The number of the first record that breaks the chain (for a record missing at
    /// the end, the number it should have had).
    pub seq: u64,
    /// That record's consent id, when the record exists.
    pub consent_id: Option<String>,
    /// What is wrong, in a sentence.
    pub reason: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record {}", self.seq)?;
        if let Some(id) = &self.consent_id {
            write!(f, " (consent {id})")?;
        }
        write!(f, " breaks the chain: {}", self.reason)
    }
}

/// What a purge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    /// Records deleted.
    pub deleted: u64,
    /// The checkpoint left (the previous one when nothing was deleted, `None` when there
    /// was none).
    pub checkpoint: Option<Checkpoint>,
}

/// Why the log could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofError {
    /// The URL is not `sqlite://...` nor `postgres://...`, or names a store this build
    /// has no feature for.
    Url(String),
    /// The database failed (cannot open, connect, write, or commit): its message.
    Store(String),
    /// There is no log there: the SQLite file does not exist (or is not a charte log),
    /// or the PostgreSQL database has no charte tables. [`Store::open`] never creates a
    /// log; [`ProofLog::open`] does. The store's path or URL (without its password), and
    /// why.
    NoStore(String),
    /// The database was written by a newer charte (its schema version).
    Schema(u64),
    /// The chain is broken: a purge refuses to run on it.
    Broken(Broken),
    /// The log's writer is gone (the [`ProofLog`] is shutting down).
    Closed,
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofError::Url(message) => write!(f, "invalid proof store URL: {message}"),
            ProofError::Store(message) => write!(f, "proof store failed: {message}"),
            ProofError::NoStore(place) => write!(f, "no proof store at {place}"),
            ProofError::Schema(version) => write!(
                f,
                "the proof store has schema version {version}, newer than this charte reads ({})",
                store::SCHEMA_VERSION
            ),
            ProofError::Broken(broken) => write!(f, "{broken}"),
            ProofError::Closed => f.write_str("the proof log is closed"),
        }
    }
}

impl std::error::Error for ProofError {}
