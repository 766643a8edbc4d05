//! Reading an existing charter page (text copied from a browser, like the seed pages)
//! into a declaration.
//!
//! A page is read line by line:
//!
//! - a line holding `<https://...>` gives the site's address (a bare `https://...` is
//!   used when no line has the bracketed form);
//! - a short line that names one category (« Cookies nécessaires... », « cookies
//!   fonctionnels », « statistiques », « internes », « tiers », "Necessary cookies",
//!   "Third-party cookies"...) starts that category's section; a short line about
//!   cookies that names none (« Cookies publicitaires ») starts a section without one;
//! - a tab-separated line whose cells are column names (French or English, in any order,
//!   with extra columns such as a duration or a category) starts a table;
//! - every other tab-separated line is a cookie of the current table;
//! - blank lines, separator rows (`-----`), prose and stray lines are skipped; a stray
//!   line inside a table is reported as a warning.
//!
//! Anything that cannot be placed (a row outside a table, a table without category, a
//! missing column or cell, a name that is not a cookie name, a cookie declared twice) is
//! an error with its line number: [`import`] reports all of them at once. The declaration
//! produced is checked with [`charte_core::check_str`] before it is returned, so what
//! `import` returns, `charte check` accepts.

use std::fmt::{self, Write as _};

use charte_core::{Category, Lang};

/// A declaration read from a charter page.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The site's address.
    pub site: String,
    /// The language of the page's texts (from its table headers).
    pub lang: Lang,
    /// The cookies, in page order.
    pub cookies: Vec<ImportedCookie>,
    /// Lines skipped or details left out, for the user to review.
    pub warnings: Vec<Note>,
    toml: String,
}

impl Imported {
    /// The declaration as TOML, accepted by `charte check`.
    pub fn toml(&self) -> &str {
        &self.toml
    }
}

/// One cookie read from a table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCookie {
    /// The page line of its row (1-based).
    pub line: usize,
    /// « Nom du cookies » (a pattern keeps its final `*`).
    pub name: String,
    /// « Nom du prestataire ».
    pub provider: String,
    /// « Service et emplacement ».
    pub service: String,
    /// « Finalités ».
    pub purpose: String,
    /// From the section heading, or from the row's category column.
    pub category: Category,
    /// The page's words for the duration, when the page gives one that can be declared.
    pub duration: Option<String>,
}

/// A message about one line of the page (or about the whole page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The 1-based page line, when the message is about one.
    pub line: Option<usize>,
    /// What happened, in one sentence.
    pub message: String,
}

impl Note {
    fn at(line: usize, message: impl Into<String>) -> Note {
        Note {
            line: Some(line),
            message: message.into(),
        }
    }

    fn page(message: impl Into<String>) -> Note {
        Note {
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why a page could not be turned into a declaration: every problem found, in page order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// What could not be placed, each with its line where it has one.
    pub problems: Vec<Note>,
    /// Warnings gathered before giving up.
    pub warnings: Vec<Note>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// Reads a charter page into a declaration. See the [module documentation](self) for
/// what a page may hold.
///
/// ```
/// let page = "Cookies nécessaires\n\
///             Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités\n\
///             Opendatasoft\tAuthentification\tsessionid\tSe souvenir de l'utilisateur.\n\
///             <https://opendata.example.fr>\n";
/// let imported = charte_cli::import::import(page).unwrap();
/// assert_eq!(imported.cookies[0].name, "sessionid");
/// assert!(charte_core::check_str("imported.toml", imported.toml()).charter.is_ok());
/// ```
pub fn import(text: &str) -> Result<Imported, ImportError> {
    let mut reader = Reader::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, line) in text.split('\n').enumerate() {
        reader.line(index + 1, line.trim_end_matches('\r'));
    }
    reader.finish()
}

/// A column of a charter table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Provider,
    Service,
    Name,
    Purpose,
    Duration,
    Category,
}

impl Field {
    const REQUIRED: [Field; 4] = [Field::Provider, Field::Service, Field::Name, Field::Purpose];

