//! `charte guard FILE`, run as users run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn charte(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charte"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .expect("run charte")
}

#[test]
fn guard_prints_the_script_of_the_charter() {
    let output = charte(&["guard", "examples/portal.toml"]);
    assert!(output.status.success(), "{output:?}");
    let script = String::from_utf8(output.stdout).unwrap();
    let charter = charte_core::check(&charte_core::Origin {
        path: workspace().join("examples/portal.toml"),
        display: "examples/portal.toml".into(),
        root: None,
    })
    .charter
    .unwrap();
    assert_eq!(script, charter.guard_script());
    assert!(script.contains(r#"["_pk_id",1]"#), "{script}");
    assert!(script.contains(r#"const consentName = "cookies_preferences";"#));
    assert!(output.stderr.is_empty());
}

#[test]
fn guard_of_a_wrong_declaration_prints_its_problems_and_no_script() {
    let output = charte(&["guard", "charte-cli/tests/fixtures/bad_category.toml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("bad_category.toml:"), "{stderr}");
    assert!(stderr.contains("no guard written"), "{stderr}");
}

#[test]
fn guard_of_a_missing_file_fails_with_its_path() {
    let output = charte(&["guard", "no/such/charter.toml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("no/such/charter.toml"), "{stderr}");
}
