//! The consent endpoint for actix-web (feature `actix`).

use std::borrow::Cow;

use actix_web::http::header::{
    HeaderMap, HeaderName, CACHE_CONTROL, CONTENT_TYPE, HOST, LOCATION, ORIGIN, REFERER,
    X_CONTENT_TYPE_OPTIONS,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, Resource};

use super::{refusal_body, ConsentPost, MAX_BODY_WITH_SLACK};
use crate::model::Charter;

impl Charter {
    /// The consent endpoint as an actix-web [`Resource`]: `POST /consent`, to register
    /// with `App::service` (inside a `web::scope("/cookies")` it serves
    /// `/cookies/consent`; tell the banner with [`Banner::action`](super::Banner::action)).
    /// The answers are those of `CHARTER.consent_routes()` (axum): `303 See Other` with
    /// the consent cookie, or a refusal without cookie (`403`, `400`, `413`, `415`) and
    /// a `WARN` event. The rules: [`post`](super::post).
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
    /// use actix_web::{web, App, HttpRequest, HttpResponse};
    /// use charte_core::Lang;
    ///
    /// let app = App::new()
    ///     .route("/", web::get().to(move |request: HttpRequest| async move {
    ///         let consent = CHARTER.consent_actix(request.headers());
    ///         let page = request.uri().path_and_query().map_or("/", |p| p.as_str());
    ///         let banner = CHARTER.banner(&consent, Lang::Fr).page(page);
    ///         HttpResponse::Ok()
    ///             .content_type("text/html; charset=utf-8")
    ///             .body(format!("<body>{banner}<main>Bonjour</main></body>"))
    ///     }))
    ///     .service(CHARTER.actix_consent())
    ///     .wrap(CHARTER.actix());
    /// ```
    ///
    /// # Panics
    ///
    /// When the charter declares no `consent_cookie` (it cannot record consent).
    #[track_caller]
    pub fn actix_consent(&'static self) -> Resource {
        assert!(
            self.consent_cookie_declaration().is_some(),
            "this charter declares no `consent_cookie`: it cannot record consent"
        );
        web::resource("/consent")
            .app_data(web::PayloadConfig::new(MAX_BODY_WITH_SLACK))
            .route(
                web::post().to(move |request: HttpRequest, body: web::Bytes| async move {
                    record(self, &request, &body)
                }),
            )
    }
}

fn record(charter: &Charter, request: &HttpRequest, body: &[u8]) -> HttpResponse {
    let headers = request.headers();
    let host = field(headers, &HOST);
    let origin = field(headers, &ORIGIN);
    let sec_fetch_site = field(headers, &HeaderName::from_static("sec-fetch-site"));
    let referer = field(headers, &REFERER);
    let content_type = field(headers, &CONTENT_TYPE);
    let uri = request.uri();
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
    match charter.decide_consent(&post) {
        Ok(decision) => {
            // The visitor's earlier decision keeps its id: their records share it.
            let previous = charter.consent_actix(headers);
            let cookie = charter
                .next_consent_cookie(&previous, &decision.granted)
                .expect("`actix_consent` checked the charter has a consent cookie")
                .to_string();
            let mut response = HttpResponse::SeeOther();
            response.insert_header((CACHE_CONTROL, "no-store"));
            // `decide_consent` only gives printable ASCII paths, and the consent
            // cookie is cookie-octets: both are valid header values.
            response.insert_header((LOCATION, decision.location));
            response.append_header((actix_web::http::header::SET_COOKIE, cookie));
            response.finish()
        }
        Err(refusal) => {
            let body = refusal_body(charter, &refusal, uri.path());
            HttpResponse::build(
                StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN),
            )
            .insert_header((CACHE_CONTROL, "no-store"))
            // The message quotes the request's headers: never read it as HTML.
            .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .content_type("text/plain; charset=utf-8")
            .body(body)
        }
    }
}

/// A request field: its one value, or its values joined by `", "` (which the decision
/// refuses for the fields it checks).
fn field<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<Cow<'h, [u8]>> {
    let mut values = headers.get_all(name);
    let first = values.next()?;
    let mut joined: Option<Vec<u8>> = None;
    for value in values {
        let joined = joined.get_or_insert_with(|| first.as_bytes().to_vec());
        joined.extend_from_slice(b", ");
        joined.extend_from_slice(value.as_bytes());
    }
    Some(joined.map_or(Cow::Borrowed(first.as_bytes()), Cow::Owned))
}
