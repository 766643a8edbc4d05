//! The demo portal's routes, shared by `examples/portal/main.rs` (which serves them)
//! and the browser test (`tests/browser/`, which drives them in headless Chromium).
//!
//! The charter is `examples/portal.toml`: Roubaix's, plus a statistics cookie (`_pk_id`)
//! and a first-party cookie (`theme`) that both need consent. Every handler sets the
//! cookies it would like to; `CHARTER.layer()` lets through only what the charter and
//! the visitor's consent allow.

use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use charte::{Category, Format, Lang};

charte::charter!(pub mod portal = "examples/portal.toml");

/// The portal, behind the enforcement layer (outermost, so it sees every cookie).
/// `POST /consent` is charte's own endpoint: it records only decisions posted from
/// the portal's own pages (a form on another site gets `403` and no cookie).
#[allow(dead_code)] // the browser tests serve the portal without a proof log
pub fn router() -> Router {
    router_with(None)
}

/// [`router`], keeping the proof of every decision in `proof` when given (the demo
/// opens `PROOF_URL`).
pub fn router_with(proof: Option<charte_core::proof::ProofLog>) -> Router {
    let layer = match proof {
        Some(log) => portal::CHARTER.layer().proof(log),
        None => portal::CHARTER.layer(),
    };
    Router::new()
        .route("/", get(home))
        .route("/statistiques", get(statistics))
        .route("/preferences", get(preferences))
        .route("/connexion", get(login))
        .route("/traceur", get(tracker))
        .route("/charte-cookies", get(charter_page))
        .merge(portal::CHARTER.consent_routes())
        .layer(layer)
}

/// What each page needs to show the banner: the visitor's consent, and where it is.
struct Visit {
    consent: charte::Consent,
    page: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Visit {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Visit, Self::Rejection> {
        Ok(Visit {
            consent: portal::CHARTER.consent(&parts.headers),
            page: parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned(),
        })
    }
}

/// A fresh-looking identifier for cookie values.
fn visitor_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}")
}

/// Like a careless analytics snippet, the home page sets its language cookie and tries
/// the audience cookie on every view: without consent the layer drops the latter.
async fn home(visit: Visit) -> impl IntoResponse {
    let consent = &visit.consent;
    let status = if consent.is_recorded() {
        let granted = |category| consent.is_granted(category);
        format!(
            "Mesure d'audience : {} · Préférences d'affichage : {}",
            if granted(Category::Statistics) {
                "acceptée"
            } else {
                "refusée"
            },
            if granted(Category::FirstParty) {
                "acceptées"
            } else {
                "refusées"
            },
        )
    } else {
        // No decision yet: nothing is refused nor accepted, nothing is set either.
        "Vous n'avez encore rien choisi : aucun cookie soumis à votre accord n'est déposé."
            .to_owned()
    };
    let body = format!(
        "<h1>Portail de démonstration</h1>\
         <p>Ce portail applique sa charte cookies : il ne dépose que les cookies déclarés, \
         et seulement avec votre accord quand il est requis.</p>\
         <p id=\"consent-status\">{status}</p>"
    );
    (
        AppendHeaders([
            (SET_COOKIE, portal::DJANGO_LANGUAGE.build("fr").to_string()),
            (SET_COOKIE, portal::_PK_ID.build(visitor_id()).to_string()),
        ]),
        page(&visit, "Accueil", &body),
    )
}

async fn statistics(visit: Visit) -> impl IntoResponse {
    (
        AppendHeaders([(SET_COOKIE, portal::_PK_ID.build(visitor_id()).to_string())]),
        page(
            &visit,
            "Statistiques",
            "<h1>Statistiques</h1><p>Cette page dépose le cookie de mesure d'audience \
             <code>_pk_id</code>, si vous l'avez accepté.</p>",
        ),
    )
}

