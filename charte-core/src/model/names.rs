//! Cookie names: RFC 6265 tokens and the name prefixes browsers enforce.

/// Whether `name` is an RFC 6265 `cookie-name`: a non-empty RFC 2616 token (visible
/// US-ASCII except the separators `()<>@,;:\"/[]?={}` and space).
pub fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(is_token_byte)
}

/// One byte of an RFC 2616 token.
pub const fn is_token_byte(b: u8) -> bool {
    matches!(b, 0x21..=0x7e)
        && !matches!(
            b,
            b'(' | b')'
                | b'<'
                | b'>'
                | b'@'
                | b','
                | b';'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'='
                | b'{'
                | b'}'
        )
}

/// The cookie name prefixes browsers enforce (RFC 6265bis §4.1.3), matched
/// case-insensitively as Chromium and Firefox do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePrefix {
    /// `__Host-`: `Secure`, `Path=/`, no `Domain`.
    Host,
    /// `__Secure-`: `Secure`.
    Secure,
}

impl NamePrefix {
    /// The prefix a name starts with, if any.
    pub fn of(name: &str) -> Option<NamePrefix> {
        Self::of_bytes(name.as_bytes())
    }

    /// [`NamePrefix::of`] for a name in bytes.
    pub fn of_bytes(name: &[u8]) -> Option<NamePrefix> {
        let starts_with = |prefix: &[u8]| {
            name.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        };
        if starts_with(b"__Host-") {
            Some(NamePrefix::Host)
        } else if starts_with(b"__Secure-") {
            Some(NamePrefix::Secure)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_exclude_separators_spaces_and_non_ascii() {
        assert!(is_token("django_language"));
        assert!(is_token("__Host-id"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a=b"));
        assert!(!is_token("a;b"));
        assert!(!is_token("préférences"));
    }

    #[test]
    fn prefixes_match_case_insensitively() {
        assert_eq!(NamePrefix::of("__host-id"), Some(NamePrefix::Host));
        assert_eq!(NamePrefix::of("__SECURE-x"), Some(NamePrefix::Secure));
        assert_eq!(NamePrefix::of("__Hos"), None);
    }

    /// The word comparison against `eq_ignore_ascii_case`, byte by byte: every byte
    /// value in every place of a prefixed name (and of the name cut short there).
    #[test]
    fn prefixes_read_as_words_agree_with_a_byte_by_byte_reading() {
        let reference = |name: &[u8]| {
            let starts =
                |p: &[u8]| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p);
            if starts(b"__Host-") {
                Some(NamePrefix::Host)
            } else if starts(b"__Secure-") {
                Some(NamePrefix::Secure)
            } else {
                None
            }
        };
        for base in [&b"__Host-id"[..], b"__Secure-id", b"__HOST-", b"__secure-"] {
            for place in 0..base.len() {
                for byte in 0..=u8::MAX {
                    let mut name = base.to_vec();
                    name[place] = byte;
                    assert_eq!(NamePrefix::of_bytes(&name), reference(&name), "{name:?}");
                    name.truncate(place + 1);
                    assert_eq!(NamePrefix::of_bytes(&name), reference(&name), "{name:?}");
                }
            }
        }
    }
}
