//! The audit tests' own site, served on 127.0.0.1: cookies planted to break
//! `fixtures/site.toml` in every way the audit reports, next to lawful ones.
#![allow(dead_code)] // each test file uses its own part

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use charte_core::{Category, Charter};

/// The fixture charter's file, as `charte audit` reads it (from any package of the
/// workspace: the command line's tests use this site too).
pub fn charter_file() -> String {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../charte-audit/tests/fixtures/site.toml");
    file.to_str().expect("a UTF-8 path").to_owned()
}

/// The fixture charter.
pub fn charter() -> Charter {
    let file = charter_file();
    let text = std::fs::read_to_string(&file).expect("the fixture charter");
    charte_core::check_str(&file, &text)
        .charter
        .expect("a valid fixture charter")
}

/// How many `/page/N` pages chain from the home page: with the seven others, the
/// site has 20 pages.
pub const CHAINED_PAGES: usize = 13;

/// The running fixture: the site, and the other site its frame comes from.
pub struct Site {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `http://localhost:PORT`: another site (another host and port).
    pub frame_base: String,
}

/// Serves the fixture site and its frame's site, each on a free port.
pub fn serve() -> Site {
    let frame = serve_router("127.0.0.1:0", Router::new().route("/widget", get(widget)));
    let frame_base = format!("http://localhost:{}", frame.port());
    let state = Shared {
        charter: std::sync::Arc::new(charter()),
        frame_base: frame_base.clone(),
    };
    let site = Router::new()
        .route("/", get(home))
        .route("/consent", axum::routing::post(consent))
        .route("/stats", get(stats))
        .route("/prefs", get(prefs))
        .route("/go", get(redirect))
        .route("/pixel.gif", get(pixel))
        .route("/frame", get(frame_page))
        .route("/tracker", get(tracker_page))
        .route("/tracker.js", get(tracker_js))
        .route("/form", get(form))
        .route("/page/{n}", get(chained))
        // Not linked: the bad-input tests start from them.
        .route("/data.csv", get(csv))
        .route("/hang", get(hang))
        .route("/to-hang", get(to_hang))
        .with_state(state);
    let site = serve_router("127.0.0.1:0", site);
    Site {
        base: format!("http://{site}"),
        frame_base,
    }
}

#[derive(Clone)]
struct Shared {
    charter: std::sync::Arc<Charter>,
    frame_base: String,
}

/// Serves `router` in a thread of its own; returns its address.
pub fn serve_router(address: &'static str, router: Router) -> std::net::SocketAddr {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .expect("a port");
            sender
                .send(listener.local_addr().expect("an address"))
                .expect("sent");
            axum::serve(listener, router).await.expect("serving");
        });
    });
    receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("the server did not start")
}

/// A page with `set-cookie` lines and a body.
fn page(cookies: &[&str], body: String) -> Response {
    let mut response = Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><title>fixture</title><body>{body}</body></html>"
    ))
    .into_response();
    for line in cookies {
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(line).expect("a valid line"),
        );
    }
    response
}

/// What the visitor granted, read with the charter's own rules.
fn granted(charter: &Charter, headers: &HeaderMap, category: Category) -> Option<bool> {
    let consent = charter.consent(headers);
    consent.is_recorded().then(|| consent.is_granted(category))
}

const NAV: &str = "<nav><a href=\"/stats\">stats</a> <a href=\"/prefs\">prefs</a> \
    <a href=\"/go\">campaign</a> <a href=\"/frame\">widget</a> <a href=\"/tracker\">tracker</a> \
    <a href=\"/form\">form</a> <a href=\"/page/1\">more</a> <a href=\"#top\">top</a> \
    <a href=\"https://elsewhere.invalid/\">elsewhere</a></nav>";

/// Lawful: `session`, `lang`, `audience`. Planted: `sid` without its declared
/// HttpOnly, `cart` (declared a session cookie) for an hour, the undeclared `pixel` of
/// a sub-resource. Clears `_pk_id.1` and `theme` once refused, but forgets `prefs`.
async fn home(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let mut cookies = vec![
        "session=s1; Path=/; HttpOnly",
        "lang=fr; Max-Age=86400",
        "audience=a1; Max-Age=86400",
        "sid=abc; Path=/",
        "cart=c1; Max-Age=3600",
    ];
    if granted(&shared.charter, &headers, Category::Statistics) == Some(false) {
        cookies.push("_pk_id.1=; Max-Age=0; Path=/");
    }
    if granted(&shared.charter, &headers, Category::FirstParty) == Some(false) {
        cookies.push("theme=; Max-Age=0");
    }
    page(
        &cookies,
        format!("<h1>home</h1>{NAV}<img src=\"/pixel.gif\" alt=\"\">{BANNER}"),
    )
}

