//! `charte proof verify|export|show|purge`, run as users run it, on logs the library
//! wrote (a real SQLite file; a real PostgreSQL server for the last test).

#[path = "../../tests/pg_cluster/mod.rs"]
mod pg_cluster;

use std::future::Future;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use charte_core::model::Categories;
use charte_core::proof::{Action, Decision, ProofLog};
use charte_core::{Category, Charter};

const DAY: u64 = 86_400;
/// 2026-05-01T00:00:00Z.
const MAY_1: u64 = 1_777_593_600;

fn charte(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charte"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run charte")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Waits for a future on this thread (the log's answers need no runtime).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

fn charter() -> &'static Charter {
    static CHARTER: std::sync::OnceLock<Charter> = std::sync::OnceLock::new();
    CHARTER.get_or_init(|| {
        charte_core::check_str(
            "proof.toml",
            "[charter]\nsite = \"https://example.fr\"\nconsent_cookie = \"consent\"\n\n\
             [[cookie]]\nname = \"consent\"\nprovider = \"Example\"\nservice = \"Consent\"\n\
             purpose = \"Remember the choice.\"\ncategory = \"necessary\"\n\n\
             [[cookie]]\nname = \"_pk_id\"\nprovider = \"Matomo\"\nservice = \"Audience\"\n\
             purpose = \"Count visits.\"\ncategory = \"statistics\"\n",
        )
        .charter
        .unwrap()
    })
}

fn id(n: u64) -> String {
    format!("visitor{n:019}")
}

/// Records `n` decisions, one a day from 2026-05-01, alternately granting statistics
/// and refusing.
fn fill(url: &str, n: u64) {
    let log = ProofLog::open(url).unwrap();
    for i in 1..=n {
        let granted = if i % 2 == 1 {
            Categories::of(&[Category::Statistics])
        } else {
            Categories::EMPTY
        };
        let decision = Decision {
            consent_id: id(i),
            decided_at: MAY_1 + (i - 1) * DAY,
            granted,
            action: Action::of(granted, Categories::of(&[Category::Statistics])),
            route: "/consent".into(),
        };
        block_on(log.record(charter(), decision)).unwrap();
    }
}

struct Log {
    dir: PathBuf,
    url: String,
}

impl Log {
    fn new(test: &str, n: u64) -> Log {
        let dir = std::env::temp_dir().join(format!("charte-cli-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("proof.sqlite").display());
        fill(&url, n);
        Log { dir, url }
    }

    fn sql(&self, sql: &str) {
        rusqlite::Connection::open(self.dir.join("proof.sqlite"))
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn verify_exits_0_on_a_whole_chain_and_1_naming_the_first_broken_record() {
    let log = Log::new("verify", 4);
    let whole = charte(&["proof", "verify", &log.url]);
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    assert!(
        stdout(&whole).starts_with("chain whole: 4 records"),
        "{}",
        stdout(&whole)
    );

    log.sql("UPDATE proof_records SET decided_at = decided_at - 86400 WHERE seq = 3");
    let broken = charte(&["proof", "verify", &log.url]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).contains(&format!("record 3 (consent {}) breaks the chain", id(3))),
        "{}",
        stderr(&broken)
    );
}

#[test]
fn export_writes_json_and_csv_from_a_date() {
    let log = Log::new("export", 4);
    let json = charte(&["proof", "export", &log.url, "--since", "2026-05-02"]);
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let records: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["seq"], 2);
    assert_eq!(records[0]["consent_id"], id(2));
    assert_eq!(records[0]["decided_at"], "2026-05-02T00:00:00Z");
    assert_eq!(records[0]["statistics"], "refused");
    assert_eq!(records[0]["action"], "refuse");
    assert_eq!(records[1]["statistics"], "granted");
    assert_eq!(records[1]["action"], "grant");
    assert_eq!(records[0]["route"], "/consent");
    assert_eq!(records[0]["charter_sha256"], serde_json::Value::Null);
    assert_eq!(records[1]["prev_hash"], records[0]["hash"]);

    let csv = charte(&["proof", "export", &log.url, "--format", "csv"]);
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[1], "consent_id");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[0][1], id(1));
    assert_eq!(&rows[0][2], "2026-05-01T00:00:00Z");
    assert_eq!(
        rows[0][10].len(),
        64,
        "record 1 holds the archived charter's hash"
    );

