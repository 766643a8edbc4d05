//! The banner's HTML fragment.

use std::fmt;

use super::words::Words;
use super::{without_reopen, REOPEN, STYLESHEET};
use crate::consent::Consent;
use crate::model::{Category, Charter, Lang};
use crate::render::Escaped;

/// The consent banner of a charter, made by [`Charter::banner`]: writes the HTML
/// fragment with [`Display`](fmt::Display) (`banner.to_string()`, `format!("{banner}")`),
/// nothing once the visitor has decided, unless reopened.
#[derive(Debug, Clone)]
pub struct Banner<'a> {
    charter: &'a Charter,
    consent: &'a Consent,
    lang: Lang,
    action: &'a str,
    charter_page: &'a str,
    page: Option<&'a str>,
    reopen: bool,
    stylesheet: bool,
}

impl Charter {
    /// The consent banner for a visitor whose current consent is `consent`
    /// ([`Charter::consent`]), in `lang`.
    ///
    /// It is empty once a decision is recorded, unless reopened: by the [`REOPEN`]
    /// query (`?cookies=manage`, what [`manage_link`](super::manage_link) points to) on
    /// the page given to [`Banner::page`], or by [`Banner::reopen`]. Its forms post to
    /// `/consent` ([`Banner::action`]), where `CHARTER.consent_routes()` (axum) or
    /// `CHARTER.actix_consent()` (actix-web) record the decision.
    ///
    /// ```
    /// # let charter = charte_core::check_str("x.toml", r#"
    /// # [charter]
    /// # site = "https://example.fr"
    /// # consent_cookie = "consent"
    /// # [[cookie]]
    /// # name = "consent"
    /// # provider = "Example"
    /// # service = "Consent"
    /// # purpose = "Remember the visitor's choice."
    /// # category = "necessary"
    /// # [[cookie]]
    /// # name = "_pk_id"
    /// # provider = "Matomo"
    /// # service = "Audience"
    /// # purpose = "Compter les visites."
    /// # category = "statistics"
    /// # "#).charter.unwrap();
    /// use charte_core::{Category, Consent, Lang};
    ///
    /// let undecided = Consent::NONE;
    /// let html = charter.banner(&undecided, Lang::Fr).page("/donnees?page=2").to_string();
    /// assert!(html.contains(r#"role="dialog""#));
    /// assert!(html.contains("Compter les visites."));
    /// assert!(html.contains(r#"name="return_to" value="/donnees?page=2""#));
    ///
    /// let decided = Consent::new(&[Category::Statistics], 1_763_894_400);
    /// assert_eq!(charter.banner(&decided, Lang::Fr).page("/donnees").to_string(), "");
    /// let reopened = charter.banner(&decided, Lang::En).page("/donnees?cookies=manage");
    /// assert!(reopened.to_string().contains("Refuse all"));
    /// ```
    pub fn banner<'a>(&'a self, consent: &'a Consent, lang: Lang) -> Banner<'a> {
        Banner {
            charter: self,
            consent,
            lang,
            action: "/consent",
            charter_page: "/charte-cookies",
            page: None,
            reopen: false,
            stylesheet: true,
        }
    }
}

impl<'a> Banner<'a> {
    /// The page the banner is shown on, as its path and query (`uri.path_and_query()`):
    /// the decision sends the visitor back there, and the [`REOPEN`] query in it opens
    /// the banner again. Without it the endpoint goes back to the `Referer`, else `/`.
    pub fn page(mut self, path_and_query: &'a str) -> Banner<'a> {
        self.page = Some(path_and_query);
        self
    }

    /// Shows the banner even when a decision is recorded (default: only when the
    /// page's query asks with [`REOPEN`]).
    pub fn reopen(mut self, reopen: bool) -> Banner<'a> {
        self.reopen = reopen;
        self
    }

