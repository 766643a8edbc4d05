//! The visitor's consent: what the consent cookie records, and how to read it back.
//!
//! # The consent cookie's value
//!
//! ```text
//! 1.<revision>.<decided-at>.<s><f><t>
//! ```
//!
//! - `1`: the format's version;
//! - `<revision>`: the charter's [revision](crate::Charter::revision), 16 lowercase hex
//!   digits: a decision is about the charter the visitor was shown;
//! - `<decided-at>`: when the visitor decided, in seconds since the Unix epoch (decimal,
//!   no sign, no leading zero);
//! - `<s><f><t>`: one digit per category that needs consent, in this order: statistics,
//!   first-party, third-party; `1` granted, `0` refused.
//!
//! For example `1.3f2a9c0d11e4b5a6.1763894400.100` grants statistics and refuses the
//! rest. Every character is an RFC 6265 `cookie-octet` (digits, lowercase letters and
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

use std::borrow::Cow;
use std::fmt;

use crate::duration::{CONSENT_LIFETIME, DAY};
use crate::model::{Category, Charter, Cookie};
use crate::scan::{find_byte, find_either, trim};

pub use crate::clock::now;

/// The version digit that starts every consent value this crate writes.
pub const FORMAT_VERSION: u8 = b'1';

/// How far in the future a decision time may be (clock skew between servers).
const ALLOWED_SKEW: u64 = DAY;

/// A set of categories, one bit each; [`Category::Necessary`] is never stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Categories(u8);

impl Categories {
    /// No category.
    pub const EMPTY: Categories = Categories(0);

    const fn bit(category: Category) -> u8 {
        match category {
            Category::Necessary => 0,
            Category::Statistics => 1,
            Category::FirstParty => 2,
            Category::ThirdParty => 4,
        }
    }

    /// The set of `category` alone (empty for necessary: it needs no consent).
    pub(crate) const fn only(category: Category) -> Categories {
        Categories(Self::bit(category))
    }

    /// The set of the categories listed (necessary is ignored: it needs no consent).
    pub fn of(categories: &[Category]) -> Categories {
        Categories(categories.iter().fold(0, |bits, c| bits | Self::bit(*c)))
    }

    /// Adds a category.
    pub fn insert(&mut self, category: Category) {
        self.0 |= Self::bit(category);
    }

    /// Whether the set holds `category` (never true for necessary).
    pub const fn contains(self, category: Category) -> bool {
        let bit = Self::bit(category);
        bit != 0 && self.0 & bit != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The categories in `self` and not in `other`.
    pub const fn without(self, other: Categories) -> Categories {
        Categories(self.0 & !other.0)
    }

    /// The categories held, in display order.
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::CONSENTABLE
            .into_iter()
            .filter(move |c| self.contains(*c))
    }
}

impl fmt::Debug for Categories {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// A visitor's consent, as read from a request (or from a response that records it).
///
/// Necessary cookies need no consent: [`Consent::is_granted`] is always true for
/// [`Category::Necessary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Consent {
    granted: Categories,
    decided_at: Option<u64>,
}

impl Consent {
    /// No decision recorded: nothing that needs consent is granted.
    pub const NONE: Consent = Consent {
        granted: Categories::EMPTY,
        decided_at: None,
    };

    /// A decision made at `decided_at` (Unix seconds) granting `granted`.
    pub fn new(granted: &[Category], decided_at: u64) -> Consent {
        Consent {
            granted: Categories::of(granted),
            decided_at: Some(decided_at),
        }
    }

    /// Whether the visitor made a decision that is still valid (when not, show the banner).
    pub fn is_recorded(&self) -> bool {
        self.decided_at.is_some()
    }

    /// When the decision was made, in Unix seconds.
    pub fn decided_at(&self) -> Option<u64> {
        self.decided_at
    }

