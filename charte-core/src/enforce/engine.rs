//! The enforcement engine: the rules of the charter applied to one response.

use std::borrow::Cow;
use std::fmt;

use crate::consent::Consent;
use crate::model::{Categories, Charter, Cookie};
use crate::wire::{read_name, request_cookies, SetCookie};

use crate::model::Lifetime;

use super::{DropReason, Edit, Mode, SetCookieHeaders};

/// Where events go: `RUST_LOG=charte=warn` shows every drop.
const TARGET: &str = "charte";

/// The rules of one charter, in one mode. Cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct Engine<'c> {
    charter: &'c Charter,
    mode: Mode,
}

/// What the engine remembers of a request until its response: the visitor's consent
/// and the categories of the consent-needing cookies the request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestCookies {
    /// The consent the request's consent cookie records.
    pub consent: Consent,
    /// The categories of the declared, consent-needing cookies the request carries.
    pub carried: Categories,
}

/// What a response does to the consent cookie (the last consent `Set-Cookie` that keeps
/// its prefix rule; as in the browser, the last one wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentChange {
    /// Sets it: the decision its value records ([`Consent::NONE`] for a value that is
    /// not a current decision of this charter).
    Set(Consent),
    /// Removes it (`Max-Age` ≤ 0 or `Expires` in the past): the visitor withdraws.
    Removed,
}

/// What the first pass over a response found, for [`Engine::act`].
struct Found<'r> {
    /// How many `Set-Cookie` fail.
    failing: usize,
    /// The carried categories no longer consented.
    to_clear: Categories,
    /// The consent the response is judged under.
    consent: Consent,
    /// The request's path, for events.
    route: &'r str,
    /// The exchange's time, Unix seconds.
    now: u64,
}

/// What the engine did to a response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    /// Every cookie passed and nothing was to be cleared: the headers are untouched (in
    /// every mode).
    Passed,
    /// [`Mode::Report`]: the headers are untouched; events were emitted.
    Reported {
        /// `Set-Cookie` headers that enforcement would drop.
        dropped: usize,
        /// `Set-Cookie` headers whose lifetime enforcement would shorten.
        shortened: usize,
        /// Request cookies that enforcement would clear.
        cleared: usize,
    },
    /// [`Mode::Enforce`] (or [`Mode::Strict`] with nothing to drop): headers edited.
    Enforced {
        /// `Set-Cookie` headers removed.
        dropped: usize,
        /// `Set-Cookie` headers whose lifetime was brought back to the charter's.
        shortened: usize,
        /// Removal `Set-Cookie` headers added for withdrawn cookies.
        cleared: usize,
    },
    /// [`Mode::Strict`]: the response must not be sent; answer 500 instead.
    Refused(Refusal),
}

/// Why [`Mode::Strict`] refused a response: the first cookie that would be dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The cookie's name (made printable when it is not readable).
    pub cookie: String,
    /// Why it would be dropped.
    pub reason: DropReason,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "charte (strict mode) refused this response: cookie {:?} is not allowed: {}",
            self.cookie, self.reason
        )
    }
}

impl std::error::Error for Refusal {}

impl<'c> Engine<'c> {
    /// An engine for `charter` in `mode`.
    pub const fn new(charter: &'c Charter, mode: Mode) -> Engine<'c> {
        Engine { charter, mode }
    }

    /// The charter enforced.
    pub fn charter(&self) -> &'c Charter {
        self.charter
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Reads what enforcement needs from a request's `Cookie` header values, at `now`
    /// (Unix seconds). Does not allocate.
    pub fn read_request<'a>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'a [u8]>,
        now: u64,
    ) -> RequestCookies {
        let consent_name = self.charter.consent_cookie_declaration().map(Cookie::name);
        // Every copy of the consent cookie counts: see `Charter::consent_in`.
        let mut consent = Consent::NONE;
        let mut carried = Categories::EMPTY;
        for (name, value) in request_cookies(cookie_headers) {
            if consent_name.is_some_and(|c| c.as_bytes() == name) {
                let copy = Consent::decode(value, self.charter.revision(), now);
                consent = consent.prevailing(copy);
            } else if let Some(declared) = self.charter.lookup_bytes(name) {
                if declared.needs_consent() {
                    carried.insert(declared.category());
                }
            }
        }
        RequestCookies { consent, carried }
    }

