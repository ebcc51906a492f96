//! One physical line at a time, in bounded memory: a line over the cap is consumed and
//! dropped, never buffered.

use std::io::{self, BufRead};

/// What one physical read gave.
pub(super) enum Line {
    Eof,
    /// A line is in the buffer; its length in the input, newline included.
    Text(u64),
    /// A line longer than the cap was passed over; its length in the input.
    TooLong(u64),
}

/// Reads one line into `buffer` (newline included), never holding more than `cap` bytes of
/// it: a longer line is consumed and dropped. `BufRead::read_until` would grow the buffer to
/// the line's length, which for a gzip bomb is gigabytes.
pub(super) fn read_capped_line(
    reader: &mut dyn BufRead,
    buffer: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Line> {
    buffer.clear();
    let mut total = 0u64;
    let mut over = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            return Ok(match (total, over) {
                (0, _) => Line::Eof,
                (_, true) => Line::TooLong(total),
                (_, false) => Line::Text(total),
            });
        }
        let (used, done) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if !over {
            let content = buffer.len() + used - usize::from(done);
            if content > cap {
                over = true;
                buffer.clear();
            } else {
                buffer.extend_from_slice(&available[..used]);
            }
        }
        total = total.saturating_add(used as u64);
        reader.consume(used);
        if done {
            // An oversized line is reported by its content's length, without the newline.
            return Ok(if over {
                Line::TooLong(total - 1)
            } else {
                Line::Text(total)
            });
        }
    }
}
