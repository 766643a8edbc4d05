//! The `charte` binary, run as users run it: `check`, `render` and `import`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PORTALS: [&str; 6] = [
    "opendatasoft",
    "roubaix",
    "reseda",
    "valenciennes",
    "cangt",
    "dunkerque",
];
#[path = "../../tests/fixtures/seed_pages.rs"]
mod seed_pages;

use seed_pages::{rows, seed, SEEDS};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `charte` from the workspace root, so that paths read as users type them.
fn charte(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charte"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .expect("run charte")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A file in this test binary's scratch directory.
fn scratch(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("charte-cli-{name}"))
}

#[test]
fn check_accepts_every_seed_portal() {
    for portal in PORTALS {
        let file = format!("portals/{portal}.toml");
        let output = charte(&["check", &file]);
        assert!(output.status.success(), "{file}: {}", stderr(&output));
        assert!(stdout(&output).starts_with(&format!("{file}: ok (4 cookies, revision ")));
    }
}

#[test]
fn check_rejects_a_bad_file_with_its_location() {
    let output = charte(&[
        "check",
        "portals/roubaix.toml",
        "charte-cli/tests/fixtures/bad_category.toml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("error: unknown category \"statistic\""),
        "{err}"
    );
    assert!(
        err.contains("--> charte-cli/tests/fixtures/bad_category.toml:10:12"),
        "{err}"
    );
    assert!(err.contains("did you mean \"statistics\"?"), "{err}");
    assert!(err.trim_end().ends_with("error: 1 problem found"), "{err}");
    // The good file is still reported.
    assert!(stdout(&output).contains("portals/roubaix.toml: ok"));
}