    fn label(self) -> &'static str {
        match self {
            Field::Provider => "« Nom du prestataire » (Provider)",
            Field::Service => "« Service et emplacement » (Service and location)",
            Field::Name => "« Nom du cookies » (Cookie name)",
            Field::Purpose => "« Finalités » (Purpose)",
            Field::Duration => "« Durée » (Duration)",
            Field::Category => "« Catégorie » (Category)",
        }
    }
}

/// Column names as pages write them, normalized (see [`normalize`]), with the language
/// they tell, if any.
const HEADER_WORDS: &[(&str, Field, Option<Lang>)] = &[
    ("nom du prestataire", Field::Provider, Some(Lang::Fr)),
    ("prestataire", Field::Provider, Some(Lang::Fr)),
    ("prestataires", Field::Provider, Some(Lang::Fr)),
    ("fournisseur", Field::Provider, Some(Lang::Fr)),
    ("editeur", Field::Provider, Some(Lang::Fr)),
    ("emetteur", Field::Provider, Some(Lang::Fr)),
    ("provider", Field::Provider, Some(Lang::En)),
    ("providers", Field::Provider, Some(Lang::En)),
    ("provider name", Field::Provider, Some(Lang::En)),
    ("vendor", Field::Provider, Some(Lang::En)),
    ("service et emplacement", Field::Service, Some(Lang::Fr)),
    ("emplacement", Field::Service, Some(Lang::Fr)),
    ("service and location", Field::Service, Some(Lang::En)),
    ("location", Field::Service, Some(Lang::En)),
    ("service", Field::Service, None),
    ("services", Field::Service, None),
    ("nom du cookies", Field::Name, Some(Lang::Fr)),
    ("nom du cookie", Field::Name, Some(Lang::Fr)),
    ("nom des cookies", Field::Name, Some(Lang::Fr)),
    ("nom", Field::Name, Some(Lang::Fr)),
    ("cookie name", Field::Name, Some(Lang::En)),
    ("name", Field::Name, Some(Lang::En)),
    ("cookie", Field::Name, None),
    ("cookies", Field::Name, None),
    ("finalites", Field::Purpose, Some(Lang::Fr)),
    ("finalite", Field::Purpose, Some(Lang::Fr)),
    ("objet", Field::Purpose, Some(Lang::Fr)),
    ("objectif", Field::Purpose, Some(Lang::Fr)),
    ("purpose", Field::Purpose, Some(Lang::En)),
    ("purposes", Field::Purpose, Some(Lang::En)),
    ("description", Field::Purpose, None),
    ("duree", Field::Duration, Some(Lang::Fr)),
    ("duree de conservation", Field::Duration, Some(Lang::Fr)),
    ("duree de vie", Field::Duration, Some(Lang::Fr)),
    ("duration", Field::Duration, Some(Lang::En)),
    ("expiry", Field::Duration, Some(Lang::En)),
    ("lifetime", Field::Duration, Some(Lang::En)),
    ("retention", Field::Duration, Some(Lang::En)),
    ("expiration", Field::Duration, None),
    ("categorie", Field::Category, Some(Lang::Fr)),
    ("category", Field::Category, Some(Lang::En)),
    ("type", Field::Category, None),
];

/// Words that name a category in a heading or a category cell, normalized. Two-word
/// entries match adjacent words.
const CATEGORY_WORDS: &[(&str, Category)] = &[
    ("necessaire", Category::Necessary),
    ("necessaires", Category::Necessary),
    ("necessary", Category::Necessary),
    ("fonctionnel", Category::Necessary),
    ("fonctionnels", Category::Necessary),
    ("functional", Category::Necessary),
    ("essentiel", Category::Necessary),
    ("essentiels", Category::Necessary),
    ("essential", Category::Necessary),
    ("indispensable", Category::Necessary),
    ("indispensables", Category::Necessary),
    ("statistique", Category::Statistics),
    ("statistiques", Category::Statistics),
    ("statistics", Category::Statistics),
    ("statistical", Category::Statistics),
    ("analytics", Category::Statistics),
    ("audience", Category::Statistics),
    ("interne", Category::FirstParty),
    ("internes", Category::FirstParty),
    ("internal", Category::FirstParty),
    ("first party", Category::FirstParty),
    ("tiers", Category::ThirdParty),
    ("tierce", Category::ThirdParty),
    ("tierces", Category::ThirdParty),
    ("third party", Category::ThirdParty),
];

