//! Proof of consent through the layer: real axum and actix-web servers on 127.0.0.1
//! with `.proof(log)`, driven by reqwest, writing to real SQLite files and a real
//! PostgreSQL server (a throwaway cluster).
//!
//! The application sets what each request asks: `x-decide: <s><f><t>` sets the consent
//! cookie for that decision (`CHARTER.consent_cookie`), `x-withdraw` removes it,
//! `x-set-cookie` sets any other line, `x-location` answers `303` to that place.

#[path = "support/events.rs"]
mod events;
mod pg_cluster;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use charte::consent::Categories;
use charte::proof::{Action, ProofLog, Record, Store};
use charte::{Category, Charter, Consent};
use events::{capture_events_with, events};
use pg_cluster::Cluster;

fn charter() -> &'static Charter {
    static CHARTER: OnceLock<Charter> = OnceLock::new();
    CHARTER.get_or_init(|| {
        charte::check_str("enforcement.toml", include_str!("support/enforcement.toml"))
            .charter
            .expect("the test charter is valid")
    })
}

fn granted_of(digits: &str) -> Vec<Category> {
    digits
        .bytes()
        .zip(Category::CONSENTABLE)
        .filter(|(d, _)| *d == b'1')
        .map(|(_, c)| c)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framework {
    Axum,
    Actix,
}

/// Starts a server of `framework` whose layer writes to `url`; its address.
fn serve(framework: Framework, url: &str) -> SocketAddr {
    // Events at `ERROR` from `charte`: the failure tests read them.
    capture_events_with("charte=error");
    let log = ProofLog::open(url).expect("open the proof log");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    match framework {
        Framework::Axum => start_axum(listener, log),
        Framework::Actix => start_actix(listener, log),
    }
    address
}

/// The `Set-Cookie` lines the application sets for a request's `x-` headers, and the
/// `Location` it answers with.
fn application(headers: &http::HeaderMap) -> (Vec<String>, Option<String>) {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut set = Vec::new();
    if let Some(digits) = text("x-decide") {
        set.push(charter().consent_cookie(&granted_of(digits)).to_string());
    }
    if text("x-withdraw").is_some() {
        let consent = charter().consent_cookie_declaration().unwrap();
        set.push(consent.removal().to_string());
    }
    for value in headers.get_all("x-set-cookie") {
        set.push(value.to_str().unwrap().to_string());
    }
    (set, text("x-location").map(str::to_string))
}

fn start_axum(listener: TcpListener, log: ProofLog) {
    use axum::response::IntoResponse;

    async fn app(headers: http::HeaderMap) -> axum::response::Response {
        let (set, location) = application(&headers);
        let mut response = "ok".into_response();
        if let Some(location) = location {
            *response.status_mut() = http::StatusCode::SEE_OTHER;
            response
                .headers_mut()
                .insert(http::header::LOCATION, location.parse().unwrap());
        }
        for line in set {
            response
                .headers_mut()
                .append(http::header::SET_COOKIE, line.parse().unwrap());
        }
        response
    }

    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new()
                .fallback(app)
                .layer(charter().layer().proof(log));
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
}

fn start_actix(listener: TcpListener, log: ProofLog) {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

    async fn app(request: HttpRequest) -> HttpResponse {
        let mut headers = http::HeaderMap::new();
        for (name, value) in request.headers() {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_str().as_bytes()),
                http::HeaderValue::from_bytes(value.as_bytes()),
            ) {
                headers.append(name, value);
            }
        }
        let (set, location) = application(&headers);
        let mut response = match &location {
            Some(_) => HttpResponse::SeeOther(),
            None => HttpResponse::Ok(),
        };
        if let Some(location) = location {
            response.append_header(("location", location));
        }
        for line in set {
            response.append_header(("set-cookie", line));
        }
        response.body("ok")
    }

    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .default_service(web::to(app))
                    .wrap(charter().actix().proof(log.clone()))
            })
            .workers(2)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run()
            .await
            .unwrap();
        });
    });
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// What a request asks the application to do.
#[derive(Debug, Clone)]
enum Op {
    /// A decision: three digits.
    Decide(String),
    /// Remove the consent cookie.
    Withdraw,
    /// A plain page, which may set a statistics cookie (judged, never recorded).
    Page { sets_statistics: bool },
}

/// A visitor: the consent cookie their browser holds.
#[derive(Debug, Default, Clone)]
struct Visitor {
    consent: Option<String>,
}

/// What one answer said about the consent cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Received {
    Nothing,
    Set(String),
    Removed,
}

struct Answer {
    status: u16,
    consent: Received,
}

