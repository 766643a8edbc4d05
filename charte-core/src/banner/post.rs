//! The consent endpoint's decision, framework-free: a posted form in, a decision to
//! record (or a refusal) out. The axum and actix-web routes are thin shells over
//! [`Charter::decide_consent`].
//!
//! # Who may decide
//!
//! Only a form the visitor submitted on a page of the site itself. A form that another
//! site makes the browser submit (a forged consent: GDPR art. 4(11) asks for a decision
//! of the visitor) is refused, in this order:
//!
//! 1. `Sec-Fetch-Site` (sent by every current browser, set by the browser alone): only
//!    `same-origin` passes. `cross-site` and `same-site` (another port or subdomain of the
//!    same site is another origin: `127.0.0.1:4000` posting to `127.0.0.1:3000` is
//!    `same-site`), `none` (not from a page) and anything else are refused.
//! 2. `Origin`: when present it must be the request's own origin (the host and port of
//!    its `Host` header, or of the URI's authority in HTTP/2) or the charter's `site`
//!    (behind a proxy that changes the host). `null` and any other origin are refused.
//! 3. Neither header (browsers from before 2020, or clients that are not browsers): the
//!    `Referer` must be a page of the same origin, as above; without it the post is
//!    refused. An old browser on the site's own page still sends its `Referer`; a page
//!    elsewhere cannot make it send one of the site (the OWASP CSRF cheat sheet's
//!    « verifying origin with standard headers », failing closed).
//!
//! The `303 See Other` goes back to the page the form was on: the form's `return_to`
//! field (a path of this origin: `/`, not `//` nor `/\`, printable ASCII), else the
//! `Referer` when it is a page of an accepted origin, else `/`. A `return_to` that is
//! not such a path is refused, not rewritten: no consent comes with an open redirect.
//! The reopening query ([`REOPEN`](super::REOPEN)) is removed from the target, so that
//! the visitor lands on the page without the banner.

use std::fmt;

use http::uri::{Authority, Scheme};
use http::Uri;

use crate::model::{Category, Charter};

/// The largest form accepted, in bytes: the banner's form is under 200.
pub const MAX_BODY: usize = 16 * 1024;

/// The longest `return_to` path accepted, in bytes.
const MAX_RETURN_TO: usize = 2048;

/// What the consent endpoint needs of a request: its headers as bytes (any HTTP
/// library's) and its body.
///
/// A header sent more than once is given as its values joined by `", "` (what
/// repeating a field means, RFC 9110 §5.3): such a value is never a valid `Origin`,
/// `Sec-Fetch-Site` or `Referer`, and is refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsentPost<'a> {
    /// The URI's scheme, when the request carries one (HTTP/2, absolute-form).
    pub scheme: Option<&'a str>,
    /// The URI's authority (HTTP/2 `:authority`), else the `Host` header.
    pub host: Option<&'a [u8]>,
    /// The `Origin` header.
    pub origin: Option<&'a [u8]>,
    /// The `Sec-Fetch-Site` header.
    pub sec_fetch_site: Option<&'a [u8]>,
    /// The `Referer` header.
    pub referer: Option<&'a [u8]>,
    /// The `Content-Type` header.
    pub content_type: Option<&'a [u8]>,
    /// The body, `application/x-www-form-urlencoded`.
    pub body: &'a [u8],
}

/// A decision to record: answer `303 See Other` to `location` with
/// `CHARTER.consent_cookie(&granted)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The categories granted (every other one is refused).
    pub granted: Vec<Category>,
    /// Where to send the visitor back: a path (and query) of this origin.
    pub location: String,
}

/// Why a post was not recorded. Every refusal is answered without a consent cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `Sec-Fetch-Site` is not `same-origin` (`cross-site`, `same-site`, `none`...).
    FetchSite(String),
    /// `Origin` names another origin than the request's and the site's (or `null`).
    ForeignOrigin(String),
    /// Neither `Origin` nor `Sec-Fetch-Site`, and no `Referer` of this origin.
    NoProvenance,
    /// The `return_to` field is not a path of this origin.
    ForeignReturn(String),
    /// The body is not `application/x-www-form-urlencoded`.
    ContentType(String),
    /// The body is over [`MAX_BODY`] bytes.
    TooLarge(usize),
    /// A field is missing, repeated or holds an unknown value.
    Form(String),
}

