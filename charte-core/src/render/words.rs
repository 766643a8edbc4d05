//! The page's own words, in French and English: everything on a charter page that
//! does not come from the declaration.
//!
//! The declaration's texts (providers, services, purposes) stay in the charter's
//! language; only these words follow the language asked of [`Charter::render`].
//!
//! [`Charter::render`]: crate::Charter::render

use crate::model::{Category, Lang};

/// Every sentence and label of a page, in one language.
pub(crate) struct Words {
    pub title: &'static str,
    pub intro: &'static str,
    pub site_label: &'static str,
    pub what_heading: &'static str,
    pub what: &'static str,
    pub kinds_heading: &'static str,
    /// Per category, in [`Category::ALL`] order: its short name and what it means.
    pub kinds: [(&'static str, &'static str); 4],
    pub choice: &'static str,
    /// Between a label and its text: French typography puts a space before the colon.
    pub colon: &'static str,
    /// Per category, in [`Category::ALL`] order: the heading of its table.
    pub sections: [&'static str; 4],
    pub no_cookies: &'static str,
    pub without_consent: &'static str,
    pub with_consent: &'static str,
    pub mixed_consent: &'static str,
    pub provider: &'static str,
    pub service: &'static str,
    pub name: &'static str,
    pub purpose: &'static str,
    pub duration: &'static str,
    /// Shown in a duration cell when the cookie declares none (Html and Markdown).
    pub not_stated: &'static str,
}

impl Words {
    /// The words of a language.
    pub(crate) fn of(lang: Lang) -> &'static Words {
        match lang {
            Lang::Fr => &FRENCH,
            Lang::En => &ENGLISH,
        }
    }

    /// The heading of a category's table.
    pub(crate) fn section(&self, category: Category) -> &'static str {
        self.sections[index(category)]
    }

    /// A category's short name and what it means.
    pub(crate) fn kind(&self, category: Category) -> (&'static str, &'static str) {
        self.kinds[index(category)]
    }
}

fn index(category: Category) -> usize {
    match category {
        Category::Necessary => 0,
        Category::Statistics => 1,
        Category::FirstParty => 2,
        Category::ThirdParty => 3,
    }
}

// Section headings never end with a full stop and name exactly one category, so that
// `charte import` reads a rendered Text page back.
const FRENCH: Words = Words {
    title: "Charte cookies",
    intro: "Cette page dit quels cookies ce site dépose dans votre navigateur, qui les \
            fournit, à quoi ils servent et s'ils attendent votre accord. Elle est produite \
            à partir de la déclaration que le code du site applique : elle ne peut pas \
            s'en écarter.",
    site_label: "Site concerné :",
    what_heading: "Qu'est-ce qu'un cookie ?",
    what: "Un cookie est une courte donnée qu'un site enregistre dans votre navigateur et \
           que celui-ci lui renvoie à chaque visite. C'est ce qui permet de rester connecté, \
           de retrouver la langue choisie ou de compter les visites. Un cookie a un nom, \
           un fournisseur, un usage et une durée de vie.",
    kinds_heading: "Les quatre catégories de cookies",
    kinds: [
        (
            "Nécessaires",
            "le site ne fonctionne pas sans eux (connexion, sécurité, mémoire de vos choix). \
             Ils sont déposés sans demander votre accord.",
        ),
        (
            "Statistiques",
            "ils mesurent la fréquentation pour améliorer le site. Ils attendent votre \
             accord, sauf quand la mesure est anonyme et respecte les conditions de la CNIL.",
        ),
        (
            "Internes",
            "le site les dépose lui-même pour d'autres usages que son fonctionnement, \
             comme la personnalisation. Ils attendent votre accord.",
        ),
        (
            "Tiers",
            "un autre acteur (service intégré, réseau social, régie publicitaire) les dépose \
             par l'intermédiaire du site et peut vous reconnaître d'un site à l'autre. Ils \
             attendent votre accord.",
        ),
    ],
    choice: "Vous acceptez ou refusez chaque catégorie qui attend votre accord, et vous \
             pouvez changer d'avis à tout moment : refuser est aussi simple qu'accepter.",
    colon: " : ",
    sections: [
        "Cookies nécessaires au fonctionnement du site",
        "Cookies de mesure d'audience (statistiques)",
        "Cookies internes au site",
        "Cookies tiers",
    ],
    no_cookies: "Ce site ne dépose aucun cookie.",
    without_consent: "Ces cookies sont déposés sans demander votre accord.",
    with_consent: "Ces cookies ne sont déposés qu'avec votre accord.",
    mixed_consent: "Les mesures anonymes de cette liste se passent de votre accord ; les \
                    autres ne sont déposées qu'avec lui.",
    provider: "Nom du prestataire",
    service: "Service et emplacement",
    name: "Nom du cookies",
    purpose: "Finalités",
    duration: "Durée",
    not_stated: "—",
};

const ENGLISH: Words = Words {
    title: "Cookie charter",
    intro: "This page lists the cookies this site stores in your browser, who provides \
            them, what they are for, and whether they wait for your consent. It is produced \
            from the declaration the site's code enforces, so it cannot drift from it.",
    site_label: "Site:",
    what_heading: "What is a cookie?",
    what: "A cookie is a short piece of data that a site stores in your browser and that \
           the browser sends back on every visit. It is what keeps you signed in, remembers \
           your language or counts visits. A cookie has a name, a provider, a use and a \
           lifetime.",
    kinds_heading: "The four kinds of cookies",
    kinds: [
        (
            "Necessary",
            "the site cannot work without them (sign-in, security, remembering your \
             choices). They are set without asking for your consent.",
        ),
        (
            "Statistics",
            "they measure visits to improve the site. They wait for your consent, unless \
             the measurement is anonymous and meets the conditions of the CNIL.",
        ),
        (
            "First-party",
            "the site sets them itself for uses other than working, such as personalisation. \
             They wait for your consent.",
        ),
        (
            "Third-party",
            "another party (an embedded service, a social network, an advertising network) \
             sets them through the site and may recognise you from one site to another. \
             They wait for your consent.",
        ),
    ],
    choice: "You accept or refuse each kind that waits for your consent, and you can change \
             your mind at any time: refusing is as easy as accepting.",
    colon: ": ",
    sections: [
        "Strictly necessary cookies",
        "Statistics cookies (audience measurement)",
        "First-party cookies",
        "Third-party cookies",
    ],
    no_cookies: "This site sets no cookies.",
    without_consent: "These cookies are set without asking for your consent.",
    with_consent: "These cookies are only set with your consent.",
    mixed_consent: "The anonymous measurements in this list need no consent; the others \
                    are only set with it.",
    provider: "Provider",
    service: "Service and location",
    name: "Cookie name",
    purpose: "Purpose",
    duration: "Duration",
    not_stated: "—",
};
