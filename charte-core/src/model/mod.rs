//! The model every phase shares: a charter, its cookies, their categories and
//! durations, and the rules of cookie names.
//!
//! Strings are `Cow<'static, str>` so that `charter!` can build every value in a `const`
//! (borrowing string literals) while the command line builds the same types from a file
//! at run time (owning its strings). The model imports no other part of the crate.

mod category;
mod charter;
mod cookie;
pub mod duration;
pub mod names;
mod suggest;

pub use category::{Categories, Category};
pub use charter::{Charter, CharterParts, Lang, LookupFn};
pub use cookie::{Cookie, CookieParts, NameMismatch, Pattern, SameSite};
pub use duration::{Duration, Lifetime};
pub use names::{NamePrefix, PrefixAttributes, PrefixRule, PREFIX_RULES};
pub use suggest::closest;
