//! The `Set-Cookie` reader: never panics, and what it reads (name, value, prefix rule,
//! lifetime)
//! is what a plain reading of RFC 6265bis §5.6 gives: split on `;`, the name up to the
//! first `=`, trimmed; the attributes after it. The reader scans many bytes per step and
//! reads attributes only on demand; this reference does everything byte by byte,
//! eagerly (with its own `trim`: it must not share the reader's code).
#![no_main]

use charte_core::enforce::{read_name, SetCookie};
use charte_core::model::NamePrefix;
use libfuzzer_sys::fuzz_target;

fn trim(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// The name and value a browser reads, or `None` when it ignores the line.
fn reference(line: &[u8]) -> Option<(&str, &[u8])> {
    if line.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return None;
    }
    let pair = line.split(|b| *b == b';').next().unwrap_or_default();
    let eq = pair.iter().position(|b| *b == b'=')?;
    let (name, value) = (trim(&pair[..eq]), trim(&pair[eq + 1..]));
    if name.is_empty() || name.len() + value.len() > 4096 {
        return None;
    }
    Some((std::str::from_utf8(name).ok()?, value))
}

/// The prefix rule broken, from the attributes read eagerly.
fn reference_broken_prefix(name: &str, line: &[u8]) -> Option<NamePrefix> {
    let prefix = NamePrefix::of(name)?;
    let (mut secure, mut http_only, mut path, mut domain) = (false, false, None, false);
    for av in line.split(|b| *b == b';').skip(1) {
        let (key, value) = match av.iter().position(|b| *b == b'=') {
            Some(eq) => (trim(&av[..eq]), trim(&av[eq + 1..])),
            None => (trim(av), &av[..0]),
        };
        if value.len() > 1024 {
            continue;
        }
        if key.eq_ignore_ascii_case(b"secure") {
            secure = true;
        } else if key.eq_ignore_ascii_case(b"httponly") {
            http_only = true;
        } else if key.eq_ignore_ascii_case(b"path") {
            path = Some(value);
        } else if key.eq_ignore_ascii_case(b"domain") {
            domain = true;
        }
    }
    let kept = match prefix {
        NamePrefix::Host => secure && path == Some(&b"/"[..]) && !domain,
        NamePrefix::HostHttp => secure && http_only && path == Some(&b"/"[..]) && !domain,
        NamePrefix::Http => secure && http_only,
        NamePrefix::Secure => secure,
    };
    (!kept).then_some(prefix)
}

/// The last valid `Max-Age`, read eagerly: an optional `-` then digits, saturating.
fn reference_max_age(line: &[u8]) -> Option<i64> {
    let mut max_age = None;
    for av in line.split(|b| *b == b';').skip(1) {
        let Some(eq) = av.iter().position(|b| *b == b'=') else {
            continue;
        };
        let (key, value) = (trim(&av[..eq]), trim(&av[eq + 1..]));
        if value.len() > 1024 || !key.eq_ignore_ascii_case(b"max-age") {
            continue;
        }
        let (negative, digits) = match value.split_first() {
            Some((b'-', digits)) => (true, digits),
            _ => (false, value),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let mut magnitude = 0i64;
        for d in digits {
            magnitude = magnitude
                .saturating_mul(10)
                .saturating_add(i64::from(d - b'0'));
        }
        max_age = Some(if negative { -magnitude } else { magnitude });
    }
    max_age
}

fuzz_target!(|line: &[u8]| {
    let read = SetCookie::read(line);
    let expected = reference(line);
    assert_eq!(
        read.ok().map(|c| (c.name(), c.value())),
        expected,
        "{line:?}"
    );
    assert_eq!(read_name(line).ok(), expected.map(|(name, _)| name));
    let Ok(cookie) = read else {
        return;
    };
    assert_eq!(
        cookie.broken_prefix(),
        reference_broken_prefix(cookie.name(), line)
    );
    // The lifetime: a valid `Max-Age` wins; else what the whole walk reads of `Expires`
    // (the lifetime alone skips attributes and settles digit-free ones at once).
    let now = 1_763_894_400;
    match reference_max_age(line) {
        Some(max_age) => assert_eq!(cookie.lifetime(now), Some(max_age), "{line:?}"),
        None => assert_eq!(
            cookie.lifetime(now),
            cookie.attributes().lifetime(now),
            "{line:?}"
        ),
    }
    let _ = cookie.is_removal(now);
});
