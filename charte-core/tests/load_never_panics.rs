//! Whatever the input, loading returns diagnostics that point inside the file: it never
//! panics (a panic in the macro would be "proc macro panicked", with no location).

use charte_core::check_str;
use proptest::prelude::*;

/// Lines that look like a declaration, shuffled and mutated: closer to real mistakes
/// than uniformly random bytes.
fn declaration_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("[charter]".to_owned()),
        Just("[[cookie]]".to_owned()),
        Just("site = \"https://x.fr\"".to_owned()),
        Just("consent_cookie = \"c\"".to_owned()),
        Just("extends = \"nowhere.toml\"".to_owned()),
        "(name|provider|service|purpose|category|duration|path|domain|same_site|lang) = \"[ -~é*_]{0,12}\"",
        "(secure|http_only|partitioned|anonymous) = (true|false|1|\"x\")",
        "[a-z_]{1,8} = [\\[\\]{}\"'0-9a-z=,. ]{0,10}",
        any::<String>(),
    ];
    proptest::collection::vec(line, 0..30).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn loading_never_panics_and_locates_every_error(text in declaration_like()) {
        if let Err(diagnostics) = check_str("fuzz.toml", &text).charter {
            prop_assert!(!diagnostics.0.is_empty());
            let lines = text.split('\n').count();
            for d in &diagnostics.0 {
                let _ = d.render();
                if let Some(at) = &d.location {
                    prop_assert!(at.line >= 1 && at.line <= lines, "{at:?} outside {lines} lines");
                    prop_assert!(at.column >= 1);
                }
            }
        }
    }
}
