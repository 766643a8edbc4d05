//! The engine's view of response headers, so that one engine serves every HTTP library:
//! walk the `Set-Cookie` values as bytes, keep some of them, add some.

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};

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
