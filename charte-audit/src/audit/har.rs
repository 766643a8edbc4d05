//! A browser's HAR export, judged as a visit is: every response's `Set-Cookie` lines
//! (source `set-cookie`) and the cookies each request carried (source `store`: the
//! browser held them), with the consent each request carried.

use std::collections::HashMap;

use charte_core::{Category, Charter, Consent};
use serde_json::Value;

use super::{judge, Error, Moment, Observation, Page, Report, Seen, Source, State};
use crate::audit::collect::set_cookie_lines;

/// Audits a HAR capture (HAR 1.2, as browsers export it) against `charter`.
///
/// The state of each request is read from the consent cookie it carried, as the engine
/// reads it: `none` without a valid decision, `refuse` when nothing is granted,
/// `accept` otherwise (judged with the exact categories granted).
///
/// # Errors
/// [`Error::Input`] when the text is not JSON or not shaped as a HAR (`log.entries`,
/// each with a `request.url`), naming what is missing and where.
pub fn run_har(charter: &Charter, har: &str) -> Result<Report, Error> {
    let document: Value = serde_json::from_str(har)
        .map_err(|e| Error::Input(format!("not a HAR file: not JSON ({e})")))?;
    let entries = document["log"]["entries"]
        .as_array()
        .ok_or_else(|| Error::Input("not a HAR file: no log.entries array".to_owned()))?;
    // Pages in the capture's order; an entry's page is its `pageref`'s place.
    let page_ids: HashMap<&str, usize> = document["log"]["pages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, page)| Some((page["id"].as_str()?, i)))
        .collect();
    let mut observations = Vec::new();
    let mut pages: Vec<Page> = Vec::new();
    let mut first_of_page = std::collections::HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let url = entry["request"]["url"].as_str().ok_or_else(|| {
            Error::Input(format!(
                "malformed HAR: log.entries[{i}] has no request.url"
            ))
        })?;
        let at = entry["startedDateTime"]
            .as_str()
            .and_then(unix_seconds)
            .ok_or_else(|| {
                Error::Input(format!(
                    "malformed HAR: log.entries[{i}] has no valid startedDateTime"
                ))
            })?;
        let page = entry["pageref"]
            .as_str()
            .and_then(|id| page_ids.get(id).copied())
            .unwrap_or(0);
        let sent = header_values(&entry["request"]["headers"], "cookie");
        let consent = charter.consent_in(sent.iter().map(|v| v.as_bytes()), at);
        let (state, moment) = state_of(consent);
        // A page is the first entry of each `pageref` (of the capture, without any).
        let pageref = entry["pageref"].as_str();
        if first_of_page.insert(pageref) && (pageref.is_some() || pages.is_empty()) {
            pages.push(Page {
                state,
                url: url.to_owned(),
                error: None,
            });
        }
        let mut observe = |source, name: &str, seen| {
            observations.push(Observation {
                state,
                moment,
                source,
                name: name.to_owned(),
                seen,
                url: url.to_owned(),
                at,
                page,
            });
        };
        let mut lines = set_cookie_lines(&headers_object(&entry["response"]["headers"]));
        if lines.is_empty() {
            // Some exporters leave the header out and fill `response.cookies` only.
            lines = cookie_list(&entry["response"]["cookies"]);
        }
        for line in lines {
            if let Ok(name) = charte_core::wire::read_name(line.as_bytes()) {
                let name = name.to_owned();
                observe(Source::SetCookie, &name, Seen::Line(line));
            }
        }
        for (name, _) in charte_core::wire::request_cookies(sent.iter().map(|v| v.as_bytes())) {
            if let Ok(name) = std::str::from_utf8(name) {
                observe(Source::Store, name, Seen::Sent);
            }
        }
    }
    Ok(Report {
        charter: charter.site().to_owned(),
        revision: charter.revision().to_owned(),
        findings: judge(charter, &observations),
        pages,
    })
}

/// The state a request's consent puts it in.
fn state_of(consent: Consent) -> (State, Moment) {
    if !consent.is_recorded() {
        (State::None, Moment::Undecided)
    } else if Category::CONSENTABLE
        .iter()
        .all(|c| !consent.is_granted(*c))
    {
        (State::Refuse, Moment::Recorded(consent))
    } else {
        (State::Accept, Moment::Recorded(consent))
    }
}

/// The values of the headers named `name` (any case) in a HAR header list.
fn header_values(headers: &Value, name: &str) -> Vec<String> {
    headers
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|h| {
            h["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .filter_map(|h| h["value"].as_str().map(str::to_owned))
        .collect()
}

/// A HAR header list as DevTools' header object (`Set-Cookie` lines joined by `\n`).
fn headers_object(headers: &Value) -> Value {
    let lines = header_values(headers, "set-cookie");
    serde_json::json!({ "set-cookie": lines.join("\n") })
}

/// HAR `cookies` objects as `Set-Cookie` lines.
fn cookie_list(cookies: &Value) -> Vec<String> {
    let cookies = cookies.as_array().map(Vec::as_slice).unwrap_or_default();
    cookies
        .iter()
        .filter_map(|c| {
            let mut line = format!(
                "{}={}",
                c["name"].as_str()?,
                c["value"].as_str().unwrap_or_default()
            );
            for (key, attribute) in [
                ("path", "Path"),
                ("domain", "Domain"),
                ("expires", "Expires"),
                ("sameSite", "SameSite"),
            ] {
                if let Some(value) = c[key].as_str() {
                    let value = match key {
                        "expires" => unix_seconds(value).map(http_date).unwrap_or_default(),
                        _ => value.to_owned(),
                    };
                    line.push_str(&format!("; {attribute}={value}"));
                }
            }
            if c["httpOnly"].as_bool() == Some(true) {
                line.push_str("; HttpOnly");
            }
            if c["secure"].as_bool() == Some(true) {
                line.push_str("; Secure");
            }
            Some(line)
        })
        .collect()
}

/// An RFC 3339 date (`2026-11-29T12:00:00.123Z`) in Unix seconds.
fn unix_seconds(text: &str) -> Option<u64> {
    let date =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(date.unix_timestamp()).ok()
}

/// Unix seconds as an HTTP date.
fn http_date(seconds: u64) -> String {
    let Ok(date) = time::OffsetDateTime::from_unix_timestamp(seconds as i64) else {
        return String::new();
    };
    date.format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}
