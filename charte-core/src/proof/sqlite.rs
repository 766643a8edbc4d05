//! The SQLite store (feature `proof-sqlite`): one file, created when missing, in WAL
//! mode (readers such as `charte proof export` never block the writer).

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior};

use super::chain::GENESIS;
use super::store::{
    from_db, next_record, to_db, Backend, ChainItem, Create, Entry, Filter, SCHEMA_VERSION,
};
use super::{Action, ArchivedCharter, Checkpoint, ProofError, Purged, Receipt, Record};
use crate::model::Categories;
use crate::model::Category;

/// How long a write waits for another connection's lock before failing: long enough
/// for a purge or a migration elsewhere, short enough that a decision's response does
/// not hang on a store that is stuck.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS proof_charters (
    revision TEXT PRIMARY KEY,
    archived_at INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    text_fr TEXT NOT NULL,
    text_en TEXT NOT NULL,
    html_fr TEXT NOT NULL,
    html_en TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS proof_records (
    seq INTEGER PRIMARY KEY,
    consent_id TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    revision TEXT NOT NULL,
    statistics INTEGER NOT NULL,
    first_party INTEGER NOT NULL,
    third_party INTEGER NOT NULL,
    action TEXT NOT NULL,
    route TEXT NOT NULL,
    charter_sha256 TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS proof_records_consent ON proof_records (consent_id);
CREATE INDEX IF NOT EXISTS proof_records_decided ON proof_records (decided_at);
CREATE TABLE IF NOT EXISTS proof_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS proof_checkpoints (
    seq INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    purged_at INTEGER NOT NULL,
    purged_before INTEGER NOT NULL
);
";

const RECORD_COLUMNS: &str = "seq, consent_id, decided_at, recorded_at, revision, statistics, \
     first_party, third_party, action, route, charter_sha256, prev_hash, hash";

pub(crate) struct Sqlite {
    connection: Connection,
}

fn failed(context: &str) -> impl Fn(rusqlite::Error) -> ProofError + '_ {
    move |e| ProofError::Store(format!("{context}: {e}"))
}

impl Sqlite {
    pub(crate) fn open(path: &Path, create: Create) -> Result<Sqlite, ProofError> {
        let where_ = path.display().to_string();
        let mut connection = match create {
            Create::Yes => Connection::open(path).map_err(failed(&where_))?,
            Create::No => open_existing(path, &where_)?,
        };
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(failed(&where_))?;
        // WAL: readers and the writer do not block each other; FULL: a commit is on disk
        // (WAL's default, NORMAL, may lose the last commits on a power cut, and a
        // response already told the visitor their decision was kept).
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(failed(&where_))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(ProofError::Store(format!(
                "{where_}: cannot use WAL mode (journal mode {mode})"
            )));
        }
        connection
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(failed(&where_))?;
        migrate(&mut connection).map_err(|e| match e {
            ProofError::Store(m) => ProofError::Store(format!("{where_}: {m}")),
            other => other,
        })?;
        Ok(Sqlite { connection })
    }
}

/// Opens a file that must already be a charte log: without `SQLITE_OPEN_CREATE` (so a
/// wrong path creates nothing), and checked for `proof_schema` before anything writes to
/// it (switching a stranger's database to WAL would change it).
fn open_existing(path: &Path, where_: &str) -> Result<Connection, ProofError> {
    if !path.exists() {
        return Err(ProofError::NoStore(where_.to_string()));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags).map_err(failed(where_))?;
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(failed(where_))?;
    let tables: Result<i64, _> = connection.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'proof_schema'",
        [],
        |row| row.get(0),
    );
    match tables {
        Ok(0) => Err(ProofError::NoStore(format!(
            "{where_} (a SQLite database without charte's tables)"
        ))),
        Ok(_) => Ok(connection),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(ProofError::NoStore(format!(
                "{where_} (not a SQLite database)"
            )))
        }
        Err(e) => Err(failed(where_)(e)),
    }
}

fn migrate(connection: &mut Connection) -> Result<(), ProofError> {
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(failed("cannot lock the schema"))?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS proof_schema (version INTEGER NOT NULL)")
        .map_err(failed("cannot create the schema"))?;
    let version: Option<i64> = tx
        .query_row("SELECT max(version) FROM proof_schema", [], |row| {
            row.get(0)
        })
        .map_err(failed("cannot read the schema version"))?;
    match version.map(from_db) {
        None => {
            tx.execute_batch(SCHEMA)
                .map_err(failed("cannot create the schema"))?;
            tx.execute(
                "INSERT INTO proof_head (id, seq, hash) VALUES (1, 0, ?1)",
                [GENESIS],
            )
            .map_err(failed("cannot create the schema"))?;
            tx.execute(
                "INSERT INTO proof_schema (version) VALUES (?1)",
                [to_db(SCHEMA_VERSION)?],
            )
            .map_err(failed("cannot create the schema"))?;
        }
        Some(SCHEMA_VERSION) => {}
        // Migrations from older versions go here, one step each.
        Some(version) => return Err(ProofError::Schema(version)),
    }
    tx.commit().map_err(failed("cannot create the schema"))
}

