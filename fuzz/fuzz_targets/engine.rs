//! The whole engine on arbitrary `Set-Cookie` and `Cookie` headers: never panics, and
//! what it lets through passes a second run untouched (nothing unlawful survives).
#![no_main]

use std::sync::OnceLock;

use charte_core::model::Categories;
use charte_core::enforce::{Engine, Outcome, RequestCookies, SetCookie};
use charte_core::{Category, Charter, Mode};
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

const NOW: u64 = 1_763_894_400;

fn charter() -> &'static Charter {
    static CHARTER: OnceLock<Charter> = OnceLock::new();
    CHARTER.get_or_init(|| {
        charte_core::check_str("fuzz.toml", include_str!("../charter.toml"))
            .charter
            .expect("the fuzz charter is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let charter = charter();
    // Lines separated by `\n`: the first is the request's Cookie header, the others
    // Set-Cookie values. A byte `\x00` selects a consent cookie in the request.
    let mut lines = data.split(|b| *b == b'\n');
    let cookie_header = lines.next().unwrap_or_default();
    let mut response = HeaderMap::new();
    for line in lines {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            response.append(SET_COOKIE, value);
        }
    }
    let mut request_headers: Vec<Vec<u8>> = vec![cookie_header.to_vec()];
    if data.first() == Some(&0) {
        let consent = charter
            .consent_cookie_at(&[Category::Statistics], NOW)
            .unwrap();
        request_headers.push(consent.stripped().to_string().into_bytes());
    }
    let engine = Engine::new(charter, Mode::Enforce);
    let request = engine.read_request(request_headers.iter().map(|h| &h[..]), NOW);
    let before = response.get_all(SET_COOKIE).iter().count();
    let outcome = engine.enforce(
        &mut response,
        &request,
        request_headers.iter().map(|h| &h[..]),
        Some("/fuzz"),
        NOW,
    );
    if outcome == Outcome::Passed {
        assert_eq!(response.get_all(SET_COOKIE).iter().count(), before);
    }
    // Every survivor is a removal or a declared cookie.
    for value in response.get_all(SET_COOKIE) {
        let cookie = SetCookie::read(value.as_bytes()).expect("a survivor is readable");
        assert!(cookie.is_removal(NOW) || charter.lookup(cookie.name()).is_some());
        assert!(cookie.is_removal(NOW) || cookie.broken_prefix().is_none());
    }
    // Enforcement is idempotent: what it let through passes again (the carried cookies
    // to clear are cleared by removals, which always pass).
    let cleared = RequestCookies {
        carried: Categories::EMPTY,
        ..request
    };
    let second = engine.enforce(&mut response, &cleared, std::iter::empty(), None, NOW);
    assert!(
        matches!(second, Outcome::Passed),
        "second run: {second:?} on {response:?}"
    );
});
