//! The PostgreSQL store (feature `proof-postgres`), for several servers sharing one log:
//! each append locks the chain's head row, so the servers' records form one chain.
//!
//! The driver is `postgres`, the synchronous face of `tokio-postgres` (it runs its own
//! current-thread runtime): the log's writer thread owns it, whatever runtime the
//! site's server uses. No TLS: reach the database over a trusted network or a socket.

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, NoTls, Row, Statement, Transaction};

use super::chain::GENESIS;
use super::store::{
    from_db, next_record, to_db, Backend, ChainItem, Create, Entry, Filter, SCHEMA_VERSION,
};
use super::url::redact;
use super::{Action, ArchivedCharter, Checkpoint, ProofError, Purged, Receipt, Record};
use crate::model::Categories;
use crate::model::Category;

/// The advisory lock that serialises schema creation between servers starting together.
const SCHEMA_LOCK: i64 = 0x6368_6172_7465; // "charte"

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS proof_charters (
    revision TEXT PRIMARY KEY,
    archived_at BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    text_fr TEXT NOT NULL,
    text_en TEXT NOT NULL,
    html_fr TEXT NOT NULL,
    html_en TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS proof_records (
    seq BIGINT PRIMARY KEY,
    consent_id TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    revision TEXT NOT NULL,
    statistics BOOLEAN NOT NULL,
    first_party BOOLEAN NOT NULL,
    third_party BOOLEAN NOT NULL,
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
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS proof_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    purged_at BIGINT NOT NULL,
    purged_before BIGINT NOT NULL
);
";

const RECORD_COLUMNS: &str = "seq, consent_id, decided_at, recorded_at, revision, statistics, \
     first_party, third_party, action, route, charter_sha256, prev_hash, hash";

pub(crate) struct Postgres {
    client: Client,
    archive: Statement,
    /// Locks and reads the chain's head.
    lock_head: Statement,
    /// Inserts a whole batch of records from one array per column and moves the head,
    /// in one round trip (a statement per record made the network and the server's
    /// per-statement work the limit on decisions per second).
    append: Statement,
}

fn failed(context: &str) -> impl Fn(postgres::Error) -> ProofError + '_ {
    move |e| ProofError::Store(format!("{context}: {e}"))
}

impl Postgres {
    pub(crate) fn open(url: &str, create: Create) -> Result<Postgres, ProofError> {
        let shown = redact(url);
        let mut client = Client::connect(url, NoTls).map_err(failed(&shown))?;
        if create == Create::No {
            // A reader never creates charte's tables in someone's database: it checks
            // they are there (on the connection's search path) before `migrate` runs.
            let present: bool = client
                .query_one("SELECT to_regclass('proof_schema') IS NOT NULL", &[])
                .and_then(|row| row.try_get(0))
                .map_err(failed(&shown))?;
            if !present {
                return Err(ProofError::NoStore(format!(
                    "{shown} (a database without charte's tables)"
                )));
            }
        }
        migrate(&mut client).map_err(|e| match e {
            ProofError::Store(m) => ProofError::Store(format!("{shown}: {m}")),
            other => other,
        })?;
        let prepare = failed("cannot prepare the statements");
        let archive = client
            .prepare(
                "INSERT INTO proof_charters \
                 (revision, archived_at, sha256, text_fr, text_en, html_fr, html_en) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (revision) DO NOTHING",
            )
            .map_err(&prepare)?;
        let lock_head = client
            .prepare("SELECT seq, hash FROM proof_head WHERE id = 1 FOR UPDATE")
            .map_err(&prepare)?;
        // The arrays' types are spelled out so that the statement prepares without a
        // batch; `unnest` of several arrays zips them into rows, in order. The head's
        // update rides in the same statement (a data-modifying CTE always runs).
        let append = client
            .prepare(&format!(
                "WITH moved AS (UPDATE proof_head SET seq = $14, hash = $15 WHERE id = 1) \
                 INSERT INTO proof_records ({RECORD_COLUMNS}) \
                 SELECT seq, consent_id, decided_at, $13, revision, statistics, first_party, \
                 third_party, action, route, charter_sha256, prev_hash, hash \
                 FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], \
                 $5::boolean[], $6::boolean[], $7::boolean[], $8::text[], $9::text[], \
                 $10::text[], $11::text[], $12::text[]) \
                 AS batch (seq, consent_id, decided_at, revision, statistics, first_party, \
                 third_party, action, route, charter_sha256, prev_hash, hash)"
            ))
            .map_err(&prepare)?;
        Ok(Postgres {
            client,
            archive,
            lock_head,
            append,
        })
    }
}

