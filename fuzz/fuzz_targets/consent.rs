//! The consent parser: never panics, grants only what a well-formed, current value of
//! this revision says, and round-trips what it accepts.
#![no_main]

use charte_core::{Category, Consent};
use libfuzzer_sys::fuzz_target;

const REVISION: &str = "0123456789abcdef";
const NOW: u64 = 1_763_894_400;

fuzz_target!(|value: &[u8]| {
    let consent = Consent::decode(value, REVISION, NOW);
    if !consent.is_recorded() {
        assert_eq!(consent, Consent::NONE);
        return;
    }
    // Accepted: the value is exactly the canonical encoding of what was read.
    assert_eq!(consent.encode(REVISION).unwrap().as_bytes(), value);
    // Format 1 has no id; format 2 ends with its 26-character id.
    match value[0] {
        b'1' => assert!(value.starts_with(b"1.0123456789abcdef.") && consent.id().is_none()),
        _ => {
            assert!(value.starts_with(b"2.0123456789abcdef."));
            let id = consent.id().expect("format 2 has an id");
            assert!(value.ends_with(id.as_str().as_bytes()));
        }
    }
    for category in Category::CONSENTABLE {
        let _ = consent.is_granted(category);
    }
});
