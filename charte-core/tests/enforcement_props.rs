//! Property tests of the enforcement engine over random charters, consents and
//! `Set-Cookie` headers, against an oracle written from the rules: no undeclared or
//! unconsented cookie ever passes, no lawful one is ever dropped, and exactly the
//! carried cookies whose consent is missing are cleared.

use charte_core::enforce::{read_name, Engine, Outcome};
use charte_core::model::Categories;
use charte_core::{Category, Charter, Mode};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

const NOW: u64 = 1_763_894_400;

#[derive(Debug, Clone)]
struct Declared {
    category: Category,
    anonymous: bool,
    pattern: bool,
}

impl Declared {
    fn needs_consent(&self) -> bool {
        self.category != Category::Necessary
            && !(self.category == Category::Statistics && self.anonymous)
    }
}

fn name_of(i: usize, d: &Declared) -> String {
    if d.pattern {
        format!("p{i}_")
    } else {
        format!("c{i}x")
    }
}

fn charter_toml(declared: &[Declared], consent_cookie: bool) -> String {
    let mut toml = String::from("[charter]\nsite = \"https://example.fr\"\n");
    if consent_cookie {
        toml.push_str("consent_cookie = \"consent\"\n");
    }
    let mut cookie = |name: &str, category: &str, extra: &str| {
        toml.push_str(&format!(
            "[[cookie]]\nname = \"{name}\"\nprovider = \"P\"\nservice = \"S\"\npurpose = \"U\"\ncategory = \"{category}\"\n{extra}"
        ));
    };
    cookie("consent", "necessary", "path = \"/\"\n");
    cookie("__Host-h", "necessary", "secure = true\npath = \"/\"\n");
    cookie("__Secure-s", "necessary", "secure = true\n");
    for (i, d) in declared.iter().enumerate() {
        let name = if d.pattern {
            format!("{}*", name_of(i, d))
        } else {
            name_of(i, d)
        };
        let extra = if d.anonymous {
            "anonymous = true\npath = \"/\"\n"
        } else {
            "path = \"/\"\n"
        };
        cookie(&name, d.category.as_str(), extra);
    }
    toml
}

