//! The page as a standalone, accessible HTML document: a doctype, the page's language,
//! a title, headings, and real tables with column header cells. Every text is escaped.

use std::fmt::Write as _;

use super::{Column, Page};

const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0 auto;\
max-width:60rem;padding:1rem}table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #767676;padding:.4rem;text-align:left;vertical-align:top}\
th{background:#f0f0f0}";

/// Writes the page.
pub(crate) fn write(page: &Page<'_>) -> String {
    let words = page.words;
    let site = page.charter.site();
    let host = site
        .split_once("://")
        .map_or(site, |(_, rest)| rest)
        .trim_end_matches('/');
    let mut out = String::new();
    let _ = writeln!(out, "<!DOCTYPE html>");
    let _ = writeln!(out, "<html lang=\"{}\">", page.lang.as_str());
    let _ = writeln!(out, "<head>");
    let _ = writeln!(out, "<meta charset=\"utf-8\">");
    let _ = writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    );
    let _ = writeln!(
        out,
        "<title>{} — {}</title>",
        escape(words.title),
        escape(host)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>");
    let _ = writeln!(out, "</head>");
    let _ = writeln!(out, "<body>");
    let _ = writeln!(out, "<main>");
    let _ = writeln!(out, "<h1>{}</h1>", escape(words.title));
    let _ = writeln!(out, "<p>{}</p>", escape(words.intro));
    let _ = writeln!(
        out,
        "<p>{} <a href=\"{}\">{}</a></p>",
        escape(words.site_label),
        escape(site),
        escape(site)
    );
    let _ = writeln!(out, "<h2>{}</h2>", escape(words.what_heading));
    let _ = writeln!(out, "<p>{}</p>", escape(words.what));
    let _ = writeln!(out, "<h2>{}</h2>", escape(words.kinds_heading));
    let _ = writeln!(out, "<dl>");
    for category in crate::Category::ALL {
        let (name, meaning) = words.kind(category);
        let _ = writeln!(out, "<dt>{}</dt>", escape(name));
        let _ = writeln!(out, "<dd>{}</dd>", escape(meaning));
    }
    let _ = writeln!(out, "</dl>");
    let _ = writeln!(out, "<p>{}</p>", escape(words.choice));
    if page.sections.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(words.no_cookies));
    }
    // The declared texts keep the charter's language: say so, for screen readers.
    let body_lang = if page.charter.lang() == page.lang {
        String::new()
    } else {
        format!(" lang=\"{}\"", page.charter.lang().as_str())
    };
    for section in &page.sections {
        let id = format!("cookies-{}", section.category.as_str());
        let _ = writeln!(out, "<section aria-labelledby=\"{id}\">");
        let _ = writeln!(
            out,
            "<h2 id=\"{id}\">{}</h2>",
            escape(words.section(section.category))
        );
        let _ = writeln!(out, "<p>{}</p>", escape(page.consent_sentence(section)));
        let _ = writeln!(out, "<table>");
        let _ = writeln!(
            out,
            "<caption>{}</caption>",
            escape(words.section(section.category))
        );
        let _ = writeln!(out, "<thead>");
        let _ = write!(out, "<tr>");
        for column in section.columns() {
            let _ = write!(
                out,
                "<th scope=\"col\">{}</th>",
                escape(page.header(*column))
            );
        }
        let _ = writeln!(out, "</tr>");
        let _ = writeln!(out, "</thead>");
        let _ = writeln!(out, "<tbody{body_lang}>");
        for cookie in &section.cookies {
            let _ = write!(out, "<tr>");
            for column in section.columns() {
                match (column, column.cell(cookie)) {
                    (Column::Name, Some(name)) => {
                        let _ = write!(out, "<td><code>{}</code></td>", escape(&name));
                    }
                    (_, Some(text)) => {
                        let _ = write!(out, "<td>{}</td>", escape(&text));
                    }
                    (_, None) => {
                        let _ = write!(
                            out,
                            "<td lang=\"{}\">{}</td>",
                            page.lang.as_str(),
                            escape(words.not_stated)
                        );
                    }
                }
            }
            let _ = writeln!(out, "</tr>");
        }
        let _ = writeln!(out, "</tbody>");
        let _ = writeln!(out, "</table>");
        let _ = writeln!(out, "</section>");
    }
    let _ = writeln!(out, "</main>");
    let _ = writeln!(out, "</body>");
    let _ = writeln!(out, "</html>");
    out
}

/// Text safe in element content and in double- or single-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