async fn preferences(visit: Visit) -> impl IntoResponse {
    (
        AppendHeaders([(SET_COOKIE, portal::THEME.build("sombre").to_string())]),
        page(
            &visit,
            "Préférences",
            "<h1>Préférences</h1><p>Cette page retient votre thème d'affichage dans le \
             cookie <code>theme</code>, si vous l'avez accepté.</p>",
        ),
    )
}

async fn login(visit: Visit) -> impl IntoResponse {
    (
        AppendHeaders([(
            SET_COOKIE,
            portal::SESSIONID.build(visitor_id()).to_string(),
        )]),
        page(
            &visit,
            "Connexion",
            "<h1>Connexion</h1><p>Vous êtes connecté : le cookie nécessaire \
             <code>sessionid</code> est déposé sans demander d'accord.</p>",
        ),
    )
}

/// A third-party snippet nobody declared: the layer drops its cookie, always.
async fn tracker(visit: Visit) -> impl IntoResponse {
    (
        AppendHeaders([(
            SET_COOKIE,
            format!("_ga=GA1.1.{}; Path=/; Max-Age=63072000", visitor_id()),
        )]),
        page(
            &visit,
            "Traceur",
            "<h1>Traceur</h1><p>Cette page essaie de déposer <code>_ga</code>, un cookie \
             que la charte ne déclare pas : il n'arrive jamais au navigateur.</p>\
             <p>Son script essaie aussi <code>_gid</code> : le garde de la charte le refuse \
             (voir la console).</p>\
             <script>document.cookie = \"_gid=GA1.1.1; path=/; max-age=86400\";</script>",
        ),
    )
}

/// The rendered charter page, with the banner and « Gérer mes cookies » at its top like
/// every other page.
async fn charter_page(visit: Visit) -> Html<String> {
    let charter = portal::CHARTER.render(Format::Html, Lang::Fr);
    let banner = portal::CHARTER
        .banner(&visit.consent, Lang::Fr)
        .page(&visit.page);
    let manage = charte::banner::manage_link(Lang::Fr);
    let top = format!(
        "<body>\n{banner}<nav>{manage}</nav>\n{}",
        your_consent(&visit.consent)
    );
    Html(charter.replacen("<body>", &top, 1))
}

/// The visitor's consent id and decision date: what to quote to the site to find the
/// proof of their choice (`charte proof show URL ID`).
fn your_consent(consent: &charte::Consent) -> String {
    let Some(id) = consent.id() else {
        return String::new();
    };
    let decided = consent
        .decided_at()
        .and_then(|t| i64::try_from(t).ok())
        .and_then(|t| cookie::time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(|t| {
            format!(
                "{:02}/{:02}/{} à {:02}:{:02} UTC",
                t.day(),
                u8::from(t.month()),
                t.year(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default();
    format!(
        "<p id=\"consent-proof\">Votre identifiant de consentement : <code>{id}</code> \
         (décision du {decided}).</p>"
    )
}

/// The client guard, first in every page's `<head>`: the pages' own scripts (here the
/// tracker's) write only what the charter and the visitor's consent allow.
static GUARD: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| portal::CHARTER.guard_script());

/// A page of the portal: the consent banner first (so that the keyboard reaches it
/// first), while the visitor has not decided or asks to reopen it (« Gérer mes
/// cookies », in the menu of every page).
fn page(visit: &Visit, title: &str, body: &str) -> Html<String> {
    let banner = portal::CHARTER
        .banner(&visit.consent, Lang::Fr)
        .page(&visit.page);
    let manage = charte::banner::manage_link(Lang::Fr);
    let guard = &*GUARD;
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><script>{guard}</script><title>{title} · Portail de démonstration</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }}
nav a {{ margin-right: 1rem; }}
</style></head>
<body>
{banner}<nav><a href="/">Accueil</a><a href="/statistiques">Statistiques</a><a href="/preferences">Préférences</a><a href="/connexion">Connexion</a><a href="/traceur">Traceur</a><a href="/charte-cookies">Charte cookies</a>{manage}</nav>
<main>{body}</main>
</body></html>"#
    ))
}
