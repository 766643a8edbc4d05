//! Pattern declarations (`name = "_pk_id*"`) through `charter!`.

charte::charter!(mod demo = "tests/fixtures/patterns.toml");

#[test]
fn a_pattern_constant_builds_only_names_it_covers() {
    let cookie = demo::_PK_ID.build("_pk_id.1.a2b3", "v").unwrap();
    assert_eq!(cookie.name(), "_pk_id.1.a2b3");
    assert_eq!(
        cookie.max_age(),
        Some(cookie::time::Duration::seconds(13 * 2_630_016))
    );
    let refused = demo::_PK_ID.build("_pk_ses.1", "v").unwrap_err();
    assert_eq!(refused.declared, "_pk_id*");
    assert!(demo::_PK_ID.build("_pk_id;x", "v").is_err(), "not a token");
}

#[test]
fn lookup_prefers_exact_names_then_patterns() {
    assert_eq!(
        demo::CHARTER.lookup("_pk_id.9").unwrap().declared_name(),
        "_pk_id*"
    );
    assert_eq!(demo::CHARTER.lookup("lang").unwrap().name(), "lang");
    assert!(demo::CHARTER.lookup("_pk").is_none());
}

#[test]
fn anonymous_statistics_need_no_consent_but_first_party_does() {
    assert!(!demo::_PK_ID.cookie().needs_consent());
    assert!(demo::PREFS.needs_consent());
    assert_eq!(
        demo::PREFS.build("x").to_string(),
        "prefs=x; Secure; Path=/; Domain=example.fr; Max-Age=15552000"
    );
}

#[test]
fn quotes_and_backslashes_in_texts_survive_generation() {
    assert_eq!(
        demo::PREFS.purpose(),
        r#"Remember "display" preferences (a\b)"#
    );
}
