//! The rules of a declaration that span fields or cookies, and the step from a spanned
//! [`Declaration`] to a [`Charter`].

use std::borrow::Cow;
use std::collections::HashMap;

use crate::model::duration::{self, CONSENT_LIFETIME, MAX_ANONYMOUS_LIFETIME, MAX_COOKIE_LIFETIME};
use crate::model::names::{is_token, is_token_byte, join_and};
use crate::model::{
    closest, Category, Charter, CharterParts, Cookie, CookieParts, NamePrefix, PrefixAttributes,
};

use super::declaration::{CookieDeclaration, Declaration, Field};
use super::diagnostic::Diagnostic;
use super::idents::constant_name;

/// The identifier `charter!` reserves in the generated module.
pub const RESERVED_IDENTIFIERS: &[&str] = &["CHARTER"];

/// Applies every rule; returns the charter when no diagnostic (old or new) remains.
pub fn validate(declaration: &Declaration, diagnostics: &mut Vec<Diagnostic>) -> Option<Charter> {
    let mut v = Validator {
        declaration,
        diagnostics,
    };
    let site_host = v.site();
    let cookies: Vec<Option<Cookie>> = declaration
        .cookies
        .iter()
        .map(|c| v.cookie(c, site_host.as_deref()))
        .collect();
    v.names_are_distinct();
    let consent_cookie = v.consent_cookie();
    if !v.diagnostics.is_empty() {
        return None;
    }
    let cookies: Vec<Cookie> = cookies.into_iter().collect::<Option<_>>()?;
    let site = declaration.site.as_ref()?.value.clone();
    let lang = declaration
        .lang
        .as_ref()
        .map(|l| l.value)
        .unwrap_or_default();
    let consent_cookie_index = consent_cookie.and_then(|name| {
        cookies
            .iter()
            .position(|c| !c.is_pattern() && c.name() == name)
    });
    let revision = super::revision::fingerprint(&site, lang, consent_cookie_index, &cookies);
    Some(Charter::from_parts(CharterParts {
        site: site.into(),
        lang,
        consent_cookie_index,
        cookies: cookies.into(),
        revision: revision.into(),
        lookup: None,
    }))
}

