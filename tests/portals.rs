//! The five seed portals, through `charter!`: the generated constants say exactly what
//! the seed pages' tables say.

use charte::{Category, Charter};

charte::charter!("portals/roubaix.toml");
charte::charter!("portals/reseda.toml");
charte::charter!("portals/valenciennes.toml");
charte::charter!("portals/cangt.toml");
charte::charter!("portals/dunkerque.toml");
charte::charter!(pub(crate) mod platform = "portals/opendatasoft.toml");

/// The table rows of a seed page: the tab-separated lines after the header row, minus
/// separator rows (`---`), as `[provider, service, name, purpose]`.
fn seed_rows(page: &str) -> Vec<Vec<String>> {
    page.lines()
        .filter(|line| line.contains('\t'))
        .skip(1)
        .filter(|line| !line.starts_with('-'))
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

fn charter_rows(charter: &Charter) -> Vec<Vec<String>> {
    charter
        .cookies()
        .iter()
        .map(|c| {
            [c.provider(), c.service(), c.name(), c.purpose()]
                .map(str::to_owned)
                .to_vec()
        })
        .collect()
}

fn seed_site(page: &str) -> &str {
    let start = page.find("<https://").expect("the seed gives its address") + 1;
    let end = start + page[start..].find('>').unwrap();
    &page[start..end]
}

fn assert_matches_seed(charter: &Charter, page: &str) {
    let rows = seed_rows(page);
    assert_eq!(rows.len(), 4, "every seed has four rows");
    assert_eq!(charter_rows(charter), rows);
    assert_eq!(charter.site(), seed_site(page));
    assert!(charter
        .cookies()
        .iter()
        .all(|c| c.category() == Category::Necessary));
}

#[test]
fn roubaix_matches_its_seed() {
    assert_matches_seed(
        &roubaix::CHARTER,
        include_str!("fixtures/seeds/roubaix.txt"),
    );
}

#[test]
fn reseda_matches_its_seed() {
    assert_matches_seed(&reseda::CHARTER, include_str!("fixtures/seeds/reseda.txt"));
}

#[test]
fn valenciennes_matches_its_seed() {
    assert_matches_seed(
        &valenciennes::CHARTER,
        include_str!("fixtures/seeds/valenciennes.txt"),
    );
}

#[test]
fn cangt_matches_its_seed() {
    assert_matches_seed(&cangt::CHARTER, include_str!("fixtures/seeds/cangt.txt"));
}

#[test]
fn dunkerque_matches_its_seed() {
    assert_matches_seed(
        &dunkerque::CHARTER,
        include_str!("fixtures/seeds/dunkerque.txt"),
    );
}

#[test]
fn constants_are_the_charters_cookies() {
    assert_eq!(roubaix::SESSIONID, roubaix::CHARTER.cookies()[0]);
    assert_eq!(roubaix::DJANGO_LANGUAGE.name(), "django_language");
    assert_eq!(
        roubaix::CSRFTOKEN.purpose(),
        "Récupérer des données via des appels API"
    );
    assert_eq!(
        roubaix::COOKIES_PREFERENCES.purpose(),
        "Permet de se souvenir du choix opéré par le visiteur concernant les cookies"
    );
    assert_eq!(
        reseda::COOKIES_PREFERENCES.purpose(),
        "Se souvenir du choix opéré par le visiteur concernant les cookies"
    );
}

#[test]
fn portals_differ_from_their_base_only_where_their_seed_does() {
    for charter in [&reseda::CHARTER, &valenciennes::CHARTER, &cangt::CHARTER] {
        assert_eq!(charter.cookies(), platform::CHARTER.cookies());
    }
    for charter in [&roubaix::CHARTER, &dunkerque::CHARTER] {
        let differing: Vec<&str> = charter
            .cookies()
            .iter()
            .zip(platform::CHARTER.cookies())
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.name())
            .collect();
        assert_eq!(differing, ["cookies_preferences"]);
    }
}

#[test]
fn build_carries_the_declared_attributes() {
    let cookie = roubaix::SESSIONID.build("abc");
    assert_eq!(cookie.name(), "sessionid");
    assert_eq!(cookie.value(), "abc");
    assert_eq!(cookie.path(), Some("/"));
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(cookie::SameSite::Lax));
    assert_eq!(
        cookie.max_age(),
        None,
        "a cookie without duration is a session cookie"
    );
}

#[test]
fn removal_matches_name_path_and_domain_and_expires_now() {
    let removal = roubaix::CSRFTOKEN.removal();
    assert_eq!(removal.name(), "csrftoken");
    assert_eq!(removal.value(), "");
    assert_eq!(removal.path(), Some("/"));
    assert_eq!(removal.max_age(), Some(cookie::time::Duration::ZERO));
}

#[test]
fn the_consent_cookie_is_the_declared_one() {
    let consent = roubaix::CHARTER.consent_cookie_declaration().unwrap();
    assert_eq!(consent, &roubaix::COOKIES_PREFERENCES);
}

#[test]
fn generated_lookup_finds_exact_names_only() {
    let charter = &dunkerque::CHARTER;
    assert_eq!(charter.lookup("sessionid"), Some(&dunkerque::SESSIONID));
    assert!(
        charter.lookup("SESSIONID").is_none(),
        "names are case-sensitive"
    );
    assert!(charter.lookup("sessionid2").is_none());
    assert!(charter.lookup("").is_none());
}

#[test]
fn revisions_differ_between_portals_and_are_sixteen_hex_digits() {
    let revisions = [
        roubaix::CHARTER.revision(),
        reseda::CHARTER.revision(),
        valenciennes::CHARTER.revision(),
        cangt::CHARTER.revision(),
        dunkerque::CHARTER.revision(),
    ];
    for (i, a) in revisions.iter().enumerate() {
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(revisions[..i].iter().all(|b| b != a));
    }
}

#[test]
fn the_macro_and_the_loader_agree_on_the_revision() {
    let origin = charte::Origin {
        path: concat!(env!("CARGO_MANIFEST_DIR"), "/portals/roubaix.toml").into(),
        display: "portals/roubaix.toml".into(),
        root: None,
    };
    let loaded = charte::check(&origin).charter.unwrap();
    assert_eq!(loaded.revision(), roubaix::CHARTER.revision());
    assert_eq!(loaded.cookies(), roubaix::CHARTER.cookies());
}
