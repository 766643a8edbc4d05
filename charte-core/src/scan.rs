//! Byte scans over 16-byte blocks, written so that the compiler turns the test of a
//! whole block into a few vector instructions without any `unsafe`: a branch-free fold
//! of one comparison per byte, which LLVM vectorises (on x86-64, `pcmpeqb`/`pminub` and
//! `pmovmskb`, checked in the assembly; other targets were not looked at).
//! The exact place of a match is then found byte by byte inside its block only.
//!
//! Cookie headers are mostly long values between short delimiters: looking at 16 bytes
//! at a time is what makes reading them cheap.

/// The bytes a block holds.
const BLOCK: usize = 16;

/// Whether any byte of `block` satisfies `matches` (one vector compare for simple
/// predicates).
#[inline(always)]
fn block_has(block: &[u8; BLOCK], matches: impl Fn(u8) -> bool) -> bool {
    block.iter().fold(false, |found, &b| found | matches(b))
}

/// The position of the first byte satisfying `matches`.
#[inline(always)]
pub(crate) fn find(bytes: &[u8], matches: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut start = 0;
    for block in &mut blocks {
        if block_has(block.try_into().expect("a block"), matches) {
            break;
        }
        start += BLOCK;
    }
    // The block with the match, or the tail (shorter than a block).
    let place = bytes[start..].iter().position(|&b| matches(b))?;
    Some(start + place)
}

/// Whether any byte satisfies `matches`.
#[inline(always)]
pub(crate) fn any(bytes: &[u8], matches: impl Fn(u8) -> bool + Copy) -> bool {
    if bytes.len() < BLOCK {
        return bytes.iter().any(|&b| matches(b));
    }
    // One exit per block: a loop the compiler keeps block by block (a branch-free one
    // gets vectorised across blocks, byte by byte, which is far slower). The last
    // block overlaps the ones before it rather than leaving a tail.
    for block in bytes.chunks_exact(BLOCK) {
        if block_has(block.try_into().expect("a block"), matches) {
            return true;
        }
    }
    let last = &bytes[bytes.len() - BLOCK..];
    block_has(last.try_into().expect("a block"), matches)
}

/// Trims spaces and tabs, as RFC 6265bis does around names, values and attributes.
pub(crate) fn trim(mut bytes: &[u8]) -> &[u8] {
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
                        find(&bytes, semicolon),
                        bytes.iter().position(|&b| semicolon(b))
                    );
                    assert_eq!(any(&bytes, control), bytes.iter().any(|&b| control(b)));
                }
            }
        }
        assert_eq!(find(b"", semicolon), None);
        assert!(!any(b"", control));
        assert_eq!(find(b"a;b;c", semicolon), Some(1));
    }

    #[test]
    fn trim_removes_spaces_and_tabs_only() {
        assert_eq!(trim(b" \t a b \t "), b"a b");
        assert_eq!(trim(b" \t "), b"");
        assert_eq!(trim(b"\na\n"), b"\na\n");
    }
}
