//! The engine of [charte](https://docs.rs/charte): the model of a cookie charter, its
//! loading from TOML with spans, validation, and code generation for `charter!`.
//!
//! Users depend on the `charte` crate, which re-exports this one.

#![warn(missing_docs)]

mod clock;
pub mod declaration;
pub mod diagnostic;
pub mod duration;
pub mod load;
pub mod model;
pub mod names;
pub mod revision;
mod scan;
pub mod validate;

#[cfg(feature = "codegen")]
pub mod codegen;

pub mod consent;
pub mod enforce;
mod guard;
pub mod render;

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "tower")]
pub mod tower;

use std::path::PathBuf;

pub use consent::Consent;
pub use diagnostic::{Diagnostic, Diagnostics};
pub use enforce::Mode;
pub use load::Origin;
pub use model::{Category, Charter, Cookie, Duration, Lang, NameMismatch, Pattern, SameSite};
pub use render::Format;

/// The outcome of checking a declaration.
#[derive(Debug)]
pub struct Checked {
    /// The charter, or every problem found (sorted by file and position).
    pub charter: Result<Charter, Diagnostics>,
    /// Every file read (the declaration, then its bases).
    pub paths: Vec<PathBuf>,
}

/// Reads, merges and validates a declaration file.
pub fn check(origin: &Origin) -> Checked {
    finish(load::load(origin))
}

/// Reads and validates a declaration held in memory (`extends` resolves against the
/// current directory).
///
/// ```
/// let checked = charte_core::check_str("inline.toml", r#"
/// [charter]
/// site = "https://opendata.example.fr"
///
/// [[cookie]]
/// name = "sessionid"
/// provider = "Opendatasoft"
/// service = "Authentification"
/// purpose = "Se souvenir de l'utilisateur."
/// category = "nécessaire"
/// "#);
/// let charter = checked.charter.unwrap();
/// assert_eq!(charter.cookies()[0].category(), charte_core::Category::Necessary);
/// ```
pub fn check_str(display: &str, text: &str) -> Checked {
    finish(load::load_str(display, text))
}

fn finish(loaded: load::Loaded) -> Checked {
    let load::Loaded {
        declaration,
        mut diagnostics,
        paths,
    } = loaded;
    let charter = if declaration.files.is_empty() {
        None
    } else if diagnostics
        .iter()
        .any(|d| d.message.starts_with("invalid TOML"))
    {
        // The rest of the file was not read: more errors would only be noise.
        None
    } else {
        validate::validate(&declaration, &mut diagnostics)
    };
    let charter = match charter {
        Some(charter) if diagnostics.is_empty() => Ok(charter),
        _ => {
            // Report in reading order: by file as displayed, then by position.
            diagnostics.sort_by(|a, b| {
                let key = |d: &Diagnostic| {
                    d.location
                        .as_ref()
                        .map(|l| (l.file.clone(), l.line, l.column))
                };
                key(a).cmp(&key(b))
            });
            Err(Diagnostics(diagnostics))
        }
    };
    Checked { charter, paths }
}