/// Headings are short; longer lines are prose.
const MAX_HEADING_CHARS: usize = 120;

/// The table being read.
#[derive(Debug)]
struct Table {
    line: usize,
    /// The field of each column, `None` for a column not imported.
    columns: Vec<Option<Field>>,
    /// A table missing a required column: its rows are skipped (already reported).
    broken: bool,
}

impl Table {
    fn column(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(field))
    }
}

/// Where the reader stands: under which heading.
#[derive(Debug, Clone)]
enum Section {
    /// No heading yet.
    None,
    /// Under a heading naming one category.
    Known(Category),
    /// Under a heading about cookies that names no single category.
    Unknown { line: usize, text: String },
}

#[derive(Debug)]
struct Reader {
    site: Option<(usize, String)>,
    bare_site: Option<(usize, String)>,
    lang: Option<Lang>,
    section: Section,
    table: Option<Table>,
    cookies: Vec<ImportedCookie>,
    /// Notes on durations left out, per cookie index, written as TOML comments.
    comments: Vec<(usize, String)>,
    problems: Vec<Note>,
    warnings: Vec<Note>,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            site: None,
            bare_site: None,
            lang: None,
            section: Section::None,
            table: None,
            cookies: Vec::new(),
            comments: Vec::new(),
            problems: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl Reader {
    fn line(&mut self, number: usize, line: &str) {
        if line.trim().is_empty() || is_separator(line) {
            return;
        }
        if line.contains('\t') {
            self.tabbed(number, line);
            return;
        }
        if let Some(site) = bracketed_site(line) {
            match &self.site {
                None => self.site = Some((number, site)),
                Some((first, known)) if *known != site => {
                    let message = format!(
                        "another address <{site}> ignored: the site is <{known}> (line {first})"
                    );
                    self.warnings.push(Note::at(number, message));
                }
                Some(_) => {}
            }
            return;
        }
        if self.bare_site.is_none() {
            if let Some(site) = bare_site(line) {
                self.bare_site = Some((number, site));
            }
        }
        match heading(line) {
            Some(Heading::Category(category)) => {
                self.section = Section::Known(category);
                self.table = None;
            }
            Some(Heading::Other) => {
                self.section = Section::Unknown {
                    line: number,
                    text: line.trim().to_owned(),
                };
                self.table = None;
            }
            None if self.table.is_some() => {
                self.warnings.push(Note::at(
                    number,
                    format!("skipped {:?}: not a table row (no tab)", line.trim()),
                ));
            }
            None => {}
        }
    }

    fn tabbed(&mut self, number: usize, line: &str) {
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        // Inside a table, only a row of exact column names starts another one.
        let strict = self.table.is_some();
        if let Some((columns, lang)) = header(&cells, strict) {
            self.start_table(number, &cells, columns, lang);
            return;
        }
        let Some(table) = &self.table else {
            self.problems.push(Note::at(
                number,
                format!(
                    "a table row with no table header above it: {:?} (expected a header such as \
                     « Nom du prestataire\tService et emplacement\tNom du cookies\tFinalités »)",
                    line.trim()
                ),
            ));
            return;
        };
        if table.broken {
            return;
        }
        self.row(number, &cells);
    }

    fn start_table(
        &mut self,
        number: usize,
        cells: &[&str],
        columns: Vec<Option<Field>>,
        lang: Option<Lang>,
    ) {
        if self.lang.is_none() {
            self.lang = lang;
        }
        let mut table = Table {
            line: number,
            columns,
            broken: false,
        };
        for (cell, column) in cells.iter().zip(&table.columns) {
            if column.is_none() && !cell.is_empty() {
                self.warnings
                    .push(Note::at(number, format!("column « {cell} » not imported")));
            }
        }
        let missing: Vec<&str> = Field::REQUIRED
            .into_iter()
            .filter(|f| table.column(*f).is_none())
            .map(Field::label)
            .collect();
        if !missing.is_empty() {
            self.problems.push(Note::at(
                number,
                format!(
                    "the table has no {} column: every cookie needs a provider, a service, a \
                     name and a purpose",
                    missing.join(", no ")
                ),
            ));
            table.broken = true;
        }
        if !table.broken && table.column(Field::Category).is_none() {
            let why = match &self.section {
                Section::Known(_) => None,
                Section::None => Some(String::from("no heading above it names a category")),
                Section::Unknown { line, text } => Some(format!(
                    "its heading {text:?} (line {line}) names no single category"
                )),
            };
            if let Some(why) = why {
                self.problems.push(Note::at(
                    number,
                    format!(
                        "this table's cookies have no category: {why} (expected « Cookies \
                         nécessaires », « statistiques », « internes », « tiers », \"Necessary \
                         cookies\"..., or a « Catégorie » column)"
                    ),
                ));
                table.broken = true;
            }
        }
        self.table = Some(table);
    }

    fn row(&mut self, number: usize, cells: &[&str]) {
        let Some(table) = &self.table else { return };
        let header_line = table.line;
        let mut problems = Vec::new();
        let mut value = |field: Field| -> Option<String> {
            let index = table.column(field)?;
            match cells.get(index) {
                Some(cell) if !cell.is_empty() => Some((*cell).to_owned()),
                Some(_) => {
                    problems.push(format!("empty {}", field.label()));
                    None
                }
                None => {
                    problems.push(format!(
                        "no {} cell: the row has {} cells, the header (line {header_line}) has {}",
                        field.label(),
                        cells.len(),
                        table.columns.len()
                    ));
                    None
                }
            }
        };
        let provider = value(Field::Provider);
        let service = value(Field::Service);
        let name = value(Field::Name).map(|n| cookie_name(&n));
        let purpose = value(Field::Purpose);
        let extra = cells
            .iter()
            .skip(table.columns.len())
            .filter(|c| !c.is_empty())
            .count();
        let duration_cell = table
            .column(Field::Duration)
            .and_then(|i| cells.get(i))
            .map(|c| (*c).to_owned());
        let category_cell = table
            .column(Field::Category)
            .and_then(|i| cells.get(i))
            .filter(|c| !c.is_empty())
            .map(|c| (*c).to_owned());
        if extra > 0 {
            self.warnings.push(Note::at(
                number,
                format!("{extra} cell(s) past the header's columns ignored"),
            ));
        }
        if let Some(name) = &name {
            let bare = name.strip_suffix('*').unwrap_or(name);
            if !charte_core::names::is_token(bare) {
                problems.push(format!(
                    "{name:?} is not a cookie name (RFC 6265 token: no spaces, commas, quotes \
                     or accents; a family of names is written as a prefix ending in `*`)"
                ));
            }
        }
        let category = match (&category_cell, &self.section) {
            (Some(cell), _) => match Category::parse(cell).or_else(|| category_named(cell)) {
                Some(category) => Some(category),
                None => {
                    problems.push(format!(
                        "category {cell:?} is none of necessary, statistics, first-party, \
                         third-party"
                    ));
                    None
                }
            },
            (None, Section::Known(category)) => Some(*category),
            (None, _) => {
                problems.push(String::from("empty « Catégorie » and no category heading"));
                None
            }
        };
        if !problems.is_empty() {
            for problem in problems {
                self.problems.push(Note::at(number, problem));
            }
            return;
        }
        let (Some(provider), Some(service), Some(name), Some(purpose), Some(category)) =
            (provider, service, name, purpose, category)
        else {
            return;
        };
        let duration = duration_cell.and_then(|text| self.duration(number, &text));
        let cookie = ImportedCookie {
            line: number,
            name,
            provider,
            service,
            purpose,
            category,
            duration,
        };
        if let Some(first) = self.cookies.iter().find(|c| c.name == cookie.name) {
            let same = ImportedCookie {
                line: first.line,
                ..cookie.clone()
            } == *first;
            if same {
                self.warnings.push(Note::at(
                    number,
                    format!("the same row as line {}: skipped", first.line),
                ));
            } else {
                self.problems.push(Note::at(
                    number,
                    format!(
                        "cookie {:?} is already declared at line {}, differently",
                        cookie.name, first.line
                    ),
                ));
            }
            return;
        }
        self.cookies.push(cookie);
    }

    /// A duration cell: kept when a declaration can carry it, otherwise left out with a
    /// warning and a TOML comment.
    fn duration(&mut self, number: usize, text: &str) -> Option<String> {
        if matches!(text, "" | "-" | "—" | "–") || text.eq_ignore_ascii_case("n/a") {
            return None;
        }
        let why = match charte_core::duration::parse(text) {
            Ok(Some(seconds)) if seconds > charte_core::duration::MAX_COOKIE_LIFETIME => {
                "over 400 days, which browsers cap"
            }
            Ok(_) => return Some(text.to_owned()),
            Err(_) => "not `session` nor `<n> <unit>`",
        };
        self.warnings.push(Note::at(
            number,
            format!("duration {text:?} left out: {why}"),
        ));
        self.comments.push((
            self.cookies.len(),
            format!("duration on the page: {text:?}"),
        ));
        None
    }

    fn finish(mut self) -> Result<Imported, ImportError> {
        let site = match (self.site.take(), self.bare_site.take()) {
            (Some((_, site)), _) => Some(site),
            (None, Some((line, site))) => {
                self.warnings.push(Note::at(
                    line,
                    format!("site address read from the bare URL {site}"),
                ));
                Some(site)
            }
            (None, None) => {
                self.problems.push(Note::page(
                    "no site address found: expected a line holding <https://...>",
                ));
                None
            }
        };
        if self.cookies.is_empty() && self.problems.is_empty() {
            self.problems.push(Note::page(
                "no cookie table found: expected a tab-separated header such as « Nom du \
                 prestataire\tService et emplacement\tNom du cookies\tFinalités »",
            ));
        }
        let Some(site) = site.filter(|_| self.problems.is_empty()) else {
            return Err(self.error());
        };
        let lang = self.lang.unwrap_or_default();
        let (toml, spans) = write_toml(&site, lang, &self.cookies, &self.comments);
        if let Err(diagnostics) = charte_core::check_str("imported.toml", &toml).charter {
            for d in diagnostics.0 {
                let toml_line = d.location.as_ref().map(|l| l.line);
                let page_line = toml_line.and_then(|line| {
                    spans
                        .iter()
                        .position(|span| span.contains(&line))
                        .map(|i| self.cookies[i].line)
                });
                let mut message = d.message;
                if let Some(help) = d.help {
                    let _ = write!(message, " (help: {help})");
                }
                self.problems.push(Note {
                    line: page_line,
                    message,
                });
            }
            return Err(self.error());
        }
        Ok(Imported {
            site,
            lang,
            cookies: self.cookies,
            warnings: self.warnings,
            toml,
        })
    }

    fn error(mut self) -> ImportError {
        self.problems.sort_by_key(|n| n.line);
        ImportError {
            problems: self.problems,
            warnings: self.warnings,
        }
    }
}

/// Writes the declaration; returns it with the TOML line range of each cookie.
fn write_toml(
    site: &str,
    lang: Lang,
    cookies: &[ImportedCookie],
    comments: &[(usize, String)],
) -> (String, Vec<std::ops::Range<usize>>) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Declared by `charte import` from a charter page. Check it against the cookies the\n\
         # site really sets, and add `consent_cookie`, `duration` and attributes where known.\n"
    );
    let _ = writeln!(out, "[charter]");
    let _ = writeln!(out, "site = {}", toml_string(site));
    let _ = writeln!(out, "lang = \"{}\"", lang.as_str());
    let mut spans = Vec::with_capacity(cookies.len());
    for (index, cookie) in cookies.iter().enumerate() {
        let _ = writeln!(out, "\n# page line {}", cookie.line);
        let first = out.lines().count() + 1;
        let _ = writeln!(out, "[[cookie]]");
        let _ = writeln!(out, "name = {}", toml_string(&cookie.name));
        let _ = writeln!(out, "provider = {}", toml_string(&cookie.provider));
        let _ = writeln!(out, "service = {}", toml_string(&cookie.service));
        let _ = writeln!(out, "purpose = {}", toml_string(&cookie.purpose));
        let _ = writeln!(out, "category = \"{}\"", cookie.category.as_str());
        if let Some(duration) = &cookie.duration {
            let _ = writeln!(out, "duration = {}", toml_string(duration));
        }
        for (_, comment) in comments.iter().filter(|(i, _)| *i == index) {
            let _ = writeln!(out, "# {comment}");
        }
        // Browsers enforce these prefixes: the page's cookie must have been set this way.
        match charte_core::names::NamePrefix::of(&cookie.name) {
            Some(charte_core::names::NamePrefix::Host) => {
                let _ = writeln!(out, "secure = true\npath = \"/\"");
            }
            Some(charte_core::names::NamePrefix::Secure) => {
                let _ = writeln!(out, "secure = true");
            }
            None => {}
        }
        spans.push(first..out.lines().count() + 1);
    }
    (out, spans)
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A row of dashes, equals signs or pipes (with tabs, spaces, `+` or `:`) under a header.
fn is_separator(line: &str) -> bool {
    let line = line.trim();
    line.chars()
        .filter(|c| matches!(c, '-' | '=' | '—' | '_'))
        .count()
        >= 3
        && line
            .chars()
            .all(|c| matches!(c, '-' | '=' | '—' | '_' | '|' | '+' | ':' | '\t' | ' '))
}

