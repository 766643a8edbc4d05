//! Loading and validation on in-memory declarations and on files: each rule reports a
//! located error, and nothing ever panics.

use charte_core::{check, check_str, Category, Diagnostic, Origin};

const HEAD: &str = "[charter]\nsite = \"https://opendata.example.fr\"\n";

fn cookie(name: &str, category: &str, extra: &str) -> String {
    format!(
        "\n[[cookie]]\nname = \"{name}\"\nprovider = \"P\"\nservice = \"S\"\npurpose = \"Why\"\ncategory = \"{category}\"\n{extra}"
    )
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match check_str("t.toml", text).charter {
        Ok(_) => Vec::new(),
        Err(d) => d.0,
    }
}

/// The single error of `text`, as `(message, line, column)`.
fn only_error(text: &str) -> (String, usize, usize) {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    let d = &errors[0];
    let at = d.location.as_ref().expect("a located error");
    (d.message.clone(), at.line, at.column)
}

#[test]
fn a_valid_declaration_gives_its_cookies_in_order() {
    let text = format!(
        "{HEAD}{}{}",
        cookie("sessionid", "nécessaire", ""),
        cookie(
            "_pk_id*",
            "statistiques",
            "anonymous = true\nduration = \"13 months\"\n"
        )
    );
    let charter = check_str("t.toml", &text).charter.unwrap();
    let names: Vec<_> = charter
        .cookies()
        .iter()
        .map(|c| c.declared_name())
        .collect();
    assert_eq!(names, ["sessionid", "_pk_id*"]);
    assert_eq!(charter.cookies()[1].category(), Category::Statistics);
    assert!(!charter.cookies()[1].needs_consent());
    assert_eq!(charter.lookup("_pk_id.1.abcd").unwrap().name(), "_pk_id");
    assert!(charter.lookup("_pk_ses").is_none());
}

#[test]
fn unknown_keys_suggest_the_closest_key() {
    let text = format!("{HEAD}{}", cookie("a", "necessary", "purpse = \"x\"\n"));
    let errors = errors(&text);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "unknown key `purpse` in [[cookie]]");
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `purpose`?"));
    assert_eq!(errors[0].location.as_ref().unwrap().line, 10);
}

#[test]
fn a_wrong_type_is_not_also_reported_missing() {
    let text = format!("{HEAD}{}", cookie("a", "necessary", "secure = \"yes\"\n"));
    let (message, line, column) = only_error(&text);
    assert_eq!(message, "`secure` must be a boolean, found string");
    assert_eq!((line, column), (10, 10));
}

#[test]
fn an_invalid_category_lists_the_valid_ones_and_is_not_reported_missing() {
    let text = format!("{HEAD}{}", cookie("a", "statistic", ""));
    let errors = errors(&text);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let help = errors[0].help.as_deref().unwrap();
    assert!(help.starts_with("did you mean \"statistics\"?"), "{help}");
    assert!(help.contains("\"third-party\""), "{help}");
    // Other tools' words for the same categories get a suggestion too.
    for (word, meant) in [("Analytics", "statistics"), ("essential", "necessary")] {
        let found = self::errors(&format!("{HEAD}{}", cookie("a", word, "")));
        let help = found[0].help.as_deref().unwrap();
        assert!(
            help.starts_with(&format!("did you mean \"{meant}\"?")),
            "{help}"
        );
    }
}

#[test]
fn every_problem_of_a_file_is_reported_at_once_in_file_order() {
    let text = format!(
        "{HEAD}{}{}{}",
        cookie("a b", "necessary", ""),
        cookie("c", "nope", ""),
        cookie("__Host-d", "necessary", "")
    );
    let lines: Vec<usize> = errors(&text)
        .iter()
        .map(|d| d.location.as_ref().unwrap().line)
        .collect();
    assert_eq!(lines, [5, 16, 19]);
}

#[test]
fn duplicates_exact_or_by_case_point_at_the_second_and_note_the_first() {
    let text = format!(
        "{HEAD}{}{}",
        cookie("sid", "necessary", ""),
        cookie("SID", "necessary", "")
    );
    let errors = errors(&text);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("only in case"));
    assert_eq!(errors[0].location.as_ref().unwrap().line, 12);
    assert_eq!(errors[0].notes[0].1.as_ref().unwrap().line, 5);
}