fn record_of(row: &Row<'_>) -> rusqlite::Result<Record> {
    let mut granted = Categories::EMPTY;
    for (i, category) in Category::CONSENTABLE.into_iter().enumerate() {
        if row.get::<_, bool>(5 + i)? {
            granted.insert(category);
        }
    }
    let action: String = row.get(8)?;
    Ok(Record {
        seq: from_db(row.get(0)?),
        consent_id: row.get(1)?,
        decided_at: from_db(row.get(2)?),
        recorded_at: from_db(row.get(3)?),
        revision: row.get(4)?,
        granted,
        // An action written by hand reads as `withdraw` and its hash then fails.
        action: Action::parse(&action).unwrap_or(Action::Withdraw),
        route: row.get(9)?,
        charter_sha256: row.get(10)?,
        prev_hash: row.get(11)?,
        hash: row.get(12)?,
    })
}

fn charter_of(row: &Row<'_>) -> rusqlite::Result<ArchivedCharter> {
    Ok(ArchivedCharter {
        revision: row.get(0)?,
        archived_at: from_db(row.get(1)?),
        sha256: row.get(2)?,
        text_fr: row.get(3)?,
        text_en: row.get(4)?,
        html_fr: row.get(5)?,
        html_en: row.get(6)?,
    })
}

fn head(tx: &Connection) -> Result<(u64, String), ProofError> {
    tx.query_row("SELECT seq, hash FROM proof_head WHERE id = 1", [], |row| {
        Ok((from_db(row.get(0)?), row.get(1)?))
    })
    .map_err(failed("cannot read the chain's head"))
}

fn checkpoint(tx: &Connection) -> Result<Option<Checkpoint>, ProofError> {
    tx.query_row(
        "SELECT seq, hash, purged_at, purged_before FROM proof_checkpoints \
         ORDER BY seq DESC LIMIT 1",
        [],
        |row| {
            Ok(Checkpoint {
                seq: from_db(row.get(0)?),
                hash: row.get(1)?,
                purged_at: from_db(row.get(2)?),
                before: from_db(row.get(3)?),
            })
        },
    )
    .optional()
    .map_err(failed("cannot read the checkpoint"))
}

fn charters(tx: &Connection) -> Result<Vec<ArchivedCharter>, ProofError> {
    let read = failed("cannot read the archived charters");
    let mut statement = tx
        .prepare(
            "SELECT revision, archived_at, sha256, text_fr, text_en, html_fr, html_en \
             FROM proof_charters ORDER BY revision",
        )
        .map_err(&read)?;
    let rows = statement.query_map([], charter_of).map_err(&read)?;
    rows.collect::<Result<_, _>>().map_err(read)
}

fn scan(
    tx: &Connection,
    filter: Filter<'_>,
    each: &mut dyn FnMut(Record) -> bool,
) -> Result<(), ProofError> {
    let read = failed("cannot read the records");
    let (condition, value): (&str, rusqlite::types::Value) = match filter {
        Filter::All => ("?1 IS NULL", rusqlite::types::Value::Null),
        Filter::Since(since) => ("decided_at >= ?1", to_db(since)?.into()),
        Filter::Consent(id) => ("consent_id = ?1", id.to_string().into()),
        Filter::Revision(revision) => ("revision = ?1", revision.to_string().into()),
    };
    let mut statement = tx
        .prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM proof_records WHERE {condition} ORDER BY seq"
        ))
        .map_err(&read)?;
    let mut rows = statement.query([value]).map_err(&read)?;
    while let Some(row) = rows.next().map_err(&read)? {
        if !each(record_of(row).map_err(&read)?) {
            break;
        }
    }
    Ok(())
}