fn declared() -> impl Strategy<Value = Declared> {
    (
        prop::sample::select(Category::ALL.to_vec()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(category, anonymous, pattern)| Declared {
            category,
            anonymous: anonymous && category == Category::Statistics,
            pattern,
        })
}

/// A name the response sets: which declaration it targets, if any.
#[derive(Debug, Clone)]
enum Name {
    Declared(usize, String),
    Undeclared(String),
    Host,
    Secure,
}

#[derive(Debug, Clone)]
enum Lifetime {
    Session,
    MaxAge(i64),
    Expires(bool),
    Both(i64, bool),
}

#[derive(Debug, Clone)]
struct Line {
    name: Name,
    padding: (&'static str, &'static str),
    secure: bool,
    path: Option<&'static str>,
    domain: bool,
    lifetime: Lifetime,
}

fn line(n: usize) -> impl Strategy<Value = Line> {
    let name = prop_oneof![
        4 => (0..n, "[a-z0-9.]{0,6}").prop_map(|(i, suffix)| Name::Declared(i, suffix)),
        2 => prop::sample::select(vec!["_ga", "C0X", "c9999x", "p_", "consen", "__host-h", "x y"])
            .prop_map(|s| Name::Undeclared(s.to_string())),
        1 => Just(Name::Host),
        1 => Just(Name::Secure),
    ];
    let lifetime = prop_oneof![
        3 => Just(Lifetime::Session),
        2 => (-3i64..3).prop_map(|n| Lifetime::MaxAge(n * 1000)),
        1 => any::<bool>().prop_map(Lifetime::Expires),
        1 => ((-3i64..3), any::<bool>()).prop_map(|(n, past)| Lifetime::Both(n * 1000, past)),
    ];
    (
        name,
        prop::sample::select(vec![("", ""), (" ", ""), ("\t", " "), ("", "  ")]),
        any::<bool>(),
        prop::sample::select(vec![None, Some("/"), Some("/x")]),
        prop::bool::weighted(0.2),
        lifetime,
    )
        .prop_map(|(name, padding, secure, path, domain, lifetime)| Line {
            name,
            padding,
            secure,
            path,
            domain,
            lifetime,
        })
}

impl Line {
    fn name(&self, declared: &[Declared]) -> String {
        match &self.name {
            Name::Declared(i, suffix) => {
                let d = &declared[*i];
                if d.pattern {
                    format!("{}{suffix}", name_of(*i, d))
                } else {
                    name_of(*i, d)
                }
            }
            Name::Undeclared(name) => name.clone(),
            Name::Host => "__Host-h".into(),
            Name::Secure => "__Secure-s".into(),
        }
    }

    fn text(&self, declared: &[Declared]) -> String {
        let mut text = format!(
            "{}{}{}=v",
            self.padding.0,
            self.name(declared),
            self.padding.1
        );
        if self.secure {
            text.push_str("; Secure");
        }
        if let Some(path) = self.path {
            text.push_str(&format!("; Path={path}"));
        }
        if self.domain {
            text.push_str("; Domain=example.fr");
        }
        let expires = |past: bool| {
            if past {
                "; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
            } else {
                "; Expires=Fri, 01 Jan 2100 00:00:00 GMT"
            }
        };
        match self.lifetime {
            Lifetime::Session => {}
            Lifetime::MaxAge(n) => text.push_str(&format!("; Max-Age={n}")),
            Lifetime::Expires(past) => text.push_str(expires(past)),
            Lifetime::Both(n, past) => {
                text.push_str(expires(past));
                text.push_str(&format!("; Max-Age={n}"));
            }
        }
        text
    }

    fn is_removal(&self) -> bool {
        match self.lifetime {
            Lifetime::Session => false,
            Lifetime::MaxAge(n) | Lifetime::Both(n, _) => n <= 0,
            Lifetime::Expires(past) => past,
        }
    }

    /// The oracle for lifetimes: a lawful line set to live longer than its limit (an
    /// `Expires` in 2100 without a valid `Max-Age`: the other lifetimes generated are
    /// short) comes back with its limit as `Max-Age` and no `Expires`.
    fn within_its_lifetime(&self, text: &str, declared: &[Declared]) -> String {
        if !matches!(self.lifetime, Lifetime::Expires(false)) {
            return text.to_owned();
        }
        let anonymous = matches!(self.name, Name::Declared(i, _) if declared[i].anonymous);
        let limit = if anonymous {
            charte_core::model::duration::MAX_ANONYMOUS_LIFETIME
        } else {
            charte_core::model::duration::MAX_COOKIE_LIFETIME
        };
        let without = text.replace("; Expires=Fri, 01 Jan 2100 00:00:00 GMT", "");
        format!("{without}; Max-Age={limit}")
    }

    /// The oracle: what the rules say about this line under `granted`.
    fn lawful(&self, declared: &[Declared], granted: Option<Categories>) -> bool {
        if self.is_removal() {
            return true;
        }
        match &self.name {
            Name::Undeclared(_) => false,
            Name::Host => self.secure && self.path == Some("/") && !self.domain,
            Name::Secure => self.secure,
            Name::Declared(i, _) => {
                let d = &declared[*i];
                !d.needs_consent() || granted.is_some_and(|g| g.contains(d.category))
            }
        }
    }
}

/// The consent cookie a response may set.
#[derive(Debug, Clone)]
enum ResponseConsent {
    None,
    Grants(Vec<Category>),
    Removal,
    Garbage,
}

fn consents() -> impl Strategy<Value = Vec<Category>> {
    prop::sample::subsequence(Category::CONSENTABLE.to_vec(), 0..=3)
}

fn response_consent() -> impl Strategy<Value = ResponseConsent> {
    prop_oneof![
        3 => Just(ResponseConsent::None),
        3 => consents().prop_map(ResponseConsent::Grants),
        1 => Just(ResponseConsent::Removal),
        1 => Just(ResponseConsent::Garbage),
    ]
}

fn leak(toml: &str) -> &'static Charter {
    Box::leak(Box::new(
        charte_core::check_str("prop.toml", toml)
            .charter
            .expect("generated charters are valid"),
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn only_lawful_cookies_pass_and_every_lawful_one_does(
        declared in prop::collection::vec(declared(), 1..6),
        has_consent_cookie in prop::bool::weighted(0.9),
        request_consent in prop::option::of(consents()),
        carried in prop::collection::vec((0usize..6, "[a-z]{0,3}"), 0..4),
        lines in prop::collection::vec(line(6), 0..8),
        consent_at in (0usize..9, response_consent()),
    ) {
        let lines: Vec<Line> = lines
            .into_iter()
            .filter(|l| !matches!(l.name, Name::Declared(i, _) if i >= declared.len()))
            .collect();
        let charter = leak(&charter_toml(&declared, has_consent_cookie));

        // The request: its consent and the cookies it carries.
        let mut request = HeaderMap::new();
        let mut carried_names: Vec<(usize, String)> = Vec::new();
        for (i, suffix) in carried.iter().filter(|(i, _)| *i < declared.len()) {
            let d = &declared[*i];
            let name = if d.pattern { format!("{}{suffix}", name_of(*i, d)) } else { name_of(*i, d) };
            if !carried_names.iter().any(|(_, n)| *n == name) {
                carried_names.push((*i, name));
            }
        }
        let mut cookie_header: Vec<String> = carried_names.iter().map(|(_, n)| format!("{n}=1")).collect();
        if let (Some(granted), true) = (&request_consent, has_consent_cookie) {
            let consent = charter.consent_cookie_at(granted, NOW - 100).unwrap();
            cookie_header.insert(0, consent.stripped().to_string());
        }
        if !cookie_header.is_empty() {
            request.insert(COOKIE, HeaderValue::try_from(cookie_header.join("; ")).unwrap());
        }

        // The response: the lines, with the consent cookie at some position.
        let mut texts: Vec<String> = lines.iter().map(|l| l.text(&declared)).collect();
        let (position, response_consent) = consent_at;
        let consent_text = match &response_consent {
            ResponseConsent::None => None,
            ResponseConsent::Grants(granted) => Some(format!(
                "{}; Path=/",
                charter.consent_cookie_at(granted, NOW).map(|c| c.stripped().to_string()).unwrap_or_else(|| "consent=x".into())
            )),
            ResponseConsent::Removal => Some("consent=; Path=/; Max-Age=0".into()),
            ResponseConsent::Garbage => Some("consent=garbage; Path=/".into()),
        };
        let consent_index = consent_text.map(|text| {
            let at = position.min(texts.len());
            texts.insert(at, text);
            at
        });
        let mut response = HeaderMap::new();
        for text in &texts {
            response.append(SET_COOKIE, HeaderValue::try_from(text.as_str()).unwrap());
        }

        // The oracle's consent: the response's if it sets one, else the request's.
        let granted: Option<Categories> = if !has_consent_cookie {
            None
        } else {
            match &response_consent {
                ResponseConsent::None => request_consent.as_deref().map(Categories::of),
                ResponseConsent::Grants(g) => Some(Categories::of(g)),
                ResponseConsent::Removal | ResponseConsent::Garbage => None,
            }
        };
        let mut expected: Vec<String> = Vec::new();
        for (k, text) in texts.iter().enumerate() {
            let line_index = match consent_index {
                Some(c) if k == c => {
                    // The consent cookie itself: declared and necessary, it always passes.
                    expected.push(text.clone());
                    continue;
                }
                Some(c) if k > c => k - 1,
                _ => k,
            };
            let line = &lines[line_index];
            if line.lawful(&declared, granted) {
                expected.push(line.within_its_lifetime(text, &declared));
            }
        }
        let mut cleared: Vec<String> = carried_names
            .iter()
            .filter(|(i, name)| {
                let d = &declared[*i];
                // A carried cookie the response already deletes needs no second removal.
                let removed_by_response = lines
                    .iter()
                    .any(|l| l.is_removal() && l.name(&declared) == *name);
                d.needs_consent()
                    && !granted.is_some_and(|g| g.contains(d.category))
                    && !removed_by_response
            })
            .map(|(_, n)| n.clone())
            .collect();

        let engine = Engine::new(charter, Mode::Enforce);
        let cookies = engine.read_request(request.get_all(COOKIE).iter().map(|v| v.as_bytes()), NOW);
        let outcome = engine.enforce(
            &mut response,
            &cookies,
            request.get_all(COOKIE).iter().map(|v| v.as_bytes()),
            Some("/prop"),
            NOW,
        );
        let got: Vec<String> = response
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| String::from_utf8(v.as_bytes().to_vec()).unwrap())
            .collect();
        let (kept, removals) = got.split_at(expected.len().min(got.len()));
        prop_assert_eq!(kept, &expected[..], "texts {:?}", texts);
        let mut removed: Vec<String> = removals
            .iter()
            .map(|r| {
                assert!(r.contains("Max-Age=0"), "{r}");
                read_name(r.as_bytes()).unwrap().to_string()
            })
            .collect();
        removed.sort();
        cleared.sort();
        prop_assert_eq!(removed, cleared);
        if expected == texts && removals.is_empty() {
            prop_assert_eq!(outcome, Outcome::Passed);
        }
    }

    #[test]
    fn arbitrary_bytes_never_pass_unless_readable_and_lawful(
        lines in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..6),
        declared in prop::collection::vec(declared(), 1..4),
    ) {
        let charter = leak(&charter_toml(&declared, true));
        let mut response = HeaderMap::new();
        for line in &lines {
            if let Ok(value) = HeaderValue::from_bytes(line) {
                response.append(SET_COOKIE, value);
            }
        }
        let engine = Engine::new(charter, Mode::Enforce);
        let cookies = engine.read_request(std::iter::empty(), NOW);
        let _ = engine.enforce(&mut response, &cookies, std::iter::empty(), None, NOW);
        for value in response.get_all(SET_COOKIE) {
            let cookie = charte_core::enforce::SetCookie::read(value.as_bytes()).unwrap();
            let lawful = cookie.is_removal(NOW)
                || charter.lookup(cookie.name()).is_some_and(|c| !c.needs_consent())
                    && cookie.broken_prefix().is_none();
            prop_assert!(lawful, "{:?} passed", value);
        }
    }

    /// Issue 16: whatever lifetime a handler sets and whatever the charter declares, no
    /// declared cookie leaves the layer longer-lived than its charter allows, and a line
    /// within its limit leaves untouched.
    #[test]
    fn no_declared_cookie_leaves_longer_lived_than_allowed(
        durations in prop::collection::vec(prop::option::of(prop::option::of(1u64..400)), 1..5),
        lines in prop::collection::vec((0usize..5, prop::option::of(-5i64..900), prop::option::of(-5i64..900)), 0..8),
    ) {
        let mut toml = String::from("[charter]\nsite = \"https://example.fr\"\n");
        for (i, duration) in durations.iter().enumerate() {
            let duration = match duration {
                None => String::new(),
                Some(None) => "duration = \"session\"\n".to_owned(),
                Some(Some(days)) => format!("duration = \"{days} days\"\n"),
            };
            toml.push_str(&format!(
                "[[cookie]]\nname = \"c{i}\"\nprovider = \"P\"\nservice = \"S\"\npurpose = \"U\"\ncategory = \"necessary\"\n{duration}"
            ));
        }
        let charter = leak(&toml);
        let day = 86_400i64;
        let texts: Vec<String> = lines
            .iter()
            .filter(|(i, _, _)| *i < durations.len())
            .map(|(i, max_age_days, expires_days)| {
                let mut text = format!("c{i}=v; Path=/");
                if let Some(days) = expires_days {
                    let at = cookie::time::OffsetDateTime::from_unix_timestamp(NOW as i64 + days * day + 1).unwrap();
                    text.push_str(&format!("; Expires={}", at.format(&cookie::time::format_description::well_known::Rfc2822).unwrap()));
                }
                if let Some(days) = max_age_days {
                    text.push_str(&format!("; Max-Age={}", days * day));
                }
                text
            })
            .collect();
        let mut response = HeaderMap::new();
        for text in &texts {
            response.append(SET_COOKIE, HeaderValue::try_from(text.as_str()).unwrap());
        }
        let engine = Engine::new(charter, Mode::Enforce);
        let cookies = engine.read_request(std::iter::empty(), NOW);
        let _ = engine.enforce(&mut response, &cookies, std::iter::empty(), None, NOW);
        let got: Vec<&[u8]> = response.get_all(SET_COOKIE).iter().map(|v| v.as_bytes()).collect();
        prop_assert_eq!(got.len(), texts.len());
        for (sent, set) in got.iter().zip(&texts) {
            let cookie = charte_core::enforce::SetCookie::read(sent).unwrap();
            let limit = charter.lifetime_limit(charter.lookup(cookie.name()).unwrap());
            let within = |lifetime: Option<i64>| match (lifetime, limit) {
                (None, _) => true,
                (Some(seconds), _) if seconds <= 0 => true,
                (Some(_), charte_core::model::Lifetime::Session) => false,
                (Some(seconds), charte_core::model::Lifetime::Seconds(max)) => seconds <= max as i64,
            };
            prop_assert!(within(cookie.lifetime(NOW)), "{:?} left as {:?}", set, String::from_utf8_lossy(sent));
            let original = charte_core::enforce::SetCookie::read(set.as_bytes()).unwrap();
            if within(original.lifetime(NOW)) {
                prop_assert_eq!(*sent, set.as_bytes());
            }
        }
    }

    #[test]
    fn consent_cookies_round_trip(granted in consents(), age in 0u64..charte_core::model::duration::CONSENT_LIFETIME) {
        let charter = leak(&charter_toml(&[], true));
        let cookie = charter.consent_cookie_at(&granted, NOW - age).unwrap();
        prop_assert!(cookie.value().bytes().all(|b| matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)));
        prop_assert!(cookie.max_age().unwrap().whole_seconds() as u64 <= charte_core::model::duration::CONSENT_LIFETIME);
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::try_from(cookie.stripped().to_string()).unwrap());
        let consent = charter.consent_at(&headers, NOW);
        prop_assert!(consent.is_recorded());
        for category in Category::CONSENTABLE {
            prop_assert_eq!(consent.is_granted(category), granted.contains(&category));
        }
        // Past six months, the same cookie grants nothing.
        let later = NOW - age + charte_core::model::duration::CONSENT_LIFETIME + 1;
        prop_assert!(!charter.consent_at(&headers, later).is_recorded());
    }
}
