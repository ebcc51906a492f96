//! Mutations: structural ones on inputs that are JSON (a node replaced by a value of another
//! type, an extreme number, a huge string, deep nesting), byte-level ones on anything (bit
//! flips, invalid UTF-8, inserted JSON tokens, deleted, duplicated and spliced ranges), and
//! part-level ones (chunks dropped, duplicated, reordered; another model ID).

use fastrand::Rng;
use serde_json::{Number, Value};

use crate::case::Case;

/// Tokens that change how JSON parses, and values at the edges of what readers represent.
const TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "-",
    "\\",
    "\\u0000",
    "\\ud800",
    "1e400",
    "-1e400",
    "-0",
    "0.5",
    "1e-400",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "9007199254740993",
    "NaN",
    "\n",
    "\r\n",
    "\t",
    "\"\":",
];

/// Bytes that are not UTF-8 on their own.
const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    b"\xc0\xaf",
];

/// Replacement values for a structural mutation.
fn interesting_value(rng: &mut Rng) -> Value {
    match rng.u8(0..16) {
        0 => Value::Null,
        1 => Value::Bool(rng.bool()),
        2 => Value::from(u64::MAX),
        3 => Value::from(i64::MIN),
        4 => Number::from_f64(1.7976931348623157e308).map_or(Value::Null, Value::Number),
        5 => Number::from_f64(-0.0).map_or(Value::Null, Value::Number),
        6 => Value::from(rng.u64(..)),
        7 => Value::String("é\u{0}\"\\\n\u{1F600}".to_owned()),
        8 => Value::String("w".repeat(rng.usize(1..40_000))),
        9 => Value::Array(Vec::new()),
        10 => Value::Object(serde_json::Map::new()),
        11 => {
            // Deeper than serde_json's recursion limit of 128.
            let mut value = Value::Null;
            for _ in 0..rng.usize(100..200) {
                value = Value::Array(vec![value]);
            }
            value
        }
        12 => Value::String(String::new()),
        13 => Value::from(rng.f64() * 1e6),
        14 => Value::String("2024-04-18T22:54:57Z".to_owned()),
        _ => Value::from(-1),
    }
}

/// How many nodes `value` has.
fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

/// Mutates the `index`-th node of `value` (depth first); `true` once done.
fn mutate_nth(rng: &mut Rng, value: &mut Value, index: &mut usize) -> bool {
    if *index == 0 {
        match value {
            // A key dropped or renamed, for objects.
            Value::Object(map) if !map.is_empty() && rng.bool() => {
                let key = map.keys().nth(rng.usize(0..map.len())).cloned();
                if let Some(key) = key
                    && let Some(moved) = map.remove(&key)
                    && rng.bool()
                {
                    map.insert(format!("{key}_"), moved);
                }
            }
            // An element duplicated many times, for arrays.
            Value::Array(items) if !items.is_empty() && rng.bool() => {
                let copy = items[rng.usize(0..items.len())].clone();
                for _ in 0..rng.usize(1..64) {
                    items.push(copy.clone());
                }
            }
            _ => *value = interesting_value(rng),
        }
        return true;
    }
    *index -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| mutate_nth(rng, v, index)),
        Value::Object(map) => map.values_mut().any(|v| mutate_nth(rng, v, index)),
        _ => false,
    }
}

/// A structural mutation of JSON text, or of one line of NDJSON; `None` when neither is JSON.
fn structural(rng: &mut Rng, bytes: &[u8]) -> Option<Vec<u8>> {
    if let Ok(mut value) = serde_json::from_slice::<Value>(bytes) {
        let mut index = rng.usize(0..count(&value));
        mutate_nth(rng, &mut value, &mut index);
        return serde_json::to_vec(&value).ok();
    }
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let pick = rng.usize(0..lines.len());
    let mut value: Value = serde_json::from_slice(lines[pick]).ok()?;
    let mut index = rng.usize(0..count(&value));
    mutate_nth(rng, &mut value, &mut index);
    let replaced = serde_json::to_vec(&value).ok()?;
    let mut out = Vec::with_capacity(bytes.len() + replaced.len());
    for (at, line) in lines.iter().enumerate() {
        if at > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(if at == pick { &replaced } else { line });
    }
    Some(out)
}

