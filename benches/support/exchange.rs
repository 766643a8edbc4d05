//! The exchange every enforcement benchmark measures, in one place so that the engine
//! bench, the router bench, the load test and the instruction counts measure the same
//! thing: the three lawful `Set-Cookie` a handler sets (a necessary cookie with five
//! attributes, a consented statistics pattern cookie with `Max-Age`, a `__Host-`
//! cookie), against `tests/support/enforcement.toml`.

// Each benchmark includes this module and uses only part of it.
#![allow(dead_code)]

/// The `Set-Cookie` values the handler sets; all three pass.
pub const LAWFUL_SET_COOKIES: [&str; 3] = [
    "sessionid=abc123; HttpOnly; SameSite=Lax; Secure; Path=/",
    "_pk_id.1.abc=42; Path=/; Max-Age=34190208",
    "__Host-id=1; Secure; Path=/",
];

/// The names those values set, for lookup benchmarks.
pub const NAMES: [&str; 3] = ["sessionid", "_pk_id.1.abc", "__Host-id"];
