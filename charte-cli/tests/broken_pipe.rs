//! `charte ... | head -1`: a reader that leaves early ends the output quietly, with the
//! status the command would have had (not a panic, exit 101, "failed printing to
//! stdout: Broken pipe").

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `charte ARGS` with its stdout a pipe whose reader has already gone: `sh` starts
/// `true` as the reader and `charte` once it has exited, having checked that a write
/// fails. Returns charte's exit status and its stderr.
pub fn with_stdout_closed(args: &[&str]) -> (i32, String) {
    let script = r#"trap '' PIPE
{ sleep 0.5; if printf x 2>/dev/null; then echo "the reader is still there" >&2; fi
  "$0" "$@"; echo "exit $?" >&2; } | true"#;
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_charte"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stderr.contains("the reader is still there"),
        "the pipe was not closed: {stderr}"
    );
    let (rest, status) = stderr
        .trim_end()
        .rsplit_once("exit ")
        .unwrap_or_else(|| panic!("no status: {stderr}"));
    (status.parse().unwrap(), rest.to_string())
}

#[test]
fn check_render_and_guard_end_quietly_when_the_reader_leaves() {
    let portals = [
        "portals/opendatasoft.toml",
        "portals/roubaix.toml",
        "portals/reseda.toml",
        "portals/valenciennes.toml",
    ];
    let mut check = vec!["check"];
    check.extend(portals);
    for args in [
        check,
        vec!["render", "portals/roubaix.toml"],
        vec!["render", "portals/roubaix.toml", "--format", "text"],
        vec!["guard", "portals/roubaix.toml"],
    ] {
        let (status, stderr) = with_stdout_closed(&args);
        assert_eq!((status, stderr.as_str()), (0, ""), "{args:?}");
    }

    // The status still tells what the command found.
    let (status, stderr) = with_stdout_closed(&[
        "check",
        "portals/roubaix.toml",
        "charte-cli/tests/fixtures/bad_category.toml",
    ]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("bad_category.toml:10:12"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}
