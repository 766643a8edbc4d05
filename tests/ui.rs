//! The compile errors users see, pinned with trybuild: one case per rule in
//! `tests/ui/*.rs`, its declaration in `tests/ui/portals/`, the expected output in
//! `tests/ui/*.stderr`. Regenerate with `TRYBUILD=overwrite cargo test --test ui`.

use std::path::Path;

#[test]
fn compile_errors() {
    // trybuild compiles each case inside its own package at
    // target/tests/trybuild/charte, and `charter!` resolves paths against the calling
    // package's directory: put the declarations there, so the cases can name them
    // exactly as a user would, `portals/x.toml`.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp");
    let portals = target.join("tests/trybuild/charte/portals");
    std::fs::create_dir_all(&portals).unwrap();
    for entry in std::fs::read_dir("tests/ui/portals").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), portals.join(entry.file_name())).unwrap();
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