    /// Whether the visitor granted `category` (always true for necessary).
    pub fn is_granted(&self, category: Category) -> bool {
        category == Category::Necessary || self.granted.contains(category)
    }

    /// The consentable categories granted.
    pub fn granted(&self) -> Categories {
        self.granted
    }

    /// Whether this consent allows setting a declared cookie: it needs no consent, or
    /// its category is granted.
    pub fn allows(&self, cookie: &Cookie) -> bool {
        cookie.consent_needed.without(self.granted).is_empty()
    }

    /// The consent cookie's value for this decision (see the [module](self) docs), or
    /// `None` when no decision is recorded.
    pub fn encode(&self, revision: &str) -> Option<String> {
        let decided_at = self.decided_at?;
        let digits: String = Category::CONSENTABLE
            .iter()
            .map(|c| if self.granted.contains(*c) { '1' } else { '0' })
            .collect();
        Some(format!(
            "{}.{revision}.{decided_at}.{digits}",
            FORMAT_VERSION as char
        ))
    }

    /// Reads a consent cookie's value for the charter revision `revision` at time `now`
    /// (Unix seconds). Anything but a valid, current decision is [`Consent::NONE`].
    pub fn decode(value: &[u8], revision: &str, now: u64) -> Consent {
        Self::parse(value, revision)
            .filter(|c| {
                let decided_at = c.decided_at.unwrap_or(0);
                decided_at <= now.saturating_add(ALLOWED_SKEW)
                    && now.saturating_sub(decided_at) <= CONSENT_LIFETIME
            })
            .unwrap_or(Consent::NONE)
    }

    /// The strict reading of the format, without the time checks. The fields have
    /// fixed places but for the seconds: matched in place, without splitting.
    fn parse(value: &[u8], revision: &str) -> Option<Consent> {
        let rest = value.strip_prefix(&[FORMAT_VERSION, b'.'])?;
        let rest = strip_revision(rest, revision)?.strip_prefix(b".")?;
        let (time, decision) = rest.split_last_chunk::<4>()?;
        Some(Consent {
            granted: decision_of(*decision)?,
            decided_at: Some(parse_seconds(time)?),
        })
    }
}

/// The categories a value's last four bytes, `.<s><f><t>`, grant; `None` unless they
/// are a dot and three `0` or `1`. Read as one word: `0` and `1` differ in their lowest
/// bit only, which is then the digit.
#[inline(always)]
fn decision_of(decision: [u8; 4]) -> Option<Categories> {
    let word = u32::from_le_bytes(decision);
    if word & u32::from_le_bytes([0xff, 0xfe, 0xfe, 0xfe]) != u32::from_le_bytes(*b".000") {
        return None;
    }
    // The digits' lowest bits, at bits 8, 16 and 24, brought down to 0, 1 and 2: the
    // bits of statistics, first-party and third-party, in that order.
    const _: () = assert!(
        Categories::bit(Category::Statistics) == 1
            && Categories::bit(Category::FirstParty) == 2
            && Categories::bit(Category::ThirdParty) == 4
    );
    let bits = (word >> 8) & 0x0001_0101;
    Some(Categories((bits | bits >> 7 | bits >> 14) as u8 & 0b111))
}

/// `value` after its leading `revision`. A charter's revision is a 16-digit
/// fingerprint: compared as two words rather than by a call to `memcmp`.
#[inline(always)]
fn strip_revision<'v>(value: &'v [u8], revision: &str) -> Option<&'v [u8]> {
    match (
        <&[u8; 16]>::try_from(revision.as_bytes()),
        value.split_first_chunk::<16>(),
    ) {
        (Ok(revision), Some((head, rest))) => (head == revision).then_some(rest),
        _ => value.strip_prefix(revision.as_bytes()),
    }
}

