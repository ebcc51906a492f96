//! Record timestamps: the ISO 8601 forms Bedrock's invocation logs and CloudWatch exports write,
//! parsed by the `time` crate into milliseconds since the Unix epoch
//! (`docs/invocation-logs.md` §3, "Timestamps").

use time::format_description::well_known::Iso8601;
use time::{OffsetDateTime, PrimitiveDateTime};

/// `10000-01-01T00:00:00Z`: records are dated 1970 (the events' clock starts there) to 9999
/// (later years need ISO 8601's expanded form).
const END_OF_9999_MS: u64 = 253_402_300_800_000;

/// Why a timestamp was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// Not an ISO 8601 date and time (an impossible date such as 31 February included).
    #[error("not an ISO 8601 date and time ({0})")]
    Invalid(String),
    /// A real date outside 1970–9999.
    #[error("year {0} is outside 1970–9999")]
    OutOfRange(i32),
}

/// Milliseconds since the Unix epoch of a record timestamp.
///
/// Accepted: an ISO 8601 date and time in extended or basic format — `2024-04-18T22:54:57Z`
/// as Bedrock writes it, with fractional seconds (`.250`, `,250`), `T`, `t` or one space
/// between date and time (CloudWatch exports), and a `Z`/`z` or a `±hh:mm`, `±hhmm` or `±hh`
/// offset. Text with no offset is UTC, as every Bedrock and CloudWatch time is. Refused:
/// anything else, impossible dates (`2025-02-31`), and years outside 1970–9999.
pub fn parse_timestamp(text: &str) -> Result<u64, TimestampError> {
    let normalized = normalize(text.trim());
    let moment = match OffsetDateTime::parse(&normalized, &Iso8601::DEFAULT) {
        Ok(moment) => moment,
        // No offset: a UTC wall-clock time. Any other refusal keeps the first error, which
        // names the component at fault.
        Err(with_offset) => match PrimitiveDateTime::parse(&normalized, &Iso8601::DEFAULT) {
            Ok(local) => local.assume_utc(),
            Err(_) => return Err(TimestampError::Invalid(with_offset.to_string())),
        },
    };
    // `time` takes offsets up to ±25:59; real zones span −12:00 to +14:00, and ±18:00 is the
    // widest any date-time standard library allows.
    if moment.offset().whole_minutes().unsigned_abs() > 18 * 60 {
        return Err(TimestampError::Invalid(format!(
            "offset {} is beyond ±18:00",
            moment.offset()
        )));
    }
    // Judged on the UTC instant (no offset conversion, which `time` refuses past 9999).
    let ms = moment.unix_timestamp_nanos() / 1_000_000;
    match u64::try_from(ms) {
        Ok(ms) if ms < END_OF_9999_MS => Ok(ms),
        _ => Err(TimestampError::OutOfRange(moment.year())),
    }
}

/// [`parse_timestamp`], `None` for text it refuses.
pub fn timestamp_ms(text: &str) -> Option<u64> {
    parse_timestamp(text).ok()
}

/// The separator and a lower-case `z` in the spelling ISO 8601 parsers take: `T` between date
/// and time (exports write a space or `t`), `Z` for UTC.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let c = match c {
            // The separator sits after the ten characters of `YYYY-MM-DD`.
            ' ' | 't' if at == 10 => 'T',
            'z' if at + 1 == text.len() => 'Z',
            c => c,
        };
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_bedrock_and_cloudwatch_write() {
        const AT: u64 = 1_713_480_897_000; // 2024-04-18T22:54:57Z
        for text in [
            "2024-04-18T22:54:57Z",
            "2024-04-18T22:54:57z",
            "2024-04-18t22:54:57Z",
            "2024-04-18 22:54:57Z",
            "2024-04-18 22:54:57",
            "2024-04-18T22:54:57.000Z",
            "2024-04-18T22:54:57+00:00",
            "2024-04-19T04:24:57+05:30",
            "2024-04-19T04:24:57+0530",
            "2024-04-18T20:54:57-02",
            "20240418T225457Z",
            "  2024-04-18T22:54:57Z\n",
        ] {
            assert_eq!(parse_timestamp(text), Ok(AT), "{text}");
        }
        assert_eq!(timestamp_ms("2024-04-18T22:54:57.250Z"), Some(AT + 250));
        assert_eq!(timestamp_ms("2024-04-18T22:54:57,250Z"), Some(AT + 250));
    }

    #[test]
    fn impossible_dates_and_other_text_are_refused() {
        for text in [
            "2025-02-31T10:00:00Z",
            "2023-02-29T10:00:00Z",
            "2024-04-31T10:00:00Z",
            "2024-04-18T10:00:1e1Z",
            "2024-04-18T24:00:01Z",
            "2024-04-18T10:60:00Z",
            "2024-04-18T22:54:57+25:00",
            "2024-04-18",
            "yesterday",
            "",
            "1713480897000",
        ] {
            assert!(
                matches!(parse_timestamp(text), Err(TimestampError::Invalid(_))),
                "{text}: {:?}",
                parse_timestamp(text)
            );
        }
        assert_eq!(
            parse_timestamp("1969-12-31T23:59:59Z"),
            Err(TimestampError::OutOfRange(1969))
        );
        // Past 9999 in UTC though not in its own offset: refused, without a panic.
        assert_eq!(
            parse_timestamp("9999-12-31T23:59:59-05:00"),
            Err(TimestampError::OutOfRange(9999))
        );
        assert_eq!(
            timestamp_ms("9999-12-31T23:59:59Z"),
            Some(END_OF_9999_MS - 1000)
        );
    }

    proptest::proptest! {
        /// The text written for any time through 9999 reads back (by the `time` crate) to the
        /// same second, and past 9999 it is still a padded year.
        #[test]
        fn written_timestamps_read_back(ms in 0..END_OF_9999_MS + 10_000_000_000) {
            let text = bedrock_llm_core::timestamp_text(ms);
            if ms < END_OF_9999_MS {
                proptest::prop_assert_eq!(text.len(), 20);
                proptest::prop_assert_eq!(parse_timestamp(&text), Ok(ms / 1000 * 1000), "{}", text);
            } else {
                proptest::prop_assert!(text.starts_with("10000-"), "{}", text);
            }
        }
    }
}
