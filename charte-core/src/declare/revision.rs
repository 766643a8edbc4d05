//! The charter's revision: a fingerprint of everything the declaration says.
//!
//! Consent is recorded against a revision, so a visitor is asked again whenever the
//! charter changes. The fingerprint is FNV-1a (64 bits) over a canonical text of the
//! merged declaration: the same on every machine and every build, and independent of
//! formatting, comments and key order in the TOML.

use crate::model::{Category, Cookie, Lang};

/// The 16-hex-digit fingerprint of a charter.
pub fn fingerprint(
    site: &str,
    lang: Lang,
    consent_cookie: Option<usize>,
    cookies: &[Cookie],
) -> String {
    let mut hash = Fnv1a::new();
    hash.field(site);
    hash.field(lang.as_str());
    hash.field(&consent_cookie.map_or(String::new(), |i| i.to_string()));
    for c in cookies {
        hash.field(&c.declared_name());
        hash.field(c.provider());
        hash.field(c.service());
        hash.field(c.purpose());
        hash.field(Category::as_str(c.category()));
        hash.field(if c.is_anonymous() { "anonymous" } else { "" });
        hash.field(c.duration().map_or("", |d| &d.text));
        hash.field(c.path().unwrap_or(""));
        hash.field(c.domain().unwrap_or(""));
        hash.field(if c.secure() { "secure" } else { "" });
        hash.field(if c.http_only() { "http_only" } else { "" });
        hash.field(c.same_site().map_or("", |s| s.as_str()));
        hash.field(if c.partitioned() { "partitioned" } else { "" });
    }
    format!("{:016x}", hash.0)
}

struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    /// Hashes a field and a separator that no field contains, so that ("ab", "c") and
    /// ("a", "bc") differ.
    fn field(&mut self, text: &str) {
        for byte in text.bytes().chain([0xff]) {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
