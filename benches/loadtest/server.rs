//! The server `benches/loadtest.sh` loads: one axum route setting three lawful cookies,
//! bare or behind `CHARTER.layer()`: the route of the router benchmark
//! (`benches/support/routers.rs`), with its `charter!`-generated charter.
//!
//! `cargo run --release --features tower --example loadtest_server -- PORT bare|layer`

#[path = "../support/exchange.rs"]
mod exchange;
#[path = "../support/routers.rs"]
mod routers;

use routers::{app, charter};

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
    // `axum::serve` turns the router into routes itself, once per connection.
    let router = if with_layer {
        app().layer(charter().layer())
    } else {
        app()
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
