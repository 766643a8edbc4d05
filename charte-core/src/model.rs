//! The run-time model of a charter: what the generated code and the loader both produce.
//!
//! Strings are `Cow<'static, str>` so that `charter!` can build every value in a `const`
//! (borrowing string literals) while the command line builds the same types from a file
//! at run time (owning its strings).

use std::borrow::Cow;
use std::fmt;

use crate::consent::Categories;

/// The four cookie categories of the seed charters, in the order pages list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Strictly necessary: never needs consent.
    Necessary,
    /// Audience measurement: needs consent unless declared `anonymous`.
    Statistics,
    /// Set by the site itself for other purposes: needs consent.
    FirstParty,
    /// Set by (or for) another site: needs consent.
    ThirdParty,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 4] = [
        Category::Necessary,
        Category::Statistics,
        Category::FirstParty,
        Category::ThirdParty,
    ];

    /// The categories a visitor can grant or refuse.
    pub const CONSENTABLE: [Category; 3] = [
        Category::Statistics,
        Category::FirstParty,
        Category::ThirdParty,
    ];

    /// The canonical name used in declarations (`"first-party"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Necessary => "necessary",
            Category::Statistics => "statistics",
            Category::FirstParty => "first-party",
            Category::ThirdParty => "third-party",
        }
    }

    /// Reads a category by its canonical name or one of its French aliases
    /// (case-insensitive): `nécessaires`, `fonctionnels`, `statistique`, `interne`, `tiers`...
    pub fn parse(text: &str) -> Option<Category> {
        let lower = text.trim().to_lowercase();
        let category = match lower.as_str() {
            "necessary" | "nécessaire" | "nécessaires" | "necessaire" | "necessaires"
            | "fonctionnel" | "fonctionnels" => Category::Necessary,
            "statistics" | "statistique" | "statistiques" => Category::Statistics,
            "first-party" | "interne" | "internes" => Category::FirstParty,
            "third-party" | "tiers" => Category::ThirdParty,
            _ => return None,
        };
        Some(category)
    }

    /// Whether cookies of this category need the visitor's consent (before the
    /// `anonymous` exemption of statistics, see [`Cookie::needs_consent`]).
    pub const fn needs_consent(self) -> bool {
        !matches!(self, Category::Necessary)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// The `SameSite` attribute a cookie is declared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// `SameSite=Strict`
    Strict,
    /// `SameSite=Lax`
    Lax,
    /// `SameSite=None` (requires `secure`)
    None,
}

impl SameSite {
    /// `"strict"`, `"lax"` or `"none"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "strict",
            SameSite::Lax => "lax",
            SameSite::None => "none",
        }
    }
}

/// How long a cookie lives, as declared.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Duration {
    /// The declaration's own words (`"13 months"`, `"session"`), shown on the page.
    pub text: Cow<'static, str>,
    /// `Max-Age` in seconds; `None` for a session cookie.
    pub max_age: Option<u64>,
}

/// One declared cookie.
///
/// `charter!` generates one constant of this type per exact cookie name; the whole list
/// is [`Charter::cookies`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cookie {
    pub(crate) p: CookieParts,
    /// The consent this cookie needs (empty when none): what enforcement tests for
    /// each cookie, computed once from the parts.
    pub(crate) consent_needed: Categories,
}

/// Every field of a [`Cookie`], public so that generated code and the loader can build one.
/// Not part of the stable API: use `charter!`.
#[doc(hidden)]
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CookieParts {
    pub name: Cow<'static, str>,
    pub pattern: bool,
    pub provider: Cow<'static, str>,
    pub service: Cow<'static, str>,
    pub purpose: Cow<'static, str>,
    pub category: Category,
    pub anonymous: bool,
    pub duration: Option<Duration>,
    pub path: Option<Cow<'static, str>>,
    pub domain: Option<Cow<'static, str>>,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<SameSite>,
    pub partitioned: bool,
}

impl Cookie {
    #[doc(hidden)]
    pub const fn from_parts(parts: CookieParts) -> Cookie {
        // Necessary cookies need no consent (their set is empty), nor does anonymous
        // audience measurement (the CNIL exemption).
        let exempt = matches!(parts.category, Category::Statistics) && parts.anonymous;
        let consent_needed = if exempt {
            Categories::EMPTY
        } else {
            Categories::only(parts.category)
        };
        Cookie {
            p: parts,
            consent_needed,
        }
    }