#[test]
fn patterns_may_not_overlap_or_cover_names() {
    let overlap = format!(
        "{HEAD}{}{}",
        cookie("_pk*", "statistics", ""),
        cookie("_pk_id*", "statistics", "")
    );
    assert!(only_error(&overlap).0.contains("overlap"));
    let covers = format!(
        "{HEAD}{}{}",
        cookie("_pk_id", "statistics", ""),
        cookie("_pk*", "statistics", "")
    );
    assert!(only_error(&covers).0.contains("covers the declared cookie"));
    let covered = format!(
        "{HEAD}{}{}",
        cookie("_pk*", "statistics", ""),
        cookie("_pk_id", "statistics", "")
    );
    assert!(only_error(&covered).0.contains("already covered"));
}

#[test]
fn prefixes_match_case_insensitively() {
    let text = format!("{HEAD}{}", cookie("__SECURE-x", "necessary", ""));
    assert_eq!(
        only_error(&text).0,
        "a `__Secure-` cookie needs `secure = true`"
    );
    let host = format!(
        "{HEAD}{}",
        cookie("__host-x", "necessary", "secure = true\npath = \"/\"\n")
    );
    assert!(errors(&host).is_empty());
}

#[test]
fn thirteen_months_is_the_ceiling_for_anonymous_statistics() {
    let ok = format!(
        "{HEAD}{}",
        cookie(
            "_pk_id",
            "statistics",
            "anonymous = true\nduration = \"13 months\"\n"
        )
    );
    assert!(errors(&ok).is_empty());
    let long = format!(
        "{HEAD}{}",
        cookie(
            "_pk_id",
            "statistics",
            "anonymous = true\nduration = \"57 weeks\"\n"
        )
    );
    assert!(only_error(&long).0.contains("cannot last"));
    let over_browser_cap = format!(
        "{HEAD}{}",
        cookie("x", "first-party", "duration = \"401 days\"\n")
    );
    assert!(only_error(&over_browser_cap).0.contains("over 400 days"));
}

#[test]
fn the_consent_cookie_must_be_declared_necessary_and_short_lived() {
    let head = "[charter]\nsite = \"https://x.fr\"\nconsent_cookie = \"consent\"\n";
    let ok = format!(
        "{head}{}",
        cookie("consent", "necessary", "duration = \"6 months\"\n")
    );
    let charter = check_str("t.toml", &ok).charter.unwrap();
    assert_eq!(
        charter.consent_cookie_declaration().unwrap().name(),
        "consent"
    );
    let undeclared = format!("{head}{}", cookie("consents", "necessary", ""));
    let suggested = errors(&undeclared);
    assert_eq!(
        suggested[0].help.as_deref(),
        Some("did you mean \"consents\"?")
    );
    let optional = format!("{head}{}", cookie("consent", "first-party", ""));
    assert!(only_error(&optional).0.contains("must be necessary"));
    let long = format!(
        "{head}{}",
        cookie("consent", "necessary", "duration = \"7 months\"\n")
    );
    assert!(only_error(&long).0.contains("cannot last"));
    // A pattern cannot be the consent cookie: it was silently ignored before.
    let pattern_head = head.replace("\"consent\"", "\"consent*\"");
    let pattern = format!("{pattern_head}{}", cookie("consent*", "necessary", ""));
    let (message, line, column) = only_error(&pattern);
    assert!(message.contains("is a pattern"), "{message}");
    assert_eq!((line, column), (3, 18));
    let help = errors(&pattern).remove(0).help.unwrap_or_default();
    assert!(help.contains("\"consent\""), "{help}");
}

