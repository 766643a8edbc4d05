//! Driver for `benches/instructions.sh`: repeats one part of the engine's work on the
//! router benchmark's exchange N times, so that `valgrind --tool=callgrind` can count
//! its instructions. Instruction counts do not depend on the machine's load, unlike
//! wall time on these shared machines.
//!
//! `engine_instructions PART N`, PART one of: `baseline` (the loop alone), `clock`,
//! `read_request`, `set_cookie_0`, `set_cookie_1`, `set_cookie_2`, `lifetime_0`,
//! `lifetime_1`, `lifetime_2` (a line read and its lifetime found), `prefix_rule` (reading
//! the `__Host-` line and checking its prefix rule), `lookup`,
//! `exchange` (`read_request` then `enforce`, as the layer does).

use std::hint::black_box;

use charte::enforce::{Engine, Outcome, SetCookie};
use charte::{Category, Mode};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

charte::charter!(mod declared = "tests/support/enforcement.toml");

#[path = "../support/exchange.rs"]
mod exchange;

use exchange::LAWFUL_SET_COOKIES as LINES;

fn main() {
    let mut args = std::env::args().skip(1);
    let part = args.next().unwrap_or_default();
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);

    let charter = &declared::CHARTER;
    let engine = Engine::new(charter, Mode::Enforce);
    let now = charte::consent::now();
    let consent = charter.consent_cookie(&[Category::Statistics]);
    let mut request = HeaderMap::new();
    request.insert(
        COOKIE,
        HeaderValue::try_from(consent.stripped().to_string()).unwrap(),
    );
    let mut response = HeaderMap::new();
    for line in LINES {
        response.append(SET_COOKIE, HeaderValue::from_static(line));
    }
    let values: Vec<&[u8]> = request
        .get_all(COOKIE)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();

    let mut checksum = 0usize;
    for _ in 0..n {
        checksum += match part.as_str() {
            "baseline" => black_box(1),
            "clock" => charte::consent::now() as usize,
            "read_request" => {
                let read = engine.read_request(black_box(&values).iter().copied(), now);
                usize::from(read.consent.is_recorded())
            }
            "set_cookie_0" | "set_cookie_1" | "set_cookie_2" => {
                let line = LINES[usize::from(part.as_bytes()[11] - b'0')];
                SetCookie::read(black_box(line.as_bytes())).map_or(0, |c| c.name_bytes().len())
            }
            "lifetime_0" | "lifetime_1" | "lifetime_2" => {
                // One line read and its lifetime found, as the engine does for a lawful
                // line without a name prefix.
                let line = LINES[usize::from(part.as_bytes()[9] - b'0')];
                SetCookie::read(black_box(line.as_bytes()))
                    .map_or(0, |c| c.lifetime(now).map_or(1, |s| s as usize))
            }
            "prefix_rule" => {
                // The `__Host-` line's prefix rule: its attributes walked.
                let line = black_box(LINES[2].as_bytes());
                SetCookie::read(line).map_or(0, |c| usize::from(c.broken_prefix().is_none()))
            }
            "lookup" => exchange::NAMES
                .into_iter()
                .filter(|name| charter.lookup(black_box(name)).is_some())
                .count(),
            "exchange" => {
                let read = engine.read_request(black_box(&values).iter().copied(), now);
                let outcome = engine.enforce(black_box(&mut response), &read, [], Some("/"), now);
                usize::from(outcome == Outcome::Passed)
            }
            other => panic!("unknown part {other:?}"),
        };
    }
    // Every part must have done its work: the checksum is printed so that it is used.
    println!("{checksum}");
}
