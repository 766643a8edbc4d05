//! Enforcement through real servers: every case of the table runs against axum (behind
//! `CHARTER.layer()`) and actix-web (behind `CHARTER.actix()`), over HTTP on 127.0.0.1.

mod support;

use charte::{Category, Mode};
use support::{consent, consent_at, events, now, send, Framework};

/// One request and what must come back, whatever the framework.
struct Case {
    mode: Mode,
    path: &'static str,
    /// The request's `Cookie` header.
    cookie: Option<String>,
    /// The `Set-Cookie` values the application sets, in order.
    set: Vec<Vec<u8>>,
    /// The `Set-Cookie` values expected, in order: exact, or a prefix when ending in `*`.
    expect: Vec<String>,
    status: u16,
    /// Text the body must contain.
    body: &'static str,
}

impl Case {
    fn new() -> Case {
        Case {
            mode: Mode::Enforce,
            path: "/page",
            cookie: None,
            set: Vec::new(),
            expect: Vec::new(),
            status: 200,
            body: "ok",
        }
    }

    fn mode(mut self, mode: Mode) -> Case {
        self.mode = mode;
        self
    }

    fn cookie(mut self, cookie: impl Into<String>) -> Case {
        self.cookie = Some(cookie.into());
        self
    }

    fn sets(mut self, values: &[&str]) -> Case {
        self.set
            .extend(values.iter().map(|v| v.as_bytes().to_vec()));
        self
    }

    fn sets_bytes(mut self, value: &[u8]) -> Case {
        self.set.push(value.to_vec());
        self
    }

    fn expects(mut self, values: &[&str]) -> Case {
        self.expect.extend(values.iter().map(|v| v.to_string()));
        self
    }

    /// Expects exactly what the application sets.
    fn all_pass(mut self) -> Case {
        self.expect = self
            .set
            .iter()
            .map(|v| String::from_utf8(v.clone()).unwrap())
            .collect();
        self
    }

    fn refused(mut self, body: &'static str) -> Case {
        self.status = 500;
        self.body = body;
        self
    }

    fn check(&self) {
        for framework in Framework::ALL {
            let set: Vec<&[u8]> = self.set.iter().map(|v| &v[..]).collect();
            let reply = send(
                framework,
                self.mode,
                self.path,
                self.cookie.as_deref(),
                &set,
            );
            let got = reply.set_cookie_strings();
            let context = format!(
                "{framework:?} ({:?}): got {got:?}, body {:?}",
                self.mode, reply.body
            );
            assert_eq!(reply.status, self.status, "{context}");
            assert!(reply.body.contains(self.body), "{context}");
            assert_eq!(
                got.len(),
                self.expect.len(),
                "{context}; expected {:?}",
                self.expect
            );
            for (got, expected) in got.iter().zip(&self.expect) {
                match expected.strip_suffix('*') {
                    Some(prefix) => {
                        assert!(got.starts_with(prefix), "{context}; expected {expected:?}")
                    }
                    None => assert_eq!(got, expected, "{context}"),
                }
            }
        }
    }
}

