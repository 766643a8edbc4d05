//! `import`: charter pages as found in the wild become declarations `check` accepts.

use charte_cli::import::{import, import_with, Defaults, Imported};
use charte_core::{Category, Charter, Format, Lang};

#[path = "../../tests/fixtures/seed_pages.rs"]
mod seed_pages;

use seed_pages::{rows, seed, SEEDS};

fn imported(page: &str) -> Imported {
    import(page).unwrap_or_else(|e| panic!("import failed:\n{e}"))
}

fn checked(imported: &Imported) -> Charter {
    match charte_core::check_str("imported.toml", imported.toml()).charter {
        Ok(charter) => charter,
        Err(diagnostics) => panic!("{}\n{diagnostics:?}", imported.toml()),
    }
}

fn line_of(page: &str, text: &str) -> usize {
    page.lines()
        .position(|l| l.trim_end_matches('\r') == text)
        .unwrap()
        + 1
}

const ENGLISH: &str = "Cookie policy\n\
\n\
Our site: <https://data.example.org>\n\
\n\
Necessary cookies\n\
Cookie name\tProvider\tPurpose\tService and location\tDuration\n\
sessionid\tExample\tKeep you signed in\tWhole site\tsession\n\
\n\
Third-party cookies\n\
Cookie name\tProvider\tPurpose\tService and location\tDuration\n\
YSC\tYouTube\tPlay embedded videos\tVideo pages\t6 months\n\
__Host-yt\tYouTube\tRemember the player's settings\tVideo pages\t\n";

#[test]
fn each_seed_round_trips_to_its_rows() {
    for name in SEEDS {
        let page = seed(name);
        let imported = imported(&page);
        assert_eq!(imported.lang, Lang::Fr, "{name}");
        let charter = checked(&imported);
        let rendered = charter.render(Format::Text, Lang::Fr);
        assert_eq!(rows(&rendered), rows(&page), "{name}");
        assert!(
            page.contains(&format!("<{}>", charter.site())),
            "{name}: site {}",
            charter.site()
        );
        assert!(charter
            .cookies()
            .iter()
            .all(|c| c.category() == Category::Necessary));
    }
}

#[test]
fn a_stray_line_inside_a_table_is_skipped_with_a_warning() {
    let page = seed("dunkerque");
    let imported = imported(&page);
    assert_eq!(imported.cookies.len(), 4);
    let line = line_of(&page, "DUNKERQUE AGGLO DATA");
    let warning = imported
        .warnings
        .iter()
        .find(|w| w.line == Some(line))
        .unwrap();
    assert!(
        warning.message.contains("DUNKERQUE AGGLO DATA"),
        "{warning}"
    );
}

#[test]
fn the_seeds_without_noise_give_no_warning() {
    for name in ["roubaix", "reseda", "valenciennes", "cangt"] {
        assert_eq!(imported(&seed(name)).warnings, [], "{name}");
    }
}

#[test]
fn crlf_pages_read_like_lf_pages() {
    let page = seed("valenciennes");
    let crlf = page.replace('\n', "\r\n");
    let lf = imported(&page);
    let from_crlf = imported(&crlf);
    assert_eq!(from_crlf.cookies, lf.cookies);
    assert_eq!(from_crlf.toml(), lf.toml());
    assert!(!from_crlf.toml().contains('\r'));
}

#[test]
fn english_headers_in_any_order_and_english_headings_are_read() {
    let imported = imported(ENGLISH);
    assert_eq!(imported.lang, Lang::En);
    assert_eq!(imported.site, "https://data.example.org");
    let names: Vec<(&str, Category)> = imported
        .cookies
        .iter()
        .map(|c| (c.name.as_str(), c.category))
        .collect();
    assert_eq!(
        names,
        [
            ("sessionid", Category::Necessary),
            ("YSC", Category::ThirdParty),
            ("__Host-yt", Category::ThirdParty),
        ]
    );
    let ysc = &imported.cookies[1];
    assert_eq!(ysc.provider, "YouTube");
    assert_eq!(ysc.service, "Video pages");
    assert_eq!(ysc.purpose, "Play embedded videos");
    let charter = checked(&imported);
    assert_eq!(charter.lang(), Lang::En);
    // `__Host-` names can only have been set secure, on `/`, without a domain.
    let host = charter.lookup("__Host-yt").unwrap();
    assert!(host.secure());
    assert_eq!(host.path(), Some("/"));
}

