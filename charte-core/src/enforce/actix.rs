//! The enforcement middleware for actix-web 4 (feature `actix`).
//!
//! ```
//! # fn leak() -> &'static charte_core::Charter {
//! #   Box::leak(Box::new(charte_core::check_str("x.toml", r#"
//! #   [charter]
//! #   site = "https://example.fr"
//! #   [[cookie]]
//! #   name = "lang"
//! #   provider = "Example"
//! #   service = "Language"
//! #   purpose = "Remember the visitor's language."
//! #   category = "necessary"
//! #   "#).charter.unwrap()))
//! # }
//! # let CHARTER = leak();
//! # let LANG = &CHARTER.cookies()[0];
//! use actix_web::{web, App, HttpResponse};
//!
//! let app = App::new()
//!     .route("/", web::get().to(move || async move {
//!         HttpResponse::Ok().append_header(LANG.actix_set_cookie("fr").unwrap()).body("Bonjour")
//!     }))
//!     .wrap(CHARTER.actix()); // the last `wrap` is the outermost: it sees every cookie
//! ```
//!
//! actix-web runs the last `wrap` first: the middleware must be wrapped after (outside)
//! every middleware that sets cookies, or their cookies are not checked. It runs the
//! same [`Engine`] as the tower layer, over actix-web's own header types.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, InvalidHeaderValue, COOKIE, LOCATION, SET_COOKIE,
};
use actix_web::HttpResponse;
use pin_project_lite::pin_project;

use crate::consent::{now, Consent};
use crate::model::{Charter, Cookie};

use super::proof::{self, Log, Recording};
use super::{Edit, Engine, Mode, Outcome, RequestCookies, SetCookieHeaders};

impl Charter {
    /// The actix-web middleware enforcing this charter, in [`Mode::Enforce`]: pass it
    /// to `App::wrap`, last.
    pub fn actix(&'static self) -> CharterMiddleware {
        CharterMiddleware {
            charter: self,
            mode: Mode::Enforce,
            proof: None,
        }
    }

    /// The visitor's consent, read from an actix-web request's `Cookie` headers.
    pub fn consent_actix(&self, request_headers: &HeaderMap) -> Consent {
        self.consent_in(
            request_headers.get_all(COOKIE).map(HeaderValue::as_bytes),
            now(),
        )
    }
}

impl Cookie {
    /// A `Set-Cookie` header (actix-web's types) setting this declared cookie to
    /// `value` with every declared attribute, for `HttpResponseBuilder::append_header`.
    /// Fails when `value` holds bytes a header cannot carry.
    ///
    /// ```
    /// # let charter = charte_core::check_str("x.toml", r#"
    /// # [charter]
    /// # site = "https://example.fr"
    /// # [[cookie]]
    /// # name = "lang"
    /// # provider = "Example"
    /// # service = "Language"
    /// # purpose = "Remember the visitor's language."
    /// # category = "necessary"
    /// # path = "/"
    /// # "#).charter.unwrap();
    /// # let LANG = &charter.cookies()[0];
    /// let response = actix_web::HttpResponse::Ok()
    ///     .append_header(LANG.actix_set_cookie("fr").unwrap())
    ///     .finish();
    /// assert_eq!(response.headers().get("set-cookie").unwrap(), "lang=fr; Path=/");
    /// ```
    pub fn actix_set_cookie(
        &self,
        value: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Result<(HeaderName, HeaderValue), InvalidHeaderValue> {
        let header = HeaderValue::try_from(self.build(value).to_string())?;
        Ok((SET_COOKIE, header))
    }
}

impl SetCookieHeaders for HeaderMap {
    fn set_cookies(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all(SET_COOKIE).map(HeaderValue::as_bytes)
    }

    fn edit_set_cookies(&mut self, edit: &mut dyn FnMut(&[u8]) -> Edit) {
        let values: Vec<HeaderValue> = self.remove(SET_COOKIE).collect();
        for value in values {
            match edit(value.as_bytes()) {
                Edit::Keep => self.append(SET_COOKIE, value),
                Edit::Drop => {}
                Edit::Replace(bytes) => {
                    if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                        self.append(SET_COOKIE, value);
                    }
                }
            }
        }
    }

    fn append_set_cookie(&mut self, value: String) -> bool {
        match HeaderValue::try_from(value) {
            Ok(value) => {
                self.append(SET_COOKIE, value);
                true
            }
            Err(_) => false,
        }
    }
}

/// The actix-web middleware factory made by `CHARTER.actix()`.
#[derive(Debug, Clone, Copy)]
pub struct CharterMiddleware {
    charter: &'static Charter,
    mode: Mode,
    proof: Option<Log>,
}

