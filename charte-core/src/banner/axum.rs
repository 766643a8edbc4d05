//! The consent routes for axum (feature `tower`).

use std::borrow::Cow;

use axum::body::{Body, Bytes};
use axum::extract::DefaultBodyLimit;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, HOST, LOCATION, ORIGIN, REFERER, SET_COOKIE,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode, Uri};
use axum::routing::post;
use axum::Router;

use super::{refusal_body, ConsentPost, MAX_BODY_WITH_SLACK};
use crate::model::Charter;

impl Charter {
    /// The consent endpoint as an axum [`Router`]: `POST /consent`, to merge into the
    /// site's router inside the enforcement layer (or nest: `.nest("/cookies", ..)`
    /// serves `/cookies/consent`; tell the banner with
    /// [`Banner::action`](super::Banner::action)).
    ///
    /// It answers `303 See Other` back to the page with the consent cookie
    /// ([`Charter::consent_cookie`]), or refuses with no cookie and a `WARN` event:
    /// `403` for a post that is not the visitor's own decision (from another site, or
    /// of unknown provenance) or asks to go back off the site, `400`, `413` or `415`
    /// for a malformed one. The rules: [`post`](super::post).
    ///
    /// ```
    /// # fn leak() -> &'static charte_core::Charter {
    /// #   Box::leak(Box::new(charte_core::check_str("x.toml", r#"
    /// #   [charter]
    /// #   site = "https://example.fr"
    /// #   consent_cookie = "consent"
    /// #   [[cookie]]
    /// #   name = "consent"
    /// #   provider = "Example"
    /// #   service = "Consent"
    /// #   purpose = "Remember the visitor's choice."
    /// #   category = "necessary"
    /// #   "#).charter.unwrap()))
    /// # }
    /// # let CHARTER = leak();
    /// use axum::routing::get;
    /// use charte_core::Lang;
    ///
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/", get(move |headers: axum::http::HeaderMap, uri: axum::http::Uri| async move {
    ///         let consent = CHARTER.consent(&headers);
    ///         let banner = CHARTER.banner(&consent, Lang::Fr).page(uri.path_and_query().map_or("/", |p| p.as_str()));
    ///         axum::response::Html(format!("<body>{banner}<main>Bonjour</main></body>"))
    ///     }))
    ///     .merge(CHARTER.consent_routes())
    ///     .layer(CHARTER.layer());
    /// ```
    ///
    /// # Panics
    ///
    /// When the charter declares no `consent_cookie` (it cannot record consent).
    #[track_caller]
    pub fn consent_routes<S>(&'static self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        assert!(
            self.consent_cookie_declaration().is_some(),
            "this charter declares no `consent_cookie`: it cannot record consent"
        );
        Router::new().route(
            "/consent",
            post(
                move |uri: Uri, headers: HeaderMap, body: Bytes| async move {
                    record(self, &uri, &headers, &body)
                },
            )
            .layer(DefaultBodyLimit::max(MAX_BODY_WITH_SLACK)),
        )
    }
}

fn record(charter: &Charter, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Response<Body> {
    let host = field(headers, &HOST);
    let origin = field(headers, &ORIGIN);
    let sec_fetch_site = field(headers, &HeaderName::from_static("sec-fetch-site"));
    let referer = field(headers, &REFERER);
    let content_type = field(headers, &CONTENT_TYPE);
    let post = ConsentPost {
        scheme: uri.scheme_str(),
        host: uri
            .authority()
            .map(|a| a.as_str().as_bytes())
            .or(host.as_deref()),
        origin: origin.as_deref(),
        sec_fetch_site: sec_fetch_site.as_deref(),
        referer: referer.as_deref(),
        content_type: content_type.as_deref(),
        body,
    };
    let decided = charter.decide_consent(&post).and_then(|decision| {
        // `decide_consent` only gives printable ASCII paths: always a valid value.
        let location = HeaderValue::try_from(decision.location.as_str())
            .map_err(|_| super::Refusal::ForeignReturn(decision.location.clone()))?;
        Ok((decision, location))
    });
    let mut response = match decided {
        Ok((decision, location)) => {
            // The visitor's earlier decision keeps its id: their records share it.
            let previous = charter.consent(headers);
            let cookie = charter
                .next_consent_cookie(&previous, &decision.granted)
                .expect("`consent_routes` checked the charter has a consent cookie")
                .to_string();
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::SEE_OTHER;
            response.headers_mut().insert(LOCATION, location);
            if let Ok(cookie) = HeaderValue::try_from(cookie) {
                response.headers_mut().append(SET_COOKIE, cookie);
            }
            response
        }
        Err(refusal) => {
            let body = refusal_body(charter, &refusal, uri.path());
            let mut response = Response::new(Body::from(body));
            *response.status_mut() =
                StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN);
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            // The message quotes the request's headers: never read it as HTML.
            response
                .headers_mut()
                .insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            response
        }
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A request field: its one value, or its values joined by `", "` (which the decision
/// refuses for the fields it checks).
fn field<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<Cow<'h, [u8]>> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    let mut joined: Option<Vec<u8>> = None;
    for value in values {
        let joined = joined.get_or_insert_with(|| first.as_bytes().to_vec());
        joined.extend_from_slice(b", ");
        joined.extend_from_slice(value.as_bytes());
    }
    Some(joined.map_or(Cow::Borrowed(first.as_bytes()), Cow::Owned))
}