#[test]
fn syntax_errors_are_located_and_stop_further_checks() {
    let (message, line, _) = only_error("[charter]\nsite = \"https://x.fr\n");
    assert!(message.starts_with("invalid TOML"), "{message}");
    assert_eq!(line, 2);
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_crash() {
    let depth = 100_000;
    let text = format!("{HEAD}x = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let errors = errors(&text);
    assert!(!errors.is_empty());
}

#[test]
fn binary_input_is_an_error_not_a_crash() {
    let dir = tempdir("binary");
    let path = dir.join("binary.toml");
    std::fs::write(&path, [0u8, 159, 146, 150, 255, 0, 1, 2]).unwrap();
    let checked = check(&Origin {
        path,
        display: "binary.toml".into(),
        root: None,
    });
    let errors = checked.charter.unwrap_err().0;
    assert_eq!(errors[0].message, "`binary.toml` is not valid UTF-8");
    assert_eq!(errors[0].location.as_ref().unwrap().column, 2);
}

#[test]
fn a_huge_file_is_refused_before_parsing() {
    let dir = tempdir("huge");
    let path = dir.join("huge.toml");
    let line = "# padding padding padding padding padding padding padding padding\n";
    std::fs::write(&path, line.repeat(5 * 1024 * 1024 / line.len())).unwrap();
    let checked = check(&Origin {
        path,
        display: "huge.toml".into(),
        root: None,
    });
    assert!(checked.charter.unwrap_err().0[0]
        .message
        .contains("too large"));
}

#[test]
fn a_missing_file_shows_the_resolved_path() {
    let checked = check(&Origin {
        path: "/nonexistent/dir/site.toml".into(),
        display: "site.toml".into(),
        root: None,
    });
    let message = &checked.charter.unwrap_err().0[0].message;
    assert!(message.contains("/nonexistent/dir/site.toml"), "{message}");
}

#[test]
fn extends_merges_by_name_and_reports_errors_in_the_base_file() {
    let dir = tempdir("extends");
    std::fs::write(
        dir.join("base.toml"),
        format!(
            "{HEAD}{}{}",
            cookie("a", "necessary", ""),
            cookie("b", "necesary", "")
        ),
    )
    .unwrap();
    std::fs::write(dir.join("child.toml"), "[charter]\nsite = \"https://child.fr\"\nextends = \"base.toml\"\n\n[[cookie]]\nname = \"a\"\npurpose = \"Child's words\"\n").unwrap();
    let checked = check(&Origin {
        path: dir.join("child.toml"),
        display: "child.toml".into(),
        root: None,
    });
    let errors = checked.charter.unwrap_err().0;
    assert_eq!(errors.len(), 1);
    let at = errors[0].location.as_ref().unwrap();
    assert!(at.file.ends_with("base.toml"), "{}", at.file);
    assert_eq!(at.line, 16);

    std::fs::write(
        dir.join("base.toml"),
        format!(
            "{HEAD}{}{}",
            cookie("a", "necessary", ""),
            cookie("b", "necessary", "")
        ),
    )
    .unwrap();
    let checked = check(&Origin {
        path: dir.join("child.toml"),
        display: "child.toml".into(),
        root: None,
    });
    let charter = checked.charter.unwrap();
    assert_eq!(charter.site(), "https://child.fr");
    assert_eq!(charter.cookies()[0].purpose(), "Child's words");
    assert_eq!(charter.cookies()[0].provider(), "P");
    assert_eq!(checked.paths.len(), 2);
}

#[cfg(unix)]
#[test]
fn extends_follows_symbolic_links_to_keep_bases_inside_the_package() {
    let dir = tempdir("extends-links");
    let package = dir.join("package");
    let outside = dir.join("outside");
    std::fs::create_dir_all(package.join("portals/shared")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let base = format!("{HEAD}{}", cookie("a", "necessary", ""));
    std::fs::write(outside.join("base.toml"), &base).unwrap();
    std::fs::write(package.join("portals/base.toml"), &base).unwrap();
    let link = package.join("portals/linked.toml");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(outside.join("base.toml"), &link).unwrap();
    let child = |extends: &str| {
        let path = package.join("portals/child.toml");
        std::fs::write(&path, format!("{HEAD}extends = \"{extends}\"\n")).unwrap();
        check(&Origin {
            path,
            display: "portals/child.toml".into(),
            root: Some(package.clone()),
        })
        .charter
    };

    let errors = child("linked.toml").unwrap_err().0;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let real = std::fs::canonicalize(outside.join("base.toml")).unwrap();
    assert_eq!(
        errors[0].message,
        format!(
            "`extends` leads outside the package (to `{}`)",
            real.display()
        )
    );
    let at = errors[0].location.as_ref().unwrap();
    assert_eq!(
        (at.file.as_str(), at.line, at.column),
        ("portals/child.toml", 3, 11)
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some("copy the base into the package instead of linking to it")
    );

    // A detour that comes back into the package is the base it leads to.
    let charter = child("shared/../base.toml").unwrap();
    assert_eq!(charter.cookies()[0].declared_name(), "a");
}

#[test]
fn the_revision_is_stable_and_follows_content_not_formatting() {
    let a = format!("{HEAD}{}", cookie("a", "necessary", ""));
    let b = format!(
        "# a comment\n{HEAD}\n\n{}",
        cookie("a", "nécessaire", "").replace("name = ", "name= ")
    );
    let c = format!("{HEAD}{}", cookie("a", "necessary", "path = \"/\"\n"));
    let rev = |t: &str| {
        check_str("t.toml", t)
            .charter
            .unwrap()
            .revision()
            .to_owned()
    };
    assert_eq!(rev(&a), rev(&a));
    assert_eq!(rev(&a), rev(&b));
    assert_ne!(rev(&a), rev(&c));
    assert_eq!(rev(&a).len(), 16);
}

/// A directory of the test's own, removed when the test ends, passed or failed.
struct TempDir(std::path::PathBuf);

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("charte-load-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}