    /// Where the forms post (default `/consent`): the path the consent routes are
    /// mounted at.
    pub fn action(mut self, path: &'a str) -> Banner<'a> {
        self.action = path;
        self
    }

    /// The charter page the banner links to (default `/charte-cookies`).
    pub fn charter_page(mut self, href: &'a str) -> Banner<'a> {
        self.charter_page = href;
        self
    }

    /// Whether the fragment carries its stylesheet in a `<style>` element (default
    /// yes). Without it, serve [`STYLESHEET`] yourself (a strict
    /// `Content-Security-Policy` forbids inline styles).
    pub fn stylesheet(mut self, inline: bool) -> Banner<'a> {
        self.stylesheet = inline;
        self
    }

    /// Whether the banner shows: no decision recorded, or asked to reopen.
    pub fn is_shown(&self) -> bool {
        !self.consent.is_recorded() || self.reopen || self.page.is_some_and(asks_reopen)
    }

    fn write(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        let words = Words::of(self.lang);
        let lang = self.lang.as_str();
        writeln!(
            out,
            "<div id=\"consent-banner\" class=\"charte-banner\" role=\"dialog\" \
             aria-labelledby=\"consent-banner-title\" lang=\"{lang}\">"
        )?;
        if self.stylesheet {
            write!(out, "<style>\n{STYLESHEET}</style>\n")?;
        }
        write!(
            out,
            "<h2 id=\"consent-banner-title\">{}</h2>\n<p>{} <a href=\"{}\">{}</a>.</p>\n<ul>\n",
            words.heading,
            words.intro,
            Escaped(self.charter_page),
            words.read_charter
        )?;
        let choices = self.sentences(out, words)?;
        out.write_str("</ul>\n<div class=\"charte-banner__choices\">\n")?;
        for (choice, id, label) in [
            ("all", "accept-all", words.accept_all),
            ("none", "refuse-all", words.refuse_all),
        ] {
            self.form_start(out, choice, "")?;
            writeln!(
                out,
                "<button type=\"submit\" id=\"{id}\" class=\"charte-banner__button\">\
                 {label}</button></form>"
            )?;
        }
        out.write_str("</div>\n")?;
        if !choices.is_empty() {
            self.form_start(out, "custom", " class=\"charte-banner__custom\"")?;
            writeln!(out, "<fieldset><legend>{}</legend>", words.custom_legend)?;
            for category in choices {
                let name = category.as_str();
                let checked = if self.consent.is_granted(category) {
                    " checked"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "<label><input type=\"checkbox\" id=\"consent-{name}\" name=\"{name}\" \
                     value=\"on\"{checked}> {}</label>",
                    words.category(category)
                )?;
            }
            write!(
                out,
                "</fieldset>\n<button type=\"submit\" id=\"save-choices\" \
                 class=\"charte-banner__button charte-banner__save\">{}</button></form>\n",
                words.save
            )?;
        }
        out.write_str("</div>\n")
    }

    /// One sentence per category the charter uses, from its cookies' purposes; returns
    /// the categories the visitor chooses (those with a cookie that needs consent).
    fn sentences(
        &self,
        out: &mut dyn fmt::Write,
        words: &Words,
    ) -> Result<Vec<Category>, fmt::Error> {
        let mut choices = Vec::new();
        for category in Category::ALL {
            let cookies: Vec<_> = self
                .charter
                .cookies()
                .iter()
                .filter(|cookie| cookie.category() == category)
                .collect();
            if cookies.is_empty() {
                continue;
            }
            let needs_consent = cookies.iter().any(|cookie| cookie.needs_consent());
            if needs_consent {
                choices.push(category);
            }
            let mut purposes: Vec<&str> = Vec::new();
            for cookie in &cookies {
                let purpose = cookie.purpose().trim().trim_end_matches('.').trim_end();
                if !purposes.contains(&purpose) {
                    purposes.push(purpose);
                }
            }
            write!(
                out,
                "<li><strong>{}</strong>{}{}",
                words.category(category),
                if needs_consent { "" } else { words.always },
                words.colon
            )?;
            for (i, purpose) in purposes.iter().enumerate() {
                if i > 0 {
                    out.write_str(words.separator)?;
                }
                write!(out, "{}", Escaped(purpose))?;
            }
            out.write_str(".</li>\n")?;
        }
        Ok(choices)
    }

    fn form_start(&self, out: &mut dyn fmt::Write, choice: &str, class: &str) -> fmt::Result {
        write!(
            out,
            "<form method=\"post\" action=\"{}\"{class}>",
            Escaped(self.action)
        )?;
        if let Some(page) = self.page {
            write!(
                out,
                "<input type=\"hidden\" name=\"return_to\" value=\"{}\">",
                Escaped(&without_reopen(page))
            )?;
        }
        write!(
            out,
            "<input type=\"hidden\" name=\"choice\" value=\"{choice}\">"
        )
    }
}

impl fmt::Display for Banner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_shown() {
            self.write(f)
        } else {
            Ok(())
        }
    }
}

/// Whether a path and query carries the [`REOPEN`] pair.
fn asks_reopen(path_and_query: &str) -> bool {
    path_and_query
        .split_once('?')
        .map(|(_, query)| query.split('#').next().unwrap_or_default())
        .is_some_and(|query| query.split('&').any(|pair| pair == REOPEN))
}

/// The « Gérer mes cookies » link that reopens the banner on the current page, to put
/// in every page's layout (`id="manage-cookies"`).
///
/// ```
/// use charte_core::Lang;
/// assert_eq!(
///     charte_core::banner::manage_link(Lang::Fr),
///     r#"<a id="manage-cookies" href="?cookies=manage">Gérer mes cookies</a>"#
/// );
/// ```
pub fn manage_link(lang: Lang) -> String {
    format!(
        "<a id=\"manage-cookies\" href=\"?{REOPEN}\">{}</a>",
        Words::of(lang).manage
    )
}
