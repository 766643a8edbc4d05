//! Where the browser is: one rule for the audit and every browser test.

use std::env;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use super::Error;

/// The environment variable naming the browser to use (an executable's path, or a
/// command name looked up on `PATH`).
pub const CHROMIUM_VAR: &str = "CHARTE_CHROMIUM";

/// The commands tried on `PATH`, in this order, when [`CHROMIUM_VAR`] is not set:
/// Debian's package, Ubuntu's, Google's.
pub const CANDIDATES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// Finds Chromium as the SPEC's "Audit" section says: `CHARTE_CHROMIUM` when set
/// (and then only it: a wrong value is an error, not a reason to pick another
/// browser), else the first of [`CANDIDATES`] on `PATH`.
///
/// # Errors
/// [`Error::NotFound`] saying what was tried and how to install one.
///
/// # Example
/// ```
/// match charte_audit::browser::find_chromium() {
///     Ok(path) => println!("using {}", path.display()),
///     Err(error) => eprintln!("{error}"),
/// }
/// ```
pub fn find_chromium() -> Result<PathBuf, Error> {
    find_in(env::var_os(CHROMIUM_VAR), env::var_os("PATH"))
}

/// [`find_chromium`] with the two variables given (tests cannot set the process's own
/// environment safely while other tests run).
fn find_in(chosen: Option<OsString>, path: Option<OsString>) -> Result<PathBuf, Error> {
    let cwd = env::current_dir().unwrap_or_default();
    let lookup = |name: &OsStr| which::which_in(name, path.as_ref(), &cwd);
    if let Some(chosen) = chosen.filter(|v| !v.is_empty()) {
        return lookup(&chosen).map_err(|e| {
            Error::NotFound(format!(
                "{CHROMIUM_VAR}={} is not an executable ({e})",
                PathBuf::from(&chosen).display()
            ))
        });
    }
    CANDIDATES
        .iter()
        .find_map(|name| lookup(OsStr::new(name)).ok())
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no Chromium: {CHROMIUM_VAR} is not set and none of {} is on PATH \
                 (install one, e.g. `apt-get install chromium`, or set {CHROMIUM_VAR} \
                 to the browser's path)",
                CANDIDATES.join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    /// A directory holding executables named `names`.
    fn bin_dir(tag: &str, names: &[&str]) -> PathBuf {
        let dir = env::temp_dir().join(format!("charte-locate-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for name in names {
            let file = dir.join(name);
            fs::write(&file, "#!/bin/sh\n").unwrap();
            fs::set_permissions(&file, fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn the_candidates_are_tried_on_path_in_order() {
        let dir = bin_dir("order", &["google-chrome", "chromium-browser"]);
        let found = find_in(None, Some(dir.clone().into_os_string())).unwrap();
        assert_eq!(found, dir.join("chromium-browser"));
        let dir = bin_dir("chrome", &["google-chrome"]);
        let found = find_in(None, Some(dir.clone().into_os_string())).unwrap();
        assert_eq!(found, dir.join("google-chrome"));
    }

    #[test]
    fn the_variable_wins_over_path_and_may_be_a_name_or_a_path() {
        let dir = bin_dir("var", &["chromium", "my-chrome"]);
        let path = Some(dir.clone().into_os_string());
        let by_name = find_in(Some("my-chrome".into()), path.clone()).unwrap();
        assert_eq!(by_name, dir.join("my-chrome"));
        let by_path = find_in(Some(dir.join("my-chrome").into_os_string()), None).unwrap();
        assert_eq!(by_path, dir.join("my-chrome"));
    }

    #[test]
    fn a_wrong_variable_is_an_error_not_a_fallback() {
        let dir = bin_dir("wrong", &["chromium"]);
        let error = find_in(Some("/nowhere/chrome".into()), Some(dir.into_os_string()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("CHARTE_CHROMIUM=/nowhere/chrome"), "{error}");
    }

    #[test]
    fn no_browser_says_what_was_tried() {
        let dir = bin_dir("none", &[]);
        let error = find_in(None, Some(dir.into_os_string())).unwrap_err();
        assert!(matches!(error, Error::NotFound(_)));
        let error = error.to_string();
        assert!(
            error.contains("chromium, chromium-browser, google-chrome"),
            "{error}"
        );
    }
}
