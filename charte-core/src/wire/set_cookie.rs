//! Reading a `Set-Cookie` header value as a browser does (RFC 6265bis §5.6), from its
//! bytes, without allocating: the name, and the attributes enforcement needs.

use std::fmt;

use crate::model::{Lifetime, NamePrefix, PrefixAttributes};

use super::cookie_date;
use super::scan::{any, find_byte_from, find_either, find_either_from, is_utf8, trim};

/// Browsers refuse a cookie whose name and value together exceed this many bytes.
pub const MAX_NAME_VALUE_LEN: usize = 4096;

/// Browsers ignore an attribute whose value exceeds this many bytes.
pub const MAX_ATTRIBUTE_VALUE_LEN: usize = 1024;

/// Why a `Set-Cookie` value has no name a browser (or charte) would read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unreadable {
    /// An empty name: no `=` before the first `;` (`abc`), or nothing but spaces before
    /// the `=` (`=abc`). Browsers store such a cookie under the name `""` (RFC 6265bis
    /// §5.6, step 3), and no charter can declare an empty name.
    Nameless,
    /// Name and value together exceed 4096 bytes.
    TooLong,
    /// A control character (other than tab) anywhere in the header.
    ControlCharacter,
    /// The name is not valid UTF-8.
    NotUtf8,
}

impl Unreadable {
    /// A short description: `"empty name (…)"`, `"control character"`...
    pub const fn as_str(self) -> &'static str {
        match self {
            Unreadable::Nameless => {
                "empty name (browsers store `abc` or `=abc` under the name \"\", which no charter can declare)"
            }
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
    SetCookie::read(line).map(|c| c.name())
}

/// What enforcement needs of one `Set-Cookie` value. Reading it checks the whole line
/// and finds the name; the value and the attributes are read only when asked for, as
/// most lines (a declared, consented cookie without a name prefix) need neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetCookie<'a> {
    line: &'a [u8],
    /// The name, checked to be UTF-8 (kept as bytes: turning it into a `str` costs a
    /// second check, paid only by [`SetCookie::name`]).
    name: &'a [u8],
    /// Where the name-value pair's `=` is.
    eq: usize,
}

/// The attributes the rules look at, as the browser keeps them: what one walk of a
/// line finds ([`SetCookie::attributes`]).
#[derive(Debug, Default)]
pub struct Attributes<'a> {
    /// The last valid `Max-Age`.
    max_age: Option<i64>,
    /// The last valid `Expires`, in Unix seconds.
    expires: Option<i64>,
    secure: bool,
    http_only: bool,
    /// The last `Path` attribute's value, trimmed.
    path: Option<&'a [u8]>,
    domain: bool,
}

impl<'a> SetCookie<'a> {
    /// Reads a `Set-Cookie` header value.
    pub fn read(line: &'a [u8]) -> Result<SetCookie<'a>, Unreadable> {
        // Browsers reject a cookie with a control character (but tab) anywhere. Looked
        // for even in an `http::HeaderValue`, which refuses them when made: its
        // unchecked constructor (`unsafe`, asking only for UTF-8) can let a CR LF in,
        // and a line split there would carry a second, unjudged `Set-Cookie`.
        if any(line, is_control) {
            return Err(Unreadable::ControlCharacter);
        }
        // The name ends at the first `=`, unless a `;` comes first (then there is none).
        let eq = match find_either(line, b'=', b';') {
            Some(i) if line[i] == b'=' => i,
            _ => return Err(Unreadable::Nameless),
        };
        let name = trim(&line[..eq]);
        let cookie = SetCookie { line, name, eq };
        // Name and value are shorter than the line: only a long line needs the value.
        if line.len() > MAX_NAME_VALUE_LEN && name.len() + cookie.value().len() > MAX_NAME_VALUE_LEN
        {
            return Err(Unreadable::TooLong);
        }
        if name.is_empty() {
            return Err(Unreadable::Nameless);
        }
        if !is_utf8(name) {
            return Err(Unreadable::NotUtf8);
        }
        Ok(cookie)
    }

    /// The cookie's name.
    pub fn name(&self) -> &'a str {
        std::str::from_utf8(self.name).expect("`SetCookie::read` checked the name is UTF-8")
    }