impl Backend for Sqlite {
    fn append(&mut self, entries: &[&Entry], now: u64) -> Result<Vec<Receipt>, ProofError> {
        let write = failed("cannot append the records");
        // IMMEDIATE: the write lock is taken before the head is read, so two processes
        // sharing the file cannot both append after the same record.
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&write)?;
        let (mut seq, mut prev) = head(&tx)?;
        let mut receipts = Vec::with_capacity(entries.len());
        {
            let mut archive = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO proof_charters \
                     (revision, archived_at, sha256, text_fr, text_en, html_fr, html_en) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(&write)?;
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO proof_records ({RECORD_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                ))
                .map_err(&write)?;
            for entry in entries {
                let charter_sha256 = match &entry.charter {
                    Some(c) => {
                        let archived = archive
                            .execute(params![
                                c.revision,
                                to_db(now)?,
                                c.sha256,
                                c.text_fr,
                                c.text_en,
                                c.html_fr,
                                c.html_en
                            ])
                            .map_err(&write)?;
                        // Only the record that archived the charter holds its hash.
                        (archived == 1).then(|| c.sha256.clone())
                    }
                    None => None,
                };
                let record = next_record(seq + 1, &prev, entry, now, charter_sha256);
                insert
                    .execute(params![
                        to_db(record.seq)?,
                        record.consent_id,
                        to_db(record.decided_at)?,
                        to_db(record.recorded_at)?,
                        record.revision,
                        record.granted.contains(Category::Statistics),
                        record.granted.contains(Category::FirstParty),
                        record.granted.contains(Category::ThirdParty),
                        record.action.as_str(),
                        record.route,
                        record.charter_sha256,
                        record.prev_hash,
                        record.hash,
                    ])
                    .map_err(&write)?;
                seq = record.seq;
                prev = record.hash;
                receipts.push(Receipt {
                    seq,
                    hash: prev.clone(),
                });
            }
        }
        tx.execute(
            "UPDATE proof_head SET seq = ?1, hash = ?2 WHERE id = 1",
            params![to_db(seq)?, prev],
        )
        .map_err(&write)?;
        tx.commit().map_err(write)?;
        Ok(receipts)
    }

    fn read_chain(&mut self, each: &mut dyn FnMut(ChainItem) -> bool) -> Result<(), ProofError> {
        // A read transaction: in WAL mode, one snapshot for every statement in it.
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(failed("cannot read the chain"))?;
        let (seq, hash) = head(&tx)?;
        if each(ChainItem::Head(seq, hash))
            && each(ChainItem::Start(checkpoint(&tx)?, charters(&tx)?))
        {
            scan(&tx, Filter::All, &mut |record| {
                each(ChainItem::Record(record))
            })?;
        }
        tx.finish().map_err(failed("cannot read the chain"))
    }

    fn charters(&mut self) -> Result<Vec<ArchivedCharter>, ProofError> {
        charters(&self.connection)
    }

    fn scan(
        &mut self,
        filter: Filter<'_>,
        each: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), ProofError> {
        scan(&self.connection, filter, each)
    }

    fn purge(&mut self, before: u64, now: u64) -> Result<Purged, ProofError> {
        let write = failed("cannot purge");
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&write)?;
        let (head_seq, _) = head(&tx)?;
        let previous = checkpoint(&tx)?;
        let first_kept: Option<i64> = tx
            .query_row(
                "SELECT min(seq) FROM proof_records WHERE decided_at >= ?1",
                [to_db(before)?],
                |row| row.get(0),
            )
            .map_err(&write)?;
        let last_deleted = first_kept.map_or(head_seq, |seq| from_db(seq).saturating_sub(1));
        if last_deleted <= previous.as_ref().map_or(0, |c| c.seq) {
            return Ok(Purged {
                deleted: 0,
                checkpoint: previous,
            });
        }
        let hash: String = tx
            .query_row(
                "SELECT hash FROM proof_records WHERE seq = ?1",
                [to_db(last_deleted)?],
                |row| row.get(0),
            )
            .map_err(&write)?;
        let deleted = tx
            .execute(
                "DELETE FROM proof_records WHERE seq <= ?1",
                [to_db(last_deleted)?],
            )
            .map_err(&write)?;
        let checkpoint = Checkpoint {
            seq: last_deleted,
            hash,
            purged_at: now,
            before,
        };
        tx.execute(
            "INSERT INTO proof_checkpoints (seq, hash, purged_at, purged_before) \
             VALUES (?1, ?2, ?3, ?4)",
            params![
                to_db(checkpoint.seq)?,
                checkpoint.hash,
                to_db(now)?,
                to_db(before)?
            ],
        )
        .map_err(&write)?;
        tx.commit().map_err(write)?;
        Ok(Purged {
            deleted: deleted as u64,
            checkpoint: Some(checkpoint),
        })
    }
}
