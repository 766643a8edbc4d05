//! Errors about a declaration, located and rendered the way rustc renders its own.
//!
//! Byte spans become line and column in exactly one place, [`SourceFile::locate`], so the
//! macro, the command line and the tests all agree on positions.

use std::fmt::{self, Write as _};
use std::ops::Range;

/// One file of a declaration, kept whole so diagnostics can quote it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user wrote it (or as it was reached through `extends`).
    pub display: String,
    /// Its content.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Indexes `text` for line/column lookups.
    pub fn new(display: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            display: display.into(),
            text,
            line_starts,
        }
    }

    /// The location of a byte span: 1-based line and column (columns count characters,
    /// as rustc does), the line's text, and how many characters to underline.
    pub fn locate(&self, span: Range<usize>) -> Location {
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let end = floor_char_boundary(&self.text, span.end.clamp(start, self.text.len()));
        let line_index = match self.line_starts.binary_search(&start) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[line_index];
        let line_end = self
            .line_starts
            .get(line_index + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line_text = self.text[line_start..line_end].trim_end_matches('\r');
        let column = self.text[line_start..start].chars().count() + 1;
        // Underline to the end of the span, but never past the end of the quoted line.
        let underline_end = end.min(line_start + line_text.len()).max(start);
        let width = self.text[start..underline_end].chars().count().max(1);
        Location {
            file: self.display.clone(),
            line: line_index + 1,
            column,
            line_text: line_text.to_owned(),
            width,
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Where a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as displayed.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The whole line, quoted under the message.
    pub line_text: String,
    /// How many characters to underline.
    pub width: usize,
}

/// An error found in a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong, in one line.
    pub message: String,
    /// Where, when the problem has a place in a file.
    pub location: Option<Location>,
    /// A short label under the caret.
    pub label: Option<String>,
    /// Other places that explain this one (a first declaration, a base file).
    pub notes: Vec<(String, Option<Location>)>,
    /// The likely fix.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error without a place in a file (a file that cannot be read, say).
    pub fn new(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            location: None,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// An error at a span of a file.
    pub fn at(file: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            location: Some(file.locate(span)),
            ..Diagnostic::new(message)
        }
    }

    /// Adds the text shown under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Adds a `help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a `note:`, optionally pointing at another place.
    pub fn note(mut self, note: impl Into<String>, at: Option<Location>) -> Diagnostic {
        self.notes.push((note.into(), at));
        self
    }

    /// The body rustc would print after `error: `, without colour: the message, then
    /// `--> file:line:col`, the quoted line with its caret, the notes and the help.
    pub fn render(&self) -> String {
        self.render_with(&Style::PLAIN)
    }

    /// Renders with ANSI colours, for a terminal.
    pub fn render_colored(&self) -> String {
        self.render_with(&Style::ANSI)
    }

    fn render_with(&self, style: &Style) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "{}error{}{}: {}{}",
            style.error, style.reset, style.bold, self.message, style.reset
        );
        let gutter = std::iter::once(self.location.as_ref())
            .chain(self.notes.iter().map(|(_, at)| at.as_ref()))
            .flatten()
            .map(|l| l.line.to_string().len())
            .max()
            .unwrap_or(0);
        if let Some(location) = &self.location {
            quote_location(&mut out, style, gutter, location, self.label.as_deref());
        }
        for (note, at) in &self.notes {
            match at {
                Some(location) => {
                    let _ = write!(out, "\n{}note{}: {}", style.note, style.reset, note);
                    quote_location(&mut out, style, gutter, location, None);
                }
                None => {
                    let _ = write!(
                        out,
                        "\n{:gutter$} {}={} note: {}",
                        "", style.blue, style.reset, note
                    );
                }
            }
        }
        if let Some(help) = &self.help {
            let _ = write!(
                out,
                "\n{:gutter$} {}={} {}help{}: {}",
                "", style.blue, style.reset, style.help, style.reset, help
            );
        }
        out
    }
}

fn quote_location(
    out: &mut String,
    style: &Style,
    gutter: usize,
    location: &Location,
    label: Option<&str>,
) {
    let blue = style.blue;
    let reset = style.reset;
    let _ = write!(
        out,
        "\n{:gutter$}{blue}-->{reset} {}:{}:{}",
        "", location.file, location.line, location.column
    );
    let _ = write!(out, "\n{:gutter$} {blue}|{reset}", "");
    let _ = write!(
        out,
        "\n{blue}{:>gutter$} |{reset} {}",
        location.line,
        location.line_text.replace('\t', "    ")
    );
    // Tabs are shown as four spaces, so the caret must move the same way.
    let prefix_width: usize = location
        .line_text
        .chars()
        .take(location.column - 1)
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum();
    let _ = write!(
        out,
        "\n{:gutter$} {blue}|{reset} {:prefix_width$}{}{}{}",
        "",
        "",
        style.error,
        "^".repeat(location.width),
        reset
    );
    if let Some(label) = label {
        let _ = write!(out, " {}{label}{reset}", style.error);
    }
}

struct Style {
    error: &'static str,
    note: &'static str,
    help: &'static str,
    blue: &'static str,
    bold: &'static str,
    reset: &'static str,
}

impl Style {
    const PLAIN: Style = Style {
        error: "",
        note: "",
        help: "",
        blue: "",
        bold: "",
        reset: "",
    };
    const ANSI: Style = Style {
        error: "\x1b[1;31m",
        note: "\x1b[1;32m",
        help: "\x1b[1;36m",
        blue: "\x1b[1;34m",
        bold: "\x1b[1m",
        reset: "\x1b[0m",
    };
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Everything wrong with a declaration: never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            f.write_str(&d.render())?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters_from_one() {
        let file = SourceFile::new("x.toml", "a = 1\ncatégorie = \"x\"\n");
        let at = file.locate(19..22);
        assert_eq!((at.line, at.column), (2, 13));
        assert_eq!(at.line_text, "catégorie = \"x\"");
        assert_eq!(at.width, 3);
    }

    #[test]
    fn render_quotes_the_line_with_a_caret_under_the_span() {
        let file = SourceFile::new("p.toml", "[[cookie]]\ncategory = \"stat\"\n");
        let d = Diagnostic::at(&file, 22..28, "unknown category \"stat\"")
            .help("did you mean \"statistics\"?");
        assert_eq!(
            d.render(),
            "error: unknown category \"stat\"\n --> p.toml:2:12\n  |\n2 | category = \"stat\"\n  |            ^^^^^^\n  = help: did you mean \"statistics\"?"
        );
    }

    #[test]
    fn locate_clamps_spans_past_the_end() {
        let file = SourceFile::new("x.toml", "a");
        let at = file.locate(5..9);
        assert_eq!((at.line, at.column, at.width), (1, 2, 1));
    }
}
