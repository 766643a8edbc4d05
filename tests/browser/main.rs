//! End to end: the demo portal (`examples/portal/app.rs`) in headless Chromium.
//!
//! Each test serves the portal on a free local port, starts its own Chromium with a
//! fresh profile, clicks through the consent banner with real mouse events, and reads
//! the browser's own cookie store over the DevTools protocol. The browser is found and
//! launched by `charte_audit::browser` (as `charte audit` finds it): without one, each
//! test says loudly that it is skipped, unless `CHARTE_REQUIRE_BROWSER=1` (CI).
//!
//! Run with `cargo test --test browser`.

#[path = "../../examples/portal/app.rs"]
mod app;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use charte_audit::browser::{self, Page};
use serde_json::{json, Value};

/// How long any page, element or cookie may take to show up.
const WAIT: Duration = Duration::from_secs(15);

#[test]
fn consent_choices_are_enforced_in_the_browser() {
    let Some(mut browser) = Browser::launch("consent_choices_are_enforced_in_the_browser") else {
        return;
    };

    // 1. A first visit sets only the necessary cookies, and asks.
    browser.visit("/");
    assert!(
        browser.has("#consent-banner"),
        "no consent banner on a first visit"
    );
    let cookies = browser.cookies();
    cookies.assert_has(&["django_language"], "after a first visit");
    cookies.assert_lacks(
        &["_pk_id", "theme", "cookies_preferences"],
        "after a first visit",
    );
    // Nothing is refused before the visitor decides (issue 13): the page says so.
    let status = browser.eval("document.querySelector('#consent-status').textContent");
    assert!(
        status
            .as_str()
            .is_some_and(|s| s.contains("rien choisi") && !s.contains("refusée")),
        "before any decision the home page says {status}"
    );

    // 2. « Tout refuser » records the refusal and keeps it so.
    browser.click("#refuse-all", "/");
    assert!(
        !browser.has("#consent-banner"),
        "the banner stays after « Tout refuser »"
    );
    let cookies = browser.cookies();
    cookies.assert_has(
        &["django_language", "cookies_preferences"],
        "after « Tout refuser »",
    );
    cookies.assert_lacks(&["_pk_id", "theme"], "after « Tout refuser »");
    let status = browser.eval("document.querySelector('#consent-status').textContent");
    assert!(
        status
            .as_str()
            .is_some_and(|s| s.contains("Mesure d'audience : refusée")),
        "after « Tout refuser » the home page says {status}"
    );
    browser.visit("/statistiques");
    browser.visit("/preferences");
    browser.visit("/traceur");
    let cookies = browser.cookies();
    cookies.assert_lacks(
        &["_pk_id", "theme"],
        "after refusing, then visiting every page",
    );

    // 3. Reopen the banner, « Tout accepter »: the statistics page now sets `_pk_id`
    // (and the preferences page `theme`).
    // « Gérer mes cookies » reopens the banner on the page it is clicked on (the last
    // one visited), and the decision goes back there.
    browser.click("#manage-cookies", "/traceur?cookies=manage");
    browser.click("#accept-all", "/traceur");
    let before = browser.cookies();
    browser.visit("/statistiques");
    let after = browser.cookies();
    after.assert_has(&["_pk_id"], "after « Tout accepter » and /statistiques");
    assert_ne!(
        before.value("_pk_id"),
        after.value("_pk_id"),
        "/statistiques did not set a new `_pk_id` after « Tout accepter »"
    );
    browser.visit("/preferences");
    browser.cookies().assert_has(
        &["_pk_id", "theme"],
        "after « Tout accepter » and /preferences",
    );

    // 5. Even with every category accepted, the undeclared `_ga` never gets through
    // (`Browser::cookies` also checks that at every step, this one included).
    browser.visit("/traceur");
    browser
        .cookies()
        .assert_lacks(&["_ga"], "after /traceur with every category accepted");

    // 4. Withdrawing (reopen the banner, « Tout refuser ») removes the consented cookies
    // from the browser, and they stay away.
    browser.click("#manage-cookies", "/traceur?cookies=manage");
    browser.click("#refuse-all", "/traceur");
    let cookies = browser.cookies();
    cookies.assert_lacks(&["_pk_id", "theme"], "after withdrawing consent");
    cookies.assert_has(
        &["django_language", "cookies_preferences"],
        "after withdrawing consent",
    );
    browser.visit("/statistiques");
    browser.visit("/preferences");
    browser.visit("/traceur");
    browser.cookies().assert_lacks(
        &["_pk_id", "theme", "_ga"],
        "after withdrawing, then visiting every page",
    );
}

