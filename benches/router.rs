//! The same axum router four ways, in one run: bare; behind a no-op layer; behind
//! `CHARTER.layer()`; behind the middleware a user would write by hand (`Cookie::parse`
//! and a `HashSet`). The request carries a consent cookie; the handler sets three lawful
//! cookies. Driven with `tower::ServiceExt::oneshot`, no network.
//! `cargo bench --bench router --features tower`.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use charte::{Category, Charter};
use tower::{Layer, Service, ServiceExt};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

fn charter() -> &'static Charter {
    static CHARTER: OnceLock<Charter> = OnceLock::new();
    CHARTER.get_or_init(|| {
        charte::check_str(
            "bench.toml",
            include_str!("../tests/support/enforcement.toml"),
        )
        .charter
        .unwrap()
    })
}

async fn handler() -> impl IntoResponse {
    (
        AppendHeaders([
            (
                SET_COOKIE,
                "sessionid=abc123; HttpOnly; SameSite=Lax; Secure; Path=/",
            ),
            (SET_COOKIE, "_pk_id.1.abc=42; Path=/; Max-Age=34190208"),
            (SET_COOKIE, "__Host-id=1; Secure; Path=/"),
        ]),
        "ok",
    )
}

fn app() -> Router {
    Router::new().route("/", get(handler))
}

fn request() -> Request {
    static COOKIE_HEADER: OnceLock<HeaderValue> = OnceLock::new();
    let cookie = COOKIE_HEADER.get_or_init(|| {
        let consent = charter().consent_cookie(&[Category::Statistics]);
        HeaderValue::try_from(consent.stripped().to_string()).unwrap()
    });
    Request::builder()
        .uri("/")
        .header(COOKIE, cookie.clone())
        .body(Body::empty())
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn bench_router(bencher: divan::Bencher, router: Router) {
    let runtime = runtime();
    bencher
        .with_inputs(|| (router.clone(), request()))
        .bench_local_values(|(router, request)| {
            let response = runtime.block_on(router.oneshot(request)).unwrap();
            assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 3);
            response
        });
}

#[divan::bench(sample_count = 500, sample_size = 20)]
fn bare(bencher: divan::Bencher) {
    bench_router(bencher, app());
}

#[divan::bench(sample_count = 500, sample_size = 20)]
fn noop_layer(bencher: divan::Bencher) {
    bench_router(bencher, app().layer(NoopLayer));
}

#[divan::bench(sample_count = 500, sample_size = 20)]
fn charte_layer(bencher: divan::Bencher) {
    bench_router(bencher, app().layer(charter().layer()));
}

#[divan::bench(sample_count = 500, sample_size = 20)]
fn hand_written_middleware(bencher: divan::Bencher) {
    bench_router(
        bencher,
        app().layer(axum::middleware::from_fn(hand_written)),
    );
}

/// The same shape as the charte layer (a service and a future around the inner
/// ones), doing nothing: the cost of any layer.
#[derive(Clone)]
struct NoopLayer;

impl<S> Layer<S> for NoopLayer {
    type Service = Noop<S>;
    fn layer(&self, inner: S) -> Noop<S> {
        Noop(inner)
    }
}

#[derive(Clone)]
struct Noop<S>(S);

impl<S: Service<Request>> Service<Request> for Noop<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = NoopFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        NoopFuture {
            inner: self.0.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    struct NoopFuture<F> {
        #[pin]
        inner: F,
    }
}

impl<F: Future> Future for NoopFuture<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

/// What a developer would write without charte: parse every cookie with the `cookie`
/// crate, check names against a `HashSet`, and consent with the request's cookie.
async fn hand_written(request: Request, next: Next) -> Response {
    static DECLARED: OnceLock<HashSet<&'static str>> = OnceLock::new();
    static NEEDS_CONSENT: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let declared = DECLARED.get_or_init(|| {
        charter()
            .cookies()
            .iter()
            .filter(|c| !c.is_pattern())
            .map(|c| c.name())
            .collect()
    });
    let needs_consent = NEEDS_CONSENT.get_or_init(|| {
        charter()
            .cookies()
            .iter()
            .filter(|c| c.needs_consent())
            .map(|c| c.name())
            .collect()
    });
    let statistics_granted = request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .any(|c| c.name() == "consent" && c.value().ends_with(".100"));
    let mut response = next.run(request).await;
    let kept: Vec<HeaderValue> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter(|value| {
            let Some(cookie) = value
                .to_str()
                .ok()
                .and_then(|s| cookie::Cookie::parse(s).ok())
            else {
                return false;
            };
            let name = cookie.name();
            let pattern = name.starts_with("_pk_id");
            let known = declared.contains(name) || pattern;
            let consented = !(needs_consent.contains(name) || pattern) || statistics_granted;
            known && consented
        })
        .cloned()
        .collect();
    response.headers_mut().remove(SET_COOKIE);
    for value in kept {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}