/// One byte-level mutation.
fn bytes(rng: &mut Rng, data: &mut Vec<u8>, donor: &[u8]) {
    let len = data.len();
    match rng.u8(0..10) {
        0 if len > 0 => {
            let at = rng.usize(0..len);
            data[at] ^= 1 << rng.u8(0..8);
        }
        1 if len > 0 => {
            let at = rng.usize(0..len);
            data[at] = rng.u8(..);
        }
        2 => {
            let token = TOKENS[rng.usize(0..TOKENS.len())].as_bytes();
            let at = rng.usize(0..=len);
            data.splice(at..at, token.iter().copied());
        }
        3 => {
            let bad = INVALID_UTF8[rng.usize(0..INVALID_UTF8.len())];
            let at = rng.usize(0..=len);
            data.splice(at..at, bad.iter().copied());
        }
        4 if len > 0 => {
            let start = rng.usize(0..len);
            let end = (start + rng.usize(1..64)).min(len);
            data.drain(start..end);
        }
        5 if len > 0 => {
            let start = rng.usize(0..len);
            let end = (start + rng.usize(1..256)).min(len);
            let copy = data[start..end].to_vec();
            let at = rng.usize(0..=len);
            data.splice(at..at, copy);
        }
        6 if len > 0 => data.truncate(rng.usize(0..len)),
        7 if !donor.is_empty() => {
            let start = rng.usize(0..donor.len());
            let end = (start + rng.usize(1..512)).min(donor.len());
            let at = rng.usize(0..=len);
            data.splice(at..at, donor[start..end].iter().copied());
        }
        8 => {
            // A long run: a long line, a long number, deep nesting.
            let fill = [b'a', b'9', b'[', b'{', b' ', b'\n'][rng.usize(0..6)];
            let at = rng.usize(0..=len);
            let run = rng.usize(100..20_000);
            data.splice(at..at, std::iter::repeat_n(fill, run));
        }
        _ => {
            // Swap two bytes' positions' neighbourhoods: reorders keys and values.
            if len > 1 {
                let (a, b) = (rng.usize(0..len), rng.usize(0..len));
                data.swap(a, b);
            }
        }
    }
}

/// Mutates `case` in place, with parts of `donor` to splice from and `models` to swap in.
pub(crate) fn mutate(rng: &mut Rng, case: &mut Case, donor: &Case, models: &[String]) {
    for _ in 0..rng.usize(1..=4) {
        if case.parts.is_empty() {
            case.parts.push(Vec::new());
        }
        match rng.u8(0..20) {
            0 if !models.is_empty() => case.model = models[rng.usize(0..models.len())].clone(),
            1 if case.parts.len() > 1 => {
                let at = rng.usize(0..case.parts.len());
                case.parts.remove(at);
            }
            2 => {
                let at = rng.usize(0..case.parts.len());
                let copy = case.parts[at].clone();
                case.parts.insert(rng.usize(0..=case.parts.len()), copy);
            }
            3 if case.parts.len() > 1 => {
                let (a, b) = (
                    rng.usize(0..case.parts.len()),
                    rng.usize(0..case.parts.len()),
                );
                case.parts.swap(a, b);
            }
            4..=9 => {
                let at = rng.usize(0..case.parts.len());
                if let Some(mutated) = structural(rng, &case.parts[at]) {
                    case.parts[at] = mutated;
                } else {
                    let donor_part = donor.parts.first().map_or(&[][..], Vec::as_slice);
                    bytes(rng, &mut case.parts[at], donor_part);
                }
            }
            _ => {
                let at = rng.usize(0..case.parts.len());
                let donor_part = donor
                    .parts
                    .get(rng.usize(0..donor.parts.len().max(1)))
                    .map_or(&[][..], Vec::as_slice);
                bytes(rng, &mut case.parts[at], donor_part);
            }
        }
    }
}
