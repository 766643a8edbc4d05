//! Reading a `Set-Cookie` header value as a browser does (RFC 6265bis §5.6), from its
//! bytes, without allocating: the name, and the attributes enforcement needs.

use std::fmt;

use crate::consent::trim;
use crate::names::NamePrefix;

use super::cookie_date;

/// Browsers refuse a cookie whose name and value together exceed this many bytes.
pub const MAX_NAME_VALUE_LEN: usize = 4096;

/// Browsers ignore an attribute whose value exceeds this many bytes.
pub const MAX_ATTRIBUTE_VALUE_LEN: usize = 1024;

/// Why a `Set-Cookie` value has no name a browser (or charte) would read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unreadable {
    /// No `=` before the first `;`, or nothing but spaces before the `=`.
    Nameless,
    /// Name and value together exceed 4096 bytes.
    TooLong,
    /// A control character (other than tab) anywhere in the header.
    ControlCharacter,
    /// The name is not valid UTF-8.
    NotUtf8,
}

impl Unreadable {
    /// A short description: `"nameless"`, `"too long"`...
    pub const fn as_str(self) -> &'static str {
        match self {
            Unreadable::Nameless => "nameless",
            Unreadable::TooLong => "name and value over 4096 bytes",
            Unreadable::ControlCharacter => "control character",
            Unreadable::NotUtf8 => "name not valid UTF-8",
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name of the cookie a `Set-Cookie` value sets: up to the first `;`, then up to
/// the first `=`, spaces and tabs trimmed, no percent-decoding.
///
/// ```
/// use charte_core::enforce::{read_name, Unreadable};
/// assert_eq!(read_name(b" sessionid =abc; Path=/"), Ok("sessionid"));
/// assert_eq!(read_name(b"%5Fga=1"), Ok("%5Fga"));
/// assert_eq!(read_name(b"=abc"), Err(Unreadable::Nameless));
/// assert_eq!(read_name(b"abc; x=y"), Err(Unreadable::Nameless));
/// ```
pub fn read_name(line: &[u8]) -> Result<&str, Unreadable> {
    SetCookie::read(line).map(|c| c.name)
}

const CONTROL: u8 = 1;
const SEMICOLON: u8 = 2;
const EQUALS: u8 = 4;
const X: u8 = 8;
/// `X`, seen in the attributes (set from `X` shifted, in the attribute loop only).
const ATTRIBUTE_X: u8 = X << 4;

/// What each byte is to the reader: control characters (except tab, as browsers
/// allow it), `;`, `=`, and `x`/`X`.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = if (b < 0x20 && b != 0x09) || b == 0x7f {
            CONTROL
        } else if b == b';' as usize {
            SEMICOLON
        } else if b == b'=' as usize {
            EQUALS
        } else if b == b'x' as usize || b == b'X' as usize {
            X
        } else {
            0
        };
        b += 1;
    }
    table
};

/// What enforcement needs of one `Set-Cookie` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetCookie<'a> {
    name: &'a str,
    value: &'a [u8],
    /// The last valid `Max-Age`.
    max_age: Option<i64>,
    /// The last valid `Expires`, in Unix seconds.
    expires: Option<i64>,
    secure: bool,
    /// The last `Path` attribute's value, trimmed.
    path: Option<&'a [u8]>,
    domain: bool,
}

