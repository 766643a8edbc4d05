//! Declaring: from a TOML file to a checked [`Charter`], and from it to the code
//! `charter!` emits. The steps run in this order:
//!
//! 1. [`source`]: where the file is, and the package rule;
//! 2. [`load`]: the files (following `extends`), TOML with spans, keys and types;
//! 3. [`validate`]: the rules across fields and cookies, then the [`Charter`] with its
//!    [`revision`];
//! 4. [`generate`] (feature `codegen`): the module `charter!` emits.
//!
//! Every step reports problems as [`Diagnostic`]s and goes on, so that one build shows
//! everything wrong with a declaration.

pub mod declaration;
pub mod diagnostic;
#[cfg(feature = "codegen")]
pub mod generate;
mod idents;
pub mod load;
pub mod revision;
pub mod source;
pub mod validate;

use std::path::PathBuf;

use crate::model::Charter;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use source::Origin;

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
        syntax_ok,
    } = loaded;
    // Nothing read, or a file whose TOML broke off: validating would only add noise.
    let charter = if declaration.files.is_empty() || !syntax_ok {
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
