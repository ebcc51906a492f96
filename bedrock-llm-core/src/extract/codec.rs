//! Bodies in and out: parsing with the JSON path of a failure, routing-key scans, encoding,
//! and stream chunks (a chunk no field of its type knows is an error, not an empty chunk).

use std::collections::BTreeMap;

use super::collector::*;
use super::shapes::*;

use crate::error::{BodyError, BodyErrorKind, BodySide};
use crate::view::ChunkDelta;

/// Parses `body` as `T`, reporting the JSON path of the first failure.
pub fn decode<T>(body: &[u8], side: BodySide, type_name: &'static str) -> Result<T, BodyError>
where
    T: serde::de::DeserializeOwned,
{
    // The fast path: a plain parse. Only a failure pays for path tracking, on a second parse.
    // Checking the whole body as UTF-8 once (a vectorized scan) lets serde_json read it as
    // `str`, which it then does not re-check string by string.
    let parsed = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str::<T>(text),
        Err(_) => serde_json::from_slice::<T>(body),
    };
    if let Ok(value) = parsed {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = json_path(&error.path().to_string());
        body_error(error.into_inner(), side, type_name, path)
    })?;
    deserializer
        .end()
        .map_err(|error| body_error(error, side, type_name, "$".to_owned()))?;
    Ok(value)
}

/// Whether `body` is a JSON object with `key` at its top level. Values are skipped without
/// being built, and the scan stops at the key: routing keys come first in practice, so a body
/// that has one costs next to nothing to route. A body malformed after the key still has it
/// (its decoding reports the error).
pub fn has_top_level_key(body: &[u8], key: &str) -> bool {
    // Hand-rolled because serde's only way to stop a reader early is an error, whose building
    // cost more than scanning the whole body; anything the scan does not settle (an escaped
    // key, malformed JSON) is left to serde.
    super::key_scan::top_level_key(body, key.as_bytes()).unwrap_or_else(|| serde_has_key(body, key))
}

/// [`has_top_level_key`] through serde: the reference the scan answers like.
fn serde_has_key(body: &[u8], key: &str) -> bool {
    struct KeyFinder<'k, 'f> {
        key: &'k str,
        found: &'f std::cell::Cell<bool>,
    }

    impl<'de> serde::de::Visitor<'de> for KeyFinder<'_, '_> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == self.key {
                    self.found.set(true);
                    // An error is the only way to stop a serde reader early.
                    return Err(serde::de::Error::custom("key found"));
                }
                map.next_value::<serde::de::IgnoredAny>()?;
            }
            Ok(())
        }
    }

    let found = std::cell::Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let _ =
        serde::Deserializer::deserialize_map(&mut deserializer, KeyFinder { key, found: &found });
    found.get()
}

/// Serializes `value` as JSON bytes.
pub fn encode<T: serde::Serialize>(
    value: &T,
    side: BodySide,
    type_name: &'static str,
) -> Result<Vec<u8>, BodyError> {
    serde_json::to_vec(value).map_err(|error| BodyError {
        family: None,
        type_name,
        side,
        path: "$".to_owned(),
        kind: BodyErrorKind::Serialize,
        message: error.to_string(),
    })
}

fn json_path(segments: &str) -> String {
    match segments {
        "." | "" => "$".to_owned(),
        p if p.starts_with('[') => format!("${p}"),
        p => format!("$.{p}"),
    }
}

fn body_error(
    error: serde_json::Error,
    side: BodySide,
    type_name: &'static str,
    path: String,
) -> BodyError {
    let kind = match error.classify() {
        serde_json::error::Category::Data => BodyErrorKind::Data,
        serde_json::error::Category::Eof => BodyErrorKind::Truncated,
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            BodyErrorKind::Syntax
        }
    };
    BodyError {
        family: None,
        type_name,
        side,
        path,
        kind,
        // A wrongly typed value can be megabytes long; the message quotes only its start.
        message: crate::error::shorten_quoted_values(
            &error.to_string(),
            crate::error::QUOTED_VALUE_CHARS,
        )
        .into_owned(),
    }
}