    /// The cookie's name, as bytes (UTF-8).
    pub fn name_bytes(&self) -> &'a [u8] {
        self.name
    }

    /// The cookie's value, trimmed, as sent (no unquoting, no decoding).
    pub fn value(&self) -> &'a [u8] {
        let end = self.value_end().unwrap_or(self.line.len());
        trim(&self.line[self.eq + 1..end])
    }

    /// Where the value ends: the first `;` after the name's `=`, if any.
    fn value_end(&self) -> Option<usize> {
        find_byte_from(self.line, self.eq + 1, b';')
    }

    /// Whether this deletes the cookie: `Max-Age` ≤ 0, or (without a valid `Max-Age`,
    /// which takes precedence) an `Expires` at or before `now` (Unix seconds).
    pub fn is_removal(&self, now: u64) -> bool {
        self.lifetime(now).is_some_and(|seconds| seconds <= 0)
    }

    /// How long the browser would keep this cookie from `now` (Unix seconds), in
    /// seconds: its last valid `Max-Age`, else its last valid `Expires` minus `now`
    /// (RFC 6265bis §5.6: `Max-Age` takes precedence); `None` for a session cookie.
    /// Zero or less deletes the cookie.
    ///
    /// ```
    /// use charte_core::wire::SetCookie;
    /// let line = SetCookie::read(b"_pk_id=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Max-Age=60").unwrap();
    /// assert_eq!(line.lifetime(1_700_000_000), Some(60));
    /// assert_eq!(SetCookie::read(b"sessionid=1").unwrap().lifetime(1_700_000_000), None);
    /// ```
    pub fn lifetime(&self, now: u64) -> Option<i64> {
        // A lifetime is written with digits: `Max-Age` is digits, and a cookie date
        // needs a time, a day and a year (RFC 6265bis §5.1.1). Attributes without a
        // digit (`; HttpOnly; SameSite=Lax; Path=/`, most lines) make a session
        // cookie: one vector test settles them, where a walk looks at each attribute.
        let semicolon = self.value_end()?;
        if !any(&self.line[semicolon..], |b| b.is_ascii_digit()) {
            return None;
        }
        self.walk(Some(semicolon), Only::Lifetime).lifetime(now)
    }

    /// The line with its lifetime replaced: every `Max-Age` and `Expires` attribute
    /// removed, then `; Max-Age=<seconds>` added, or nothing for a session cookie.
    /// Every other byte is kept as written.
    ///
    /// ```
    /// use charte_core::model::Lifetime;
    /// use charte_core::wire::SetCookie;
    /// let line = SetCookie::read(b"_pk_id=1; Path=/; max-age=63072000; Secure").unwrap();
    /// assert_eq!(line.with_lifetime(Lifetime::Seconds(60)), b"_pk_id=1; Path=/; Secure; Max-Age=60");
    /// assert_eq!(line.with_lifetime(Lifetime::Session), b"_pk_id=1; Path=/; Secure");
    /// ```
    pub fn with_lifetime(&self, lifetime: Lifetime) -> Vec<u8> {
        let mut parts = self.line.split(|b| *b == b';');
        let mut out = parts.next().unwrap_or_default().to_vec();
        for attribute in parts {
            let key = attribute.split(|b| *b == b'=').next().unwrap_or_default();
            let key = trim(key);
            if !key.eq_ignore_ascii_case(b"max-age") && !key.eq_ignore_ascii_case(b"expires") {
                out.push(b';');
                out.extend_from_slice(attribute);
            }
        }
        if let Lifetime::Seconds(seconds) = lifetime {
            out.extend_from_slice(format!("; Max-Age={seconds}").as_bytes());
        }
        out
    }

    /// The name prefix whose rule this cookie breaks, if any (the rules are
    /// [`PREFIX_RULES`](crate::model::PREFIX_RULES); prefixes are matched
    /// case-insensitively, as browsers do).
    pub fn broken_prefix(&self) -> Option<NamePrefix> {
        let prefix = self.prefix()?;
        self.attributes().breaks(prefix).then_some(prefix)
    }

    /// The name's prefix, if any (the most specific one).
    pub fn prefix(&self) -> Option<NamePrefix> {
        NamePrefix::of_bytes(self.name)
    }

    /// Walks the attributes, as the browser does: each `;`-separated `key=value`,
    /// trimmed; unknown keys and over-long values ignored; the last valid one wins.
    pub fn attributes(&self) -> Attributes<'a> {
        self.walk(self.value_end(), Only::All)
    }

    /// The walk of [`SetCookie::attributes`], or of the lifetime attributes alone,
    /// from the `;` that ends the value (none: no attributes).
    fn walk(&self, value_end: Option<usize>, only: Only) -> Attributes<'a> {
        let mut attributes = Attributes::default();
        let line = self.line;
        // Each `;` starts an attribute: its key runs to the next `=` or `;`, its value
        // from that `=` to the next `;` (found in the line itself, a word at a time).
        let mut next = value_end;
        while let Some(semicolon) = next {
            // Attributes are nearly always written `; Key`: skipping that one space
            // leaves `trim` its quick case.
            let start = semicolon + 1 + usize::from(line.get(semicolon + 1) == Some(&b' '));
            // Every lawful line is walked for its lifetime: an attribute whose first
            // byte cannot start `Max-Age` or `Expires` is skipped to the next `;`.
            if only == Only::Lifetime
                && !matches!(
                    line.get(start),
                    Some(b'm' | b'M' | b'e' | b'E' | b' ' | b'\t')
                )
            {
                next = find_byte_from(line, start, b';');
                continue;
            }
            let (key, value) = match find_either_from(line, start, b'=', b';') {
                Some(eq) if line[eq] == b'=' => {
                    next = find_byte_from(line, eq + 1, b';');
                    let end = next.unwrap_or(line.len());
                    (trim(&line[start..eq]), trim(&line[eq + 1..end]))
                }
                stop => {
                    next = stop;
                    (trim(&line[start..stop.unwrap_or(line.len())]), &line[..0])
                }
            };
            if value.len() > MAX_ATTRIBUTE_VALUE_LEN {
                continue;
            }
            // Keys told apart by their length first: one comparison per attribute.
            let is = |name: &[u8]| key.eq_ignore_ascii_case(name);
            match key.len() {
                7 if is(b"max-age") => {
                    if let Some(seconds) = parse_max_age(value) {
                        attributes.max_age = Some(seconds);
                    }
                }
                7 if is(b"expires") => {
                    if let Some(date) = cookie_date::parse(value) {
                        attributes.expires = Some(date);
                    }
                }
                6 if is(b"secure") => attributes.secure = true,
                8 if is(b"httponly") => attributes.http_only = true,
                4 if is(b"path") => attributes.path = Some(value),
                6 if is(b"domain") => attributes.domain = true,
                _ => {}
            }
        }
        attributes
    }
}

