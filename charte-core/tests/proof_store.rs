//! The proof-of-consent store on real SQLite files and a real PostgreSQL server (a
//! throwaway cluster): the chain, tampering done by hand in the database, purges, and
//! failures of the store.
//!
//! Every scenario runs on both stores (`sqlite::NAME` and `postgres::NAME`).

#[path = "../../tests/pg_cluster/mod.rs"]
mod pg_cluster;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use charte_core::model::Categories;
use charte_core::proof::{Action, Decision, ProofError, ProofLog, Receipt, Store};
use charte_core::{Category, Charter};
use pg_cluster::Cluster;

/// A day in 2026, and the days around it.
const DAY: u64 = 86_400;
const T0: u64 = 1_764_000_000;

fn charter() -> &'static Charter {
    static CHARTER: OnceLock<Charter> = OnceLock::new();
    CHARTER.get_or_init(|| {
        charte_core::check_str(
            "proof.toml",
            r#"
[charter]
site = "https://example.fr"
consent_cookie = "consent"

[[cookie]]
name = "consent"
provider = "Example"
service = "Consent"
purpose = "Remember the visitor's choice."
category = "necessary"

[[cookie]]
name = "_pk_id"
provider = "Matomo"
service = "Audience"
purpose = "Count visits."
category = "statistics"
"#,
        )
        .charter
        .expect("valid charter")
    })
}

/// A second revision of the same site (one more cookie).
fn charter_v2() -> &'static Charter {
    static CHARTER: OnceLock<Charter> = OnceLock::new();
    CHARTER.get_or_init(|| {
        charte_core::check_str(
            "proof2.toml",
            r#"
[charter]
site = "https://example.fr"
consent_cookie = "consent"

[[cookie]]
name = "consent"
provider = "Example"
service = "Consent"
purpose = "Remember the visitor's choice."
category = "necessary"

[[cookie]]
name = "theme"
provider = "Example"
service = "Display"
purpose = "Remember the theme."
category = "first-party"
"#,
        )
        .charter
        .expect("valid charter")
    })
}

fn decision(n: u64, decided_at: u64) -> Decision {
    let granted = match n % 3 {
        0 => Categories::EMPTY,
        1 => Categories::of(&[Category::Statistics]),
        _ => Categories::of(&[
            Category::Statistics,
            Category::FirstParty,
            Category::ThirdParty,
        ]),
    };
    Decision {
        consent_id: format!("{n:026}"),
        decided_at,
        granted,
        action: Action::of(granted, Categories::of(&Category::CONSENTABLE)),
        route: format!("/page/{n}"),
    }
}