    /// Applies the charter to a response's `Set-Cookie` headers.
    ///
    /// `request` is what [`Engine::read_request`] remembered; `request_cookie_headers`
    /// the request's `Cookie` values, read only when a carried cookie must be cleared;
    /// `route` the request's path, for events; `now` the time in Unix seconds.
    pub fn enforce<'a, H>(
        &self,
        response: &mut H,
        request: &RequestCookies,
        request_cookie_headers: impl IntoIterator<Item = &'a [u8]>,
        route: Option<&str>,
        now: u64,
    ) -> Outcome
    where
        H: SetCookieHeaders + ?Sized,
    {
        self.enforce_with_change(response, request, request_cookie_headers, route, now)
            .0
    }

    /// [`Engine::enforce`], which also tells what the response does to the consent
    /// cookie (what the proof of consent records): `None` when it neither sets nor
    /// removes it.
    pub fn enforce_with_change<'a, H>(
        &self,
        response: &mut H,
        request: &RequestCookies,
        request_cookie_headers: impl IntoIterator<Item = &'a [u8]>,
        route: Option<&str>,
        now: u64,
    ) -> (Outcome, Option<ConsentChange>)
    where
        H: SetCookieHeaders + ?Sized,
    {
        // One pass over the headers in the common case: judged under the request's
        // consent, unless the response records a new one (then judged again under it).
        let mut consent = request.consent;
        let mut failing = 0;
        let mut recorded = None;
        let consent_cookie = self.charter.consent_cookie_declaration();
        for line in response.set_cookies() {
            let verdict = SetCookie::read(line)
                .map_err(DropReason::Unreadable)
                .and_then(|cookie| {
                    let declared = self.charter.lookup_utf8(cookie.name_bytes());
                    // The consent cookie's own declaration is found only for its exact
                    // name: validation refuses a pattern there, and names are unique.
                    if declared.is_some_and(|d| consent_cookie.is_some_and(|c| std::ptr::eq(c, d)))
                    {
                        // The last consent cookie set wins, as in the browser.
                        recorded = self.recorded_consent(&cookie, now).or(recorded);
                    }
                    self.judge(&cookie, declared, &consent, now)
                });
            failing += usize::from(verdict.is_err());
        }
        if let Some(change) = recorded {
            consent = match change {
                ConsentChange::Set(recorded) => recorded,
                ConsentChange::Removed => Consent::NONE,
            };
            failing = response
                .set_cookies()
                .filter(|line| self.verdict(line, &consent, now).is_err())
                .count();
        }
        let to_clear = request.carried.without(consent.granted());
        if failing == 0 && to_clear.is_empty() {
            return (Outcome::Passed, recorded);
        }
        let found = Found {
            failing,
            to_clear,
            consent,
            route: route.unwrap_or("unknown"),
            now,
        };
        (self.act(response, &found, request_cookie_headers), recorded)
    }

    /// What [`Engine::enforce`] does when some cookie fails or some must be cleared:
    /// the rare case, kept out of line so that the common one stays small and warm.
    #[cold]
    fn act<'a, H>(
        &self,
        response: &mut H,
        found: &Found<'_>,
        request_cookie_headers: impl IntoIterator<Item = &'a [u8]>,
    ) -> Outcome
    where
        H: SetCookieHeaders + ?Sized,
    {
        let Found {
            failing,
            to_clear,
            ref consent,
            route,
            now,
        } = *found;
        match self.mode {
            Mode::Report => {
                let mut shortened = 0;
                for line in response.set_cookies() {
                    if let Err(reason) = self.verdict(line, consent, now) {
                        shortened += usize::from(matches!(reason, DropReason::TooLong { .. }));
                        self.report_drop(line, reason, route);
                    }
                }
                let cleared = self.clear(
                    None::<&mut H>,
                    to_clear,
                    consent,
                    request_cookie_headers,
                    route,
                    now,
                );
                Outcome::Reported {
                    dropped: failing - shortened,
                    shortened,
                    cleared,
                }
            }
            Mode::Strict if failing > 0 => {
                let (line, reason) = response
                    .set_cookies()
                    .find_map(|line| Some((line, self.verdict(line, consent, now).err()?)))
                    .expect("a failing cookie was counted");
                self.report_drop(line, reason, route);
                Outcome::Refused(Refusal {
                    cookie: printable_name(line).into_owned(),
                    reason,
                })
            }
            Mode::Enforce | Mode::Strict => {
                let (mut dropped, mut shortened) = (0, 0);
                response.edit_set_cookies(&mut |line| match self.verdict(line, consent, now) {
                    Ok(()) => Edit::Keep,
                    Err(reason @ DropReason::TooLong { allowed, .. }) => {
                        self.report_drop(line, reason, route);
                        shortened += 1;
                        match SetCookie::read(line) {
                            Ok(cookie) => Edit::Replace(cookie.with_lifetime(allowed)),
                            Err(_) => Edit::Drop,
                        }
                    }
                    Err(reason) => {
                        self.report_drop(line, reason, route);
                        dropped += 1;
                        Edit::Drop
                    }
                });
                let cleared = self.clear(
                    Some(response),
                    to_clear,
                    consent,
                    request_cookie_headers,
                    route,
                    now,
                );
                if dropped == 0 && shortened == 0 && cleared == 0 {
                    // Only carried cookies the response deletes itself: nothing done.
                    Outcome::Passed
                } else {
                    Outcome::Enforced {
                        dropped,
                        shortened,
                        cleared,
                    }
                }
            }
        }
    }

    /// Whether one `Set-Cookie` may reach the browser.
    fn verdict(&self, line: &[u8], consent: &Consent, now: u64) -> Result<(), DropReason> {
        let cookie = SetCookie::read(line).map_err(DropReason::Unreadable)?;
        let declared = self.charter.lookup_utf8(cookie.name_bytes());
        self.judge(&cookie, declared, consent, now)
    }

    /// The verdict on a line read and looked up: dropped when undeclared, unconsented
    /// or breaking its prefix rule (unless it is a removal, which always passes), else
    /// too long when it outlives its charter's limit.
    fn judge(
        &self,
        cookie: &SetCookie<'_>,
        declared: Option<&Cookie>,
        consent: &Consent,
        now: u64,
    ) -> Result<(), DropReason> {
        let declared = match declared {
            None => Err(DropReason::Undeclared),
            Some(declared) if !consent.allows(declared) => {
                Err(DropReason::NotConsented(declared.category()))
            }
            Some(declared) => match cookie.prefix() {
                // A prefixed name: one walk serves its rule and its lifetime.
                Some(prefix) => {
                    let attributes = cookie.attributes();
                    if attributes.breaks(prefix) {
                        Err(DropReason::BrokenPrefix(prefix))
                    } else {
                        Ok((declared, attributes.lifetime(now)))
                    }
                }
                None => Ok((declared, cookie.lifetime(now))),
            },
        };
        let (declared, lifetime) = match declared {
            Ok(lawful) => lawful,
            Err(_) if cookie.is_removal(now) => return Ok(()),
            Err(reason) => return Err(reason),
        };
        // A lawful cookie lives no longer than its charter says (a removal's lifetime
        // is zero or less: never too long).
        let allowed = self.charter.lifetime_limit(declared);
        match (lifetime, allowed) {
            (Some(seconds), Lifetime::Session) if seconds > 0 => {
                Err(DropReason::TooLong { seconds, allowed })
            }
            (Some(seconds), Lifetime::Seconds(max))
                if seconds > i64::try_from(max).unwrap_or(i64::MAX) =>
            {
                Err(DropReason::TooLong { seconds, allowed })
            }
            _ => Ok(()),
        }
    }

    /// What `cookie`, which sets the charter's consent cookie, records when it keeps its
    /// prefix rule: its decision (nothing granted for a value that is not a current
    /// decision), or its removal.
    fn recorded_consent(&self, cookie: &SetCookie<'_>, now: u64) -> Option<ConsentChange> {
        if cookie.broken_prefix().is_some() {
            return None;
        }
        Some(if cookie.is_removal(now) {
            ConsentChange::Removed
        } else {
            ConsentChange::Set(Consent::decode(
                cookie.value(),
                self.charter.revision(),
                now,
            ))
        })
    }

    /// Adds (to `response`, when given) a removal for each cookie the request carries
    /// whose category is in `to_clear`; returns how many.
    fn clear<'a, H>(
        &self,
        mut response: Option<&mut H>,
        to_clear: Categories,
        consent: &Consent,
        request_cookie_headers: impl IntoIterator<Item = &'a [u8]>,
        route: &str,
        now: u64,
    ) -> usize
    where
        H: SetCookieHeaders + ?Sized,
    {
        if to_clear.is_empty() {
            return 0;
        }
        let mut done: Vec<&[u8]> = Vec::new();
        for (name, _) in request_cookies(request_cookie_headers) {
            let Some(declared) = self.charter.lookup_bytes(name) else {
                continue;
            };
            if !declared.needs_consent()
                || consent.allows(declared)
                || !to_clear.contains(declared.category())
                || done.contains(&name)
            {
                continue;
            }
            done.push(name);
            let Ok(name) = std::str::from_utf8(name) else {
                continue;
            };
            tracing::info!(
                target: TARGET,
                cookie = name,
                category = %declared.category(),
                route,
                mode = self.mode.as_str(),
                "cookie cleared: its category is not (or no longer) consented"
            );
            if let Some(response) = response.as_deref_mut() {
                if already_removed(&*response, name, now) {
                    done.pop();
                    continue;
                }
                let removal = declared.removal_named(name.to_owned()).to_string();
                if !response.append_set_cookie(removal) {
                    done.pop();
                }
            }
        }
        done.len()
    }

    fn report_drop(&self, line: &[u8], reason: DropReason, route: &str) {
        let cookie = printable_name(line);
        let cookie: &str = &cookie;
        let mode = self.mode.as_str();
        let too_long = matches!(reason, DropReason::TooLong { .. });
        match self.mode {
            // A lifetime brought back is an edit, not a loss: INFO, as clearings are.
            Mode::Enforce if too_long => tracing::info!(
                target: TARGET, cookie, %reason, route, mode,
                "Set-Cookie lifetime brought back to the charter's"
            ),
            Mode::Report if too_long => tracing::info!(
                target: TARGET, cookie, %reason, route, mode,
                "Set-Cookie lifetime would be brought back (report mode: kept)"
            ),
            Mode::Enforce => tracing::warn!(
                target: TARGET, cookie, %reason, route, mode,
                "Set-Cookie dropped"
            ),
            Mode::Report => tracing::warn!(
                target: TARGET, cookie, %reason, route, mode,
                "Set-Cookie would be dropped (report mode: kept)"
            ),
            Mode::Strict => tracing::error!(
                target: TARGET, cookie, %reason, route, mode,
                "Set-Cookie refused: answering 500 (strict mode)"
            ),
        }
    }
}

