//! Reading a declaration: files (following `extends`), TOML with spans, keys and types.
//!
//! Every problem becomes a [`Diagnostic`] and reading goes on, so that one build reports
//! everything wrong with a file. Cross-field rules live in [`validate`](super::validate).

// A `Diagnostic` is built only when a declaration is wrong, never on a hot path: the
// size of `Result<T, Diagnostic>` does not matter here.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::model::duration::{self, DurationError};
use crate::model::{closest, Category, Duration, Lang, SameSite};

use super::declaration::{CookieDeclaration, Declaration, Field, Place};
use super::diagnostic::{Diagnostic, SourceFile};
use super::source::{resolve_in_package, Origin, OutsidePackage};

/// Declarations larger than this are refused before parsing: a charter is a few
/// kilobytes, and the macro must stay fast whatever it is pointed at.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

const TOP_KEYS: &[&str] = &["charter", "cookie"];
const CHARTER_KEYS: &[&str] = &["site", "lang", "consent_cookie", "extends"];
const COOKIE_KEYS: &[&str] = &[
    "name",
    "provider",
    "service",
    "purpose",
    "category",
    "duration",
    "anonymous",
    "path",
    "domain",
    "secure",
    "http_only",
    "same_site",
    "partitioned",
];

/// The result of reading: the declaration (as far as it could be read), the problems
/// found, and every file path read, so the macro can make cargo watch them.
#[derive(Debug)]
pub struct Loaded {
    /// The merged declaration.
    pub declaration: Declaration,
    /// Problems found while reading.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file successfully read, the declaration's own first.
    pub paths: Vec<PathBuf>,
    /// Whether every file read was valid TOML. When one was not, the rest of it was
    /// not read, and validating what was would only add noise to the syntax error.
    pub syntax_ok: bool,
}

/// Reads a declaration and its bases.
pub fn load(origin: &Origin) -> Loaded {
    let mut loader = Loader {
        root: origin.root.clone(),
        loaded: Loaded {
            declaration: Declaration::default(),
            diagnostics: Vec::new(),
            paths: Vec::new(),
            syntax_ok: true,
        },
        chain: Vec::new(),
    };
    if let Some(file) = loader.load_file(&origin.path, origin.display.clone(), None) {
        loader.loaded.declaration.charter_table = file.charter_table;
        loader.loaded.declaration.site = file.site;
        loader.loaded.declaration.lang = file.lang;
        loader.loaded.declaration.consent_cookie = file.consent_cookie;
        loader.loaded.declaration.cookies = file.cookies;
    }
    loader.loaded
}

/// Reads a declaration held in memory (tests, `charte import`); `extends` is resolved
/// against the current directory.
pub fn load_str(display: &str, text: &str) -> Loaded {
    let mut loader = Loader {
        root: None,
        loaded: Loaded {
            declaration: Declaration::default(),
            diagnostics: Vec::new(),
            paths: Vec::new(),
            syntax_ok: true,
        },
        chain: Vec::new(),
    };
    if let Some(file) = loader.parse_file(Path::new(display), display.to_owned(), text.to_owned()) {
        loader.loaded.declaration.charter_table = file.charter_table;
        loader.loaded.declaration.site = file.site;
        loader.loaded.declaration.lang = file.lang;
        loader.loaded.declaration.consent_cookie = file.consent_cookie;
        loader.loaded.declaration.cookies = file.cookies;
    }
    loader.loaded
}

/// What one file says, merged over its bases.
#[derive(Default)]
struct FileDeclaration {
    charter_table: Option<Place>,
    site: Option<Field<String>>,
    lang: Option<Field<Lang>>,
    consent_cookie: Option<Field<String>>,
    cookies: Vec<CookieDeclaration>,
}

struct Loader {
    root: Option<PathBuf>,
    loaded: Loaded,
    /// Canonical paths of the files being read, to detect `extends` cycles.
    chain: Vec<(PathBuf, String)>,
}

impl Loader {
    /// A path for messages: relative to the package when there is one.
    fn shown(&self, path: &Path) -> String {
        let inside = self
            .root
            .as_deref()
            .and_then(|root| path.strip_prefix(root).ok());
        inside.unwrap_or(path).display().to_string()
    }

