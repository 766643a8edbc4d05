//! Driver for `benches/instructions.sh`: sends the router benchmark's request N times
//! through one of its four routers (`bare`, `noop_layer`, `charte_layer`,
//! `hand_written_middleware`), so that callgrind can count what each router costs per
//! request: the layer's whole cost as the router runs it, allocations included,
//! independent of the machine's load.
//!
//! `router_instructions ROUTER N`

use axum::http::header::SET_COOKIE;
use tower::ServiceExt;

#[path = "../support/exchange.rs"]
mod exchange;
#[path = "../support/routers.rs"]
mod routers;

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_default();
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let router = routers::router(&name);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut set = 0;
    for _ in 0..n {
        let response = runtime
            .block_on(router.clone().oneshot(routers::request()))
            .unwrap();
        set += response.headers().get_all(SET_COOKIE).iter().count();
    }
    // Every request must have been answered with its three cookies.
    assert_eq!(set, 3 * n);
}
