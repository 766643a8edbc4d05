//! The engine's view of response headers, so that one engine serves every HTTP library:
//! walk the `Set-Cookie` values as bytes, keep, drop or rewrite each, add some.

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};

/// What becomes of one `Set-Cookie` value when the engine edits a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Sent as it is.
    Keep,
    /// Not sent.
    Drop,
    /// Sent as these bytes instead (a lifetime brought back to the charter's).
    Replace(Vec<u8>),
}

/// A response's `Set-Cookie` headers, as the engine reads and edits them.
///
/// Implemented for [`http::HeaderMap`] (tower, axum, hyper) and, with the `actix`
/// feature, for actix-web's header map.
pub trait SetCookieHeaders {
    /// Every `Set-Cookie` value, in order, as bytes. Must not allocate.
    fn set_cookies(&self) -> impl Iterator<Item = &[u8]>;

    /// Edits every `Set-Cookie` value in place, in order, as `edit` says. A replacement
    /// that is not a valid header value is dropped (fail closed).
    fn edit_set_cookies(&mut self, edit: &mut dyn FnMut(&[u8]) -> Edit);

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

    fn edit_set_cookies(&mut self, edit: &mut dyn FnMut(&[u8]) -> Edit) {
        // `HeaderMap` has no `retain`: take every value out, put back what stays.
        let values: Vec<HeaderValue> = match self.entry(SET_COOKIE) {
            http::header::Entry::Occupied(entry) => entry.remove_entry_mult().1.collect(),
            http::header::Entry::Vacant(_) => return,
        };
        for value in values {
            match edit(value.as_bytes()) {
                Edit::Keep => {
                    self.append(SET_COOKIE, value);
                }
                Edit::Drop => {}
                Edit::Replace(bytes) => {
                    if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                        self.append(SET_COOKIE, value);
                    }
                }
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
