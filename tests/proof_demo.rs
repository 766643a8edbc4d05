//! The demo portal keeps the proof of its visitors' decisions: a decision posted to its
//! consent endpoint (over real HTTP) is shown back on `/charte-cookies` with its consent
//! id and date, and `charte proof export` (the real binary) lists it.
//!
//! The `charte` binary is the one `cargo test --workspace` builds next to this test.

#[path = "../examples/portal/app.rs"]
mod app;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use charte::Consent;

/// The `charte` binary of this build (`target/<profile>/charte`, beside `deps/`).
fn charte_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let binary = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("charte"))
        .unwrap();
    assert!(
        binary.exists(),
        "{} is missing: build it with `cargo build -p charte-cli` (cargo test --workspace does)",
        binary.display()
    );
    binary
}

#[test]
fn the_demos_decisions_are_in_charte_proof_export() {
    let dir = std::env::temp_dir().join(format!("charte-proof-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("charte-proof.sqlite").display());
    let log = charte_core::proof::ProofLog::open(&url).unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app::router_with(Some(log)))
                    .await
                    .unwrap();
            });
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (value, page) = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        // « Personnaliser »: statistics only, from the statistics page.
        let answer = client
            .post(format!("http://{address}/consent"))
            .header("origin", format!("http://{address}"))
            .header("sec-fetch-site", "same-origin")
            .header("referer", format!("http://{address}/statistiques"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("choice=custom&statistics=on&return_to=%2Fstatistiques")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 303);
        let line = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|l| l.starts_with("cookies_preferences="))
            .expect("the consent cookie");
        let value = line
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string();
        let page = client
            .get(format!("http://{address}/charte-cookies"))
            .header("cookie", format!("cookies_preferences={value}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (value, page)
    });
    let consent = Consent::decode(
        value.as_bytes(),
        app::portal::CHARTER.revision(),
        charte::consent::now(),
    );
    let id = consent.id().expect("a decision of format 2").to_string();
    assert!(
        page.contains(&format!(
            "Votre identifiant de consentement : <code>{id}</code>"
        )),
        "{page}"
    );
    assert!(page.contains("(décision du "), "{page}");

    let export = Command::new(charte_binary())
        .args(["proof", "export", &url])
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let records: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record["consent_id"], id.as_str());
    assert_eq!(record["statistics"], "granted");
    assert_eq!(record["first_party"], "refused");
    assert_eq!(record["action"], "partial");
    assert_eq!(record["route"], "/statistiques");
    assert_eq!(record["revision"], app::portal::CHARTER.revision());

    let verify = Command::new(charte_binary())
        .args(["proof", "verify", &url])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
