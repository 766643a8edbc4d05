//! The `Set-Cookie` reader: never panics, and a name it reads is what a browser reads.
#![no_main]

use charte_core::enforce::{read_name, SetCookie};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    let Ok(name) = read_name(line) else {
        return;
    };
    // The name: non-empty, trimmed, no control character, before the first `;` and `=`.
    assert!(!name.is_empty());
    assert!(!name.starts_with([' ', '\t']) && !name.ends_with([' ', '\t']));
    assert!(!name.bytes().any(|b| b.is_ascii_control() && b != b'\t'));
    assert!(!name.contains(';') && !name.contains('='));
    let first_stop = line.iter().position(|b| *b == b';' || *b == b'=').unwrap();
    assert_eq!(line[first_stop], b'=');
    let cookie = SetCookie::read(line).unwrap();
    assert!(name.len() + cookie.value().len() <= 4096);
    let _ = cookie.is_removal(1_763_894_400);
    let _ = cookie.broken_prefix();
});
