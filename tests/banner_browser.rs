//! The consent banner and its endpoint in headless Chromium, through the demo portal
//! (`examples/portal/app.rs`): a forged form from another origin leaves no consent in
//! the browser's own cookie store (`Storage.getCookies`), the banner works with the
//! keyboard alone, its two buttons have the same rendered size and style, and axe-core
//! finds no accessibility violation in it.
//!
//! The browser is `charte_audit::browser`'s (skipped loudly without one, unless
//! `CHARTE_REQUIRE_BROWSER=1`). axe-core is the npm package pinned in
//! `tests/browser/package-lock.json`: `cd tests/browser && npm ci` (`.ci/run` does).

#[path = "../examples/portal/app.rs"]
mod app;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use charte_audit::browser::{self, Browser, Page};
use serde_json::{json, Value};

/// How long any page or element may take to show up.
const WAIT: Duration = Duration::from_secs(15);

/// The attack of issue 17, as a browser runs it: a page on another origin
/// auto-submits « Tout accepter » to the portal. Between two ports of 127.0.0.1 the post
/// is `Sec-Fetch-Site: same-site`; from `localhost` it is `cross-site`.
#[test]
fn a_form_auto_submitted_from_another_origin_leaves_no_consent_in_the_browser() {
    let Some(browser) = Browser::for_test("banner: forged form from another origin") else {
        return;
    };
    let portal = serve(app::router());
    for (attacker_host, fetch_site) in [("127.0.0.1", "same-site"), ("localhost", "cross-site")] {
        let attacker = serve(attacker_site(portal));
        let page = browser.new_page().expect("a tab");
        let url = format!("http://{attacker_host}:{}/", attacker.port());
        page.navigate(&url).expect("the attacker's page loads");
        // The form submits itself: wait for the portal's answer to it (or for wherever
        // the portal sends the browser).
        let (at, body) = wait_until(&page, "the forged post's answer", |page| {
            let state = page.evaluate(
                "[location.host, location.pathname, document.readyState, \
                 document.body ? document.body.innerText : '']",
            );
            match state {
                Ok(Value::Array(s)) if s[0] == json!(portal.to_string()) && s[2] == "complete" => {
                    let text = |i: usize| s[i].as_str().unwrap_or_default().to_owned();
                    Ok((text(1), text(3)))
                }
                Ok(state) => Err(format!("at {state}")),
                Err(e) => Err(e.to_string()),
            }
        });
        assert!(
            at == "/consent"
                && body.contains("n'a pas été enregistré")
                && body.contains(&format!("Sec-Fetch-Site is {fetch_site:?}")),
            "from {attacker_host}: the portal did not refuse the forged post: at {at}: {body:?}"
        );
        let cookies = browser.cookies().expect("the cookie store");
        assert!(
            !cookies.iter().any(|c| c.name == "cookies_preferences"),
            "from {attacker_host}: a forged consent is in the browser: {cookies:?}"
        );
    }
    // The same browser does store a decision the visitor makes on the portal itself
    // (the store read above can see it).
    let page = browser.new_page().expect("a tab");
    visit(&page, portal, "/");
    click(&page, "#refuse-all", "/");
    let cookies = browser.cookies().expect("the cookie store");
    let consent = cookies
        .iter()
        .find(|c| c.name == "cookies_preferences")
        .unwrap_or_else(|| panic!("« Tout refuser » stored no consent: {cookies:?}"));
    assert!(is_refusal(&consent.value), "{consent:?}");
}

/// Tab reaches « Tout accepter » then « Tout refuser »; Enter on the latter decides.
#[test]
fn the_banner_works_with_the_keyboard_alone() {
    let Some(browser) = Browser::for_test("banner: keyboard") else {
        return;
    };
    let portal = serve(app::router());
    let page = browser.new_page().expect("a tab");
    page.call(
        "Emulation.setFocusEmulationEnabled",
        json!({ "enabled": true }),
    )
    .expect("focus emulation");
    visit(&page, portal, "/statistiques");
    let mut reached = Vec::new();
    for _ in 0..30 {
        press(&page, "Tab", 9, None);
        let focused = page
            .evaluate("document.activeElement ? document.activeElement.id : ''")
            .expect("the focused element");
        let focused = focused.as_str().unwrap_or_default().to_owned();
        if !focused.is_empty() {
            reached.push(focused.clone());
        }
        if focused == "refuse-all" {
            break;
        }
    }
    let accept = reached.iter().position(|id| id == "accept-all");
    let refuse = reached.iter().position(|id| id == "refuse-all");
    assert!(
        matches!((accept, refuse), (Some(a), Some(r)) if a < r),
        "Tab did not reach « Tout accepter » then « Tout refuser »: {reached:?}"
    );
    mark_document(&page);
    press(&page, "Enter", 13, Some("\r"));
    wait_for_page(&page, "/statistiques", "pressing Enter on « Tout refuser »");
    let cookies = browser.cookies().expect("the cookie store");
    let consent = cookies.iter().find(|c| c.name == "cookies_preferences");
    assert!(
        consent.is_some_and(|c| is_refusal(&c.value)),
        "Enter on « Tout refuser » recorded no refusal: {cookies:?}"
    );
    assert!(
        page.evaluate("document.querySelector('#consent-banner') === null")
            .expect("the banner's absence")
            == json!(true),
        "the banner is still shown after deciding"
    );
}

