//! The layer's side of the proof of consent (`CHARTER.layer().proof(log)`,
//! `CHARTER.actix().proof(log)`): a response that sets or removes the consent cookie
//! waits for its record's commit; when the commit fails, the consent cookie is taken out
//! of the response. Without the proof features, [`Log`] and [`Recording`] have no
//! values, and the shells' proof branches compile away.

use super::{Edit, Engine, RequestCookies, SetCookieHeaders};
use crate::wire::SetCookie;

#[cfg(any(feature = "proof-sqlite", feature = "proof-postgres"))]
pub(crate) use on::*;

#[cfg(not(any(feature = "proof-sqlite", feature = "proof-postgres")))]
pub(crate) use off::*;

#[cfg(any(feature = "proof-sqlite", feature = "proof-postgres"))]
mod on {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use crate::consent::Consent;
    use crate::enforce::ConsentChange;
    use crate::model::{Categories, Charter};
    use crate::proof::{Action, Decision, ProofError, ProofLog, Receipt};

    /// The log a layer writes to: leaked once when the layer is made, so that the layer
    /// stays `Copy` and a request costs no reference count.
    pub(crate) type Log = &'static ProofLog;

    /// A decision's record on its way to the store.
    pub(crate) type Recording = Pin<Box<dyn Future<Output = Result<Receipt, ProofError>> + Send>>;

    pub(crate) fn leak(log: ProofLog) -> Log {
        Box::leak(Box::new(log))
    }

    /// Starts recording what a response does to the consent cookie, or `None` when it
    /// records nothing (a value that is not a current decision grants nothing: no
    /// record). `location` is the response's `Location`, `path` the request's.
    pub(crate) fn begin(
        log: Log,
        charter: &Charter,
        change: ConsentChange,
        request: &Consent,
        location: Option<&[u8]>,
        path: Option<&str>,
        now: u64,
    ) -> Option<Recording> {
        let route = route(location, path);
        let decision = match change {
            ConsentChange::Set(consent) => {
                let decided_at = consent.decided_at()?;
                let granted = consent.granted();
                // Refusing everything after granting something withdraws consent (the
                // banner's « Tout refuser » after « Tout accepter »), as removing the
                // consent cookie does.
                let action = if granted.is_empty() && !request.granted().is_empty() {
                    Action::Withdraw
                } else {
                    Action::of(granted, charter.asked())
                };
                Decision {
                    consent_id: consent.id().map(|id| id.to_string()).unwrap_or_default(),
                    decided_at,
                    granted,
                    action,
                    route,
                }
            }
            ConsentChange::Removed => Decision {
                consent_id: request.id().map(|id| id.to_string()).unwrap_or_default(),
                decided_at: now,
                granted: Categories::EMPTY,
                action: Action::Withdraw,
                route,
            },
        };
        Some(Box::pin(log.record(charter, decision)))
    }

    /// Polls a recording: `Ok` once committed, the error's text when the store failed.
    pub(crate) fn poll(
        recording: &mut Recording,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), String>> {
        recording
            .as_mut()
            .poll(cx)
            .map(|result| result.map(drop).map_err(|e| e.to_string()))
    }

    /// The page the decision was made on: where the response sends the visitor back
    /// (the consent endpoint's `303` to the page its form was on), when that is a path of
    /// this site, else the request's path. Without its query: a query may carry
    /// personal data.
    fn route(location: Option<&[u8]>, path: Option<&str>) -> String {
        let back = location
            .and_then(|l| std::str::from_utf8(l).ok())
            .filter(|l| l.starts_with('/') && !l.starts_with("//") && !l.starts_with("/\\"));
        let route = back.or(path).unwrap_or("unknown");
        let end = route.find(['?', '#']).unwrap_or(route.len());
        route[..end].to_string()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_route_is_the_page_the_visitor_goes_back_to() {
            use super::route;
            assert_eq!(
                route(Some(b"/articles/7?x=1"), Some("/consent")),
                "/articles/7"
            );
            assert_eq!(
                route(Some(b"https://evil.example/"), Some("/consent")),
                "/consent"
            );
            assert_eq!(
                route(Some(b"//evil.example/"), Some("/consent")),
                "/consent"
            );
            assert_eq!(route(None, Some("/prefs")), "/prefs");
            assert_eq!(route(None, None), "unknown");
        }
    }
}

#[cfg(not(any(feature = "proof-sqlite", feature = "proof-postgres")))]
mod off {
    use std::task::{Context, Poll};

    use crate::consent::Consent;
    use crate::enforce::ConsentChange;
    use crate::model::Charter;

    /// No log without the proof features: this type has no value.
    #[derive(Debug, Clone, Copy)]
    pub(crate) enum Log {}

    /// No recording without the proof features: this type has no value.
    pub(crate) enum Recording {}

    pub(crate) fn begin(
        log: Log,
        _: &Charter,
        _: ConsentChange,
        _: &Consent,
        _: Option<&[u8]>,
        _: Option<&str>,
        _: u64,
    ) -> Option<Recording> {
        match log {}
    }

    pub(crate) fn poll(recording: &mut Recording, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        match *recording {}
    }
}

/// After a failed commit: the `Set-Cookie` lines that set the consent cookie are taken
/// out of the response (a removal stays: withdrawing must always work, and it grants
/// nothing), the response is judged again under the request's own consent (cookies the
/// new decision would have allowed are dropped), and an `ERROR` event is emitted.
pub(crate) fn withhold<'a, H>(
    engine: &Engine<'_>,
    response: &mut H,
    request: &RequestCookies,
    request_cookie_headers: impl IntoIterator<Item = &'a [u8]>,
    route: Option<&str>,
    now: u64,
    error: &str,
) where
    H: SetCookieHeaders + ?Sized,
{
    let consent_name = engine
        .charter()
        .consent_cookie_declaration()
        .map(|c| c.name().as_bytes());
    let mut withheld = 0;
    response.edit_set_cookies(&mut |line| {
        let sets_consent = SetCookie::read(line).is_ok_and(|cookie| {
            consent_name == Some(cookie.name_bytes()) && !cookie.is_removal(now)
        });
        withheld += usize::from(sets_consent);
        if sets_consent {
            Edit::Drop
        } else {
            Edit::Keep
        }
    });
    let _ = engine.enforce(response, request, request_cookie_headers, route, now);
    tracing::error!(
        target: "charte",
        route = route.unwrap_or("unknown"),
        withheld,
        %error,
        "proof of consent: the decision could not be recorded; the consent cookie is not sent (the visitor will be asked again)"
    );
}
