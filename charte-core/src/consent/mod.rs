//! The visitor's consent: what the consent cookie records, and how to read it back.
//!
//! # The consent cookie's value
//!
//! ```text
//! 2.<revision>.<decided-at>.<s><f><t>.<id>
//! ```
//!
//! - `2`: the format's version;
//! - `<revision>`: the charter's [revision](crate::Charter::revision), 16 lowercase hex
//!   digits: a decision is about the charter the visitor was shown;
//! - `<decided-at>`: when the visitor decided, in seconds since the Unix epoch (decimal,
//!   no sign, no leading zero);
//! - `<s><f><t>`: one digit per category that needs consent, in this order: statistics,
//!   first-party, third-party; `1` granted, `0` refused;
//! - `<id>`: the decision's [id](ConsentId), 26 characters `[0-9a-z]` (128 random bits
//!   in base32): the key of its record in the proof of consent (`charte::proof`).
//!
//! For example `2.3f2a9c0d11e4b5a6.1763894400.100.0k8v3q9c1m2n4p6r8t0v2x4z6b`
//! grants statistics and refuses the rest. Values of format `1`,
//! `1.<revision>.<decided-at>.<s><f><t>` (no id), are still read; new decisions are
//! written in format 2. Every character is an RFC 6265 `cookie-octet` (digits, lowercase letters and
//! dots), so the value needs no quoting nor encoding.
//!
//! A value that is missing, malformed, from another revision, decided more than
//! [`CONSENT_LIFETIME`] (6 months) ago, or more than a day in the future (a clock that
//! cannot be trusted), grants nothing: [`Consent::is_recorded`] is `false` and the banner
//! should ask again.
//!
//! A charter that declares no `consent_cookie` cannot record consent: every request reads
//! as « nothing granted », so cookies that need consent are never set;
//! [`Charter::consent_cookie`] panics and [`Charter::try_consent_cookie`] returns `None`.

mod clock;
mod id;
mod value;

use std::borrow::Cow;

use crate::model::duration::CONSENT_LIFETIME;
use crate::model::{Category, Charter};
use crate::wire::request_cookies;

pub use clock::now;
pub use id::ConsentId;
pub use value::{Consent, FORMAT_VERSION};

