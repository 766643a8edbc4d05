//! The page as Markdown (CommonMark with GitHub pipe tables).

use std::fmt::Write as _;

use super::{Column, Page};

/// Writes the page.
pub(crate) fn write(page: &Page<'_>) -> String {
    let words = page.words;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", words.title);
    let _ = writeln!(out, "{}\n", inline(words.intro));
    let _ = writeln!(
        out,
        "{} {}\n",
        inline(words.site_label),
        site(page.charter.site())
    );
    let _ = writeln!(out, "## {}\n", inline(words.what_heading));
    let _ = writeln!(out, "{}\n", inline(words.what));
    let _ = writeln!(out, "## {}\n", inline(words.kinds_heading));
    for category in crate::Category::ALL {
        let (name, meaning) = words.kind(category);
        let _ = writeln!(
            out,
            "- **{}**{}{}",
            inline(name),
            words.colon,
            inline(meaning)
        );
    }
    let _ = writeln!(out, "\n{}", inline(words.choice));
    if page.sections.is_empty() {
        let _ = writeln!(out, "\n{}", inline(words.no_cookies));
    }
    for section in &page.sections {
        let _ = writeln!(out, "\n## {}\n", inline(words.section(section.category)));
        let _ = writeln!(out, "{}\n", inline(page.consent_sentence(section)));
        let columns = section.columns();
        let header: Vec<String> = columns.iter().map(|c| inline(page.header(*c))).collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let rule: Vec<&str> = columns.iter().map(|_| "---").collect();
        let _ = writeln!(out, "| {} |", rule.join(" | "));
        for cookie in &section.cookies {
            let cells: Vec<String> = columns
                .iter()
                .map(|column| match (column, column.cell(cookie)) {
                    (Column::Name, Some(name)) => code(&name),
                    (_, Some(text)) => inline(&text),
                    (_, None) => words.not_stated.to_owned(),
                })
                .collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    out
}

/// Text as literal inline Markdown on one line: every character Markdown could read as
/// syntax is backslash-escaped (`|` included, so a cell cannot split its row).
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A cookie name as a code span. Inside a table, `|` must still be escaped (GitHub's
/// table rule applies before code spans); a name holding backticks gets a longer fence.
fn code(name: &str) -> String {
    let name = name.replace('|', "\\|");
    if name.contains('`') {
        format!("`` {name} ``")
    } else {
        format!("`{name}`")
    }
}

/// The site as an autolink when it can be one, escaped text otherwise.
fn site(url: &str) -> String {
    if url
        .chars()
        .any(|c| c == '<' || c == '>' || c.is_whitespace())
    {
        inline(url)
    } else {
        format!("<{url}>")
    }
}