macro_rules! cases {
    ($($(#[$meta:meta])* $name:ident: $case:expr;)*) => {
        $(
            $(#[$meta])*
            #[test]
            fn $name() {
                $case.check();
            }
        )*
    };
}

const PAST: &str = "Expires=Thu, 01 Jan 1970 00:00:00 GMT";

cases! {
    // Rule 1: names are read as a browser reads them.
    a_declared_necessary_cookie_passes:
        Case::new().sets(&["sessionid=abc123; Path=/; HttpOnly"]).all_pass();
    the_name_is_trimmed_before_the_equals_sign:
        Case::new().sets(&["sessionid =abc", "sessionid\t=abc"]).all_pass();
    names_are_not_percent_decoded:
        Case::new().sets(&["%73essionid=abc", "sessionid=1"]).expects(&["sessionid=1"]);
    a_nameless_set_cookie_is_dropped:
        Case::new().sets(&["sessionid", "=sessionid", "  =abc; Path=/", "sessionid=1"]).expects(&["sessionid=1"]);
    the_name_stops_at_the_first_semicolon:
        Case::new().sets(&["sessionid;theme=1", "sessionid=1"]).expects(&["sessionid=1"]);
    a_name_and_value_over_4096_bytes_are_dropped:
        Case::new()
            .sets(&[&format!("sessionid={}", "x".repeat(4096 - 9)), &format!("sessionid={}", "x".repeat(4096 - 8))])
            .expects(&[&format!("sessionid={}", "x".repeat(4096 - 9))]);
    a_name_that_is_not_utf8_is_dropped:
        Case::new().sets_bytes(b"sessi\xf6nid=1").sets(&["sessionid=2"]).expects(&["sessionid=2"]);

    // Rule 2: removals always pass.
    a_removal_with_max_age_zero_passes_even_undeclared:
        Case::new().sets(&["_ga=; Max-Age=0", "theme=; Max-Age=-1; Path=/"]).all_pass();
    a_removal_with_a_past_expires_passes_even_unconsented:
        Case::new().sets(&[&format!("_pk_id.1.a=; {PAST}"), &format!("_ga=; Path=/; {PAST}")]).all_pass();
    a_future_expires_is_not_a_removal:
        Case::new().sets(&["_ga=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT", "theme=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]);

    // Rule 3: undeclared, unconsented, prefix rules.
    an_undeclared_cookie_is_dropped:
        Case::new().sets(&["_ga=GA1.1.42; Path=/; Max-Age=63072000", "sessionid=1"]).expects(&["sessionid=1"]);
    names_are_case_sensitive:
        Case::new().sets(&["SessionId=1"]);
    a_statistics_cookie_without_consent_is_dropped:
        Case::new().sets(&["_pk_id.1.abc=42; Path=/"]);
    a_statistics_cookie_with_consent_passes:
        Case::new().cookie(consent(&[Category::Statistics])).sets(&["_pk_id.1.abc=42; Path=/"]).all_pass();
    an_anonymous_statistics_cookie_needs_no_consent:
        Case::new().sets(&["_pk_ses=1; Max-Age=1800"]).all_pass();
    a_consent_grants_only_its_categories:
        Case::new()
            .cookie(consent(&[Category::Statistics]))
            .sets(&["_pk_id.1=1", "theme=dark; Path=/", "ads=1; Domain=example.fr"])
            .expects(&["_pk_id.1=1"]);
    refusing_everything_grants_nothing:
        Case::new().cookie(consent(&[])).sets(&["_pk_id.1=1", "theme=dark", "ads=1", "sessionid=1"]).expects(&["sessionid=1"]);
    accepting_everything_grants_every_category:
        Case::new().cookie(consent(&Category::CONSENTABLE)).sets(&["_pk_id.1=1", "theme=dark", "ads=1"]).all_pass();
    a_consent_older_than_six_months_grants_nothing:
        Case::new()
            .cookie(consent_at(&Category::CONSENTABLE, now() - charte::duration::CONSENT_LIFETIME - 60))
            .sets(&["theme=dark"]);
    a_consent_from_another_revision_grants_nothing:
        Case::new()
            .cookie(format!("consent=1.0000000000000000.{}.111", now()))
            .sets(&["theme=dark"]);
    a_malformed_consent_grants_nothing:
        Case::new().cookie("consent=yes").sets(&["theme=dark"]);
    a_host_prefix_cookie_with_its_attributes_passes:
        Case::new().sets(&["__Host-id=1; Secure; Path=/"]).all_pass();
    a_host_prefix_cookie_without_secure_is_dropped:
        Case::new().sets(&["__Host-id=1; Path=/"]);
    a_host_prefix_cookie_with_a_domain_is_dropped:
        Case::new().sets(&["__Host-id=1; Secure; Path=/; Domain=example.fr"]);
    a_host_prefix_cookie_with_another_path_is_dropped:
        Case::new().sets(&["__Host-id=1; Secure; Path=/app"]);
    a_secure_prefix_cookie_without_secure_is_dropped:
        Case::new().cookie(consent(&[Category::FirstParty])).sets(&["__Secure-pref=1", "__Secure-pref=2; secure"]).expects(&["__Secure-pref=2; secure"]);
    an_http_prefix_cookie_with_its_attributes_passes:
        Case::new().sets(&["__Http-token=1; Secure; HttpOnly", "__Http-token=2; secure; httponly"]).all_pass();
    an_http_prefix_cookie_without_http_only_is_dropped:
        Case::new().sets(&["__Http-token=1; Secure", "__Http-token=2; HttpOnly"]);
    a_host_http_prefix_cookie_with_its_attributes_passes:
        Case::new().sets(&["__Host-Http-panier=1; Secure; HttpOnly; Path=/"]).all_pass();
    a_host_http_prefix_cookie_missing_any_of_its_attributes_is_dropped:
        Case::new().sets(&[
            "__Host-Http-panier=1; Secure; Path=/",
            "__Host-Http-panier=2; HttpOnly; Path=/",
            "__Host-Http-panier=3; Secure; HttpOnly",
            "__Host-Http-panier=4; Secure; HttpOnly; Path=/; Domain=example.fr",
        ]);
    strict_mode_names_the_prefix_rule_broken:
        Case::new().mode(Mode::Strict).sets(&["__Http-token=1; Secure"]).refused("__Http- prefix needs Secure and HttpOnly");

    // Lifetimes, as declared (`_pk_id*`: 13 months = 34,190,208 s; `sessionid`: none
    // declared, the 400-day cap = 34,560,000 s; `remember`: a session cookie).
    a_max_age_longer_than_declared_is_brought_back:
        Case::new()
            .cookie(consent(&[Category::Statistics]))
            .sets(&["_pk_id.1.a=1; Path=/; Max-Age=63072000"])
            .expects(&["_pk_id.1.a=1; Path=/; Max-Age=34190208"]);
    an_expires_further_than_declared_is_brought_back:
        Case::new()
            .cookie(consent(&[Category::Statistics]))
            .sets(&["_pk_id.1.a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Path=/"])
            .expects(&["_pk_id.1.a=1; Path=/; Max-Age=34190208"]);
    a_valid_max_age_wins_over_expires:
        Case::new()
            .cookie(consent(&[Category::Statistics]))
            .sets(&[
                "_pk_id.1.a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=600",
                "_pk_id.1.b=1; Max-Age=63072000; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            ])
            .expects(&[
                "_pk_id.1.a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=600",
                "_pk_id.1.b=1; Max-Age=34190208",
            ]);
    a_session_cookie_set_with_a_lifetime_becomes_a_session_cookie:
        Case::new()
            .sets(&["remember=1; Max-Age=3600; Path=/", "remember=2; Expires=Fri, 01 Jan 2100 00:00:00 GMT"])
            .expects(&["remember=1; Path=/", "remember=2"]);
    without_a_declared_duration_the_400_day_cap_holds:
        Case::new()
            .sets(&["sessionid=1; Max-Age=63072000; HttpOnly"])
            .expects(&["sessionid=1; HttpOnly; Max-Age=34560000"]);
    removals_and_shorter_lifetimes_are_left_alone:
        Case::new()
            .sets(&["remember=; Max-Age=0", "_pk_id.1.a=; Max-Age=0", "sessionid=1; Max-Age=3600", "_pk_ses=1; Max-Age=1800"])
            .all_pass();
    report_mode_keeps_a_lifetime_too_long:
        Case::new()
            .mode(Mode::Report)
            .sets(&["sessionid=1; Max-Age=63072000", "remember=1; Max-Age=60"])
            .all_pass();
    strict_mode_refuses_a_lifetime_too_long:
        Case::new()
            .mode(Mode::Strict)
            .sets(&["sessionid=1; Max-Age=63072000"])
            .refused("set to live 63072000 s, longer than its charter allows: 34560000 s (400 days)");
    strict_mode_refuses_a_session_cookie_with_a_lifetime:
        Case::new()
            .mode(Mode::Strict)
            .sets(&["remember=1; Max-Age=60"])
            .refused("longer than its charter allows: a session cookie");

    // Reading the request: every copy of the consent cookie, the latest decision wins.
    an_older_grant_carried_first_does_not_undo_a_later_refusal:
        Case::new()
            .cookie(format!(
                "{}; {}; _pk_id.1.ab=x",
                consent_at(&[Category::Statistics], now() - 150 * 86_400),
                consent_at(&[], now() - 86_400)
            ))
            .sets(&["_pk_id.1.ab=y; Path=/"])
            .expects(&["_pk_id.1.ab=; Max-Age=0; Expires=*"]);
    a_later_grant_carried_second_applies:
        Case::new()
            .cookie(format!(
                "{}; {}",
                consent_at(&[], now() - 86_400),
                consent_at(&[Category::Statistics], now() - 60)
            ))
            .sets(&["_pk_id.1.ab=y"])
            .all_pass();

    // Rule 4: the consent set by the response applies to the whole response.
    a_consent_set_after_the_cookies_applies_to_them:
        Case::new()
            .sets(&["_pk_id.1=1; Path=/", "theme=dark; Path=/", &format!("{}; Path=/", consent(&[Category::Statistics]))])
            .expects(&["_pk_id.1=1; Path=/", "consent=2.*"]);
    a_consent_set_before_the_cookies_applies_to_them:
        Case::new()
            .sets(&[&format!("{}; Path=/", consent(&[Category::FirstParty])), "_pk_id.1=1", "theme=dark"])
            .expects(&["consent=2.*", "theme=dark"]);
    a_refusal_set_by_the_response_overrides_the_request_consent:
        Case::new()
            .cookie(consent(&Category::CONSENTABLE))
            .sets(&["ads=1", &consent(&[])])
            .expects(&["consent=2.*"]);
    a_malformed_consent_set_by_the_response_grants_nothing:
        Case::new()
            .cookie(consent(&Category::CONSENTABLE))
            .sets(&["consent=garbage", "ads=1"])
            .expects(&["consent=garbage"]);

    // Rule 5: withdrawal clears the cookies the request carries.
    carried_cookies_without_consent_are_cleared_with_their_path_and_domain:
        Case::new()
            .cookie(format!("{}; theme=dark; _pk_id.1.abc=x; ads=1; sessionid=1; _pk_ses=2", consent(&[])))
            .expects(&["theme=; Path=/; Max-Age=0; Expires=*", "_pk_id.1.abc=; Max-Age=0; Expires=*", "ads=; Domain=example.fr; Max-Age=0; Expires=*"]);
    carried_cookies_with_consent_are_kept:
        Case::new().cookie(format!("{}; _pk_id.1.abc=x", consent(&[Category::Statistics])));
    withdrawing_in_the_response_clears_the_carried_cookies:
        Case::new()
            .cookie(format!("{}; theme=dark; _pk_id.1=x", consent(&Category::CONSENTABLE)))
            .sets(&[&consent(&[Category::Statistics])])
            .expects(&["consent=2.*", "theme=; Path=/; Max-Age=0; Expires=*"]);
    removing_the_consent_cookie_withdraws_everything:
        Case::new()
            .cookie(format!("{}; _pk_id.1=x", consent(&Category::CONSENTABLE)))
            .sets(&["consent=; Path=/; Max-Age=0"])
            .expects(&["consent=; Path=/; Max-Age=0", "_pk_id.1=; Max-Age=0; Expires=*"]);
    a_cookie_carried_twice_is_cleared_once:
        Case::new().cookie("theme=a; theme=b").expects(&["theme=; Path=/; Max-Age=0; Expires=*"]);

    // Modes.
    report_mode_keeps_what_enforce_would_drop:
        Case::new().mode(Mode::Report).sets(&["_ga=1", "theme=dark", "__Host-id=1"]).all_pass();
    report_mode_does_not_clear:
        Case::new().mode(Mode::Report).cookie("theme=dark");
    strict_mode_answers_500_naming_the_cookie:
        Case::new().mode(Mode::Strict).sets(&["sessionid=1", "_ga=1"]).refused("cookie \"_ga\" is not allowed: undeclared");
    strict_mode_names_the_unconsented_cookie:
        Case::new().mode(Mode::Strict).sets(&["theme=dark"]).refused("\"theme\" is not allowed: category first-party not consented");
    strict_mode_passes_a_lawful_response:
        Case::new().mode(Mode::Strict).cookie(consent(&[Category::FirstParty])).sets(&["sessionid=1", "theme=dark", "_ga=; Max-Age=0"]).all_pass();
    strict_mode_still_clears_withdrawn_cookies:
        Case::new().mode(Mode::Strict).cookie("ads=1").expects(&["ads=; Domain=example.fr; Max-Age=0; Expires=*"]);
}

// Rule 6: every drop is an event with the cookie's name, the reason and the route.
#[test]
fn every_drop_emits_an_event_with_name_reason_and_route() {
    for (framework, mode) in [
        (Framework::Axum, Mode::Enforce),
        (Framework::Actix, Mode::Enforce),
        (Framework::Axum, Mode::Report),
        (Framework::Actix, Mode::Report),
    ] {
        let path = format!("/events/{framework:?}/{mode:?}");
        let cookie = format!("_event_{framework:?}_{mode:?}");
        let set = format!("{cookie}=1");
        send(framework, mode, &path, None, &[set.as_bytes()]);
        let events = events();
        let line = events
            .lines()
            .find(|line| line.contains(&cookie))
            .unwrap_or_else(|| panic!("no event for {cookie} in:\n{events}"));
        assert!(line.contains("WARN"), "{line}");
        assert!(line.contains("reason=undeclared in the charter"), "{line}");
        assert!(
            line.contains(&format!("route=\"{path}\"")) || line.contains(&format!("route={path}")),
            "{line}"
        );
    }
}

#[test]
fn clearing_emits_an_event_with_the_category() {
    for framework in Framework::ALL {
        let path = format!("/events/{framework:?}/clear");
        send(framework, Mode::Enforce, &path, Some("ads=1"), &[]);
        let events = events();
        assert!(
            events.lines().any(|line| line.contains("cookie cleared")
                && line.contains("ads")
                && line.contains("third-party")
                && line.contains(&path)),
            "{events}"
        );
    }
}