/// Whether the response itself already deletes `name` (no need to add a removal).
fn already_removed<H: SetCookieHeaders + ?Sized>(response: &H, name: &str, now: u64) -> bool {
    response.set_cookies().any(|line| {
        SetCookie::read(line).is_ok_and(|c| c.name_bytes() == name.as_bytes() && c.is_removal(now))
    })
}

/// The name of a `Set-Cookie` for messages: the name as read, or, when unreadable, the
/// bytes before the first `=` or `;` (at most 64), escaped.
fn printable_name(line: &[u8]) -> Cow<'_, str> {
    if let Ok(name) = read_name(line) {
        if !name.chars().any(char::is_control) {
            return Cow::Borrowed(name);
        }
    }
    let end = line
        .iter()
        .position(|b| *b == b'=' || *b == b';')
        .unwrap_or(line.len())
        .min(64);
    Cow::Owned(
        String::from_utf8_lossy(&line[..end])
            .chars()
            .flat_map(char::escape_default)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use http::header::{COOKIE, SET_COOKIE};
    use http::{HeaderMap, HeaderValue};

    use super::*;
    use crate::model::Category;
    use crate::model::NamePrefix;

    const NOW: u64 = 1_763_894_400;

    fn charter(consent_cookie: bool) -> Charter {
        let mut toml = String::from("[charter]\nsite = \"https://example.fr\"\n");
        if consent_cookie {
            toml.push_str("consent_cookie = \"consent\"\n");
        }
        for (name, category) in [
            ("consent", "necessary"),
            ("sessionid", "necessary"),
            ("theme", "first-party"),
        ] {
            toml.push_str(&format!(
                "[[cookie]]\nname = \"{name}\"\nprovider = \"P\"\nservice = \"S\"\n\
                 purpose = \"U\"\ncategory = \"{category}\"\npath = \"/\"\n"
            ));
        }
        crate::check_str("t.toml", &toml).charter.unwrap()
    }

    fn run(charter: &Charter, mode: Mode, cookie: &str, set: &[&[u8]]) -> (Outcome, HeaderMap) {
        let mut request = HeaderMap::new();
        if !cookie.is_empty() {
            request.insert(COOKIE, HeaderValue::try_from(cookie).unwrap());
        }
        let mut response = HeaderMap::new();
        for value in set {
            response.append(SET_COOKIE, HeaderValue::from_bytes(value).unwrap());
        }
        let engine = Engine::new(charter, mode);
        let values = || request.get_all(COOKIE).iter().map(HeaderValue::as_bytes);
        let cookies = engine.read_request(values(), NOW);
        let outcome = engine.enforce(&mut response, &cookies, values(), Some("/t"), NOW);
        (outcome, response)
    }

    #[test]
    fn without_a_consent_cookie_nothing_needing_consent_is_ever_set() {
        let charter = charter(false);
        let consent = format!("consent=1.{}.{NOW}.111", charter.revision());
        let (outcome, response) = run(&charter, Mode::Enforce, &consent, &[b"theme=1"]);
        assert_eq!(
            outcome,
            Outcome::Enforced {
                dropped: 1,
                shortened: 0,
                cleared: 0
            }
        );
        assert!(response.get(SET_COOKIE).is_none());
        assert_eq!(charter.try_consent_cookie(&[]), None);
    }

    /// Headers as raw bytes: what another server could hand the engine (`HeaderMap`
    /// cannot even hold most control characters).
    struct RawHeaders(Vec<Vec<u8>>);

    impl SetCookieHeaders for RawHeaders {
        fn set_cookies(&self) -> impl Iterator<Item = &[u8]> {
            self.0.iter().map(Vec::as_slice)
        }

        fn edit_set_cookies(&mut self, edit: &mut dyn FnMut(&[u8]) -> Edit) {
            let values = std::mem::take(&mut self.0);
            for value in values {
                match edit(&value) {
                    Edit::Keep => self.0.push(value),
                    Edit::Drop => {}
                    Edit::Replace(bytes) => self.0.push(bytes),
                }
            }
        }

        fn append_set_cookie(&mut self, value: String) -> bool {
            self.0.push(value.into_bytes());
            true
        }
    }

    #[test]
    fn a_control_character_drops_the_header() {
        let charter = charter(true);
        let engine = Engine::new(&charter, Mode::Enforce);
        let mut response = RawHeaders(vec![
            b"sessionid=a\tb".to_vec(),
            b"sessionid=\x01".to_vec(),
            b"sessionid=1; Path=/\x7f".to_vec(),
            b"sessionid=\r\nx".to_vec(),
        ]);
        let outcome = engine.enforce(
            &mut response,
            &RequestCookies::default(),
            std::iter::empty(),
            None,
            NOW,
        );
        assert_eq!(
            outcome,
            Outcome::Enforced {
                dropped: 3,
                shortened: 0,
                cleared: 0
            }
        );
        assert_eq!(response.0, [b"sessionid=a\tb".to_vec()]);
    }

    #[test]
    fn report_mode_counts_without_editing() {
        let charter = charter(true);
        let (outcome, response) = run(&charter, Mode::Report, "theme=1", &[b"_ga=1", b"theme=2"]);
        assert_eq!(
            outcome,
            Outcome::Reported {
                dropped: 2,
                shortened: 0,
                cleared: 1
            }
        );
        assert_eq!(response.get_all(SET_COOKIE).iter().count(), 2);
    }

    #[test]
    fn strict_mode_refuses_with_the_first_unlawful_cookie() {
        let charter = charter(true);
        let (outcome, _) = run(
            &charter,
            Mode::Strict,
            "",
            &[b"sessionid=1", b"__Host-x=1", b"_ga=1"],
        );
        assert_eq!(
            outcome,
            Outcome::Refused(Refusal {
                cookie: "__Host-x".into(),
                reason: DropReason::Undeclared,
            })
        );
        let (outcome, _) = run(&charter, Mode::Strict, "", &[b"\xffa=1"]);
        let Outcome::Refused(refusal) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(refusal.cookie, "\\u{fffd}a");
        assert!(matches!(refusal.reason, DropReason::Unreadable(_)));
        assert_ne!(
            DropReason::BrokenPrefix(NamePrefix::Host),
            DropReason::Undeclared
        );
    }

    #[test]
    fn a_removal_already_in_the_response_is_not_doubled() {
        let charter = charter(true);
        let (outcome, response) = run(
            &charter,
            Mode::Enforce,
            "theme=1",
            &[b"theme=; Path=/; Max-Age=0"],
        );
        assert_eq!(outcome, Outcome::Passed);
        assert_eq!(response.get_all(SET_COOKIE).iter().count(), 1);
        assert!(!Consent::NONE.is_granted(Category::FirstParty));
    }
}
