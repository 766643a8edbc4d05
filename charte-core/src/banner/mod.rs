//! The consent banner and its endpoint: a banner generated from the charter, which names
//! exactly the categories the site uses, and routes that record the visitor's decision
//! safely.
//!
//! - [`Charter::banner`]: the HTML fragment (plain forms, no script, no external
//!   resource; French and English), empty once the visitor has decided unless reopened
//!   with [`manage_link`] (« Gérer mes cookies »).
//! - `CHARTER.consent_routes()` (axum, feature `tower`) and `CHARTER.actix_consent()`
//!   (actix-web, feature `actix`): `POST /consent`, which answers `303 See Other` back to
//!   the page with the consent cookie, or refuses (`403`, no cookie, a `WARN` event of
//!   target `charte`) a decision the visitor did not make: see [`post`] for the rules.
//! - [`Charter::decide_consent`]: the same decision for any other HTTP library.
//!
//! « Tout accepter » and « Tout refuser » are two buttons of the same size, style and
//! level, one click each (CNIL, recommandation « cookies et autres traceurs »,
//! 17 September 2020, art. 2); leaving the banner unanswered records nothing, and
//! nothing that needs consent is set.
//!
//! The stylesheet ([`STYLESHEET`]) reads CSS custom properties, all optional:
//! `--charte-banner-background`, `-color`, `-link`, `-border`, `-radius`, `-font`,
//! `-padding`, `-margin`, `-max-width`, `-gap`, `-focus`, `-button-background`,
//! `-button-color`, and `-position`, `-inset`, `-z-index` (e.g. `fixed` and
//! `auto 0 0 0` to pin it to the bottom of the window).
//!
//! [`Charter::banner`]: crate::Charter::banner
//! [`Charter::decide_consent`]: crate::Charter::decide_consent

mod html;
pub mod post;
mod words;

#[cfg(feature = "actix")]
mod actix;
#[cfg(feature = "tower")]
mod axum;

pub use html::{manage_link, Banner};
pub use post::{ConsentPost, Decision, Refusal};

pub(crate) use post::without_reopen;

/// The query pair that reopens the banner on any page: `?cookies=manage`. It is removed
/// from the page the visitor goes back to after deciding.
pub const REOPEN: &str = "cookies=manage";

/// The banner's stylesheet, which the fragment carries inline unless
/// [`Banner::stylesheet`] says otherwise.
pub const STYLESHEET: &str = include_str!("banner.css");

#[cfg(any(feature = "tower", feature = "actix"))]
/// The event a refused post emits, and the plain-text body answered with it.
fn refusal_body(charter: &crate::Charter, refusal: &Refusal, route: &str) -> String {
    tracing::warn!(
        target: "charte",
        reason = refusal.kind(),
        detail = %refusal,
        status = refusal.status(),
        route,
        "consent post refused: no consent cookie set"
    );
    let words = words::Words::of(charter.lang());
    format!("{} ({}): {refusal}.\n", words.refused, refusal.status())
}

/// The body limit of the framework extractors: one byte over [`post::MAX_BODY`], so
/// that the decision sees an oversized form and refuses it with its event.
#[cfg(any(feature = "tower", feature = "actix"))]
const MAX_BODY_WITH_SLACK: usize = post::MAX_BODY + 1;
