//! The page as plain text: paragraphs, and each table as tab-separated lines (a header
//! line, then one line per cookie), the way the seed pages read when copied from a
//! browser. `charte import` reads this format back.

use std::fmt::Write as _;

use super::Page;

/// Writes the page.
pub(crate) fn write(page: &Page<'_>) -> String {
    let words = page.words;
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", words.title);
    let _ = writeln!(out, "{}\n", words.intro);
    let _ = writeln!(out, "{} <{}>\n", words.site_label, page.charter.site());
    let _ = writeln!(out, "{}\n", words.what_heading);
    let _ = writeln!(out, "{}\n", words.what);
    let _ = writeln!(out, "{}\n", words.kinds_heading);
    for category in crate::Category::ALL {
        let (name, meaning) = words.kind(category);
        let _ = writeln!(out, "- {name}{}{meaning}", words.colon);
    }
    let _ = writeln!(out, "\n{}", words.choice);
    if page.sections.is_empty() {
        let _ = writeln!(out, "\n{}", words.no_cookies);
    }
    for section in &page.sections {
        let _ = writeln!(out, "\n{}\n", words.section(section.category));
        let _ = writeln!(out, "{}\n", page.consent_sentence(section));
        let columns = section.columns();
        let header: Vec<&str> = columns.iter().map(|c| page.header(*c)).collect();
        let _ = writeln!(out, "{}", header.join("\t"));
        for cookie in &section.cookies {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| c.cell(cookie).map(|t| cell(&t)).unwrap_or_default())
                .collect();
            let _ = writeln!(out, "{}", cells.join("\t"));
        }
    }
    out
}

/// A cell on one line: a tab or a line break would split the table, so they become spaces.
fn cell(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect()
}