    /// Builds a declaration from literals: what `charter!` emits, kept short because
    /// every token of generated code costs compile time. Not part of the stable API.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn declared(
        name: &'static str,
        pattern: bool,
        provider: &'static str,
        service: &'static str,
        purpose: &'static str,
        category: Category,
        anonymous: bool,
        duration: Option<(&'static str, Option<u64>)>,
        path: Option<&'static str>,
        domain: Option<&'static str>,
        secure: bool,
        http_only: bool,
        same_site: Option<SameSite>,
        partitioned: bool,
    ) -> Cookie {
        Cookie::from_parts(CookieParts {
            name: Cow::Borrowed(name),
            pattern,
            provider: Cow::Borrowed(provider),
            service: Cow::Borrowed(service),
            purpose: Cow::Borrowed(purpose),
            category,
            anonymous,
            duration: match duration {
                Some((text, max_age)) => Some(Duration {
                    text: Cow::Borrowed(text),
                    max_age,
                }),
                None => None,
            },
            path: match path {
                Some(path) => Some(Cow::Borrowed(path)),
                None => None,
            },
            domain: match domain {
                Some(domain) => Some(Cow::Borrowed(domain)),
                None => None,
            },
            secure,
            http_only,
            same_site,
            partitioned,
        })
    }

    /// The declared name; for a pattern, the prefix without its `*`.
    pub fn name(&self) -> &str {
        &self.p.name
    }

    /// The name as declared: `"sessionid"`, or `"_pk_id*"` for a pattern.
    pub fn declared_name(&self) -> Cow<'_, str> {
        if self.p.pattern {
            Cow::Owned(format!("{}*", self.p.name))
        } else {
            Cow::Borrowed(&self.p.name)
        }
    }

    /// Whether this declaration is a prefix pattern (`name = "_pk_id*"`).
    pub fn is_pattern(&self) -> bool {
        self.p.pattern
    }

    /// Whether a concrete cookie name is covered by this declaration. Names are
    /// case-sensitive, as browsers treat them.
    pub fn matches(&self, name: &str) -> bool {
        if self.p.pattern {
            name.starts_with(&*self.p.name)
        } else {
            name == self.p.name
        }
    }

    /// « Nom du prestataire ».
    pub fn provider(&self) -> &str {
        &self.p.provider
    }

    /// « Service et emplacement ».
    pub fn service(&self) -> &str {
        &self.p.service
    }

    /// « Finalités ».
    pub fn purpose(&self) -> &str {
        &self.p.purpose
    }

    /// The category.
    pub fn category(&self) -> Category {
        self.p.category
    }

    /// Whether this is CNIL-exempt anonymous audience measurement.
    pub fn is_anonymous(&self) -> bool {
        self.p.anonymous
    }

    /// Whether setting this cookie needs the visitor's consent.
    pub fn needs_consent(&self) -> bool {
        !self.consent_needed.is_empty()
    }

    /// The declared duration, if any.
    pub fn duration(&self) -> Option<&Duration> {
        self.p.duration.as_ref()
    }

    /// The declared `Path`.
    pub fn path(&self) -> Option<&str> {
        self.p.path.as_deref()
    }

    /// The declared `Domain`.
    pub fn domain(&self) -> Option<&str> {
        self.p.domain.as_deref()
    }

    /// Whether the cookie is declared `Secure`.
    pub fn secure(&self) -> bool {
        self.p.secure
    }

    /// Whether the cookie is declared `HttpOnly`.
    pub fn http_only(&self) -> bool {
        self.p.http_only
    }

    /// The declared `SameSite`.
    pub fn same_site(&self) -> Option<SameSite> {
        self.p.same_site
    }

    /// Whether the cookie is declared `Partitioned` (CHIPS).
    pub fn partitioned(&self) -> bool {
        self.p.partitioned
    }

    /// A cookie with this declaration's name, the given value, and every declared
    /// attribute (path, domain, secure, http_only, same_site, partitioned, and `Max-Age`
    /// from the duration).
    ///
    /// For a pattern declaration this uses the bare prefix as the name; use
    /// [`Cookie::build_named`] to choose a concrete name.
    pub fn build(&self, value: impl Into<Cow<'static, str>>) -> cookie::Cookie<'static> {
        self.with_attributes(cookie::Cookie::build((self.p.name.clone(), value.into())))
    }

    /// A cookie with a concrete `name`, which must be covered by this declaration
    /// (equal to it, or starting with the prefix of a pattern).
    pub fn build_named(
        &self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Result<cookie::Cookie<'static>, NameMismatch> {
        let name = name.into();
        if !self.matches(&name) || !crate::names::is_token(&name) {
            return Err(NameMismatch {
                declared: self.declared_name().into_owned(),
                given: name.into_owned(),
            });
        }
        Ok(self.with_attributes(cookie::Cookie::build((name, value.into()))))
    }

    /// The `Set-Cookie` that deletes this cookie from the browser: same name, path and
    /// domain, empty value, `Max-Age=0` and an `Expires` in the past.
    pub fn removal(&self) -> cookie::Cookie<'static> {
        self.removal_named(self.p.name.clone())
    }

    /// The deletion cookie for a concrete name covered by this declaration.
    pub fn removal_named(&self, name: impl Into<Cow<'static, str>>) -> cookie::Cookie<'static> {
        let mut builder = cookie::Cookie::build((name.into(), ""));
        if let Some(path) = &self.p.path {
            builder = builder.path(path.clone());
        }
        if let Some(domain) = &self.p.domain {
            builder = builder.domain(domain.clone());
        }
        builder.removal().build()
    }

    fn with_attributes(
        &self,
        mut builder: cookie::CookieBuilder<'static>,
    ) -> cookie::Cookie<'static> {
        if let Some(path) = &self.p.path {
            builder = builder.path(path.clone());
        }
        if let Some(domain) = &self.p.domain {
            builder = builder.domain(domain.clone());
        }
        if self.p.secure {
            builder = builder.secure(true);
        }
        if self.p.http_only {
            builder = builder.http_only(true);
        }
        if let Some(same_site) = self.p.same_site {
            builder = builder.same_site(match same_site {
                SameSite::Strict => cookie::SameSite::Strict,
                SameSite::Lax => cookie::SameSite::Lax,
                SameSite::None => cookie::SameSite::None,
            });
        }
        if self.p.partitioned {
            builder = builder.partitioned(true);
        }
        if let Some(seconds) = self.p.duration.as_ref().and_then(|d| d.max_age) {
            let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
            builder = builder.max_age(cookie::time::Duration::seconds(seconds));
        }
        builder.build()
    }
}

