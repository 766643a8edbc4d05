//! The charter page, rendered from the declaration so that it cannot drift from it.
//!
//! [`Charter::render`] lays the page out once (the explanations, the site, one table per
//! category present) and each format writes it: `text` as tab-separated tables like the
//! seed pages, `markdown` with pipe tables, `html` as a standalone accessible page. The
//! page's own words, in French and English, are in `words`.

mod html;
mod markdown;
mod text;
mod words;

use std::fmt;

use crate::model::{Category, Charter, Cookie, Lang};
pub use html::Escaped;
use words::Words;

/// The format of a rendered charter page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A standalone HTML page: doctype, `lang`, escaped text, real tables.
    Html,
    /// Markdown with pipe tables.
    Markdown,
    /// Plain text; each table is tab-separated lines, as charter pages are copied
    /// from the web (and as `charte import` reads them).
    Text,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Html, Format::Markdown, Format::Text];

    /// `"html"`, `"md"` or `"text"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Text => "text",
        }
    }

    /// Reads a format name (case-insensitive): `html`, `md` or `markdown`, `text` or `txt`.
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "html" | "htm" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            "text" | "txt" => Some(Format::Text),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Charter {
    /// The charter page in `format`, its own words in `lang`.
    ///
    /// The page explains what cookies are and what the four categories mean, gives the
    /// site's address, then has one table per category present (in [`Category::ALL`]
    /// order) with the columns « Nom du prestataire | Service et emplacement | Nom du
    /// cookies | Finalités » (Provider | Service and location | Cookie name | Purpose),
    /// plus « Durée » (Duration) when a cookie of that table declares one. The declared
    /// texts stay in the charter's own language ([`Charter::lang`]).
    ///
    /// ```
    /// use charte_core::{render::Format, Lang};
    ///
    /// let charter = charte_core::check_str("inline.toml", r#"
    /// [charter]
    /// site = "https://opendata.example.fr"
    ///
    /// [[cookie]]
    /// name = "sessionid"
    /// provider = "Opendatasoft"
    /// service = "Authentification"
    /// purpose = "Se souvenir de l'utilisateur."
    /// category = "necessary"
    /// "#).charter.unwrap();
    ///
    /// let text = charter.render(Format::Text, Lang::Fr);
    /// assert!(text.contains("<https://opendata.example.fr>"));
    /// assert!(text.contains(
    ///     "Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
    ///      Opendatasoft\tAuthentification\tsessionid\tSe souvenir de l'utilisateur.\n"
    /// ));
    ///
    /// let html = charter.render(Format::Html, Lang::En);
    /// assert!(html.starts_with("<!DOCTYPE html>"));
    /// assert!(html.contains(r#"<th scope="col">Cookie name</th>"#));
    /// ```
    pub fn render(&self, format: Format, lang: Lang) -> String {
        let page = Page::new(self, lang);
        match format {
            Format::Html => html::write(&page),
            Format::Markdown => markdown::write(&page),
            Format::Text => text::write(&page),
        }
    }
}

/// What every format writes: the charter, the words of the page, the tables.
pub(crate) struct Page<'a> {
    pub charter: &'a Charter,
    pub lang: Lang,
    pub words: &'static Words,
    pub sections: Vec<Section<'a>>,
}

impl<'a> Page<'a> {
    fn new(charter: &'a Charter, lang: Lang) -> Page<'a> {
        let sections = Category::ALL
            .into_iter()
            .filter_map(|category| {
                let cookies: Vec<&Cookie> = charter
                    .cookies()
                    .iter()
                    .filter(|c| c.category() == category)
                    .collect();
                (!cookies.is_empty()).then_some(Section { category, cookies })
            })
            .collect();
        Page {
            charter,
            lang,
            words: Words::of(lang),
            sections,
        }
    }

    /// The sentence under a table's heading: whether its cookies wait for consent.
    pub fn consent_sentence(&self, section: &Section<'_>) -> &'static str {
        let needing = section.cookies.iter().filter(|c| c.needs_consent()).count();
        if needing == 0 {
            self.words.without_consent
        } else if needing == section.cookies.len() {
            self.words.with_consent
        } else {
            self.words.mixed_consent
        }
    }

    /// A column's header in the page's language.
    pub fn header(&self, column: Column) -> &'static str {
        match column {
            Column::Provider => self.words.provider,
            Column::Service => self.words.service,
            Column::Name => self.words.name,
            Column::Purpose => self.words.purpose,
            Column::Duration => self.words.duration,
        }
    }
}

/// One category's table.
pub(crate) struct Section<'a> {
    pub category: Category,
    /// In declaration order.
    pub cookies: Vec<&'a Cookie>,
}

impl Section<'_> {
    /// The table's columns: the seeds' four, then the duration when any cookie of the
    /// table declares one.
    pub fn columns(&self) -> &'static [Column] {
        const WITHOUT: &[Column] = &[
            Column::Provider,
            Column::Service,
            Column::Name,
            Column::Purpose,
        ];
        const WITH: &[Column] = &[
            Column::Provider,
            Column::Service,
            Column::Name,
            Column::Purpose,
            Column::Duration,
        ];
        if self.cookies.iter().any(|c| c.duration().is_some()) {
            WITH
        } else {
            WITHOUT
        }
    }
}

/// A column of a charter table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Provider,
    Service,
    Name,
    Purpose,
    Duration,
}

impl Column {
    /// The cell of a cookie: its declared words, or `None` for an undeclared duration.
    pub fn cell(self, cookie: &Cookie) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        match self {
            Column::Provider => Some(Cow::Borrowed(cookie.provider())),
            Column::Service => Some(Cow::Borrowed(cookie.service())),
            Column::Name => Some(cookie.declared_name()),
            Column::Purpose => Some(Cow::Borrowed(cookie.purpose())),
            Column::Duration => cookie.duration().map(|d| Cow::Borrowed(&*d.text)),
        }
    }
}