async fn send(
    client: &reqwest::Client,
    address: SocketAddr,
    visitor: &mut Visitor,
    op: &Op,
) -> Answer {
    let path = match op {
        Op::Decide(_) => "/consent",
        Op::Withdraw => "/withdraw",
        Op::Page { .. } => "/page",
    };
    let mut request = client.get(format!("http://{address}{path}"));
    if let Some(value) = &visitor.consent {
        request = request.header("cookie", format!("consent={value}"));
    }
    match op {
        Op::Decide(digits) => request = request.header("x-decide", digits),
        Op::Withdraw => request = request.header("x-withdraw", "1"),
        Op::Page { sets_statistics } => {
            if *sets_statistics {
                request = request.header("x-set-cookie", "_pk_id.1=abc; Path=/");
            }
        }
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let set_cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let mut consent = Received::Nothing;
    for line in &set_cookies {
        if let Some(rest) = line.strip_prefix("consent=") {
            let value = rest.split(';').next().unwrap_or_default();
            if line.contains("Max-Age=0") {
                consent = Received::Removed;
                visitor.consent = None;
            } else {
                consent = Received::Set(value.to_string());
                visitor.consent = Some(value.to_string());
            }
        }
    }
    Answer { status, consent }
}

/// The record a received answer must have left: (consent id, action, granted digits).
fn expected_record(before: &Visitor, op: &Op, answer: &Answer) -> Option<(String, Action, String)> {
    match (&answer.consent, op) {
        (Received::Set(value), _) => {
            let consent = Consent::decode(
                value.as_bytes(),
                charter().revision(),
                charte::consent::now(),
            );
            let id = consent.id().expect("a new decision has an id").to_string();
            let granted = consent.granted();
            // Refusing everything after granting something is a withdrawal.
            let had_granted = before.consent.as_ref().is_some_and(|v| {
                let before =
                    Consent::decode(v.as_bytes(), charter().revision(), charte::consent::now());
                !before.granted().is_empty()
            });
            let action = if granted.is_empty() && had_granted {
                Action::Withdraw
            } else {
                Action::of(granted, asked())
            };
            Some((id, action, digits(granted)))
        }
        (Received::Removed, _) => {
            let id = before
                .consent
                .as_ref()
                .and_then(|v| {
                    Consent::decode(v.as_bytes(), charter().revision(), charte::consent::now()).id()
                })
                .map(|id| id.to_string())
                .unwrap_or_default();
            Some((id, Action::Withdraw, "000".into()))
        }
        (Received::Nothing, _) => None,
    }
}

fn asked() -> Categories {
    let mut asked = Categories::EMPTY;
    for cookie in charter().cookies() {
        if cookie.needs_consent() {
            asked.insert(cookie.category());
        }
    }
    asked
}

fn digits(granted: Categories) -> String {
    Category::CONSENTABLE
        .iter()
        .map(|c| if granted.contains(*c) { '1' } else { '0' })
        .collect()
}

fn records_after(url: &str, seq: u64) -> Vec<Record> {
    let url = url.to_string();
    // The store's client blocks: never inside the async runtime.
    std::thread::spawn(move || {
        let mut records = Vec::new();
        Store::open(&url)
            .unwrap()
            .export(None, |r| {
                if r.seq > seq {
                    records.push(r);
                }
                true
            })
            .unwrap();
        records
    })
    .join()
    .unwrap()
}

fn head(url: &str) -> u64 {
    let url = url.to_string();
    std::thread::spawn(move || Store::open(&url).unwrap().verify().unwrap())
        .join()
        .unwrap()
        .head_seq
}

fn as_expected(record: &Record) -> (String, Action, String) {
    (
        record.consent_id.clone(),
        record.action,
        digits(record.granted),
    )
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("charte-proof-layer-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn sqlite(&self) -> String {
        format!("sqlite://{}", self.0.join("proof.sqlite").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the visitors' operations (each visitor's in order, the visitors concurrently)
/// and checks that exactly the answers carrying a consent change left a record, each
/// matching the cookie the client received.
fn run_and_check(address: SocketAddr, url: &str, visitors: Vec<Vec<Op>>) {
    let before = head(url);
    let expected: Vec<(String, Action, String)> = runtime().block_on(async {
        let client = client();
        let tasks: Vec<_> = visitors
            .into_iter()
            .map(|ops| {
                let client = client.clone();
                tokio::spawn(async move {
                    let mut visitor = Visitor::default();
                    let mut expected = Vec::new();
                    for op in &ops {
                        let was = visitor.clone();
                        let answer = send(&client, address, &mut visitor, op).await;
                        assert_eq!(answer.status, 200, "{op:?}");
                        match op {
                            Op::Decide(_) => {
                                assert!(matches!(answer.consent, Received::Set(_)), "{op:?}")
                            }
                            Op::Withdraw => assert_eq!(answer.consent, Received::Removed),
                            Op::Page { .. } => assert_eq!(answer.consent, Received::Nothing),
                        }
                        expected.extend(expected_record(&was, op, &answer));
                    }
                    expected
                })
            })
            .collect();
        let mut expected = Vec::new();
        for task in tasks {
            expected.extend(task.await.unwrap());
        }
        expected
    });
    let mut recorded: Vec<_> = records_after(url, before).iter().map(as_expected).collect();
    let mut expected = expected;
    recorded.sort();
    expected.sort();
    assert_eq!(
        recorded, expected,
        "one record per decision, none otherwise"
    );
}

fn op_strategy() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        "[01]{3}".prop_map(Op::Decide),
        Just(Op::Withdraw),
        any::<bool>().prop_map(|sets_statistics| Op::Page { sets_statistics }),
    ]
}

fn property(framework: Framework) {
    use proptest::prelude::*;
    let dir = TempDir::new(&format!("prop-{framework:?}"));
    let url = dir.sqlite();
    let address = serve(framework, &url);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &proptest::collection::vec(proptest::collection::vec(op_strategy(), 0..12), 1..6),
            |visitors| {
                run_and_check(address, &url, visitors);
                Ok(())
            },
        )
        .unwrap();
    let verification = Store::open(&url).unwrap().verify().unwrap();
    assert_eq!(verification.broken, None);
}

