//! The consent value codec: [`Consent`] and its text in the consent cookie (the format
//! is described in the [module above](super)).

use super::id::ConsentId;
use crate::model::duration::{CONSENT_LIFETIME, DAY};
use crate::model::{Categories, Category, Cookie};

/// The version digit that starts every consent value this crate writes (format 2,
/// with the consent's id; format 1 is still read).
pub const FORMAT_VERSION: u8 = b'2';

/// How far in the future a decision time may be (clock skew between servers).
const ALLOWED_SKEW: u64 = DAY;

/// A visitor's consent, as read from a request (or from a response that records it).
///
/// Necessary cookies need no consent: [`Consent::is_granted`] is always true for
/// [`Category::Necessary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Consent {
    granted: Categories,
    decided_at: Option<u64>,
    id: Option<ConsentId>,
}

impl Consent {
    /// No decision recorded: nothing that needs consent is granted.
    pub const NONE: Consent = Consent {
        granted: Categories::EMPTY,
        decided_at: None,
        id: None,
    };

    /// A decision made at `decided_at` (Unix seconds) granting `granted`, without an id
    /// (see [`Consent::with_id`]; [`Charter::consent_cookie`](crate::Charter::consent_cookie)
    /// gives every new decision a random one).
    pub fn new(granted: &[Category], decided_at: u64) -> Consent {
        Consent {
            granted: Categories::of(granted),
            decided_at: Some(decided_at),
            id: None,
        }
    }

    /// This decision with the id `id` (its value is then written in format 2).
    ///
    /// ```
    /// use charte_core::{Category, Consent};
    /// use charte_core::consent::ConsentId;
    /// let id = ConsentId::random();
    /// let consent = Consent::new(&[Category::Statistics], 1_764_000_000).with_id(id);
    /// let value = consent.encode("0123456789abcdef").unwrap();
    /// assert_eq!(value, format!("2.0123456789abcdef.1764000000.100.{id}"));
    /// assert_eq!(Consent::decode(value.as_bytes(), "0123456789abcdef", 1_764_000_000).id(), Some(id));
    /// ```
    pub fn with_id(self, id: ConsentId) -> Consent {
        Consent {
            id: Some(id),
            ..self
        }
    }

    /// The decision's id: `Some` for values of format 2, `None` for format 1 and for
    /// [`Consent::NONE`]. It names the decision's record in the proof of consent.
    pub fn id(&self) -> Option<ConsentId> {
        self.id
    }

