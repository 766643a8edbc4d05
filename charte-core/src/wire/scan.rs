//! Byte scans without any `unsafe`. These are the one trick kept from the speed work:
//! with plain scans instead (`memchr` per field, byte loops, `str::from_utf8`), the
//! layer took 15,053 instructions a request instead of 12,667 (+19 %, `bash
//! benches/instructions.sh`, 2026-11-29), most of it here. Two ways:
//!
//! - *Is any byte of this line a control character?* 32 bytes at a time: a branch-free
//!   fold of one comparison per byte over a `[u8; 32]`, which LLVM vectorises (on
//!   x86-64, two 16-byte `pcmpeqb`/`pminub`, one `por` and one `pmovmskb`, checked in
//!   the assembly; other targets were not looked at).
//! - *Where is the first `=` or `;`?* 8 bytes at a time, as one `u64` (SWAR): an exact
//!   zero-byte test marks the matching bytes, and the lowest bit set gives the first
//!   place, with no byte-by-byte walk but for inputs under eight bytes.
//!
//! Cookie headers are mostly values between short delimiters: looking at many bytes
//! per step is what makes reading them cheap.

/// The bytes a block holds.
const BLOCK: usize = 16;

/// Whether any byte of `block` satisfies `matches` (one vector compare for simple
/// predicates).
#[inline(always)]
fn block_has<const N: usize>(block: &[u8; N], matches: impl Fn(u8) -> bool) -> bool {
    block.iter().fold(false, |found, &b| found | matches(b))
}

/// Eight bytes at a time, as one `u64` (SWAR): `LOW` has 1 in each byte, `HIGH` the
/// top bit of each byte.
const LOW: u64 = u64::from_le_bytes([0x01; 8]);
const HIGH: u64 = u64::from_le_bytes([0x80; 8]);

/// The top bit of each zero byte of `word`, and of no other byte: no carry crosses
/// from one byte to the next (each sum is at most `0x7f + 0x7f`), so words may
/// overlap bytes already seen, whatever those hold.
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    let low_bits = (word & !HIGH).wrapping_add(!HIGH);
    !(low_bits | word | !HIGH)
}

/// The bytes of `word` equal to `a` or `b`, marked by their top bit.
#[inline(always)]
fn either_bytes(word: u64, a: u8, b: u8) -> u64 {
    zero_bytes(word ^ (LOW * u64::from(a))) | zero_bytes(word ^ (LOW * u64::from(b)))
}

/// The position of the first byte equal to `a` or `b`.
#[inline(always)]
pub(super) fn find_either(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    find_either_from(bytes, 0, a, b)
}

/// The position in `bytes` of the first byte at or after `from` equal to `a` or `b`.
/// Names, values and attributes are short: eight bytes per step, the exact place
/// given by the lowest bit set. Near the end, the last eight bytes of `bytes` are
/// read, those before `from` shifted out: only a whole input under eight bytes is
/// looked at byte by byte.
#[inline(always)]
pub(super) fn find_either_from(bytes: &[u8], from: usize, a: u8, b: u8) -> Option<usize> {
    if from >= bytes.len() {
        // Nothing to look at (and no `from + 8` to overflow).
        return None;
    }
    if bytes.len() < 8 {
        let place = bytes[from..].iter().position(|&c| (c == a) | (c == b));
        return place.map(|place| from + place);
    }
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    // The first match in the eight bytes at `at`.
    let first_in = |at: usize| {
        let hits = either_bytes(word(at), a, b);
        (hits != 0).then(|| at + (hits.trailing_zeros() / 8) as usize)
    };
    let mut at = from;
    // Most names, values and attributes end within the first word: its test is
    // peeled off the loop, which the common case then never sets up.
    if at + 8 <= bytes.len() {
        if let Some(place) = first_in(at) {
            return Some(place);
        }
        at += 8;
    }
    while at + 8 <= bytes.len() {
        if let Some(place) = first_in(at) {
            return Some(place);
        }
        at += 8;
    }
    if at == bytes.len() {
        return None;
    }
    let last = bytes.len() - 8;
    let hits = either_bytes(word(last), a, b) >> (8 * (at - last));
    (hits != 0).then(|| at + (hits.trailing_zeros() / 8) as usize)
}