fn migrate(client: &mut Client) -> Result<(), ProofError> {
    let mut tx = client
        .transaction()
        .map_err(failed("cannot lock the schema"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
        .map_err(failed("cannot lock the schema"))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS proof_schema (version BIGINT NOT NULL)")
        .map_err(failed("cannot create the schema"))?;
    let version: Option<i64> = tx
        .query_one("SELECT max(version) FROM proof_schema", &[])
        .and_then(|row| row.try_get(0))
        .map_err(failed("cannot read the schema version"))?;
    match version.map(from_db) {
        None => {
            tx.batch_execute(SCHEMA)
                .map_err(failed("cannot create the schema"))?;
            tx.execute(
                "INSERT INTO proof_head (id, seq, hash) VALUES (1, 0, $1)",
                &[&GENESIS],
            )
            .map_err(failed("cannot create the schema"))?;
            tx.execute(
                "INSERT INTO proof_schema (version) VALUES ($1)",
                &[&to_db(SCHEMA_VERSION)?],
            )
            .map_err(failed("cannot create the schema"))?;
        }
        Some(SCHEMA_VERSION) => {}
        // Migrations from older versions go here, one step each.
        Some(version) => return Err(ProofError::Schema(version)),
    }
    tx.commit().map_err(failed("cannot create the schema"))
}

fn record_of(row: &Row) -> Result<Record, postgres::Error> {
    let mut granted = Categories::EMPTY;
    for (i, category) in Category::CONSENTABLE.into_iter().enumerate() {
        if row.try_get::<_, bool>(5 + i)? {
            granted.insert(category);
        }
    }
    let action: String = row.try_get(8)?;
    Ok(Record {
        seq: from_db(row.try_get(0)?),
        consent_id: row.try_get(1)?,
        decided_at: from_db(row.try_get(2)?),
        recorded_at: from_db(row.try_get(3)?),
        revision: row.try_get(4)?,
        granted,
        // An action written by hand reads as `withdraw` and its hash then fails.
        action: Action::parse(&action).unwrap_or(Action::Withdraw),
        route: row.try_get(9)?,
        charter_sha256: row.try_get(10)?,
        prev_hash: row.try_get(11)?,
        hash: row.try_get(12)?,
    })
}

fn head(tx: &mut Transaction<'_>, lock: bool) -> Result<(u64, String), ProofError> {
    let query = if lock {
        "SELECT seq, hash FROM proof_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT seq, hash FROM proof_head WHERE id = 1"
    };
    let row = tx
        .query_one(query, &[])
        .map_err(failed("cannot read the chain's head"))?;
    let seq: i64 = row
        .try_get(0)
        .map_err(failed("cannot read the chain's head"))?;
    let hash: String = row
        .try_get(1)
        .map_err(failed("cannot read the chain's head"))?;
    Ok((from_db(seq), hash))
}

fn checkpoint(tx: &mut Transaction<'_>) -> Result<Option<Checkpoint>, ProofError> {
    let read = failed("cannot read the checkpoint");
    let row = tx
        .query_opt(
            "SELECT seq, hash, purged_at, purged_before FROM proof_checkpoints \
             ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .map_err(&read)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Checkpoint {
        seq: from_db(row.try_get(0).map_err(&read)?),
        hash: row.try_get(1).map_err(&read)?,
        purged_at: from_db(row.try_get(2).map_err(&read)?),
        before: from_db(row.try_get(3).map_err(&read)?),
    }))
}

