//! The decisions-per-second benchmark of the proof of consent (`benches/proof.sh`):
//! an axum server whose every answer to `/decide` is a decision (a consent cookie set
//! by the handler, recorded through `CHARTER.layer().proof(log)`), and a load client of
//! `CLIENTS` concurrent connections over 127.0.0.1.
//!
//! ```text
//! proof_load serve PORT none|URL        # the server, with or without a log
//! proof_load load PORT SECONDS CLIENTS none|URL
//! ```
//!
//! `load` prints decisions per second and the latency percentiles of the answers, and,
//! given the log's URL, checks afterwards that every consent cookie received has its
//! record and that there is no other record (zero lost).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use axum::response::IntoResponse;
use axum::routing::get;
use charte::{Category, Consent};

charte::charter!(mod portal = "examples/portal.toml");

async fn decide() -> impl IntoResponse {
    let cookie = portal::CHARTER.consent_cookie(&[Category::Statistics]);
    ([(http::header::SET_COOKIE, cookie.to_string())], "recorded")
}

fn serve(port: u16, url: &str) -> std::io::Result<()> {
    let layer = if url == "none" {
        portal::CHARTER.layer()
    } else {
        let log = charte_core::proof::ProofLog::open(url).map_err(std::io::Error::other)?;
        portal::CHARTER.layer().proof(log)
    };
    let app = axum::Router::new()
        .route("/decide", get(decide))
        .layer(layer);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(async {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            axum::serve(listener, app).await
        })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// The machine's busy and idle time so far (clock ticks, from `/proc/stat`), or `None`
/// where there is no such file.
fn cpu_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal
    let idle = ticks.get(3)? + ticks.get(4)?;
    let busy = ticks.iter().take(8).sum::<u64>() - idle;
    Some((busy, idle))
}

fn load(port: u16, seconds: u64, clients: usize, url: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let ticks_before = cpu_ticks();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, Vec<String>, usize)> = runtime.block_on(async {
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    let (mut latencies, mut values, mut failures) = (Vec::new(), Vec::new(), 0);
                    while Instant::now() < deadline {
                        let sent = Instant::now();
                        let answer = client
                            .get(format!("http://127.0.0.1:{port}/decide"))
                            .send()
                            .await;
                        let Ok(answer) = answer else {
                            failures += 1;
                            continue;
                        };
                        let value = answer
                            .headers()
                            .get("set-cookie")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|l| l.split(';').next())
                            .and_then(|p| p.split_once('='))
                            .map(|(_, v)| v.to_string());
                        let ok = answer.status().is_success() && answer.bytes().await.is_ok();
                        latencies.push(sent.elapsed());
                        match value {
                            Some(value) if ok => values.push(value),
                            _ => failures += 1,
                        }
                    }
                    (latencies, values, failures)
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    });
    let elapsed = started.elapsed().as_secs_f64();
    // The cores are shared (builds, other sessions): the share left idle during the load
    // tells a run short of CPU from one bound by the store's commits.
    let idle = match (ticks_before, cpu_ticks()) {
        (Some((b0, i0)), Some((b1, i1))) => {
            let (busy, idle) = (b1 - b0, i1 - i0);
            format!(
                "; cores idle {:.0} %",
                100.0 * idle as f64 / (busy + idle).max(1) as f64
            )
        }
        _ => String::new(),
    };
    let mut latencies: Vec<Duration> = results.iter().flat_map(|r| r.0.clone()).collect();
    latencies.sort_unstable();
    let values: Vec<&String> = results.iter().flat_map(|r| &r.1).collect();
    let failures: usize = results.iter().map(|r| r.2).sum();
    println!(
        "{url}: {} decisions in {elapsed:.1} s = {:.0}/s with {clients} clients; latency p50 {:.2} ms, p99 {:.2} ms; {failures} failed answers{idle}",
        values.len(),
        values.len() as f64 / elapsed,
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
    );
    if url == "none" {
        return;
    }
    let now = charte::consent::now();
    let received: HashSet<String> = values
        .iter()
        .filter_map(|v| Consent::decode(v.as_bytes(), portal::CHARTER.revision(), now).id())
        .map(|id| id.to_string())
        .collect();
    let mut recorded = HashSet::new();
    let mut store = charte_core::proof::Store::open(url).unwrap();
    store
        .export(None, |r| {
            recorded.insert(r.consent_id);
            true
        })
        .unwrap();
    let lost = received.difference(&recorded).count();
    let extra = recorded.difference(&received).count();
    let verification = store.verify().unwrap();
    println!(
        "{url}: {} cookies received, {} records: {lost} lost, {extra} without a cookie; chain {}",
        received.len(),
        recorded.len(),
        match verification.broken {
            None => "whole".to_string(),
            Some(b) => b.to_string(),
        }
    );
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    match arg(0) {
        "serve" => serve(arg(1).parse().expect("PORT"), arg(2)),
        "load" => {
            load(
                arg(1).parse().expect("PORT"),
                arg(2).parse().expect("SECONDS"),
                arg(3).parse().expect("CLIENTS"),
                arg(4),
            );
            Ok(())
        }
        _ => {
            eprintln!("usage: proof_load serve PORT none|URL | load PORT SECONDS CLIENTS none|URL");
            std::process::exit(2);
        }
    }
}