/// Decimal seconds, no sign, no leading zero (one canonical spelling per value), at most
/// 19 digits: no overflow is possible, and a longer time is centuries beyond any `now`,
/// which [`Consent::decode`] would refuse anyway.
#[inline(always)]
fn parse_seconds(digits: &[u8]) -> Option<u64> {
    if digits.first() == Some(&b'0') && digits.len() > 1 {
        return None;
    }
    match digits.len() {
        // Today's times have ten digits: read as two overlapping words of eight (SWAR),
        // the digits both hold counted in the first only (turned to `0` in the second).
        9..=16 => {
            let (first, last) = crate::scan::ends::<8>(digits);
            // The bytes of `last` that `first` holds too: its lowest `16 - len`.
            let both = (1u64 << (8 * (16 - digits.len()))) - 1;
            let zeros = u64::from_le_bytes([b'0'; 8]);
            let last = u64::from_le_bytes(*last) & !both | zeros & both;
            let high = eight_digits(u64::from_le_bytes(*first))?;
            Some(high * TENS[digits.len() - 8] + eight_digits(last)?)
        }
        1..=19 => digits.iter().try_fold(0u64, |seconds, d| {
            let digit = d.wrapping_sub(b'0');
            (digit <= 9).then(|| seconds * 10 + u64::from(digit))
        }),
        _ => None,
    }
}

/// `TENS[n]` is ten to the power `n`.
const TENS: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The number eight ASCII digits spell (the first digit the word's lowest byte), or
/// `None` when some byte is not a digit. SWAR: each byte is checked to be `0x30` to
/// `0x39` (its high nibble 3, and still 3 once 6 is added), then pairs of digits,
/// then pairs of pairs, are combined in place.
#[inline(always)]
fn eight_digits(word: u64) -> Option<u64> {
    const EACH: u64 = u64::from_le_bytes([1; 8]);
    let high_nibbles = |w: u64| w & (0xf0 * EACH);
    if high_nibbles(word) != 0x30 * EACH || high_nibbles(word + 6 * EACH) != 0x30 * EACH {
        return None;
    }
    // No byte carries into the next: each sum below fits in its lane.
    let w = word - 0x30 * EACH;
    let w = (w * 10 + (w >> 8)) & 0x00ff_00ff_00ff_00ff;
    let w = (w * 100 + (w >> 16)) & 0x0000_ffff_0000_ffff;
    Some((w * 10_000 + (w >> 32)) & 0xffff_ffff)
}

/// The `(name, value)` pairs of `Cookie` request headers, as browsers send them
/// (`a=1; b=2`), without allocating. Pairs without `=` are skipped; names are trimmed.
pub fn request_cookies<'a, I>(cookie_headers: I) -> impl Iterator<Item = (&'a [u8], &'a [u8])>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    cookie_headers
        .into_iter()
        .flat_map(|header| Pairs { rest: header })
}

/// The pairs of one `Cookie` header. Each byte is looked at once: a name up to its `=`
/// (or, lacking one, to its `;`), then a value up to its `;`.
struct Pairs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        // The end of the header settled inline; a pair read out of line.
        if self.rest.is_empty() {
            None
        } else {
            self.read_pair()
        }
    }
}

