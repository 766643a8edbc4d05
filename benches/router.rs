//! The same axum router four ways, in one run: bare; behind a no-op layer; behind
//! `CHARTER.layer()`; behind the middleware a user would write by hand (`Cookie::parse`
//! and a `HashSet`). The request carries a consent cookie; the handler sets three lawful
//! cookies. Driven with `tower::ServiceExt::oneshot`, no network.
//! `cargo bench --bench router --features tower`.

use axum::http::header::SET_COOKIE;
use tower::ServiceExt;

#[path = "support/exchange.rs"]
mod exchange;
#[path = "support/routers.rs"]
mod routers;

use routers::{request, router};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn bench_router(bencher: divan::Bencher, name: &str) {
    let runtime = runtime();
    let router = router(name);
    bencher
        .with_inputs(|| (router.clone(), request()))
        .bench_local_values(|(router, request)| {
            let response = runtime.block_on(router.oneshot(request)).unwrap();
            assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 3);
            response
        });
}

#[divan::bench(sample_count = 3000, sample_size = 20)]
fn bare(bencher: divan::Bencher) {
    bench_router(bencher, "bare");
}

#[divan::bench(sample_count = 3000, sample_size = 20)]
fn noop_layer(bencher: divan::Bencher) {
    bench_router(bencher, "noop_layer");
}

#[divan::bench(sample_count = 3000, sample_size = 20)]
fn charte_layer(bencher: divan::Bencher) {
    bench_router(bencher, "charte_layer");
}

#[divan::bench(sample_count = 3000, sample_size = 20)]
fn hand_written_middleware(bencher: divan::Bencher) {
    bench_router(bencher, "hand_written_middleware");
}