/// « Gérer mes cookies » is on every page of the demo, the charter page included, and
/// reopens the banner there; the decision goes back to that page.
#[test]
fn the_banner_reopens_from_every_page() {
    let Some(browser) = Browser::for_test("banner: reopen") else {
        return;
    };
    let portal = serve(app::router());
    let page = browser.new_page().expect("a tab");
    visit(&page, portal, "/connexion");
    click(&page, "#accept-all", "/connexion");
    for path in [
        "/",
        "/statistiques",
        "/preferences",
        "/connexion",
        "/traceur",
        "/charte-cookies",
    ] {
        visit(&page, portal, path);
        assert_eq!(
            page.evaluate("document.querySelector('#consent-banner') === null")
                .expect("the banner's absence"),
            json!(true),
            "{path}: the banner shows after a decision"
        );
        click(&page, "#manage-cookies", &format!("{path}?cookies=manage"));
        assert_eq!(
            page.evaluate("document.querySelector('#accept-all') !== null")
                .expect("the banner"),
            json!(true),
            "{path}: « Gérer mes cookies » did not reopen the banner"
        );
    }
    click(&page, "#refuse-all", "/charte-cookies");
    let cookies = browser.cookies().expect("the cookie store");
    let consent = cookies.iter().find(|c| c.name == "cookies_preferences");
    assert!(
        consent.is_some_and(|c| is_refusal(&c.value)),
        "« Tout refuser » on the reopened banner did not withdraw: {cookies:?}"
    );
}

/// « Tout accepter » and « Tout refuser »: the same box and the same look, at a desktop
/// and a phone width.
#[test]
fn both_buttons_have_the_same_rendered_size_and_style() {
    let Some(browser) = Browser::for_test("banner: same size") else {
        return;
    };
    let portal = serve(app::router());
    let page = browser.new_page().expect("a tab");
    for (width, height) in [(1280, 800), (360, 740)] {
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500 }),
        )
        .expect("the viewport");
        visit(&page, portal, "/");
        let measure = "['#accept-all', '#refuse-all'].map(selector => {
            const button = document.querySelector(selector);
            const box = button.getBoundingClientRect();
            const style = getComputedStyle(button);
            return {
                width: box.width, height: box.height,
                style: ['font-size', 'font-weight', 'font-family', 'color', 'background-color',
                        'border-top-width', 'border-top-color', 'padding-top', 'padding-left']
                    .map(p => style.getPropertyValue(p)).join(' | '),
            };
        })";
        let buttons = page.evaluate(measure).expect("the buttons' boxes");
        let (accept, refuse) = (&buttons[0], &buttons[1]);
        let size = |b: &Value| (b["width"].as_f64().unwrap(), b["height"].as_f64().unwrap());
        let ((aw, ah), (rw, rh)) = (size(accept), size(refuse));
        assert!(
            aw > 40.0 && ah > 20.0,
            "at {width}px the buttons are not displayed: {buttons}"
        );
        assert!(
            (aw - rw).abs() < 0.5 && (ah - rh).abs() < 0.5,
            "at {width}px « Tout accepter » is {aw}×{ah}, « Tout refuser » {rw}×{rh}"
        );
        assert_eq!(
            accept["style"], refuse["style"],
            "at {width}px the two buttons look different"
        );
    }
}

/// axe-core (WCAG 2.x A and AA rules, and its best practices) on the banner, in French
/// (the portal) and English.
#[test]
fn axe_core_finds_no_violation_in_the_banner() {
    let axe_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    let axe = match std::fs::read_to_string(&axe_path) {
        Ok(axe) => axe,
        Err(e) if !browser::browser_required() => {
            eprintln!(
                "\n!!!!!!!! SKIPPED axe-core on the banner: {axe_path:?}: {e}.\n!!!!!!!! Run \
                 `npm ci` in tests/browser (.ci/run does; with CHARTE_REQUIRE_BROWSER=1 this fails).\n"
            );
            return;
        }
        Err(e) => panic!("{axe_path:?}: {e}: run `npm ci` in tests/browser"),
    };
    let Some(browser) = Browser::for_test("banner: axe-core") else {
        return;
    };
    let portal = serve(app::router());
    let english = serve(english_page());
    for (site, lang) in [(portal, "fr"), (english, "en")] {
        let page = browser.new_page().expect("a tab");
        visit(&page, site, "/");
        page.evaluate(&axe).expect("axe-core loads");
        let results = page
            .evaluate(
                "axe.run('#consent-banner', { resultTypes: ['violations'] }).then(r => ({
                    violations: r.violations.map(v => ({
                        id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.html),
                    })),
                    passes: r.passes.map(p => p.id),
                    version: axe.version,
                }))",
            )
            .expect("axe.run");
        assert_eq!(
            results["violations"],
            json!([]),
            "axe-core {} finds violations in the {lang} banner",
            results["version"]
        );
        // It did look at the banner: these rules apply to it and passed.
        let passes = results["passes"].as_array().expect("passes");
        for rule in ["aria-dialog-name", "button-name", "color-contrast", "label"] {
            assert!(
                passes.contains(&json!(rule)),
                "axe-core did not check {rule} on the {lang} banner: {passes:?}"
            );
        }
    }
}

