use std::io::Write as _;

use super::*;

const CHARTER: &str = r#"
[charter]
site = "https://example.fr"
consent_cookie = "consent"

[[cookie]]
name = "consent"
provider = "P"
service = "S"
purpose = "U"
category = "necessary"

[[cookie]]
name = "sessionid"
provider = "P"
service = "S"
purpose = "U"
category = "necessary"
http_only = true

[[cookie]]
name = "lang"
provider = "P"
service = "S"
purpose = "U"
category = "fonctionnel"

[[cookie]]
name = "_pk_id*"
provider = "P"
service = "S"
purpose = "U"
category = "statistics"

[[cookie]]
name = "hits"
provider = "P"
service = "S"
purpose = "U"
category = "statistics"
anonymous = true

[[cookie]]
name = "theme"
provider = "P"
service = "S"
purpose = "U"
category = "first-party"

[[cookie]]
name = "yt*"
provider = "P"
service = "S"
purpose = "U"
category = "tiers"
"#;

fn charter(text: &str) -> Charter {
    crate::check_str("guard.toml", text).charter.unwrap()
}

#[test]
fn each_declaration_needs_what_its_category_and_attributes_say() {
    let charter = charter(CHARTER);
    let data = GuardData::of(&charter);
    assert_eq!(
        data.names,
        [
            ("consent", Need::Nothing),
            ("sessionid", Need::ServerOnly),
            ("lang", Need::Nothing),
            ("hits", Need::Nothing),
            ("theme", Need::Consent(Category::FirstParty)),
        ]
    );
    assert_eq!(
        data.patterns,
        [
            ("_pk_id", Need::Consent(Category::Statistics)),
            ("yt", Need::Consent(Category::ThirdParty)),
        ]
    );
    assert_eq!(data.consent, Some("consent"));
    assert!(!data.consent_http_only);
    assert_eq!(data.revision, charter.revision());
}

#[test]
fn the_script_carries_the_data_in_the_numbers_the_template_reads() {
    let charter = charter(CHARTER);
    let script = charter.guard_script();
    assert!(script.contains(
        r#"new Map([["consent",0],["sessionid",4],["lang",0],["hits",0],["theme",2]]);"#
    ));
    assert!(script.contains(r#"const patterns = [["_pk_id",1],["yt",3]];"#));
    assert!(script.contains(r#"const consentName = "consent";"#));
    assert!(script.contains("const httpOnly = false;"));
    assert!(script.contains(&format!("const lifetime = {CONSENT_LIFETIME};")));
    assert!(script.contains(&format!("const skew = {DAY};")));
    let revision = charter.revision();
    assert_eq!(
        script.matches(&format!("1\\.{revision}\\.")).count()
            + script.matches(&format!("2\\.{revision}\\.")).count(),
        2
    );
}

#[test]
fn every_placeholder_is_filled_and_every_comment_line_stripped() {
    let script = charter(CHARTER).guard_script();
    assert!(!script.contains("__"), "{script}");
    for line in script.lines() {
        assert!(!line.trim_start().starts_with("//"), "{line}");
        assert!(!line.starts_with(' '), "{line}");
    }
    assert!(script.starts_with("(() => {\n\"use strict\";\n"));
    assert!(script.ends_with("})();\n"));
}

#[test]
fn a_consent_cookie_declared_http_only_is_read_from_the_page() {
    let text = CHARTER.replacen(
        "category = \"necessary\"\n",
        "category = \"necessary\"\nhttp_only = true\n",
        1,
    );
    let charter = charter(&text);
    let data = GuardData::of(&charter);
    assert!(data.consent_http_only);
    assert_eq!(data.names[0], ("consent", Need::ServerOnly));
    assert!(charter.guard_script().contains("const httpOnly = true;"));
}

#[test]
fn a_charter_without_consent_cookie_grants_nothing() {
    let text = CHARTER.replace("consent_cookie = \"consent\"\n", "");
    let charter = charter(&text);
    let script = charter.guard_script();
    assert!(script.contains("const consentName = null;"));
    assert!(script.contains("const httpOnly = false;"));
}

#[test]
fn the_same_charter_gives_the_same_script() {
    assert_eq!(
        charter(CHARTER).guard_script(),
        charter(CHARTER).guard_script()
    );
}

#[test]
fn strings_are_escaped_for_javascript_inside_html() {
    let mut out = String::new();
    js_string(&mut out, "a_b-c.1 ~!");
    assert_eq!(out, r#""a_b-c.1 ~!""#);
    let mut out = String::new();
    js_string(&mut out, "\"\\</script>'\n\u{e9}\u{1f36a}");
    assert_eq!(
        out,
        r#""\u0022\u005c\u003c/script\u003e\u0027\u000a\u00e9\ud83c\udf6a""#
    );
}

#[test]
fn a_revision_matches_itself_only() {
    let mut out = String::new();
    regex_literal(&mut out, "0123abcdef");
    assert_eq!(out, "0123abcdef");
    let mut out = String::new();
    regex_literal(&mut out, "a.b/c");
    assert_eq!(out, r"a\u002eb\u002fc");
}

/// The SPEC's bound: at most 2 KB gzipped for the demo portal's charter.
#[test]
fn the_demo_guard_is_at_most_2_kb_gzipped() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/portal.toml");
    let origin = crate::Origin {
        display: path.display().to_string(),
        path,
        root: None,
    };
    let charter = crate::check(&origin).charter.unwrap();
    let script = charter.guard_script();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(script.as_bytes()).unwrap();
    let gzipped = gzip.finish().unwrap().len();
    println!(
        "guard for examples/portal.toml: {} bytes, {gzipped} bytes gzipped",
        script.len()
    );
    assert!(gzipped <= 2048, "{gzipped} bytes gzipped");
}
