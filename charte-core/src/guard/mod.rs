//! The client guard: a script, generated from the charter, that keeps the page's own
//! scripts to the cookies the charter allows (the README, "The client guard").
//!
//! The server's layer sees only `Set-Cookie`; analytics snippets and embeds write
//! cookies with `document.cookie` and `cookieStore.set`, where no server sees them.
//! The guard wraps both in the browser. Its code is `guard.js`, a readable template;
//! [`Charter::guard_script`] fills it with the charter's data (the names, the patterns,
//! what each needs, the consent cookie's name, the revision) and strips its comments.

use std::fmt::Write as _;

use crate::model::duration::{CONSENT_LIFETIME, DAY};
use crate::model::{Category, Charter, Cookie};

/// The guard's code, with `__NAME__` placeholders for the charter's data.
const TEMPLATE: &str = include_str!("guard.js");

/// What a script's write of a declared cookie needs, as the template numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Nothing: necessary, or CNIL-exempt anonymous statistics.
    Nothing,
    /// The visitor's consent to this category.
    Consent(Category),
    /// Never written by a script: the cookie is declared `http_only`, so a copy a
    /// script writes (without `HttpOnly`, which scripts cannot set) is not the
    /// declared cookie. For the consent cookie, such a copy would be consent forged
    /// by a script.
    ServerOnly,
}

impl Need {
    fn of(cookie: &Cookie) -> Need {
        if cookie.http_only() {
            Need::ServerOnly
        } else if cookie.needs_consent() {
            Need::Consent(cookie.category())
        } else {
            Need::Nothing
        }
    }

    /// The number the template reads: the digit's place in the consent value, plus one.
    fn code(self) -> u8 {
        match self {
            Need::Nothing | Need::Consent(Category::Necessary) => 0,
            Need::Consent(Category::Statistics) => 1,
            Need::Consent(Category::FirstParty) => 2,
            Need::Consent(Category::ThirdParty) => 3,
            Need::ServerOnly => 4,
        }
    }
}

