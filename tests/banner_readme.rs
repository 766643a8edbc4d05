//! The README's two banner examples (section « The consent banner ») compile as written:
//! `tests/banner_readme/{axum,actix}.rs` are those blocks, and this test checks that the
//! README still shows them byte for byte.

#[allow(dead_code)]
#[path = "banner_readme/axum.rs"]
mod axum_example;

#[allow(dead_code)]
#[path = "banner_readme/actix.rs"]
mod actix_example;

#[test]
fn the_readme_shows_the_compiled_examples() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("## The consent banner")
        .expect("the README's banner section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let blocks: Vec<&str> = section
        .split("```rust\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap_or_default())
        .collect();
    assert_eq!(
        blocks,
        [
            include_str!("banner_readme/axum.rs"),
            include_str!("banner_readme/actix.rs")
        ],
        "the README's banner examples differ from tests/banner_readme/*.rs"
    );
}
