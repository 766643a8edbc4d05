//! The charter page: rendered from the declaration, it gives back the seed pages' rows.

use std::path::{Path, PathBuf};

use charte_core::{Charter, Format, Lang, Origin};

#[path = "../../tests/fixtures/seed_pages.rs"]
mod seed_pages;

use seed_pages::{is_header, rows, seed, SEEDS};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn portal(name: &str) -> Charter {
    let path = workspace().join("portals").join(format!("{name}.toml"));
    let origin = Origin {
        display: format!("portals/{name}.toml"),
        path,
        root: None,
    };
    match charte_core::check(&origin).charter {
        Ok(charter) => charter,
        Err(diagnostics) => panic!("portals/{name}.toml: {diagnostics:?}"),
    }
}

fn inline(toml: &str) -> Charter {
    match charte_core::check_str("inline.toml", toml).charter {
        Ok(charter) => charter,
        Err(diagnostics) => panic!("{diagnostics:?}"),
    }
}

/// The address given as `<...>` on a page.
fn site(page: &str) -> Option<&str> {
    let start = page.find("<http")? + 1;
    let end = start + page[start..].find('>')?;
    Some(&page[start..end])
}

const MIXED: &str = r#"
[charter]
site = "https://opendata.example.fr"

[[cookie]]
name = "_pk_id*"
provider = "Matomo"
service = "Mesure d'audience (tout le site)"
purpose = "Compter les visites"
category = "statistics"
duration = "13 mois"

[[cookie]]
name = "sessionid"
provider = "Opendatasoft"
service = "Authentification"
purpose = "Se souvenir de l'utilisateur"
category = "necessary"

[[cookie]]
name = "yt"
provider = "YouTube"
service = "Vidéos intégrées"
purpose = "Lire les vidéos"
category = "tiers"
"#;

#[test]
fn every_seed_table_row_comes_out_of_its_portal_exactly() {
    for name in SEEDS {
        let seed_rows = rows(&seed(name));
        assert_eq!(seed_rows.len(), 4, "{name}: the fixture's rows");
        let rendered = portal(name).render(Format::Text, Lang::Fr);
        assert_eq!(rows(&rendered), seed_rows, "{name}");
    }
}

#[test]
fn text_tables_have_the_seed_header_line() {
    let rendered = portal("roubaix").render(Format::Text, Lang::Fr);
    let seed = seed("roubaix");
    let header = seed.lines().find(|l| is_header(l)).unwrap();
    assert_eq!(rendered.lines().filter(|l| *l == header).count(), 1);
}

#[test]
fn text_gives_the_site_address_in_angle_brackets() {
    for name in SEEDS {
        let rendered = portal(name).render(Format::Text, Lang::Fr);
        assert_eq!(site(&rendered), site(&seed(name)), "{name}");
    }
}

#[test]
fn the_page_explains_in_its_own_words_not_the_seeds() {
    let seed = seed("roubaix");
    let rendered = portal("roubaix").render(Format::Text, Lang::Fr);
    for sentence in seed.lines().filter(|l| l.len() > 60 && !l.contains('\t')) {
        assert!(
            !rendered.contains(sentence),
            "copied from the seed: {sentence}"
        );
    }
    assert!(rendered.contains("Qu'est-ce qu'un cookie ?"));
    for kind in ["Nécessaires", "Statistiques", "Internes", "Tiers"] {
        assert!(rendered.contains(&format!("- {kind} : ")), "{kind}");
    }
}

#[test]
fn sections_follow_category_order_and_only_categories_present() {
    let rendered = inline(MIXED).render(Format::Text, Lang::Fr);
    let necessary = rendered
        .find("Cookies nécessaires au fonctionnement du site\n")
        .unwrap();
    let statistics = rendered
        .find("Cookies de mesure d'audience (statistiques)\n")
        .unwrap();
    let third = rendered.find("\nCookies tiers\n").unwrap();
    assert!(necessary < statistics && statistics < third);
    assert!(!rendered.contains("Cookies internes au site"));
}