    /// ` (resolved to `…`)` when the path read differs from the one the user wrote.
    fn resolved(&self, path: &Path, display: &str) -> String {
        let shown = self.shown(path);
        if shown == display {
            String::new()
        } else {
            format!(" (resolved to `{shown}`)")
        }
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.loaded.diagnostics.push(diagnostic);
    }

    fn file(&self, id: usize) -> &SourceFile {
        &self.loaded.declaration.files[id]
    }

    fn error_at(&mut self, place: &Place, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.file(place.file), place.span.clone(), message)
    }

    /// Reads one file; `extended_from` is the `extends` value that named it.
    fn load_file(
        &mut self,
        path: &Path,
        display: String,
        extended_from: Option<&Place>,
    ) -> Option<FileDeclaration> {
        let fail = |loader: &mut Loader, message: String| {
            let diagnostic = match extended_from {
                Some(place) => loader.error_at(place, message),
                None => Diagnostic::new(message),
            };
            loader.error(diagnostic);
            None
        };
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) => {
                let mut message = format!(
                    "cannot read `{display}`: {}{}",
                    describe_io_error(&error),
                    self.resolved(path, &display)
                );
                if error.kind() == std::io::ErrorKind::NotFound {
                    message.push_str(
                        " (paths are relative to the package's directory, where its \
                         Cargo.toml is; an `extends` path, to the file that names it)",
                    );
                }
                return fail(self, message);
            }
        };
        if metadata.is_dir() {
            let message = format!(
                "cannot read `{display}`: it is a directory{}",
                self.resolved(path, &display)
            );
            return fail(self, message);
        }
        if metadata.len() > MAX_FILE_SIZE {
            let message = format!(
                "`{display}` is too large for a charter: {} bytes (the limit is {} bytes)",
                metadata.len(),
                MAX_FILE_SIZE
            );
            return fail(self, message);
        }
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                let message = format!(
                    "cannot read `{display}`: {}{}",
                    describe_io_error(&error),
                    self.resolved(path, &display)
                );
                return fail(self, message);
            }
        };
        self.loaded.paths.push(path.to_path_buf());
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let valid_up_to = error.utf8_error().valid_up_to();
                let bytes = error.into_bytes();
                let lossy = String::from_utf8_lossy(&bytes).into_owned();
                // Point at the first bad byte, in the lossy text (same offset: everything
                // before it is valid and unchanged).
                let file = SourceFile::new(display.clone(), lossy);
                self.error(
                    Diagnostic::at(
                        &file,
                        valid_up_to..valid_up_to + 1,
                        format!("`{display}` is not valid UTF-8"),
                    )
                    .label("invalid byte here")
                    .help("save the declaration as UTF-8"),
                );
                return None;
            }
        };
        self.parse_file(path, display, text)
    }

    fn parse_file(
        &mut self,
        path: &Path,
        display: String,
        text: String,
    ) -> Option<FileDeclaration> {
        let file_id = self.loaded.declaration.files.len();
        self.loaded
            .declaration
            .files
            .push(SourceFile::new(display.clone(), text));
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.chain.push((canonical, display));
        let result = self.read_document(path, file_id);
        self.chain.pop();
        result
    }

    fn read_document(&mut self, path: &Path, file_id: usize) -> Option<FileDeclaration> {
        // Parse from a copy: the table borrows the text while `self` collects errors.
        let text = self.file(file_id).text.clone();
        let table = match DeTable::parse(&text) {
            Ok(table) => table,
            Err(error) => {
                let span = error.span().unwrap_or(0..0);
                let message = error.message().trim().to_owned();
                let place = Place {
                    file: file_id,
                    span,
                };
                let diagnostic = self.error_at(&place, format!("invalid TOML: {message}"));
                self.error(diagnostic);
                self.loaded.syntax_ok = false;
                return None;
            }
        };
        let mut result = FileDeclaration::default();
        let table = table.get_ref();
        self.check_keys(file_id, table, TOP_KEYS, "at the top level");

        let mut base = None;
        if let Some(charter) = table.get("charter") {
            if let Some(charter_table) = self.expect_table(file_id, "charter", charter) {
                result.charter_table = Some(place(file_id, charter));
                self.check_keys(file_id, charter_table, CHARTER_KEYS, "in [charter]");
                result.site = self.string(file_id, charter_table, "site");
                result.lang = self.parsed(file_id, charter_table, "lang", |loader, text, at| {
                    Lang::parse(text).ok_or_else(|| {
                        loader
                            .error_at(at, format!("unknown language {text:?}"))
                            .help("`lang` is \"fr\" (the default) or \"en\"")
                    })
                });
                result.consent_cookie = self.string(file_id, charter_table, "consent_cookie");
                if let Some(extends) = self.string(file_id, charter_table, "extends") {
                    base = self.load_base(path, &extends);
                }
            }
        }
        if let Some(cookies) = table.get("cookie") {
            result.cookies = self.cookies(file_id, cookies);
        }

        let Some(mut base) = base else {
            return Some(result);
        };
        // Merge this file onto its base: `[charter]` fields replace the base's, and
        // cookies merge by name.
        base.charter_table = result.charter_table.or(base.charter_table);
        base.site = result.site.or(base.site);
        base.lang = result.lang.or(base.lang);
        base.consent_cookie = result.consent_cookie.or(base.consent_cookie);
        for cookie in result.cookies {
            let name = cookie.name.as_ref().map(|n| n.value.clone());
            let existing = name.and_then(|name| {
                base.cookies
                    .iter_mut()
                    .find(|c| c.name.as_ref().is_some_and(|n| n.value == name))
            });
            match existing {
                Some(existing) => existing.merge(cookie),
                None => base.cookies.push(cookie),
            }
        }
        Some(base)
    }

    fn load_base(&mut self, path: &Path, extends: &Field<String>) -> Option<FileDeclaration> {
        let relative = Path::new(&extends.value);
        if relative.is_absolute() {
            let d = self
                .error_at(&extends.at, "`extends` must be a relative path")
                .help("write the base's path relative to this file");
            self.error(d);
            return None;
        }
        let directory = path.parent().unwrap_or(Path::new(""));
        let (joined, display) = match &self.root {
            // The base, relative to the package, must stay inside it.
            Some(root) => {
                let from_root = directory.strip_prefix(root).unwrap_or(directory);
                match resolve_in_package(root, &from_root.join(relative)) {
                    Ok(joined) => {
                        let display = self.shown(&joined);
                        (joined, display)
                    }
                    Err(outside) => {
                        let d = match outside {
                            OutsidePackage::Links(real) => self
                                .error_at(
                                    &extends.at,
                                    format!(
                                        "`extends` leads outside the package (to `{}`)",
                                        real.display()
                                    ),
                                )
                                .help("copy the base into the package instead of linking to it"),
                            OutsidePackage::Escapes(path) => self
                                .error_at(
                                    &extends.at,
                                    format!(
                                        "`extends` leaves the package: the base would be `{}`, relative to the package",
                                        path.display()
                                    ),
                                )
                                .help("keep base charters inside the package that uses them"),
                            OutsidePackage::Absolute => self
                                .error_at(&extends.at, "`extends` must be a relative path")
                                .help("write the base's path relative to this file"),
                        };
                        self.error(d);
                        return None;
                    }
                }
            }
            None => {
                let joined = super::source::normalize(&directory.join(relative));
                let display = joined.display().to_string();
                (joined, display)
            }
        };
        let canonical = std::fs::canonicalize(&joined).unwrap_or_else(|_| joined.clone());
        if let Some(start) = self.chain.iter().position(|(p, _)| *p == canonical) {
            let cycle: Vec<String> = self.chain[start..]
                .iter()
                .map(|(_, d)| d.clone())
                .chain(std::iter::once(display.clone()))
                .collect();
            let d = self
                .error_at(&extends.at, "`extends` makes a cycle")
                .label("this base extends, in the end, this very file")
                .note(format!("the chain is {}", cycle.join(" → ")), None);
            self.error(d);
            return None;
        }
        self.load_file(&joined, display, Some(&extends.at))
    }

    fn cookies(&mut self, file_id: usize, value: &Spanned<DeValue<'_>>) -> Vec<CookieDeclaration> {
        let DeValue::Array(array) = value.get_ref() else {
            let d = self
                .error_at(
                    &place(file_id, value),
                    format!(
                        "`cookie` must be an array of tables, found {}",
                        value.get_ref().type_str()
                    ),
                )
                .help("declare each cookie under its own `[[cookie]]` header");
            self.error(d);
            return Vec::new();
        };
        let mut cookies = Vec::new();
        let mut seen: HashMap<String, Place> = HashMap::new();
        for item in array.iter() {
            let Some(table) = self.expect_table(file_id, "cookie", item) else {
                continue;
            };
            self.check_keys(file_id, table, COOKIE_KEYS, "in [[cookie]]");
            let cookie = self.cookie(file_id, item, table);
            // A name twice in one file is a mistake; across files it is an override.
            if let Some(name) = &cookie.name {
                if let Some(first) = seen.get(&name.value) {
                    let first_at = self.file(file_id).locate(first.span.clone());
                    let d = self
                        .error_at(
                            &name.at,
                            format!("cookie `{}` is declared twice", name.value),
                        )
                        .label("declared again here")
                        .note("first declared here", Some(first_at))
                        .help("merge the two declarations into one");
                    self.error(d);
                    continue;
                }
                seen.insert(name.value.clone(), name.at.clone());
            }
            cookies.push(cookie);
        }
        cookies
    }

    fn cookie(
        &mut self,
        file_id: usize,
        item: &Spanned<DeValue<'_>>,
        table: &DeTable<'_>,
    ) -> CookieDeclaration {
        CookieDeclaration {
            table: Some(place(file_id, item)),
            keys_given: table.iter().map(|(key, _)| key.get_ref().to_string()).collect(),
            name: self.string(file_id, table, "name"),
            provider: self.string(file_id, table, "provider"),
            service: self.string(file_id, table, "service"),
            purpose: self.string(file_id, table, "purpose"),
            category: self.parsed(file_id, table, "category", |loader, text, at| {
                Category::parse(text).ok_or_else(|| {
                    let valid = Category::ALL.map(Category::as_str);
                    let aliases = [
                        "nécessaires",
                        "fonctionnels",
                        "statistiques",
                        "internes",
                        "tiers",
                    ];
                    // Words other consent tools use for the same categories: not accepted
                    // (one vocabulary per charter), but worth a "did you mean".
                    let synonym = match text.trim().to_lowercase().as_str() {
                        "analytics" | "audience" | "measurement" | "mesure d'audience" => {
                            Some("statistics")
                        }
                        "essential" | "required" | "strictly necessary" | "strictly-necessary" => {
                            Some("necessary")
                        }
                        _ => None,
                    };
                    let suggestion = synonym
                        .or_else(|| closest(text, valid.iter().copied().chain(aliases)));
                    let mut help = format!(
                        "the categories are {}",
                        valid.map(|c| format!("\"{c}\"")).join(", ")
                    );
                    if let Some(s) = suggestion.and_then(Category::parse) {
                        help = format!("did you mean \"{}\"? {help}", s.as_str());
                    }
                    loader
                        .error_at(at, format!("unknown category {text:?}"))
                        .help(help)
                })
            }),
            duration: self.parsed(file_id, table, "duration", |loader, text, at| {
                match duration::parse(text) {
                    Ok(max_age) => Ok(Duration {
                        text: text.to_owned().into(),
                        max_age,
                    }),
                    Err(DurationError::Zero) => Err(loader
                        .error_at(
                            at,
                            format!(
                                "duration {text:?} would delete the cookie as soon as it is set \
                                 (`Max-Age=0`)"
                            ),
                        )
                        .help(
                            "write \"session\" for a cookie kept until the browser closes, \
                             or a count above 0",
                        )),
                    Err(error) => {
                        let mut d = loader.error_at(at, format!("cannot read duration {text:?}"));
                        d = match error {
                            DurationError::UnknownUnit(Some(unit)) => {
                                d.help(format!("did you mean \"{unit}\"?"))
                            }
                            _ => d.help(
                                "write \"session\" or \"<n> minutes|hours|days|weeks|months|years\"",
                            ),
                        };
                        Err(d)
                    }
                }
            }),
            anonymous: self.boolean(file_id, table, "anonymous"),
            path: self.string(file_id, table, "path"),
            domain: self.string(file_id, table, "domain"),
            secure: self.boolean(file_id, table, "secure"),
            http_only: self.boolean(file_id, table, "http_only"),
            same_site: self.parsed(file_id, table, "same_site", |loader, text, at| {
                match text.to_ascii_lowercase().as_str() {
                    "strict" => Ok(SameSite::Strict),
                    "lax" => Ok(SameSite::Lax),
                    "none" => Ok(SameSite::None),
                    _ => Err(loader
                        .error_at(at, format!("unknown same_site {text:?}"))
                        .help("`same_site` is \"strict\", \"lax\" or \"none\"")),
                }
            }),
            partitioned: self.boolean(file_id, table, "partitioned"),
        }
    }

    fn check_keys(&mut self, file_id: usize, table: &DeTable<'_>, known: &[&str], context: &str) {
        let mut unknown: Vec<_> = table
            .iter()
            .filter(|(key, _)| !known.contains(&key.get_ref().as_ref()))
            .map(|(key, _)| (key.get_ref().to_string(), key.span()))
            .collect();
        // Tables iterate in key order; report in file order.
        unknown.sort_by_key(|(_, span)| span.start);
        for (key, span) in unknown {
            let mut d = self.error_at(
                &Place {
                    file: file_id,
                    span,
                },
                format!("unknown key `{key}` {context}"),
            );
            d = match closest(&key, known.iter().copied()) {
                Some(suggestion) => d.help(format!("did you mean `{suggestion}`?")),
                None => d.help(format!(
                    "the keys are {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            self.error(d);
        }
    }

    fn expect_table<'t, 'i>(
        &mut self,
        file_id: usize,
        key: &str,
        value: &'t Spanned<DeValue<'i>>,
    ) -> Option<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            other => {
                let d = self.error_at(
                    &place(file_id, value),
                    format!("`{key}` must be a table, found {}", other.type_str()),
                );
                self.error(d);
                None
            }
        }
    }

    fn string(&mut self, file_id: usize, table: &DeTable<'_>, key: &str) -> Option<Field<String>> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::String(text) => Some(Field {
                value: text.to_string(),
                at: place(file_id, value),
            }),
            other => {
                let d = self
                    .error_at(
                        &place(file_id, value),
                        format!("`{key}` must be a string, found {}", other.type_str()),
                    )
                    .help(format!("write it in quotes: {key} = \"...\""));
                self.error(d);
                None
            }
        }
    }

    fn boolean(&mut self, file_id: usize, table: &DeTable<'_>, key: &str) -> Option<Field<bool>> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Field {
                value: *b,
                at: place(file_id, value),
            }),
            other => {
                let d = self
                    .error_at(
                        &place(file_id, value),
                        format!("`{key}` must be a boolean, found {}", other.type_str()),
                    )
                    .help(format!(
                        "write {key} = true or {key} = false, without quotes"
                    ));
                self.error(d);
                None
            }
        }
    }

    /// A string value turned into `T` by `read`, which reports its own error.
    fn parsed<T>(
        &mut self,
        file_id: usize,
        table: &DeTable<'_>,
        key: &str,
        read: impl FnOnce(&mut Loader, &str, &Place) -> Result<T, Diagnostic>,
    ) -> Option<Field<T>> {
        let text = self.string(file_id, table, key)?;
        match read(self, &text.value, &text.at) {
            Ok(value) => Some(Field { value, at: text.at }),
            Err(diagnostic) => {
                self.error(diagnostic);
                None
            }
        }
    }
}

fn place<T>(file: usize, value: &Spanned<T>) -> Place {
    Place {
        file,
        span: value.span(),
    }
}

fn describe_io_error(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}
