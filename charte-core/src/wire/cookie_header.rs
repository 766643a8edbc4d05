//! The request's `Cookie` header, split as browsers write it (RFC 6265bis §5.7.4):
//! `a=1; b=2`.

use super::scan::{find_byte, find_either, trim};

/// The `(name, value)` pairs of `Cookie` request headers, as browsers send them
/// (`a=1; b=2`), without allocating: each pair up to its `;`, split at its first `=`,
/// names and values trimmed of spaces and tabs. Pairs without `=` or without a name
/// are skipped.
///
/// ```
/// use charte_core::wire::request_cookies;
/// let pairs: Vec<_> = request_cookies([&b"a=1; b = 2 ;c"[..]]).collect();
/// assert_eq!(pairs, [(&b"a"[..], &b"1"[..]), (b"b", b"2")]);
/// ```
pub fn request_cookies<'a, I>(cookie_headers: I) -> impl Iterator<Item = (&'a [u8], &'a [u8])>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    cookie_headers
        .into_iter()
        .flat_map(|header| Pairs { rest: header })
}

/// The pairs of one `Cookie` header. Each byte is looked at once: a name up to its `=`
/// (or, lacking one, to its `;`), then a value up to its `;`.
struct Pairs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.rest.is_empty() {
            let rest = self.rest;
            let stop = find_either(rest, b'=', b';').unwrap_or(rest.len());
            if rest.get(stop) != Some(&b'=') {
                // No `=` in this pair: skip it.
                self.rest = rest.get(stop + 1..).unwrap_or_default();
                continue;
            }
            let value = &rest[stop + 1..];
            let end = find_byte(value, b';').unwrap_or(value.len());
            self.rest = value.get(end + 1..).unwrap_or_default();
            let name = trim(&rest[..stop]);
            if !name.is_empty() {
                return Some((name, trim(&value[..end])));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one-pass splitter agrees with the plain reading: split on `;`, then on
        /// the first `=`, trim, skip nameless pairs.
        #[test]
        fn request_cookie_pairs_match_the_plain_reading(header in "[ab=; \t]{0,24}") {
            let plain: Vec<_> = header
                .as_bytes()
                .split(|b| *b == b';')
                .filter_map(|pair| {
                    let eq = pair.iter().position(|b| *b == b'=')?;
                    let name = trim(&pair[..eq]);
                    (!name.is_empty()).then(|| (name, trim(&pair[eq + 1..])))
                })
                .collect();
            let pairs: Vec<_> = request_cookies([header.as_bytes()]).collect();
            proptest::prop_assert_eq!(pairs, plain);
        }
    }

    #[test]
    fn request_cookie_pairs_are_split_and_trimmed() {
        let pairs: Vec<_> = request_cookies([&b"a=1; b = 2 ;c;=x; d=e=f"[..], b"g=h"]).collect();
        assert_eq!(
            pairs,
            [
                (&b"a"[..], &b"1"[..]),
                (b"b", b"2"),
                (b"d", b"e=f"),
                (b"g", b"h")
            ]
        );
    }
}
