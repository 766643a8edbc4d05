//! Cargo rebuilds a crate that uses `charter!` when its declaration (or a base it
//! extends) changes, and the revision follows the declaration: the same declaration
//! always gives the same revision, a changed one a different revision.
//!
//! This builds a real package with cargo, in `target/tmp`, as a user's would be.

use std::path::{Path, PathBuf};
use std::process::Command;

const BASE: &str = r#"[charter]
site = "https://platform.example.fr"

[[cookie]]
name = "sessionid"
provider = "Platform"
service = "Authentification"
purpose = "Se souvenir de l'utilisateur."
category = "necessary"
"#;

const SITE: &str = r#"[charter]
site = "https://opendata.example.fr"
extends = "base.toml"

[[cookie]]
name = "lang"
provider = "Portail"
service = "Langue"
purpose = "Se souvenir de la langue."
category = "necessary"
"#;

struct Probe {
    dir: PathBuf,
}

impl Probe {
    fn new() -> Probe {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rebuild-probe");
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("portals")).unwrap();
        let workspace = env!("CARGO_MANIFEST_DIR");
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"rebuild-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
                 [dependencies]\ncharte = {{ path = {workspace:?} }}\n\n[workspace]\n"
            ),
        )
        .unwrap();
        // The same versions as the workspace, so the build needs no network.
        std::fs::copy(
            Path::new(workspace).join("Cargo.lock"),
            dir.join("Cargo.lock"),
        )
        .unwrap();
        std::fs::write(
            dir.join("src/main.rs"),
            "charte::charter!(\"portals/site.toml\");\n\n\
             fn main() {\n    println!(\"{} {}\", site::CHARTER.revision(), site::SESSIONID.purpose());\n}\n",
        )
        .unwrap();
        Probe { dir }
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.dir.join("portals").join(file), text).unwrap();
    }

    /// Builds and runs the probe: (whether cargo compiled it, what it printed).
    fn run(&self) -> (bool, String) {
        let output = Command::new(env!("CARGO"))
            .args(["run", "--offline", "--verbose"])
            .current_dir(&self.dir)
            .env_remove("RUSTFLAGS")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "probe failed:\n{stderr}");
        let compiled = stderr
            .lines()
            .any(|l| l.trim_start().starts_with("Compiling rebuild-probe"));
        (
            compiled,
            String::from_utf8(output.stdout).unwrap().trim().to_owned(),
        )
    }
}

#[test]
fn editing_the_declaration_rebuilds_and_changes_the_revision() {
    let probe = Probe::new();
    probe.write("base.toml", BASE);
    probe.write("site.toml", SITE);
    let (_, first) = probe.run();

    let (compiled, again) = probe.run();
    assert!(!compiled, "nothing changed: cargo must not rebuild");
    assert_eq!(again, first);

    probe.write(
        "site.toml",
        &SITE.replace("de la langue", "de la langue choisie"),
    );
    let (compiled, edited) = probe.run();
    assert!(compiled, "the declaration changed: cargo must rebuild");
    assert_ne!(
        edited.split(' ').next(),
        first.split(' ').next(),
        "revision must change"
    );

    probe.write(
        "base.toml",
        &BASE.replace("de l'utilisateur", "du visiteur"),
    );
    let (compiled, base_edited) = probe.run();
    assert!(compiled, "the base changed: cargo must rebuild");
    assert!(
        base_edited.ends_with("Se souvenir du visiteur."),
        "{base_edited}"
    );

    // Back to the first declaration: back to the first revision.
    probe.write("base.toml", BASE);
    probe.write("site.toml", SITE);
    let (compiled, restored) = probe.run();
    assert!(compiled);
    assert_eq!(restored, first);
}
