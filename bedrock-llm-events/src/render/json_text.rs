//! JSON string writing for the hand-written renderings: the same bytes serde_json writes,
//! found a word at a time.
//!
//! Hand-rolled because serde_json's escaper looks up every byte in a table, which made message
//! content the largest cost of writing an event, and no well-kept crate offers a faster safe
//! escaper without a SIMD runtime. Here clean runs are found eight bytes per step (SWAR) and
//! copied whole; only the bytes JSON must escape are written one at a time, as serde_json
//! writes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, else `\u00xx`).

/// Orders `members` as a serde_json map built from them would hold them: sorted by key, and of
/// equal keys only the last one given.
pub(crate) fn sort_members<T>(members: &mut Vec<(&str, T)>) {
    // Stable, so the last one given ends its run of equal keys; `dedup_by` drops the later of a
    // pair, so the later is first swapped into the place that stays.
    members.sort_by(|a, b| a.0.cmp(b.0));
    members.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
}

/// Writes `text` as a JSON string onto `out`.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    match next_escape(bytes, 0) {
        // Most attributes (keys, ids, model names) need nothing escaped.
        None => out.extend_from_slice(bytes),
        Some(first) => write_escaped(out, bytes, first),
    }
    out.push(b'"');
}

/// The contents of a string whose first byte to escape is at `first`.
#[cold]
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8], first: usize) {
    let mut clean_from = 0;
    let mut next = Some(first);
    while let Some(found) = next {
        out.extend_from_slice(&bytes[clean_from..found]);
        write_escape(out, bytes[found]);
        clean_from = found + 1;
        next = next_escape(bytes, clean_from);
    }
    out.extend_from_slice(&bytes[clean_from..]);
}

/// Whether JSON needs any byte of `bytes` escaped.
#[cfg(test)]
pub(crate) fn needs_escape(bytes: &[u8]) -> bool {
    next_escape(bytes, 0).is_some()
}

/// The index of the first byte at or after `from` that JSON must escape.
#[inline]
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut words = rest.chunks_exact(8);
    let mut at = from;
    for word in &mut words {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(word);
        if let Some(lane) = first_flagged(u64::from_le_bytes(lanes)) {
            return Some(at + lane);
        }
        at += 8;
    }
    let tail = words.remainder();
    if tail.is_empty() {
        return None;
    }
    // The last few bytes: when the string has 8 or more from `from`, its last 8 read as one word
    // (those already checked are clean, so a flagged lane is in the tail).
    if let Some(last) = rest.last_chunk::<8>() {
        let start = rest.len() - 8;
        return first_flagged(u64::from_le_bytes(*last)).map(|lane| from + start + lane);
    }
    // Fewer than 8 bytes in all: one at a time costs less than assembling a word.
    tail.iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|lane| at + lane)
}

/// The first lane of `word` whose byte JSON must escape. The lowest flagged lane is always a
/// real match (a borrow only runs upward).
#[inline]
fn first_flagged(word: u64) -> Option<usize> {
    let flagged = escape_lanes(word);
    (flagged != 0).then(|| (flagged.trailing_zeros() / 8) as usize)
}

/// The high bit of each lane of `word` whose byte is below 0x20, `"` or `\\` (the classic
/// "has a byte less than n" and "has a zero byte" tests; bytes ≥ 0x80 never match).
fn escape_lanes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    let control = below(word, 0x20);
    let quote = below(word ^ (ONES * u64::from(b'"')), 1);
    let backslash = below(word ^ (ONES * u64::from(b'\\')), 1);
    control | quote | backslash
}

fn write_escape(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xf)]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{needs_escape, sort_members, write_str};

    #[test]
    fn members_are_sorted_and_the_last_of_equal_keys_kept() {
        let mut members = vec![("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5), ("b", 6)];
        sort_members(&mut members);
        assert_eq!(members, [("a", 5), ("b", 6), ("c", 4)]);
        let expected: serde_json::Map<String, serde_json::Value> =
            [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5), ("b", 6)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.into()))
                .collect();
        let kept: Vec<(&str, i32)> = expected
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_i64().unwrap_or_default() as i32))
            .collect();
        assert_eq!(members, kept);
    }

    /// Every byte value at every position of strings up to 40 bytes long (the 8-byte and
    /// single-byte steps), on backgrounds next to the matched values (where a borrow between
    /// lanes would show), against the byte-at-a-time rule.
    #[test]
    fn escape_check_agrees_with_the_byte_rule() {
        let reference = |bytes: &[u8]| bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for background in [b'a', 0x20, 0x21, 0x23, 0x5d, 0x7f, 0x80, 0xff] {
            for len in 0..40 {
                for at in 0..len {
                    for byte in 0..=255u8 {
                        let mut text = vec![background; len];
                        text[at] = byte;
                        assert_eq!(
                            needs_escape(&text),
                            reference(&text),
                            "len {len}, byte {byte:#x} at {at} on {background:#x}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_ascii_byte_is_written_as_serde_json_writes_it() {
        for byte in 0..0x80u8 {
            let text = format!("ab{}cdefghij{}", char::from(byte), char::from(byte));
            let mut out = Vec::new();
            write_str(&mut out, &text);
            assert_eq!(
                String::from_utf8(out).ok(),
                serde_json::to_string(&text).ok(),
                "{byte:#x}"
            );
        }
    }

    proptest! {
        /// Any text, with its escapes anywhere: the bytes serde_json writes.
        #[test]
        fn written_as_serde_json_writes_it(text in "(\\PC|[\"\\\\\\x00-\\x1f]){0,80}") {
            let mut out = Vec::new();
            write_str(&mut out, &text);
            prop_assert_eq!(String::from_utf8(out).ok(), serde_json::to_string(&text).ok());
        }
    }
}