/// The address in `<https://...>` on a line.
fn bracketed_site(line: &str) -> Option<String> {
    let start = line.find("<http")?;
    let rest = &line[start + 1..];
    let end = rest.find('>')?;
    let url = rest[..end].trim();
    (url.starts_with("https://") || url.starts_with("http://")).then(|| url.to_owned())
}

/// A bare `https://...` on a line, without trailing punctuation.
fn bare_site(line: &str) -> Option<String> {
    let start = line.find("https://").or_else(|| line.find("http://"))?;
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | ')' | '»' | '>'))
        .collect();
    Some(url.trim_end_matches(['.', ',', ';', ':']).to_owned())
}

enum Heading {
    Category(Category),
    /// About cookies, but naming no single category.
    Other,
}

/// Whether a line (without tabs) is a section heading, and of which category.
fn heading(line: &str) -> Option<Heading> {
    let line = line.trim();
    let prose = line.chars().count() > MAX_HEADING_CHARS
        || line.ends_with(['.', '?', '!', ';', ','])
        || line.starts_with(['-', '*', '•']);
    if prose {
        return None;
    }
    if let Some(category) = category_named(line) {
        return Some(Heading::Category(category));
    }
    let words = normalize(line);
    let about_cookies = words
        .split(' ')
        .any(|w| matches!(w, "cookie" | "cookies" | "traceur" | "traceurs"));
    about_cookies.then_some(Heading::Other)
}