    let empty = charte(&["proof", "export", &log.url, "--since", "2027-01-01"]);
    assert_eq!(stdout(&empty), "[]\n");
}

#[test]
fn show_prints_a_consents_records_and_the_charter_it_was_shown() {
    let log = Log::new("show", 2);
    let shown = charte(&["proof", "show", &log.url, &id(2)]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(text.starts_with("record 2\n"), "{text}");
    assert!(
        text.contains("decided_at     2026-05-02T00:00:00Z"),
        "{text}"
    );
    assert!(text.contains("action         refuse"), "{text}");

    let page = charte(&[
        "proof",
        "show",
        &log.url,
        &id(2),
        "--charter",
        "text",
        "--lang",
        "en",
    ]);
    assert_eq!(page.status.code(), Some(0), "{}", stderr(&page));
    assert_eq!(
        stdout(&page),
        charter().render(charte_core::Format::Text, charte_core::Lang::En)
    );

    let nobody = charte(&["proof", "show", &log.url, "nobody"]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(stderr(&nobody).contains("no record of consent nobody"));
}

/// A charter edited in the database is not printed as the one the visitor was shown:
/// `show` checks it against the hash the log holds, as `verify` does.
#[test]
fn show_refuses_a_tampered_charter() {
    let log = Log::new("show-forged", 3);
    log.sql("UPDATE proof_charters SET text_fr = 'forged'");
    let page = charte(&["proof", "show", &log.url, &id(2), "--charter", "text"]);
    assert_eq!(page.status.code(), Some(1), "{}", stderr(&page));
    assert!(!stdout(&page).contains("forged"), "{}", stdout(&page));
    assert_eq!(stdout(&page), "");
    let message = stderr(&page);
    assert!(
        message.contains(&format!("record 1 (consent {}) breaks the chain", id(1))),
        "{message}"
    );
    assert!(message.contains("tampered"), "{message}");
    // The records are still shown, with the same alarm and exit status.
    let records = charte(&["proof", "show", &log.url, &id(2)]);
    assert_eq!(records.status.code(), Some(1), "{}", stderr(&records));
    assert!(
        stdout(&records).starts_with("record 2\n"),
        "{}",
        stdout(&records)
    );
    assert!(
        stderr(&records).contains("tampered"),
        "{}",
        stderr(&records)
    );
    let verified = charte(&["proof", "verify", &log.url]);
    assert_eq!(verified.status.code(), Some(1), "{}", stderr(&verified));

    // A text edited along with the SHA-256 stored beside it is caught too.
    let log = Log::new("show-replaced", 2);
    log.sql("UPDATE proof_charters SET sha256 = 'aa' || substr(sha256, 3), text_en = 'forged'");
    let page = charte(&[
        "proof",
        "show",
        &log.url,
        &id(1),
        "--charter",
        "text",
        "--lang",
        "en",
    ]);
    assert_eq!(page.status.code(), Some(1), "{}", stderr(&page));
    assert_eq!(stdout(&page), "");

    // After a purge deleted the record holding the hash, an edited text still shows.
    let log = Log::new("show-purged", 3);
    let purged = charte(&["proof", "purge", &log.url, "--before", "2026-05-02"]);
    assert_eq!(purged.status.code(), Some(0), "{}", stderr(&purged));
    log.sql("UPDATE proof_charters SET html_fr = 'forged'");
    let page = charte(&["proof", "show", &log.url, &id(3), "--charter", "html"]);
    assert_eq!(page.status.code(), Some(1), "{}", stderr(&page));
    assert_eq!(stdout(&page), "");
    assert!(stderr(&page).contains("record 2"), "{}", stderr(&page));
    let verified = charte(&["proof", "verify", &log.url]);
    assert_eq!(verified.status.code(), Some(1), "{}", stdout(&verified));
}

#[test]
fn purge_leaves_a_checkpoint_the_rest_verifies_from() {
    let log = Log::new("purge", 5);
    let purged = charte(&["proof", "purge", &log.url, "--before", "2026-05-03"]);
    assert_eq!(purged.status.code(), Some(0), "{}", stderr(&purged));
    assert!(
        stdout(&purged).starts_with(
            "purged 2 records of decisions before 2026-05-03T00:00:00Z; checkpoint: record 2"
        ),
        "{}",
        stdout(&purged)
    );
    let verified = charte(&["proof", "verify", &log.url]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    assert!(
        stdout(&verified).contains("3 records, from the checkpoint"),
        "{}",
        stdout(&verified)
    );

    log.sql("DELETE FROM proof_records WHERE seq = 4");
    let refused = charte(&["proof", "purge", &log.url, "--before", "2026-05-10"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("record 5"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains("nothing purged"),
        "{}",
        stderr(&refused)
    );
}

/// A consent lasts 6 months: a purge keeps the proof of consents still in force unless
/// told otherwise.
#[test]
fn purge_keeps_the_proof_of_consents_still_in_force() {
    use charte_core::model::duration::CONSENT_LIFETIME;
    let day = |t: u64| {
        let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(t).unwrap()).unwrap();
        format!("{}", t.date())
    };
    let log = Log::new("purge-recent", 3);
    // Two decisions made minutes ago, after three from May 2026.
    let recent = ProofLog::open(&log.url).unwrap();
    let now = charte_core::consent::now();
    for n in [4, 5] {
        let decision = Decision {
            consent_id: id(n),
            decided_at: now - 60,
            granted: Categories::EMPTY,
            action: Action::Refuse,
            route: "/consent".into(),
        };
        block_on(recent.record(charter(), decision)).unwrap();
    }
    drop(recent);

    let latest_before = day(charte_core::consent::now() - CONSENT_LIFETIME);
    let tomorrow = day(charte_core::consent::now() + DAY);
    let refused = charte(&["proof", "purge", &log.url, "--before", &tomorrow]);
    let latest_after = day(charte_core::consent::now() - CONSENT_LIFETIME);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains("proof of consents still in force"),
        "{message}"
    );
    assert!(
        message.contains(&format!("the latest allowed is {latest_before}"))
            || message.contains(&format!("the latest allowed is {latest_after}")),
        "{message}"
    );
    assert!(message.contains("--force"), "{message}");
    let export = charte(&["proof", "export", &log.url, "--format", "csv"]);
    assert_eq!(stdout(&export).lines().count(), 6, "nothing deleted");

    // The latest allowed date itself purges what is older (the three May decisions).
    let allowed = charte(&["proof", "purge", &log.url, "--before", &latest_before]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    assert!(
        stdout(&allowed).starts_with("purged 3 records"),
        "{}",
        stdout(&allowed)
    );

    let forced = charte(&["proof", "purge", &log.url, "--before", &tomorrow, "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(
        stdout(&forced).starts_with("purged 2 records"),
        "{}",
        stdout(&forced)
    );
    let verified = charte(&["proof", "verify", &log.url]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    assert!(stdout(&verified).starts_with("chain whole: 0 records"));
}

/// `charte proof export URL | head -1`: the reader leaving early ends the export
/// quietly, exit 0 (see `broken_pipe.rs` for the other subcommands).
#[test]
fn export_and_show_end_quietly_when_the_reader_leaves() {
    let log = Log::new("closed-pipe", 40);
    let script = r#"trap '' PIPE
{ sleep 0.5; if printf x 2>/dev/null; then echo "the reader is still there" >&2; fi
  "$0" "$@"; echo "exit $?" >&2; } | true"#;
    for args in [
        &["proof", "export", &log.url][..],
        &["proof", "export", &log.url, "--format", "csv"],
        &["proof", "show", &log.url, &id(3)],
        &["proof", "show", &log.url, &id(3), "--charter", "html"],
        &["proof", "verify", &log.url],
    ] {
        let output = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_charte"))
            .args(args)
            .output()
            .expect("run sh");
        assert_eq!(stderr(&output), "exit 0\n", "{args:?}");
    }
}

#[test]
fn bad_urls_dates_and_stores_exit_2() {
    let bad_url = charte(&["proof", "verify", "proof.sqlite"]);
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(
        stderr(&bad_url).contains("expected sqlite://PATH"),
        "{}",
        stderr(&bad_url)
    );
    let bad_date = charte(&[
        "proof",
        "purge",
        "sqlite://x.sqlite",
        "--before",
        "yesterday",
    ]);
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(
        stderr(&bad_date).contains("expected a date YYYY-MM-DD"),
        "{}",
        stderr(&bad_date)
    );
    let down = charte(&["proof", "verify", "postgres://postgres@127.0.0.1:1/none"]);
    assert_eq!(down.status.code(), Some(2));
    assert!(
        stderr(&down).contains("proof store failed"),
        "{}",
        stderr(&down)
    );
}

/// An inspector given a wrong path must not be told "chain whole: 0 records", and
/// must not leave an empty log behind: the reading commands never create a store.
#[test]
fn the_reading_commands_never_create_a_store() {
    let dir = std::env::temp_dir().join(format!("charte-cli-nostore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let typo = dir.join("typo.sqlite");
    let url = format!("sqlite://{}", typo.display());
    let commands: [&[&str]; 5] = [
        &["proof", "verify", &url],
        &["proof", "export", &url],
        &["proof", "export", &url, "--format", "csv"],
        &["proof", "show", &url, &id(1)],
        &["proof", "purge", &url, "--before", "2026-05-01"],
    ];
    for args in commands {
        let output = charte(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(&format!("no proof store at {}", typo.display())),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{args:?}");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }

    // A SQLite database that is not a charte log is not one either, and stays as it was.
    let other = dir.join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let output = charte(&["proof", "verify", &format!("sqlite://{}", other.display())]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("without charte's tables"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&other).unwrap(), before, "left untouched");

    let text = dir.join("notes.txt");
    std::fs::write(
        &text,
        "not a database, but longer than a SQLite header......",
    )
    .unwrap();
    let output = charte(&["proof", "export", &format!("sqlite://{}", text.display())]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no proof store at"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_commands_read_a_postgres_log() {
    let Some(cluster) = pg_cluster::Cluster::shared("the_commands_read_a_postgres_log") else {
        return;
    };
    // A database without charte's tables is no log, and a reading command does not
    // create them.
    let bare = cluster.database();
    for args in [
        &["proof", "verify", &bare][..],
        &["proof", "export", &bare],
        &["proof", "purge", &bare, "--before", "2026-05-01"],
    ] {
        let output = charte(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("no proof store at postgres://"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(
        cluster
            .psql(
                &bare,
                "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'proof%'"
            )
            .trim(),
        "0",
        "no table created"
    );

    let url = cluster.database();
    fill(&url, 3);
    let verified = charte(&["proof", "verify", &url]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    assert!(stdout(&verified).starts_with("chain whole: 3 records"));
    let csv = charte(&["proof", "export", &url, "--format", "csv"]);
    assert_eq!(stdout(&csv).lines().count(), 4, "{}", stdout(&csv));
    let page = charte(&["proof", "show", &url, &id(2), "--charter", "text"]);
    assert_eq!(page.status.code(), Some(0), "{}", stderr(&page));
    assert_eq!(
        stdout(&page),
        charter().render(charte_core::Format::Text, charte_core::Lang::Fr)
    );
    let forged_log = cluster.database();
    fill(&forged_log, 2);
    cluster.psql(&forged_log, "UPDATE proof_charters SET text_fr = 'forged'");
    let forged = charte(&["proof", "show", &forged_log, &id(2), "--charter", "text"]);
    assert_eq!(forged.status.code(), Some(1), "{}", stderr(&forged));
    assert_eq!(stdout(&forged), "");
    assert!(stderr(&forged).contains("tampered"), "{}", stderr(&forged));
    cluster.psql(&url, "UPDATE proof_records SET route = '/x' WHERE seq = 2");
    let broken = charte(&["proof", "verify", &url]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(stderr(&broken).contains("record 2"), "{}", stderr(&broken));
    let purged = charte(&["proof", "purge", &url, "--before", "2026-05-03"]);
    assert_eq!(
        purged.status.code(),
        Some(1),
        "a broken chain is not purged"
    );
}