#[test]
fn check_requires_a_file() {
    let output = charte(&["check"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn render_text_gives_back_each_seed_table() {
    for name in SEEDS {
        let output = charte(&[
            "render",
            &format!("portals/{name}.toml"),
            "--format",
            "text",
        ]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        assert_eq!(rows(&stdout(&output)), rows(&seed(name)), "{name}");
    }
}

#[test]
fn render_defaults_to_html_in_the_declarations_language() {
    let output = charte(&["render", "portals/roubaix.toml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let html = stdout(&output);
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"),
        "{html}"
    );
    assert!(html.contains("<th scope=\"col\">Nom du prestataire</th>"));
}

#[test]
fn render_takes_the_language_and_markdown() {
    let output = charte(&[
        "render",
        "portals/roubaix.toml",
        "--format",
        "md",
        "--lang",
        "en",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let md = stdout(&output);
    assert!(md.starts_with("# Cookie charter\n"), "{md}");
    assert!(md.contains(
        "| Provider | Service and location | Cookie name | Purpose |\n| --- | --- | --- | --- |\n"
    ));
}

#[test]
fn render_refuses_an_unknown_format() {
    let output = charte(&["render", "portals/roubaix.toml", "--format", "pdf"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("pdf"));
}

#[test]
fn render_of_a_bad_file_prints_its_problems_and_no_page() {
    let output = charte(&["render", "charte-cli/tests/fixtures/bad_category.toml"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("bad_category.toml:10:12"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn import_of_each_seed_is_accepted_by_check_and_renders_its_rows() {
    for name in SEEDS {
        let page = format!("tests/fixtures/seeds/{name}.txt");
        let output = charte(&["import", &page]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let declaration = scratch(&format!("{name}.toml"));
        std::fs::write(&declaration, stdout(&output)).unwrap();
        let declaration = declaration.to_str().unwrap();
        let checked = charte(&["check", declaration]);
        assert!(checked.status.success(), "{name}: {}", stderr(&checked));
        let rendered = charte(&["render", declaration, "--format", "text"]);
        assert_eq!(rows(&stdout(&rendered)), rows(&seed(name)), "{name}");
    }
}

#[test]
fn import_warns_about_skipped_lines_with_their_place() {
    let output = charte(&["import", "tests/fixtures/seeds/dunkerque.txt"]);
    assert!(output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains(
            "tests/fixtures/seeds/dunkerque.txt:28: warning: skipped \"DUNKERQUE AGGLO DATA\""
        ),
        "{err}"
    );
}

#[test]
fn import_reads_english_crlf_pages_with_a_duration_column() {
    let output = charte(&["import", "charte-cli/tests/fixtures/english_page.txt"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let toml = stdout(&output);
    assert!(toml.contains("lang = \"en\""), "{toml}");
    assert!(
        toml.contains("site = \"https://data.example.org\""),
        "{toml}"
    );
    assert!(toml.contains("name = \"csrftoken\""), "{toml}");
    assert!(toml.contains("duration = \"1 year\""), "{toml}");
    assert!(
        stderr(&output).contains("english_page.txt:10: warning"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn import_says_what_it_could_not_place_and_fails() {
    let output = charte(&["import", "charte-cli/tests/fixtures/unplaceable_page.txt"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(
        err.contains(
            "unplaceable_page.txt:5: error: the table has no « Finalités » (Purpose) column"
        ),
        "{err}"
    );
    assert!(
        err.contains("unplaceable_page.txt:10: error: \"_ga, _gid\" is not a cookie name"),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("error: 2 problems found: no declaration written"),
        "{err}"
    );
}

#[test]
fn import_of_a_missing_file_fails_clearly() {
    let output = charte(&["import", "no/such/page.txt"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot read no/such/page.txt"),
        "{}",
        stderr(&output)
    );
}

/// Runs `charte import` with `args`, writes what it prints to a scratch file and runs
/// `charte check` on it, as a user would; returns the declaration.
fn import_then_check(name: &str, args: &[&str]) -> String {
    let output = charte(&[&["import"], args].concat());
    assert!(output.status.success(), "{name}: {}", stderr(&output));
    let declaration = scratch(&format!("{name}.toml"));
    std::fs::write(&declaration, stdout(&output)).unwrap();
    let checked = charte(&["check", declaration.to_str().unwrap()]);
    assert!(checked.status.success(), "{name}: {}", stderr(&checked));
    stdout(&output)
}

#[test]
fn import_reads_the_opendatasoft_english_header_with_the_service_flag() {
    let toml = import_then_check(
        "opendatasoft_en",
        &[
            "charte-cli/tests/fixtures/opendatasoft_en_page.txt",
            "--service",
            "Whole site",
        ],
    );
    assert!(toml.contains("lang = \"en\""), "{toml}");
    assert!(
        toml.contains(
            "name = \"sessionid\"\nprovider = \"Opendatasoft\"\nservice = \"Whole site\"\n\
             purpose = \"Remember the user from one page to the next.\"\n\
             category = \"necessary\"\nduration = \"2 weeks\"\n"
        ),
        "{toml}"
    );
    assert!(toml.contains("duration = \"12 months\""), "{toml}");
    assert_eq!(toml.matches("[[cookie]]").count(), 6, "{toml}");
}

#[test]
fn import_without_the_service_flag_fails_with_one_error_naming_it() {
    let output = charte(&[
        "import",
        "charte-cli/tests/fixtures/opendatasoft_en_page.txt",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert_eq!(err.matches(": error: ").count(), 1, "{err}");
    assert!(
        err.contains(
            "opendatasoft_en_page.txt:11: error: the tables at lines 11, 19 have no « Service \
             et emplacement » (Service and location) column: give the service of their \
             cookies with `--service TEXT`"
        ),
        "{err}"
    );
}

#[test]
fn import_warns_about_a_duration_it_cannot_read_for_certain() {
    let output = charte(&[
        "import",
        "charte-cli/tests/fixtures/opendatasoft_en_page.txt",
        "--service",
        "Whole site",
    ]);
    let err = stderr(&output);
    assert!(
        err.contains(
            "opendatasoft_en_page.txt:21: warning: duration \"about 13 months\" left out: not \
             one `session` nor `<n> <unit>` for certain"
        ),
        "{err}"
    );
}

#[test]
fn import_reads_cookie_name_s_and_french_header_variants() {
    let toml = import_then_check(
        "cookie_names",
        &[
            "charte-cli/tests/fixtures/cookie_names_page.txt",
            "--service",
            "Whole site",
        ],
    );
    assert!(toml.contains("name = \"csrftoken\""), "{toml}");
    assert!(toml.contains("duration = \"1 year\""), "{toml}");
    let toml = import_then_check(
        "french_variants",
        &[
            "charte-cli/tests/fixtures/french_variants_page.txt",
            "--service",
            "Tout le site",
        ],
    );
    assert!(toml.contains("lang = \"fr\""), "{toml}");
    assert!(
        toml.contains("name = \"_pk_id*\"\nprovider = \"Matomo\""),
        "{toml}"
    );
    assert!(
        toml.contains("duration = \"13 mois\"\n# duration on the page: \"13mois maximum\"\n"),
        "{toml}"
    );
}

#[test]
fn import_fills_provider_and_service_from_the_flags() {
    let page = "charte-cli/tests/fixtures/bare_table_page.txt";
    let output = charte(&["import", page]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("with `--provider TEXT` and `--service TEXT`"),
        "{err}"
    );
    let toml = import_then_check(
        "bare_table",
        &[
            page,
            "--provider",
            "Ville d'Exemple",
            "--service",
            "Tout le site",
        ],
    );
    assert!(
        toml.contains(
            "name = \"theme\"\nprovider = \"Ville d'Exemple\"\nservice = \"Tout le site\"\n"
        ),
        "{toml}"
    );
}
