//! The demo portal's routes, shared by `examples/portal/main.rs` (which serves them)
//! and the browser test (`tests/browser/`, which drives them in headless Chromium).
//!
//! The charter is `examples/portal.toml`: Roubaix's, plus a statistics cookie (`_pk_id`)
//! and a first-party cookie (`theme`) that both need consent. Every handler sets the
//! cookies it would like to; `CHARTER.layer()` lets through only what the charter and
//! the visitor's consent allow.

use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use charte::{Category, Format, Lang};

charte::charter!(pub mod portal = "examples/portal.toml");

/// The portal, behind the enforcement layer (outermost, so it sees every cookie).
pub fn router() -> Router {
    Router::new()
        .route("/", get(home))
        .route("/consent", post(record_consent))
        .route("/statistiques", get(statistics))
        .route("/preferences", get(preferences))
        .route("/connexion", get(login))
        .route("/traceur", get(tracker))
        .route("/charte-cookies", get(charter_page))
        .layer(portal::CHARTER.layer())
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
async fn home(headers: HeaderMap, query: axum::extract::RawQuery) -> impl IntoResponse {
    let consent = portal::CHARTER.consent(&headers);
    let show_banner = !consent.is_recorded() || query.0.as_deref() == Some("banner=1");
    let granted = |category| consent.is_granted(category);
    let status = format!(
        "<p id=\"consent-status\">Mesure d'audience : {} · Préférences d'affichage : {}</p>",
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
    );
    let body = format!(
        "<h1>Portail de démonstration</h1>\
         <p>Ce portail applique sa charte cookies : il ne dépose que les cookies déclarés, \
         et seulement avec votre accord quand il est requis.</p>{status}{}",
        if show_banner {
            banner(&consent)
        } else {
            String::new()
        }
    );
    (
        AppendHeaders([
            (SET_COOKIE, portal::DJANGO_LANGUAGE.build("fr").to_string()),
            (SET_COOKIE, portal::_PK_ID.build(visitor_id()).to_string()),
        ]),
        page("Accueil", &body),
    )
}

/// The consent banner: « Tout refuser » is one click, exactly like « Tout accepter »,
/// and each category can be chosen on its own.
fn banner(consent: &charte::Consent) -> String {
    let checked = |category| {
        if consent.is_granted(category) {
            " checked"
        } else {
            ""
        }
    };
    format!(
        r#"<div id="consent-banner" role="dialog" aria-labelledby="consent-title">
<h2 id="consent-title">Vos choix de cookies</h2>
<p>Nous aimerions mesurer l'audience du portail et retenir vos préférences d'affichage.
Les cookies nécessaires au fonctionnement sont toujours déposés.
<a href="/charte-cookies">Lire la charte cookies</a>.</p>
<div class="choices">
<form method="post" action="/consent"><input type="hidden" name="choice" value="all">
<button id="accept-all" type="submit">Tout accepter</button></form>
<form method="post" action="/consent"><input type="hidden" name="choice" value="none">
<button id="refuse-all" type="submit">Tout refuser</button></form>
</div>
<form method="post" action="/consent" class="custom"><input type="hidden" name="choice" value="custom">
<label><input type="checkbox" id="consent-statistics" name="statistics" value="on"{}> Mesure d'audience (statistiques)</label>
<label><input type="checkbox" id="consent-first-party" name="first-party" value="on"{}> Préférences d'affichage (internes)</label>
<button id="save-choices" type="submit">Enregistrer mes choix</button>
</form>
</div>"#,
        checked(Category::Statistics),
        checked(Category::FirstParty),
    )
}

/// Records the decision in the consent cookie. The layer applies this new consent to
/// this very response, and clears the cookies of categories now refused.
async fn record_consent(form: String) -> impl IntoResponse {
    let fields: Vec<(&str, &str)> = form
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let has = |key: &str, value: &str| fields.contains(&(key, value));
    let granted: Vec<Category> = if has("choice", "all") {
        Category::CONSENTABLE.to_vec()
    } else if has("choice", "custom") {
        [
            (Category::Statistics, "statistics"),
            (Category::FirstParty, "first-party"),
        ]
        .into_iter()
        .filter(|(_, field)| has(field, "on"))
        .map(|(category, _)| category)
        .collect()
    } else {
        Vec::new()
    };
    let consent = portal::CHARTER.consent_cookie(&granted);
    (
        AppendHeaders([(SET_COOKIE, consent.to_string())]),
        Redirect::to("/"),
    )
}

async fn statistics() -> impl IntoResponse {
    (
        AppendHeaders([(SET_COOKIE, portal::_PK_ID.build(visitor_id()).to_string())]),
        page(
            "Statistiques",
            "<h1>Statistiques</h1><p>Cette page dépose le cookie de mesure d'audience \
             <code>_pk_id</code>, si vous l'avez accepté.</p>",
        ),
    )
}

async fn preferences() -> impl IntoResponse {
    (
        AppendHeaders([(SET_COOKIE, portal::THEME.build("sombre").to_string())]),
        page(
            "Préférences",
            "<h1>Préférences</h1><p>Cette page retient votre thème d'affichage dans le \
             cookie <code>theme</code>, si vous l'avez accepté.</p>",
        ),
    )
}

async fn login() -> impl IntoResponse {
    (
        AppendHeaders([(
            SET_COOKIE,
            portal::SESSIONID.build(visitor_id()).to_string(),
        )]),
        page(
            "Connexion",
            "<h1>Connexion</h1><p>Vous êtes connecté : le cookie nécessaire \
             <code>sessionid</code> est déposé sans demander d'accord.</p>",
        ),
    )
}

/// A third-party snippet nobody declared: the layer drops its cookie, always.
async fn tracker() -> impl IntoResponse {
    (
        AppendHeaders([(
            SET_COOKIE,
            format!("_ga=GA1.1.{}; Path=/; Max-Age=63072000", visitor_id()),
        )]),
        page(
            "Traceur",
            "<h1>Traceur</h1><p>Cette page essaie de déposer <code>_ga</code>, un cookie \
             que la charte ne déclare pas : il n'arrive jamais au navigateur.</p>",
        ),
    )
}

async fn charter_page() -> Html<String> {
    Html(portal::CHARTER.render(Format::Html, Lang::Fr))
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{title} · Portail de démonstration</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }}
nav a {{ margin-right: 1rem; }}
#consent-banner {{ border: 2px solid #333; padding: 1rem; margin-top: 2rem; }}
#consent-banner .choices {{ display: flex; gap: 1rem; }}
#consent-banner .choices button {{ font-size: 1.1rem; padding: .6rem 1.4rem; min-width: 12rem; }}
#consent-banner label {{ display: block; margin: .4rem 0; }}
</style></head>
<body>
<nav><a href="/">Accueil</a><a href="/statistiques">Statistiques</a><a href="/preferences">Préférences</a><a href="/connexion">Connexion</a><a href="/traceur">Traceur</a><a href="/charte-cookies">Charte cookies</a><a id="manage-cookies" href="/?banner=1">Gérer mes cookies</a></nav>
<main>{body}</main>
</body></html>"#
    ))
}
