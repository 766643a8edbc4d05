//! Cookie durations as declarations write them: `"session"` or `"<n> <unit>"`.

use std::borrow::Cow;

/// How long a cookie lives, as declared.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Duration {
    /// The declaration's own words (`"13 months"`, `"session"`), shown on the page.
    pub text: Cow<'static, str>,
    /// `Max-Age` in seconds; `None` for a session cookie.
    pub max_age: Option<u64>,
}

/// Seconds in a day.
pub const DAY: u64 = 86_400;
/// A month as the CNIL counts it: 30.44 days.
pub const MONTH: u64 = 2_630_016;
/// A year: 365.25 days.
pub const YEAR: u64 = 31_557_600;
/// Browsers cap cookie lifetimes at 400 days (RFC 6265bis §5.5).
pub const MAX_COOKIE_LIFETIME: u64 = 400 * DAY;
/// The CNIL ceiling for consent-exempt audience measurement: 13 months.
pub const MAX_ANONYMOUS_LIFETIME: u64 = 13 * MONTH;
/// How long a consent decision is kept before the banner asks again: 6 months.
pub const CONSENT_LIFETIME: u64 = 6 * MONTH;

/// The unit words accepted, English then French; plurals first, so that a typo is
/// corrected to the plural.
const UNITS: &[(&[&str], u64)] = &[
    (&["seconds", "second", "secondes", "seconde"], 1),
    (&["minutes", "minute"], 60),
    (&["hours", "hour", "heures", "heure"], 3_600),
    (&["days", "day", "jours", "jour"], DAY),
    (&["weeks", "week", "semaines", "semaine"], 7 * DAY),
    (&["months", "month", "mois"], MONTH),
    (&["years", "year", "ans", "an", "années", "année"], YEAR),
];

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    /// Not `session` nor `<n> <unit>`.
    Unparsable,
    /// A known shape with an unknown unit; carries the closest known one.
    UnknownUnit(Option<&'static str>),
    /// A count of zero: `Max-Age=0` deletes the cookie as soon as it is set.
    Zero,
}

/// Reads a duration: `Ok(None)` for a session cookie, `Ok(Some(seconds))` otherwise.
pub fn parse(text: &str) -> Result<Option<u64>, DurationError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("session") {
        return Ok(None);
    }
    let mut words = text.split_whitespace();
    let (Some(count), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err(DurationError::Unparsable);
    };
    let count: u64 = count.parse().map_err(|_| DurationError::Unparsable)?;
    let unit_lower = unit.to_lowercase();
    let Some((_, seconds)) = UNITS
        .iter()
        .find(|(words, _)| words.contains(&unit_lower.as_str()))
    else {
        let all = UNITS.iter().flat_map(|(words, _)| words.iter().copied());
        return Err(DurationError::UnknownUnit(super::suggest::closest(
            &unit_lower,
            all,
        )));
    };
    if count == 0 {
        return Err(DurationError::Zero);
    }
    Ok(Some(count.saturating_mul(*seconds)))
}

/// How long a cookie may live: until the browser closes, or a number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lifetime {
    /// A session cookie: no `Max-Age`, no `Expires`.
    Session,
    /// At most this many seconds.
    Seconds(u64),
}

impl std::fmt::Display for Lifetime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lifetime::Session => f.write_str("a session cookie"),
            Lifetime::Seconds(seconds) => {
                let days = days(*seconds);
                let unit = if days == "1" { "day" } else { "days" };
                write!(f, "{seconds} s ({days} {unit})")
            }
        }
    }
}

/// Days, for messages: `395.7`.
pub fn days(seconds: u64) -> String {
    let days = seconds as f64 / DAY as f64;
    if days.fract() == 0.0 {
        format!("{days:.0}")
    } else {
        format!("{days:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_session_and_counted_units() {
        assert_eq!(parse("session"), Ok(None));
        assert_eq!(parse("30 minutes"), Ok(Some(1_800)));
        assert_eq!(parse("1 year"), Ok(Some(YEAR)));
        assert_eq!(parse("13 mois"), Ok(Some(13 * MONTH)));
    }

    #[test]
    fn thirteen_months_is_within_the_browser_cap() {
        assert!(parse("13 months").unwrap().unwrap() <= MAX_COOKIE_LIFETIME);
        assert!(parse("14 months").unwrap().unwrap() > MAX_COOKIE_LIFETIME);
        assert!(parse("400 days").unwrap().unwrap() <= MAX_COOKIE_LIFETIME);
    }

    #[test]
    fn rejects_other_shapes() {
        assert_eq!(parse("forever"), Err(DurationError::Unparsable));
        assert_eq!(parse("0 days"), Err(DurationError::Zero));
        assert_eq!(parse("0 seconds"), Err(DurationError::Zero));
        assert_eq!(parse("-1 days"), Err(DurationError::Unparsable));
        assert_eq!(
            parse("3 dayz"),
            Err(DurationError::UnknownUnit(Some("days")))
        );
        assert_eq!(
            parse("99999999999999999999 days"),
            Err(DurationError::Unparsable)
        );
    }

    #[test]
    fn huge_counts_saturate_instead_of_overflowing() {
        assert_eq!(parse("18446744073709551615 years"), Ok(Some(u64::MAX)));
    }
}
