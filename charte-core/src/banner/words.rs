//! The banner's own words, in French and English. The categories' purposes come from
//! the charter (in its own language); everything else is here.

use crate::model::{Category, Lang};

/// Every sentence and label of the banner, in one language.
pub(crate) struct Words {
    pub heading: &'static str,
    pub intro: &'static str,
    pub read_charter: &'static str,
    /// Per category, in [`Category::ALL`] order: its name in a sentence and on a checkbox.
    pub categories: [&'static str; 4],
    /// After the name of a category that needs no consent.
    pub always: &'static str,
    pub colon: &'static str,
    /// Between two purposes of one category.
    pub separator: &'static str,
    pub accept_all: &'static str,
    pub refuse_all: &'static str,
    pub custom_legend: &'static str,
    pub save: &'static str,
    pub manage: &'static str,
    /// The first words of a refused post's answer.
    #[cfg_attr(not(any(feature = "tower", feature = "actix")), allow(dead_code))]
    pub refused: &'static str,
}

impl Words {
    pub(crate) fn of(lang: Lang) -> &'static Words {
        match lang {
            Lang::Fr => &FRENCH,
            Lang::En => &ENGLISH,
        }
    }

    pub(crate) fn category(&self, category: Category) -> &'static str {
        let index = Category::ALL
            .iter()
            .position(|c| *c == category)
            .unwrap_or_default();
        self.categories[index]
    }
}

const FRENCH: Words = Words {
    heading: "Vos choix de cookies",
    intro: "Ce site dépose les cookies nécessaires à son fonctionnement et, seulement si \
            vous l'acceptez, d'autres cookies. Tant que vous n'avez pas choisi, aucun \
            cookie soumis à votre accord n'est déposé. Vous pouvez changer d'avis à tout \
            moment avec le lien « Gérer mes cookies ».",
    read_charter: "Lire la charte cookies",
    categories: [
        "Cookies nécessaires",
        "Mesure d'audience",
        "Cookies internes",
        "Cookies tiers",
    ],
    always: " (toujours déposés, sans votre accord)",
    colon: " : ",
    separator: " ; ",
    accept_all: "Tout accepter",
    refuse_all: "Tout refuser",
    custom_legend: "Choisir catégorie par catégorie",
    save: "Enregistrer mes choix",
    manage: "Gérer mes cookies",
    refused: "Votre choix de cookies n'a pas été enregistré",
};

const ENGLISH: Words = Words {
    heading: "Your cookie choices",
    intro: "This site sets the cookies it needs to work and, only if you accept them, \
            other cookies. Until you choose, no cookie that needs your consent is set. \
            You can change your mind at any time with the « Manage my cookies » link.",
    read_charter: "Read the cookie charter",
    categories: [
        "Necessary cookies",
        "Audience measurement",
        "First-party cookies",
        "Third-party cookies",
    ],
    always: " (always set, without your consent)",
    colon: ": ",
    separator: "; ",
    accept_all: "Accept all",
    refuse_all: "Refuse all",
    custom_legend: "Choose category by category",
    save: "Save my choices",
    manage: "Manage my cookies",
    refused: "Your cookie choice was not recorded",
};