#[test]
fn an_extra_duration_column_becomes_the_declared_duration() {
    let imported = imported(ENGLISH);
    let durations: Vec<Option<&str>> = imported
        .cookies
        .iter()
        .map(|c| c.duration.as_deref())
        .collect();
    assert_eq!(durations, [Some("session"), Some("6 months"), None]);
    let rendered = checked(&imported).render(Format::Text, Lang::En);
    assert!(rendered.contains("YouTube\tVideo pages\tYSC\tPlay embedded videos\t6 months\n"));
    assert!(
        rendered.contains("YouTube\tVideo pages\t__Host-yt\tRemember the player's settings\t\n")
    );
}

#[test]
fn a_duration_that_cannot_be_declared_is_left_out_with_a_warning() {
    let page = "Cookies statistiques\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\tDurée de conservation\n\
                Matomo\tTout le site\t_pk_id*\tCompter les visites\tjusqu'à la fermeture du navigateur\n\
                Matomo\tTout le site\t_pk_ses*\tCompter les visites\t2 ans\n\
                <https://opendata.example.fr>\n";
    let imported = imported(page);
    assert_eq!(imported.cookies[0].duration, None);
    assert_eq!(imported.cookies[1].duration, None);
    let lines: Vec<Option<usize>> = imported.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [Some(3), Some(4)]);
    assert!(
        imported.warnings[1].message.contains("over 400 days"),
        "{}",
        imported.warnings[1]
    );
    assert!(imported
        .toml()
        .contains("# duration on the page: \"2 ans\""));
    let charter = checked(&imported);
    assert_eq!(charter.cookies()[0].declared_name(), "_pk_id*");
}

#[test]
fn an_unknown_extra_column_is_skipped_with_a_warning() {
    let page = "<https://opendata.example.fr>\n\
                Cookies nécessaires\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\tDomaine\n\
                Opendatasoft\tTout le site\tsessionid\tSe souvenir de vous\t.example.fr\n";
    let imported = imported(page);
    assert_eq!(imported.warnings.len(), 1);
    assert_eq!(imported.warnings[0].line, Some(3));
    assert!(imported.warnings[0].message.contains("Domaine"));
    checked(&imported);
}

#[test]
fn a_category_column_places_each_row() {
    let page = "<https://opendata.example.fr>\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\tCatégorie\n\
                Opendatasoft\tTout le site\tsessionid\tSe souvenir de vous\tNécessaire\n\
                Matomo\tTout le site\t_pk_id*\tCompter les visites\tstatistiques\n";
    let categories: Vec<Category> = imported(page).cookies.iter().map(|c| c.category).collect();
    assert_eq!(categories, [Category::Necessary, Category::Statistics]);
}

#[test]
fn a_missing_column_is_reported_at_the_header() {
    let page = "<https://opendata.example.fr>\n\
                Cookies nécessaires\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\n\
                Opendatasoft\tTout le site\tsessionid\n";
    let error = import(page).unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].line, Some(3));
    assert!(error.problems[0].message.contains("Finalités"), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("line 3: the table has no « Finalités »"),
        "{error}"
    );
}

#[test]
fn a_row_missing_a_cell_is_reported_with_its_line() {
    let page = "<https://opendata.example.fr>\n\
                Cookies nécessaires\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
                Opendatasoft\tTout le site\tsessionid\tSe souvenir de vous\n\
                Opendatasoft\tTout le site\tcsrftoken\n\
                Opendatasoft\t\tdjango_language\tLa langue\n";
    let error = import(page).unwrap_err();
    let problems: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2, "{error}");
    assert!(
        problems[0].starts_with("line 5: no « Finalités »"),
        "{error}"
    );
    assert!(
        problems[1].starts_with("line 6: empty « Service et emplacement »"),
        "{error}"
    );
}

#[test]
fn a_row_that_cannot_be_placed_is_reported_with_its_line() {
    let page = "<https://opendata.example.fr>\n\
                Opendatasoft\tTout le site\tsessionid\tSe souvenir de vous\n\
                Cookies nécessaires\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
                Opendatasoft\tTout le site\tcsrftoken\tSe protéger\n";
    let error = import(page).unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].line, Some(2));
    assert!(
        error.problems[0]
            .message
            .contains("no table header above it"),
        "{error}"
    );
}

#[test]
fn a_table_without_a_category_is_reported() {
    let page = "<https://opendata.example.fr>\n\
                Cookies publicitaires\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
                Régie\tTout le site\tad\tCibler\n";
    let error = import(page).unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].line, Some(3));
    assert!(
        error.problems[0]
            .message
            .contains("\"Cookies publicitaires\" (line 2)"),
        "{error}"
    );
}

