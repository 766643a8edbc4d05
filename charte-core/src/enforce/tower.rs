//! The enforcement layer for tower: axum, hyper, tonic... (feature `tower`).
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
//! use axum::response::AppendHeaders;
//! use axum::routing::get;
//!
//! let app: axum::Router = axum::Router::new()
//!     .route("/", get(move || async move { (AppendHeaders([LANG.set_cookie("fr").unwrap()]), "Bonjour") }))
//!     .layer(CHARTER.layer()); // outermost: it must see every cookie
//! ```
//!
//! The layer must wrap every layer and handler that sets cookies: a layer added after
//! it (outside it) is not checked. `CHARTER.layer().mode(Mode::Strict)` answers 500 to
//! any response that would set a cookie the charter does not allow.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::header::{COOKIE, LOCATION};
use http::{HeaderValue, Request, Response, StatusCode, Uri};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::consent::now;
use crate::model::Charter;

use super::proof::{self, Log, Recording};
use super::{Engine, Mode, Outcome, Refusal, RequestCookies};

impl Charter {
    /// The enforcement layer for this charter, in [`Mode::Enforce`].
    ///
    /// ```
    /// # fn leak() -> &'static charte_core::Charter {
    /// #   Box::leak(Box::new(charte_core::check_str("x.toml", r#"
    /// #   [charter]
    /// #   site = "https://example.fr"
    /// #   "#).charter.unwrap()))
    /// # }
    /// # let CHARTER = leak();
    /// use charte_core::Mode;
    /// let layer = CHARTER.layer().mode(Mode::Strict);
    /// # let _ = layer;
    /// ```
    pub fn layer(&'static self) -> CharterLayer {
        CharterLayer {
            charter: self,
            mode: Mode::Enforce,
            proof: None,
        }
    }
}

/// A [`tower::Layer`](tower_layer::Layer) that enforces a charter on every response.
/// Made by `CHARTER.layer()`.
#[derive(Debug, Clone, Copy)]
pub struct CharterLayer {
    charter: &'static Charter,
    mode: Mode,
    proof: Option<Log>,
}

impl CharterLayer {
    /// Chooses the mode (default [`Mode::Enforce`]).
    pub fn mode(mut self, mode: Mode) -> CharterLayer {
        self.mode = mode;
        self
    }

    /// Keeps the proof of each decision in `log` (features `proof-sqlite`,
    /// `proof-postgres`): a response that sets or removes the consent cookie is sent
    /// once its record is committed; when the store cannot commit, the consent cookie is
    /// taken out of that response (the visitor will be asked again; a removal stays)
    /// and an `ERROR` event is emitted. Responses that do not touch the consent cookie
    /// never wait and allocate nothing more. The log is kept for the life of the process.
    ///
    /// ```no_run
    /// # fn leak() -> &'static charte_core::Charter {
    /// #   Box::leak(Box::new(charte_core::check_str("x.toml", "[charter]\nsite = \"https://example.fr\"\n").charter.unwrap()))
    /// # }
    /// # let CHARTER = leak();
    /// # fn main() -> Result<(), charte_core::proof::ProofError> {
    /// # let CHARTER = leak();
    /// let log = charte_core::proof::ProofLog::open("sqlite://charte-proof.sqlite")?;
    /// let app: axum::Router = axum::Router::new().layer(CHARTER.layer().proof(log));
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(any(feature = "proof-sqlite", feature = "proof-postgres"))]
    pub fn proof(mut self, log: crate::proof::ProofLog) -> CharterLayer {
        self.proof = Some(proof::leak(log));
        self
    }
}

impl<S> Layer<S> for CharterLayer {
    type Service = CharterService<S>;

    fn layer(&self, inner: S) -> CharterService<S> {
        CharterService {
            inner,
            engine: Engine::new(self.charter, self.mode),
            proof: self.proof,
        }
    }
}

