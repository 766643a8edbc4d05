//! What an audit shows: a table for the terminal (or plain lines), deterministic JSON,
//! and a standalone HTML page for a compliance officer.

use std::fmt::Write as _;

use charte_core::render::Escaped;
use serde::Serialize;

use super::{Finding, Kind, Report, State};

/// The findings as an aligned table (one row per finding), for a terminal.
pub fn table(report: &Report) -> String {
    let header = ["KIND", "COOKIE", "STATE", "SOURCE", "URL", "DETAIL"];
    let rows: Vec<[String; 6]> = report.findings.iter().map(cells).collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &rows {
        line(&row.each_ref().map(String::as_str));
    }
    out
}

/// The findings as plain tab-separated lines (kind, cookie, state, source, URL,
/// detail; `-` where a finding has none), for logs and pipes.
pub fn lines(report: &Report) -> String {
    report
        .findings
        .iter()
        .map(|finding| cells(finding).join("\t") + "\n")
        .collect()
}

fn cells(finding: &Finding) -> [String; 6] {
    [
        finding.kind.to_string(),
        finding.cookie.clone(),
        finding.state.map_or("-".to_owned(), |s| s.to_string()),
        finding.source.map_or("-".to_owned(), |s| s.to_string()),
        finding.url.clone().unwrap_or_else(|| "-".to_owned()),
        finding.detail.clone(),
    ]
}

#[derive(Serialize)]
struct JsonReport<'a> {
    charter: &'a str,
    revision: &'a str,
    pages: Vec<JsonPage<'a>>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonPage<'a> {
    state: &'static str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    kind: &'static str,
    cookie: &'a str,
    state: Option<&'static str>,
    source: Option<&'static str>,
    url: Option<&'a str>,
    detail: &'a str,
}