/// One store under test, and a way to edit it by hand.
struct Db {
    url: String,
    /// Runs SQL on the database as an administrator would (not through charte).
    sql: Box<dyn Fn(&str)>,
    _cluster: Option<Arc<Cluster>>,
    _dir: Option<TempDir>,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        // The logs on these files are dropped first (declared later), and a dropped
        // log has closed its connection: deleting the files is safe.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Db {
    fn sqlite(test: &str) -> Db {
        let dir = std::env::temp_dir().join(format!(
            "charte-proof-store-{test}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        // A directory that does not exist yet: the store creates the file, not the path.
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("proof.sqlite");
        let path = file.clone();
        Db {
            url: format!("sqlite://{}", file.display()),
            sql: Box::new(move |sql| {
                rusqlite::Connection::open(&path)
                    .and_then(|c| c.execute_batch(sql))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }),
            _cluster: None,
            _dir: Some(TempDir(dir)),
        }
    }

    fn postgres(test: &str) -> Option<Db> {
        let cluster = Cluster::shared(test)?;
        let url = cluster.database();
        let (c, u) = (Arc::clone(&cluster), url.clone());
        Some(Db {
            url,
            sql: Box::new(move |sql| {
                c.psql(&u, sql);
            }),
            _cluster: Some(cluster),
            _dir: None,
        })
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Records `decisions` concurrently (each its own task, as concurrent requests would).
fn record_all(
    log: &ProofLog,
    charter: &'static Charter,
    decisions: Vec<Decision>,
) -> Vec<Result<Receipt, ProofError>> {
    let rt = runtime();
    rt.block_on(async {
        let tasks: Vec<_> = decisions
            .into_iter()
            .map(|d| tokio::spawn(log.record(charter, d)))
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    })
}

fn record_one(log: &ProofLog, d: Decision) -> Result<Receipt, ProofError> {
    record_all(log, charter(), vec![d]).pop().unwrap()
}

/// A store holding `n` records, decided one a day from T0.
fn filled(db: &Db, n: u64) -> ProofLog {
    let log = ProofLog::open(&db.url).expect("open the log");
    for i in 1..=n {
        record_one(&log, decision(i, T0 + i * DAY)).expect("record");
    }
    log
}

fn verify(db: &Db) -> charte_core::proof::Verification {
    Store::open(&db.url).unwrap().verify().unwrap()
}

fn broken_at(db: &Db) -> u64 {
    let v = verify(db);
    match v.broken {
        Some(broken) => broken.seq,
        None => panic!("the chain verifies: {v:?}"),
    }
}

fn every_record(db: &Db) -> Vec<charte_core::proof::Record> {
    let mut records = Vec::new();
    Store::open(&db.url)
        .unwrap()
        .export(None, |r| {
            records.push(r);
            true
        })
        .unwrap();
    records
}

// ----- the scenarios -----

fn concurrent_decisions_form_one_chain(db: &Db) {
    let log = ProofLog::open(&db.url).unwrap();
    let decisions: Vec<Decision> = (1..=300).map(|n| decision(n, T0 + n)).collect();
    let receipts: Vec<Receipt> = record_all(&log, charter(), decisions.clone())
        .into_iter()
        .map(|r| r.expect("committed"))
        .collect();
    let mut seqs: Vec<u64> = receipts.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=300).collect::<Vec<_>>(),
        "one record per decision"
    );

    let records = every_record(db);
    assert_eq!(records.len(), 300);
    for record in &records {
        let n: u64 = record.consent_id.parse().unwrap();
        let d = &decisions[n as usize - 1];
        assert_eq!(
            (
                record.decided_at,
                record.granted,
                record.action,
                &record.route
            ),
            (d.decided_at, d.granted, d.action, &d.route)
        );
        assert_eq!(record.revision, charter().revision());
        let receipt = receipts.iter().find(|r| r.seq == record.seq).unwrap();
        assert_eq!(
            receipt.hash, record.hash,
            "the receipt names the stored record"
        );
    }
    for pair in records.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    let v = verify(db);
    assert_eq!((v.broken, v.records, v.head_seq), (None, 300, 300));
    assert_eq!(v.head_hash, records[299].hash);
}

fn the_first_decision_of_a_revision_archives_its_charter(db: &Db) {
    let log = filled(db, 3);
    record_all(&log, charter_v2(), vec![decision(4, T0 + 4 * DAY)])[0]
        .as_ref()
        .unwrap();
    record_one(&log, decision(5, T0 + 5 * DAY)).unwrap();
    let records = every_record(db);
    let with_charter: Vec<(u64, &str)> = records
        .iter()
        .filter(|r| r.charter_sha256.is_some())
        .map(|r| (r.seq, r.revision.as_str()))
        .collect();
    assert_eq!(
        with_charter,
        [(1, charter().revision()), (4, charter_v2().revision())]
    );
    let mut store = Store::open(&db.url).unwrap();
    for (c, seq) in [(charter(), 0), (charter_v2(), 3)] {
        let archived = store.charter(c.revision()).unwrap().expect("archived");
        assert!(archived.is_intact());
        assert_eq!(Some(&archived.sha256), records[seq].charter_sha256.as_ref());
        assert_eq!(
            archived.text_fr,
            c.render(charte_core::Format::Text, charte_core::Lang::Fr)
        );
        assert_eq!(
            archived.text_en,
            c.render(charte_core::Format::Text, charte_core::Lang::En)
        );
        assert_eq!(
            archived.html_fr,
            c.render(charte_core::Format::Html, charte_core::Lang::Fr)
        );
        assert_eq!(
            archived.html_en,
            c.render(charte_core::Format::Html, charte_core::Lang::En)
        );
    }
    assert_eq!(verify(db).broken, None);
}

fn an_edited_record_is_named(db: &Db) {
    filled(db, 6);
    (db.sql)("UPDATE proof_records SET route = '/elsewhere' WHERE seq = 3");
    let v = verify(db);
    let broken = v.broken.unwrap();
    assert_eq!(broken.seq, 3);
    assert_eq!(
        broken.consent_id.as_deref(),
        Some(format!("{:026}", 3).as_str())
    );
}

fn an_edited_decision_is_named(db: &Db) {
    filled(db, 6);
    // Record 3 refused everything (see `decision`): make it grant statistics.
    (db.sql)("UPDATE proof_records SET statistics = TRUE WHERE seq = 3");
    assert_eq!(broken_at(db), 3);
}

fn a_deleted_record_is_named(db: &Db) {
    filled(db, 6);
    (db.sql)("DELETE FROM proof_records WHERE seq = 4");
    // The record after the hole is the first whose predecessor is not there.
    assert_eq!(broken_at(db), 5);
}

fn a_deleted_last_record_is_named(db: &Db) {
    filled(db, 6);
    (db.sql)("DELETE FROM proof_records WHERE seq = 6");
    let broken = verify(db).broken.unwrap();
    assert_eq!(broken.seq, 6);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

fn reordered_records_are_named(db: &Db) {
    filled(db, 6);
    (db.sql)(
        "UPDATE proof_records SET seq = -2 WHERE seq = 2; \
         UPDATE proof_records SET seq = 2 WHERE seq = 4; \
         UPDATE proof_records SET seq = 4 WHERE seq = -2;",
    );
    assert_eq!(broken_at(db), 2);
}

fn an_inserted_record_is_named(db: &Db) {
    filled(db, 6);
    let head = verify(db).head_hash;
    (db.sql)(&format!(
        "INSERT INTO proof_records (seq, consent_id, decided_at, recorded_at, revision, \
         statistics, first_party, third_party, action, route, charter_sha256, prev_hash, hash) \
         VALUES (7, 'forged', {T0}, {T0}, '{}', TRUE, TRUE, TRUE, 'grant', '/', NULL, '{head}', \
         '{}')",
        charter().revision(),
        "f".repeat(64)
    ));
    let broken = verify(db).broken.unwrap();
    assert_eq!(
        (broken.seq, broken.consent_id.as_deref()),
        (7, Some("forged"))
    );
}

fn an_edited_archived_charter_is_named(db: &Db) {
    filled(db, 3);
    (db.sql)("UPDATE proof_charters SET text_fr = 'Aucun cookie.'");
    assert_eq!(broken_at(db), 1);
}

fn a_purge_leaves_a_chain_that_verifies(db: &Db) {
    let log = filled(db, 10);
    let mut store = Store::open(&db.url).unwrap();
    // Records 1..=10 are decided on days 1..=10: before day 5 means records 1 to 4.
    let purged = store.purge(T0 + 5 * DAY).unwrap();
    assert_eq!(purged.deleted, 4);
    let checkpoint = purged.checkpoint.unwrap();
    assert_eq!((checkpoint.seq, checkpoint.before), (4, T0 + 5 * DAY));
    let v = verify(db);
    assert_eq!((v.broken, v.records, v.head_seq), (None, 6, 10));
    assert_eq!(v.checkpoint.map(|c| c.seq), Some(4));
    assert_eq!(every_record(db).first().map(|r| r.seq), Some(5));

    // Nothing more to purge at the same date; the chain goes on after a purge.
    assert_eq!(store.purge(T0 + 5 * DAY).unwrap().deleted, 0);
    record_one(&log, decision(11, T0 + 11 * DAY)).unwrap();
    assert_eq!(verify(db).broken, None);

    // A second purge, then the checkpoint still joins the rest.
    assert_eq!(store.purge(T0 + 8 * DAY).unwrap().deleted, 3);
    let v = verify(db);
    assert_eq!((v.broken, v.records), (None, 4));

    // Deleting the record after the checkpoint is still seen.
    (db.sql)("DELETE FROM proof_records WHERE seq = 8");
    assert_eq!(broken_at(db), 9);
}

fn a_purge_refuses_a_broken_chain(db: &Db) {
    filled(db, 5);
    (db.sql)("UPDATE proof_records SET route = '/x' WHERE seq = 2");
    let error = Store::open(&db.url)
        .unwrap()
        .purge(T0 + 10 * DAY)
        .unwrap_err();
    assert!(
        matches!(&error, ProofError::Broken(b) if b.seq == 2),
        "{error}"
    );
    assert_eq!(every_record(db).len(), 5, "nothing deleted");
}

fn purging_everything_leaves_an_empty_chain_that_goes_on(db: &Db) {
    let log = filled(db, 3);
    let purged = Store::open(&db.url).unwrap().purge(T0 + 100 * DAY).unwrap();
    assert_eq!(purged.deleted, 3);
    let v = verify(db);
    assert_eq!((v.broken, v.records, v.head_seq), (None, 0, 3));
    record_one(&log, decision(4, T0 + 101 * DAY)).unwrap();
    let v = verify(db);
    assert_eq!((v.broken, v.records, v.head_seq), (None, 1, 4));
}

fn records_of_a_consent_are_found(db: &Db) {
    let log = filled(db, 4);
    let mut withdrawal = decision(2, T0 + 50 * DAY);
    withdrawal.action = Action::Withdraw;
    withdrawal.granted = Categories::EMPTY;
    record_one(&log, withdrawal).unwrap();
    let mut store = Store::open(&db.url).unwrap();
    let records = store.records_of(&format!("{:026}", 2)).unwrap();
    assert_eq!(
        records
            .iter()
            .map(|r| (r.seq, r.action))
            .collect::<Vec<_>>(),
        [(2, Action::Grant), (5, Action::Withdraw)]
    );
    assert!(store.records_of("nobody").unwrap().is_empty());
}

fn export_since_a_date_reads_later_decisions(db: &Db) {
    filled(db, 6);
    let mut seqs = Vec::new();
    Store::open(&db.url)
        .unwrap()
        .export(Some(T0 + 4 * DAY), |r| {
            seqs.push(r.seq);
            true
        })
        .unwrap();
    assert_eq!(seqs, [4, 5, 6]);
}

fn reopening_keeps_the_chain_and_a_newer_schema_is_refused(db: &Db) {
    drop(filled(db, 2));
    let log = ProofLog::open(&db.url).unwrap();
    assert_eq!(record_one(&log, decision(3, T0)).unwrap().seq, 3);
    assert_eq!(verify(db).broken, None);
    (db.sql)("UPDATE proof_schema SET version = 99");
    assert_eq!(ProofLog::open(&db.url).unwrap_err(), ProofError::Schema(99));
    assert_eq!(Store::open(&db.url).unwrap_err(), ProofError::Schema(99));
}

/// Two revisions decided on at once (batches mixing both, each decision carrying its
/// charter): each charter is archived once, and its hash is in the first record of its
/// revision only.
fn concurrent_decisions_on_two_revisions_archive_each_charter_once(db: &Db) {
    let log = ProofLog::open(&db.url).unwrap();
    let rt = runtime();
    let tasks: Vec<_> = (1..=200)
        .map(|n| {
            let on = if n % 2 == 0 { charter() } else { charter_v2() };
            rt.spawn(log.record(on, decision(n, T0 + n)))
        })
        .collect();
    rt.block_on(async {
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    });
    let records = every_record(db);
    assert_eq!(records.len(), 200);
    let mut store = Store::open(&db.url).unwrap();
    for c in [charter(), charter_v2()] {
        let of_revision: Vec<_> = records
            .iter()
            .filter(|r| r.revision == c.revision())
            .collect();
        let holding: Vec<u64> = of_revision
            .iter()
            .filter(|r| r.charter_sha256.is_some())
            .map(|r| r.seq)
            .collect();
        assert_eq!(holding, [of_revision[0].seq], "{}", c.revision());
        let archived = store.charter(c.revision()).unwrap().expect("archived");
        assert_eq!(
            of_revision[0].charter_sha256.as_ref(),
            Some(&archived.sha256)
        );
    }
    assert_eq!(verify(db).broken, None);
}

/// Decisions in flight when the last handle is dropped: each is either committed (and
/// answered with its receipt) or refused with `Closed` (and has no record).
fn dropping_the_log_commits_the_decisions_queued(db: &Db) {
    let log = ProofLog::open(&db.url).unwrap();
    let rt = runtime();
    let tasks: Vec<_> = (1..=300)
        .map(|n| rt.spawn(log.record(charter(), decision(n, T0 + n))))
        .collect();
    // Not on the runtime: the drop waits for the writer, which waits for nobody.
    drop(log);
    let results: Vec<_> = rt.block_on(async {
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    });
    let mut committed = Vec::new();
    for (n, result) in (1..=300u64).zip(results) {
        match result {
            Ok(_) => committed.push(format!("{n:026}")),
            Err(ProofError::Closed) => {}
            Err(other) => panic!("decision {n}: {other}"),
        }
    }
    let mut recorded: Vec<String> = every_record(db).into_iter().map(|r| r.consent_id).collect();
    recorded.sort();
    committed.sort();
    assert_eq!(
        recorded, committed,
        "a record for each committed decision, and no other"
    );
    assert_eq!(verify(db).broken, None);
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&super::Db::sqlite(stringify!($name)));
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = super::Db::postgres(stringify!($name)) {
                        super::$name(&db);
                    }
                }
            )*
        }
    };
}

