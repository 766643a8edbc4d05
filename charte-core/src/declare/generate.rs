//! The code `charter!` emits for a valid charter, as a `proc_macro2::TokenStream`.
//!
//! Everything is spelled with absolute paths (`::charte::...`, `::core::...`) so user
//! code cannot shadow it, and emitted in declaration order so the output is the same
//! on every build.

use std::path::PathBuf;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Category, Charter, Cookie, Lang, SameSite};

use super::diagnostic::Diagnostic;
use super::idents::{constant_name, module_name};
use super::source::{resolve_in_package, Origin, OutsidePackage};

/// What the macro was asked for: `charter!("portals/x.toml")` or
/// `charter!(pub mod name = "portals/x.toml")`.
pub struct Request {
    /// The path as written.
    pub path: String,
    /// The module's visibility, as tokens (`pub`, `pub(crate)`, or nothing).
    pub visibility: TokenStream,
    /// The module's name when given; otherwise the file stem, in snake_case.
    pub module: Option<Ident>,
    /// The package directory (`CARGO_MANIFEST_DIR` of the calling crate).
    pub manifest_dir: PathBuf,
}

/// Reads, validates and expands a request: the generated module, or every problem.
pub fn expand(request: &Request) -> Result<TokenStream, Vec<Diagnostic>> {
    let origin = resolve(request)?;
    let module = match &request.module {
        Some(module) => module.clone(),
        None => module_ident(&origin)?,
    };
    let checked = super::check(&origin);
    let charter = checked.charter.map_err(|d| d.0)?;
    Ok(generate(
        &charter,
        &request.visibility,
        &module,
        &checked.paths,
    ))
}

/// Resolves the path against the package directory, refusing what would only work
/// on this machine (absolute paths) or reach outside the package.
fn resolve(request: &Request) -> Result<Origin, Vec<Diagnostic>> {
    let relative = std::path::Path::new(&request.path);
    let refused = match resolve_in_package(&request.manifest_dir, relative) {
        _ if request.path.is_empty() => OutsidePackage::Escapes(relative.to_path_buf()),
        Ok(path) => {
            return Ok(Origin {
                path,
                display: request.path.clone(),
                root: Some(request.manifest_dir.clone()),
            })
        }
        Err(refused) => refused,
    };
    let diagnostic = match refused {
        OutsidePackage::Absolute => Diagnostic::new(format!(
            "`charter!` needs a path relative to the package, not the absolute path {:?}",
            request.path
        ))
        .note("an absolute path only works on this machine", None)
        .help("write the path from the directory of your Cargo.toml, e.g. \"portals/site.toml\""),
        OutsidePackage::Escapes(_) => Diagnostic::new(format!(
            "`charter!` path {:?} leaves the package",
            request.path
        ))
        .note(
            "paths resolve against the directory of the calling package's Cargo.toml",
            None,
        )
        .help("keep the declaration inside the package, e.g. \"portals/site.toml\""),
        OutsidePackage::Links(real) => Diagnostic::new(format!(
            "`charter!` path {:?} leads outside the package (to `{}`)",
            request.path,
            real.display()
        ))
        .help("copy the declaration into the package instead of linking to it"),
    };
    Err(vec![diagnostic])
}

fn module_ident(origin: &Origin) -> Result<Ident, Vec<Diagnostic>> {
    let stem = origin
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    match module_name(stem) {
        Some(name) if syn_keyword(&name) => Ok(Ident::new_raw(&name, Span::call_site())),
        Some(name) => Ok(Ident::new(&name, Span::call_site())),
        None => Err(vec![Diagnostic::new(format!(
            "cannot name a module after the file stem {stem:?}"
        ))
        .help(format!(
            "name it yourself: charter!(mod my_charter = {:?})",
            origin.display
        ))]),
    }
}

/// Rust keywords, which a module named after a file stem (`type.toml`) must write as a
/// raw identifier. (`self`, `super` and `crate` cannot be raw: rustc reports those.)
fn syn_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "break"
            | "const"
            | "continue"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