struct Validator<'a> {
    declaration: &'a Declaration,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Validator<'_> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// `site` is required and absolute: returns its host.
    fn site(&mut self) -> Option<String> {
        let Some(site) = &self.declaration.site else {
            let d = match &self.declaration.charter_table {
                Some(table) => self.declaration.error_at(table, "[charter] has no `site`"),
                None => Diagnostic::at(
                    &self.declaration.files[0],
                    0..0,
                    "the declaration has no [charter] table",
                ),
            };
            self.error(
                d.help("add `site = \"https://...\"`, the portal's address, under [charter]"),
            );
            return None;
        };
        let host = site
            .value
            .strip_prefix("https://")
            .or_else(|| site.value.strip_prefix("http://"))
            .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""))
            .map(|authority| authority.rsplit('@').next().unwrap_or(""))
            .map(|host_port| {
                host_port
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            });
        match host {
            Some(host)
                if !host.is_empty()
                    && !site
                        .value
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control()) =>
            {
                Some(host)
            }
            _ => {
                let d = self
                    .declaration
                    .error_at(
                        &site.at,
                        format!("`site` is not an absolute http(s) URL: {:?}", site.value),
                    )
                    .help("write the full address, for example \"https://opendata.example.fr\"");
                self.error(d);
                None
            }
        }
    }

    fn cookie(&mut self, c: &CookieDeclaration, site_host: Option<&str>) -> Option<Cookie> {
        let name = self.required(
            c,
            &c.name,
            "name",
            "the cookie's name, as the browser sees it",
        );
        let provider = self.required_text(c, &c.provider, "provider", "« Nom du prestataire »");
        let service = self.required_text(c, &c.service, "service", "« Service et emplacement »");
        let purpose = self.required_text(c, &c.purpose, "purpose", "« Finalités »");
        let category = self.required(
            c,
            &c.category,
            "category",
            "\"necessary\", \"statistics\", \"first-party\" or \"third-party\"",
        );

        let (bare, pattern) = match name {
            Some(name) => match self.name(name) {
                Some(parts) => (Some(parts.0), parts.1),
                None => (None, false),
            },
            None => (None, false),
        };
        let secure = c.secure.as_ref().is_some_and(|s| s.value);
        if let (Some(bare), Some(name)) = (&bare, &c.name) {
            self.prefix_rules(c, bare, name, secure);
        }
        if !secure {
            if let Some(same_site) = c
                .same_site
                .as_ref()
                .filter(|s| s.value == crate::model::SameSite::None)
            {
                let d = self
                    .declaration
                    .error_at(
                        &same_site.at,
                        "`same_site = \"none\"` requires `secure = true`",
                    )
                    .note(
                        "browsers reject SameSite=None cookies that are not Secure",
                        None,
                    )
                    .help("add `secure = true` to this cookie");
                self.error(d);
            }
            if let Some(partitioned) = c.partitioned.as_ref().filter(|p| p.value) {
                let d = self
                    .declaration
                    .error_at(&partitioned.at, "`partitioned` requires `secure = true`")
                    .note(
                        "browsers reject Partitioned cookies that are not Secure",
                        None,
                    )
                    .help("add `secure = true` to this cookie");
                self.error(d);
            }
        }
        if let Some(duration) = &c.duration {
            if let Some(seconds) = duration.value.max_age {
                if seconds > MAX_COOKIE_LIFETIME {
                    let d = self
                        .declaration
                        .error_at(
                            &duration.at,
                            format!(
                                "duration {:?} is over 400 days ({} days)",
                                duration.value.text,
                                duration::days(seconds)
                            ),
                        )
                        .note(
                            "browsers cap cookie lifetimes at 400 days (RFC 6265bis)",
                            None,
                        )
                        .help("the CNIL recommends at most 13 months: \"13 months\"");
                    self.error(d);
                }
            }
        }
        self.anonymous_rules(c, category.map(|c| c.value), site_host);

        Some(Cookie::from_parts(CookieParts {
            name: bare?.into(),
            pattern,
            provider: provider?.into(),
            service: service?.into(),
            purpose: purpose?.into(),
            category: category?.value,
            anonymous: c.anonymous.as_ref().is_some_and(|a| a.value),
            duration: c.duration.as_ref().map(|d| d.value.clone()),
            path: c.path.as_ref().map(|p| Cow::Owned(p.value.clone())),
            domain: c.domain.as_ref().map(|d| Cow::Owned(d.value.clone())),
            secure,
            http_only: c.http_only.as_ref().is_some_and(|h| h.value),
            same_site: c.same_site.as_ref().map(|s| s.value),
            partitioned: c.partitioned.as_ref().is_some_and(|p| p.value),
        }))
    }

    fn required<'f, T>(
        &mut self,
        c: &CookieDeclaration,
        field: &'f Option<Field<T>>,
        key: &str,
        what: &str,
    ) -> Option<&'f Field<T>> {
        if field.is_none() && !c.keys_given.iter().any(|k| k == key) {
            if let Some(table) = &c.table {
                let who = match &c.name {
                    Some(name) => format!("cookie `{}`", name.value),
                    None => "this cookie".to_owned(),
                };
                let d = self
                    .declaration
                    .error_at(table, format!("{who} has no `{key}`"))
                    .help(format!("add `{key} = ...`: {what}"));
                self.error(d);
            }
        }
        field.as_ref()
    }

    /// A required text that must not be blank.
    fn required_text(
        &mut self,
        c: &CookieDeclaration,
        field: &Option<Field<String>>,
        key: &str,
        what: &str,
    ) -> Option<String> {
        let field = self.required(c, field, key, what)?;
        if field.value.trim().is_empty() {
            let d = self
                .declaration
                .error_at(&field.at, format!("`{key}` is empty"))
                .help(format!(
                    "the charter page shows it as {what}: say it in words"
                ));
            self.error(d);
            return None;
        }
        Some(field.value.clone())
    }

    /// Checks a name; returns it without a pattern's `*`, and whether it is a pattern.
    fn name(&mut self, name: &Field<String>) -> Option<(String, bool)> {
        let (bare, pattern) = match name.value.strip_suffix('*') {
            Some(prefix) => (prefix, true),
            None => (name.value.as_str(), false),
        };
        if is_token(bare) {
            return Some((bare.to_owned(), pattern));
        }
        let bad = bare
            .chars()
            .find(|c| !c.is_ascii() || !is_token_byte(*c as u8));
        let message = match bad {
            _ if bare.is_empty() && pattern => "a pattern needs a prefix before its `*`".to_owned(),
            _ if bare.is_empty() => "a cookie name cannot be empty".to_owned(),
            Some(c) => format!(
                "invalid cookie name {:?}: {c:?} is not allowed in a cookie name",
                name.value
            ),
            None => format!("invalid cookie name {:?}", name.value),
        };
        let d = self
            .declaration
            .error_at(&name.at, message)
            .note("a cookie name is an RFC 6265 token: visible ASCII except spaces and ()<>@,;:\\\"/[]?={}", None)
            .help("a pattern is a name followed by a single `*` at the end, such as \"_pk_id*\"");
        self.error(d);
        None
    }

    /// The name prefix rules of [`PREFIX_RULES`], the table enforcement uses too.
    fn prefix_rules(
        &mut self,
        c: &CookieDeclaration,
        bare: &str,
        name: &Field<String>,
        secure: bool,
    ) {
        let Some(prefix) = NamePrefix::of(bare) else {
            return;
        };
        let rule = prefix.rule();
        let text = rule.text;
        if let Some(domain) = c.domain.as_ref().filter(|_| rule.host_only) {
            let d = self
                .declaration
                .error_at(
                    &domain.at,
                    format!("a `{text}` cookie cannot have a `domain`"),
                )
                .note(
                    format!("browsers reject {text} cookies with a Domain attribute"),
                    None,
                )
                .help(format!(
                    "remove `domain`: a {text} cookie belongs to the exact host that set it"
                ));
            self.error(d);
        }
        let declared = PrefixAttributes {
            secure,
            http_only: c.http_only.as_ref().is_some_and(|h| h.value),
            path_is_root: c.path.as_ref().is_some_and(|p| p.value == "/"),
            domain: false,
        };
        // The attributes missing, as the declaration spells them (`domain` was above).
        let missing: Vec<&str> = rule
            .missing(declared)
            .into_iter()
            .map(|needed| match needed {
                "Secure" => "`secure = true`",
                "HttpOnly" => "`http_only = true`",
                _ => "`path = \"/\"`",
            })
            .collect();
        if !missing.is_empty() {
            let needs = join_and(&rule.missing(PrefixAttributes::default()));
            let missing = join_and(&missing);
            let d = self
                .declaration
                .error_at(&name.at, format!("a `{text}` cookie needs {missing}"))
                .note(
                    format!(
                        "browsers reject {text} cookies without {needs} (the prefix is matched case-insensitively)"
                    ),
                    None,
                )
                .help(format!("add {missing} to this cookie"));
            self.error(d);
        }
    }

    fn anonymous_rules(
        &mut self,
        c: &CookieDeclaration,
        category: Option<Category>,
        site_host: Option<&str>,
    ) {
        let Some(anonymous) = c.anonymous.as_ref().filter(|a| a.value) else {
            return;
        };
        if let Some(category) = category.filter(|c| *c != Category::Statistics) {
            let d = self
                .declaration
                .error_at(&anonymous.at, format!("`anonymous` applies only to statistics cookies, not to {category}"))
                .note("the CNIL exemption covers anonymous audience measurement only", None)
                .help("remove `anonymous`, or set `category = \"statistics\"` if this is audience measurement");
            self.error(d);
        }
        if let (Some(domain), Some(host)) = (&c.domain, site_host) {
            if !same_site_domain(&domain.value, host) {
                let d = self
                    .declaration
                    .error_at(&domain.at, format!("an anonymous statistics cookie cannot be set for another site's domain {:?}", domain.value))
                    .note(format!("the site is {host}; the CNIL exemption requires first-party measurement"), None)
                    .help("use the site's own domain, or drop `anonymous` and ask for consent");
                self.error(d);
            }
        }
        if let Some(duration) = &c.duration {
            if duration
                .value
                .max_age
                .is_some_and(|s| s > MAX_ANONYMOUS_LIFETIME)
            {
                let d = self
                    .declaration
                    .error_at(
                        &duration.at,
                        format!(
                            "an anonymous statistics cookie cannot last {:?}",
                            duration.value.text
                        ),
                    )
                    .note("the CNIL exemption allows at most 13 months", None)
                    .help("set `duration = \"13 months\"` or less");
                self.error(d);
            }
        }
    }

    /// No two names equal up to case; no pattern covering another name; no two
    /// generated identifiers alike. Each problem is reported at the later declaration,
    /// with a note at the earlier one. Maps keep this linear in the number of names
    /// (patterns, always few, are compared with every name).
    fn names_are_distinct(&mut self) {
        let named: Vec<(&Field<String>, &str, bool)> = self
            .declaration
            .cookies
            .iter()
            .filter_map(|c| c.name.as_ref())
            .map(|n| match n.value.strip_suffix('*') {
                Some(prefix) => (n, prefix, true),
                None => (n, n.value.as_str(), false),
            })
            .collect();
        let mut by_lowercase: HashMap<String, usize> = HashMap::new();
        let mut by_constant: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<usize> = Vec::new();
        for (i, &(later, later_bare, later_pattern)) in named.iter().enumerate() {
            let earlier_pattern = patterns.iter().copied().find(|&p| {
                let (_, bare, _) = named[p];
                later_bare.starts_with(bare) || (later_pattern && bare.starts_with(later_bare))
            });
            let earlier_covered =
                || (0..i).find(|&e| !named[e].2 && named[e].1.starts_with(later_bare));
            let problem = if let Some(p) = earlier_pattern {
                let earlier = named[p].0;
                let message = if later_pattern {
                    format!("patterns {:?} and {:?} overlap", earlier.value, later.value)
                } else {
                    format!(
                        "cookie {:?} is already covered by the pattern {:?}",
                        later.value, earlier.value
                    )
                };
                let help = if later_pattern {
                    "keep one pattern, or make their prefixes distinct"
                } else {
                    "narrow the pattern, or remove the cookie it already covers"
                };
                Some((message, help, p))
            } else if let Some(e) = later_pattern.then(earlier_covered).flatten() {
                Some((
                    format!(
                        "pattern {:?} covers the declared cookie {:?}",
                        later.value, named[e].0.value
                    ),
                    "narrow the pattern, or remove the cookie it already covers",
                    e,
                ))
            } else if let Some(&e) = by_lowercase.get(&later_bare.to_ascii_lowercase()) {
                Some((
                    format!(
                        "cookie {:?} differs from {:?} only in case",
                        later.value, named[e].0.value
                    ),
                    "browsers keep both as distinct cookies: declare one name",
                    e,
                ))
            } else {
                None
            };
            let ident = constant_name(later_bare);
            let problem = problem.or_else(|| {
                by_constant.get(&ident).map(|&e| {
                    (
                        format!(
                            "cookies {:?} and {:?} would both generate the constant `{ident}`",
                            named[e].0.value, later.value
                        ),
                        "rename one of the cookies",
                        e,
                    )
                })
            });
            if let Some((message, help, earlier)) = problem {
                let first = Some(self.declaration.locate(&named[earlier].0.at));
                let d = self
                    .declaration
                    .error_at(&later.at, message)
                    .note("the other declaration is here", first)
                    .help(help);
                self.error(d);
            }
            if RESERVED_IDENTIFIERS.contains(&ident.as_str()) {
                let d = self
                    .declaration
                    .error_at(
                        &later.at,
                        format!(
                            "cookie {:?} would generate `{ident}`, which charter! already defines",
                            later.value
                        ),
                    )
                    .help("rename the cookie");
                self.error(d);
            }
            by_lowercase
                .entry(later_bare.to_ascii_lowercase())
                .or_insert(i);
            by_constant.entry(ident).or_insert(i);
            if later_pattern {
                patterns.push(i);
            }
        }
    }

    /// Returns the consent cookie's name when it is valid.
    fn consent_cookie(&mut self) -> Option<String> {
        let field = self.declaration.consent_cookie.as_ref()?;
        let declared = self
            .declaration
            .cookies
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.value == field.value));
        let Some(cookie) = declared else {
            let names: Vec<&str> = self
                .declaration
                .cookies
                .iter()
                .filter_map(|c| c.name.as_ref().map(|n| n.value.as_str()))
                .collect();
            let mut d = self.declaration.error_at(
                &field.at,
                format!("consent cookie {:?} is not declared", field.value),
            );
            d = match closest(&field.value, names) {
                Some(name) => d.help(format!("did you mean {name:?}?")),
                None => d.help("declare it as a `[[cookie]]` with `category = \"necessary\"`"),
            };
            self.error(d);
            return None;
        };
        let mut valid = true;
        if let Some(bare) = field.value.strip_suffix('*') {
            // A pattern covers many names: consent is written to, and read from, one.
            let d = self
                .declaration
                .error_at(
                    &field.at,
                    format!("the consent cookie {:?} is a pattern", field.value),
                )
                .note(
                    "consent is recorded in one cookie, with one exact name",
                    None,
                )
                .help(format!(
                    "name one cookie, such as {bare:?}, and declare it with that exact name"
                ));
            self.error(d);
            valid = false;
        }
        if let Some(category) = cookie
            .category
            .as_ref()
            .filter(|c| c.value != Category::Necessary)
        {
            let d = self
                .declaration
                .error_at(&category.at, format!("the consent cookie {:?} must be necessary, not {}", field.value, category.value))
                .note("remembering a refusal needs no consent, so the consent cookie is strictly necessary", None)
                .help("set `category = \"necessary\"`");
            self.error(d);
            valid = false;
        }
        if let Some(duration) = cookie
            .duration
            .as_ref()
            .filter(|d| d.value.max_age.is_some_and(|s| s > CONSENT_LIFETIME))
        {
            let d = self
                .declaration
                .error_at(
                    &duration.at,
                    format!("the consent cookie cannot last {:?}", duration.value.text),
                )
                .note(
                    "the CNIL asks to renew consent choices at least every 6 months",
                    None,
                )
                .help("set `duration = \"6 months\"` or less");
            self.error(d);
            valid = false;
        }
        valid.then(|| field.value.clone())
    }
}

/// Whether `domain` belongs to the same site as `host`: equal, a parent domain of it
/// (never a bare top-level domain), or a subdomain of it.
fn same_site_domain(domain: &str, host: &str) -> bool {
    let domain = domain.trim_start_matches('.').to_ascii_lowercase();
    domain == host
        || (domain.contains('.') && host.ends_with(&format!(".{domain}")))
        || domain.ends_with(&format!(".{host}"))
}

#[cfg(test)]
mod tests {
    use super::same_site_domain;

    #[test]
    fn same_site_domains_are_parents_or_children_but_not_tlds() {
        assert!(same_site_domain(
            "opendata.roubaix.fr",
            "opendata.roubaix.fr"
        ));
        assert!(same_site_domain(".roubaix.fr", "opendata.roubaix.fr"));
        assert!(same_site_domain(
            "stats.opendata.roubaix.fr",
            "opendata.roubaix.fr"
        ));
        assert!(!same_site_domain("fr", "opendata.roubaix.fr"));
        assert!(!same_site_domain(
            "tracker.example.com",
            "opendata.roubaix.fr"
        ));
        assert!(!same_site_domain("xroubaix.fr", "opendata.roubaix.fr"));
    }
}