    /// Of two decisions read from copies of the consent cookie, the one that applies
    /// (the README, "Consent"): the valid one with the latest decision
    /// time; on a tie, what both grant, so that the copy granting less wins. A decision
    /// always prevails over [`Consent::NONE`] (a missing or invalid copy).
    ///
    /// ```
    /// use charte_core::{Category, Consent};
    /// let old_grant = Consent::new(&[Category::Statistics], 1_700_000_000);
    /// let refusal = Consent::new(&[], 1_760_000_000);
    /// assert_eq!(old_grant.prevailing(refusal), refusal);
    /// assert_eq!(refusal.prevailing(Consent::NONE), refusal);
    /// ```
    pub fn prevailing(self, other: Consent) -> Consent {
        match (self.decided_at, other.decided_at) {
            (_, None) => self,
            (None, Some(_)) => other,
            (Some(mine), Some(theirs)) if mine > theirs => self,
            (Some(mine), Some(theirs)) if mine < theirs => other,
            (Some(_), Some(_)) => Consent {
                granted: self.granted.intersection(other.granted),
                ..self
            },
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

    /// The consent cookie's value for this decision (see the [module](super) docs):
    /// format 2 when it has an id, format 1 otherwise; `None` when no decision is
    /// recorded.
    pub fn encode(&self, revision: &str) -> Option<String> {
        let decided_at = self.decided_at?;
        let digits: String = Category::CONSENTABLE
            .iter()
            .map(|c| if self.granted.contains(*c) { '1' } else { '0' })
            .collect();
        Some(match self.id {
            Some(id) => format!("2.{revision}.{decided_at}.{digits}.{id}"),
            None => format!("1.{revision}.{decided_at}.{digits}"),
        })
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

    /// The strict reading of formats 1 and 2, without the time checks. Every field but
    /// the time has a fixed length: each is read in place, from the value's two ends.
    pub(crate) fn parse(value: &[u8], revision: &str) -> Option<Consent> {
        let (version, rest) = value.split_first()?;
        let rest = rest
            .strip_prefix(b".")?
            .strip_prefix(revision.as_bytes())?
            .strip_prefix(b".")?;
        // What is left: `<decided-at>.<s><f><t>`, and in format 2 `.<id>`.
        let (rest, id) = match version {
            b'1' => (rest, None),
            b'2' => {
                let (rest, id) = rest.split_at_checked(rest.len().checked_sub(ID_LEN + 1)?)?;
                (rest, Some(ConsentId::parse(id.strip_prefix(b".")?)?))
            }
            _ => return None,
        };
        let (time, decision) = rest.split_at_checked(rest.len().checked_sub(4)?)?;
        Some(Consent {
            granted: decision_of(decision.strip_prefix(b".")?)?,
            decided_at: Some(parse_seconds(time)?),
            id,
        })
    }
}

/// The length of a consent id: 128 bits in base 32.
const ID_LEN: usize = 26;

/// The categories three digits `<s><f><t>` grant (`1` granted, `0` refused), in the
/// order of [`Category::CONSENTABLE`]; `None` for anything else.
fn decision_of(digits: &[u8]) -> Option<Categories> {
    if digits.len() != Category::CONSENTABLE.len() {
        return None;
    }
    let mut granted = Categories::EMPTY;
    for (digit, category) in digits.iter().zip(Category::CONSENTABLE) {
        match digit {
            b'1' => granted.insert(category),
            b'0' => {}
            _ => return None,
        }
    }
    Some(granted)
}

/// Decimal seconds, no sign, no leading zero (one canonical spelling per value), at most
/// 19 digits: no overflow is possible, and a longer time is centuries beyond any `now`,
/// which [`Consent::decode`] would refuse anyway.
fn parse_seconds(digits: &[u8]) -> Option<u64> {
    let canonical = digits.first() != Some(&b'0') || digits.len() == 1;
    if !canonical || digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut seconds = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        seconds = seconds * 10 + u64::from(digit - b'0');
    }
    Some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REV: &str = "0123456789abcdef";
    const NOW: u64 = 1_763_894_400;

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

    /// The reading of digits against `str::parse`: every byte value in every
    /// place of 1- to 19-digit times (a leading zero is refused, as is a sign).
    #[test]
    fn seconds_agree_with_str_parse() {
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
    fn format_2_values_carry_the_id_and_round_trip() {
        let id = ConsentId::from_bits(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let consent = Consent::new(&[Category::FirstParty], NOW).with_id(id);
        let value = consent.encode(REV).unwrap();
        assert_eq!(value, format!("2.{REV}.{NOW}.010.{id}"));
        assert_eq!(Consent::decode(value.as_bytes(), REV, NOW), consent);
        assert_eq!(consent.id(), Some(id));
    }

    #[test]
    fn format_1_values_are_still_read_without_an_id() {
        let value = format!("1.{REV}.{NOW}.110");
        let consent = Consent::decode(value.as_bytes(), REV, NOW);
        assert!(consent.is_granted(Category::Statistics));
        assert_eq!(consent.id(), None);
        assert_eq!(consent.encode(REV).unwrap(), value);
    }

    #[test]
    fn malformed_format_2_values_grant_nothing() {
        let id = "0123456789abcdefghijklmnop";
        for value in [
            format!("2.{REV}.{NOW}.111"),
            format!("2.{REV}.{NOW}.111."),
            format!("2.{REV}.{NOW}.111.{}", &id[1..]),
            format!("2.{REV}.{NOW}.111.{id}x"),
            format!("2.{REV}.{NOW}.111.{}", id.to_uppercase()),
            format!("2.{REV}.{NOW}.111.{id}.1"),
            format!("1.{REV}.{NOW}.111.{id}"),
            format!("3.{REV}.{NOW}.111.{id}"),
        ] {
            assert_eq!(
                Consent::decode(value.as_bytes(), REV, NOW),
                Consent::NONE,
                "{value:?}"
            );
        }
        let good = format!("2.{REV}.{NOW}.111.{id}");
        assert!(Consent::decode(good.as_bytes(), REV, NOW).is_recorded());
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
            format!("3.{REV}.{NOW}.111"),
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

    #[test]
    fn necessary_is_always_granted() {
        assert!(Consent::NONE.is_granted(Category::Necessary));
        assert!(!Consent::NONE.is_granted(Category::Statistics));
    }

    proptest::proptest! {
        /// The consent reader agrees with splitting the value on its dots.
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
}
