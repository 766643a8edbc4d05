//! The banner's HTML for the demo charter (`examples/portal.toml`), in French and
//! English, as users see it: any change to it shows in review.
//!
//! After an intended change: `CHARTE_BLESS=1 cargo test --test banner_snapshot`, then
//! read the diff of `tests/snapshots/`.

use std::path::PathBuf;

use charte::{Category, Consent, Lang};

charte::charter!(mod portal = "examples/portal.toml");

#[track_caller]
fn assert_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("CHARTE_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("writing {path:?}: {e}"));
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {path:?}: {e} (CHARTE_BLESS=1 writes it)"));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "the banner differs from {path:?} from line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             (CHARTE_BLESS=1 rewrites the snapshot after an intended change)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

#[test]
fn the_french_banner_is_as_reviewed() {
    let html = portal::CHARTER
        .banner(&Consent::NONE, Lang::Fr)
        .page("/statistiques?cookies=manage")
        .to_string();
    assert_snapshot("banner.fr.html", &html);
}

#[test]
fn the_english_banner_is_as_reviewed() {
    let html = portal::CHARTER
        .banner(&Consent::NONE, Lang::En)
        .page("/")
        .to_string();
    assert_snapshot("banner.en.html", &html);
}

#[test]
fn the_banner_is_empty_once_decided_unless_reopened() {
    let decided = Consent::new(&[Category::Statistics], charte::consent::now());
    let banner = |page| {
        portal::CHARTER
            .banner(&decided, Lang::Fr)
            .page(page)
            .to_string()
    };
    assert_eq!(banner("/"), "");
    assert_eq!(banner("/statistiques?page=2"), "");
    // Not the reopening pair: a longer value, or in the fragment.
    assert_eq!(banner("/?cookies=managed"), "");
    let reopened = banner("/statistiques?page=2&cookies=manage");
    assert!(reopened.contains(r#"role="dialog""#), "{reopened}");
    // The boxes show the decision being changed, and the visitor goes back to the page
    // without the reopening pair.
    assert!(
        reopened.contains(r#"id="consent-statistics" name="statistics" value="on" checked>"#),
        "{reopened}"
    );
    assert!(
        reopened.contains(r#"id="consent-first-party" name="first-party" value="on">"#),
        "{reopened}"
    );
    assert!(
        reopened.contains(r#"name="return_to" value="/statistiques?page=2">"#),
        "{reopened}"
    );
    let forced = portal::CHARTER.banner(&decided, Lang::En).reopen(true);
    assert!(forced.to_string().contains("Refuse all"));
}

#[test]
fn the_banner_offers_a_choice_only_for_categories_that_need_consent() {
    let html = portal::CHARTER.banner(&Consent::NONE, Lang::Fr).to_string();
    // The demo uses necessary, statistics and first-party cookies, no third-party one.
    assert!(html.contains(r#"name="statistics""#));
    assert!(html.contains(r#"name="first-party""#));
    assert!(!html.contains(r#"name="third-party""#));
    assert!(!html.contains(r#"name="necessary""#));
    // One sentence per category used, from the declared purposes.
    assert_eq!(html.matches("<li>").count(), 3, "{html}");
    assert!(html.contains("Compter les visites et les pages vues pour améliorer le portail."));
    assert!(html.contains("Se souvenir du thème d&#39;affichage choisi."));
    // Without `page`, no `return_to`: the endpoint goes back to the `Referer`.
    assert!(!html.contains("return_to"));
    // No external resource, no script.
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("http"));
}

#[test]
fn the_page_given_to_the_banner_is_escaped() {
    let html = portal::CHARTER
        .banner(&Consent::NONE, Lang::Fr)
        .page("/a\"><script>alert(1)</script>")
        .action("/c?x=1&y=\"2\"")
        .to_string();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains(r#"value="/a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#));
    assert!(html.contains(r#"action="/c?x=1&amp;y=&quot;2&quot;""#));
}