impl Refusal {
    /// The HTTP status to answer: 403 for a post that is not the visitor's own decision
    /// (or asks for a redirect off the site), 415, 413 or 400 for a malformed one.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::FetchSite(_)
            | Refusal::ForeignOrigin(_)
            | Refusal::NoProvenance
            | Refusal::ForeignReturn(_) => 403,
            Refusal::ContentType(_) => 415,
            Refusal::TooLarge(_) => 413,
            Refusal::Form(_) => 400,
        }
    }

    /// A short name of the reason, for events and logs: `fetch-site`, `origin`,
    /// `no-provenance`, `return-to`, `content-type`, `too-large` or `form`.
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::FetchSite(_) => "fetch-site",
            Refusal::ForeignOrigin(_) => "origin",
            Refusal::NoProvenance => "no-provenance",
            Refusal::ForeignReturn(_) => "return-to",
            Refusal::ContentType(_) => "content-type",
            Refusal::TooLarge(_) => "too-large",
            Refusal::Form(_) => "form",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::FetchSite(value) => write!(
                f,
                "Sec-Fetch-Site is {value:?}: the form was not submitted from a page of this site"
            ),
            Refusal::ForeignOrigin(origin) => write!(
                f,
                "Origin {origin:?} is neither this request's origin nor the charter's site"
            ),
            Refusal::NoProvenance => f.write_str(
                "no Origin, no Sec-Fetch-Site and no Referer of this origin: \
                 nothing shows the form was submitted from this site",
            ),
            Refusal::ForeignReturn(target) => write!(
                f,
                "return_to {target:?} is not a path of this site (no redirect off the site)"
            ),
            Refusal::ContentType(value) => write!(
                f,
                "Content-Type {value:?} is not application/x-www-form-urlencoded"
            ),
            Refusal::TooLarge(size) => {
                write!(f, "the form is {size} bytes, over the {MAX_BODY} accepted")
            }
            Refusal::Form(problem) => f.write_str(problem),
        }
    }
}

impl std::error::Error for Refusal {}

impl Charter {
    /// Judges a post to the consent endpoint: who sent it (see the
    /// [module](crate::banner::post) for the rules), then its fields: `choice` =
    /// `all` | `none` | `custom`, and for `custom` the checkboxes `statistics`,
    /// `first-party`, `third-party` (value `on`); `return_to`, the page to go back to.
    /// Other fields are ignored (a site's own tokens). Only the categories the charter
    /// asks consent for (those of its cookies that need it) can be granted: `all` grants
    /// those, and a box for another category is ignored.
    ///
    /// ```
    /// # let charter = charte_core::check_str("x.toml", r#"
    /// # [charter]
    /// # site = "https://example.fr"
    /// # [[cookie]]
    /// # name = "_pk_id"
    /// # provider = "Matomo"
    /// # service = "Audience"
    /// # purpose = "Count visits."
    /// # category = "statistics"
    /// # "#).charter.unwrap();
    /// use charte_core::banner::{ConsentPost, Refusal};
    /// use charte_core::Category;
    ///
    /// let lawful = ConsentPost {
    ///     host: Some(b"example.fr"),
    ///     origin: Some(b"https://example.fr"),
    ///     sec_fetch_site: Some(b"same-origin"),
    ///     content_type: Some(b"application/x-www-form-urlencoded"),
    ///     body: b"choice=custom&statistics=on&return_to=%2Fdonnees%3Fpage%3D2",
    ///     ..ConsentPost::default()
    /// };
    /// let decision = charter.decide_consent(&lawful).unwrap();
    /// assert_eq!(decision.granted, [Category::Statistics]);
    ///
    /// // A box for a category no cookie of this charter needs grants nothing.
    /// let third_party = ConsentPost { body: b"choice=custom&third-party=on", ..lawful };
    /// assert!(charter.decide_consent(&third_party).unwrap().granted.is_empty());
    /// assert_eq!(decision.location, "/donnees?page=2");
    ///
    /// let forged = ConsentPost {
    ///     origin: Some(b"https://evil.example"),
    ///     sec_fetch_site: Some(b"cross-site"),
    ///     body: b"choice=all",
    ///     ..lawful
    /// };
    /// assert_eq!(charter.decide_consent(&forged).unwrap_err().status(), 403);
    /// ```
    pub fn decide_consent(&self, post: &ConsentPost<'_>) -> Result<Decision, Refusal> {
        let origins = Origins::new(self, post);
        check_provenance(post, &origins)?;
        check_content_type(post.content_type)?;
        if post.body.len() > MAX_BODY {
            return Err(Refusal::TooLarge(post.body.len()));
        }
        let fields = Fields::read(post.body)?;
        let mut granted = fields.granted()?;
        // Only what the charter asks can be granted: a form naming a category no declared
        // cookie needs would have the proof record a choice the visitor was never offered.
        let asked = self.asked();
        granted.retain(|category| asked.contains(*category));
        let location = match fields.return_to {
            Some(target) => {
                if !is_local_path(&target) {
                    return Err(Refusal::ForeignReturn(target));
                }
                target
            }
            None => post
                .referer
                .and_then(|referer| origins.local_page(referer))
                .unwrap_or_else(|| "/".to_owned()),
        };
        Ok(Decision {
            granted,
            location: without_reopen(&location),
        })
    }
}