impl CharterMiddleware {
    /// Chooses the mode (default [`Mode::Enforce`]).
    pub fn mode(mut self, mode: Mode) -> CharterMiddleware {
        self.mode = mode;
        self
    }

    /// Keeps the proof of each decision in `log` (features `proof-sqlite`,
    /// `proof-postgres`), as `CHARTER.layer().proof(log)` does for tower: a response
    /// that sets or removes the consent cookie is sent once its record is committed;
    /// when the store cannot commit, the consent cookie is taken out of that response
    /// and an `ERROR` event is emitted. The log is kept for the life of the process.
    #[cfg(any(feature = "proof-sqlite", feature = "proof-postgres"))]
    pub fn proof(mut self, log: crate::proof::ProofLog) -> CharterMiddleware {
        self.proof = Some(proof::leak(log));
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for CharterMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = CharterActixService<S>;
    type InitError = ();
    type Future = Ready<Result<CharterActixService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CharterActixService {
            service,
            engine: Engine::new(self.charter, self.mode),
            proof: self.proof,
        }))
    }
}

/// The service made by [`CharterMiddleware`].
#[derive(Debug)]
pub struct CharterActixService<S> {
    service: S,
    engine: Engine<'static>,
    proof: Option<Log>,
}

impl<S, B> Service<ServiceRequest> for CharterActixService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = ActixResponseFuture<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let now = now();
        let cookies = self.engine.read_request(
            request.headers().get_all(COOKIE).map(HeaderValue::as_bytes),
            now,
        );
        ActixResponseFuture {
            inner: self.service.call(request),
            engine: self.engine,
            cookies,
            now,
            proof: self.proof,
            held: None,
            recording: None,
        }
    }
}

pin_project! {
    /// The response future of [`CharterActixService`]. actix-web keeps the request in
    /// the response, so nothing of it is copied.
    pub struct ActixResponseFuture<F>
    where
        F: Future,
    {
        #[pin]
        inner: F,
        engine: Engine<'static>,
        cookies: RequestCookies,
        // The request's time, for the response too: one clock read per exchange.
        now: u64,
        proof: Option<Log>,
        // A decision's response, held until its record is committed (boxed: the
        // future stays small for every other request).
        held: Option<Box<F::Output>>,
        recording: Option<Recording>,
    }
}

impl<F, B> Future for ActixResponseFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(recording) = this.recording {
            let committed = ready!(proof::poll(recording, cx));
            *this.recording = None;
            let held = (*this
                .held
                .take()
                .expect("a response is held while recording"))?;
            let (request, mut response) = held.into_parts();
            if let Err(error) = committed {
                proof::withhold(
                    this.engine,
                    response.headers_mut(),
                    this.cookies,
                    request.headers().get_all(COOKIE).map(HeaderValue::as_bytes),
                    Some(request.path()),
                    *this.now,
                    &error,
                );
            }
            return Poll::Ready(Ok(
                ServiceResponse::new(request, response).map_into_left_body()
            ));
        }
        let (request, mut response) = ready!(this.inner.poll(cx))?.into_parts();
        let (outcome, change) = match this.proof {
            None => (
                this.engine.enforce(
                    response.headers_mut(),
                    this.cookies,
                    request.headers().get_all(COOKIE).map(HeaderValue::as_bytes),
                    Some(request.path()),
                    *this.now,
                ),
                None,
            ),
            Some(_) => this.engine.enforce_with_change(
                response.headers_mut(),
                this.cookies,
                request.headers().get_all(COOKIE).map(HeaderValue::as_bytes),
                Some(request.path()),
                *this.now,
            ),
        };
        let response = match outcome {
            Outcome::Refused(refusal) => ServiceResponse::new(
                request,
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body(refusal.to_string()),
            )
            .map_into_right_body(),
            _ => {
                let recording = match (*this.proof, change) {
                    (Some(log), Some(change)) => proof::begin(
                        log,
                        this.engine.charter(),
                        change,
                        &this.cookies.consent,
                        response.headers().get(LOCATION).map(HeaderValue::as_bytes),
                        Some(request.path()),
                        *this.now,
                    ),
                    _ => None,
                };
                if let Some(recording) = recording {
                    // Held until the commit; polled again at once, to be woken by it.
                    *this.held = Some(Box::new(Ok(ServiceResponse::new(request, response))));
                    *this.recording = Some(recording);
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                ServiceResponse::new(request, response).map_into_left_body()
            }
        };
        Poll::Ready(Ok(response))
    }
}