fn charters(tx: &mut Transaction<'_>) -> Result<Vec<ArchivedCharter>, ProofError> {
    let read = failed("cannot read the archived charters");
    let rows = tx
        .query(
            "SELECT revision, archived_at, sha256, text_fr, text_en, html_fr, html_en \
             FROM proof_charters ORDER BY revision",
            &[],
        )
        .map_err(&read)?;
    rows.iter()
        .map(|row| {
            Ok(ArchivedCharter {
                revision: row.try_get(0)?,
                archived_at: from_db(row.try_get(1)?),
                sha256: row.try_get(2)?,
                text_fr: row.try_get(3)?,
                text_en: row.try_get(4)?,
                html_fr: row.try_get(5)?,
                html_en: row.try_get(6)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()
        .map_err(read)
}

fn scan(
    tx: &mut Transaction<'_>,
    filter: Filter<'_>,
    each: &mut dyn FnMut(Record) -> bool,
) -> Result<(), ProofError> {
    let read = failed("cannot read the records");
    let since;
    let consent;
    let (condition, params): (&str, Vec<&(dyn ToSql + Sync)>) = match filter {
        Filter::All => ("TRUE", vec![]),
        Filter::Since(time) => {
            since = to_db(time)?;
            ("decided_at >= $1", vec![&since])
        }
        Filter::Consent(id) => {
            consent = id;
            ("consent_id = $1", vec![&consent])
        }
        Filter::Revision(revision) => {
            consent = revision;
            ("revision = $1", vec![&consent])
        }
    };
    let query =
        format!("SELECT {RECORD_COLUMNS} FROM proof_records WHERE {condition} ORDER BY seq");
    // Rows are streamed, not loaded at once: an export of a large log stays small.
    let mut rows = tx.query_raw(query.as_str(), params).map_err(&read)?;
    while let Some(row) = rows.next().map_err(&read)? {
        if !each(record_of(&row).map_err(&read)?) {
            break;
        }
    }
    Ok(())
}

impl Backend for Postgres {
    fn append(&mut self, entries: &[&Entry], now: u64) -> Result<Vec<Receipt>, ProofError> {
        let write = failed("cannot append the records");
        let head_failed = failed("cannot read the chain's head");
        let mut tx = self.client.transaction().map_err(&write)?;
        // The head row's lock orders the transactions of every server.
        let row = tx.query_one(&self.lock_head, &[]).map_err(&head_failed)?;
        let mut seq = from_db(row.try_get(0).map_err(&head_failed)?);
        let mut prev: String = row.try_get(1).map_err(&head_failed)?;
        // The charters first, once per revision of the batch: only the record of the
        // entry whose insert archived a charter holds its hash (the first entry carrying
        // it), as when each entry archived its own in turn.
        let now_db = to_db(now)?;
        let mut archived_here: Vec<&str> = Vec::new();
        let mut holds_hash = vec![false; entries.len()];
        for (i, entry) in entries.iter().enumerate() {
            let Some(c) = &entry.charter else { continue };
            if archived_here.contains(&c.revision.as_str()) {
                continue;
            }
            archived_here.push(&c.revision);
            let archived = tx
                .execute(
                    &self.archive,
                    &[
                        &c.revision,
                        &now_db,
                        &c.sha256,
                        &c.text_fr,
                        &c.text_en,
                        &c.html_fr,
                        &c.html_en,
                    ],
                )
                .map_err(&write)?;
            holds_hash[i] = archived == 1;
        }
        let n = entries.len();
        let mut columns = Columns::with_capacity(n);
        let mut receipts = Vec::with_capacity(n);
        for (entry, holds) in entries.iter().zip(holds_hash) {
            let charter_sha256 = entry
                .charter
                .as_ref()
                .filter(|_| holds)
                .map(|c| c.sha256.clone());
            let record = next_record(seq + 1, &prev, entry, now, charter_sha256);
            seq = record.seq;
            prev.clone_from(&record.hash);
            receipts.push(Receipt {
                seq,
                hash: record.hash.clone(),
            });
            columns.push(record)?;
        }
        let inserted = tx
            .execute(
                &self.append,
                &[
                    &columns.seq,
                    &columns.consent_id,
                    &columns.decided_at,
                    &columns.revision,
                    &columns.statistics,
                    &columns.first_party,
                    &columns.third_party,
                    &columns.action,
                    &columns.route,
                    &columns.charter_sha256,
                    &columns.prev_hash,
                    &columns.hash,
                    &now_db,
                    &to_db(seq)?,
                    &prev,
                ],
            )
            .map_err(&write)?;
        if inserted != n as u64 {
            return Err(ProofError::Store(format!(
                "cannot append the records: {inserted} of {n} inserted"
            )));
        }
        tx.commit().map_err(write)?;
        Ok(receipts)
    }

    fn read_chain(&mut self, each: &mut dyn FnMut(ChainItem) -> bool) -> Result<(), ProofError> {
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(failed("cannot read the chain"))?;
        let (seq, hash) = head(&mut tx, false)?;
        if each(ChainItem::Head(seq, hash)) {
            let start = ChainItem::Start(checkpoint(&mut tx)?, charters(&mut tx)?);
            if each(start) {
                scan(&mut tx, Filter::All, &mut |record| {
                    each(ChainItem::Record(record))
                })?;
            }
        }
        tx.commit().map_err(failed("cannot read the chain"))
    }

    fn charters(&mut self) -> Result<Vec<ArchivedCharter>, ProofError> {
        let mut tx = self
            .client
            .transaction()
            .map_err(failed("cannot read the archived charters"))?;
        let charters = charters(&mut tx)?;
        tx.commit()
            .map_err(failed("cannot read the archived charters"))?;
        Ok(charters)
    }

    fn scan(
        &mut self,
        filter: Filter<'_>,
        each: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), ProofError> {
        let mut tx = self
            .client
            .transaction()
            .map_err(failed("cannot read the records"))?;
        scan(&mut tx, filter, each)?;
        tx.commit().map_err(failed("cannot read the records"))
    }

    fn purge(&mut self, before: u64, now: u64) -> Result<Purged, ProofError> {
        let write = failed("cannot purge");
        let mut tx = self.client.transaction().map_err(&write)?;
        let (head_seq, _) = head(&mut tx, true)?;
        let previous = checkpoint(&mut tx)?;
        let first_kept: Option<i64> = tx
            .query_one(
                "SELECT min(seq) FROM proof_records WHERE decided_at >= $1",
                &[&to_db(before)?],
            )
            .and_then(|row| row.try_get(0))
            .map_err(&write)?;
        let last_deleted = first_kept.map_or(head_seq, |seq| from_db(seq).saturating_sub(1));
        if last_deleted <= previous.as_ref().map_or(0, |c| c.seq) {
            return Ok(Purged {
                deleted: 0,
                checkpoint: previous,
            });
        }
        let last = to_db(last_deleted)?;
        let hash: String = tx
            .query_one("SELECT hash FROM proof_records WHERE seq = $1", &[&last])
            .and_then(|row| row.try_get(0))
            .map_err(&write)?;
        let deleted = tx
            .execute("DELETE FROM proof_records WHERE seq <= $1", &[&last])
            .map_err(&write)?;
        tx.execute(
            "INSERT INTO proof_checkpoints (seq, hash, purged_at, purged_before) \
             VALUES ($1, $2, $3, $4)",
            &[&last, &hash, &to_db(now)?, &to_db(before)?],
        )
        .map_err(&write)?;
        tx.commit().map_err(write)?;
        Ok(Purged {
            deleted,
            checkpoint: Some(Checkpoint {
                seq: last_deleted,
                hash,
                purged_at: now,
                before,
            }),
        })
    }
}

/// A batch of records, one vector per column (the arrays the append statement unnests).
struct Columns {
    seq: Vec<i64>,
    consent_id: Vec<String>,
    decided_at: Vec<i64>,
    revision: Vec<String>,
    statistics: Vec<bool>,
    first_party: Vec<bool>,
    third_party: Vec<bool>,
    action: Vec<&'static str>,
    route: Vec<String>,
    charter_sha256: Vec<Option<String>>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
}

impl Columns {
    fn with_capacity(n: usize) -> Columns {
        Columns {
            seq: Vec::with_capacity(n),
            consent_id: Vec::with_capacity(n),
            decided_at: Vec::with_capacity(n),
            revision: Vec::with_capacity(n),
            statistics: Vec::with_capacity(n),
            first_party: Vec::with_capacity(n),
            third_party: Vec::with_capacity(n),
            action: Vec::with_capacity(n),
            route: Vec::with_capacity(n),
            charter_sha256: Vec::with_capacity(n),
            prev_hash: Vec::with_capacity(n),
            hash: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, record: Record) -> Result<(), ProofError> {
        self.seq.push(to_db(record.seq)?);
        self.decided_at.push(to_db(record.decided_at)?);
        self.consent_id.push(record.consent_id);
        self.revision.push(record.revision);
        self.statistics
            .push(record.granted.contains(Category::Statistics));
        self.first_party
            .push(record.granted.contains(Category::FirstParty));
        self.third_party
            .push(record.granted.contains(Category::ThirdParty));
        self.action.push(record.action.as_str());
        self.route.push(record.route);
        self.charter_sha256.push(record.charter_sha256);
        self.prev_hash.push(record.prev_hash);
        self.hash.push(record.hash);
        Ok(())
    }
}