#[test]
fn a_name_that_is_not_a_cookie_name_is_reported() {
    let page = "<https://opendata.example.fr>\n\
                Cookies tiers\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
                Google\tTout le site\t_ga, _gid\tMesurer\n";
    let error = import(page).unwrap_err();
    assert_eq!(error.problems[0].line, Some(4));
    assert!(
        error.problems[0]
            .message
            .contains("\"_ga, _gid\" is not a cookie name"),
        "{error}"
    );
}

#[test]
fn a_cookie_declared_twice_differently_is_reported_and_a_repeated_row_skipped() {
    let header = "Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités";
    let row = "Opendatasoft\tTout le site\tsessionid\tSe souvenir de vous";
    let repeated =
        format!("<https://opendata.example.fr>\nCookies nécessaires\n{header}\n{row}\n{row}\n");
    let imported = imported(&repeated);
    assert_eq!(imported.cookies.len(), 1);
    assert_eq!(imported.warnings[0].line, Some(5));
    let differing =
        format!("{repeated}Cookies tiers\n{header}\nAutre\tTout le site\tsessionid\tAutre chose\n");
    let error = import(&differing).unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].line, Some(8));
    assert!(
        error.problems[0]
            .message
            .contains("already declared at line 4"),
        "{error}"
    );
}

#[test]
fn a_page_without_a_site_address_is_reported() {
    let page = seed("roubaix").replace("<https://opendata.roubaix.fr>", "");
    let error = import(&page).unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].line, None);
    assert!(
        error.problems[0].message.contains("no site address"),
        "{error}"
    );
}

#[test]
fn a_page_without_any_table_is_reported() {
    let error = import("Charte cookies\n<https://opendata.example.fr>\n").unwrap_err();
    assert!(
        error.to_string().contains("no cookie table found"),
        "{error}"
    );
}

#[test]
fn problems_check_finds_are_reported_at_the_page_line() {
    // Two rows naming the same cookie in different case: `check` refuses them.
    let page = "<https://opendata.example.fr>\n\
                Cookies nécessaires\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
                Opendatasoft\tTout le site\tsessionid\tSe souvenir de vous\n\
                Opendatasoft\tTout le site\tSessionId\tSe souvenir de vous\n";
    let error = import(page).unwrap_err();
    assert!(!error.problems.is_empty());
    assert!(
        error
            .problems
            .iter()
            .all(|p| matches!(p.line, Some(4) | Some(5))),
        "{error}"
    );
}

#[test]
fn rendered_text_pages_import_back_to_the_same_cookies() {
    let declaration = r#"
[charter]
site = "https://opendata.example.fr"

[[cookie]]
name = "sessionid"
provider = "Opendatasoft"
service = "Authentification"
purpose = "Se souvenir de l'utilisateur"
category = "necessary"

[[cookie]]
name = "_pk_id*"
provider = "Matomo"
service = "Mesure d'audience"
purpose = "Compter les visites"
category = "statistics"
duration = "13 mois"

[[cookie]]
name = "theme"
provider = "Le site"
service = "Tout le site"
purpose = "Retenir le thème"
category = "first-party"

[[cookie]]
name = "yt"
provider = "YouTube"
service = "Vidéos intégrées"
purpose = "Lire les vidéos"
category = "third-party"
"#;
    let charter = charte_core::check_str("inline.toml", declaration)
        .charter
        .unwrap();
    for lang in [Lang::Fr, Lang::En] {
        let page = charter.render(Format::Text, lang);
        let imported = imported(&page);
        assert_eq!(imported.warnings, [], "{lang:?}");
        let back = checked(&imported);
        assert_eq!(back.cookies().len(), 4);
        for (a, b) in charter.cookies().iter().zip(back.cookies()) {
            assert_eq!(a.declared_name(), b.declared_name(), "{lang:?}");
            assert_eq!(a.category(), b.category(), "{lang:?}");
            assert_eq!(a.purpose(), b.purpose(), "{lang:?}");
            assert_eq!(a.duration().map(|d| &d.text), b.duration().map(|d| &d.text));
        }
    }
}