/// The charter's data the guard needs, in declaration order.
#[derive(Debug, PartialEq, Eq)]
struct GuardData<'c> {
    /// Exact names and what writing them needs.
    names: Vec<(&'c str, Need)>,
    /// Pattern prefixes (without their `*`) and what writing them needs.
    patterns: Vec<(&'c str, Need)>,
    /// The consent cookie's name.
    consent: Option<&'c str>,
    /// Whether the consent cookie is declared `http_only` (the page must then pass the
    /// decision in `data-consent`).
    consent_http_only: bool,
    revision: &'c str,
}

impl<'c> GuardData<'c> {
    fn of(charter: &'c Charter) -> GuardData<'c> {
        let (patterns, names): (Vec<&Cookie>, Vec<&Cookie>) =
            charter.cookies().iter().partition(|c| c.is_pattern());
        let pairs = |cookies: Vec<&'c Cookie>| -> Vec<(&'c str, Need)> {
            cookies
                .into_iter()
                .map(|c| (c.name(), Need::of(c)))
                .collect()
        };
        let consent = charter.consent_cookie_declaration();
        GuardData {
            names: pairs(names),
            patterns: pairs(patterns),
            consent: consent.map(Cookie::name),
            consent_http_only: consent.is_some_and(Cookie::http_only),
            revision: charter.revision(),
        }
    }

    /// The template filled with this data, without its comment lines and indentation.
    fn script(&self) -> String {
        let list = |entries: &[(&str, Need)]| {
            let mut out = String::from("[");
            for (i, (name, need)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                js_string(&mut out, name);
                let _ = write!(out, ",{}]", need.code());
            }
            out.push(']');
            out
        };
        let consent = match self.consent {
            Some(name) => {
                let mut out = String::new();
                js_string(&mut out, name);
                out
            }
            None => "null".to_owned(),
        };
        let mut revision = String::new();
        regex_literal(&mut revision, self.revision);
        let filled = TEMPLATE
            .replace("__NAMES__", &list(&self.names))
            .replace("__PATTERNS__", &list(&self.patterns))
            .replace("__CONSENT__", &consent)
            .replace("__LIFETIME__", &CONSENT_LIFETIME.to_string())
            .replace("__SKEW__", &DAY.to_string())
            .replace("__REVISION__", &revision)
            .replace(
                "__HTTP_ONLY__",
                if self.consent_http_only {
                    "true"
                } else {
                    "false"
                },
            );
        let mut script = String::with_capacity(filled.len());
        for line in filled.lines() {
            let line = line.trim_start();
            if !line.is_empty() && !line.starts_with("//") {
                script.push_str(line);
                script.push('\n');
            }
        }
        script
    }
}

impl Charter {
    /// The client guard: a script to load first in every page, before any other, that
    /// keeps the page's scripts to the cookies this charter allows (the README, "The
    /// client guard").
    ///
    /// It wraps `document.cookie` (the setter; reading is untouched) and
    /// `cookieStore.set`. A write is not made, and is reported with `console.warn`,
    /// when its name (read as a browser reads it: up to the first `=`, spaces and tabs
    /// trimmed) is not declared, when its category needs a consent the visitor has not
    /// granted, or when the cookie is declared `http_only` (only the server can set
    /// it). Removals (`Max-Age` ≤ 0, an `Expires` in the past) and `cookieStore.delete`
    /// always pass. The consent cookie itself is necessary: a script may write it,
    /// unless it is declared `http_only`.
    ///
    /// The visitor's consent is read at each write from the consent cookie, in the
    /// format of [`Consent`](crate::Consent) (formats 1 and 2; a value that is missing,
    /// malformed, older than 6 months or of another revision grants nothing). A script
    /// cannot read a consent cookie declared `http_only`: the page must then give the
    /// decision in the guard's tag, `data-consent` set to the
    /// [encoded](crate::Consent::encode) consent the server read from the request;
    /// without it, the guard grants nothing (only necessary cookies are written).
    ///
    /// It cannot stop cookies set by responses (the [layer](crate::enforce) does) or
    /// by third-party frames (`charte audit` finds those). It keeps careless scripts in
    /// check but is no sandbox: a script bent on evading it can write through another
    /// document of the same origin (an `<iframe>` it creates), which it does not wrap.
    ///
    /// The script is a few kilobytes (under 2 KB gzipped for the demo's charter) and
    /// the same for the same charter: build it once and reuse it.
    ///
    /// ```
    /// # let charter = charte_core::check_str("x.toml", r#"
    /// # [charter]
    /// # site = "https://example.fr"
    /// # consent_cookie = "consent"
    /// # [[cookie]]
    /// # name = "consent"
    /// # provider = "Example"
    /// # service = "Consent"
    /// # purpose = "Remember the visitor's choice."
    /// # category = "necessary"
    /// # http_only = true
    /// # "#).charter.unwrap();
    /// let guard = charter.guard_script();
    /// // The consent cookie is declared `http_only`: pass the current decision.
    /// let request_headers = http::HeaderMap::new();
    /// let consent = charter.consent(&request_headers);
    /// let head = format!(
    ///     "<head><script data-consent=\"{}\">{guard}</script>",
    ///     consent.encode(charter.revision()).unwrap_or_default()
    /// );
    /// assert!(head.starts_with("<head><script data-consent=\"\">"));
    /// ```
    pub fn guard_script(&self) -> String {
        GuardData::of(self).script()
    }
}

/// Appends `text` as a JavaScript string literal, safe inside an HTML `<script>` too
/// (`<` is escaped, so no `</script>` can appear).
fn js_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            ' ' | '!' | '#'..='&' | '('..=';' | '=' | '?'..='[' | ']'..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Appends `text` to match itself literally in a JavaScript regular expression literal
/// (`/.../`, no flags). A revision is lowercase hex; anything else is escaped.
fn regex_literal(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
}

#[cfg(test)]
mod tests;
