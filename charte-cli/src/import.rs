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
//! - a tab-separated line whose cells are column names starts a table. A cell names a
//!   column as a reader would see it: by a French or English word for it, singular or
//!   plural, among other words (« Nom du/des cookie(s) », « Éditeur », « Finalité(s) »,
//!   "Supplier name", "Function", "Description", "Retention"...), in any order, with
//!   extra columns such as a duration or a category. A table without a provider or
//!   service column takes them from [`Defaults`] (`--provider`, `--service`);
//! - a duration cell becomes the cookie's `duration` when it has one certain reading,
//!   even written loosely ("2 weeks by default", "Up to 12 months"); otherwise it is left
//!   out with a warning;
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
    import_with(text, &Defaults::default())
}

/// What to write for a column the page's tables do not have.
///
/// Most real charter pages have no provider column (the site is the provider) or no
/// service column; a reader fills them in from what the page is about. `charte import`
/// takes them from `--provider TEXT` and `--service TEXT`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    /// The provider of the cookies of every table without a provider column.
    pub provider: Option<String>,
    /// The service of the cookies of every table without a service column.
    pub service: Option<String>,
}

impl Defaults {
    fn of(&self, field: Field) -> Option<&str> {
        match field {
            Field::Provider => self.provider.as_deref().map(str::trim),
            Field::Service => self.service.as_deref().map(str::trim),
            _ => None,
        }
    }
}

/// Reads a charter page like [`import`], filling the provider and service of tables
/// that have no such column from `defaults`.
///
/// # Errors
///
/// As [`import`]; and, when a table has no provider (service) column and `defaults` has
/// no provider (service), one problem for the page naming the flag `--provider`
/// (`--service`) and the tables' lines. An empty default is a problem too.
///
/// ```
/// use charte_cli::import::{import_with, Defaults};
///
/// let page = "<https://data.example.org>\n\
///             Necessary cookies\n\
///             Supplier name\tCookie name\tDuration\tFunction\n\
///             Opendatasoft\tsessionid\t2 weeks by default\tKeep you signed in\n";
/// let defaults = Defaults {
///     service: Some("Whole site".to_owned()),
///     ..Defaults::default()
/// };
/// let imported = import_with(page, &defaults).unwrap();
/// assert_eq!(imported.cookies[0].service, "Whole site");
/// assert_eq!(imported.cookies[0].duration.as_deref(), Some("2 weeks"));
///
/// let error = import_with(page, &Defaults::default()).unwrap_err();
/// assert!(error.to_string().contains("--service"));
/// ```
pub fn import_with(text: &str, defaults: &Defaults) -> Result<Imported, ImportError> {
    let mut reader = Reader {
        defaults: defaults.clone(),
        ..Reader::default()
    };
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
    /// The columns every table needs: nothing else can tell them.
    const REQUIRED: [Field; 2] = [Field::Name, Field::Purpose];
    /// The columns a table may lack when the command line gives their value.
    const FILLABLE: [Field; 2] = [Field::Provider, Field::Service];

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

    /// The command-line flag that fills a missing column (without its dashes), for the
    /// fillable ones.
    fn flag(self) -> &'static str {
        match self {
            Field::Provider => "provider",
            _ => "service",
        }
    }
}

/// The words that name each column, normalized and singular (see [`column_words`]). A
/// header cell names the column whose word it holds, whatever else it says (« Nom du
/// prestataire », "Supplier name", "Purpose of the cookie", « Durée de conservation
/// maximale »). The name column comes last: its words count only when the cell names no
/// other column, since « Nom du prestataire » and "Cookie duration" hold them too.
#[rustfmt::skip]
const COLUMN_WORDS: [ColumnWords; 6] = [
    ColumnWords {
        field: Field::Provider,
        fr: &["prestataire", "fournisseur", "editeur", "emetteur", "societe", "partenaire"],
        en: &["provider", "supplier", "vendor", "publisher", "company", "partner"],
        both: &[],
    },
    ColumnWords {
        field: Field::Service,
        fr: &["emplacement"],
        en: &["location"],
        both: &["service"],
    },
    ColumnWords {
        field: Field::Purpose,
        fr: &["finalite", "fonction", "objet", "objectif", "utilisation"],
        en: &["purpose", "function"],
        both: &["description", "usage", "role"],
    },
    ColumnWords {
        field: Field::Duration,
        fr: &["duree", "conservation", "validite"],
        en: &["duration", "expiry", "lifetime", "lifespan", "retention", "validity"],
        both: &["expiration", "expire"],
    },
    ColumnWords {
        field: Field::Category,
        fr: &["categorie"],
        en: &["category"],
        both: &["type"],
    },
    ColumnWords {
        field: Field::Name,
        fr: &["nom", "traceur"],
        en: &["name"],
        both: &["cookie"],
    },
];

