//! The consent endpoint through real servers: the demo's charter behind axum
//! (`CHARTER.consent_routes()` inside `CHARTER.layer()`) and actix-web
//! (`CHARTER.actix_consent()` inside `CHARTER.actix()`), on 127.0.0.1, posted to by
//! reqwest as browsers (and forgers) post.
//!
//! Every forged or malformed post must come back without any `Set-Cookie` and with a
//! `WARN` event; a lawful one with `303 See Other` and the consent cookie.

#[path = "support/events.rs"]
mod events;
#[path = "support/harness.rs"]
mod harness;

use std::net::{SocketAddr, TcpListener};
use std::sync::Mutex;

use charte::Category;
use events::{capture_events_with, events};
use harness::{client, runtime};

charte::charter!(mod portal = "examples/portal.toml");

const FORM: &str = "application/x-www-form-urlencoded";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framework {
    Axum,
    Actix,
}

const FRAMEWORKS: [Framework; 2] = [Framework::Axum, Framework::Actix];

/// A post to `/consent`: its headers (besides `Host`, which reqwest sets) and body.
#[derive(Clone)]
struct Post {
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Post {
    /// What Chromium sends when the visitor clicks a button of the banner on `/`.
    fn lawful(address: SocketAddr, body: &str) -> Post {
        Post {
            headers: vec![
                ("origin", format!("http://{address}")),
                ("sec-fetch-site", "same-origin".into()),
                ("referer", format!("http://{address}/")),
                ("content-type", FORM.into()),
            ],
            body: body.into(),
        }
    }

    /// Sets (or, with `None`, removes) a header.
    fn header(mut self, name: &'static str, value: Option<&str>) -> Post {
        self.headers.retain(|(n, _)| *n != name);
        if let Some(value) = value {
            self.headers.push((name, value.into()));
        }
        self
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    nosniff: bool,
    body: String,
}

fn send(framework: Framework, post: &Post) -> Reply {
    let address = server(framework);
    runtime().block_on(async {
        let mut request = client()
            .post(format!("http://{address}/consent"))
            .body(post.body.clone());
        for (name, value) in &post.headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("the server answers");
        let header = |name| {
            response
                .headers()
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>()
        };
        let location = header("location").pop();
        let nosniff = header("x-content-type-options") == ["nosniff"];
        let set_cookies = header("set-cookie");
        Reply {
            status: response.status().as_u16(),
            location,
            set_cookies,
            nosniff,
            body: response.text().await.expect("a body"),
        }
    })
}

/// Asserts that `post` is refused with `status`, no cookie at all, and an event
/// naming `reason`.
#[track_caller]
fn assert_refused(framework: Framework, post: &Post, status: u16, reason: &str) {
    let before = events().len();
    let reply = send(framework, post);
    assert_eq!(reply.status, status, "{framework:?}: {reply:?}");
    assert!(
        reply.set_cookies.is_empty(),
        "{framework:?}: a refused post set cookies: {reply:?}"
    );
    assert_eq!(reply.location, None, "{framework:?}: {reply:?}");
    // The message quotes the request (its `Origin`...): a browser must not run it.
    assert!(reply.nosniff, "{framework:?}: {reply:?}");
    assert!(
        reply.body.contains("n'a pas été enregistré"),
        "{framework:?}: {reply:?}"
    );
    let new_events = events()[before..].to_owned();
    assert!(
        new_events.contains("consent post refused") && new_events.contains(reason),
        "{framework:?}: no WARN event with reason {reason:?}; events: {new_events}"
    );
}

/// Asserts that `post` records a decision granting exactly `granted` (read back as the
/// layer reads it, whatever the value's format) and sends the visitor to `to`.
#[track_caller]
fn assert_recorded(framework: Framework, post: &Post, granted: &[Category], to: &str) {
    let reply = send(framework, post);
    assert_eq!(reply.status, 303, "{framework:?}: {reply:?}");
    assert_eq!(
        reply.location.as_deref(),
        Some(to),
        "{framework:?}: {reply:?}"
    );
    let [cookie] = &reply.set_cookies[..] else {
        panic!("{framework:?}: not one Set-Cookie: {reply:?}");
    };
    let pair = cookie.split(';').next().unwrap_or_default();
    assert!(
        pair.starts_with("cookies_preferences="),
        "{framework:?}: {cookie}"
    );
    let consent = portal::CHARTER.consent_in([pair.as_bytes()], charte::consent::now());
    assert!(
        consent.is_recorded(),
        "{framework:?}: not a valid decision: {cookie}"
    );
    for category in Category::CONSENTABLE {
        assert_eq!(
            consent.is_granted(category),
            granted.contains(&category),
            "{framework:?}: {category} in {cookie}"
        );
    }
}

/// What « Tout accepter » grants on the demo: the categories its cookies need (it has no
/// third-party cookie).
const ALL: &[Category] = &[Category::Statistics, Category::FirstParty];
const NONE: &[Category] = &[];

#[test]
fn a_lawful_same_origin_post_records_the_decision_and_goes_back() {
    for framework in FRAMEWORKS {
        let address = server(framework);
        let post = |body| Post::lawful(address, body);
        assert_recorded(framework, &post("choice=all&return_to=%2F"), ALL, "/");
        assert_recorded(framework, &post("choice=none&return_to=%2F"), NONE, "/");
        // A box for a category the demo never asks grants nothing.
        assert_recorded(
            framework,
            &post("choice=custom&third-party=on&return_to=%2F"),
            NONE,
            "/",
        );
        assert_recorded(
            framework,
            &post("choice=custom&statistics=on&return_to=%2Fstatistiques%3Fx%3D1"),
            &[Category::Statistics],
            "/statistiques?x=1",
        );
        // The reopening query is left behind: the visitor lands without the banner.
        assert_recorded(
            framework,
            &post("choice=custom&first-party=on&return_to=%2Fpreferences%3Fcookies%3Dmanage"),
            &[Category::FirstParty],
            "/preferences",
        );
        // Without `return_to`, back to the `Referer` (a page of this origin).
        let from_page = post("choice=none").header(
            "referer",
            Some(&format!("http://{address}/traceur?cookies=manage")),
        );
        assert_recorded(framework, &from_page, NONE, "/traceur");
        // Neither: home.
        let bare = post("choice=none").header("referer", None);
        assert_recorded(framework, &bare, NONE, "/");
        // The charter's `site` is accepted as an origin too (a proxy that changes the
        // host): the demo declares http://127.0.0.1:3000.
        let proxied = post("choice=all").header("origin", Some("http://127.0.0.1:3000"));
        assert_recorded(framework, &proxied, ALL, "/");
        // A form charset parameter is fine.
        let charset = post("choice=all").header(
            "content-type",
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
        );
        assert_recorded(framework, &charset, ALL, "/");
    }
}

/// The consent the reply's cookie records, and its `name=value` pair.
fn recorded(framework: Framework, reply: &Reply) -> (charte::Consent, String) {
    assert_eq!(reply.status, 303, "{framework:?}: {reply:?}");
    let pair = reply.set_cookies[0].split(';').next().unwrap_or_default();
    let consent = portal::CHARTER.consent_in([pair.as_bytes()], charte::consent::now());
    assert!(consent.is_recorded(), "{framework:?}: {reply:?}");
    (consent, pair.to_owned())
}

#[test]
fn a_visitors_next_decision_keeps_their_consent_id() {
    for framework in FRAMEWORKS {
        let address = server(framework);
        let first = send(framework, &Post::lawful(address, "choice=all"));
        let (granted, pair) = recorded(framework, &first);
        let id = granted.id().expect("a new decision has an id");
        // « Tout refuser » from a browser holding that decision: the same id, so that
        // the proof of consent files the refusal with the grant.
        let again = Post::lawful(address, "choice=none").header("cookie", Some(&pair));
        let (refused, _) = recorded(framework, &send(framework, &again));
        assert_eq!(refused.id(), Some(id), "{framework:?}");
        assert!(!refused.is_granted(Category::Statistics), "{framework:?}");
        // Without a decision in the request: a new id.
        let (fresh, _) = recorded(
            framework,
            &send(framework, &Post::lawful(address, "choice=all")),
        );
        assert_ne!(fresh.id(), Some(id), "{framework:?}");
        // A value that is no current decision (forged, another revision) gives no id
        // to keep.
        let forged = Post::lawful(address, "choice=all").header(
            "cookie",
            Some("cookies_preferences=2.0000000000000000.1.111.abcdefghijklmnopqrstuvwxyz"),
        );
        let (other, _) = recorded(framework, &send(framework, &forged));
        assert_ne!(
            other.id().map(|id| id.to_string()).as_deref(),
            Some("abcdefghijklmnopqrstuvwxyz"),
            "{framework:?}"
        );
    }
}

#[test]
fn a_cross_site_form_post_is_refused() {
    for framework in FRAMEWORKS {
        // The attack: a form on another site posts « Tout accepter ».
        let forged = Post::lawful(server(framework), "choice=all")
            .header("origin", Some("https://evil.example"))
            .header("sec-fetch-site", Some("cross-site"))
            .header("referer", Some("https://evil.example/page"));
        assert_refused(framework, &forged, 403, "fetch-site");
    }
}

#[test]
fn a_same_site_form_post_from_another_port_is_refused() {
    for framework in FRAMEWORKS {
        // What Chromium sends from a page on 127.0.0.1:<another port>.
        let other = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let forged = Post::lawful(server(framework), "choice=all")
            .header("origin", Some(&format!("http://{other}")))
            .header("sec-fetch-site", Some("same-site"))
            .header("referer", Some(&format!("http://{other}/")));
        assert_refused(framework, &forged, 403, "fetch-site");
    }
}

#[test]
fn a_foreign_origin_is_refused_with_or_without_sec_fetch_site() {
    for framework in FRAMEWORKS {
        let address = server(framework);
        let other_port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        for origin in [
            "https://evil.example".to_owned(),
            "null".to_owned(),
            format!("http://{other_port}"),
            // Same host and port, wrong path: not an origin.
            format!("http://{address}/consent"),
            // The site's host on another scheme and port.
            "https://127.0.0.1:3000".to_owned(),
        ] {
            // A browser without Fetch Metadata (Safari before 16.4, Firefox before 90).
            let old = Post::lawful(address, "choice=all")
                .header("origin", Some(&origin))
                .header("sec-fetch-site", None);
            assert_refused(framework, &old, 403, "origin");
            // A client claiming `same-origin` while naming another origin.
            let lying = old.header("sec-fetch-site", Some("same-origin"));
            assert_refused(framework, &lying, 403, "origin");
        }
        // `none` (typed in the address bar, a bookmark) is not a click on the banner.
        let none = Post::lawful(address, "choice=all").header("sec-fetch-site", Some("none"));
        assert_refused(framework, &none, 403, "fetch-site");
        // Two `Origin` fields: not one origin.
        let twice = Post::lawful(address, "choice=all")
            .header("origin", Some("https://evil.example"))
            .header("sec-fetch-site", None);
        let mut twice = twice;
        twice.headers.push(("origin", format!("http://{address}")));
        assert_refused(framework, &twice, 403, "origin");
    }
}

/// Old clients: no `Origin`, no `Sec-Fetch-Site`. Decided: the `Referer` must then be a
/// page of this origin (an old browser on the site's own page sends it; another site
/// cannot make it send one), else the post is refused.
#[test]
fn a_post_without_origin_nor_fetch_metadata_needs_a_referer_of_this_origin() {
    for framework in FRAMEWORKS {
        let address = server(framework);
        let old = Post::lawful(address, "choice=all")
            .header("origin", None)
            .header("sec-fetch-site", None);
        assert_refused(
            framework,
            &old.clone().header("referer", None),
            403,
            "no-provenance",
        );
        assert_refused(
            framework,
            &old.clone().header("referer", Some("https://evil.example/")),
            403,
            "no-provenance",
        );
        assert_refused(
            framework,
            &old.clone().header("referer", Some("not a url")),
            403,
            "no-provenance",
        );
        let from_page = old.header("referer", Some(&format!("http://{address}/statistiques")));
        assert_recorded(framework, &from_page, ALL, "/statistiques");
    }
}

#[test]
fn a_303_target_on_another_origin_is_refused() {
    for framework in FRAMEWORKS {
        let address = server(framework);
        for target in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "/\t/evil.example/",
            "evil.example",
            "http://127.0.0.1:1/",
            "",
        ] {
            let body = format!(
                "choice=all&return_to={}",
                form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>()
            );
            assert_refused(framework, &Post::lawful(address, &body), 403, "return-to");
        }
        // A `Referer` off the site is never a target: home instead (the `Origin` check
        // already vouches for the post).
        let odd =
            Post::lawful(address, "choice=none").header("referer", Some("https://evil.example/"));
        assert_recorded(framework, &odd, NONE, "/");
    }
}

#[test]
fn a_malformed_post_is_refused() {
    for framework in FRAMEWORKS {
        let address = server(framework);
        let post = |body: &str| Post::lawful(address, body);
        assert_refused(framework, &post("choice=maybe"), 400, "form");
        assert_refused(framework, &post("statistics=on"), 400, "form");
        assert_refused(framework, &post("choice=all&choice=none"), 400, "form");
        assert_refused(
            framework,
            &post("choice=custom&statistics=yes"),
            400,
            "form",
        );
        assert_refused(
            framework,
            &post("choice=all").header("content-type", Some("text/plain")),
            415,
            "content-type",
        );
        let big = format!(
            "choice=all&pad={}",
            "x".repeat(charte::banner::post::MAX_BODY)
        );
        let reply = send(framework, &post(&big));
        assert_eq!(reply.status, 413, "{framework:?}: {reply:?}");
        assert!(reply.set_cookies.is_empty(), "{framework:?}: {reply:?}");
    }
}

/// The servers: a page showing the banner, the consent endpoint, the enforcement
/// layer outside both; one per framework, started on first use.
fn server(framework: Framework) -> SocketAddr {
    static SERVERS: Mutex<Vec<(Framework, SocketAddr)>> = Mutex::new(Vec::new());
    capture_events_with("charte=warn");
    let mut servers = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, address)) = servers.iter().find(|(f, _)| *f == framework) {
        return *address;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    match framework {
        Framework::Axum => start_axum(listener),
        Framework::Actix => start_actix(listener),
    }
    servers.push((framework, address));
    address
}

fn start_axum(listener: TcpListener) {
    use axum::http::{HeaderMap, Uri};
    use axum::response::Html;

    async fn page(headers: HeaderMap, uri: Uri) -> Html<String> {
        let consent = portal::CHARTER.consent(&headers);
        let page = uri.path_and_query().map_or("/", |p| p.as_str());
        let banner = portal::CHARTER
            .banner(&consent, charte::Lang::Fr)
            .page(page);
        Html(format!("<!DOCTYPE html><body>{banner}</body>"))
    }

    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new()
                .fallback(page)
                .merge(portal::CHARTER.consent_routes())
                .layer(portal::CHARTER.layer());
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
}

fn start_actix(listener: TcpListener) {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

    async fn page(request: HttpRequest) -> HttpResponse {
        let consent = portal::CHARTER.consent_actix(request.headers());
        let page = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let banner = portal::CHARTER
            .banner(&consent, charte::Lang::Fr)
            .page(page);
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(format!("<!DOCTYPE html><body>{banner}</body>"))
    }

    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .service(portal::CHARTER.actix_consent())
                    .default_service(web::to(page))
                    .wrap(portal::CHARTER.actix())
            })
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run()
            .await
            .unwrap();
        });
    });
}
