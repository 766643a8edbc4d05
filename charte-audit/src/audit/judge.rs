//! The comparison: each observation judged by charte-core's own rules (the charter's
//! lookup, the categories' consent, name prefixes, lifetime limits). Nothing here
//! decides what is lawful; it only says which rule an observation breaks.

use std::collections::{BTreeMap, BTreeSet};

use charte_core::model::duration::days;
use charte_core::model::Lifetime;
use charte_core::wire::SetCookie;
use charte_core::{Category, Charter, Consent, Cookie, SameSite};

use super::{Finding, Kind, Moment, Observation, Seen, Source, State};

/// A stored cookie's expiry is read some time after it was set: lifetimes are judged
/// with this much slack, in seconds.
const STORE_SLACK: u64 = 120;

/// Judges every observation; returns the findings, sorted, one per kind, cookie, state
/// and source (the first page it showed up on gives its URL and detail), then one
/// `unused` per declaration never seen.
pub fn judge(charter: &Charter, observations: &[Observation]) -> Vec<Finding> {
    type Key = (Kind, String, State, Source);
    let mut found: BTreeMap<Key, (usize, String, String)> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for observation in observations {
        let declared = charter.lookup(&observation.name);
        if let Some(declared) = declared {
            used.insert(declared.declared_name().into_owned());
        }
        for (kind, detail) in problems(charter, declared, observation) {
            let key = (
                kind,
                observation.name.clone(),
                observation.state,
                observation.source,
            );
            let candidate = (observation.page, observation.url.clone(), detail);
            let slot = found.entry(key).or_insert_with(|| candidate.clone());
            if candidate < *slot {
                *slot = candidate;
            }
        }
    }
    let mut findings: Vec<Finding> = found
        .into_iter()
        .map(
            |((kind, cookie, state, source), (_, url, detail))| Finding {
                kind,
                cookie,
                state: Some(state),
                source: Some(source),
                url: Some(url),
                detail,
            },
        )
        .collect();
    for cookie in charter.cookies() {
        let name = cookie.declared_name();
        if !used.contains(name.as_ref()) {
            findings.push(Finding {
                kind: Kind::Unused,
                cookie: name.into_owned(),
                state: None,
                source: None,
                url: None,
                detail: "declared, never seen in any state".to_owned(),
            });
        }
    }
    findings.sort();
    findings
}

/// The consent in effect at `moment`, as the engine would read it from the request.
fn consent(moment: Moment, at: u64) -> Consent {
    match moment {
        Moment::Undecided => Consent::NONE,
        Moment::Refused | Moment::Withdrawn => Consent::new(&[], at),
        Moment::Accepted => Consent::new(&Category::CONSENTABLE, at),
        Moment::Recorded(consent) => consent,
    }
}

/// What is wrong with one observation.
fn problems(
    charter: &Charter,
    declared: Option<&Cookie>,
    observation: &Observation,
) -> Vec<(Kind, String)> {
    let mut problems = Vec::new();
    let at = observation.at;
    // What was seen, as attributes to compare.
    let seen = match &observation.seen {
        Seen::Line(line) => {
            // A line no browser reads, or a removal (which always passes, as in the
            // engine), sets nothing.
            let Ok(read) = SetCookie::read(line.as_bytes()) else {
                return problems;
            };
            if read.is_removal(at) {
                return problems;
            }
            let mut attributes = Attributes::of_line(line, read.lifetime(at));
            attributes.broken_prefix = read.broken_prefix().map(|prefix| {
                format!("{} needs {}", prefix.as_str(), prefix.rule().requirements())
            });
            attributes
        }
        Seen::Sent => Attributes::unknown(),
        Seen::Stored(cookie) => Attributes {
            // Rounded to the minute: the same store read a few seconds later reads the
            // same (the report's bytes do not depend on when it was read).
            lifetime: cookie
                .expires
                .map(|expires| ((expires as i64 - at as i64 + 30) / 60) * 60),
            domain: Some(cookie.domain.clone()).filter(|d| d.starts_with('.')),
            path: Some(cookie.path.clone()),
            secure: cookie.secure,
            http_only: cookie.http_only,
            same_site: cookie.same_site.clone(),
            broken_prefix: None,
        },
    };
    let Some(declared) = declared else {
        problems.insert(0, (Kind::Undeclared, "not in the charter".to_owned()));
        return problems;
    };
    if !consent(observation.moment, at).allows(declared) {
        let (kind, when) = match observation.moment {
            Moment::Undecided => (Kind::WithoutConsent, "before any decision"),
            Moment::Refused => (Kind::WithoutConsent, "after « refuse all »"),
            Moment::Withdrawn => (Kind::AfterWithdrawal, "after the visitor withdrew"),
            Moment::Accepted => (Kind::WithoutConsent, "without consent"),
            Moment::Recorded(_) => (Kind::WithoutConsent, "with the consent the request carried"),
        };
        let verb = match observation.source {
            Source::Store => "still stored",
            Source::SetCookie | Source::Script => "set",
        };
        problems.push((
            kind,
            format!("{} needs consent; {verb} {when}", declared.category()),
        ));
    }
    if let Some(lifetime) = seen.lifetime.filter(|l| *l > 0) {
        let lifetime = lifetime.unsigned_abs();
        // A stored expiry is read a little after it was set: judged with slack.
        let slack = match observation.seen {
            Seen::Stored(_) => STORE_SLACK,
            _ => 0,
        };
        match charter.lifetime_limit(declared) {
            Lifetime::Session => problems.push((
                Kind::TooLong,
                format!("declared a session cookie, lives {}", span(lifetime)),
            )),
            Lifetime::Seconds(limit) if lifetime > limit + slack => problems.push((
                Kind::TooLong,
                format!(
                    "lives {}, over {} ({})",
                    span(lifetime),
                    declared.duration().map_or_else(
                        || "the cap".to_owned(),
                        |d| format!("the declared {}", d.text)
                    ),
                    span(limit)
                ),
            )),
            Lifetime::Seconds(_) => {}
        }
    }
    let wrong = match observation.seen {
        Seen::Sent => Vec::new(),
        _ => seen.unlike(declared, observation.source),
    };
    if !wrong.is_empty() {
        problems.push((Kind::Attributes, wrong.join("; ")));
    }
    problems
}

