//! What `charter!` costs at compile time: load + validate + generate the module, for
//! generated charters of 40 and 1,000 cookies.
//!
//! `cargo bench -p charte-core --features codegen --bench codegen`

use charte_core::declare::generate::generate;
use proc_macro2::{Ident, Span, TokenStream};

fn main() {
    divan::main();
}

/// A declaration with `count` cookies of every category, some patterns, durations and
/// attributes: the shape of a real charter, scaled.
fn declaration(count: usize) -> String {
    let mut text = String::from(
        "[charter]\nsite = \"https://opendata.example.fr\"\nlang = \"fr\"\nconsent_cookie = \"cookie_0\"\n",
    );
    let categories = ["necessary", "statistics", "first-party", "third-party"];
    for i in 0..count {
        let category = if i == 0 {
            "necessary"
        } else {
            categories[i % 4]
        };
        let name = if i % 10 == 9 {
            format!("prefix_{i}_*")
        } else {
            format!("cookie_{i}")
        };
        text.push_str(&format!(
            "\n[[cookie]]\nname = \"{name}\"\nprovider = \"Prestataire {i}\"\n\
             service = \"Service et emplacement {i}\"\n\
             purpose = \"Se souvenir d'une information numéro {i} d'une page à une autre.\"\n\
             category = \"{category}\"\nduration = \"{} days\"\npath = \"/\"\nsecure = true\n",
            1 + i % 150
        ));
    }
    text
}

fn expand(text: &str) -> TokenStream {
    let checked = charte_core::check_str("bench.toml", text);
    let charter = checked.charter.expect("the generated declaration is valid");
    generate(
        &charter,
        &TokenStream::new(),
        &Ident::new("bench", Span::call_site()),
        &[],
    )
}

#[divan::bench(args = [40, 1000])]
fn load_validate_generate(bencher: divan::Bencher, count: usize) {
    let text = declaration(count);
    bencher.bench(|| expand(divan::black_box(&text)));
}

/// The same, plus turning the tokens into the text rustc will parse: what the macro
/// hands back in the end.
#[divan::bench(args = [40, 1000])]
fn load_validate_generate_to_string(bencher: divan::Bencher, count: usize) {
    let text = declaration(count);
    bencher.bench(|| expand(divan::black_box(&text)).to_string());
}

#[divan::bench(args = [40, 1000])]
fn parse_toml_only(bencher: divan::Bencher, count: usize) {
    let text = declaration(count);
    bencher.bench(|| toml::de::DeTable::parse(divan::black_box(&text)).is_ok());
}

#[divan::bench(args = [40, 1000])]
fn load_validate_only(bencher: divan::Bencher, count: usize) {
    let text = declaration(count);
    bencher.bench(|| {
        charte_core::check_str("bench.toml", divan::black_box(&text))
            .charter
            .is_ok()
    });
}
