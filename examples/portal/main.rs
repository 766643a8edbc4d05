//! The demo portal: `cargo run --example portal`, then open http://127.0.0.1:3000
//! (`PORT` overrides the port). Every cookie the enforcement layer drops is logged.
//! Every decision is kept in the proof log at `PROOF_URL` (default
//! `sqlite://charte-proof.sqlite`): `cargo run --bin charte -- proof export URL`.

mod app;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "charte=info".into()),
        )
        .init();
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("PORT={port:?} is not a port number"),
            )
        })?,
        Err(_) => 3000,
    };
    let proof_url =
        std::env::var("PROOF_URL").unwrap_or_else(|_| "sqlite://charte-proof.sqlite".into());
    let log = charte_core::proof::ProofLog::open(&proof_url)
        .map_err(|e| std::io::Error::other(format!("PROOF_URL={proof_url}: {e}")))?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("Demo portal on http://{}", listener.local_addr()?);
    println!("Charter: http://{}/charte-cookies", listener.local_addr()?);
    println!("Proof of consent: {proof_url}");
    axum::serve(listener, app::router_with(Some(log))).await
}