on_both_stores!(
    concurrent_decisions_form_one_chain,
    the_first_decision_of_a_revision_archives_its_charter,
    an_edited_record_is_named,
    an_edited_decision_is_named,
    a_deleted_record_is_named,
    a_deleted_last_record_is_named,
    reordered_records_are_named,
    an_inserted_record_is_named,
    an_edited_archived_charter_is_named,
    a_purge_leaves_a_chain_that_verifies,
    a_purge_refuses_a_broken_chain,
    purging_everything_leaves_an_empty_chain_that_goes_on,
    records_of_a_consent_are_found,
    export_since_a_date_reads_later_decisions,
    reopening_keeps_the_chain_and_a_newer_schema_is_refused,
    dropping_the_log_commits_the_decisions_queued,
    concurrent_decisions_on_two_revisions_archive_each_charter_once,
);

// ----- failures of the store -----

#[test]
fn urls_naming_no_store_are_refused() {
    for url in ["proof.sqlite", "mysql://localhost/x", "sqlite://"] {
        assert!(
            matches!(ProofLog::open(url), Err(ProofError::Url(_))),
            "{url}"
        );
    }
    let error = ProofLog::open("postgres://u:hunter2@127.0.0.1:1/x").unwrap_err();
    assert!(matches!(error, ProofError::Store(_)), "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

#[test]
fn a_locked_sqlite_file_fails_the_decision_and_the_log_recovers() {
    let db = Db::sqlite("locked");
    let log = filled(&db, 2);
    let path = db.url.strip_prefix("sqlite://").unwrap().to_string();
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = Instant::now();
    let error = record_one(&log, decision(3, T0)).unwrap_err();
    assert!(
        matches!(&error, ProofError::Store(m) if m.contains("locked")),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(record_one(&log, decision(4, T0)).unwrap().seq, 3);
    let v = verify(&db);
    assert_eq!((v.broken, v.records), (None, 3));
    assert!(
        every_record(&db)
            .iter()
            .all(|r| r.consent_id != format!("{:026}", 3)),
        "the failed decision left no record"
    );
}

/// `chattr +i`: even root cannot write an immutable file, through descriptors already
/// open too. Where the file system or the capabilities do not allow it, say so.
fn set_immutable(paths: &[PathBuf], on: bool) -> bool {
    let flag = if on { "+i" } else { "-i" };
    paths.iter().all(|p| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(p)
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn a_read_only_sqlite_file_fails_the_decision_and_the_log_recovers() {
    let db = Db::sqlite("read_only");
    let log = filled(&db, 2);
    let path = PathBuf::from(db.url.strip_prefix("sqlite://").unwrap());
    let files = [
        path.clone(),
        PathBuf::from(format!("{}-wal", path.display())),
    ];
    if !set_immutable(&files, true) {
        set_immutable(&files, false);
        if std::env::var("CHARTE_REQUIRE_READONLY").is_ok_and(|v| v == "1") {
            panic!("chattr +i is not available here");
        }
        eprintln!("\n*** SKIPPED read-only SQLite test: chattr +i is not available here ***\n");
        return;
    }
    let result = record_one(&log, decision(3, T0));
    set_immutable(&files, false);
    let error = result.unwrap_err();
    assert!(matches!(error, ProofError::Store(_)), "{error}");
    assert_eq!(record_one(&log, decision(4, T0)).unwrap().seq, 3);
    let v = verify(&db);
    assert_eq!((v.broken, v.records), (None, 3));
}

#[test]
fn a_stopped_postgres_server_fails_the_decision_and_the_log_recovers() {
    let Some(cluster) = Cluster::start("a_stopped_postgres_server_fails_the_decision") else {
        return;
    };
    let url = cluster.database();
    let log = ProofLog::open(&url).unwrap();
    record_one(&log, decision(1, T0)).unwrap();
    cluster.stop();
    let started = Instant::now();
    let error = record_one(&log, decision(2, T0)).unwrap_err();
    assert!(matches!(error, ProofError::Store(_)), "{error}");
    assert!(started.elapsed() < Duration::from_secs(30));
    // Still down: still a clean failure (the writer tries to reconnect).
    assert!(record_one(&log, decision(3, T0)).is_err());
    cluster.resume();
    assert_eq!(record_one(&log, decision(4, T0)).unwrap().seq, 2);
    let mut store = Store::open(&url).unwrap();
    let v = store.verify().unwrap();
    assert_eq!((v.broken, v.records), (None, 2));
    assert!(store.records_of(&format!("{:026}", 2)).unwrap().is_empty());
}

#[test]
fn two_logs_on_one_postgres_database_form_one_chain() {
    let Some(db) = Db::postgres("two_logs_on_one_postgres_database") else {
        return;
    };
    // Two servers of one site: two logs, one database.
    let (a, b) = (
        ProofLog::open(&db.url).unwrap(),
        ProofLog::open(&db.url).unwrap(),
    );
    let rt = runtime();
    rt.block_on(async {
        let tasks: Vec<_> = (1..=200)
            .map(|n| {
                let log = if n % 2 == 0 { &a } else { &b };
                tokio::spawn(log.record(charter(), decision(n, T0 + n)))
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    });
    let v = verify(&db);
    assert_eq!((v.broken, v.records), (None, 200));
    let archived = every_record(&db)
        .iter()
        .filter(|r| r.charter_sha256.is_some())
        .count();
    assert_eq!(archived, 1, "the charter is archived once");
}

/// The last handle's drop returns once the writer closed the file: the log can then be
/// deleted and a new one made at the same path, again and again, on two threads at once
/// (a new file reusing a deleted one's inode while its connection was still closing
/// once hung SQLite's file locking).
#[test]
fn a_dropped_sqlite_log_can_be_deleted_and_made_again() {
    let threads: Vec<_> = (0..2)
        .map(|t| {
            std::thread::spawn(move || {
                let dir = std::env::temp_dir().join(format!(
                    "charte-proof-store-again-{}-{t}",
                    std::process::id()
                ));
                let file = dir.join("proof.sqlite");
                let wal = dir.join("proof.sqlite-wal");
                let url = format!("sqlite://{}", file.display());
                for round in 0..40u64 {
                    std::fs::create_dir_all(&dir).unwrap();
                    let log = ProofLog::open(&url).unwrap();
                    let decisions = (1..=5).map(|n| decision(round * 10 + n, T0 + n)).collect();
                    for result in record_all(&log, charter(), decisions) {
                        result.unwrap();
                    }
                    assert!(wal.exists(), "round {round}: the log writes ahead");
                    drop(log);
                    // SQLite deletes the WAL when the last connection to a database closes:
                    // gone means the writer's connection is closed.
                    assert!(
                        !wal.exists(),
                        "round {round}: the log's connection is still open"
                    );
                    std::fs::remove_dir_all(&dir).unwrap();
                    std::fs::create_dir_all(&dir).unwrap();
                    // The same path again: a new, empty log.
                    let log = ProofLog::open(&url).unwrap();
                    let receipt = record_one(&log, decision(round * 10 + 9, T0)).unwrap();
                    assert_eq!(receipt.seq, 1, "round {round}: a new log starts at 1");
                    drop(log);
                    std::fs::remove_dir_all(&dir).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}
