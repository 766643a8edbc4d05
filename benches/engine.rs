//! The enforcement engine alone, on one response: every cookie passing (no allocation),
//! and one cookie dropped. `cargo bench --bench engine` (divan counts allocations).

use std::sync::OnceLock;

use charte::enforce::{Engine, Outcome};
use charte::{Category, Charter, Mode};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

const NOW: u64 = 1_763_894_400;

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

/// A request carrying a consent to statistics and a statistics cookie.
fn request() -> HeaderMap {
    let consent = charter()
        .consent_cookie_at(&[Category::Statistics], NOW)
        .unwrap();
    let mut headers = HeaderMap::new();
    let cookie = format!("{}; sessionid=abc; _pk_id.1.abc=42", consent.stripped());
    headers.insert(COOKIE, HeaderValue::try_from(cookie).unwrap());
    headers
}

fn response(values: &[&'static str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for value in values {
        headers.append(SET_COOKIE, HeaderValue::from_static(value));
    }
    headers
}

const LAWFUL: [&str; 3] = [
    "sessionid=abc123; HttpOnly; SameSite=Lax; Secure; Path=/",
    "_pk_id.1.abc=42; Path=/; Max-Age=34190208",
    "__Host-id=1; Secure; Path=/",
];

fn run(request: &HeaderMap, response: &mut HeaderMap) -> Outcome {
    let engine = Engine::new(charter(), Mode::Enforce);
    let values = || request.get_all(COOKIE).iter().map(HeaderValue::as_bytes);
    let cookies = engine.read_request(values(), NOW);
    engine.enforce(response, &cookies, values(), Some("/"), NOW)
}

#[divan::bench(sample_count = 1000, sample_size = 100)]
fn three_cookies_all_pass(bencher: divan::Bencher) {
    let request = request();
    bencher
        .with_inputs(|| response(&LAWFUL))
        .bench_local_refs(|response| {
            let outcome = run(&request, response);
            debug_assert_eq!(outcome, Outcome::Passed);
            outcome
        });
}

#[divan::bench(sample_count = 1000, sample_size = 100)]
fn three_cookies_one_dropped(bencher: divan::Bencher) {
    let request = request();
    bencher
        .with_inputs(|| response(&[LAWFUL[0], "_ga=GA1.1.42; Path=/", LAWFUL[2]]))
        .bench_local_refs(|response| run(&request, response));
}

#[divan::bench(sample_count = 1000, sample_size = 100)]
fn read_name(bencher: divan::Bencher) {
    bencher.bench(|| charte::enforce::read_name(divan::black_box(LAWFUL[0].as_bytes())));
}

#[divan::bench(sample_count = 1000, sample_size = 100)]
fn cookie_parse_for_comparison(bencher: divan::Bencher) {
    bencher.bench(|| cookie::Cookie::parse(divan::black_box(LAWFUL[0])).map(|c| c.name().len()));
}

#[divan::bench(sample_count = 1000, sample_size = 100)]
fn read_request_with_consent(bencher: divan::Bencher) {
    let request = request();
    let engine = Engine::new(charter(), Mode::Enforce);
    bencher.bench_local(|| {
        engine.read_request(
            request.get_all(COOKIE).iter().map(HeaderValue::as_bytes),
            NOW,
        )
    });
}

#[divan::bench(sample_count = 1000, sample_size = 100)]
fn lookup_three_names(bencher: divan::Bencher) {
    let charter = charter();
    bencher.bench_local(|| {
        ["sessionid", "_pk_id.1.abc", "__Host-id"]
            .map(|name| charter.lookup(divan::black_box(name)).is_some())
    });
}