/// The words naming one column, by the language they tell.
struct ColumnWords {
    field: Field,
    fr: &'static [&'static str],
    en: &'static [&'static str],
    both: &'static [&'static str],
}

impl ColumnWords {
    fn has(&self, word: &str) -> bool {
        [self.fr, self.en, self.both]
            .iter()
            .any(|words| words.contains(&word))
    }
}

/// Words that join column words (« Nom du cookie », "Name of the cookie"). Single letters
/// join too: the `s` of « cookie(s) », the `d` of « Date d'expiration ».
const LINKING_WORDS: &[&str] = &[
    "de", "du", "des", "la", "le", "les", "et", "ou", "en", "par", "pour", "of", "the", "and",
    "or", "by", "for", "per",
];

/// Header cells are short; a longer cell is text, even when it holds a column word.
const MAX_HEADER_WORDS: usize = 5;

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
    /// Notes on durations left out or read loosely, per cookie index, written as TOML
    /// comments.
    comments: Vec<(usize, String)>,
    problems: Vec<Note>,
    warnings: Vec<Note>,
    defaults: Defaults,
    /// The header line of each table without a provider or service column.
    unfilled: Vec<(Field, usize)>,
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
            defaults: Defaults::default(),
            unfilled: Vec::new(),
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
                    "the table has no {} column: every cookie needs a name and a purpose",
                    missing.join(", no ")
                ),
            ));
            table.broken = true;
        }
        for field in Field::FILLABLE {
            if table.column(field).is_none() {
                self.unfilled.push((field, number));
            }
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
        let defaults = &self.defaults;
        let mut value = |field: Field| -> Option<String> {
            // A table without the column takes the command line's value; without one, the
            // page's single problem about it is raised at the end.
            let Some(index) = table.column(field) else {
                return defaults.of(field).map(str::to_owned);
            };
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
            if !charte_core::model::names::is_token(bare) {
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
        let reading = duration_cell.map(|text| {
            let reading = read_duration(&text);
            (text, reading)
        });
        let duration = match &reading {
            Some((_, DurationCell::AsWritten(d) | DurationCell::Read(d))) => Some(d.clone()),
            _ => None,
        };
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
        let index = self.cookies.len();
        match reading {
            Some((text, DurationCell::Read(_))) => {
                self.comments
                    .push((index, format!("duration on the page: {text:?}")));
            }
            Some((text, DurationCell::LeftOut(why))) => {
                self.warnings.push(Note::at(
                    number,
                    format!("duration {text:?} left out: {why}"),
                ));
                self.comments
                    .push((index, format!("duration on the page: {text:?}")));
            }
            _ => {}
        }
        self.cookies.push(cookie);
    }

    /// The page's problem with columns its tables lack and the command line does not
    /// give: one for the page, naming the flags and the tables' lines. A flag given
    /// empty is a problem; a flag no table needs, a warning.
    fn check_defaults(&mut self) {
        let mut unfilled = Vec::new();
        let mut lines = Vec::new();
        for field in Field::FILLABLE {
            let tables: Vec<usize> = self
                .unfilled
                .iter()
                .filter(|(f, _)| *f == field)
                .map(|(_, line)| *line)
                .collect();
            let flag = field.flag();
            match self.defaults.of(field) {
                Some("") => self.problems.push(Note::page(format!(
                    "`--{flag}` is empty: give the {flag} of the cookies"
                ))),
                Some(_) if tables.is_empty() => self.warnings.push(Note::page(format!(
                    "`--{flag}` not used: every table has a {} column",
                    field.label()
                ))),
                Some(_) => {}
                None if tables.is_empty() => {}
                None => {
                    unfilled.push(field);
                    lines.extend(tables);
                }
            }
        }
        if unfilled.is_empty() {
            return;
        }
        lines.sort_unstable();
        lines.dedup();
        let columns: Vec<&str> = unfilled.iter().map(|f| f.label()).collect();
        let nouns: Vec<&str> = unfilled.iter().map(|f| f.flag()).collect();
        let flags: Vec<String> = nouns.iter().map(|f| format!("`--{f} TEXT`")).collect();
        let (tables, their) = match &lines[..] {
            [_] => (String::from("the table has"), "its"),
            more => {
                let list: Vec<String> = more.iter().map(ToString::to_string).collect();
                (
                    format!("the tables at lines {} have", list.join(", ")),
                    "their",
                )
            }
        };
        self.problems.push(Note::at(
            lines[0],
            format!(
                "{tables} no {} column: give the {} of {their} cookies with {}",
                columns.join(", no "),
                nouns.join(" and "),
                flags.join(" and ")
            ),
        ));
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
        self.check_defaults();
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

/// What a duration cell declares.
#[derive(Debug, PartialEq, Eq)]
enum DurationCell {
    /// Nothing (`-`, `n/a`).
    Blank,
    /// The cell as written: `session` or `<n> <unit>`.
    AsWritten(String),
    /// The one reading of a cell written loosely ("Up to 12 months" → `12 months`).
    Read(String),
    /// Nothing a declaration can carry, and why.
    LeftOut(&'static str),
}

/// Reads a duration cell with charte's duration parser: as written, or else as the one
/// `<n> <unit>` or `session` it holds among words that do not change it (see
/// [`DURATION_FILLERS`]). Two readings, a range, a hedge ("about", « environ »), a word
/// the list does not know: no reading, since a declared duration caps the cookie's
/// lifetime and a wrong one would cut it short.
fn read_duration(text: &str) -> DurationCell {
    use charte_core::model::duration::{parse, MAX_COOKIE_LIFETIME};
    if matches!(text, "" | "-" | "—" | "–") || text.eq_ignore_ascii_case("n/a") {
        return DurationCell::Blank;
    }
    let (reading, loose) = match parse(text) {
        Ok(_) => (text.to_owned(), false),
        Err(_) => match loose_duration(text) {
            Some(reading) => (reading, true),
            None => return DurationCell::LeftOut("not one `session` nor `<n> <unit>` for certain"),
        },
    };
    if matches!(parse(&reading), Ok(Some(seconds)) if seconds > MAX_COOKIE_LIFETIME) {
        return DurationCell::LeftOut("over 400 days, which browsers cap");
    }
    if loose {
        DurationCell::Read(reading)
    } else {
        DurationCell::AsWritten(reading)
    }
}

/// Words a duration cell may hold around its one reading, normalized: bounds that keep
/// the number the longest lifetime ("up to", « jusqu'à », "maximum", "by default",
/// "expires after"), and words that only say what the cell is about (« durée de la
/// session », "session cookie", "end of session"). "More than" (« plus de »), "about",
/// "minimum" are not here: they change the reading.
#[rustfmt::skip]
const DURATION_FILLERS: &[&str] = &[
    "up", "to", "jusqu", "a", "au", "maximum", "max", "maximal", "maximale", "at", "most",
    "by", "default", "par", "defaut", "for", "pendant", "durant", "during", "after",
    "apres", "expire", "expires", "valid", "valable", "de", "d", "du", "la", "le", "l",
    "the", "of", "end", "fin", "cookie", "cookies", "duree", "duration",
];

/// The one `<n> <unit>` or `session` a loosely written cell holds, if exactly one and
/// nothing else but [`DURATION_FILLERS`].
fn loose_duration(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let mut words = duration_words(&lower).into_iter();
    let mut reading = None;
    while let Some(word) = words.next() {
        let found = if word.starts_with(|c: char| c.is_ascii_digit()) {
            let pair = format!("{word} {}", words.next()?);
            let Ok(Some(_)) = charte_core::model::duration::parse(&pair) else {
                return None;
            };
            pair
        } else if word == "session" {
            word
        } else if DURATION_FILLERS.contains(&normalize(&word).as_str()) {
            continue;
        } else {
            return None;
        };
        if reading.replace(found).is_some() {
            return None;
        }
    }
    reading
}

/// The numbers and words of a text, a number apart from the word it touches (`13mois`
/// → `13`, `mois`); anything else separates them.
fn duration_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut last_was_digit = None;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            last_was_digit = None;
            continue;
        }
        let digit = c.is_ascii_digit();
        match words.last_mut() {
            Some(word) if last_was_digit == Some(digit) => word.push(c),
            _ => words.push(c.to_string()),
        }
        last_was_digit = Some(digit);
    }
    words
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
        // The attributes come from the one table of prefix rules.
        if let Some(prefix) = charte_core::model::NamePrefix::of(&cookie.name) {
            let rule = prefix.rule();
            if rule.secure {
                let _ = writeln!(out, "secure = true");
            }
            if rule.http_only {
                let _ = writeln!(out, "http_only = true");
            }
            if rule.host_only {
                let _ = writeln!(out, "path = \"/\"");
            }
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
/// row is not a header: fewer than two distinct columns named, no cell that is only
/// column words, or as many other cells as column names. A `strict` header (one inside a
/// table) has nothing but cells that are only column words, so that a row whose cells
/// mention columns (« Le prestataire », « Service ») stays a row.
fn header(cells: &[&str], strict: bool) -> Option<(Vec<Option<Field>>, Option<Lang>)> {
    let named: Vec<Option<ColumnName>> = cells.iter().map(|cell| column_named(cell)).collect();
    let mut columns = Vec::with_capacity(cells.len());
    for name in &named {
        let field = name.as_ref().map(|n| n.field);
        // A column named twice is read once, from its first place.
        columns.push(field.filter(|f| !columns.contains(&Some(*f))));
    }
    let distinct = columns.iter().flatten().count();
    let filled = cells.iter().filter(|c| !c.is_empty()).count();
    let recognised = named.iter().flatten().count();
    let plain = named.iter().flatten().filter(|n| n.plain).count();
    if distinct < 2 || plain == 0 || recognised * 2 <= filled || (strict && plain < filled) {
        return None;
    }
    let votes = |lang| {
        named
            .iter()
            .flatten()
            .filter(|n| n.lang == Some(lang))
            .count()
    };
    let lang = match votes(Lang::Fr).cmp(&votes(Lang::En)) {
        std::cmp::Ordering::Greater => Some(Lang::Fr),
        std::cmp::Ordering::Less => Some(Lang::En),
        std::cmp::Ordering::Equal => None,
    };
    Some((columns, lang))
}

/// The column a header cell names.
#[derive(Debug, PartialEq, Eq)]
struct ColumnName {
    field: Field,
    /// The language of the words naming it, when they tell one.
    lang: Option<Lang>,
    /// The cell holds nothing but column and linking words.
    plain: bool,
}

/// The column a header cell names by [`COLUMN_WORDS`], if exactly one.
fn column_named(cell: &str) -> Option<ColumnName> {
    let words = column_words(cell);
    if words.is_empty() || words.len() > MAX_HEADER_WORDS {
        return None;
    }
    let holds = |column: &ColumnWords| words.iter().any(|w| column.has(w));
    let mut named = COLUMN_WORDS.iter().filter(|c| holds(c));
    let first = named.next()?;
    let column = match named.next() {
        None => first,
        Some(second) if second.field == Field::Name => first,
        // Words of two columns other than the name (« Service et finalité »): no guess.
        Some(_) => return None,
    };
    let count = |list: &[&str]| words.iter().filter(|w| list.contains(&w.as_str())).count();
    let lang = match count(column.fr).cmp(&count(column.en)) {
        std::cmp::Ordering::Greater => Some(Lang::Fr),
        std::cmp::Ordering::Less => Some(Lang::En),
        std::cmp::Ordering::Equal => None,
    };
    let plain = words.iter().all(|w| {
        w.chars().count() == 1
            || LINKING_WORDS.contains(&w.as_str())
            || COLUMN_WORDS.iter().any(|c| c.has(w))
    });
    Some(ColumnName {
        field: column.field,
        lang,
        plain,
    })
}

/// A header cell's words, normalized (see [`normalize`]) and singular: a final `s` is
/// dropped from words longer than three letters (« Finalités », "Cookies", "Purposes"),
/// and the `(s)` of « Cookie(s) » becomes a lone `s`.
fn column_words(cell: &str) -> Vec<String> {
    normalize(cell)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| match w.strip_suffix('s') {
            Some(singular) if w.len() > 3 && !singular.ends_with('s') => singular.to_owned(),
            _ => w.to_owned(),
        })
        .collect()
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
    fn header_cells_name_their_column_as_a_reader_would() {
        use Field::*;
        let cases = [
            ("Nom du prestataire", Provider),
            ("Prestataires", Provider),
            ("Fournisseur", Provider),
            ("Éditeur", Provider),
            ("Supplier name", Provider),
            ("Vendor", Provider),
            ("Provider(s)", Provider),
            ("Service et emplacement", Service),
            ("Services", Service),
            ("Location", Service),
            ("Nom du cookies", Name),
            ("Nom du/des cookie(s)", Name),
            ("Nom des cookies", Name),
            ("Cookie name(s)", Name),
            ("Cookie names", Name),
            ("Cookies", Name),
            ("Name", Name),
            ("Finalités", Purpose),
            ("Finalité(s)", Purpose),
            ("Function", Purpose),
            ("Description", Purpose),
            ("Purpose of the cookie", Purpose),
            ("Durée", Duration),
            ("Durée de conservation", Duration),
            ("Durée de conservation maximale", Duration),
            ("Retention", Duration),
            ("Duration:", Duration),
            ("Expires", Duration),
            ("Catégorie", Category),
            ("Type de cookie", Category),
        ];
        for (cell, field) in cases {
            let named = column_named(cell).map(|n| n.field);
            assert_eq!(named, Some(field), "{cell:?}");
        }
    }

    #[test]
    fn cells_naming_no_single_column_name_none() {
        for cell in [
            "",
            "Domaine",
            "sessionid",
            // Two columns other than the name: no guess.
            "Service et finalité",
            // Text, though it holds column words.
            "Se souvenir du nom du service choisi par le visiteur",
        ] {
            assert_eq!(column_named(cell), None, "{cell:?}");
        }
    }

    #[test]
    fn header_cells_tell_their_language_and_whether_they_are_only_column_words() {
        let named = |cell| column_named(cell).unwrap();
        assert_eq!(named("Nom du prestataire").lang, Some(Lang::Fr));
        assert_eq!(named("Supplier name").lang, Some(Lang::En));
        assert_eq!(named("Cookie name(s)").lang, Some(Lang::En));
        assert_eq!(named("Service").lang, None);
        assert!(named("Nom du/des cookie(s)").plain);
        assert!(!named("Durée de conservation maximale").plain);
    }

    #[test]
    fn loosely_written_durations_are_read_when_one_reading_is_certain() {
        let read = |text: &str| DurationCell::Read(text.to_owned());
        let cases = [
            ("2 weeks by default", read("2 weeks")),
            ("Up to 12 months", read("12 months")),
            ("Jusqu'à 13 mois", read("13 mois")),
            ("13mois maximum", read("13 mois")),
            ("Expires after 1 year", read("1 year")),
            ("Durée de la session", read("session")),
            ("Fin de session", read("session")),
            ("Session cookie", read("session")),
            ("6 months", DurationCell::AsWritten("6 months".to_owned())),
            ("Session", DurationCell::AsWritten("Session".to_owned())),
            ("-", DurationCell::Blank),
            ("n/a", DurationCell::Blank),
        ];
        for (text, cell) in cases {
            assert_eq!(read_duration(text), cell, "{text:?}");
        }
    }

    #[test]
    fn durations_with_two_readings_or_a_hedge_are_left_out() {
        let uncertain = DurationCell::LeftOut("not one `session` nor `<n> <unit>` for certain");
        for text in [
            "1 to 13 months",
            "between 6 and 12 months",
            "entre 30 minutes et 1 heure",
            "about 6 months",
            "plus de 13 mois",
            "6 months or session",
            "1 year after the last visit",
            "12,5 mois",
            "24h",
            "jusqu'à la fermeture du navigateur",
        ] {
            assert_eq!(read_duration(text), uncertain, "{text:?}");
        }
        let capped = DurationCell::LeftOut("over 400 days, which browsers cap");
        assert_eq!(read_duration("Up to 2 years"), capped);
        assert_eq!(read_duration("2 ans"), capped);
    }

    #[test]
    fn toml_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(toml_string(r#"a "b" \ c"#), r#""a \"b\" \\ c""#);
        assert_eq!(toml_string("a\u{7}"), r#""a\u0007""#);
    }
}