#[test]
fn per_category_choice_grants_only_what_is_ticked() {
    let Some(mut browser) = Browser::launch("per_category_choice_grants_only_what_is_ticked")
    else {
        return;
    };
    browser.visit("/");
    assert!(
        browser.has("#consent-banner"),
        "no consent banner on a first visit"
    );
    browser.tick("#consent-statistics");
    assert_eq!(
        browser.eval(&format!("{}.checked", element("#consent-first-party"))),
        json!(false),
        "the first-party box is ticked by default"
    );
    browser.click("#save-choices", "/");
    browser
        .cookies()
        .assert_has(&["cookies_preferences"], "after saving the choices");

    browser.visit("/statistiques");
    browser
        .cookies()
        .assert_has(&["_pk_id"], "after granting statistics, then /statistiques");
    browser.visit("/preferences");
    browser
        .cookies()
        .assert_lacks(&["theme"], "after refusing first-party, then /preferences");
}

/// 6. The charter page lists every cookie with its provider, service and purpose.
#[test]
fn charter_page_lists_every_cookie() {
    // Name, section, provider, service, purpose: as written in `examples/portal.toml`
    // and the charters it extends (`portals/roubaix.toml`, `portals/opendatasoft.toml`).
    let expected = [
        (
            "sessionid",
            "necessary",
            "Opendatasoft",
            "Authentification (front et back office)",
            "Se souvenir de l'utilisateur d'une page à une autre.",
        ),
        (
            "django_language",
            "necessary",
            "Opendatasoft",
            "Sélection de la langue (front et back office)",
            "Se souvenir de la langue du visiteur",
        ),
        (
            "csrftoken",
            "necessary",
            "Opendatasoft",
            "API (CSRF) (front et back office)",
            "Récupérer des données via des appels API",
        ),
        (
            "cookies_preferences",
            "necessary",
            "Opendatasoft",
            "Choix concernant vos préférences sur les cookies",
            "Permet de se souvenir du choix opéré par le visiteur concernant les cookies",
        ),
        (
            "_pk_id",
            "statistics",
            "Matomo (auto-hébergé)",
            "Mesure d'audience (toutes les pages)",
            "Compter les visites et les pages vues pour améliorer le portail.",
        ),
        (
            "theme",
            "first-party",
            "Portail de démonstration",
            "Affichage (toutes les pages)",
            "Se souvenir du thème d'affichage choisi.",
        ),
    ];

    let Some(mut browser) = Browser::launch("charter_page_lists_every_cookie") else {
        return;
    };
    browser.visit("/charte-cookies");
    // Each body row of each table: its section's id and its cells' visible text.
    let rows = browser.eval(
        "Array.from(document.querySelectorAll('section tbody tr')).map(tr => ({
            section: tr.closest('section').querySelector('h2').id,
            cells: Array.from(tr.cells).map(td => td.innerText.trim()),
        }))",
    );
    let rows: Vec<(String, Vec<String>)> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let cells = row["cells"].as_array().expect("cells");
            let cells = cells
                .iter()
                .map(|c| c.as_str().unwrap_or_default().to_owned());
            (
                row["section"].as_str().unwrap_or_default().to_owned(),
                cells.collect(),
            )
        })
        .collect();
    for (name, category, provider, service, purpose) in expected {
        let (section, cells) = rows
            .iter()
            .find(|(_, cells)| cells.iter().any(|cell| cell == name))
            .unwrap_or_else(|| panic!("no row for `{name}` on /charte-cookies: {rows:#?}"));
        assert_eq!(
            section,
            &format!("cookies-{category}"),
            "`{name}` is in the wrong section"
        );
        for text in [provider, service, purpose] {
            assert!(
                cells.iter().any(|cell| cell == text),
                "the row of `{name}` lacks {text:?}: {cells:?}"
            );
        }
    }
    browser
        .cookies()
        .assert_lacks(&["_pk_id", "theme"], "after reading the charter");
}

/// A headless Chromium on one tab, pointed at a portal of its own.
struct Browser {
    /// The tab. Declared first: closed before the browser goes.
    page: Page,
    /// `http://127.0.0.1:PORT`.
    base: String,
    chromium: browser::Browser,
}