fn check_provenance(post: &ConsentPost<'_>, origins: &Origins) -> Result<(), Refusal> {
    if let Some(site) = post.sec_fetch_site {
        if site != b"same-origin" {
            return Err(Refusal::FetchSite(lossy(site)));
        }
    }
    match post.origin {
        Some(origin) if !origins.accepts(origin) => Err(Refusal::ForeignOrigin(lossy(origin))),
        Some(_) => Ok(()),
        // A browser that sends `Sec-Fetch-Site` is trusted on it.
        None if post.sec_fetch_site.is_some() => Ok(()),
        None => match post.referer {
            Some(referer) if origins.local_page(referer).is_some() => Ok(()),
            _ => Err(Refusal::NoProvenance),
        },
    }
}

fn check_content_type(content_type: Option<&[u8]>) -> Result<(), Refusal> {
    let value = content_type.unwrap_or_default();
    // The media type, before any parameter (`; charset=UTF-8`).
    let media = value.split(|&b| b == b';').next().unwrap_or_default();
    if media
        .trim_ascii()
        .eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
    {
        Ok(())
    } else {
        Err(Refusal::ContentType(lossy(value)))
    }
}

/// The origins a decision may come from: the request's own, and the charter's site.
struct Origins {
    own: Option<Endpoint>,
    site: Option<Endpoint>,
}

/// An origin's scheme (when known), host and port.
#[derive(Debug)]
struct Endpoint {
    scheme: Option<Scheme>,
    host: String,
    /// The explicit port, or the scheme's default one.
    port: Option<u16>,
}

impl Endpoint {
    fn of_uri(uri: &Uri) -> Option<Endpoint> {
        let scheme = uri.scheme()?.clone();
        let default = default_port(&scheme)?;
        let authority = uri.authority()?;
        // `user:password@` has no place in an origin or a referrer a browser sends.
        if authority.as_str().contains('@') {
            return None;
        }
        Some(Endpoint {
            port: Some(authority.port_u16().unwrap_or(default)),
            host: authority.host().to_ascii_lowercase(),
            scheme: Some(scheme),
        })
    }

    /// The same scheme (when both are known), host and port. A request whose own
    /// scheme is unknown (HTTP/1.1 gives none) and whose `Host` has no port matches
    /// an origin on its scheme's default port, whichever the scheme: the server
    /// cannot tell whether TLS ended before it.
    fn matches(&self, origin: &Endpoint) -> bool {
        let scheme = match (&self.scheme, &origin.scheme) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let port = match (self.port, origin.port, &origin.scheme) {
            (Some(a), Some(b), _) => a == b,
            (None, Some(b), Some(scheme)) => default_port(scheme) == Some(b),
            _ => false,
        };
        scheme && port && self.host == origin.host
    }
}

fn default_port(scheme: &Scheme) -> Option<u16> {
    if *scheme == Scheme::HTTP {
        Some(80)
    } else if *scheme == Scheme::HTTPS {
        Some(443)
    } else {
        None
    }
}

impl Origins {
    fn new(charter: &Charter, post: &ConsentPost<'_>) -> Origins {
        let own = post
            .host
            .and_then(|host| Authority::try_from(host).ok())
            .filter(|authority| !authority.as_str().contains('@'))
            .map(|authority| {
                let scheme = post.scheme.and_then(|s| Scheme::try_from(s).ok());
                let port = authority
                    .port_u16()
                    .or_else(|| scheme.as_ref().and_then(default_port));
                Endpoint {
                    host: authority.host().to_ascii_lowercase(),
                    port,
                    scheme,
                }
            });
        let site = charter
            .site()
            .parse::<Uri>()
            .ok()
            .and_then(|uri| Endpoint::of_uri(&uri));
        Origins { own, site }
    }

