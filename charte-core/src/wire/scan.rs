//! The byte tests every reader of the wire shares.

/// Whether a byte makes browsers reject the whole cookie line: a control character
/// other than tab (RFC 6265bis §5.6, step 1).
pub(crate) fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// Whether any byte of `line` is a control character other than tab. Written as a fold
/// without an early exit: LLVM turns it into a vector loop, which matters because every
/// `Set-Cookie` line is scanned whole (a byte-by-byte loop with an exit cost about 5 % of
/// the layer's instructions, `bash benches/instructions.sh`).
pub(crate) fn has_control(line: &[u8]) -> bool {
    line.iter().fold(false, |found, &b| found | is_control(b))
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

    #[test]
    fn the_control_scan_agrees_with_a_byte_by_byte_one() {
        for len in 0..70 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    assert_eq!(has_control(&bytes), bytes.iter().any(|&b| is_control(b)));
                }
            }
        }
        assert!(!has_control(b""));
        assert!(!has_control(b"a\tb"));
    }

    #[test]
    fn trim_removes_spaces_and_tabs_only() {
        assert_eq!(trim(b" \t a b \t "), b"a b");
        assert_eq!(trim(b" \t "), b"");
        assert_eq!(trim(b"\na\n"), b"\na\n");
    }
}