impl Charter {
    /// The consent cookie recording a decision made now: the categories in `granted`
    /// are granted, every other one refused (`&[]` is « Tout refuser »). It carries the
    /// consent cookie's declared attributes, with a `Max-Age` of at most 6 months (6
    /// months when the declaration gives no duration; none for `duration = "session"`).
    ///
    /// # Panics
    ///
    /// When the charter declares no `consent_cookie` (a programming error: such a
    /// charter cannot record consent). [`Charter::try_consent_cookie`] returns `None`
    /// instead.
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
    /// # path = "/"
    /// # "#).charter.unwrap();
    /// use charte_core::{Category, Consent};
    /// let cookie = charter.consent_cookie(&[Category::Statistics]);
    /// assert_eq!(cookie.name(), "consent");
    /// assert!(cookie.value().starts_with("2."));
    /// let consent = Consent::decode(cookie.value().as_bytes(), charter.revision(), charte_core::consent::now());
    /// assert!(consent.is_granted(Category::Statistics));
    /// assert!(consent.id().is_some(), "a new decision has a random id");
    /// assert_eq!(cookie.max_age().map(|d| d.whole_seconds()), Some(6 * 2_630_016));
    /// ```
    #[track_caller]
    pub fn consent_cookie(&self, granted: &[Category]) -> cookie::Cookie<'static> {
        self.try_consent_cookie(granted)
            .expect("this charter declares no `consent_cookie`: it cannot record consent")
    }

    /// [`Charter::consent_cookie`], or `None` when the charter declares no consent cookie.
    pub fn try_consent_cookie(&self, granted: &[Category]) -> Option<cookie::Cookie<'static>> {
        self.consent_cookie_at(granted, now())
    }

    /// The consent cookie for a decision made at `decided_at` (Unix seconds), with a
    /// new random [id](ConsentId).
    pub fn consent_cookie_at(
        &self,
        granted: &[Category],
        decided_at: u64,
    ) -> Option<cookie::Cookie<'static>> {
        self.consent_cookie_with_id(granted, decided_at, ConsentId::random())
    }

    /// The consent cookie for a new decision of a visitor whose current decision is
    /// `previous` (read from the request, [`Charter::consent`]): it keeps `previous`'s
    /// id, so that the proof of consent files one visitor's successive decisions (a
    /// grant, then a refusal) under one id, which `charte proof show ID` lists in order;
    /// a new random id when `previous` has none (no decision, a format-1 value, another
    /// revision). `None` when the charter declares no consent cookie.
    ///
    /// The id links records; it authenticates no one: it is read from a cookie the
    /// visitor holds.
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
    /// # "#).charter.unwrap();
    /// use charte_core::{Category, Consent};
    /// let now = charte_core::consent::now();
    /// let first = charter.consent_cookie(&[Category::Statistics]);
    /// let previous = Consent::decode(first.value().as_bytes(), charter.revision(), now);
    /// let second = charter.next_consent_cookie(&previous, &[]).unwrap();
    /// let next = Consent::decode(second.value().as_bytes(), charter.revision(), now);
    /// assert_eq!(next.id(), previous.id());
    /// assert!(!next.is_granted(Category::Statistics));
    /// ```
    pub fn next_consent_cookie(
        &self,
        previous: &Consent,
        granted: &[Category],
    ) -> Option<cookie::Cookie<'static>> {
        let id = previous.id().unwrap_or_else(ConsentId::random);
        self.consent_cookie_with_id(granted, now(), id)
    }

    fn consent_cookie_with_id(
        &self,
        granted: &[Category],
        decided_at: u64,
        id: ConsentId,
    ) -> Option<cookie::Cookie<'static>> {
        let declaration = self.consent_cookie_declaration()?;
        let value = Consent::new(granted, decided_at)
            .with_id(id)
            .encode(self.revision())?;
        let mut cookie = declaration.build(Cow::Owned(value));
        // The declared lifetime, capped at 6 months; 6 months when none is declared; a
        // session cookie when declared so.
        let max_age = match declaration.duration() {
            Some(duration) => duration.max_age.map(|d| d.min(CONSENT_LIFETIME)),
            None => Some(CONSENT_LIFETIME),
        };
        if let Some(max_age) = max_age {
            cookie.set_max_age(cookie::time::Duration::seconds(
                i64::try_from(max_age).unwrap_or(i64::MAX),
            ));
        }
        Some(cookie)
    }

    /// The visitor's consent, read from a request's `Cookie` headers now.
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
    /// # "#).charter.unwrap();
    /// use charte_core::Category;
    /// let recorded = charter.consent_cookie(&[Category::FirstParty]);
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert(http::header::COOKIE, recorded.stripped().to_string().parse().unwrap());
    /// let consent = charter.consent(&headers);
    /// assert!(consent.is_granted(Category::FirstParty));
    /// assert!(!consent.is_granted(Category::Statistics));
    /// ```
    pub fn consent(&self, request_headers: &http::HeaderMap) -> Consent {
        self.consent_at(request_headers, now())
    }

    /// [`Charter::consent`] at time `now` (Unix seconds).
    pub fn consent_at(&self, request_headers: &http::HeaderMap, now: u64) -> Consent {
        let headers = request_headers
            .get_all(http::header::COOKIE)
            .into_iter()
            .map(|v| v.as_bytes());
        self.consent_in(headers, now)
    }

    /// The consent recorded in `Cookie` header values (any HTTP library's), at time
    /// `now`. A request may carry the consent cookie more than once (cookies of several
    /// paths or domains, or several `Cookie` fields): every copy is decoded and the one
    /// that [prevails](Consent::prevailing) applies, so that a copy left by an older
    /// banner never brings back a consent the visitor withdrew.
    pub fn consent_in<'a>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'a [u8]>,
        now: u64,
    ) -> Consent {
        let Some(declaration) = self.consent_cookie_declaration() else {
            return Consent::NONE;
        };
        request_cookies(cookie_headers)
            .filter(|(name, _)| *name == declaration.name().as_bytes())
            .map(|(_, value)| Consent::decode(value, self.revision(), now))
            .fold(Consent::NONE, Consent::prevailing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_763_894_400;

    fn consent_charter(extra: &str) -> Charter {
        let toml = format!(
            "[charter]\nsite = \"https://example.fr\"\nconsent_cookie = \"consent\"\n\
             [[cookie]]\nname = \"consent\"\nprovider = \"P\"\nservice = \"S\"\n\
             purpose = \"U\"\ncategory = \"necessary\"\npath = \"/\"\n\
             same_site = \"lax\"\n{extra}"
        );
        crate::check_str("c.toml", &toml).charter.unwrap()
    }

    #[test]
    fn the_consent_cookie_carries_the_declared_attributes() {
        let charter = consent_charter("duration = \"30 days\"\n");
        let cookie = charter
            .consent_cookie_at(&[Category::ThirdParty], NOW)
            .unwrap();
        let id = Consent::decode(cookie.value().as_bytes(), charter.revision(), NOW)
            .id()
            .expect("a new decision has an id");
        assert_eq!(
            cookie.to_string(),
            format!(
                "consent=2.{}.{NOW}.001.{id}; SameSite=Lax; Path=/; Max-Age=2592000",
                charter.revision()
            )
        );
        let session = consent_charter("duration = \"session\"\n");
        assert_eq!(session.consent_cookie(&[]).max_age(), None);
        let undeclared = consent_charter("");
        assert_eq!(
            undeclared.consent_cookie(&[]).max_age(),
            Some(cookie::time::Duration::seconds(CONSENT_LIFETIME as i64))
        );
    }

    /// Issue 13.1: an older banner left a grant at a longer path (sent first), the
    /// visitor refused since: the refusal applies, and garbage copies are ignored.
    #[test]
    fn every_copy_of_the_consent_cookie_is_read_and_the_latest_decision_applies() {
        let charter = consent_charter("");
        let value = |granted: &[Category], at: u64| {
            Consent::new(granted, at)
                .encode(charter.revision())
                .unwrap()
        };
        let old_grant = value(&[Category::Statistics], NOW - 150 * 86_400);
        let refusal = value(&[], NOW - 86_400);
        let header = format!("consent={old_grant}; consent={refusal}; _pk_id.1.ab=x");
        let consent = charter.consent_in([header.as_bytes()], NOW);
        assert!(consent.is_recorded());
        assert!(!consent.is_granted(Category::Statistics));
        assert_eq!(consent.decided_at(), Some(NOW - 86_400));
        // The same two copies in the other order, or in two `Cookie` fields.
        let header = format!("consent={refusal}; consent={old_grant}");
        assert_eq!(charter.consent_in([header.as_bytes()], NOW), consent);
        let (first, second) = (format!("consent={old_grant}"), format!("consent={refusal}"));
        assert_eq!(
            charter.consent_in([first.as_bytes(), second.as_bytes()], NOW),
            consent
        );
        // A copy that cannot be read does not hide a valid one, before or after it.
        let granted = value(&[Category::Statistics], NOW);
        for header in [
            format!("consent={granted}; consent=garbage"),
            format!("consent=garbage; consent={granted}"),
        ] {
            let consent = charter.consent_in([header.as_bytes()], NOW);
            assert!(consent.is_granted(Category::Statistics), "{header}");
        }
        // Two decisions of the same second: only what both grant.
        let both = format!(
            "consent={}; consent={}",
            value(&[Category::Statistics, Category::FirstParty], NOW),
            value(&[Category::FirstParty, Category::ThirdParty], NOW)
        );
        let consent = charter.consent_in([both.as_bytes()], NOW);
        assert_eq!(
            consent.granted().iter().collect::<Vec<_>>(),
            [Category::FirstParty]
        );
    }
}