/// The module for a valid charter. `paths` are the files read, which the module
/// includes so that cargo rebuilds the caller when one changes.
pub fn generate(
    charter: &Charter,
    visibility: &TokenStream,
    module: &Ident,
    paths: &[PathBuf],
) -> TokenStream {
    let count = charter.cookies().len();
    let watched = paths.iter().map(|p| {
        let path = string_literal(&p.to_string_lossy());
        quote!(
            const _: &str = ::core::include_str!(#path);
        )
    });
    let mut constants = Vec::new();
    let mut elements = Vec::new();
    // Exact names grouped by length: one jump on the length, then a comparison of a
    // known size, which the compiler turns into a few word compares.
    let mut exact_by_len: std::collections::BTreeMap<usize, Vec<TokenStream>> =
        std::collections::BTreeMap::new();
    let mut pattern_checks = Vec::new();
    for (index, cookie) in charter.cookies().iter().enumerate() {
        let ident = format_ident!("{}", constant_name(cookie.name()));
        let doc = string_literal(&cookie_doc(cookie));
        if cookie.is_pattern() {
            constants.push(quote! {
                #[doc = #doc]
                pub static #ident: Pattern = Pattern(&__CHARTE_COOKIES[#index]);
            });
            elements.push(cookie_value(cookie));
            let prefix = Literal::byte_string(cookie.name().as_bytes());
            pattern_checks.push(quote! {
                if name.starts_with(#prefix) {
                    return Some(#index);
                }
            });
        } else {
            let value = cookie_value(cookie);
            constants.push(quote! {
                #[doc = #doc]
                pub const #ident: Cookie = #value;
            });
            elements.push(quote!(#ident));
            let bytes = Literal::byte_string(cookie.name().as_bytes());
            exact_by_len
                .entry(cookie.name().len())
                .or_default()
                .push(quote!(if name == #bytes { return Some(#index); }));
        }
    }
    let exact_arms = exact_by_len.into_iter().map(|(len, checks)| {
        let len = Literal::usize_unsuffixed(len);
        quote!(#len => { #(#checks)* })
    });
    let site = string_literal(charter.site());
    let revision = string_literal(charter.revision());
    let lang = match charter.lang() {
        Lang::Fr => quote!(::charte::__private::Lang::Fr),
        Lang::En => quote!(::charte::__private::Lang::En),
    };
    let consent_cookie = match charter
        .consent_cookie_declaration()
        .and_then(|c| charter.cookies().iter().position(|k| k == c))
    {
        Some(index) => quote!(::core::option::Option::Some(#index)),
        None => quote!(::core::option::Option::None),
    };
    let charter_doc = string_literal(&format!(
        "The cookie charter of <{}>: {} cookies, revision `{}`.",
        charter.site(),
        count,
        charter.revision()
    ));
    quote! {
        #[allow(dead_code)]
        #visibility mod #module {
            // Only this module's own names are in scope here, so these short paths
            // cannot be shadowed by user code.
            use ::charte::__private::{Category, Cookie, Pattern, SameSite};
            use ::core::option::Option::{self, None, Some};

            #(#watched)*

            #(#constants)*

            static __CHARTE_COOKIES: [Cookie; #count] = [#(#elements),*];

            fn __charte_lookup(name: &[u8]) -> Option<usize> {
                match name.len() {
                    #(#exact_arms)*
                    _ => {}
                }
                #(#pattern_checks)*
                None
            }

            #[doc = #charter_doc]
            pub static CHARTER: ::charte::__private::Charter =
                ::charte::__private::Charter::from_parts(::charte::__private::CharterParts {
                    site: ::charte::__private::Cow::Borrowed(#site),
                    lang: #lang,
                    consent_cookie_index: #consent_cookie,
                    cookies: ::charte::__private::Cow::Borrowed(&__CHARTE_COOKIES),
                    revision: ::charte::__private::Cow::Borrowed(#revision),
                    lookup: ::core::option::Option::Some(__charte_lookup),
                });
        }
    }
}

/// A string literal token. `Literal::string` escapes with `char::escape_debug`, whose
/// Unicode tables dominate the macro's run time on a French charter; plain text (no
/// quote, backslash, control or bidirectional-override character, which rustc would
/// reject in a literal) is written as it is instead.
fn string_literal(text: &str) -> Literal {
    let plain = !text.chars().any(|c| {
        matches!(c, '"' | '\\' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || c.is_control()
    });
    if plain {
        if let Ok(literal) = format!("\"{text}\"").parse::<Literal>() {
            return literal;
        }
    }
    Literal::string(text)
}

fn cookie_doc(cookie: &Cookie) -> String {
    let consent = if cookie.needs_consent() {
        "needs consent"
    } else {
        "no consent needed"
    };
    format!(
        "`{}` ({}, {}): {} — {}",
        cookie.declared_name(),
        cookie.category(),
        consent,
        cookie.provider(),
        cookie.purpose()
    )
}

fn cookie_value(cookie: &Cookie) -> TokenStream {
    let text = string_literal;
    let optional_text = |s: Option<&str>| match s {
        Some(s) => {
            let s = text(s);
            quote!(Some(#s))
        }
        None => quote!(None),
    };
    let name = text(cookie.name());
    let pattern = cookie.is_pattern();
    let provider = text(cookie.provider());
    let service = text(cookie.service());
    let purpose = text(cookie.purpose());
    let category = match cookie.category() {
        Category::Necessary => quote!(Category::Necessary),
        Category::Statistics => quote!(Category::Statistics),
        Category::FirstParty => quote!(Category::FirstParty),
        Category::ThirdParty => quote!(Category::ThirdParty),
    };
    let anonymous = cookie.is_anonymous();
    let duration = match cookie.duration() {
        Some(d) => {
            let words = text(&d.text);
            let max_age = match d.max_age {
                Some(seconds) => quote!(Some(#seconds)),
                None => quote!(None),
            };
            quote!(Some((#words, #max_age)))
        }
        None => quote!(None),
    };
    let path = optional_text(cookie.path());
    let domain = optional_text(cookie.domain());
    let secure = cookie.secure();
    let http_only = cookie.http_only();
    let same_site = match cookie.same_site() {
        Some(SameSite::Strict) => quote!(Some(SameSite::Strict)),
        Some(SameSite::Lax) => quote!(Some(SameSite::Lax)),
        Some(SameSite::None) => quote!(Some(SameSite::None)),
        None => quote!(None),
    };
    let partitioned = cookie.partitioned();
    quote! {
        Cookie::declared(#name, #pattern, #provider, #service, #purpose, #category, #anonymous,
            #duration, #path, #domain, #secure, #http_only, #same_site, #partitioned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECLARATION: &str = r#"
[charter]
site = "https://x.fr"

[[cookie]]
name = "zeta"
provider = "P"
service = "S"
purpose = "Z"
category = "necessary"

[[cookie]]
name = "alpha*"
provider = "P"
service = "S"
purpose = "A"
category = "statistics"
"#;

    fn expand_text() -> String {
        let charter = crate::check_str("x.toml", DECLARATION).charter.unwrap();
        let module = Ident::new("x", Span::call_site());
        generate(
            &charter,
            &TokenStream::new(),
            &module,
            &[PathBuf::from("/p/x.toml")],
        )
        .to_string()
    }

    #[test]
    fn generation_is_deterministic_and_follows_declaration_order() {
        let first = expand_text();
        assert_eq!(first, expand_text());
        let zeta = first.find("pub const ZETA").unwrap();
        let alpha = first.find("pub static ALPHA").unwrap();
        assert!(zeta < alpha);
    }

    #[test]
    fn the_module_watches_every_file_it_read() {
        assert!(expand_text().contains(r#"include_str ! ("/p/x.toml")"#));
    }

    #[test]
    fn requests_outside_the_package_are_refused_before_reading() {
        let request = |path: &str| Request {
            path: path.to_owned(),
            visibility: TokenStream::new(),
            module: None,
            manifest_dir: PathBuf::from("/nonexistent/package"),
        };
        let message = |path| expand(&request(path)).unwrap_err()[0].message.clone();
        assert!(message("/etc/x.toml").contains("absolute path"));
        assert!(message("../x.toml").contains("leaves the package"));
        assert!(message("a/../../x.toml").contains("leaves the package"));
        assert!(
            message("a/../x.toml").contains("cannot read"),
            "stays inside, then is missing"
        );
    }
}