impl<'a> Pairs<'a> {
    /// The next pair of a header not yet read to its end.
    #[inline(never)]
    fn read_pair(&mut self) -> Option<(&'a [u8], &'a [u8])> {
        while !self.rest.is_empty() {
            let rest = self.rest;
            let stop = find_either(rest, b'=', b';').unwrap_or(rest.len());
            if rest.get(stop) != Some(&b'=') {
                // No `=` in this pair: skip it.
                self.rest = rest.get(stop + 1..).unwrap_or_default();
                continue;
            }
            let value = &rest[stop + 1..];
            let end = find_byte(value, b';').unwrap_or(value.len());
            self.rest = value.get(end + 1..).unwrap_or_default();
            let name = trim(&rest[..stop]);
            if !name.is_empty() {
                return Some((name, trim(&value[..end])));
            }
        }
        None
    }
}

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
    /// use charte_core::Category;
    /// let cookie = charter.consent_cookie(&[Category::Statistics]);
    /// assert_eq!(cookie.name(), "consent");
    /// assert!(cookie.value().ends_with(".100"));
    /// assert_eq!(cookie.max_age().map(|d| d.whole_seconds()), Some(6 * 2_630_016));
    /// ```
    pub fn consent_cookie(&self, granted: &[Category]) -> cookie::Cookie<'static> {
        self.try_consent_cookie(granted)
            .expect("this charter declares no `consent_cookie`: it cannot record consent")
    }

    /// [`Charter::consent_cookie`], or `None` when the charter declares no consent cookie.
    pub fn try_consent_cookie(&self, granted: &[Category]) -> Option<cookie::Cookie<'static>> {
        self.consent_cookie_at(granted, now())
    }

    /// The consent cookie for a decision made at `decided_at` (Unix seconds).
    pub fn consent_cookie_at(
        &self,
        granted: &[Category],
        decided_at: u64,
    ) -> Option<cookie::Cookie<'static>> {
        let declaration = self.consent_cookie_declaration()?;
        let value = Consent::new(granted, decided_at).encode(self.revision())?;
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
    /// `now`. When the cookie appears more than once, the first is read: browsers send
    /// the cookie with the most specific path first.
    pub fn consent_in<'a>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'a [u8]>,
        now: u64,
    ) -> Consent {
        let Some(declaration) = self.consent_cookie_declaration() else {
            return Consent::NONE;
        };
        request_cookies(cookie_headers)
            .find(|(name, _)| *name == declaration.name().as_bytes())
            .map_or(Consent::NONE, |(_, value)| {
                Consent::decode(value, self.revision(), now)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REV: &str = "0123456789abcdef";
    const NOW: u64 = 1_763_894_400;

    /// A revision of 16 bytes is compared as two words; any other (a charter built by
    /// hand could have one) falls back to a plain comparison.
    #[test]
    fn revisions_of_any_length_are_stripped_exactly() {
        for revision in ["", "abc", "0123456789abcde", REV, "0123456789abcdef0"] {
            for value in [
                format!("{revision}.rest"),
                revision.to_string(),
                format!("x{revision}.rest"),
                "0123456789abcdeF.rest".to_string(),
                "0123456789abcdef0123".to_string(),
            ] {
                assert_eq!(
                    strip_revision(value.as_bytes(), revision),
                    value.as_bytes().strip_prefix(revision.as_bytes()),
                    "{revision:?} in {value:?}"
                );
            }
        }
    }

    /// The consent each declaration keeps as needed, against the rule it stands for:
    /// necessary and anonymous statistics need none, every other category its own.
    #[test]
    fn the_consent_a_declaration_needs_follows_its_category() {
        let consents = [
            Consent::NONE,
            Consent::new(&[Category::Statistics], NOW),
            Consent::new(&[Category::FirstParty, Category::ThirdParty], NOW),
            Consent::new(&Category::CONSENTABLE, NOW),
        ];
        for category in Category::ALL {
            for anonymous in [false, true] {
                let cookie = Cookie::declared(
                    "c", false, "P", "S", "U", category, anonymous, None, None, None, false, false,
                    None, false,
                );
                let needs = category != Category::Necessary
                    && !(category == Category::Statistics && anonymous);
                assert_eq!(cookie.needs_consent(), needs, "{category:?} {anonymous}");
                for consent in &consents {
                    assert_eq!(
                        consent.allows(&cookie),
                        !needs || consent.is_granted(category),
                        "{category:?} {anonymous} {consent:?}"
                    );
                }
            }
        }
    }

    /// The word reading of digits against `str::parse`: every byte value in every
    /// place of 1- to 19-digit times (a leading zero is refused, as is a sign).
    #[test]
    fn seconds_read_by_words_agree_with_str_parse() {
        let reference = |digits: &[u8]| {
            let canonical = digits.first() != Some(&b'0') || digits.len() == 1;
            let all_digits = !digits.is_empty() && digits.iter().all(u8::is_ascii_digit);
            (canonical && all_digits && digits.len() <= 19)
                .then(|| std::str::from_utf8(digits).ok()?.parse::<u64>().ok())
                .flatten()
        };
        for len in 0..=20 {
            let base: Vec<u8> = (0..len).map(|i| b"1763894400"[i % 10]).collect();
            assert_eq!(parse_seconds(&base), reference(&base), "{base:?}");
            for place in 0..len {
                for byte in 0..=u8::MAX {
                    let mut digits = base.clone();
                    digits[place] = byte;
                    assert_eq!(parse_seconds(&digits), reference(&digits), "{digits:?}");
                }
            }
        }
        assert_eq!(
            parse_seconds(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
    }

    #[test]
    fn decisions_read_as_a_word_agree_with_the_digits() {
        let reference = |decision: [u8; 4]| {
            let [b'.', digits @ ..] = decision else {
                return None;
            };
            let mut granted = Categories::EMPTY;
            for (digit, category) in digits.into_iter().zip(Category::CONSENTABLE) {
                match digit {
                    b'1' => granted.insert(category),
                    b'0' => {}
                    _ => return None,
                }
            }
            Some(granted)
        };
        // Every valid decision, then each of its bytes replaced by every byte value.
        for bits in 0..8u8 {
            let digit = |i: u8| if bits >> i & 1 == 1 { b'1' } else { b'0' };
            let base = [b'.', digit(0), digit(1), digit(2)];
            assert!(decision_of(base).is_some());
            for place in 0..4 {
                for byte in 0..=u8::MAX {
                    let mut decision = base;
                    decision[place] = byte;
                    assert_eq!(decision_of(decision), reference(decision), "{decision:?}");
                }
            }
        }
    }

    #[test]
    fn values_round_trip() {
        for granted in [
            &[][..],
            &[Category::Statistics],
            &[Category::FirstParty, Category::ThirdParty],
            &Category::CONSENTABLE,
        ] {
            let consent = Consent::new(granted, NOW);
            let value = consent.encode(REV).unwrap();
            assert_eq!(Consent::decode(value.as_bytes(), REV, NOW), consent);
        }
    }

    #[test]
    fn the_format_is_version_revision_time_and_three_digits() {
        let value = Consent::new(&[Category::Statistics, Category::ThirdParty], NOW)
            .encode(REV)
            .unwrap();
        assert_eq!(value, format!("1.{REV}.{NOW}.101"));
        assert!(value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.'));
    }

    #[test]
    fn another_revision_grants_nothing() {
        let value = format!("1.fedcba9876543210.{NOW}.111");
        assert_eq!(Consent::decode(value.as_bytes(), REV, NOW), Consent::NONE);
    }

    #[test]
    fn a_decision_older_than_six_months_grants_nothing() {
        let old = NOW - CONSENT_LIFETIME - 1;
        let value = format!("1.{REV}.{old}.111");
        assert_eq!(Consent::decode(value.as_bytes(), REV, NOW), Consent::NONE);
        let just = NOW - CONSENT_LIFETIME;
        let value = format!("1.{REV}.{just}.111");
        assert!(Consent::decode(value.as_bytes(), REV, NOW).is_recorded());
    }

    #[test]
    fn a_decision_from_the_future_grants_nothing() {
        let value = format!("1.{REV}.{}.111", NOW + 2 * DAY);
        assert_eq!(Consent::decode(value.as_bytes(), REV, NOW), Consent::NONE);
    }

    #[test]
    fn malformed_values_grant_nothing() {
        for value in [
            String::new(),
            "1".into(),
            format!("2.{REV}.{NOW}.111"),
            format!("1.{REV}.{NOW}.11"),
            format!("1.{REV}.{NOW}.1111"),
            format!("1.{REV}.{NOW}.112"),
            format!("1.{REV}.0{NOW}.111"),
            format!("1.{REV}.+{NOW}.111"),
            format!("1.{REV}.{NOW}.111."),
            format!("1.{REV}..{NOW}.111"),
            format!("1.{REV}.99999999999999999999999.111"),
            format!("1.{}.{NOW}.111", REV.to_uppercase()),
        ] {
            assert_eq!(
                Consent::decode(value.as_bytes(), REV, NOW),
                Consent::NONE,
                "{value:?}"
            );
        }
    }

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
        assert_eq!(
            cookie.to_string(),
            format!(
                "consent=1.{}.{NOW}.001; SameSite=Lax; Path=/; Max-Age=2592000",
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

    #[test]
    fn the_first_consent_cookie_of_the_request_is_read() {
        let charter = consent_charter("");
        let granted = Consent::new(&[Category::Statistics], NOW)
            .encode(charter.revision())
            .unwrap();
        let header = format!("consent={granted}; consent=garbage");
        let consent = charter.consent_in([header.as_bytes()], NOW);
        assert!(consent.is_granted(Category::Statistics));
        let header = format!("consent=garbage; consent={granted}");
        assert_eq!(charter.consent_in([header.as_bytes()], NOW), Consent::NONE);
    }

    #[test]
    fn necessary_is_always_granted() {
        assert!(Consent::NONE.is_granted(Category::Necessary));
        assert!(!Consent::NONE.is_granted(Category::Statistics));
    }

    proptest::proptest! {
        /// The one-pass splitter agrees with the plain reading: split on `;`, then on
        /// the first `=`, trim, skip nameless pairs.
        #[test]
        fn request_cookie_pairs_match_the_plain_reading(header in "[ab=; \t]{0,24}") {
            let plain: Vec<_> = header
                .as_bytes()
                .split(|b| *b == b';')
                .filter_map(|pair| {
                    let eq = pair.iter().position(|b| *b == b'=')?;
                    let name = trim(&pair[..eq]);
                    (!name.is_empty()).then(|| (name, trim(&pair[eq + 1..])))
                })
                .collect();
            let pairs: Vec<_> = request_cookies([header.as_bytes()]).collect();
            proptest::prop_assert_eq!(pairs, plain);
        }

        /// The in-place consent reader agrees with splitting the value on its dots.
        #[test]
        fn consent_values_parse_as_their_fields_say(value in "(1\\.abc\\.|1?\\.?(abc)?\\.?)[0-9]{0,3}(\\.[01]{3}|\\.?[01x]{0,4}\\.?)") {
            let fields: Vec<&str> = value.split('.').collect();
            let expected = match fields[..] {
                ["1", "abc", time, decision] if decision.len() == 3
                    && decision.bytes().all(|b| b == b'0' || b == b'1')
                    && !time.is_empty()
                    && time.bytes().all(|b| b.is_ascii_digit())
                    && (time == "0" || !time.starts_with('0')) => {
                    let granted: Vec<Category> = decision
                        .bytes()
                        .zip(Category::CONSENTABLE)
                        .filter(|(digit, _)| *digit == b'1')
                        .map(|(_, category)| category)
                        .collect();
                    Some(Consent::new(&granted, time.parse::<u64>().unwrap()))
                }
                _ => None,
            };
            proptest::prop_assert_eq!(Consent::parse(value.as_bytes(), "abc"), expected);
        }
    }

    #[test]
    fn request_cookie_pairs_are_split_and_trimmed() {
        let pairs: Vec<_> = request_cookies([&b"a=1; b = 2 ;c;=x; d=e=f"[..], b"g=h"]).collect();
        assert_eq!(
            pairs,
            [
                (&b"a"[..], &b"1"[..]),
                (b"b", b"2"),
                (b"d", b"e=f"),
                (b"g", b"h")
            ]
        );
    }
}
