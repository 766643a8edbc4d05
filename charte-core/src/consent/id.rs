//! The consent id of format 2: 128 random bits, so that a record of the proof log and
//! the cookie a visitor holds can be matched.

use std::fmt;

/// The alphabet of the id: RFC 4648's "base32hex", in lowercase (`0-9a-v`).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

/// A consent's id: 26 characters `[0-9a-z]` (128 random bits in base32, most
/// significant first, the first character carrying 3 bits).
///
/// Ids written by this crate use `0-9a-v`; any 26 characters of `[0-9a-z]` are read
/// (as the client guard reads them), so that an id is never a reason to refuse a value.
///
/// ```
/// use charte_core::consent::ConsentId;
/// let id = ConsentId::random();
/// assert_eq!(id.as_str().len(), 26);
/// assert_eq!(ConsentId::parse(id.as_str().as_bytes()), Some(id));
/// assert_ne!(ConsentId::random(), id);
/// assert_eq!(ConsentId::parse(b"not-an-id"), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConsentId([u8; 26]);

impl ConsentId {
    /// A new id from the operating system's random source (`getrandom`).
    ///
    /// # Panics
    /// When the operating system gives no random bytes (on Linux: never once the system
    /// has booted). A consent without a trustworthy id is not written.
    pub fn random() -> ConsentId {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        ConsentId::from_bits(u128::from_be_bytes(bytes))
    }

    /// The id of 128 bits `bits`.
    pub fn from_bits(mut bits: u128) -> ConsentId {
        let mut text = [0u8; 26];
        for byte in text.iter_mut().rev() {
            *byte = ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        ConsentId(text)
    }

    /// Reads an id: exactly 26 bytes of `[0-9a-z]`.
    pub fn parse(text: &[u8]) -> Option<ConsentId> {
        let text: [u8; 26] = text.try_into().ok()?;
        // A fold without an early exit: one vector test of the 26 bytes.
        let valid = text.iter().fold(true, |valid, b| {
            valid & (b.is_ascii_digit() | b.is_ascii_lowercase())
        });
        valid.then_some(ConsentId(text))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for ConsentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ConsentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConsentId({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_base32hex_of_their_bits() {
        assert_eq!(ConsentId::from_bits(0).as_str(), "0".repeat(26));
        assert_eq!(
            ConsentId::from_bits(31).as_str(),
            format!("{}v", "0".repeat(25))
        );
        assert_eq!(
            ConsentId::from_bits(u128::MAX).as_str(),
            format!("7{}", "v".repeat(25))
        );
    }

    #[test]
    fn random_ids_differ_and_use_the_alphabet() {
        let ids: std::collections::HashSet<ConsentId> =
            (0..1000).map(|_| ConsentId::random()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids
            .iter()
            .all(|id| id.as_str().bytes().all(|b| ALPHABET.contains(&b))));
    }

    #[test]
    fn only_26_digits_or_lowercase_letters_are_ids() {
        assert!(ConsentId::parse(b"abcdefghijklmnopqrstuvwxyz").is_some());
        for bad in [
            &b"abcdefghijklmnopqrstuvwxy"[..],
            b"abcdefghijklmnopqrstuvwxyz0",
            b"Abcdefghijklmnopqrstuvwxyz",
            b"abcdefghijklmnopqrstuvwxy.",
            b"",
        ] {
            assert_eq!(ConsentId::parse(bad), None, "{bad:?}");
        }
    }
}
