//! `charte audit` against the tests' own fixture site (tests/support): every planted
//! cookie found with the right kind, state and source; no lawful cookie reported; the
//! same findings from a HAR the browser recorded; bad input gives errors, not hangs.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use charte_audit::audit::{self, Error, Kind, Options, Report, Selectors};
use charte_audit::browser::Browser;
use serde_json::{json, Value};

type Key = (String, String, String, String);

/// `(kind, cookie, state, source)` of every finding but `unused`.
fn keys(report: &Report) -> BTreeSet<Key> {
    report
        .findings
        .iter()
        .filter(|f| f.kind != Kind::Unused)
        .map(|f| {
            (
                f.kind.to_string(),
                f.cookie.clone(),
                f.state.map(|s| s.to_string()).unwrap_or_default(),
                f.source.map(|s| s.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

/// The findings each planted cookie must give: `(kind, cookie, source, states)`.
const PLANTED: &[(&str, &str, &str, &[&str])] = &[
    // A script's tracker, written on /tracker (not revisited after the withdrawal).
    (
        "undeclared",
        "_fbp",
        "script",
        &["none", "refuse", "accept"],
    ),
    (
        "undeclared",
        "_fbp",
        "store",
        &["none", "refuse", "accept", "withdraw"],
    ),
    // A sub-resource of the home page.
    (
        "undeclared",
        "pixel",
        "set-cookie",
        &["none", "refuse", "accept", "withdraw"],
    ),
    (
        "undeclared",
        "pixel",
        "store",
        &["none", "refuse", "accept", "withdraw"],
    ),
    // A redirect (/go).
    (
        "undeclared",
        "ref",
        "set-cookie",
        &["none", "refuse", "accept"],
    ),
    (
        "undeclared",
        "ref",
        "store",
        &["none", "refuse", "accept", "withdraw"],
    ),
    // Statistics set whatever the consent.
    (
        "without-consent",
        "_pk_ref",
        "set-cookie",
        &["none", "refuse"],
    ),
    ("without-consent", "_pk_ref", "store", &["none", "refuse"]),
    // A frame of another site, on another port (the browser then refuses it: not stored).
    ("without-consent", "ads", "set-cookie", &["none", "refuse"]),
    // Statistics written by a script through cookieStore.
    ("without-consent", "visit", "script", &["none", "refuse"]),
    ("without-consent", "visit", "store", &["none", "refuse"]),
    // Kept after the withdrawal: prefs is never cleared, nor are _pk_ref and visit.
    ("after-withdrawal", "_pk_ref", "store", &["withdraw"]),
    ("after-withdrawal", "prefs", "store", &["withdraw"]),
    ("after-withdrawal", "visit", "store", &["withdraw"]),
    // Declared a session cookie, set for an hour.
    (
        "too-long",
        "cart",
        "set-cookie",
        &["none", "refuse", "accept", "withdraw"],
    ),
    (
        "too-long",
        "cart",
        "store",
        &["none", "refuse", "accept", "withdraw"],
    ),
    // Declared 6 months, set for two years (kept 400 days by the browser).
    ("too-long", "theme", "set-cookie", &["accept"]),
    ("too-long", "theme", "store", &["accept"]),
    // __Host- without Secure (refused by the browser: not stored).
    (
        "attributes",
        "__Host-token",
        "set-cookie",
        &["none", "refuse", "accept"],
    ),
    // Declared http_only, set without.
    (
        "attributes",
        "sid",
        "set-cookie",
        &["none", "refuse", "accept", "withdraw"],
    ),
    (
        "attributes",
        "sid",
        "store",
        &["none", "refuse", "accept", "withdraw"],
    ),
];

fn expected() -> BTreeSet<Key> {
    PLANTED
        .iter()
        .flat_map(|(kind, cookie, source, states)| {
            states.iter().map(move |state| {
                (
                    kind.to_string(),
                    cookie.to_string(),
                    state.to_string(),
                    source.to_string(),
                )
            })
        })
        .collect()
}

/// Whether a browser can run here (else the test says it skipped, or fails on CI).
fn browser_available(test: &str) -> bool {
    Browser::for_test(test).is_some()
}

#[test]
fn every_planted_cookie_is_found_and_no_lawful_one() {
    if !browser_available("every_planted_cookie_is_found_and_no_lawful_one") {
        return;
    }
    let site = support::serve();
    let start = [format!("{}/", site.base)];
    let started = Instant::now();
    let report =
        audit::run(&support::charter(), &start, &Options::default()).expect("the audit runs");
    let elapsed = started.elapsed();
    eprintln!("four states over the fixture's 20 pages: {elapsed:?}");
    eprint!("{}", audit::table(&report));

    assert_eq!(
        keys(&report),
        expected(),
        "findings other than the planted ones"
    );
    // No lawful cookie is reported, whatever the kind.
    for lawful in ["consent", "session", "lang", "audience", "_pk_id.1"] {
        assert!(
            report.findings.iter().all(|f| f.cookie != lawful),
            "the lawful `{lawful}` was reported"
        );
    }
    let unused: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Unused)
        .collect();
    assert_eq!(unused.len(), 1, "{unused:?}");
    assert_eq!(unused[0].cookie, "newsletter");
    assert!(report.fails());

    // Each source names where the cookie came from.
    let url_of = |kind: Kind, cookie: &str, source: &str| {
        report
            .findings
            .iter()
            .find(|f| {
                f.kind == kind && f.cookie == cookie && f.source.map(|s| s.as_str()) == Some(source)
            })
            .and_then(|f| f.url.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        url_of(Kind::Undeclared, "ref", "set-cookie"),
        format!("{}/go", site.base)
    );
    assert_eq!(
        url_of(Kind::Undeclared, "pixel", "set-cookie"),
        format!("{}/pixel.gif", site.base)
    );
    assert_eq!(
        url_of(Kind::WithoutConsent, "ads", "set-cookie"),
        format!("{}/widget", site.frame_base)
    );
    assert_eq!(
        url_of(Kind::Undeclared, "_fbp", "script"),
        format!("{}/tracker.js", site.base)
    );
    assert_eq!(
        url_of(Kind::WithoutConsent, "visit", "script"),
        format!("{}/tracker.js", site.base)
    );

    // Every state visited the whole site, breadth-first from the home page.
    for state in ["none", "refuse", "accept"] {
        let pages: Vec<_> = report
            .pages
            .iter()
            .filter(|p| p.state.as_str() == state)
            .collect();
        assert_eq!(pages.len(), 20, "{state}: {pages:#?}");
        assert!(pages.iter().all(|p| p.error.is_none()), "{pages:#?}");
        assert_eq!(pages[1].url, format!("{}/stats", site.base));
    }
    // Speed (issue 15): four states over 20 pages in at most 60 s on 2 cores.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");

    // The JSON has the SPEC's shape and the same bytes for the same site.
    let json = audit::json(&report);
    let document: Value = serde_json::from_str(&json).expect("JSON");
    assert!(document["findings"][0].is_object() && document["pages"][0]["url"].is_string());
    // The fields in the SPEC's order (serde_json's `Value` sorts them: read the text).
    let findings = &json[json.find("\"findings\"").unwrap()..];
    let places: Vec<usize> = ["kind", "cookie", "state", "source", "url", "detail"]
        .iter()
        .map(|field| findings.find(&format!("\"{field}\":")).unwrap())
        .collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "{findings}");
    assert_eq!(document["revision"], json!(support::charter().revision()));
    let again =
        audit::run(&support::charter(), &start, &Options::default()).expect("the audit runs");
    let (first_keys, again_keys) = (keys(&report), keys(&again));
    assert_eq!(
        first_keys
            .symmetric_difference(&again_keys)
            .collect::<Vec<_>>(),
        Vec::<&Key>::new(),
        "two audits of the same site found different things"
    );
    let again = audit::json(&again);
    let differ = json
        .lines()
        .zip(again.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b);
    assert!(
        differ.is_none() && json.len() == again.len(),
        "two audits of the same site differ, first at line {differ:?}"
    );

    // The HTML report stands alone: no external resource, every finding in it.
    let html = audit::html(&report);
    assert!(!html.contains("src=") && !html.contains("<link"), "{html}");
    assert!(html.contains("<td><code>__Host-token</code></td><td>attributes</td>"));
}

/// Records, through the browser, what a HAR export holds of a visit of `urls` with no
/// decision: each request's URL and `Cookie` header, each response's `Set-Cookie`
/// lines (from `Network.*ExtraInfo`, redirects included), one page per URL.
fn record_har(urls: &[String]) -> String {
    // As the audit launches it: frames of other sites in the tab's own process, so the
    // tab sees their responses.
    let flags = [
        "--disable-site-isolation-trials",
        "--disable-features=IsolateOrigins,site-per-process",
    ]
    .map(str::to_owned);
    let browser = Browser::launch_with(&flags).expect("a browser");
    let page = browser.new_page().expect("a tab");
    let events = page.subscribe(&[
        "Network.requestWillBeSent",
        "Network.requestWillBeSentExtraInfo",
        "Network.responseReceivedExtraInfo",
    ]);
    page.call("Network.enable", json!({})).unwrap();
    page.call("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
        .unwrap();
    // Per request id: its URLs (one per redirect hop), its Cookie header, how many
    // responses were seen; the responses, resolved to their URL at the end (the events
    // of a request do not always arrive in order, nor before the next page).
    let mut requests: HashMap<String, (Vec<String>, String, usize)> = HashMap::new();
    let mut responses: Vec<(String, usize, String, Value)> = Vec::new();
    let mut pages: Vec<Value> = Vec::new();
    let mut drain = |pageref: &str, quiet: Duration| {
        while let Ok(event) = events.recv_timeout(quiet) {
            let p = &event.params;
            let id = p["requestId"].as_str().unwrap_or_default().to_owned();
            match event.method.as_str() {
                "Network.requestWillBeSent" => {
                    let url = p["request"]["url"].as_str().unwrap_or_default().to_owned();
                    requests.entry(id).or_default().0.push(url);
                }
                "Network.requestWillBeSentExtraInfo" => {
                    let cookie = p["headers"].as_object().and_then(|h| {
                        h.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("cookie"))
                            .map(|(_, v)| v.clone())
                    });
                    if let Some(Value::String(cookie)) = cookie {
                        requests.entry(id).or_default().1 = cookie;
                    }
                }
                "Network.responseReceivedExtraInfo" => {
                    let request = requests.entry(id.clone()).or_default();
                    responses.push((id, request.2, pageref.to_owned(), p["headers"].clone()));
                    request.2 += 1;
                }
                _ => {}
            }
        }
    };
    for (n, url) in urls.iter().enumerate() {
        let pageref = format!("page_{n}");
        pages.push(
            json!({ "id": pageref, "title": url, "startedDateTime": "2026-11-29T12:00:00.000Z" }),
        );
        page.navigate(url).expect("loaded");
        drain(&pageref, Duration::from_millis(400));
    }
    drain("", Duration::from_millis(1000));
    let entries: Vec<Value> = responses
        .into_iter()
        .map(|(id, hop, pageref, headers)| {
            let (urls, cookie, _) = &requests[&id];
            let url = urls.get(hop).or(urls.last()).cloned().unwrap_or_default();
            let mut response_headers = Vec::new();
            for (name, value) in headers.as_object().into_iter().flatten() {
                for line in value.as_str().unwrap_or_default().split('\n') {
                    response_headers.push(json!({ "name": name, "value": line }));
                }
            }
            let request_headers = if cookie.is_empty() {
                json!([])
            } else {
                json!([{ "name": "Cookie", "value": cookie }])
            };
            json!({
                "pageref": pageref,
                "startedDateTime": "2026-11-29T12:00:00.000Z",
                "request": { "method": "GET", "url": url, "headers": request_headers, "cookies": [] },
                "response": { "status": 200, "headers": response_headers, "cookies": [] },
            })
        })
        .collect();
    json!({ "log": { "version": "1.2", "creator": { "name": "charte tests", "version": "1" },
                     "pages": pages, "entries": entries } })
    .to_string()
}

#[test]
fn a_har_recorded_in_the_browser_gives_the_live_runs_set_cookie_findings() {
    if !browser_available("a_har_recorded_in_the_browser_gives_the_live_runs_set_cookie_findings") {
        return;
    }
    let site = support::serve();
    let charter = support::charter();
    let live = audit::run(&charter, &[format!("{}/", site.base)], &Options::default())
        .expect("the audit runs");
    // The pages the live run visited with no decision, in its order.
    let urls: Vec<String> = live
        .pages
        .iter()
        .filter(|p| p.state.as_str() == "none")
        .map(|p| p.url.clone())
        .collect();
    let har = record_har(&urls);
    let captured = audit::run_har(&charter, &har).expect("a valid HAR");

    let set_cookie_none = |report: &Report| -> BTreeSet<(Key, Option<String>)> {
        report
            .findings
            .iter()
            .filter(|f| {
                f.source.map(|s| s.as_str()) == Some("set-cookie")
                    && f.state.map(|s| s.as_str()) == Some("none")
            })
            .map(|f| {
                let key = (
                    f.kind.to_string(),
                    f.cookie.clone(),
                    "none".to_owned(),
                    "set-cookie".to_owned(),
                );
                (key, f.url.clone())
            })
            .collect()
    };
    let from_live = set_cookie_none(&live);
    assert!(from_live.len() >= 6, "{from_live:#?}");
    assert_eq!(set_cookie_none(&captured), from_live);
    // Every request of the capture carried no decision: one state.
    assert!(captured
        .findings
        .iter()
        .all(|f| f.state.is_none() || f.state.map(|s| s.as_str()) == Some("none")));
}

#[test]
fn a_malformed_har_is_a_clear_error() {
    let charter = support::charter();
    for (har, says) in [
        ("{ not json", "not JSON"),
        ("{\"log\": {}}", "no log.entries"),
        ("{\"log\": {\"entries\": [{\"request\": {}}]}}", "log.entries[0] has no request.url"),
        (
            "{\"log\": {\"entries\": [{\"request\": {\"url\": \"http://a/\"}, \"startedDateTime\": \"yesterday\"}]}}",
            "log.entries[0] has no valid startedDateTime",
        ),
    ] {
        match audit::run_har(&charter, har) {
            Err(Error::Input(message)) => assert!(message.contains(says), "{message}"),
            other => panic!("{har}: {other:?}"),
        }
    }
}

#[test]
fn an_unreachable_site_is_an_error_and_bad_pages_are_reported_in_time() {
    if !browser_available("an_unreachable_site_is_an_error") {
        return;
    }
    let charter = support::charter();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    match audit::run(
        &charter,
        &[format!("http://{closed}/")],
        &Options::default(),
    ) {
        Err(Error::Input(message)) => {
            assert!(message.contains("ERR_CONNECTION_REFUSED"), "{message}")
        }
        other => panic!("an unreachable site gave {other:?}"),
    }
    match audit::run(
        &charter,
        &["ftp://example.org/".to_owned()],
        &Options::default(),
    ) {
        Err(Error::Input(message)) => {
            assert!(message.contains("not an absolute http"), "{message}")
        }
        other => panic!("{other:?}"),
    }

    // A page that never answers, linked from the start page; and a CSV start page.
    let site = support::serve();
    let options = Options {
        page_timeout: Duration::from_secs(2),
        ..Options::default()
    };
    let started = Instant::now();
    let report = audit::run(
        &charter,
        &[
            format!("{}/to-hang", site.base),
            format!("{}/data.csv", site.base),
        ],
        &options,
    )
    .expect("the audit runs");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let hang = format!("{}/hang", site.base);
    for state in ["none", "refuse", "accept", "withdraw"] {
        let page = report
            .pages
            .iter()
            .find(|p| p.url == hang && p.state.as_str() == state)
            .unwrap_or_else(|| panic!("{state}: /hang not visited: {:#?}", report.pages));
        let error = page.error.as_deref().unwrap_or_default();
        assert!(
            error.contains("did not finish loading within 2s"),
            "{error}"
        );
    }
    // The CSV's lawful cookie was seen (in the store), nothing is reported.
    assert!(!report.fails(), "{}", audit::table(&report));
    assert!(report.findings.iter().all(|f| f.cookie != "lang"));
}

#[test]
fn clicking_the_sites_banner_finds_the_same_as_writing_the_decision() {
    if !browser_available("clicking_the_sites_banner_finds_the_same") {
        return;
    }
    let site = support::serve();
    let options = Options {
        selectors: Selectors {
            accept: Some("#accept".to_owned()),
            refuse: Some("#refuse".to_owned()),
        },
        ..Options::default()
    };
    let report = audit::run(&support::charter(), &[format!("{}/", site.base)], &options)
        .expect("the audit runs");
    assert_eq!(keys(&report), expected(), "{}", audit::table(&report));

    // A selector that matches nothing is a clear error.
    let options = Options {
        selectors: Selectors {
            accept: Some("#nowhere".to_owned()),
            refuse: Some("#refuse".to_owned()),
        },
        ..Options::default()
    };
    match audit::run(&support::charter(), &[format!("{}/", site.base)], &options) {
        Err(Error::Input(message)) => assert!(message.contains("\"#nowhere\""), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_stored_cookie_names_the_page_it_first_showed_up_on() {
    if !browser_available("a_stored_cookie_names_the_page_it_first_showed_up_on") {
        return;
    }
    let site = support::serve();
    // Breadth-first from the home page: /, /stats, /prefs, /go, /frame, /tracker, /form,
    // /page/1. `_pk_ref` comes in /stats's `Set-Cookie` header, `_fbp` from
    // /tracker.js's `document.cookie`; neither page is the last one visited.
    let options = Options {
        max_pages: 8,
        ..Options::default()
    };
    let report = audit::run(&support::charter(), &[format!("{}/", site.base)], &options)
        .expect("the audit runs");
    let page = |path: &str| format!("{}{path}", site.base);
    let store_url = |kind: Kind, cookie: &str, state: &str| {
        let found: Vec<_> = report
            .findings
            .iter()
            .filter(|f| {
                f.kind == kind
                    && f.cookie == cookie
                    && f.state.map(|s| s.as_str()) == Some(state)
                    && f.source.map(|s| s.as_str()) == Some("store")
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{state} {cookie}: {}",
            audit::table(&report)
        );
        found[0].url.clone().unwrap_or_default()
    };
    for state in ["none", "refuse", "accept", "withdraw"] {
        let visited: Vec<_> = report
            .pages
            .iter()
            .filter(|p| p.state.as_str() == state)
            .map(|p| p.url.as_str())
            .collect();
        assert_ne!(visited.last(), Some(&page("/stats").as_str()));
        assert_ne!(visited.last(), Some(&page("/tracker").as_str()));
        assert_eq!(
            store_url(Kind::Undeclared, "_fbp", state),
            page("/tracker"),
            "{state}: {visited:?}"
        );
        // A sub-resource's cookie names the page that loaded it; a redirect's, the
        // page the audit went to.
        assert_eq!(store_url(Kind::Undeclared, "pixel", state), page("/"));
        assert_eq!(store_url(Kind::Undeclared, "ref", state), page("/go"));
    }
    for state in ["none", "refuse"] {
        assert_eq!(
            store_url(Kind::WithoutConsent, "_pk_ref", state),
            page("/stats"),
            "{state}"
        );
    }
    // After the withdrawal, still the page that first set it (in the accept phase).
    assert_eq!(
        store_url(Kind::AfterWithdrawal, "_pk_ref", "withdraw"),
        page("/stats")
    );
}