#[test]
fn the_duration_column_appears_only_where_a_duration_is_declared() {
    let rendered = inline(MIXED).render(Format::Text, Lang::Fr);
    assert!(rendered.contains(
        "Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\tDurée\n\
         Matomo\tMesure d'audience (tout le site)\t_pk_id*\tCompter les visites\t13 mois\n"
    ));
    // The necessary and third-party tables declare no duration: four columns.
    let four = "Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n";
    assert_eq!(rendered.matches(four).count(), 2);
    for name in SEEDS {
        let page = portal(name).render(Format::Text, Lang::Fr);
        assert!(!page.contains("Durée"), "{name}");
    }
    let html = inline(MIXED).render(Format::Html, Lang::Fr);
    assert_eq!(html.matches(r#"<th scope="col">Durée</th>"#).count(), 1);
}

#[test]
fn english_pages_have_english_headers_and_keep_the_declared_texts() {
    let rendered = portal("roubaix").render(Format::Text, Lang::En);
    assert!(rendered.contains("Provider\tService and location\tCookie name\tPurpose\n"));
    assert!(!rendered.contains("Nom du prestataire"));
    assert!(rendered.contains("Strictly necessary cookies\n"));
    // Declared in French, the rows stay French.
    assert_eq!(rows(&rendered), rows(&seed("roubaix")));
    let mixed = inline(MIXED).render(Format::Text, Lang::En);
    assert!(mixed.contains("Provider\tService and location\tCookie name\tPurpose\tDuration\n"));
}

#[test]
fn html_is_a_standalone_page_in_the_asked_language() {
    let html = portal("roubaix").render(Format::Html, Lang::Fr);
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<title>Charte cookies — opendata.roubaix.fr</title>"));
    assert!(html.contains("<a href=\"https://opendata.roubaix.fr\">"));
    assert!(html.trim_end().ends_with("</html>"));
    let english = portal("roubaix").render(Format::Html, Lang::En);
    assert!(english.contains("<html lang=\"en\">"));
    // The declared texts are French: the table body says so.
    assert!(english.contains("<tbody lang=\"fr\">"));
    assert!(!html.contains("<tbody lang="));
}

#[test]
fn html_tables_are_real_tables_with_column_headers() {
    let html = inline(MIXED).render(Format::Html, Lang::Fr);
    assert_eq!(html.matches("<table>").count(), 3);
    assert_eq!(html.matches("<caption>").count(), 3);
    // 4 + 5 + 4 column headers, one per column.
    assert_eq!(html.matches("<th scope=\"col\">").count(), 13);
    assert!(html.contains("<td><code>_pk_id*</code></td>"));
    assert!(html.contains("<h2 id=\"cookies-third-party\">Cookies tiers</h2>"));
}

#[test]
fn html_escapes_declared_text() {
    let charter = inline(
        r#"
[charter]
site = "https://opendata.example.fr/?a=1&b=2"

[[cookie]]
name = "x"
provider = "Tom & Jerry's \"lab\""
service = "<script>alert(1)</script>"
purpose = "a < b > c"
category = "necessary"
"#,
    );
    let html = charter.render(Format::Html, Lang::Fr);
    assert!(!html.contains("<script>"));
    assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assert!(html.contains("<td>Tom &amp; Jerry&#39;s &quot;lab&quot;</td>"));
    assert!(html.contains("<td>a &lt; b &gt; c</td>"));
    assert!(html.contains("href=\"https://opendata.example.fr/?a=1&amp;b=2\""));
}

#[test]
fn markdown_uses_pipe_tables() {
    let md = portal("roubaix").render(Format::Markdown, Lang::Fr);
    assert!(md.starts_with("# Charte cookies\n"));
    assert!(md.contains(
        "| Nom du prestataire | Service et emplacement | Nom du cookies | Finalités |\n\
         | --- | --- | --- | --- |\n\
         | Opendatasoft | Authentification (front et back office) | `sessionid` | Se souvenir de l'utilisateur d'une page à une autre. |\n"
    ));
    assert!(md.contains("<https://opendata.roubaix.fr>"));
}

#[test]
fn markdown_escapes_pipes_so_a_cell_cannot_split_its_row() {
    let charter = inline(
        r#"
[charter]
site = "https://opendata.example.fr"

[[cookie]]
name = "x"
provider = "A | B"
service = "front|back"
purpose = "keep *this* _literal_"
category = "necessary"
"#,
    );
    let md = charter.render(Format::Markdown, Lang::En);
    let row = md.lines().find(|l| l.contains("`x`")).unwrap();
    assert_eq!(
        row,
        r"| A \| B | front\|back | `x` | keep \*this\* \_literal\_ |"
    );
    let unescaped = row.replace("\\|", "");
    assert_eq!(unescaped.matches('|').count(), 5, "four cells: {row}");
}

#[test]
fn declared_texts_with_tabs_stay_on_one_text_row() {
    let charter = inline(
        "[charter]\nsite = \"https://opendata.example.fr\"\n\n[[cookie]]\nname = \"x\"\n\
         provider = \"A\\tB\"\nservice = \"S\"\npurpose = \"line\\nbreak\"\ncategory = \"necessary\"\n",
    );
    let rendered = charter.render(Format::Text, Lang::Fr);
    assert_eq!(rows(&rendered), ["A B\tS\tx\tline break"]);
}

#[test]
fn formats_read_their_usual_names() {
    assert_eq!(Format::parse("HTML"), Some(Format::Html));
    assert_eq!(Format::parse("markdown"), Some(Format::Markdown));
    assert_eq!(Format::parse("md"), Some(Format::Markdown));
    assert_eq!(Format::parse("txt"), Some(Format::Text));
    assert_eq!(Format::parse("pdf"), None);
    for format in Format::ALL {
        assert_eq!(Format::parse(format.as_str()), Some(format));
    }
}
