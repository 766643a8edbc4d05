//! The engine of [charte](https://docs.rs/charte): everything but the proc-macro.
//!
//! Users depend on the `charte` crate, which re-exports what they need by name. The
//! folders are the phases of a charter's life (`ARCHITECTURE.md` at the workspace root
//! draws them):
//!
//! - [`declare`]: the TOML file → a checked [`Charter`] → the code `charter!` emits;
//! - [`model`]: the charter, its cookies and categories, shared by every phase;
//! - [`consent`]: the visitor's decision and its cookie;
//! - [`wire`]: reading cookie headers as browsers do, without allocating;
//! - [`enforce`]: the engine and its tower and actix-web shells;
//! - [`render`]: the charter page;
//! - `proof` (features `proof-sqlite`, `proof-postgres`): the log of decisions.

#![warn(missing_docs)]

pub mod banner;
pub mod consent;
pub mod declare;
pub mod enforce;
mod guard;
pub mod model;
pub mod render;
pub mod wire;

#[cfg(any(feature = "proof-sqlite", feature = "proof-postgres"))]
pub mod proof;

pub use consent::Consent;
pub use declare::{check, check_str, Checked, Diagnostic, Diagnostics, Origin};
pub use enforce::Mode;
pub use model::{Category, Charter, Cookie, Duration, Lang, NameMismatch, Pattern, SameSite};
pub use render::Format;