/// A typed handle on a pattern declaration (`name = "_pk_id*"`): it builds only
/// cookies whose name the pattern covers.
#[derive(Debug, Clone, Copy)]
pub struct Pattern(pub &'static Cookie);

impl Pattern {
    /// The declaration behind this pattern.
    pub fn cookie(&self) -> &'static Cookie {
        self.0
    }

    /// See [`Cookie::build_named`].
    pub fn build(
        &self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Result<cookie::Cookie<'static>, NameMismatch> {
        self.0.build_named(name, value)
    }

    /// See [`Cookie::removal_named`]; `None` when the pattern does not cover `name`.
    pub fn removal(&self, name: impl Into<Cow<'static, str>>) -> Option<cookie::Cookie<'static>> {
        let name = name.into();
        self.0.matches(&name).then(|| self.0.removal_named(name))
    }
}

/// A cookie name that the declaration it was built from does not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMismatch {
    /// The declared name or pattern.
    pub declared: String,
    /// The name that was asked for.
    pub given: String,
}

impl fmt::Display for NameMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cookie name {:?} is not covered by the declaration {:?}",
            self.given, self.declared
        )
    }
}

impl std::error::Error for NameMismatch {}

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
    pub consent_cookie: Option<usize>,
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
        self.p.consent_cookie.and_then(|i| self.p.cookies.get(i))
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
    #[inline(always)]
    pub fn lookup_bytes(&self, name: &[u8]) -> Option<&Cookie> {
        let cookie = self.lookup_utf8(name)?;
        // An exact match is UTF-8 (declared names are); what follows a pattern's prefix
        // must be checked.
        let covered = !cookie.p.pattern || crate::scan::is_utf8(&name[cookie.p.name.len()..]);
        covered.then_some(cookie)
    }

    /// [`Charter::lookup_bytes`] for a name known to be UTF-8: a `str`'s, or a
    /// `Set-Cookie` name the reader has checked.
    #[inline(always)]
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

    /// The categories that appear in this charter, in display order.
    pub fn categories(&self) -> Vec<Category> {
        Category::ALL
            .into_iter()
            .filter(|c| self.p.cookies.iter().any(|k| k.p.category == *c))
            .collect()
    }
}