/// Whether a consent cookie's value records « Tout refuser » (read as the layer reads it).
fn is_refusal(value: &str) -> bool {
    let pair = format!("cookies_preferences={value}");
    let consent = app::portal::CHARTER.consent_in([pair.as_bytes()], charte::consent::now());
    consent.is_recorded()
        && !charte::Category::CONSENTABLE
            .into_iter()
            .any(|category| consent.is_granted(category))
}

/// A page of another origin whose form posts « Tout accepter » to the portal, on load.
fn attacker_site(portal: SocketAddr) -> axum::Router {
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Win a prize</title>\
         </head><body><form method=\"post\" action=\"http://{portal}/consent\">\
         <input type=\"hidden\" name=\"choice\" value=\"all\">\
         <input type=\"hidden\" name=\"return_to\" value=\"/\"></form>\
         <script>document.forms[0].submit()</script></body></html>"
    );
    axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    )
}

/// A page with the portal's banner in English, and the consent endpoint.
fn english_page() -> axum::Router {
    async fn page() -> axum::response::Html<String> {
        let banner = app::portal::CHARTER
            .banner(&charte::Consent::NONE, charte::Lang::En)
            .page("/");
        axum::response::Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Banner</title></head><body>{banner}<main><h1>Home</h1></main></body></html>"
        ))
    }
    axum::Router::new()
        .route("/", axum::routing::get(page))
        .merge(app::portal::CHARTER.consent_routes())
        .layer(app::portal::CHARTER.layer())
}

/// Serves `router` on a free port of 127.0.0.1, in a thread of its own.
fn serve(router: axum::Router) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("its address");
    listener.set_nonblocking(true).expect("non-blocking");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("the listener");
            axum::serve(listener, router).await.expect("serving");
        });
    });
    address
}

fn visit(page: &Page, site: SocketAddr, path: &str) {
    page.navigate(&format!("http://{site}{path}"))
        .unwrap_or_else(|e| panic!("visiting {path}: {e}"));
    wait_for_page(page, path, &format!("visiting {path}"));
}

/// A real mouse click at the centre of the element (of its first line), then waits for
/// `then_at`.
fn click(page: &Page, selector: &str, then_at: &str) {
    let centre = page
        .evaluate(&format!(
            "(() => {{ const e = document.querySelector({}); e.scrollIntoView({{block: 'center'}});
                // A link wrapped over two lines: the centre of its first line's box.
                const b = Array.from(e.getClientRects()).find(r => r.width > 0 && r.height > 0);
                return [b.left + b.width / 2, b.top + b.height / 2]; }})()",
            json!(selector)
        ))
        .unwrap_or_else(|e| panic!("locating {selector}: {e}"));
    mark_document(page);
    page.click_at(centre[0].as_f64().unwrap(), centre[1].as_f64().unwrap())
        .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
    wait_for_page(page, then_at, &format!("clicking {selector}"));
}

/// Presses and releases a key.
fn press(page: &Page, key: &str, code: u32, text: Option<&str>) {
    let mut down =
        json!({ "type": "keyDown", "key": key, "code": key, "windowsVirtualKeyCode": code });
    if let Some(text) = text {
        down["text"] = json!(text);
    }
    page.call("Input.dispatchKeyEvent", down)
        .unwrap_or_else(|e| panic!("pressing {key}: {e}"));
    let up = json!({ "type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": code });
    page.call("Input.dispatchKeyEvent", up)
        .unwrap_or_else(|e| panic!("releasing {key}: {e}"));
}

/// Tags the current document, so that a new one (even at the same URL) is told apart.
fn mark_document(page: &Page) {
    page.evaluate("window.__charteOld = true")
        .expect("tagging the document");
}

/// Waits until a new, fully loaded document is at `path_and_query`.
fn wait_for_page(page: &Page, path_and_query: &str, doing: &str) {
    let probe = "[document.readyState, location.pathname + location.search, \
                 window.__charteOld === true]";
    let wanted = json!(["complete", path_and_query, false]);
    wait_until(page, doing, |page| match page.evaluate(probe) {
        Ok(state) if state == wanted => Ok(()),
        Ok(state) => Err(format!("[readyState, location, old page] = {state}")),
        Err(e) => Err(e.to_string()),
    });
}

/// Polls `check` until it gives a value, for at most [`WAIT`].
fn wait_until<T>(page: &Page, what: &str, mut check: impl FnMut(&Page) -> Result<T, String>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        match check(page) {
            Ok(value) => return value,
            Err(why) => assert!(
                Instant::now() < deadline,
                "waited {WAIT:?} for {what}: {why}"
            ),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