#[test]
fn toml_special_characters_survive_the_round_trip() {
    let page = "<https://opendata.example.fr>\n\
                Cookies nécessaires\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
                \"Quoted\" \\ provider\tTout le site\tsessionid\tA « purpose » with \"quotes\"\n";
    let charter = checked(&imported(page));
    assert_eq!(charter.cookies()[0].provider(), "\"Quoted\" \\ provider");
    assert_eq!(
        charter.cookies()[0].purpose(),
        "A « purpose » with \"quotes\""
    );
}

#[test]
fn header_variants_are_read_by_their_keywords() {
    let page = "<https://opendata.example.fr>\n\
                Cookies nécessaires\n\
                Prestataire\tEmplacement\tNom du cookie\tFinalité(s)\tDurée de conservation maximale\n\
                Opendatasoft\tTout le site\tsessionid\tSe souvenir de vous\t2 semaines\n";
    let imported = imported(page);
    assert_eq!(imported.warnings, []);
    assert_eq!(imported.cookies[0].purpose, "Se souvenir de vous");
    assert_eq!(imported.cookies[0].duration.as_deref(), Some("2 semaines"));
    checked(&imported);
}

#[test]
fn a_row_mentioning_column_words_is_still_a_row() {
    let page = "<https://opendata.example.fr>\n\
                Cookies nécessaires\n\
                Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
                Le prestataire\tService\tsessionid\tLa finalité du cookie\n";
    let imported = imported(page);
    assert_eq!(imported.cookies.len(), 1);
    assert_eq!(imported.cookies[0].provider, "Le prestataire");
}

fn service(text: &str) -> Defaults {
    Defaults {
        service: Some(text.to_owned()),
        ..Defaults::default()
    }
}

/// The header of Opendatasoft's English charter pages: no service column, and a duration
/// and a function column.
const OPENDATASOFT_EN: &str = "Cookies used on <https://data.example.com>\n\
Necessary cookies\n\
Supplier name\tCookie name\tDuration\tFunction\n\
Opendatasoft\tsessionid\t2 weeks by default\tRemember the user from one page to the next.\n\
Opendatasoft\tcookies_preferences\tUp to 12 months\tRemember the visitor's choice.\n";

#[test]
fn the_opendatasoft_english_header_imports_with_the_service_given() {
    let imported = import_with(OPENDATASOFT_EN, &service("Whole site"))
        .unwrap_or_else(|e| panic!("import failed:\n{e}"));
    assert_eq!(imported.lang, Lang::En);
    let first = &imported.cookies[0];
    assert_eq!(first.name, "sessionid");
    assert_eq!(first.provider, "Opendatasoft");
    assert_eq!(first.service, "Whole site");
    assert_eq!(
        first.purpose,
        "Remember the user from one page to the next."
    );
    assert_eq!(first.duration.as_deref(), Some("2 weeks"));
    assert_eq!(imported.cookies[1].duration.as_deref(), Some("12 months"));
    assert_eq!(imported.warnings, []);
    let charter = checked(&imported);
    assert_eq!(charter.cookies().len(), 2);
}

#[test]
fn a_missing_service_column_without_the_flag_is_one_problem_naming_it() {
    let error = import(OPENDATASOFT_EN).unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].line, Some(3));
    assert_eq!(
        error.problems[0].message,
        "the table has no « Service et emplacement » (Service and location) column: give the \
         service of its cookies with `--service TEXT`"
    );
}

#[test]
fn several_tables_without_provider_nor_service_give_one_problem_for_the_page() {
    let page = "<https://opendata.example.org>\n\
                Cookies nécessaires\n\
                Nom\tFinalité\n\
                sessionid\tSe souvenir de vous\n\
                Cookies internes\n\
                Nom\tFinalité\n\
                theme\tRetenir le thème\n";
    let error = import(page).unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].line, Some(3));
    assert_eq!(
        error.problems[0].message,
        "the tables at lines 3, 6 have no « Nom du prestataire » (Provider), no \
         « Service et emplacement » (Service and location) column: give the provider and \
         service of their cookies with `--provider TEXT` and `--service TEXT`"
    );
    let defaults = Defaults {
        provider: Some("Ville d'Exemple".to_owned()),
        service: Some("Tout le site".to_owned()),
    };
    let imported = import_with(page, &defaults).unwrap();
    let filled: Vec<(&str, &str, Category)> = imported
        .cookies
        .iter()
        .map(|c| (c.provider.as_str(), c.service.as_str(), c.category))
        .collect();
    assert_eq!(
        filled,
        [
            ("Ville d'Exemple", "Tout le site", Category::Necessary),
            ("Ville d'Exemple", "Tout le site", Category::FirstParty),
        ]
    );
    checked(&imported);
}