/// The service made by [`CharterLayer`].
#[derive(Debug, Clone)]
pub struct CharterService<S> {
    inner: S,
    engine: Engine<'static>,
    proof: Option<Log>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CharterService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<String>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let headers = request.headers();
        let now = now();
        let cookies = self.engine.read_request(
            headers.get_all(COOKIE).iter().map(HeaderValue::as_bytes),
            now,
        );
        // The request is gone when the response comes: keep its `Cookie` values only
        // when a carried cookie may have to be cleared (cloning a value is a reference
        // count), and its URI only when someone listens to the events (at any level:
        // `ERROR` is enabled whenever `WARN` or `INFO` is).
        let carried = if cookies.carried.is_empty() {
            Vec::new()
        } else {
            headers.get_all(COOKIE).iter().cloned().collect()
        };
        // With a proof log, a decision's record names its route: the URI is kept (a
        // reference count for the URIs servers parse).
        let route = (self.proof.is_some()
            || tracing::enabled!(target: "charte", tracing::Level::ERROR))
        .then(|| request.uri().clone());
        ResponseFuture {
            inner: self.inner.call(request),
            engine: self.engine,
            cookies,
            carried,
            route,
            now,
            proof: self.proof,
            held: None,
            recording: None,
        }
    }
}

pin_project! {
    /// The response future of [`CharterService`]: enforces the charter on the
    /// response's headers once the inner service answers.
    pub struct ResponseFuture<F>
    where
        F: Future,
    {
        #[pin]
        inner: F,
        engine: Engine<'static>,
        cookies: RequestCookies,
        carried: Vec<HeaderValue>,
        route: Option<Uri>,
        // The request's time, for the response too: one clock read per exchange.
        now: u64,
        proof: Option<Log>,
        // A decision's response, held until its record is committed (boxed: the
        // future, moved into the router's box for every request, stays small).
        held: Option<Box<F::Output>>,
        recording: Option<Recording>,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: From<String>,
{
    type Output = Result<Response<ResBody>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(recording) = this.recording {
            let committed = ready!(proof::poll(recording, cx));
            *this.recording = None;
            let mut output = *this
                .held
                .take()
                .expect("a response is held while recording");
            if let (Err(error), Ok(response)) = (committed, &mut output) {
                proof::withhold(
                    this.engine,
                    response.headers_mut(),
                    this.cookies,
                    this.carried.iter().map(HeaderValue::as_bytes),
                    this.route.as_ref().map(Uri::path),
                    *this.now,
                    &error,
                );
            }
            return Poll::Ready(output);
        }
        // Judged where the inner future answered it: the response is not moved.
        let mut poll = this.inner.poll(cx);
        let Poll::Ready(Ok(response)) = &mut poll else {
            return poll;
        };
        let Some(log) = *this.proof else {
            let outcome = this.engine.enforce(
                response.headers_mut(),
                this.cookies,
                this.carried.iter().map(HeaderValue::as_bytes),
                this.route.as_ref().map(Uri::path),
                *this.now,
            );
            if let Outcome::Refused(refusal) = outcome {
                *response = refused(&refusal);
            }
            return poll;
        };
        let (outcome, change) = this.engine.enforce_with_change(
            response.headers_mut(),
            this.cookies,
            this.carried.iter().map(HeaderValue::as_bytes),
            this.route.as_ref().map(Uri::path),
            *this.now,
        );
        if let Outcome::Refused(refusal) = outcome {
            *response = refused(&refusal);
            return poll;
        }
        let recording = change.and_then(|change| {
            proof::begin(
                log,
                this.engine.charter(),
                change,
                &this.cookies.consent,
                response.headers().get(LOCATION).map(HeaderValue::as_bytes),
                this.route.as_ref().map(Uri::path),
                *this.now,
            )
        });
        if let Some(recording) = recording {
            // Held until the commit; polled again at once, to be woken by it.
            *this.held = Some(Box::new(match poll {
                Poll::Ready(output) => output,
                Poll::Pending => unreachable!("the response is ready"),
            }));
            *this.recording = Some(recording);
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        poll
    }
}

/// The 500 answered instead of a response [`Mode::Strict`] refuses (out of line: the
/// common path of the future stays small).
#[cold]
#[inline(never)]
fn refused<ResBody: From<String>>(refusal: &Refusal) -> Response<ResBody> {
    let mut refused = Response::new(ResBody::from(refusal.to_string()));
    *refused.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    refused.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    refused
}
