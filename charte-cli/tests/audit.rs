//! `charte audit`, run as users run it: exit status 0 / 1 / 2, the table or plain
//! lines, `--json` and `--html` files, a HAR capture, and bad input.

#[path = "../../charte-audit/tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

fn charte(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_charte"));
    command.arg("audit").args(args).env("NO_COLOR", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run charte")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("charte-cli-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A HAR of one page whose response sets `cookies`, its request carrying `sent`.
fn har(cookies: &[&str], sent: &str) -> String {
    let headers: Vec<_> = cookies
        .iter()
        .map(|line| serde_json::json!({ "name": "Set-Cookie", "value": line }))
        .collect();
    serde_json::json!({ "log": { "version": "1.2", "entries": [{
        "startedDateTime": "2026-11-29T12:00:00.000Z",
        "request": { "method": "GET", "url": "http://127.0.0.1:8000/",
                     "headers": [{ "name": "Cookie", "value": sent }] },
        "response": { "status": 200, "headers": headers }
    }]}})
    .to_string()
}

#[test]
fn a_har_with_findings_exits_1_and_writes_json_and_html() {
    let charter = support::charter_file();
    let capture = scratch("findings.har");
    std::fs::write(
        &capture,
        har(
            &[
                "_ga=GA1.2; Max-Age=63072000",
                "lang=fr; Max-Age=60",
                "_pk_ref=x",
            ],
            "",
        ),
    )
    .unwrap();
    let (json, html) = (scratch("findings.json"), scratch("findings.html"));
    let output = charte(
        &[
            &charter,
            "--har",
            capture.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    // Not a terminal: tab-separated lines.
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(
            "undeclared\t_ga\tnone\tset-cookie\thttp://127.0.0.1:8000/\tnot in the charter\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("without-consent\t_pk_ref\tnone\tset-cookie\t"),
        "{stdout}"
    );
    assert!(!stdout.contains("\tlang\t"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["findings"][0]["kind"], "undeclared");
    assert_eq!(report["findings"][0]["cookie"], "_ga");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("<code>_ga</code>"),
        "{page}"
    );
}

#[test]
fn a_lawful_har_exits_0() {
    let charter = support::charter_file();
    let capture = scratch("lawful.har");
    std::fs::write(
        &capture,
        har(
            &["lang=fr; Max-Age=60", "session=1; Path=/; HttpOnly"],
            "lang=fr",
        ),
    )
    .unwrap();
    let output = charte(&[&charter, "--har", capture.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // Declared cookies not in the capture are only listed.
    assert!(text(&output.stdout).contains("unused\tnewsletter\t-\t-\t-\t"));
}

#[test]
fn bad_input_exits_2_with_a_clear_error() {
    let charter = support::charter_file();
    let malformed = scratch("malformed.har");
    std::fs::write(&malformed, "{\"log\": 3}").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &[&charter, "--har", malformed.to_str().unwrap()],
            "not a HAR file: no log.entries",
        ),
        (
            &[&charter, "--har", "/nowhere.har"],
            "cannot read /nowhere.har",
        ),
        (&[&charter], "<URLS>"),
        (&["/nowhere.toml", "http://127.0.0.1:1/"], "nothing audited"),
    ];
    for (args, says) in cases {
        let output = charte(args, &[]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // No browser: said so, exit 2.
    let output = charte(
        &[&charter, "http://127.0.0.1:1/"],
        &[("CHARTE_CHROMIUM", "/nowhere/chromium")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("CHARTE_CHROMIUM=/nowhere/chromium"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_live_audit_of_the_fixture_exits_1_and_an_unreachable_site_2() {
    let charter = support::charter_file();
    if charte_audit_browser_missing("a_live_audit_of_the_fixture_exits_1") {
        return;
    }
    let site = support::serve();
    let json = scratch("live.json");
    let output = charte(
        &[
            &charter,
            &format!("{}/", site.base),
            "--max-pages",
            "3",
            "--json",
            json.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("too-long\tcart\tnone\tset-cookie\t"),
        "{stdout}"
    );
    let stderr = text(&output.stderr);
    // 3 pages in each of 4 states, and the reload after the withdrawal.
    assert!(stderr.contains("13 pages visited"), "{stderr}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let output = charte(&[&charter, &format!("http://{closed}/")], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("ERR_CONNECTION_REFUSED"),
        "{}",
        text(&output.stderr)
    );
}

/// Whether the browser tests must skip (said loudly; a failure on CI).
fn charte_audit_browser_missing(test: &str) -> bool {
    charte_audit::browser::Browser::for_test(test).is_none()
}