/// Parses one stream chunk as `T` and reports what it adds.
pub fn decode_chunk<T>(chunk: &[u8], type_name: &'static str) -> Result<ChunkDelta, BodyError>
where
    T: serde::de::DeserializeOwned + Extract,
{
    let typed: T = decode(chunk, BodySide::Response, type_name)?;
    let mut cx = Collector::new(Side::Response);
    typed.extract(&mut cx);
    let delta = cx.into_chunk_delta();
    if delta == ChunkDelta::default()
        && let Some(keys) = unknown_shape::<T>(chunk)
    {
        return Err(BodyError {
            family: None,
            type_name,
            side: BodySide::Response,
            path: "$".to_owned(),
            kind: BodyErrorKind::Data,
            message: format!(
                "a chunk of a shape this family does not know: none of its keys ({keys}) is one the chunk type reads"
            ),
        });
    }
    Ok(delta)
}

/// For a chunk that gave nothing: its top-level keys, when not one of them is a field of `T`
/// or one of Bedrock's own (`amazon-bedrock-…`) — a shape the adapter has never seen, which
/// must be counted rather than read as an empty chunk. `None` when a key is known, or when
/// `T`'s fields cannot be listed (enums, flattened structs).
fn unknown_shape<'de, T: serde::Deserialize<'de>>(chunk: &[u8]) -> Option<String> {
    let fields = serde_fields::<T>()?;
    let keys = serde_json::from_slice::<BTreeMap<String, serde::de::IgnoredAny>>(chunk).ok()?;
    if keys.is_empty()
        || keys
            .keys()
            .any(|k| k.starts_with("amazon-bedrock-") || fields.contains(&k.as_str()))
    {
        return None;
    }
    // Key names are the body's schema, not its content; still, list only a few, cut short.
    let mut listed: Vec<String> = keys
        .keys()
        .take(5)
        .map(|k| k.chars().take(32).collect())
        .collect();
    if keys.len() > 5 {
        listed.push("…".to_owned());
    }
    Some(listed.join(", "))
}

/// The field names serde reads for struct `T` (after renames), found by asking its
/// `Deserialize` impl, which hands them to `deserialize_struct`. No data is read.
fn serde_fields<'de, T: serde::Deserialize<'de>>() -> Option<&'static [&'static str]> {
    struct FieldsOf<'f>(&'f std::cell::Cell<Option<&'static [&'static str]>>);

    #[derive(Debug)]
    struct Stop;

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields listed")
        }
    }

    impl std::error::Error for Stop {}

    impl serde::de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }

    impl<'de> serde::Deserializer<'de> for FieldsOf<'_> {
        type Error = Stop;

        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }

        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0.set(Some(fields));
            Err(Stop)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    let found = std::cell::Cell::new(None);
    let _ = T::deserialize(FieldsOf(&found));
    found.get()
}

#[cfg(test)]
mod tests {
    use super::has_top_level_key;

    #[test]
    fn finds_top_level_keys_only() {
        let body = br#"{"messages": [{"prompt": 1}], "max_tokens": 5, "prompt": "x"}"#;
        assert!(has_top_level_key(body, "prompt"));
        assert!(has_top_level_key(body, "max_tokens"));
        assert!(!has_top_level_key(
            br#"{"messages": [{"prompt": 1}]}"#,
            "prompt"
        ));
        assert!(!has_top_level_key(b"[1, 2]", "prompt"));
        // The scan stops at the key: a body cut after it still routes, and its decode then
        // reports the truncation, which says more than finding no adapter would.
        assert!(has_top_level_key(b"{\"prompt\": ", "prompt"));
        assert!(!has_top_level_key(b"{\"max_tokens\": ", "prompt"));
        assert!(!has_top_level_key(b"", "prompt"));
    }
}