impl Browser {
    /// Serves the portal, starts Chromium and opens a blank tab; `None` (the test is
    /// skipped, loudly) when no browser is installed and none is required.
    fn launch(test: &str) -> Option<Browser> {
        let chromium = browser::Browser::for_test(test)?;
        let base = serve_portal();
        let page = chromium
            .new_page()
            .unwrap_or_else(|e| panic!("opening a tab: {e}\nChromium's log:\n{}", chromium.log()));
        Some(Browser {
            page,
            base,
            chromium,
        })
    }

    /// Goes to `path` (e.g. `/statistiques`) and waits until it has loaded.
    fn visit(&mut self, path: &str) {
        self.mark_document();
        let url = format!("{}{path}", self.base);
        let answer = self
            .page
            .call("Page.navigate", json!({ "url": url }))
            .unwrap_or_else(|e| panic!("navigating to {url}: {e}"));
        if let Some(error) = answer.get("errorText") {
            panic!("navigating to {url} failed: {error}");
        }
        self.wait_for_page(path, &format!("visiting {path}"));
    }

    /// Clicks the element (a real mouse click at the centre of its box) and waits for
    /// the page it leads to, `then_at` (path and query, after any redirect).
    fn click(&mut self, selector: &str, then_at: &str) {
        self.mark_document();
        self.mouse_click(selector);
        self.wait_for_page(then_at, &format!("clicking {selector}"));
    }

    /// Ticks a checkbox with a real mouse click (on the same page).
    fn tick(&mut self, selector: &str) {
        self.mouse_click(selector);
        let checked = format!("{}.checked", element(selector));
        self.wait_until(
            &format!("{selector} to be ticked"),
            |browser| match browser.eval(&checked) {
                Value::Bool(true) => Ok(()),
                _ => Err("still unticked".into()),
            },
        );
    }

    /// Whether the current page has an element matching `selector`.
    fn has(&mut self, selector: &str) -> bool {
        self.eval(&format!("{} !== null", element(selector))) == json!(true)
    }

    /// The value of a JavaScript expression in the page.
    fn eval(&mut self, expression: &str) -> Value {
        self.page
            .evaluate(expression)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The browser's cookies, read from its own store (the profile is fresh: they are
    /// all the portal's). Also checks, at every step, that the undeclared `_ga` never
    /// reached the browser.
    fn cookies(&mut self) -> Cookies {
        let all = self
            .chromium
            .cookies()
            .unwrap_or_else(|e| panic!("reading the cookie store: {e}"));
        let cookies = Cookies(
            all.into_iter()
                .map(|cookie| (cookie.name, cookie.value))
                .collect(),
        );
        cookies.assert_lacks(&["_ga"], "at any step");
        cookies
    }

    /// Tags the current document, so that a new one (even at the same URL) is told apart.
    fn mark_document(&mut self) {
        self.eval("window.__charteOld = true");
    }

    /// Waits until a new, fully loaded document is at `path_and_query`.
    fn wait_for_page(&mut self, path_and_query: &str, doing: &str) {
        let probe = "[document.readyState, location.pathname + location.search, \
                     window.__charteOld === true]";
        let mut seen = Value::Null;
        let wanted = json!(["complete", path_and_query, false]);
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            // While the tab navigates, its old context can vanish mid-call: try again.
            match self.page.evaluate(probe) {
                Ok(state) if state == wanted => return,
                Ok(state) => seen = state,
                Err(browser::Error::Protocol(e)) => seen = json!(e),
                Err(e) => panic!("{doing}: {e}"),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{doing}: {path_and_query} did not load within {WAIT:?} \
             ([readyState, location, old page] last seen: {seen})"
        );
    }

    /// A real left click at the centre of the element's box (of its first line, if it
    /// wraps), scrolled into view, after checking that nothing covers that point.
    fn mouse_click(&mut self, selector: &str) {
        // The centre `[x, y]`, or why the element cannot be clicked (yet).
        let locate = format!(
            "(() => {{
                const element = {};
                if (!element) return 'not on the page';
                if (document.readyState !== 'complete') return 'page still loading';
                element.scrollIntoView({{ block: 'center', inline: 'center' }});
                // The bounding box; for a link wrapped over two lines, the box of its
                // first line (the whole box's centre may fall between the lines).
                const box = Array.from(element.getClientRects())
                    .find(rect => rect.width > 0 && rect.height > 0);
                if (!box) return 'not displayed';
                const x = box.left + box.width / 2, y = box.top + box.height / 2;
                const top = document.elementFromPoint(x, y);
                if (!top) return `centre (${{x}}, ${{y}}) is outside the viewport`;
                if (top !== element && !element.contains(top)) {{
                    return `covered by ${{top.outerHTML.slice(0, 80)}}`;
                }}
                return [x, y];
            }})()",
            element(selector)
        );
        let centre = self.wait_until(&format!("{selector} to be clickable"), |browser| {
            let point = browser.eval(&locate);
            match (point[0].as_f64(), point[1].as_f64()) {
                (Some(x), Some(y)) => Ok((x, y)),
                _ => Err(point.as_str().unwrap_or_default().to_owned()),
            }
        });
        self.page
            .click_at(centre.0, centre.1)
            .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
    }

    /// Polls `check` until it gives a value, for at most [`WAIT`]; the failure message
    /// ends with the last reason `check` gave for not being there yet.
    fn wait_until<T>(
        &mut self,
        what: &str,
        mut check: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            match check(self) {
                Ok(value) => return value,
                Err(why) => assert!(
                    Instant::now() < deadline,
                    "waited {WAIT:?} for {what}: {why}"
                ),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // What the browser showed when the test failed, to go with the message.
            let page = "location.href + '\\n' + document.documentElement.outerHTML";
            if let Ok(Value::String(page)) = self.page.evaluate(page) {
                let end = page.char_indices().nth(4000).map_or(page.len(), |(i, _)| i);
                eprintln!("The page when the test failed:\n{}", &page[..end]);
            }
            eprintln!("Chromium's log:\n{}", self.chromium.log());
        }
    }
}