#[test]
fn axum_exactly_one_record_per_decision_over_random_visits() {
    property(Framework::Axum);
}

#[test]
fn actix_exactly_one_record_per_decision_over_random_visits() {
    property(Framework::Actix);
}

/// Decisions through each framework on each store: the records hold what the visitor
/// chose, when, and on what page.
fn decisions_are_recorded_on(framework: Framework, url: &str) {
    let address = serve(framework, url);
    let rt = runtime();
    let client = client();
    let mut visitor = Visitor::default();
    let (decided, back) = rt.block_on(async {
        // The banner's endpoint answers 303 back to the page the form was on.
        let response = client
            .get(format!("http://{address}/consent"))
            .header("x-decide", "101")
            .header("x-location", "/articles/7?utm=x")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303);
        let line = response
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        visitor.consent = Some(
            line.split(';')
                .next()
                .unwrap()
                .strip_prefix("consent=")
                .unwrap()
                .into(),
        );
        let back = send(&client, address, &mut visitor, &Op::Withdraw).await;
        (line, back)
    });
    assert_eq!(back.consent, Received::Removed);
    let value = decided
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("consent=")
        .unwrap();
    let consent = Consent::decode(
        value.as_bytes(),
        charter().revision(),
        charte::consent::now(),
    );
    let id = consent.id().unwrap().to_string();
    let records = records_after(url, 0);
    assert_eq!(records.len(), 2, "{records:?}");
    let (decision, withdrawal) = (&records[0], &records[1]);
    assert_eq!(decision.consent_id, id);
    assert_eq!(decision.decided_at, consent.decided_at().unwrap());
    assert_eq!(decision.revision, charter().revision());
    assert_eq!(digits(decision.granted), "101");
    assert_eq!(decision.action, Action::Partial);
    assert_eq!(
        decision.route, "/articles/7",
        "the page the form was on, no query"
    );
    assert!(
        decision.charter_sha256.is_some(),
        "the charter shown is archived"
    );
    assert_eq!(
        withdrawal.consent_id, id,
        "a withdrawal names the consent withdrawn"
    );
    assert_eq!(withdrawal.action, Action::Withdraw);
    assert_eq!(withdrawal.route, "/withdraw");
    assert_eq!(Store::open(url).unwrap().verify().unwrap().broken, None);
}

#[test]
fn axum_records_decisions_in_sqlite() {
    let dir = TempDir::new("axum-sqlite");
    decisions_are_recorded_on(Framework::Axum, &dir.sqlite());
}

#[test]
fn actix_records_decisions_in_sqlite() {
    let dir = TempDir::new("actix-sqlite");
    decisions_are_recorded_on(Framework::Actix, &dir.sqlite());
}

#[test]
fn axum_and_actix_record_decisions_in_postgres() {
    let Some(cluster) = Cluster::shared("axum_and_actix_record_decisions_in_postgres") else {
        return;
    };
    decisions_are_recorded_on(Framework::Axum, &cluster.database());
    decisions_are_recorded_on(Framework::Actix, &cluster.database());
}

