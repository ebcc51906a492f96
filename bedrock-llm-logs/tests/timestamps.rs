//! Record timestamps, property-tested over valid and invalid forms: every real date and time in
//! every accepted spelling gives the instant an independent calendar computation gives; every
//! impossible date, mangled clock and stray suffix is refused; nothing panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bedrock_llm_logs::{TimestampError, parse_timestamp};
use proptest::prelude::*;

fn leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01, counted month by month (slow and obvious: the oracle).
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let years: i64 = (1970..year).map(|y| if leap(y) { 366 } else { 365 }).sum();
    let months: i64 = (1..month).map(|m| days_in_month(year, m)).sum();
    years + months + day - 1
}

/// An offset and its three spellings.
fn offset_text(minutes: i64, style: usize) -> String {
    if minutes == 0 && style == 3 {
        return "Z".to_owned();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
    match style {
        0 => format!("{sign}{h:02}:{m:02}"),
        1 => format!("{sign}{h:02}{m:02}"),
        _ if m == 0 => format!("{sign}{h:02}"),
        _ => format!("{sign}{h:02}:{m:02}"),
    }
}

prop_compose! {
    fn clock()(hour in 0i64..24, minute in 0i64..60, second in 0i64..60, millis in 0i64..1000)
        -> (i64, i64, i64, i64) {
        (hour, minute, second, millis)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn real_times_parse_to_the_calendar_instant(
        year in 1971i64..9999,
        month in 1i64..=12,
        day_seed in 0i64..31,
        (hour, minute, second, millis) in clock(),
        offset in prop::sample::select(vec![0i64, 60, -60, 330, -210, 345, 840, -720]),
        offset_style in 0usize..4,
        separator in prop::sample::select(vec!['T', 't', ' ']),
        with_millis in any::<bool>(),
    ) {
        let day = day_seed % days_in_month(year, month) + 1;
        let fraction = if with_millis { format!(".{millis:03}") } else { String::new() };
        let text = format!(
            "{year:04}-{month:02}-{day:02}{separator}{hour:02}:{minute:02}:{second:02}{fraction}{}",
            offset_text(offset, offset_style)
        );
        let local_seconds = days_since_epoch(year, month, day) * 86_400
            + hour * 3_600 + minute * 60 + second;
        let expected_ms = (local_seconds - offset * 60) * 1000 + if with_millis { millis } else { 0 };
        prop_assert_eq!(parse_timestamp(&text), Ok(expected_ms as u64), "{}", text);
    }

    #[test]
    fn impossible_days_are_refused(
        year in 1970i64..9999,
        month in 1i64..=12,
        past_end in 1i64..=3,
        (hour, minute, second, _) in clock(),
    ) {
        let day = days_in_month(year, month) + past_end;
        prop_assume!(day <= 99);
        let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
        prop_assert!(matches!(parse_timestamp(&text), Err(TimestampError::Invalid(_))), "{}", text);
    }

    #[test]
    fn mangled_clocks_and_suffixes_are_refused(
        (hour, minute, second, _) in clock(),
        mangle in prop::sample::select(vec![
            "1e1", "NaN", "-1", "+5", "5.", ".5", "1_0", "0x1", " 1", "１０",
        ]),
        field in 0usize..3,
    ) {
        let mut parts = [format!("{hour:02}"), format!("{minute:02}"), format!("{second:02}")];
        parts[field] = mangle.to_owned();
        let text = format!("2024-04-18T{}Z", parts.join(":"));
        prop_assert!(parse_timestamp(&text).is_err(), "{}", text);
    }

    #[test]
    fn any_text_is_an_answer_never_a_panic(text in ".{0,40}") {
        if let Ok(ms) = parse_timestamp(&text) {
            // Whatever parses lands in the representable range.
            prop_assert!(ms < 253_402_300_800_000, "{} → {}", text, ms);
        }
    }
}

#[test]
fn out_of_range_hours_and_offsets_are_refused() {
    for text in [
        "2024-04-18T24:00:01Z",
        "2024-04-18T23:60:00Z",
        "2024-04-18T22:54:57+25:00",
        "2024-04-18T22:54:57+05:60",
        "2024-04-18T22:54:57ZZ",
        "2024-04-18T22:54:57Z trailing",
        "10000-01-01T00:00:00Z",
    ] {
        assert!(parse_timestamp(text).is_err(), "{text}");
    }
}

/// A record whose timestamp is impossible (or missing) is reported with its file and line and
/// still replayed — dated when it was replayed, never at 0 (1970).
#[test]
fn an_unusable_timestamp_is_reported_and_the_record_dated_when_replayed() {
    use bedrock_llm_logs::ReadOptions;
    use bedrock_llm_logs::{LogReader, ReadItem, replay};
    let line = |timestamp: Option<&str>, id: &str| {
        let mut record = serde_json::json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "operation": "InvokeModel", "modelId": "meta.llama3-70b-instruct-v1:0",
            "requestId": id,
        });
        if let Some(timestamp) = timestamp {
            record["timestamp"] = serde_json::json!(timestamp);
        }
        record.to_string()
    };
    let text = [
        line(Some("2024-04-19T04:24:57+0530"), "offset"),
        line(Some("2025-02-31T10:00:00Z"), "impossible"),
        line(None, "missing"),
    ]
    .join("\n");
    let reader = LogReader::from_reader(
        "logs.ndjson",
        std::io::Cursor::new(text.into_bytes()),
        ReadOptions::default(),
    );
    let registry = bedrock_llm_models::registry();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut seen = Vec::new();
    for item in reader {
        let ReadItem::Record(read) = item else {
            panic!("every line is a record: {item:?}");
        };
        let started = replay(&read.record, registry).timing.started_at_ms;
        let dropped: Vec<String> = read.dropped.iter().map(ToString::to_string).collect();
        seen.push((read.location.to_string(), started, dropped));
    }
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].0, "logs.ndjson:1");
    assert_eq!(seen[0].1, 1_713_480_897_000, "+0530 is accepted");
    assert!(seen[0].2.is_empty());
    assert_eq!(seen[1].0, "logs.ndjson:2", "the report names file and line");
    assert_eq!(seen[1].2.len(), 1, "{:?}", seen[1].2);
    assert!(
        seen[1].2[0].starts_with("$.timestamp: \"2025-02-31T10:00:00Z\": not an ISO 8601"),
        "{:?}",
        seen[1].2
    );
    for (location, started, _) in &seen[1..] {
        assert!(
            *started >= before,
            "{location} dated {started}, not when replayed"
        );
    }
}
