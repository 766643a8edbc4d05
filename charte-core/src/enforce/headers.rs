//! The engine's view of response headers, so that one engine serves every HTTP library:
//! walk the `Set-Cookie` values as bytes, keep some of them, add some.

use std::borrow::Cow;

use http::header::{InvalidHeaderValue, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::model::Cookie;

/// A response's `Set-Cookie` headers, as the engine reads and edits them.
///
/// Implemented for [`http::HeaderMap`] (tower, axum, hyper) and, with the `actix`
/// feature, for actix-web's header map.
pub trait SetCookieHeaders {
    /// Every `Set-Cookie` value, in order, as bytes. Must not allocate.
    fn set_cookies(&self) -> impl Iterator<Item = &[u8]>;

    /// Keeps, in order, only the `Set-Cookie` values for which `keep` returns true.
    fn retain_set_cookies(&mut self, keep: &mut dyn FnMut(&[u8]) -> bool);

    /// Appends a `Set-Cookie` value; returns false (and appends nothing) when the text
    /// is not a valid header value.
    fn append_set_cookie(&mut self, value: String) -> bool;
}

impl SetCookieHeaders for HeaderMap {
    // Inlined into the engine: the lookup's result stays in registers.
    #[inline]
    fn set_cookies(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all(SET_COOKIE)
            .into_iter()
            .map(HeaderValue::as_bytes)
    }

    fn retain_set_cookies(&mut self, keep: &mut dyn FnMut(&[u8]) -> bool) {
        // `HeaderMap` has no `retain`: take every value out, put the keepers back.
        let values: Vec<HeaderValue> = match self.entry(SET_COOKIE) {
            http::header::Entry::Occupied(entry) => entry.remove_entry_mult().1.collect(),
            http::header::Entry::Vacant(_) => return,
        };
        for value in values {
            if keep(value.as_bytes()) {
                self.append(SET_COOKIE, value);
            }
        }
    }

    fn append_set_cookie(&mut self, value: String) -> bool {
        match HeaderValue::try_from(value) {
            Ok(value) => {
                self.append(SET_COOKIE, value);
                true
            }
            Err(_) => false,
        }
    }
}

impl Cookie {
    /// A `Set-Cookie` header setting this declared cookie to `value`, with every
    /// declared attribute: ready for an axum response tuple or `HeaderMap::append`.
    /// Fails when `value` holds bytes a header cannot carry (control characters).
    ///
    /// ```
    /// # let charter = charte_core::check_str("x.toml", r#"
    /// # [charter]
    /// # site = "https://example.fr"
    /// # [[cookie]]
    /// # name = "lang"
    /// # provider = "Example"
    /// # service = "Language"
    /// # purpose = "Remember the visitor's language."
    /// # category = "necessary"
    /// # path = "/"
    /// # "#).charter.unwrap();
    /// # let LANG = &charter.cookies()[0];
    /// // In an axum handler: `(AppendHeaders([LANG.set_cookie("fr")?]), "body")`.
    /// let (name, value) = LANG.set_cookie("fr").unwrap();
    /// assert_eq!(name, http::header::SET_COOKIE);
    /// assert_eq!(value, "lang=fr; Path=/");
    /// ```
    pub fn set_cookie(
        &self,
        value: impl Into<Cow<'static, str>>,
    ) -> Result<(HeaderName, HeaderValue), InvalidHeaderValue> {
        let header = HeaderValue::try_from(self.build(value).to_string())?;
        Ok((SET_COOKIE, header))
    }
}
