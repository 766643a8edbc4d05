//! Cookie names: RFC 6265 tokens, cookie prefixes, Rust identifiers made from names,
//! and "did you mean" suggestions.

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
    #[inline]
    pub fn of_bytes(name: &[u8]) -> Option<NamePrefix> {
        // Both prefixes start with `__`: most names are settled by one comparison,
        // inlined; the others are read out of line.
        match name {
            [b'_', b'_', ..] => Self::of_underscored(name),
            _ => None,
        }
    }

    /// [`NamePrefix::of_bytes`] for a name that starts with `__`: its first eight
    /// bytes as one word, letters folded to lowercase by setting their `0x20` bit
    /// (which folds an ASCII letter with its capital, and nothing else onto it).
    fn of_underscored(name: &[u8]) -> Option<NamePrefix> {
        // The word of `__host-` / `__secure`, and the letters' places in it.
        const HOST: u64 = u64::from_le_bytes(*b"__host-\0");
        const HOST_LETTERS: u64 = u64::from_le_bytes(*b"\0\0    \0\0");
        const SECURE: u64 = u64::from_le_bytes(*b"__secure");
        const SECURE_LETTERS: u64 = u64::from_le_bytes(*b"\0\0      ");
        const HOST_BYTES: u64 = u64::MAX >> 8;
        let Some(head) = name.first_chunk::<8>() else {
            // Shorter than a word: only `__Host-` itself is a prefixed name.
            return name
                .eq_ignore_ascii_case(b"__Host-")
                .then_some(NamePrefix::Host);
        };
        let head = u64::from_le_bytes(*head);
        if (head & HOST_BYTES) | HOST_LETTERS == HOST {
            Some(NamePrefix::Host)
        } else if name.len() >= 9 && head | SECURE_LETTERS == SECURE && name[8] == b'-' {
            Some(NamePrefix::Secure)
        } else {
            None
        }
    }
}

/// The constant name generated for a cookie: SCREAMING_SNAKE_CASE of its name
/// (every character that cannot be in an identifier becomes `_`), prefixed with
/// `COOKIE_` when the result would not be an identifier.
pub fn constant_name(cookie_name: &str) -> String {
    let mut ident: String = cookie_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let starts_badly = ident.chars().next().is_none_or(|c| c.is_ascii_digit());
    if starts_badly || ident.chars().all(|c| c == '_') {
        ident.insert_str(0, "COOKIE_");
    }
    ident
}

/// The module name made from a file stem: snake_case, or `None` when no identifier
/// can be made (a stem starting with a digit, say).
pub fn module_name(stem: &str) -> Option<String> {
    let ident: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let valid = ident.chars().next().is_some_and(|c| !c.is_ascii_digit())
        && ident.chars().any(|c| c != '_');
    valid.then_some(ident)
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word_lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(3) / 3).max(1) + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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

    #[test]
    fn constant_names_are_screaming_snake_identifiers() {
        assert_eq!(constant_name("django_language"), "DJANGO_LANGUAGE");
        assert_eq!(constant_name("__Host-id"), "__HOST_ID");
        assert_eq!(constant_name("1st"), "COOKIE_1ST");
        assert_eq!(constant_name("-"), "COOKIE__");
    }

    #[test]
    fn module_names_are_snake_case() {
        assert_eq!(module_name("roubaix").as_deref(), Some("roubaix"));
        assert_eq!(
            module_name("Dunkerque-Agglo").as_deref(),
            Some("dunkerque_agglo")
        );
        assert_eq!(module_name("2024"), None);
    }

    #[test]
    fn closest_suggests_near_words_only() {
        let keys = ["provider", "purpose", "service"];
        assert_eq!(closest("provder", keys), Some("provider"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(
            closest("statistic", ["necessary", "statistics"]),
            Some("statistics")
        );
    }
}
