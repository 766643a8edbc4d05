//! Enforcement: a response sets only declared cookies, and only with consent where the
//! charter requires it.
//!
//! One framework-free [`Engine`] works on the response's `Set-Cookie` headers (through
//! [`SetCookieHeaders`]) and what it remembers of the request ([`RequestCookies`]). The
//! tower layer (`Charter::layer`, feature `tower`) and the actix-web middleware
//! (`Charter::actix`, feature `actix`) are thin shells over it. For each response:
//!
//! 1. each `Set-Cookie` name is read as a browser reads it ([`read_name`]); a value
//!    without a name, over 4096 bytes, with a control character, or whose name is not
//!    UTF-8 is dropped;
//! 2. a removal (`Max-Age` ≤ 0, or `Expires` in the past) always passes;
//! 3. an undeclared name is dropped; so is a declared cookie whose category needs a
//!    consent the visitor has not given, and a cookie breaking its `__Host-` /
//!    `__Secure-` prefix rule;
//!    a declared cookie set to live longer than its charter allows is brought back to
//!    its [`lifetime_limit`](crate::Charter::lifetime_limit) (rewritten, not dropped);
//! 4. when the response sets the consent cookie, that new consent applies to the whole
//!    response, whatever the order of its headers (removing it withdraws everything);
//! 5. cookies the request carries whose category is not granted (any more) get a
//!    removal `Set-Cookie` with their declared path and domain;
//! 6. every drop is a `tracing` event (target `charte`, level `WARN`) with the cookie's
//!    name, the reason and the route; every clearing an `INFO` event.
//!
//! When every cookie passes and nothing is to be cleared, the engine allocates nothing
//! and leaves the headers untouched. Whatever it cannot read, it drops.

#[cfg(feature = "actix")]
pub mod actix;
mod engine;
mod headers;
#[cfg(any(feature = "tower", feature = "actix"))]
mod proof;
#[cfg(feature = "tower")]
pub mod tower;

use std::fmt;

/// The `Set-Cookie` reader, re-exported here for servers that call the engine directly.
pub use crate::wire::{read_name, SetCookie, Unreadable, MAX_NAME_VALUE_LEN};
pub use engine::{ConsentChange, Engine, Outcome, Refusal, RequestCookies};
pub use headers::{Edit, SetCookieHeaders};

use crate::model::{Category, Lifetime, NamePrefix};

/// What the layer does with a cookie the charter does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Drop it (and clear withdrawn cookies), and emit an event. The default.
    #[default]
    Enforce,
    /// Change nothing, but emit the events: to try charte on a running site.
    Report,
    /// Answer `500 Internal Server Error` with a message naming the cookie: for tests
    /// and development, so that a wrong cookie cannot go unnoticed.
    Strict,
}

impl Mode {
    /// `"enforce"`, `"report"` or `"strict"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Report => "report",
            Mode::Strict => "strict",
        }
    }
}

/// Why a `Set-Cookie` is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// No name a browser would read.
    Unreadable(Unreadable),
    /// The charter does not declare this name.
    Undeclared,
    /// The cookie's category needs a consent this visitor has not given.
    NotConsented(Category),
    /// A prefixed name (`__Host-`, `__Secure-`, `__Http-`, `__Host-Http-`) without the
    /// attributes its prefix requires.
    BrokenPrefix(NamePrefix),
    /// A declared cookie set to live longer than its charter allows
    /// ([`Charter::lifetime_limit`](crate::Charter::lifetime_limit)). Not dropped:
    /// [`Mode::Enforce`] rewrites its lifetime to the allowed one.
    TooLong {
        /// The lifetime the line sets, in seconds.
        seconds: i64,
        /// What the charter allows.
        allowed: Lifetime,
    },
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // A nameless line is read, as browsers read it: its name is empty.
            DropReason::Unreadable(why @ Unreadable::Nameless) => write!(f, "{why}"),
            DropReason::Unreadable(why) => write!(f, "unreadable ({why})"),
            DropReason::Undeclared => f.write_str("undeclared in the charter"),
            DropReason::NotConsented(category) => {
                write!(f, "category {category} not consented")
            }
            DropReason::TooLong { seconds, allowed } => write!(
                f,
                "set to live {seconds} s, longer than its charter allows: {allowed}"
            ),
            DropReason::BrokenPrefix(prefix) => write!(
                f,
                "{} prefix needs {}",
                prefix.as_str(),
                prefix.rule().requirements()
            ),
        }
    }
}