/// Which attributes a walk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Only {
    All,
    Lifetime,
}

impl Attributes<'_> {
    /// See [`SetCookie::lifetime`].
    pub fn lifetime(&self, now: u64) -> Option<i64> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        self.max_age
            .or_else(|| Some(self.expires?.saturating_sub(now)))
    }

    /// Whether these attributes break `prefix`'s rule (see
    /// [`PREFIX_RULES`](crate::model::PREFIX_RULES)).
    pub fn breaks(&self, prefix: NamePrefix) -> bool {
        !prefix.rule().is_kept_by(PrefixAttributes {
            secure: self.secure,
            http_only: self.http_only,
            path_is_root: self.path == Some(b"/"),
            domain: self.domain,
        })
    }
}

/// A byte that makes browsers reject the whole `Set-Cookie`: a control character
/// other than tab (RFC 6265bis §5.6, step 1).
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// `Max-Age`: an optional `-` then digits; anything else is ignored, as browsers do.
/// Out-of-range values saturate.
fn parse_max_age(value: &[u8]) -> Option<i64> {
    let (negative, digits) = match value.strip_prefix(b"-") {
        Some(digits) => (true, digits),
        None => (false, value),
    };
    if digits.is_empty() {
        return None;
    }
    let mut magnitude = 0i64;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .saturating_mul(10)
            .saturating_add(i64::from(digit - b'0'));
    }
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

    /// The lifetime-only walk skips attributes by their first byte: it agrees with the
    /// whole walk, whatever the spacing and case.
    #[test]
    fn the_lifetime_walk_agrees_with_the_whole_walk() {
        let lines = [
            "a=1; Max-Age=5",
            "a=1;max-age=5",
            "a=1; \tMAX-AGE = 5",
            "a=1;  Max-Age=5",
            "a=1; Path=/; Expires=Thu, 01 Jan 2099 00:00:00 GMT; HttpOnly",
            "a=1; expires=Thu, 01 Jan 2099 00:00:00 GMT; Max-Age=-1",
            "a=1; SameSite=Lax; Secure; max-age=60; Path=/",
            "a=1; Max-Agent=5; Expiresx=1",
            "a=1; =5; ;;; Max-Age",
            "a=1",
            // Digits in the value only: no lifetime, settled without a walk.
            "a=123; HttpOnly; SameSite=Lax",
            // An `Expires` without digits is no date: a session cookie.
            "a=1; Expires=Thu, Jan GMT",
            "a=1; Path=/v1; Expires=Thu, 01 Jan 2099 00:00:00 GMT",
        ];
        for line in lines {
            let cookie = SetCookie::read(line.as_bytes()).unwrap();
            assert_eq!(
                cookie.lifetime(NOW),
                cookie.attributes().lifetime(NOW),
                "{line:?}"
            );
        }
        let cookie = SetCookie::read(b"a=1; \tMAX-AGE = 5").unwrap();
        assert_eq!(cookie.lifetime(NOW), Some(5));
    }

    proptest::proptest! {
        /// The lifetime read alone (its digit test, then the lifetime-only walk)
        /// agrees with the whole walk on lines of every shape.
        #[test]
        fn the_lifetime_reading_agrees_with_the_whole_walk(
            value in "[a-z0-9=]{0,4}",
            attributes in r"(;[ \t]?(Max-Age|max-AGE|Expires|expires|Path|SameSite|Secure|x)([ \t]?=[ \t]?(-?[0-9]{1,3}|Thu, 01 Jan 20[0-9]{2} 0[0-9]:00:00 GMT|Lax|/[a-z0-9]{0,2}|[0-9a-zA-Z ,:-]{0,12}))?){0,4}",
        ) {
            let line = format!("a={value}{attributes}");
            let cookie = SetCookie::read(line.as_bytes()).unwrap();
            proptest::prop_assert_eq!(
                cookie.lifetime(NOW),
                cookie.attributes().lifetime(NOW),
                "{:?}",
                line
            );
        }
    }

    #[test]
    fn attribute_keys_match_whole_and_case_insensitively() {
        let secure = |line: &str| {
            SetCookie::read(line.as_bytes())
                .unwrap()
                .attributes()
                .secure
        };
        assert!(secure("a=1; SeCuRe"));
        assert!(secure("a=1;secure ; x"));
        assert!(!secure("a=1; secures"));
        let max_age = |line: &str| {
            SetCookie::read(line.as_bytes())
                .unwrap()
                .attributes()
                .max_age
        };
        assert_eq!(max_age("a=1; MAX-AGE=5"), Some(5));
        assert_eq!(max_age("a=1; max-ages=5"), None);
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
        assert_eq!(broken("__Http-a=1; Secure; HttpOnly"), None);
        assert_eq!(broken("__http-a=1; secure; httponly"), None);
        assert_eq!(broken("__Http-a=1; Secure"), Some(NamePrefix::Http));
        assert_eq!(broken("__Http-a=1; HttpOnly"), Some(NamePrefix::Http));
        assert_eq!(broken("__Host-Http-a=1; Secure; HttpOnly; Path=/"), None);
        assert_eq!(
            broken("__Host-Http-a=1; Secure; Path=/"),
            Some(NamePrefix::HostHttp)
        );
        assert_eq!(
            broken("__Host-Http-a=1; Secure; HttpOnly; Path=/; Domain=example.fr"),
            Some(NamePrefix::HostHttp)
        );
        assert_eq!(broken("__SECURE-a=1"), Some(NamePrefix::Secure));
        assert_eq!(broken("a=1"), None);
    }
}