impl<'a> SetCookie<'a> {
    /// Reads a `Set-Cookie` header value.
    pub fn read(line: &'a [u8]) -> Result<SetCookie<'a>, Unreadable> {
        // One pass over the bytes, one table look-up each: the first `;`, the first `=`
        // before it, and whether the line holds a control character (anywhere) or an
        // `x` (in the attributes: only `Max-Age` and `Expires` have one).
        let mut semicolon = line.len();
        let mut eq = None;
        let mut seen = 0u8;
        for (i, &b) in line.iter().enumerate() {
            let class = BYTE_CLASS[usize::from(b)];
            seen |= class;
            if class & (SEMICOLON | EQUALS) != 0 {
                if class & SEMICOLON != 0 {
                    semicolon = i;
                    break;
                }
                if eq.is_none() {
                    eq = Some(i);
                }
            }
        }
        let mut attributes = &line[semicolon..];
        for &b in attributes {
            let class = BYTE_CLASS[usize::from(b)];
            seen |= class | (class & X) << 4;
        }
        if seen & CONTROL != 0 {
            return Err(Unreadable::ControlCharacter);
        }
        let pair = &line[..semicolon];
        let eq = eq.ok_or(Unreadable::Nameless)?;
        let name = trim(&pair[..eq]);
        let value = trim(&pair[eq + 1..]);
        if name.len() + value.len() > MAX_NAME_VALUE_LEN {
            return Err(Unreadable::TooLong);
        }
        if name.is_empty() {
            return Err(Unreadable::Nameless);
        }
        let name = std::str::from_utf8(name).map_err(|_| Unreadable::NotUtf8)?;
        let mut cookie = SetCookie {
            name,
            value,
            max_age: None,
            expires: None,
            secure: false,
            path: None,
            domain: false,
        };
        // Only `Max-Age` and `Expires` (both with an `x`) matter unless the name has a
        // prefix: most lines skip the attribute walk after one vectorised scan.
        let attributes_have_x = seen & ATTRIBUTE_X != 0;
        if !attributes_have_x && NamePrefix::of(name).is_none() {
            return Ok(cookie);
        }
        while let Some(rest) = attributes.strip_prefix(b";") {
            let end = rest.iter().position(|b| *b == b';').unwrap_or(rest.len());
            let (av, next) = rest.split_at(end);
            attributes = next;
            let (key, value) = match av.iter().position(|b| *b == b'=') {
                Some(eq) => (trim(&av[..eq]), trim(&av[eq + 1..])),
                None => (trim(av), &av[..0]),
            };
            if value.len() > MAX_ATTRIBUTE_VALUE_LEN {
                continue;
            }
            // Dispatch on length and first letter: one comparison per attribute.
            match (key.len(), key.first().map(u8::to_ascii_lowercase)) {
                (7, Some(b'm')) if key.eq_ignore_ascii_case(b"max-age") => {
                    if let Some(seconds) = parse_max_age(value) {
                        cookie.max_age = Some(seconds);
                    }
                }
                (7, Some(b'e')) if key.eq_ignore_ascii_case(b"expires") => {
                    if let Some(date) = cookie_date::parse(value) {
                        cookie.expires = Some(date);
                    }
                }
                (6, Some(b's')) if key.eq_ignore_ascii_case(b"secure") => cookie.secure = true,
                (4, Some(b'p')) if key.eq_ignore_ascii_case(b"path") => cookie.path = Some(value),
                (6, Some(b'd')) if key.eq_ignore_ascii_case(b"domain") => cookie.domain = true,
                _ => {}
            }
        }
        Ok(cookie)
    }

    /// The cookie's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The cookie's value, trimmed, as sent (no unquoting, no decoding).
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// Whether this deletes the cookie: `Max-Age` ≤ 0, or (without a valid `Max-Age`,
    /// which takes precedence) an `Expires` at or before `now` (Unix seconds).
    pub fn is_removal(&self, now: u64) -> bool {
        match (self.max_age, self.expires) {
            (Some(max_age), _) => max_age <= 0,
            (None, Some(expires)) => expires <= i64::try_from(now).unwrap_or(i64::MAX),
            (None, None) => false,
        }
    }

    /// The name prefix whose rule this cookie breaks, if any: `__Host-` needs `Secure`,
    /// `Path=/` and no `Domain`; `__Secure-` needs `Secure` (prefixes are matched
    /// case-insensitively, as browsers do).
    pub fn broken_prefix(&self) -> Option<NamePrefix> {
        let prefix = NamePrefix::of(self.name)?;
        let kept = match prefix {
            NamePrefix::Host => self.secure && self.path == Some(b"/") && !self.domain,
            NamePrefix::Secure => self.secure,
        };
        (!kept).then_some(prefix)
    }
}

/// `Max-Age`: an optional `-` then digits; anything else is ignored, as browsers do.
/// Out-of-range values saturate.
fn parse_max_age(value: &[u8]) -> Option<i64> {
    let (negative, digits) = match value.strip_prefix(b"-") {
        Some(digits) => (true, digits),
        None => (false, value),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude = digits.iter().fold(0i64, |n, d| {
        n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_763_894_400;

    #[test]
    fn the_name_stops_at_the_first_semicolon_then_the_first_equals() {
        assert_eq!(read_name(b"a=b=c; d=e"), Ok("a"));
        assert_eq!(read_name(b"\t a b \t=1"), Ok("a b"));
        assert_eq!(read_name(b"a;b=c"), Err(Unreadable::Nameless));
        assert_eq!(read_name(b"  =x"), Err(Unreadable::Nameless));
        assert_eq!(read_name(b""), Err(Unreadable::Nameless));
    }

    #[test]
    fn control_characters_and_invalid_utf8_are_unreadable() {
        assert_eq!(read_name(b"a\x01=b"), Err(Unreadable::ControlCharacter));
        assert_eq!(
            read_name(b"a=b; Path=/\x7f"),
            Err(Unreadable::ControlCharacter)
        );
        assert_eq!(read_name(b"\xff=b"), Err(Unreadable::NotUtf8));
        assert_eq!(read_name(b"a=\xff"), Ok("a"));
        assert_eq!(read_name("é=1".as_bytes()), Ok("é"));
    }

    #[test]
    fn name_and_value_over_4096_bytes_are_unreadable() {
        let mut line = b"a=".to_vec();
        line.extend(std::iter::repeat_n(b'x', 4095));
        assert_eq!(read_name(&line), Ok("a"));
        line.push(b'x');
        assert_eq!(read_name(&line), Err(Unreadable::TooLong));
    }

    #[test]
    fn removals_are_max_age_zero_or_less_or_a_past_expires() {
        let removal = |line: &str| SetCookie::read(line.as_bytes()).unwrap().is_removal(NOW);
        assert!(removal("a=; Max-Age=0"));
        assert!(removal("a=; max-age = -5"));
        assert!(removal("a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"));
        assert!(!removal("a=1"));
        assert!(!removal("a=1; Max-Age=10"));
        assert!(!removal("a=1; Max-Age=0x"));
        assert!(!removal("a=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT"));
        // A valid Max-Age wins over Expires; an invalid one is ignored.
        assert!(!removal(
            "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60"
        ));
        assert!(removal(
            "a=1; Max-Age=+60; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        ));
        // The last valid Max-Age counts.
        assert!(removal("a=1; Max-Age=60; Max-Age=0"));
        assert!(!removal("a=1; Max-Age=0; Max-Age=60"));
    }

    #[test]
    fn prefix_rules_follow_the_attributes() {
        let broken = |line: &str| SetCookie::read(line.as_bytes()).unwrap().broken_prefix();
        assert_eq!(broken("__Host-a=1; Secure; Path=/"), None);
        assert_eq!(broken("__host-a=1; secure; path=/"), None);
        assert_eq!(broken("__Host-a=1; Path=/"), Some(NamePrefix::Host));
        assert_eq!(broken("__Host-a=1; Secure"), Some(NamePrefix::Host));
        assert_eq!(
            broken("__Host-a=1; Secure; Path=/x"),
            Some(NamePrefix::Host)
        );
        assert_eq!(
            broken("__Host-a=1; Secure; Path=/; Path=/x"),
            Some(NamePrefix::Host)
        );
        assert_eq!(
            broken("__Host-a=1; Secure; Path=/; Domain=example.fr"),
            Some(NamePrefix::Host)
        );
        assert_eq!(broken("__Secure-a=1; Secure"), None);
        assert_eq!(broken("__SECURE-a=1"), Some(NamePrefix::Secure));
        assert_eq!(broken("a=1"), None);
    }
}