/// The report as JSON (SPEC, "Audit"): `{"charter", "revision", "pages", "findings"}`,
/// findings sorted, pages in the order visited per state; the same bytes for the same
/// site. A finding's `state`, `source` and `url` are `null` only for `unused`.
pub fn json(report: &Report) -> String {
    let document = JsonReport {
        charter: &report.charter,
        revision: &report.revision,
        pages: report
            .pages
            .iter()
            .map(|page| JsonPage {
                state: page.state.as_str(),
                url: &page.url,
                error: page.error.as_deref(),
            })
            .collect(),
        findings: report
            .findings
            .iter()
            .map(|finding| JsonFinding {
                kind: finding.kind.as_str(),
                cookie: &finding.cookie,
                state: finding.state.map(State::as_str),
                source: finding.source.map(|s| s.as_str()),
                url: finding.url.as_deref(),
                detail: &finding.detail,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("plain data serializes");
    text.push('\n');
    text
}

/// What each kind means, for readers of the HTML report.
fn meaning(kind: Kind) -> &'static str {
    match kind {
        Kind::Undeclared => {
            "The cookie is not in the charter: the public page does not mention it."
        }
        Kind::WithoutConsent => {
            "The cookie's category needs the visitor's consent, which had not been given \
             (no decision yet, or everything refused)."
        }
        Kind::AfterWithdrawal => {
            "The visitor accepted, then withdrew: this cookie was set, or was still in the \
             browser, after the withdrawal."
        }
        Kind::TooLong => {
            "The cookie lives longer than the charter declares, or than a cap (400 days; \
             6 months for the consent cookie; 13 months for exempt audience measurement)."
        }
        Kind::Attributes => {
            "The cookie's domain, path, Secure, HttpOnly or SameSite is not as declared, \
             or its name prefix's rule is broken."
        }
        Kind::Unused => "Declared in the charter but never seen: information only.",
    }
}

/// The report as one standalone HTML page (no external resource): a summary, then per
/// state a table of its findings (cookie, kind, source, URL, why), the declared
/// cookies never seen, and the pages visited.
pub fn html(report: &Report) -> String {
    let mut page = String::new();
    let site = Escaped(&report.charter);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Cookie audit of {site}</title>\n<style>\n\
         body{{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem;color:#222}}\n\
         table{{border-collapse:collapse;width:100%;margin:1rem 0}}\n\
         th,td{{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}}\n\
         th{{background:#eee}} td.url{{word-break:break-all;font-size:.9em}}\n\
         .ok{{color:#205c20}} .fail{{color:#9b1c1c}} code{{font-size:.95em}}\n\
         </style>\n</head>\n<body>\n<h1>Cookie audit of {site}</h1>\n\
         <p>Charter revision <code>{}</code>. The site was visited in a real browser in \
         four states: no decision (<em>none</em>), everything refused (<em>refuse</em>), \
         everything accepted (<em>accept</em>), and accepted then withdrawn \
         (<em>withdraw</em>). Every cookie seen in a response (<em>set-cookie</em>), \
         written by a script (<em>script</em>) or left in the browser \
         (<em>store</em>) was compared with the charter.</p>\n",
        Escaped(&report.revision)
    );
    let failing = report
        .findings
        .iter()
        .filter(|f| f.kind != Kind::Unused)
        .count();
    let _ = writeln!(
        page,
        "<p class=\"{}\"><strong>{failing} finding{} that break{} the charter.</strong></p>",
        if failing == 0 { "ok" } else { "fail" },
        if failing == 1 { "" } else { "s" },
        if failing == 1 { "s" } else { "" },
    );
    page.push_str("<h2>What the findings mean</h2>\n<dl>\n");
    for kind in [
        Kind::Undeclared,
        Kind::WithoutConsent,
        Kind::AfterWithdrawal,
        Kind::TooLong,
        Kind::Attributes,
        Kind::Unused,
    ] {
        let _ = writeln!(
            page,
            "<dt><code>{kind}</code></dt><dd>{}</dd>",
            meaning(kind)
        );
    }
    page.push_str("</dl>\n");
    for state in State::ALL {
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.state == Some(state))
            .collect();
        let _ = writeln!(page, "<h2>State <code>{state}</code></h2>");
        if findings.is_empty() {
            page.push_str("<p class=\"ok\">No finding.</p>\n");
            continue;
        }
        page.push_str(
            "<table>\n<thead><tr><th scope=\"col\">Cookie</th><th scope=\"col\">Finding</th>\
             <th scope=\"col\">Source</th><th scope=\"col\">URL</th><th scope=\"col\">Why</th>\
             </tr></thead>\n<tbody>\n",
        );
        for finding in findings {
            let _ = writeln!(
                page,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"url\">{}</td><td>{}</td></tr>",
                Escaped(&finding.cookie),
                finding.kind,
                finding.source.map_or("", |s| s.as_str()),
                Escaped(finding.url.as_deref().unwrap_or_default()),
                Escaped(&finding.detail),
            );
        }
        page.push_str("</tbody>\n</table>\n");
    }
    let unused: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Unused)
        .collect();
    page.push_str("<h2>Declared, never seen</h2>\n");
    if unused.is_empty() {
        page.push_str("<p>Every declared cookie was seen.</p>\n");
    } else {
        page.push_str("<ul>\n");
        for finding in unused {
            let _ = writeln!(page, "<li><code>{}</code></li>", Escaped(&finding.cookie));
        }
        page.push_str("</ul>\n");
    }
    page.push_str("<h2>Pages visited</h2>\n<table>\n<thead><tr><th scope=\"col\">State</th>\
                   <th scope=\"col\">URL</th><th scope=\"col\">Problem</th></tr></thead>\n<tbody>\n");
    for visited in &report.pages {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td class=\"url\">{}</td><td>{}</td></tr>",
            visited.state,
            Escaped(&visited.url),
            Escaped(visited.error.as_deref().unwrap_or_default()),
        );
    }
    page.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    page
}