/// The site's banner, always shown (so that a decision can be changed from the home
/// page): the audit clicks it when given `--accept-selector` / `--refuse-selector`.
const BANNER: &str = "<form method=\"post\" action=\"/consent\">\
    <button id=\"accept\" name=\"choice\" value=\"all\">Accept all</button>\
    <button id=\"refuse\" name=\"choice\" value=\"none\">Refuse all</button></form>";

/// Records the banner's decision in the charter's consent cookie, back to the home page.
async fn consent(
    State(shared): State<Shared>,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> Response {
    let granted: &[Category] = match form.get("choice").map(String::as_str) {
        Some("all") => &Category::CONSENTABLE,
        _ => &[],
    };
    let cookie = shared.charter.consent_cookie(granted);
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/".to_owned()),
            (header::SET_COOKIE, cookie.to_string()),
        ],
    )
        .into_response()
}

/// Lawful: `_pk_id.1` only with consent. Planted: `_pk_ref` whatever the consent.
async fn stats(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let mut cookies = vec!["_pk_ref=direct; Max-Age=3600"];
    if granted(&shared.charter, &headers, Category::Statistics) == Some(true) {
        cookies.push("_pk_id.1=v1; Max-Age=3600; Path=/");
    }
    page(&cookies, format!("<h1>stats</h1>{NAV}"))
}

/// With consent only, but `theme` for two years (declared 6 months), and `prefs`,
/// which the home page forgets to clear on withdrawal.
async fn prefs(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let cookies: &[&str] = if granted(&shared.charter, &headers, Category::FirstParty) == Some(true)
    {
        &[
            "theme=dark; Max-Age=63072000",
            "prefs=p1; Max-Age=3600; Path=/",
        ]
    } else {
        &[]
    };
    page(cookies, format!("<h1>prefs</h1>{NAV}"))
}

/// Planted: the undeclared `ref` on a redirect.
async fn redirect() -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, "/"),
            (header::SET_COOKIE, "ref=campaign; Path=/"),
        ],
    )
        .into_response()
}

/// Planted: the undeclared `pixel` on an image.
async fn pixel() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/gif"),
            (header::SET_COOKIE, "pixel=px1; Path=/"),
        ],
        &b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"[..],
    )
        .into_response()
}

async fn frame_page(State(shared): State<Shared>) -> Response {
    page(
        &[],
        format!(
            "<h1>widget</h1>{NAV}<iframe src=\"{}/widget\" title=\"widget\"></iframe>",
            shared.frame_base
        ),
    )
}

/// Planted, in a frame of another site: the third-party `ads`, whatever the consent.
async fn widget() -> Response {
    page(
        &["ads=profile1; Path=/"],
        "<p>partner widget</p>".to_owned(),
    )
}

async fn tracker_page() -> Response {
    page(
        &[],
        format!("<h1>tracker</h1>{NAV}<script src=\"/tracker.js\"></script>"),
    )
}

/// Planted, by a script: the undeclared `_fbp` (90 days), and `visit` (statistics)
/// through `cookieStore`, whatever the consent. The removal of an undeclared cookie,
/// which passes (a removal of `visit` itself could land after the `cookieStore` write:
/// the two reach the cookie store by different paths).
async fn tracker_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript")],
        // `_fbp` once `visit` is stored: the page stays busy until both are written.
        "document.cookie = 'old_tracker=; max-age=0; path=/';\n\
         cookieStore.set({ name: 'visit', value: 'v1', path: '/' }).then(() => {\n\
           document.cookie = '_fbp=fb.1.2; max-age=7776000; path=/';\n\
         });\n",
    )
        .into_response()
}

/// Planted: `__Host-token` without `Secure` (its prefix's rule broken).
async fn form() -> Response {
    page(&["__Host-token=t1; Path=/"], format!("<h1>form</h1>{NAV}"))
}

/// `/page/1` to `/page/13`, each linking to the next: no cookies.
async fn chained(Path(n): Path<usize>) -> Response {
    let next = if n < CHAINED_PAGES {
        format!("<a href=\"/page/{}\">next</a>", n + 1)
    } else {
        String::new()
    };
    page(
        &[],
        format!("<h1>page {n}</h1><a href=\"/\">home</a> {next}"),
    )
}

/// Not HTML, with a lawful cookie.
async fn csv() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv"),
            (header::SET_COOKIE, "lang=en; Max-Age=86400"),
        ],
        "a,b\n1,2\n",
    )
        .into_response()
}

/// Never answers.
async fn hang() -> Response {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    StatusCode::NO_CONTENT.into_response()
}

/// Links to the page that never answers.
async fn to_hang() -> Response {
    page(&[], "<a href=\"/hang\">hang</a>".to_owned())
}