    /// Whether an `Origin` header names an accepted origin. It must be exactly an
    /// origin (`scheme://host[:port]`, no path): `null` and anything else is not.
    fn accepts(&self, origin: &[u8]) -> bool {
        let Ok(uri) = Uri::try_from(origin) else {
            return false;
        };
        if uri.path_and_query().is_some_and(|p| p.as_str() != "/") || origin.ends_with(b"/") {
            return false;
        }
        Endpoint::of_uri(&uri).is_some_and(|origin| self.accepts_endpoint(&origin))
    }

    fn accepts_endpoint(&self, origin: &Endpoint) -> bool {
        [&self.own, &self.site]
            .into_iter()
            .flatten()
            .any(|accepted| accepted.matches(origin))
    }

    /// The path and query of a `Referer` on an accepted origin.
    fn local_page(&self, referer: &[u8]) -> Option<String> {
        let uri = Uri::try_from(referer).ok()?;
        let endpoint = Endpoint::of_uri(&uri)?;
        if !self.accepts_endpoint(&endpoint) {
            return None;
        }
        let page = uri.path_and_query().map_or("/", |p| p.as_str());
        is_local_path(page).then(|| page.to_owned())
    }
}

/// A path (and query) of this origin, safe as a `Location`: it starts with one `/`
/// (`//host` and `/\host` lead to another host), and holds printable ASCII only
/// (browsers drop tabs and newlines from URLs and read `\` as `/`).
fn is_local_path(target: &str) -> bool {
    let bytes = target.as_bytes();
    bytes.len() <= MAX_RETURN_TO
        && bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/'))
        && bytes
            .iter()
            .all(|&b| (0x21..=0x7e).contains(&b) && b != b'\\')
}

/// `target` without the [`REOPEN`](super::REOPEN) query pair (and without a query
/// left empty).
pub(crate) fn without_reopen(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, query),
        None => return target.to_owned(),
    };
    let (query, fragment) = match query.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (query, None),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != super::REOPEN)
        .collect();
    let mut out = path.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The fields of the banner's forms.
#[derive(Debug, Default)]
struct Fields {
    choice: Option<String>,
    boxes: [bool; 3],
    return_to: Option<String>,
}

impl Fields {
    fn read(body: &[u8]) -> Result<Fields, Refusal> {
        let mut fields = Fields::default();
        for (name, value) in form_urlencoded::parse(body) {
            let once = |slot: &mut Option<String>| {
                if slot.replace(value.clone().into_owned()).is_some() {
                    Err(Refusal::Form(format!("the field {name:?} is repeated")))
                } else {
                    Ok(())
                }
            };
            match &*name {
                "choice" => once(&mut fields.choice)?,
                "return_to" => once(&mut fields.return_to)?,
                other => {
                    let Some(index) = Category::CONSENTABLE
                        .iter()
                        .position(|category| category.as_str() == other)
                    else {
                        continue; // the site's own fields
                    };
                    if value != "on" || fields.boxes[index] {
                        return Err(Refusal::Form(format!(
                            "the checkbox {other:?} is repeated or not \"on\""
                        )));
                    }
                    fields.boxes[index] = true;
                }
            }
        }
        Ok(fields)
    }