/// The one category a short text names, if it names exactly one.
fn category_named(text: &str) -> Option<Category> {
    let words = format!(" {} ", normalize(text));
    let mut found = CATEGORY_WORDS
        .iter()
        .filter(|(word, _)| words.contains(&format!(" {word} ")))
        .map(|(_, category)| *category);
    let first = found.next()?;
    found.all(|c| c == first).then_some(first)
}

/// The columns of a header row and the language its words tell, or `None` when the
/// row is not a header: fewer than two distinct column names, none written exactly as
/// [`HEADER_WORDS`] has it, or as many other cells as column names. A `strict` header
/// (one inside a table) has nothing but exact column names.
fn header(cells: &[&str], strict: bool) -> Option<(Vec<Option<Field>>, Option<Lang>)> {
    let mut columns = Vec::with_capacity(cells.len());
    let mut french = 0;
    let mut english = 0;
    let mut exact = 0;
    let mut recognised = 0;
    for cell in cells {
        let words = normalize(cell.trim_end_matches(':'));
        let found = match HEADER_WORDS.iter().find(|(name, _, _)| *name == words) {
            Some(found) => {
                exact += 1;
                Some(found)
            }
            None => header_keyword(&words),
        };
        recognised += usize::from(found.is_some());
        let field = found.map(|(_, field, lang)| {
            match lang {
                Some(Lang::Fr) => french += 1,
                Some(Lang::En) => english += 1,
                None => {}
            }
            *field
        });
        // A column named twice is read once, from its first place.
        columns.push(field.filter(|f| !columns.contains(&Some(*f))));
    }
    // A data row may hold a column word or two ("Service", "the purpose of..."); a header
    // is mostly column names, one of them written exactly as pages write it.
    let distinct = columns.iter().flatten().count();
    let filled = cells.iter().filter(|c| !c.is_empty()).count();
    let loose = exact == 0 || recognised * 2 <= filled;
    if distinct < 2 || loose || (strict && exact < filled) {
        return None;
    }
    let lang = match french.cmp(&english) {
        std::cmp::Ordering::Greater => Some(Lang::Fr),
        std::cmp::Ordering::Less => Some(Lang::En),
        std::cmp::Ordering::Equal => None,
    };
    Some((columns, lang))
}