/// The attributes of a cookie as seen.
struct Attributes {
    /// Seconds it will live; `None` for a session cookie.
    lifetime: Option<i64>,
    /// A `Domain` attribute, if one was given (a host-only cookie has none).
    domain: Option<String>,
    path: Option<String>,
    secure: bool,
    http_only: bool,
    same_site: Option<String>,
    /// The name prefix whose rule the line breaks (the engine's own check).
    broken_prefix: Option<String>,
}

impl Attributes {
    /// Nothing known but the name.
    fn unknown() -> Attributes {
        Attributes {
            lifetime: None,
            domain: None,
            path: None,
            secure: false,
            http_only: false,
            same_site: None,
            broken_prefix: None,
        }
    }

    fn of_line(line: &str, lifetime: Option<i64>) -> Attributes {
        // The `cookie` crate reads the attributes; the name and lifetime came from the
        // engine's own reader.
        let parsed = cookie::Cookie::parse(line).ok();
        let parsed = parsed.as_ref();
        Attributes {
            lifetime,
            domain: parsed.and_then(|c| c.domain()).map(str::to_owned),
            path: parsed.and_then(|c| c.path()).map(str::to_owned),
            secure: parsed.and_then(|c| c.secure()).unwrap_or(false),
            http_only: parsed.and_then(|c| c.http_only()).unwrap_or(false),
            same_site: parsed.and_then(|c| c.same_site()).map(|s| s.to_string()),
            broken_prefix: None,
        }
    }

    /// What differs from the declaration. Only declared attributes are compared, and
    /// only where what was seen is weaker: a `Secure` never declared is not a fault.
    fn unlike(&self, declared: &Cookie, source: Source) -> Vec<String> {
        let mut wrong = Vec::new();
        if let Some(prefix) = &self.broken_prefix {
            wrong.push(format!(
                "breaks its name prefix's rule ({prefix}): the browser rejects it"
            ));
        }
        if let Some(domain) = declared.domain() {
            let seen = self.domain.as_deref().map(|d| d.trim_start_matches('.'));
            if seen != Some(domain.trim_start_matches('.')) {
                wrong.push(format!(
                    "domain {} (declared {domain})",
                    seen.unwrap_or("host-only")
                ));
            }
        }
        if let Some(path) = declared.path() {
            // A script's write without `path` lands on the page's directory: compare
            // only a path it gave.
            match (&self.path, source) {
                (None, Source::Script) => {}
                (seen, _) if seen.as_deref() != Some(path) => wrong.push(format!(
                    "path {} (declared {path})",
                    seen.as_deref().unwrap_or("(none)")
                )),
                _ => {}
            }
        }
        if declared.secure() && !self.secure {
            wrong.push("not Secure (declared secure)".to_owned());
        }
        if declared.http_only() && !self.http_only {
            wrong.push(match source {
                Source::Script => "written by a script, declared http_only".to_owned(),
                _ => "not HttpOnly (declared http_only)".to_owned(),
            });
        }
        if let Some(same_site) = declared.same_site() {
            let seen = self.same_site.as_deref().unwrap_or("(none)");
            if !seen.eq_ignore_ascii_case(same_site_word(same_site)) {
                wrong.push(format!("SameSite {seen} (declared {})", same_site.as_str()));
            }
        }
        wrong
    }
}

fn same_site_word(same_site: SameSite) -> &'static str {
    same_site.as_str()
}

/// A lifetime in words, rounded so that a store read a few seconds later says the same:
/// days from a day on, else hours, else seconds.
fn span(seconds: u64) -> String {
    const HOUR: u64 = 3_600;
    if seconds >= charte_core::model::duration::DAY {
        let days = days(seconds);
        let unit = if days == "1" { "day" } else { "days" };
        format!("{days} {unit}")
    } else if seconds >= HOUR {
        format!("{:.1} hours", seconds as f64 / HOUR as f64)
    } else {
        format!("{seconds} s")
    }
}
