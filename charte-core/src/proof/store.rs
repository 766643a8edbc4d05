//! What every store does (SQLite, PostgreSQL), and [`Store`], the synchronous handle that
//! reads the log back.

use std::sync::Arc;

use super::chain::{self, charter_problem, Walk};
use super::url::{self, Target};
use super::{
    ArchivedCharter, Broken, Checkpoint, Decision, ProofError, Purged, Receipt, Record,
    Verification,
};

/// The schema this charte writes (the `proof_schema` table); a store with a higher one is
/// refused.
pub(crate) const SCHEMA_VERSION: u64 = 1;

/// A decision waiting to be appended, with the charter to archive when this process has
/// not archived its revision yet.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) decision: Decision,
    pub(crate) revision: String,
    pub(crate) charter: Option<Arc<ArchivedCharter>>,
}

/// Which records a scan reads (always in chain order).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Filter<'a> {
    All,
    /// Decided at or after this time.
    Since(u64),
    Consent(&'a str),
    /// Of this revision (its first record holds its archived charter's hash, unless a
    /// purge deleted it).
    Revision(&'a str),
}

/// What [`Backend::read_chain`] reads, in this order.
pub(crate) enum ChainItem {
    Head(u64, String),
    Start(Option<Checkpoint>, Vec<ArchivedCharter>),
    Record(Record),
}

/// One store's connection. Every method is one transaction.
pub(crate) trait Backend: Send {
    /// Appends the entries, in order, after the chain's head, and commits.
    fn append(&mut self, entries: &[&Entry], now: u64) -> Result<Vec<Receipt>, ProofError>;
    /// In one snapshot: the head, then the latest checkpoint and every archived charter,
    /// then the records in chain order, fed to `each` until it answers false.
    fn read_chain(&mut self, each: &mut dyn FnMut(ChainItem) -> bool) -> Result<(), ProofError>;
    /// Every archived charter.
    fn charters(&mut self) -> Result<Vec<ArchivedCharter>, ProofError>;
    /// Feeds the records `filter` selects to `each` in chain order, until it answers false.
    fn scan(
        &mut self,
        filter: Filter<'_>,
        each: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), ProofError>;
    /// Deletes the records up to the first one decided at or after `before`, and leaves
    /// a checkpoint.
    fn purge(&mut self, before: u64, now: u64) -> Result<Purged, ProofError>;
}

/// Whether opening a store may create it: only the log that appends does
/// ([`ProofLog::open`](super::ProofLog::open)); a reader given a wrong path must not
/// leave an empty store behind and call it whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Create {
    /// Create the store (its file, its tables) when missing.
    Yes,
    /// Fail with [`ProofError::NoStore`] when the file or charte's tables are missing.
    No,
}

/// Opens the store `url` names, creating it ([`Create::Yes`]) or not, and migrating its
/// schema.
pub(crate) fn open(url: &str, create: Create) -> Result<Box<dyn Backend>, ProofError> {
    match url::parse(url)? {
        #[cfg(feature = "proof-sqlite")]
        Target::Sqlite(path) => Ok(Box::new(super::sqlite::Sqlite::open(&path, create)?)),
        #[cfg(feature = "proof-postgres")]
        Target::Postgres(url) => Ok(Box::new(super::postgres::Postgres::open(&url, create)?)),
        #[allow(unreachable_patterns)]
        _ => Err(ProofError::Url(url::redact(url))),
    }
}

/// The record that follows `(seq, prev)` for an entry, hashed.
pub(crate) fn next_record(
    seq: u64,
    prev_hash: &str,
    entry: &Entry,
    now: u64,
    charter_sha256: Option<String>,
) -> Record {
    let d = &entry.decision;
    let mut record = Record {
        seq,
        consent_id: d.consent_id.clone(),
        decided_at: d.decided_at,
        recorded_at: now,
        revision: entry.revision.clone(),
        granted: d.granted,
        action: d.action,
        route: d.route.clone(),
        charter_sha256,
        prev_hash: prev_hash.to_string(),
        hash: String::new(),
    };
    record.hash = chain::hash(&record);
    record
}

/// A Unix time or a count as the databases store it (signed 64 bits).
pub(crate) fn to_db(value: u64) -> Result<i64, ProofError> {
    i64::try_from(value).map_err(|_| ProofError::Store(format!("{value} is out of range")))
}