/// Column names that only these words start (« Finalité(s) », « Durée de conservation
/// maximale », "Purpose of the cookie"), matched at the start of a word of a short cell.
const HEADER_KEYWORDS: &[(&str, Field, Option<Lang>)] = &[
    ("prestataire", Field::Provider, Some(Lang::Fr)),
    ("fournisseur", Field::Provider, Some(Lang::Fr)),
    ("provider", Field::Provider, Some(Lang::En)),
    ("emplacement", Field::Service, Some(Lang::Fr)),
    ("location", Field::Service, Some(Lang::En)),
    ("finalit", Field::Purpose, Some(Lang::Fr)),
    ("purpose", Field::Purpose, Some(Lang::En)),
    ("duree", Field::Duration, Some(Lang::Fr)),
    ("duration", Field::Duration, Some(Lang::En)),
    ("expir", Field::Duration, None),
    ("categor", Field::Category, None),
];

/// The column a short cell names by one of [`HEADER_KEYWORDS`], if exactly one.
fn header_keyword(words: &str) -> Option<&'static (&'static str, Field, Option<Lang>)> {
    if words.split(' ').count() > 5 {
        return None;
    }
    let mut found = HEADER_KEYWORDS
        .iter()
        .filter(|(keyword, _, _)| words.split(' ').any(|w| w.starts_with(keyword)));
    let first = found.next()?;
    found
        .all(|(_, field, _)| *field == first.1)
        .then_some(first)
}

