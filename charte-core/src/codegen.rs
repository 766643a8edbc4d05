//! The code `charter!` emits for a valid charter, as a `proc_macro2::TokenStream`.
//!
//! Everything is spelled with absolute paths (`::charte::...`, `::core::...`) so user
//! code cannot shadow it, and emitted in declaration order so the output is the same
//! on every build.

use std::path::PathBuf;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::diagnostic::Diagnostic;
use crate::load::{stays_inside, Origin};
use crate::model::{Category, Charter, Cookie, Lang, SameSite};
use crate::names::{constant_name, module_name};

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
    let checked = crate::check(&origin);
    let charter = checked.charter.map_err(|d| d.0)?;
    Ok(generate(&charter, &request.visibility, &module, &checked.paths))
}

/// Resolves the path against the package directory, refusing what would only work
/// on this machine (absolute paths) or reach outside the package.
fn resolve(request: &Request) -> Result<Origin, Vec<Diagnostic>> {
    let relative = std::path::Path::new(&request.path);
    if relative.is_absolute() {
        return Err(vec![Diagnostic::new(format!(
            "`charter!` needs a path relative to the package, not the absolute path {:?}",
            request.path
        ))
        .note("an absolute path only works on this machine", None)
        .help("write the path from the directory of your Cargo.toml, e.g. \"portals/site.toml\"")]);
    }
    if request.path.is_empty() || !stays_inside(relative) {
        return Err(vec![Diagnostic::new(format!(
            "`charter!` path {:?} leaves the package",
            request.path
        ))
        .note(
            format!(
                "paths resolve against the package directory `{}`",
                request.manifest_dir.display()
            ),
            None,
        )
        .help("keep the declaration inside the package, e.g. \"portals/site.toml\"")]);
    }
    let path = request.manifest_dir.join(relative);
    // A symbolic link could still lead outside: compare real paths when they exist.
    if let (Ok(real), Ok(root)) = (
        std::fs::canonicalize(&path),
        std::fs::canonicalize(&request.manifest_dir),
    ) {
        if !real.starts_with(&root) {
            return Err(vec![Diagnostic::new(format!(
                "`charter!` path {:?} leads outside the package (to `{}`)",
                request.path,
                real.display()
            ))
            .help("copy the declaration into the package instead of linking to it")]);
        }
    }
    Ok(Origin {
        path,
        display: request.path.clone(),
        root: Some(request.manifest_dir.clone()),
    })
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
        let path = Literal::string(&p.to_string_lossy());
        quote!(const _: &str = ::core::include_str!(#path);)
    });
    let mut constants = Vec::new();
    let mut elements = Vec::new();
    let mut exact_arms = Vec::new();
    let mut pattern_checks = Vec::new();
    for (index, cookie) in charter.cookies().iter().enumerate() {
        let ident = format_ident!("{}", constant_name(cookie.name()));
        let doc = Literal::string(&cookie_doc(cookie));
        let name = Literal::string(cookie.name());
        if cookie.is_pattern() {
            constants.push(quote! {
                #[doc = #doc]
                pub static #ident: ::charte::Pattern = ::charte::Pattern(&__CHARTE_COOKIES[#index]);
            });
            elements.push(cookie_value(cookie));
            pattern_checks.push(quote! {
                if name.starts_with(#name) {
                    return ::core::option::Option::Some(#index);
                }
            });
        } else {
            let value = cookie_value(cookie);
            constants.push(quote! {
                #[doc = #doc]
                pub const #ident: ::charte::Cookie = #value;
            });
            elements.push(quote!(#ident));
            exact_arms.push(quote!(#name => ::core::option::Option::Some(#index),));
        }
    }
    let site = Literal::string(charter.site());
    let revision = Literal::string(charter.revision());
    let lang = match charter.lang() {
        Lang::Fr => quote!(::charte::Lang::Fr),
        Lang::En => quote!(::charte::Lang::En),
    };
    let consent_cookie = match charter
        .consent_cookie_declaration()
        .and_then(|c| charter.cookies().iter().position(|k| k == c))
    {
        Some(index) => quote!(::core::option::Option::Some(#index)),
        None => quote!(::core::option::Option::None),
    };
    let charter_doc = Literal::string(&format!(
        "The cookie charter of <{}>: {} cookies, revision `{}`.",
        charter.site(),
        count,
        charter.revision()
    ));
    quote! {
        #[allow(dead_code)]
        #visibility mod #module {
            #(#watched)*

            #(#constants)*

            static __CHARTE_COOKIES: [::charte::Cookie; #count] = [#(#elements),*];

            fn __charte_lookup(name: &str) -> ::core::option::Option<usize> {
                match name {
                    #(#exact_arms)*
                    _ => {
                        #(#pattern_checks)*
                        ::core::option::Option::None
                    }
                }
            }

            #[doc = #charter_doc]
            pub static CHARTER: ::charte::Charter =
                ::charte::Charter::from_parts(::charte::__private::CharterParts {
                    site: ::charte::__private::Cow::Borrowed(#site),
                    lang: #lang,
                    consent_cookie: #consent_cookie,
                    cookies: ::charte::__private::Cow::Borrowed(&__CHARTE_COOKIES),
                    revision: ::charte::__private::Cow::Borrowed(#revision),
                    lookup: ::core::option::Option::Some(__charte_lookup),
                });
        }
    }
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
    let text = |s: &str| {
        let s = Literal::string(s);
        quote!(::charte::__private::Cow::Borrowed(#s))
    };
    let optional_text = |s: Option<&str>| match s {
        Some(s) => {
            let s = text(s);
            quote!(::core::option::Option::Some(#s))
        }
        None => quote!(::core::option::Option::None),
    };
    let name = text(cookie.name());
    let pattern = cookie.is_pattern();
    let provider = text(cookie.provider());
    let service = text(cookie.service());
    let purpose = text(cookie.purpose());
    let category = match cookie.category() {
        Category::Necessary => quote!(::charte::Category::Necessary),
        Category::Statistics => quote!(::charte::Category::Statistics),
        Category::FirstParty => quote!(::charte::Category::FirstParty),
        Category::ThirdParty => quote!(::charte::Category::ThirdParty),
    };
    let anonymous = cookie.is_anonymous();
    let duration = match cookie.duration() {
        Some(d) => {
            let words = text(&d.text);
            let max_age = match d.max_age {
                Some(seconds) => quote!(::core::option::Option::Some(#seconds)),
                None => quote!(::core::option::Option::None),
            };
            quote!(::core::option::Option::Some(::charte::Duration { text: #words, max_age: #max_age }))
        }
        None => quote!(::core::option::Option::None),
    };
    let path = optional_text(cookie.path());
    let domain = optional_text(cookie.domain());
    let secure = cookie.secure();
    let http_only = cookie.http_only();
    let same_site = match cookie.same_site() {
        Some(SameSite::Strict) => quote!(::core::option::Option::Some(::charte::SameSite::Strict)),
        Some(SameSite::Lax) => quote!(::core::option::Option::Some(::charte::SameSite::Lax)),
        Some(SameSite::None) => quote!(::core::option::Option::Some(::charte::SameSite::None)),
        None => quote!(::core::option::Option::None),
    };
    let partitioned = cookie.partitioned();
    quote! {
        ::charte::Cookie::from_parts(::charte::__private::CookieParts {
            name: #name,
            pattern: #pattern,
            provider: #provider,
            service: #service,
            purpose: #purpose,
            category: #category,
            anonymous: #anonymous,
            duration: #duration,
            path: #path,
            domain: #domain,
            secure: #secure,
            http_only: #http_only,
            same_site: #same_site,
            partitioned: #partitioned,
        })
    }
}
