//! An OpenTelemetry attribute value of its conventional type, and its forms for spans, log
//! records, JSON and `tracing` fields.

use serde_json::json;

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum OtelValue {
    /// Text.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A list of strings.
    StrArray(Vec<String>),
    /// A structured value (the content attributes: arrays of messages made of parts).
    Structured(serde_json::Value),
}

impl OtelValue {
    /// The value as text: arrays and structures as JSON.
    pub fn to_text(&self) -> String {
        match self {
            Self::Str(s) => s.clone(),
            Self::Int(i) => i.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Bool(b) => b.to_string(),
            Self::StrArray(items) => json!(items).to_string(),
            Self::Structured(value) => value.to_string(),
        }
    }

    /// The value as JSON of its own type.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Str(s) => json!(s),
            Self::Int(i) => json!(i),
            Self::Float(f) => json!(f),
            Self::Bool(b) => json!(b),
            Self::StrArray(items) => json!(items),
            Self::Structured(value) => value.clone(),
        }
    }

    /// About how many bytes [`Self::write_json`] writes, to size a buffer once (escapes and a
    /// structure's punctuation are guessed).
    pub(crate) fn written_len_hint(&self) -> usize {
        match self {
            Self::Str(s) => s.len() + 2,
            Self::Int(_) | Self::Float(_) => 20,
            Self::Bool(_) => 5,
            Self::StrArray(items) => items.iter().map(|item| item.len() + 3).sum::<usize>() + 2,
            Self::Structured(_) => 512,
        }
    }

    /// Writes [`Self::to_json`]'s JSON text onto `out` without building it.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        // Writing into a `Vec` cannot fail.
        match self {
            Self::Str(s) => super::json_text::write_str(out, s),
            Self::Int(i) => {
                let _ = serde_json::to_writer(&mut *out, i);
            }
            // A non-finite float is `null`, as `to_json` makes it.
            Self::Float(f) => {
                let _ = serde_json::to_writer(&mut *out, f);
            }
            Self::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Self::StrArray(items) => {
                out.push(b'[');
                for (at, item) in items.iter().enumerate() {
                    if at > 0 {
                        out.push(b',');
                    }
                    super::json_text::write_str(out, item);
                }
                out.push(b']');
            }
            Self::Structured(value) => {
                let _ = serde_json::to_writer(&mut *out, value);
            }
        }
    }

    /// The value as an OpenTelemetry attribute value. Attributes hold no maps, so a
    /// structure becomes its JSON text (the conventions' rule for span attributes).
    pub fn to_attribute(&self) -> opentelemetry::Value {
        use opentelemetry::{Array, StringValue, Value};
        match self {
            Self::Str(s) => Value::from(s.clone()),
            Self::Int(i) => Value::I64(*i),
            Self::Float(f) => Value::F64(*f),
            Self::Bool(b) => Value::Bool(*b),
            Self::StrArray(items) => Value::Array(Array::String(
                items.iter().cloned().map(StringValue::from).collect(),
            )),
            Self::Structured(value) => Value::from(value.to_string()),
        }
    }

    /// The value as a log-record value, structures kept as maps and lists.
    pub fn to_any_value(&self) -> opentelemetry::logs::AnyValue {
        use opentelemetry::logs::AnyValue;
        match self {
            Self::Str(s) => AnyValue::from(s.clone()),
            Self::Int(i) => AnyValue::Int(*i),
            Self::Float(f) => AnyValue::Double(*f),
            Self::Bool(b) => AnyValue::Boolean(*b),
            Self::StrArray(items) => AnyValue::ListAny(Box::new(
                items.iter().cloned().map(AnyValue::from).collect(),
            )),
            Self::Structured(value) => json_to_any_value(value),
        }
    }
}

/// JSON as a log-record value: objects as maps, arrays as lists, whole numbers as integers.
pub fn json_to_any_value(value: &serde_json::Value) -> opentelemetry::logs::AnyValue {
    use opentelemetry::logs::AnyValue;
    use serde_json::Value;
    match value {
        Value::Null => AnyValue::from(""),
        Value::Bool(b) => AnyValue::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AnyValue::Int(i),
            None => AnyValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => AnyValue::from(s.clone()),
        Value::Array(items) => {
            AnyValue::ListAny(Box::new(items.iter().map(json_to_any_value).collect()))
        }
        Value::Object(fields) => AnyValue::Map(Box::new(
            fields
                .iter()
                .map(|(k, v)| (opentelemetry::Key::from(k.clone()), json_to_any_value(v)))
                .collect(),
        )),
    }
}