/// A stored number read back; negative numbers (written by hand) read as 0 and then
/// fail verification.
pub(crate) fn from_db(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// A synchronous handle on a log, to read it back and maintain it (what `charte proof`
/// runs). Appending is [`ProofLog`](super::ProofLog)'s job.
///
/// ```no_run
/// # fn main() -> Result<(), charte_core::proof::ProofError> {
/// let mut store = charte_core::proof::Store::open("sqlite://charte-proof.sqlite")?;
/// let verification = store.verify()?;
/// match &verification.broken {
///     None => println!("{} records, chain whole", verification.records),
///     Some(broken) => println!("{broken}"),
/// }
/// # Ok(())
/// # }
/// ```
pub struct Store {
    backend: Box<dyn Backend>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the existing log at `url` (see the [module](super) docs). It never creates
    /// one: a SQLite file that does not exist, or a database without charte's tables, is
    /// [`ProofError::NoStore`] (and no file is left behind), so that a wrong path is not
    /// read as an empty, whole log. Only [`ProofLog::open`](super::ProofLog::open), the
    /// writer, creates stores.
    ///
    /// ```
    /// use charte_core::proof::{ProofError, Store};
    /// let path = std::env::temp_dir().join("charte-no-such-proof-store.sqlite");
    /// let error = Store::open(&format!("sqlite://{}", path.display())).unwrap_err();
    /// assert!(matches!(error, ProofError::NoStore(_)), "{error}");
    /// assert!(!path.exists());
    /// ```
    ///
    /// # Errors
    /// [`ProofError::Url`] for a URL naming no store of this build,
    /// [`ProofError::NoStore`] when there is no log there, [`ProofError::Store`] when the
    /// database cannot be opened, [`ProofError::Schema`] when a newer charte wrote it.
    pub fn open(url: &str) -> Result<Store, ProofError> {
        Ok(Store {
            backend: open(url, Create::No)?,
        })
    }

    /// Walks the whole chain from the last checkpoint and reports the first record that
    /// breaks it ([`Verification::broken`]). The walk reads one snapshot of the store:
    /// records committed meanwhile are not part of it.
    ///
    /// # Errors
    /// [`ProofError::Store`] when the database fails while being read.
    pub fn verify(&mut self) -> Result<Verification, ProofError> {
        let mut head = (0, String::new());
        let mut checkpoint = None;
        let mut walk: Option<Walk> = None;
        self.backend.read_chain(&mut |item| match item {
            ChainItem::Head(seq, hash) => {
                head = (seq, hash);
                true
            }
            ChainItem::Start(start, charters) => {
                walk = Some(Walk::new(start.as_ref(), charters));
                checkpoint = start;
                true
            }
            ChainItem::Record(record) => walk.as_mut().is_some_and(|w| w.push(&record)),
        })?;
        let mut walk = walk.ok_or_else(|| ProofError::Store("the chain was not read".into()))?;
        walk.finish(head.0, &head.1);
        Ok(Verification {
            records: walk.records,
            checkpoint,
            head_seq: head.0,
            head_hash: head.1,
            broken: walk.broken,
        })
    }

    /// Feeds the records decided at or after `since` (Unix seconds; every record when
    /// `None`) to `each`, in chain order, until it answers false.
    ///
    /// # Errors
    /// [`ProofError::Store`] when the database fails while being read.
    pub fn export(
        &mut self,
        since: Option<u64>,
        mut each: impl FnMut(Record) -> bool,
    ) -> Result<(), ProofError> {
        let filter = since.map_or(Filter::All, Filter::Since);
        self.backend.scan(filter, &mut each)
    }

    /// Every record of one consent id (its decision, and its withdrawal if any), in chain
    /// order.
    ///
    /// # Errors
    /// [`ProofError::Store`] when the database fails while being read.
    pub fn records_of(&mut self, consent_id: &str) -> Result<Vec<Record>, ProofError> {
        let mut records = Vec::new();
        self.backend
            .scan(Filter::Consent(consent_id), &mut |record| {
                records.push(record);
                true
            })?;
        Ok(records)
    }

    /// The charter archived for `revision`, if any, checked as [`Store::verify`] checks
    /// it against the revision's first record (the one that archived it, unless a purge
    /// deleted it): the charter's texts must hash to its SHA-256, that SHA-256 must be
    /// the one the record holds, and the record's own hash must match its content. A
    /// forged charter is never handed back as if genuine. The rest of the chain is not
    /// walked: [`Store::verify`] does that.
    ///
    /// # Errors
    /// [`ProofError::Broken`] naming that record when the archived charter is not the
    /// one it was shown (edited); [`ProofError::Store`] when the database fails while
    /// being read, or when the texts do not match their SHA-256 and no record of the
    /// revision is left to name (all purged).
    pub fn charter(&mut self, revision: &str) -> Result<Option<ArchivedCharter>, ProofError> {
        let Some(archived) = self
            .backend
            .charters()?
            .into_iter()
            .find(|c| c.revision == revision)
        else {
            return Ok(None);
        };
        let mut first = None;
        self.backend
            .scan(Filter::Revision(revision), &mut |record| {
                first = Some(record);
                false
            })?;
        let Some(record) = first else {
            return if archived.is_intact() {
                Ok(Some(archived))
            } else {
                Err(ProofError::Store(format!(
                    "the archived charter of revision {revision} does not match its SHA-256 (edited)"
                )))
            };
        };
        let problem = if chain::hash(&record) != record.hash {
            Some("its content does not match its hash (edited, or moved)".to_string())
        } else {
            charter_problem(Some(&archived), &record)
        };
        match problem {
            Some(reason) => Err(ProofError::Broken(Broken {
                seq: record.seq,
                consent_id: Some(record.consent_id),
                reason,
            })),
            None => Ok(Some(archived)),
        }
    }

    /// Deletes the records decided before `before` (Unix seconds), oldest first, and
    /// leaves a checkpoint from which the rest verifies. It stops at the first record
    /// decided at or after `before`: a record is never deleted ahead of an older one, so a
    /// few records decided just before `before` and committed after a later one may stay.
    /// Archived charters stay (they hold no personal data). `before` is not checked here:
    /// `charte proof purge` refuses one later than now minus
    /// [`CONSENT_LIFETIME`](crate::model::duration::CONSENT_LIFETIME) (the records of
    /// consents still in force) unless `--force`; a caller should do the same.
    ///
    /// # Errors
    /// [`ProofError::Broken`] when the chain does not verify (a purge must not hide
    /// tampering), [`ProofError::Store`] when the database fails.
    pub fn purge(&mut self, before: u64) -> Result<Purged, ProofError> {
        if let Some(broken) = self.verify()?.broken {
            return Err(ProofError::Broken(broken));
        }
        self.backend.purge(before, crate::consent::now())
    }
}