#[test]
fn a_column_on_the_page_wins_over_the_default_and_an_unused_default_is_a_warning() {
    let page = seed("roubaix");
    let defaults = Defaults {
        provider: Some("Someone else".to_owned()),
        service: None,
    };
    let imported = import_with(&page, &defaults).unwrap();
    assert!(imported
        .cookies
        .iter()
        .all(|c| c.provider == "Opendatasoft"));
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    assert_eq!(imported.warnings[0].line, None);
    assert!(
        imported.warnings[0]
            .message
            .starts_with("`--provider` not used: every table has"),
        "{}",
        imported.warnings[0]
    );
}

#[test]
fn an_empty_default_is_a_problem() {
    let error = import_with(OPENDATASOFT_EN, &service("  ")).unwrap_err();
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(
        error.problems[0].message,
        "`--service` is empty: give the service of the cookies"
    );
}

#[test]
fn cookie_name_s_and_other_english_variants_are_read() {
    let page = "<https://opendata.example.net>\n\
                Essential cookies\n\
                Cookie name(s)\tVendor\tPurpose(s)\tService\tRetention\n\
                sessionid\tExample\tKeep you signed in\tWhole site\tSession\n";
    let imported = imported(page);
    assert_eq!(imported.warnings, []);
    let cookie = &imported.cookies[0];
    assert_eq!(
        (
            cookie.name.as_str(),
            cookie.provider.as_str(),
            cookie.purpose.as_str(),
            cookie.service.as_str(),
            cookie.duration.as_deref(),
        ),
        (
            "sessionid",
            "Example",
            "Keep you signed in",
            "Whole site",
            Some("Session")
        )
    );
    assert_eq!(imported.lang, Lang::En);
    checked(&imported);
}

#[test]
fn french_variants_are_read() {
    let page = "<https://data.exemple.fr>\n\
                Cookies de mesure d'audience (statistiques)\n\
                Éditeur\tNom du/des cookie(s)\tFinalité(s)\tDurée de conservation\tEmplacement\n\
                Matomo\t_pk_id*\tDistinguer les visites\tJusqu'à 13 mois\tTout le site\n\
                Fournisseur\tNom des cookies\tDescription\tDurée\tServices\n\
                Matomo\t_pk_ses*\tCompter les pages vues\t30 minutes\tTout le site\n";
    let imported = imported(page);
    assert_eq!(imported.lang, Lang::Fr);
    assert_eq!(imported.warnings, []);
    let read: Vec<(&str, &str, &str, Option<&str>)> = imported
        .cookies
        .iter()
        .map(|c| {
            (
                c.provider.as_str(),
                c.name.as_str(),
                c.purpose.as_str(),
                c.duration.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (
                "Matomo",
                "_pk_id*",
                "Distinguer les visites",
                Some("13 mois")
            ),
            (
                "Matomo",
                "_pk_ses*",
                "Compter les pages vues",
                Some("30 minutes")
            ),
        ]
    );
    assert!(imported
        .cookies
        .iter()
        .all(|c| c.category == Category::Statistics));
    checked(&imported);
}

#[test]
fn a_loose_duration_is_declared_with_the_pages_words_beside_it() {
    let imported = import_with(OPENDATASOFT_EN, &service("Whole site")).unwrap();
    let toml = imported.toml();
    assert!(
        toml.contains("duration = \"2 weeks\"\n# duration on the page: \"2 weeks by default\"\n"),
        "{toml}"
    );
    let charter = checked(&imported);
    assert_eq!(
        charter.cookies()[1].duration().map(|d| &*d.text),
        Some("12 months")
    );
}

#[test]
fn a_duration_with_no_certain_reading_is_left_out_with_a_warning() {
    let page = "<https://data.example.com>\n\
                Analytics cookies\n\
                Supplier\tService\tCookie\tFunction\tExpiry\n\
                Matomo\tWhole site\t_pk_id*\tTell visits apart\tabout 13 months\n\
                Matomo\tWhole site\t_pk_ses*\tCount pages\tUp to 2 years\n";
    let imported = imported(page);
    assert!(imported.cookies.iter().all(|c| c.duration.is_none()));
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "line 4: duration \"about 13 months\" left out: not one `session` nor `<n> <unit>` \
             for certain",
            "line 5: duration \"Up to 2 years\" left out: over 400 days, which browsers cap",
        ]
    );
    checked(&imported);
}
