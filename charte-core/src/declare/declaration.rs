//! A declaration as read from its TOML files, before validation: every value keeps the
//! file and byte span it came from, so any rule can point at it.

use std::ops::Range;

use crate::model::{Category, Duration, Lang, SameSite};

use super::diagnostic::{Diagnostic, Location, SourceFile};

/// A value and the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub at: Place,
}

/// A byte span in one of the declaration's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Index into [`Declaration::files`].
    pub file: usize,
    /// Byte range in that file.
    pub span: Range<usize>,
}

/// One `[[cookie]]` table, merged over its base when the charter `extends` one.
// Each field is the TOML key of the same name.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default)]
pub struct CookieDeclaration {
    /// Where the table starts (the `[[cookie]]` header).
    pub table: Option<Place>,
    /// Every key written in the table (and its bases), valid or not: a key given with
    /// a wrong value is reported as such, not as missing.
    pub keys_given: Vec<String>,
    pub name: Option<Field<String>>,
    pub provider: Option<Field<String>>,
    pub service: Option<Field<String>>,
    pub purpose: Option<Field<String>>,
    pub category: Option<Field<Category>>,
    pub duration: Option<Field<Duration>>,
    pub anonymous: Option<Field<bool>>,
    pub path: Option<Field<String>>,
    pub domain: Option<Field<String>>,
    pub secure: Option<Field<bool>>,
    pub http_only: Option<Field<bool>>,
    pub same_site: Option<Field<SameSite>>,
    pub partitioned: Option<Field<bool>>,
}

impl CookieDeclaration {
    /// Copies every field `child` gives over this one.
    pub(crate) fn merge(&mut self, child: CookieDeclaration) {
        macro_rules! take {
            ($($field:ident),*) => {$(
                if child.$field.is_some() {
                    self.$field = child.$field;
                }
            )*};
        }
        self.keys_given.extend(child.keys_given);
        take!(
            table,
            name,
            provider,
            service,
            purpose,
            category,
            duration,
            anonymous,
            path,
            domain,
            secure,
            http_only,
            same_site,
            partitioned
        );
    }
}

/// The `[charter]` table and the cookies, merged along the `extends` chain.
#[derive(Debug, Clone, Default)]
pub struct Declaration {
    /// Every file read, the declaration's own first, then its bases.
    pub files: Vec<SourceFile>,
    /// Where the `[charter]` table starts in the declaration's own file.
    pub charter_table: Option<Place>,
    /// `site`
    pub site: Option<Field<String>>,
    /// `lang`
    pub lang: Option<Field<Lang>>,
    /// `consent_cookie`
    pub consent_cookie: Option<Field<String>>,
    /// The `[[cookie]]` tables.
    pub cookies: Vec<CookieDeclaration>,
}

impl Declaration {
    /// The location of a place, for diagnostics.
    pub fn locate(&self, place: &Place) -> Location {
        self.files[place.file].locate(place.span.clone())
    }

    /// An error at a place.
    pub fn error_at(&self, place: &Place, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(&self.files[place.file], place.span.clone(), message)
    }
}