/// Pages and decisions run by `clients` concurrent clients while `outage` runs and the
/// store fails; then the store comes back (`restore`). Checks: every answer is 200 (the
/// server keeps serving), no consent cookie leaves without its record, a failed
/// decision also loses the statistics cookie it allowed, the failure is an `ERROR`
/// event, and decisions are recorded again once the store is back.
fn store_outage(framework: Framework, url: &str, outage: impl FnOnce(), restore: impl FnOnce()) {
    let address = serve(framework, url);
    let rt = runtime();
    let client = client();
    let issued: Arc<Mutex<Vec<String>>> = Arc::default();
    let failed_decisions = Arc::new(Mutex::new(0usize));
    let run = |rounds: usize| {
        rt.block_on(async {
            let tasks: Vec<_> = (0..8)
                .map(|_| {
                    let (client, issued, failed) = (
                        client.clone(),
                        Arc::clone(&issued),
                        Arc::clone(&failed_decisions),
                    );
                    tokio::spawn(async move {
                        let mut visitor = Visitor::default();
                        for round in 0..rounds {
                            let op = if round % 2 == 0 {
                                Op::Page {
                                    sets_statistics: true,
                                }
                            } else {
                                Op::Decide("100".into())
                            };
                            let mut request = client
                                .get(format!("http://{address}/x"))
                                .header("x-set-cookie", "_pk_id.1=abc; Path=/");
                            if let Op::Decide(d) = &op {
                                request = request.header("x-decide", d);
                            }
                            if let Some(v) = &visitor.consent {
                                request = request.header("cookie", format!("consent={v}"));
                            }
                            let response = request.send().await.expect("the server answers");
                            assert_eq!(response.status().as_u16(), 200);
                            let lines: Vec<String> = response
                                .headers()
                                .get_all("set-cookie")
                                .iter()
                                .map(|v| v.to_str().unwrap().to_string())
                                .collect();
                            let consent = lines.iter().find_map(|l| l.strip_prefix("consent="));
                            let statistics = lines.iter().any(|l| l.starts_with("_pk_id.1="));
                            match (&op, consent) {
                                (Op::Decide(_), Some(rest)) => {
                                    let value = rest.split(';').next().unwrap().to_string();
                                    issued.lock().unwrap().push(value.clone());
                                    visitor.consent = Some(value);
                                    assert!(statistics, "granted with its record");
                                }
                                (Op::Decide(_), None) => {
                                    *failed.lock().unwrap() += 1;
                                    // Judged under the request's consent: none yet, or
                                    // an earlier decision granting statistics.
                                    assert_eq!(statistics, visitor.consent.is_some());
                                }
                                (_, Some(_)) => panic!("a page set the consent cookie"),
                                (_, None) => {}
                            }
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        })
    };
    run(4);
    assert_eq!(*failed_decisions.lock().unwrap(), 0, "the store is up");
    outage();
    run(4);
    let failed = *failed_decisions.lock().unwrap();
    assert!(failed > 0, "the outage failed decisions");
    assert!(
        events().contains("the decision could not be recorded"),
        "an ERROR event: {}",
        events()
    );
    restore();
    let issued_before = issued.lock().unwrap().len();
    run(4);
    assert_eq!(
        *failed_decisions.lock().unwrap(),
        failed,
        "recovered: no more failures"
    );
    assert!(issued.lock().unwrap().len() >= issued_before + 8);

    // Every consent cookie that left has its record.
    let ids: Vec<String> = records_after(url, 0)
        .into_iter()
        .map(|r| r.consent_id)
        .collect();
    for value in issued.lock().unwrap().iter() {
        let id = Consent::decode(
            value.as_bytes(),
            charter().revision(),
            charte::consent::now(),
        )
        .id()
        .unwrap()
        .to_string();
        assert!(
            ids.contains(&id),
            "a consent cookie left without its record: {value}"
        );
    }
    assert_eq!(
        ids.len(),
        issued.lock().unwrap().len(),
        "no record without its cookie"
    );
    assert_eq!(Store::open(url).unwrap().verify().unwrap().broken, None);
}

fn chattr(paths: &[PathBuf], flag: &str) -> bool {
    paths.iter().all(|p| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(p)
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn axum_sqlite_made_read_only_mid_run_sends_no_consent_without_proof_and_recovers() {
    let dir = TempDir::new("outage-sqlite");
    let url = dir.sqlite();
    let file = dir.0.join("proof.sqlite");
    let files = vec![
        file.clone(),
        PathBuf::from(format!("{}-wal", file.display())),
    ];
    if !chattr(&files[..1], "+i") || !chattr(&files[..1], "-i") {
        eprintln!("\n*** SKIPPED: chattr +i is not available here (read-only SQLite) ***\n");
        return;
    }
    let (on, off) = (files.clone(), files);
    store_outage(
        Framework::Axum,
        &url,
        move || assert!(chattr(&on, "+i")),
        move || assert!(chattr(&off, "-i")),
    );
}

#[test]
fn actix_postgres_stopped_mid_run_sends_no_consent_without_proof_and_recovers() {
    let Some(cluster) = Cluster::start("actix_postgres_stopped_mid_run") else {
        return;
    };
    let url = cluster.database();
    let (a, b) = (Arc::clone(&cluster), Arc::clone(&cluster));
    store_outage(Framework::Actix, &url, move || a.stop(), move || b.resume());
}