/// The portal's cookies in the browser's store: name → value.
struct Cookies(BTreeMap<String, String>);

impl Cookies {
    fn value(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    #[track_caller]
    fn assert_has(&self, names: &[&str], when: &str) {
        for name in names {
            assert!(
                self.0.contains_key(*name),
                "`{name}` is not in the browser {when}; it has {:?}",
                self.0.keys()
            );
        }
    }

    #[track_caller]
    fn assert_lacks(&self, names: &[&str], when: &str) {
        for name in names {
            assert!(
                !self.0.contains_key(*name),
                "`{name}` is in the browser {when}; it has {:?}",
                self.0.keys()
            );
        }
    }
}

/// JavaScript for the first element matching a CSS selector (quoted as a JSON string).
fn element(selector: &str) -> String {
    format!("document.querySelector({})", json!(selector))
}

/// Serves `app::router()` on a free local port, in a background thread with its own
/// runtime (it lives until the test process ends); returns its base URL.
fn serve_portal() -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("building the portal's runtime");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("binding the portal to a local port");
            let address = listener.local_addr().expect("the portal's address");
            sender
                .send(address)
                .expect("reporting the portal's address");
            axum::serve(listener, app::router())
                .await
                .expect("serving the portal");
        });
    });
    let address = receiver
        .recv_timeout(WAIT)
        .expect("the portal did not start listening");
    format!("http://{address}")
}

/// `charte audit` on the demo portal: in the four states, nothing breaks its charter
/// (the layer drops the undeclared `_ga`, and the consented cookies only come with
/// consent and go on withdrawal); only declared cookies the demo never sets are listed.
#[test]
fn the_demo_portal_passes_its_own_audit() {
    use charte_audit::audit::{self, Kind, Options};
    if browser::Browser::for_test("the_demo_portal_passes_its_own_audit").is_none() {
        return;
    }
    let base = serve_portal();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/portal.toml");
    let charter = charte_core::check(&charte_core::Origin {
        path: file.into(),
        display: file.to_owned(),
        root: None,
    })
    .charter
    .expect("the demo's charter is valid");
    let report = audit::run(&charter, &[format!("{base}/")], &Options::default())
        .unwrap_or_else(|e| panic!("auditing the demo: {e}"));
    eprint!("{}", audit::table(&report));
    let failing: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind != Kind::Unused)
        .collect();
    assert!(
        failing.is_empty(),
        "the demo breaks its charter: {failing:#?}"
    );
    assert!(!report.fails());
    // Every route was visited in every state, without error.
    for path in [
        "/",
        "/statistiques",
        "/preferences",
        "/traceur",
        "/charte-cookies",
    ] {
        let url = format!("{base}{path}");
        let states = report
            .pages
            .iter()
            .filter(|p| p.url == url && p.error.is_none());
        assert!(
            states.count() >= 3,
            "{url} not visited: {:#?}",
            report.pages
        );
    }
}
