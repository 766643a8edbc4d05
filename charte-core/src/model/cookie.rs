//! One declared cookie: what the charter says of it, and the cookies built from it.

use std::borrow::Cow;
use std::fmt;

use http::header::{InvalidHeaderValue, SET_COOKIE};
use http::{HeaderName, HeaderValue};

use super::{Categories, Category, Duration};

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

/// One declared cookie.
///
/// `charter!` generates one constant of this type per exact cookie name; the whole list
/// is [`Charter::cookies`](crate::model::Charter::cookies).
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
        if !self.matches(&name) || !super::names::is_token(&name) {
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

    /// A `Set-Cookie` header setting this declared cookie to `value`, with every
    /// declared attribute: ready for an axum response tuple or `HeaderMap::append`.
    /// Fails when `value` holds bytes a header cannot carry (control characters).
    ///
    /// ```
    /// # let charter = charte_core::check_str("x.toml", r#"
    /// # [charter]
    /// # site = "https://example.fr"
    /// # [[cookie]]
    /// # name = "lang"
    /// # provider = "Example"
    /// # service = "Language"
    /// # purpose = "Remember the visitor's language."
    /// # category = "necessary"
    /// # path = "/"
    /// # "#).charter.unwrap();
    /// # let LANG = &charter.cookies()[0];
    /// // In an axum handler: `(AppendHeaders([LANG.set_cookie("fr")?]), "body")`.
    /// let (name, value) = LANG.set_cookie("fr").unwrap();
    /// assert_eq!(name, http::header::SET_COOKIE);
    /// assert_eq!(value, "lang=fr; Path=/");
    /// ```
    pub fn set_cookie(
        &self,
        value: impl Into<Cow<'static, str>>,
    ) -> Result<(HeaderName, HeaderValue), InvalidHeaderValue> {
        let header = HeaderValue::try_from(self.build(value).to_string())?;
        Ok((SET_COOKIE, header))
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
