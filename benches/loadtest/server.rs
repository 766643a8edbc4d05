//! The server `benches/loadtest.sh` loads: one axum route setting three lawful cookies,
//! bare or behind `CHARTER.layer()`.
//!
//! `cargo run --release --features tower --example loadtest_server -- PORT bare|layer`

use std::sync::OnceLock;

use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::get;
use axum::Router;
use charte::Charter;

#[path = "../support/exchange.rs"]
mod exchange;

fn charter() -> &'static Charter {
    static CHARTER: OnceLock<Charter> = OnceLock::new();
    CHARTER.get_or_init(|| {
        charte::check_str(
            "bench.toml",
            include_str!("../../tests/support/enforcement.toml"),
        )
        .charter
        .unwrap()
    })
}

async fn handler() -> impl IntoResponse {
    (
        AppendHeaders(exchange::LAWFUL_SET_COOKIES.map(|value| (SET_COOKIE, value))),
        "ok",
    )
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(3100);
    let with_layer = match args.next().as_deref() {
        Some("layer") => true,
        Some("bare") | None => false,
        Some(other) => panic!("mode must be bare or layer, not {other:?}"),
    };
    if std::env::var_os("PRINT_CONSENT").is_some() {
        let consent = charter().consent_cookie(&[charte::Category::Statistics]);
        println!("{}", consent.stripped());
        return Ok(());
    }
    let router = Router::new().route("/", get(handler));
    let router = if with_layer {
        router.layer(charter().layer())
    } else {
        router
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?
        .block_on(async {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            axum::serve(listener, router).await
        })
}
