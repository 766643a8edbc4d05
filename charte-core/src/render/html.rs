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
        Escaped(words.title),
        Escaped(host)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>");
    let _ = writeln!(out, "</head>");
    let _ = writeln!(out, "<body>");
    let _ = writeln!(out, "<main>");
    let _ = writeln!(out, "<h1>{}</h1>", Escaped(words.title));
    let _ = writeln!(out, "<p>{}</p>", Escaped(words.intro));
    let _ = writeln!(
        out,
        "<p>{} <a href=\"{}\">{}</a></p>",
        Escaped(words.site_label),
        Escaped(site),
        Escaped(site)
    );
    let _ = writeln!(out, "<h2>{}</h2>", Escaped(words.what_heading));
    let _ = writeln!(out, "<p>{}</p>", Escaped(words.what));
    let _ = writeln!(out, "<h2>{}</h2>", Escaped(words.kinds_heading));
    let _ = writeln!(out, "<dl>");
    for category in crate::Category::ALL {
        let (name, meaning) = words.kind(category);
        let _ = writeln!(out, "<dt>{}</dt>", Escaped(name));
        let _ = writeln!(out, "<dd>{}</dd>", Escaped(meaning));
    }
    let _ = writeln!(out, "</dl>");
    let _ = writeln!(out, "<p>{}</p>", Escaped(words.choice));
    if page.sections.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", Escaped(words.no_cookies));
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
            Escaped(words.section(section.category))
        );
        let _ = writeln!(out, "<p>{}</p>", Escaped(page.consent_sentence(section)));
        let _ = writeln!(out, "<table>");
        let _ = writeln!(
            out,
            "<caption>{}</caption>",
            Escaped(words.section(section.category))
        );
        let _ = writeln!(out, "<thead>");
        let _ = write!(out, "<tr>");
        for column in section.columns() {
            let _ = write!(
                out,
                "<th scope=\"col\">{}</th>",
                Escaped(page.header(*column))
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
                        let _ = write!(out, "<td><code>{}</code></td>", Escaped(&name));
                    }
                    (_, Some(text)) => {
                        let _ = write!(out, "<td>{}</td>", Escaped(&text));
                    }
                    (_, None) => {
                        let _ = write!(
                            out,
                            "<td lang=\"{}\">{}</td>",
                            page.lang.as_str(),
                            Escaped(words.not_stated)
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

/// Text written safe for HTML element content and double- or single-quoted attribute
/// values (`&`, `<`, `>`, `"` and `'` escaped), without allocating: the one escape of the
/// charter page, the banner and `charte audit`'s report.
///
/// ```
/// use charte_core::render::Escaped;
/// assert_eq!(Escaped("<a href='x'>&</a>").to_string(), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}