/// The position of the first byte equal to `a`.
#[inline(always)]
pub(super) fn find_byte(bytes: &[u8], a: u8) -> Option<usize> {
    find_either_from(bytes, 0, a, a)
}

/// The position of the first byte at or after `from` equal to `a`.
#[inline(always)]
pub(super) fn find_byte_from(bytes: &[u8], from: usize, a: u8) -> Option<usize> {
    find_either_from(bytes, from, a, a)
}

/// Whether any byte satisfies `matches`.
#[inline(always)]
pub(super) fn any(bytes: &[u8], matches: impl Fn(u8) -> bool + Copy) -> bool {
    if bytes.len() < BLOCK {
        return bytes.iter().any(|&b| matches(b));
    }
    if bytes.len() <= 2 * BLOCK {
        // The first and the last block, which overlap when there are fewer than 32
        // bytes: one test for both.
        let (first, last) = ends::<BLOCK>(bytes);
        return block_has(first, matches) | block_has(last, matches);
    }
    // Two blocks per step, one exit each (a loop the compiler keeps step by step: a
    // branch-free one gets vectorised across steps, byte by byte, which is far
    // slower). The last two blocks overlap the ones before them rather than leaving
    // a tail.
    for pair in bytes.chunks_exact(2 * BLOCK) {
        if block_has::<{ 2 * BLOCK }>(pair.try_into().expect("two blocks"), matches) {
            return true;
        }
    }
    let last = &bytes[bytes.len() - 2 * BLOCK..];
    block_has::<{ 2 * BLOCK }>(last.try_into().expect("two blocks"), matches)
}

/// The first and the last `N` bytes of `bytes` (which overlap when it holds fewer
/// than `2 * N`); `bytes` must hold at least `N`.
#[inline(always)]
pub(super) fn ends<const N: usize>(bytes: &[u8]) -> (&[u8; N], &[u8; N]) {
    let first = bytes.first_chunk().expect("N bytes or more");
    let last = bytes.last_chunk().expect("N bytes or more");
    (first, last)
}

/// Whether `bytes` are UTF-8. Cookie names are nearly always ASCII, which is UTF-8 and
/// quicker to check than what `str::from_utf8` does for any text.
#[inline(always)]
pub(super) fn is_utf8(bytes: &[u8]) -> bool {
    // Names of 4 to 16 bytes: two overlapping words, no loop.
    let ascii = match bytes.len() {
        4..=7 => {
            let (first, last) = ends::<4>(bytes);
            (u32::from_le_bytes(*first) | u32::from_le_bytes(*last)) & 0x8080_8080 == 0
        }
        8..=16 => {
            let (first, last) = ends::<8>(bytes);
            (u64::from_le_bytes(*first) | u64::from_le_bytes(*last)) & HIGH == 0
        }
        _ => bytes.is_ascii(),
    };
    ascii || std::str::from_utf8(bytes).is_ok()
}

/// Trims spaces and tabs, as RFC 6265bis does around names, values and attributes.
#[inline(always)]
pub(super) fn trim(bytes: &[u8]) -> &[u8] {
    // Most names and values have nothing to trim: a byte above the space at each end
    // settles them (one comparison each). Spaces, tabs and control characters are all
    // at or below it: `trim_blanks` then trims the spaces and tabs only.
    match bytes {
        [first, .., last] if (*first > b' ') & (*last > b' ') => bytes,
        [only] if *only > b' ' => bytes,
        _ => trim_blanks(bytes),
    }
}