    fn granted(&self) -> Result<Vec<Category>, Refusal> {
        match self.choice.as_deref() {
            Some("all") => Ok(Category::CONSENTABLE.to_vec()),
            Some("none") => Ok(Vec::new()),
            Some("custom") => Ok(Category::CONSENTABLE
                .into_iter()
                .zip(self.boxes)
                .filter_map(|(category, ticked)| ticked.then_some(category))
                .collect()),
            Some(other) => Err(Refusal::Form(format!(
                "choice {other:?} is not \"all\", \"none\" nor \"custom\""
            ))),
            None => Err(Refusal::Form("the field \"choice\" is missing".to_owned())),
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charter(site: &str) -> Charter {
        crate::check_str(
            "x.toml",
            &format!(
                "[charter]\nsite = \"{site}\"\nconsent_cookie = \"consent\"\n[[cookie]]\n\
                 name = \"consent\"\nprovider = \"P\"\nservice = \"S\"\npurpose = \"Q.\"\n\
                 category = \"necessary\"\n"
            ),
        )
        .charter
        .expect("a valid charter")
    }

    /// The verdict on a post from `origin` (no `Sec-Fetch-Site`) to a server reached as
    /// `host`, with `scheme` when the request carries one.
    fn from(site: &str, scheme: Option<&str>, host: &str, origin: &str) -> Result<(), Refusal> {
        let post = ConsentPost {
            scheme,
            host: Some(host.as_bytes()),
            origin: Some(origin.as_bytes()),
            content_type: Some(b"application/x-www-form-urlencoded"),
            body: b"choice=none",
            ..ConsentPost::default()
        };
        charter(site).decide_consent(&post).map(|_| ())
    }

    #[test]
    fn the_request_s_own_origin_is_its_host_and_port() {
        let site = "https://opendata.example.fr";
        assert!(from(
            site,
            None,
            "staging.example.fr",
            "http://staging.example.fr"
        )
        .is_ok());
        // HTTP/1.1 does not tell whether TLS ended before the server.
        assert!(from(
            site,
            None,
            "staging.example.fr",
            "https://staging.example.fr"
        )
        .is_ok());
        assert!(from(
            site,
            None,
            "Staging.Example.FR",
            "https://staging.example.fr"
        )
        .is_ok());
        assert!(from(site, None, "127.0.0.1:3000", "http://127.0.0.1:3000").is_ok());
        assert!(from(site, None, "[::1]:3000", "http://[::1]:3000").is_ok());
        // Another port, host or scheme than the request's.
        assert!(from(site, None, "127.0.0.1:3000", "http://127.0.0.1:3001").is_err());
        assert!(from(
            site,
            None,
            "staging.example.fr",
            "https://staging.example.fr:8443"
        )
        .is_err());
        assert!(from(
            site,
            None,
            "staging.example.fr:443",
            "http://staging.example.fr"
        )
        .is_err());
        assert!(from(
            site,
            Some("https"),
            "staging.example.fr",
            "http://staging.example.fr"
        )
        .is_err());
        assert!(from(site, None, "example.fr", "https://evil-example.fr").is_err());
        assert!(from(site, None, "example.fr", "https://example.fr.evil.example").is_err());
        // Not origins.
        for origin in [
            "null",
            "",
            "example.fr",
            "https://example.fr/",
            "https://u@example.fr",
        ] {
            assert!(
                from(site, None, "example.fr", origin).is_err(),
                "{origin:?}"
            );
        }
    }

    #[test]
    fn the_charter_s_site_is_accepted_whatever_the_host() {
        let site = "https://opendata.example.fr";
        assert!(from(site, None, "10.0.0.7:8080", "https://opendata.example.fr").is_ok());
        // The same origin, its default port spelled out.
        assert!(from(
            site,
            None,
            "10.0.0.7:8080",
            "https://opendata.example.fr:443"
        )
        .is_ok());
        assert!(from(
            site,
            None,
            "10.0.0.7:8080",
            "https://opendata.example.fr:8443"
        )
        .is_err());
        assert!(from(site, None, "10.0.0.7:8080", "http://opendata.example.fr").is_err());
        assert!(from("http://127.0.0.1:3000", None, "x", "http://127.0.0.1:3000").is_ok());
    }

    #[test]
    fn the_reopening_pair_leaves_the_target() {
        assert_eq!(without_reopen("/?cookies=manage"), "/");
        assert_eq!(without_reopen("/a?x=1&cookies=manage&y=2"), "/a?x=1&y=2");
        assert_eq!(without_reopen("/a?cookies=managed"), "/a?cookies=managed");
        assert_eq!(without_reopen("/a?cookies=manage#top"), "/a#top");
        assert_eq!(without_reopen("/a"), "/a");
    }

    #[test]
    fn a_local_path_stays_on_the_origin() {
        for ok in ["/", "/a/b?c=d#e", "/%2F%2Fevil.example", "/a//b"] {
            assert!(is_local_path(ok), "{ok:?}");
        }
        for bad in [
            "",
            "a",
            "//evil.example",
            "/\\evil.example",
            "/a\\b",
            "/\t/x",
            "/é",
            "https://x",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
        assert!(!is_local_path(&format!("/{}", "a".repeat(MAX_RETURN_TO))));
    }
}
