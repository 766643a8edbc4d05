//! The shared browser module against a real Chromium and a real local server: what the
//! audit and the other browser tests rely on.

use std::process::Command;
use std::time::{Duration, Instant};

use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use charte_audit::browser::{Browser, Error, NewCookie};
use serde_json::json;

/// Serves `router` on a free local port in a thread of its own; returns its base URL.
fn serve(router: Router) -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a port");
            sender
                .send(listener.local_addr().expect("an address"))
                .expect("sent");
            axum::serve(listener, router).await.expect("serving");
        });
    });
    let address = receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("the server did not start");
    format!("http://{address}")
}

fn site() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                (
                    [("set-cookie", "served=1; Max-Age=60; Path=/")],
                    Html(
                        "<title>home</title><script>document.cookie = 'written=2; path=/'</script>",
                    ),
                )
            }),
        )
        .route(
            "/moved",
            get(|| async {
                ([("set-cookie", "redirected=3; Path=/")], Redirect::to("/")).into_response()
            }),
        )
        .route(
            "/never",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                "too late"
            }),
        )
}

#[test]
fn navigates_evaluates_and_reads_the_cookie_store() {
    let Some(browser) = Browser::for_test("navigates_evaluates_and_reads_the_cookie_store") else {
        return;
    };
    let base = serve(site());
    let page = browser.new_page().expect("a tab");
    let responses = page.subscribe(&["Network.responseReceivedExtraInfo"]);
    page.call("Network.enable", json!({}))
        .expect("Network.enable");
    page.navigate(&format!("{base}/moved")).expect("loaded");
    assert_eq!(page.evaluate("document.title").unwrap(), json!("home"));

    // Both responses of the redirect chain carry their Set-Cookie line.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut lines = Vec::new();
    while lines.len() < 2 && Instant::now() < deadline {
        if let Ok(event) = responses.recv_timeout(Duration::from_millis(100)) {
            let headers = &event.params["headers"];
            if let Some(line) = headers.get("set-cookie").or(headers.get("Set-Cookie")) {
                lines.push(line.as_str().unwrap_or_default().to_owned());
            }
        }
    }
    lines.sort();
    assert_eq!(
        lines,
        ["redirected=3; Path=/", "served=1; Max-Age=60; Path=/"]
    );

    let mut names: Vec<_> = browser
        .cookies()
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    assert_eq!(names, ["redirected", "served", "written"]);
    let served = browser
        .cookies()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "served")
        .unwrap();
    assert!(
        served.expires.is_some(),
        "Max-Age=60 is not a session cookie"
    );
    let redirected = browser
        .cookies()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "redirected");
    assert_eq!(
        redirected.unwrap().expires,
        None,
        "no Max-Age: a session cookie"
    );
}

#[test]
fn contexts_have_their_own_cookie_stores_and_scripts_run_first() {
    let Some(browser) = Browser::for_test("contexts_have_their_own_cookie_stores") else {
        return;
    };
    let base = serve(site());
    let context = browser.new_context().expect("a context");
    context
        .set_cookie(&NewCookie {
            name: "choice",
            value: "yes",
            url: &base,
            expires: None,
        })
        .expect("set");
    let page = context.new_page().expect("a tab");
    page.add_script_on_new_document("window.__early = document.cookie")
        .expect("script");
    page.navigate(&base).expect("loaded");
    // The script ran before the page's own one wrote `written`.
    assert_eq!(
        page.evaluate("window.__early").unwrap(),
        json!("choice=yes; served=1")
    );
    let names: Vec<_> = context
        .cookies()
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(names.contains(&"choice".to_owned()) && names.contains(&"written".to_owned()));
    assert!(
        browser.cookies().unwrap().is_empty(),
        "the default store saw the context's cookies"
    );
}

#[test]
fn bad_pages_give_errors_within_their_limits() {
    let Some(browser) = Browser::for_test("bad_pages_give_errors_within_their_limits") else {
        return;
    };
    let base = serve(site());
    let page = browser.new_page().expect("a tab");

    // A port that was free a moment ago: the navigation fails at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let error = page.navigate(&format!("http://{closed}/")).unwrap_err();
    assert!(matches!(error, Error::Protocol(_)), "{error}");
    assert!(
        error.to_string().contains("ERR_CONNECTION_REFUSED"),
        "{error}"
    );

    let started = Instant::now();
    let error = page
        .navigate_within(&format!("{base}/never"), Duration::from_secs(2))
        .unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // The tab is still usable afterwards.
    page.navigate(&base).expect("loaded after a timeout");

    let error = page
        .evaluate("(() => { throw new Error('boom') })()")
        .unwrap_err();
    assert!(error.to_string().contains("boom"), "{error}");
}

/// Run by `a_missing_browser_skips_unless_required` in a child process with a browser
/// that cannot be found.
#[test]
#[ignore = "run by a_missing_browser_skips_unless_required"]
fn probe_for_test_without_a_browser() {
    assert!(Browser::for_test("probe").is_none());
}

#[test]
fn a_missing_browser_skips_unless_required() {
    let run = |require: &str| {
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "probe_for_test_without_a_browser",
                "--ignored",
                "--nocapture",
            ])
            .env("CHARTE_CHROMIUM", "/nowhere/chromium")
            .env("CHARTE_REQUIRE_BROWSER", require)
            .output()
            .unwrap()
    };
    let skipped = run("0");
    let stderr = String::from_utf8_lossy(&skipped.stderr);
    assert!(skipped.status.success(), "{stderr}");
    assert!(
        stderr.contains("SKIPPED probe: CHARTE_CHROMIUM=/nowhere/chromium"),
        "{stderr}"
    );

    let required = run("1");
    let stderr = String::from_utf8_lossy(&required.stderr);
    assert!(
        !required.status.success(),
        "a required browser was missing and the test passed"
    );
    assert!(
        stderr.contains("probe: CHARTE_CHROMIUM=/nowhere/chromium"),
        "{stderr}"
    );
}

#[test]
fn a_page_whose_subresource_never_ends_times_out_and_the_tab_recovers() {
    let Some(browser) = Browser::for_test("a_page_whose_subresource_never_ends") else {
        return;
    };
    let base = serve(site().route(
        "/hangs",
        get(|| async { Html("<img src='/never'><p>waiting</p>") }),
    ));
    let page = browser.new_page().expect("a tab");
    let error = page
        .navigate_within(&format!("{base}/hangs"), Duration::from_secs(2))
        .unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error}");
    page.navigate(&base).expect("loaded after a timeout");
    assert_eq!(page.evaluate("document.title").unwrap(), json!("home"));
}
