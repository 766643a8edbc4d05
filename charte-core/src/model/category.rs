//! The four categories of cookies and the sets of them a consent grants.

use std::fmt;

/// The four cookie categories of the seed charters, in the order pages list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Strictly necessary: never needs consent.
    Necessary,
    /// Audience measurement: needs consent unless declared `anonymous`.
    Statistics,
    /// Set by the site itself for other purposes: needs consent.
    FirstParty,
    /// Set by (or for) another site: needs consent.
    ThirdParty,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 4] = [
        Category::Necessary,
        Category::Statistics,
        Category::FirstParty,
        Category::ThirdParty,
    ];

    /// The categories a visitor can grant or refuse.
    pub const CONSENTABLE: [Category; 3] = [
        Category::Statistics,
        Category::FirstParty,
        Category::ThirdParty,
    ];

    /// The canonical name used in declarations (`"first-party"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Necessary => "necessary",
            Category::Statistics => "statistics",
            Category::FirstParty => "first-party",
            Category::ThirdParty => "third-party",
        }
    }

    /// Reads a category by its canonical name or one of its French aliases
    /// (case-insensitive): `nécessaires`, `fonctionnels`, `statistique`, `interne`, `tiers`...
    pub fn parse(text: &str) -> Option<Category> {
        let lower = text.trim().to_lowercase();
        let category = match lower.as_str() {
            "necessary" | "nécessaire" | "nécessaires" | "necessaire" | "necessaires"
            | "fonctionnel" | "fonctionnels" => Category::Necessary,
            "statistics" | "statistique" | "statistiques" => Category::Statistics,
            "first-party" | "interne" | "internes" => Category::FirstParty,
            "third-party" | "tiers" => Category::ThirdParty,
            _ => return None,
        };
        Some(category)
    }

    /// Whether cookies of this category need the visitor's consent (before the
    /// `anonymous` exemption of statistics, see [`Cookie::needs_consent`](crate::model::Cookie::needs_consent)).
    pub const fn needs_consent(self) -> bool {
        !matches!(self, Category::Necessary)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of categories, one bit each; [`Category::Necessary`] is never stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Categories(u8);

impl Categories {
    /// No category.
    pub const EMPTY: Categories = Categories(0);

    const fn bit(category: Category) -> u8 {
        match category {
            Category::Necessary => 0,
            Category::Statistics => 1,
            Category::FirstParty => 2,
            Category::ThirdParty => 4,
        }
    }

    /// The set of `category` alone (empty for necessary: it needs no consent).
    pub(crate) const fn only(category: Category) -> Categories {
        Categories(Self::bit(category))
    }

    /// The set of the categories listed (necessary is ignored: it needs no consent).
    pub fn of(categories: &[Category]) -> Categories {
        Categories(categories.iter().fold(0, |bits, c| bits | Self::bit(*c)))
    }

    /// Adds a category.
    pub fn insert(&mut self, category: Category) {
        self.0 |= Self::bit(category);
    }

    /// Whether the set holds `category` (never true for necessary).
    pub const fn contains(self, category: Category) -> bool {
        let bit = Self::bit(category);
        bit != 0 && self.0 & bit != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The categories in both `self` and `other`.
    pub const fn intersection(self, other: Categories) -> Categories {
        Categories(self.0 & other.0)
    }

    /// The categories in `self` and not in `other`.
    pub const fn without(self, other: Categories) -> Categories {
        Categories(self.0 & !other.0)
    }

    /// The categories held, in display order.
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::CONSENTABLE
            .into_iter()
            .filter(move |c| self.contains(*c))
    }
}

impl fmt::Debug for Categories {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}
