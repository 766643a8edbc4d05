//! Where a declaration is read from, and the package rule: a charter, and every base it
//! `extends`, stays inside the package that uses it (the README, "What `charter!`
//! checks": absolute paths and paths escaping the package are rejected), so that a build reads
//! the same files on every machine.

use std::path::{Component, Path, PathBuf};

/// Where a declaration is read from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file to read.
    pub path: PathBuf,
    /// How to name it in messages (the path as the user wrote it).
    pub display: String,
    /// When set, every file read (bases included) must lie inside this directory,
    /// and paths are displayed relative to it. The macro sets the package directory.
    pub root: Option<PathBuf>,
}

/// Why a path does not stay inside the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutsidePackage {
    /// An absolute path: it would only work on this machine.
    Absolute,
    /// The path's own text climbs out (`../x.toml`); carries it relative to the package.
    Escapes(PathBuf),
    /// A symbolic link leads out; carries where it really leads.
    Links(PathBuf),
}

/// Resolves `relative` (a path relative to the package directory `root`) into the
/// package: the path to read, or why it leaves the package. A path that does not exist
/// resolves (reading reports it); a symbolic link is followed only to check where it
/// really leads.
pub fn resolve_in_package(root: &Path, relative: &Path) -> Result<PathBuf, OutsidePackage> {
    if relative.has_root() || relative.is_absolute() {
        return Err(OutsidePackage::Absolute);
    }
    let normalized = normalize(relative);
    if normalized.starts_with("..") {
        return Err(OutsidePackage::Escapes(normalized));
    }
    let path = root.join(&normalized);
    match (std::fs::canonicalize(&path), std::fs::canonicalize(root)) {
        (Ok(real), Ok(root)) if !real.starts_with(&root) => Err(OutsidePackage::Links(real)),
        _ => Ok(path),
    }
}

/// Resolves `.` and `..` without touching the file system (the file may not exist); a
/// path that climbs above its start keeps its leading `..`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                // Above the start already (or at it): climb further; else step back.
                if out.as_os_str().is_empty() || out.ends_with("..") || !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_climbing_out_of_the_package_are_refused() {
        let root = Path::new("/no/such/package");
        let escapes = |p: &str| resolve_in_package(root, Path::new(p));
        assert_eq!(escapes("portals/x.toml"), Ok(root.join("portals/x.toml")));
        assert_eq!(escapes("a/../x.toml"), Ok(root.join("x.toml")));
        assert_eq!(
            escapes("portals/../../x.toml"),
            Err(OutsidePackage::Escapes(PathBuf::from("../x.toml")))
        );
        assert_eq!(
            escapes("../../x.toml"),
            Err(OutsidePackage::Escapes(PathBuf::from("../../x.toml")))
        );
        assert_eq!(escapes("/etc/x.toml"), Err(OutsidePackage::Absolute));
    }
}