/// [`trim`] byte by byte.
fn trim_blanks(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length up to four blocks, every place, every byte value: the block scans
    /// agree with the byte-by-byte ones.
    #[test]
    fn block_scans_agree_with_byte_scans() {
        let semicolon = |b: u8| b == b';';
        let control = |b: u8| (b < 0x20 && b != b'\t') || b == 0x7f;
        for len in 0..4 * BLOCK + 3 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    assert_eq!(
                        find_byte(&bytes, b';'),
                        bytes.iter().position(|&b| semicolon(b))
                    );
                    assert_eq!(
                        find_either(&bytes, b'=', b';'),
                        bytes.iter().position(|&b| b == b'=' || b == b';')
                    );
                    assert_eq!(any(&bytes, control), bytes.iter().any(|&b| control(b)));
                }
            }
        }
        assert_eq!(find_byte(b"", b';'), None);
        assert!(!any(b"", control));
        assert_eq!(find_byte(b"a;b;c", b';'), Some(1));
        assert_eq!(find_either(b"abcdefgh=;", b';', b'='), Some(8));
    }

    /// Several matches close together, and the bytes one above a match (`:` and `<`,
    /// where a borrow would show a false match): the first place is still exact.
    #[test]
    fn word_scans_find_the_first_of_several_matches() {
        const ALPHABET: [u8; 6] = [b'=', b';', b':', b'<', b'a', 0x80];
        let check = |bytes: &[u8]| {
            assert_eq!(
                find_either(bytes, b'=', b';'),
                bytes.iter().position(|&b| b == b'=' || b == b';'),
                "{bytes:?}"
            );
            for from in 0..=bytes.len() + 1 {
                let expected = bytes.get(from..).and_then(|rest| {
                    let place = rest.iter().position(|&b| b == b'=' || b == b';')?;
                    Some(from + place)
                });
                assert_eq!(
                    find_either_from(bytes, from, b'=', b';'),
                    expected,
                    "{bytes:?} from {from}"
                );
                let expected = bytes
                    .get(from..)
                    .and_then(|rest| Some(from + rest.iter().position(|&b| b == b';')?));
                assert_eq!(find_byte_from(bytes, from, b';'), expected);
            }
            assert_eq!(
                find_byte(bytes, b';'),
                bytes.iter().position(|&b| b == b';'),
                "{bytes:?}"
            );
        };
        // Every string of up to 7 letters of the alphabet, after 0 to 9 `a`s.
        for len in 0..=7u32 {
            for mut code in 0..ALPHABET.len().pow(len) {
                let mut letters = Vec::new();
                for _ in 0..len {
                    letters.push(ALPHABET[code % ALPHABET.len()]);
                    code /= ALPHABET.len();
                }
                for lead in 0..10 {
                    let mut bytes = vec![b'a'; lead];
                    bytes.extend_from_slice(&letters);
                    check(&bytes);
                }
            }
        }
    }

    /// Every length up to 20, a byte changed in every place to every value: the word
    /// reading agrees with `str::from_utf8`.
    #[test]
    fn the_utf8_check_agrees_with_str_from_utf8() {
        for len in 0..=20usize {
            let base: Vec<u8> = (0..len as u8).map(|i| b'a' + i).collect();
            assert!(is_utf8(&base));
            for place in 0..len {
                for byte in 0..=u8::MAX {
                    let mut changed = base.clone();
                    changed[place] = byte;
                    assert_eq!(is_utf8(&changed), std::str::from_utf8(&changed).is_ok());
                }
            }
        }
        assert!(is_utf8("préférences".as_bytes()));
        assert!(!is_utf8(b"pr\xe9f\xe9rences"));
    }

    #[test]
    fn trim_removes_spaces_and_tabs_only() {
        assert_eq!(trim(b" \t a b \t "), b"a b");
        assert_eq!(trim(b" \t "), b"");
        assert_eq!(trim(b"\na\n"), b"\na\n");
    }
}
