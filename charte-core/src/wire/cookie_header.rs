//! The request's `Cookie` header, split as browsers write it (RFC 6265bis §5.7.4):
//! `a=1; b=2`.

use super::scan::trim;

/// The `(name, value)` pairs of `Cookie` request headers, as browsers send them
/// (`a=1; b=2`), without allocating: each header split on `;`, each pair on its first
/// `=`, names and values trimmed of spaces and tabs. Pairs without `=` or without a
/// name are skipped.
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
        .flat_map(|header| header.split(|b| *b == b';'))
        .filter_map(|pair| {
            let eq = memchr::memchr(b'=', pair)?;
            let name = trim(&pair[..eq]);
            (!name.is_empty()).then(|| (name, trim(&pair[eq + 1..])))
        })
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
