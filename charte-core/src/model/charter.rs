//! A whole charter: the site, its cookies, and the lookup of a name.

use std::borrow::Cow;

use super::duration::{Lifetime, CONSENT_LIFETIME, MAX_ANONYMOUS_LIFETIME, MAX_COOKIE_LIFETIME};
use super::{Categories, Category, Cookie};

/// The language of a charter's texts and of a rendered page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// `"fr"` or `"en"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Reads `"fr"` or `"en"` (case-insensitive).
    pub fn parse(text: &str) -> Option<Lang> {
        match text.to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A whole charter: the site, its cookies, and the fingerprint of the declaration.
#[derive(Debug, Clone)]
pub struct Charter {
    pub(crate) p: CharterParts,
}

/// The generated lookup: a cookie name, as bytes, to its declaration's index.
#[doc(hidden)]
pub type LookupFn = fn(&[u8]) -> Option<usize>;

/// Every field of a [`Charter`]. Not part of the stable API: use `charter!`.
#[doc(hidden)]
#[allow(missing_docs)]
#[derive(Debug, Clone)]
pub struct CharterParts {
    pub site: Cow<'static, str>,
    pub lang: Lang,
    pub consent_cookie_index: Option<usize>,
    pub cookies: Cow<'static, [Cookie]>,
    pub revision: Cow<'static, str>,
    pub lookup: Option<LookupFn>,
}

impl Charter {
    #[doc(hidden)]
    pub const fn from_parts(parts: CharterParts) -> Charter {
        Charter { p: parts }
    }

    /// The site's address, as declared.
    pub fn site(&self) -> &str {
        &self.p.site
    }

    /// The language of the declaration's texts.
    pub fn lang(&self) -> Lang {
        self.p.lang
    }

    /// Every declared cookie, in declaration order (base charter first).
    pub fn cookies(&self) -> &[Cookie] {
        &self.p.cookies
    }

    /// The cookie that stores the visitor's consent, if one is declared.
    pub fn consent_cookie_declaration(&self) -> Option<&Cookie> {
        self.p
            .consent_cookie_index
            .and_then(|i| self.p.cookies.get(i))
    }

    /// A stable fingerprint of the declaration (16 hex digits): it changes whenever
    /// anything the charter says changes, and only then.
    pub fn revision(&self) -> &str {
        &self.p.revision
    }

    /// The declaration covering a concrete cookie name: the exact name first, then a
    /// pattern. Names are case-sensitive. Charters made by `charter!` answer with a
    /// generated `match`, without hashing.
    pub fn lookup(&self, name: &str) -> Option<&Cookie> {
        self.lookup_utf8(name.as_bytes())
    }

    /// [`Charter::lookup`] for a name as the wire has it, in bytes: what the enforcement
    /// engine uses, so that it need not turn every name into a `str` first. A name that
    /// is not UTF-8 is covered by nothing, as with `lookup`.
    ///
    /// ```
    /// # let charter = charte_core::check_str("x.toml", r#"
    /// # [charter]
    /// # site = "https://example.fr"
    /// # [[cookie]]
    /// # name = "_pk_id*"
    /// # provider = "Matomo"
    /// # service = "Audience"
    /// # purpose = "Count visits."
    /// # category = "statistics"
    /// # "#).charter.unwrap();
    /// assert!(charter.lookup_bytes(b"_pk_id.1.abc").is_some());
    /// assert!(charter.lookup_bytes(b"_pk_id.\xff").is_none()); // not UTF-8
    /// assert!(charter.lookup_bytes(b"_ga").is_none());
    /// ```
    pub fn lookup_bytes(&self, name: &[u8]) -> Option<&Cookie> {
        let cookie = self.lookup_utf8(name)?;
        // An exact match is UTF-8 (declared names are); what follows a pattern's prefix
        // must be checked.
        let covered = !cookie.p.pattern || is_utf8(&name[cookie.p.name.len()..]);
        covered.then_some(cookie)
    }

    /// [`Charter::lookup_bytes`] for a name known to be UTF-8: a `str`'s, or a
    /// `Set-Cookie` name the reader has checked.
    pub(crate) fn lookup_utf8(&self, name: &[u8]) -> Option<&Cookie> {
        let index = match self.p.lookup {
            Some(generated) => generated(name),
            None => self.lookup_by_scan(name),
        };
        self.p.cookies.get(index?)
    }

    fn lookup_by_scan(&self, name: &[u8]) -> Option<usize> {
        let exact = self
            .p
            .cookies
            .iter()
            .position(|c| !c.p.pattern && c.p.name.as_bytes() == name);
        exact.or_else(|| {
            self.p
                .cookies
                .iter()
                .position(|c| c.p.pattern && name.starts_with(c.p.name.as_bytes()))
        })
    }

    /// The categories this charter asks consent for: those of its cookies that need it.
    pub(crate) fn asked(&self) -> Categories {
        let mut asked = Categories::EMPTY;
        for cookie in self.cookies() {
            if cookie.needs_consent() {
                asked.insert(cookie.category());
            }
        }
        asked
    }

    /// The longest `cookie` (one of this charter's) may live, as the charter says (the
    /// README, "Enforcement"): its declared `duration`; without one, the caps: 6
    /// months for the consent cookie (the CNIL's renewal period), 13 months for anonymous
    /// statistics (the CNIL ceiling for exempt audience measurement), 400 days for any
    /// other (RFC 6265bis §5.5, the browsers' own cap).
    ///
    /// ```
    /// # let charter = charte_core::check_str("x.toml", r#"
    /// # [charter]
    /// # site = "https://example.fr"
    /// # [[cookie]]
    /// # name = "_pk_id*"
    /// # provider = "Matomo"
    /// # service = "Audience"
    /// # purpose = "Count visits."
    /// # category = "statistics"
    /// # duration = "13 months"
    /// # [[cookie]]
    /// # name = "lang"
    /// # provider = "Example"
    /// # service = "Language"
    /// # purpose = "Remember the language."
    /// # category = "necessary"
    /// # "#).charter.unwrap();
    /// use charte_core::model::Lifetime;
    /// let pk_id = charter.lookup("_pk_id.1.ab").unwrap();
    /// assert_eq!(charter.lifetime_limit(pk_id), Lifetime::Seconds(13 * 2_630_016));
    /// let lang = charter.lookup("lang").unwrap();
    /// assert_eq!(charter.lifetime_limit(lang), Lifetime::Seconds(400 * 86_400));
    /// ```
    pub fn lifetime_limit(&self, cookie: &Cookie) -> Lifetime {
        if let Some(duration) = cookie.duration() {
            return duration
                .max_age
                .map_or(Lifetime::Session, Lifetime::Seconds);
        }
        let is_consent_cookie = self
            .consent_cookie_declaration()
            .is_some_and(|consent| consent.name() == cookie.name() && !cookie.is_pattern());
        Lifetime::Seconds(if is_consent_cookie {
            CONSENT_LIFETIME
        } else if cookie.is_anonymous() {
            MAX_ANONYMOUS_LIFETIME
        } else {
            MAX_COOKIE_LIFETIME
        })
    }

    /// The categories that appear in this charter, in display order.
    pub fn categories(&self) -> Vec<Category> {
        Category::ALL
            .into_iter()
            .filter(|c| self.p.cookies.iter().any(|k| k.p.category == *c))
            .collect()
    }
}

/// Whether `bytes` are UTF-8: ASCII (nearly every cookie name) is checked first, which
/// is quicker than `str::from_utf8` on short names.
fn is_utf8(bytes: &[u8]) -> bool {
    bytes.is_ascii() || std::str::from_utf8(bytes).is_ok()
}
