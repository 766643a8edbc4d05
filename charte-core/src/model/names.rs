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

/// The cookie name prefixes browsers enforce, matched case-insensitively as Chromium and
/// Firefox do. `__Secure-` and `__Host-` come from RFC 6265bis §4.1.3; `__Http-` and
/// `__Host-Http-` from the layered-cookies draft of the IETF HTTP WG, shipped in
/// Chromium since version 140. What each requires is in [`PREFIX_RULES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamePrefix {
    /// `__Host-Http-`: `Secure`, `HttpOnly`, `Path=/`, no `Domain`.
    HostHttp,
    /// `__Host-`: `Secure`, `Path=/`, no `Domain`.
    Host,
    /// `__Http-`: `Secure`, `HttpOnly`.
    Http,
    /// `__Secure-`: `Secure`.
    Secure,
}

/// What a name prefix requires of a cookie for the browser to keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixRule {
    /// The prefix.
    pub prefix: NamePrefix,
    /// How it is spelled (`"__Host-"`).
    pub text: &'static str,
    /// `Secure` is required.
    pub secure: bool,
    /// `HttpOnly` is required.
    pub http_only: bool,
    /// `Path=/` and no `Domain` are required: the cookie belongs to its exact host.
    pub host_only: bool,
}

/// The one table of prefix rules: validation checks declarations against it and
/// enforcement checks `Set-Cookie` lines against it. Longest prefix first, so that a
/// name is matched by its most specific rule (`__Host-Http-` before `__Host-`).
pub const PREFIX_RULES: [PrefixRule; 4] = [
    PrefixRule {
        prefix: NamePrefix::HostHttp,
        text: "__Host-Http-",
        secure: true,
        http_only: true,
        host_only: true,
    },
    PrefixRule {
        prefix: NamePrefix::Secure,
        text: "__Secure-",
        secure: true,
        http_only: false,
        host_only: false,
    },
    PrefixRule {
        prefix: NamePrefix::Http,
        text: "__Http-",
        secure: true,
        http_only: true,
        host_only: false,
    },
    PrefixRule {
        prefix: NamePrefix::Host,
        text: "__Host-",
        secure: true,
        http_only: false,
        host_only: true,
    },
];

/// The attributes a prefix rule looks at, as a cookie has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrefixAttributes {
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Path=/` exactly.
    pub path_is_root: bool,
    /// Any `Domain`.
    pub domain: bool,
}

impl NamePrefix {
    /// The prefix a name starts with, if any (the most specific one).
    pub fn of(name: &str) -> Option<NamePrefix> {
        Self::of_bytes(name.as_bytes())
    }

    /// [`NamePrefix::of`] for a name in bytes.
    pub fn of_bytes(name: &[u8]) -> Option<NamePrefix> {
        // Every prefix starts with `__`: most names are settled by this one test.
        if !name.starts_with(b"__") {
            return None;
        }
        let starts_with = |text: &str| {
            name.get(..text.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(text.as_bytes()))
        };
        PREFIX_RULES
            .iter()
            .find(|rule| starts_with(rule.text))
            .map(|rule| rule.prefix)
    }

    /// This prefix's rule.
    pub fn rule(self) -> &'static PrefixRule {
        PREFIX_RULES
            .iter()
            .find(|rule| rule.prefix == self)
            .expect("every prefix has a rule")
    }

    /// How the prefix is spelled: `"__Host-"`.
    pub fn as_str(self) -> &'static str {
        self.rule().text
    }
}

impl PrefixRule {
    /// The attributes this rule requires and `cookie` lacks (or, for `Domain`, has),
    /// each as the cookie line spells it: `["Secure", "Path=/"]`. Empty when the rule
    /// is kept.
    pub fn missing(&self, cookie: PrefixAttributes) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.secure && !cookie.secure {
            missing.push("Secure");
        }
        if self.http_only && !cookie.http_only {
            missing.push("HttpOnly");
        }
        if self.host_only && !cookie.path_is_root {
            missing.push("Path=/");
        }
        if self.host_only && cookie.domain {
            missing.push("no Domain");
        }
        missing
    }

    /// Whether `cookie` keeps this rule (without allocating).
    pub fn is_kept_by(&self, cookie: PrefixAttributes) -> bool {
        (!self.secure || cookie.secure)
            && (!self.http_only || cookie.http_only)
            && (!self.host_only || (cookie.path_is_root && !cookie.domain))
    }

    /// What the rule requires, for messages: `"Secure, Path=/ and no Domain"`.
    pub fn requirements(&self) -> String {
        let all = self.missing(PrefixAttributes {
            domain: true,
            ..PrefixAttributes::default()
        });
        join_and(&all)
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
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
        assert_eq!(NamePrefix::of("__http-x"), Some(NamePrefix::Http));
        assert_eq!(NamePrefix::of("__HOST-http-x"), Some(NamePrefix::HostHttp));
    }

    #[test]
    fn each_prefix_rule_names_what_it_requires() {
        let requirements: Vec<(&str, String)> = PREFIX_RULES
            .iter()
            .map(|rule| (rule.text, rule.requirements()))
            .collect();
        assert_eq!(
            requirements,
            [
                (
                    "__Host-Http-",
                    "Secure, HttpOnly, Path=/ and no Domain".to_owned()
                ),
                ("__Secure-", "Secure".to_owned()),
                ("__Http-", "Secure and HttpOnly".to_owned()),
                ("__Host-", "Secure, Path=/ and no Domain".to_owned()),
            ]
        );
        let host_http = NamePrefix::HostHttp.rule();
        let all = PrefixAttributes {
            secure: true,
            http_only: true,
            path_is_root: true,
            domain: false,
        };
        assert!(host_http.is_kept_by(all));
        assert_eq!(
            host_http.missing(PrefixAttributes {
                http_only: false,
                ..all
            }),
            ["HttpOnly"]
        );
    }

    /// Every byte value in every place of a prefixed name (and of the name cut short
    /// there), against a reading prefix by prefix.
    #[test]
    fn prefixes_agree_with_a_byte_by_byte_reading() {
        let reference = |name: &[u8]| {
            let starts =
                |p: &[u8]| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p);
            if starts(b"__Host-Http-") {
                Some(NamePrefix::HostHttp)
            } else if starts(b"__Host-") {
                Some(NamePrefix::Host)
            } else if starts(b"__Http-") {
                Some(NamePrefix::Http)
            } else if starts(b"__Secure-") {
                Some(NamePrefix::Secure)
            } else {
                None
            }
        };
        for base in [
            &b"__Host-id"[..],
            b"__Secure-id",
            b"__HOST-",
            b"__secure-",
            b"__Http-id",
            b"__Host-Http-id",
        ] {
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