/// A name cell without the quotes or backticks some pages put around it.
fn cookie_name(cell: &str) -> String {
    cell.trim_matches(|c: char| matches!(c, '`' | '"' | '\'' | '«' | '»') || c.is_whitespace())
        .to_owned()
}

/// Lowercase words without accents, separated by single spaces (`first-party` → `first party`).
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'â' | 'ä' | 'á' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' => "i",
            'ô' | 'ö' | 'ó' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ç' => "c",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => " ",
        };
        out.push_str(plain);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_name_one_category_in_french_or_english() {
        let category = |line| match heading(line) {
            Some(Heading::Category(c)) => Some(c),
            _ => None,
        };
        assert_eq!(
            category(
                "Cookies nécessaires au bon fonctionnement de la plateforme / cookies fonctionnels"
            ),
            Some(Category::Necessary)
        );
        assert_eq!(category("Third-party cookies"), Some(Category::ThirdParty));
        assert_eq!(
            category("Cookies de mesure d'audience (statistiques)"),
            Some(Category::Statistics)
        );
        assert_eq!(category("Cookies internes et tiers"), None);
        assert_eq!(
            category("Les cookies « nécessaires » permettent de travailler."),
            None
        );
    }

    #[test]
    fn separators_are_rows_of_dashes() {
        assert!(is_separator(
            "--------------------\t------------------------\t-----"
        ));
        assert!(is_separator("| --- | :---: |"));
        assert!(!is_separator("Opendatasoft\t-\tx\ty"));
    }

    #[test]
    fn toml_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(toml_string(r#"a "b" \ c"#), r#""a \"b\" \\ c""#);
        assert_eq!(toml_string("a\u{7}"), r#""a\u0007""#);
    }
}
