//! The document as a tree of borrowed parts, before it is either written as JSON text or turned
//! into a `serde_json::Value`. The text writer gives the bytes serde_json writes for the value:
//! each object's keys sorted, a later key replacing an earlier one, and empty values (null,
//! `""`, `{}`, `[]`, an object of empty values) left out at any depth, though never from inside
//! an array, as Elastic's pipeline does. Writing straight from the tree spares building and
//! dropping a map of owned strings per field, which was most of what a document cost.

use serde_json::{Map, Value};

use super::body;
use crate::render::json_text::{self, sort_members};

/// How a body's keys are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keys {
    /// As the value has them.
    AsIs,
    /// Renamed by Elastic's table ([`body::renamed`]).
    Renamed,
    /// Renamed, and an array's elements that are not objects put under a `value` key (a
    /// stream's closing `"[DONE]"`).
    RenamedWrapped,
}

/// One field's value.
#[derive(Debug)]
pub(super) enum Node<'a> {
    Str(&'a str),
    Text(String),
    Int(u64),
    /// A non-finite float is left out, as serde_json makes it null.
    Float(f64),
    /// A body or a part of one.
    Body(&'a Value, Keys),
    /// A value built for the document (guardrail findings, content kinds).
    Value(Value),
    Object(Object<'a>),
}

/// An object's members in the order they were set; see the module doc for how they are written.
#[derive(Debug, Default)]
pub(super) struct Object<'a>(Vec<(&'a str, Node<'a>)>);

impl<'a> Object<'a> {
    pub(super) fn new() -> Self {
        Self(Vec::with_capacity(8))
    }

    /// Sets `key` (a later set of the same key wins).
    pub(super) fn set(&mut self, key: &'a str, node: Node<'a>) {
        self.0.push((key, node));
    }

    /// Sets `key` when there is a value.
    pub(super) fn set_some(&mut self, key: &'a str, node: Option<Node<'a>>) {
        if let Some(node) = node {
            self.0.push((key, node));
        }
    }

    /// Writes the object as JSON text onto `out` (`{}` when every member is empty).
    pub(super) fn write(self, out: &mut Vec<u8>) {
        write_object(self, out, true);
    }

    /// The object as a value; empty members are still in it (see [`body::drop_empty`]).
    pub(super) fn into_value(self) -> Value {
        let mut map = Map::new();
        for (key, node) in self.0 {
            map.insert(key.to_owned(), node.into_value());
        }
        Value::Object(map)
    }
}

impl Node<'_> {
    fn into_value(self) -> Value {
        match self {
            Node::Str(text) => Value::from(text),
            Node::Text(text) => Value::from(text),
            Node::Int(number) => Value::from(number),
            Node::Float(number) => {
                serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
            }
            Node::Body(value, Keys::AsIs) => value.clone(),
            Node::Body(value, Keys::Renamed) => body::rename_keys(value),
            Node::Body(value, Keys::RenamedWrapped) => body::wrap_scalars(body::rename_keys(value)),
            Node::Value(value) => value,
            Node::Object(object) => object.into_value(),
        }
    }

    /// Writes the node; `false` (and nothing written) when it is empty and not `kept`.
    fn write(self, out: &mut Vec<u8>, kept: bool) -> bool {
        match self {
            Node::Str(text) => write_text(out, text, kept),
            Node::Text(text) => write_text(out, &text, kept),
            Node::Int(number) => {
                out.extend_from_slice(itoa::Buffer::new().format(number).as_bytes());
                true
            }
            Node::Float(number) if number.is_finite() => {
                write_number(out, &number);
                true
            }
            Node::Float(_) => write_null(out, kept),
            Node::Body(value, keys) => write_value(out, value, keys, kept),
            Node::Value(value) => write_value(out, &value, Keys::AsIs, kept),
            Node::Object(object) => write_object(object, out, kept),
        }
    }
}

fn write_object(mut object: Object<'_>, out: &mut Vec<u8>, kept: bool) -> bool {
    sort_members(&mut object.0);
    let start = out.len();
    out.push(b'{');
    let mut written = false;
    for (key, node) in object.0 {
        written |= write_member(out, key, written, |out| node.write(out, false));
    }
    close_object(out, start, written, kept)
}

/// Writes `"key":` and the member after a comma when one was `written` before; takes it all
/// back when the member turns out empty. `true` when it stays.
fn write_member(
    out: &mut Vec<u8>,
    key: &str,
    written: bool,
    member: impl FnOnce(&mut Vec<u8>) -> bool,
) -> bool {
    let mark = out.len();
    if written {
        out.push(b',');
    }
    json_text::write_str(out, key);
    out.push(b':');
    if member(out) {
        return true;
    }
    out.truncate(mark);
    false
}

fn close_object(out: &mut Vec<u8>, start: usize, written: bool, kept: bool) -> bool {
    if written {
        out.push(b'}');
        return true;
    }
    out.truncate(start);
    if kept {
        out.extend_from_slice(b"{}");
    }
    kept
}

fn write_text(out: &mut Vec<u8>, text: &str, kept: bool) -> bool {
    if text.is_empty() && !kept {
        return false;
    }
    json_text::write_str(out, text);
    true
}

fn write_null(out: &mut Vec<u8>, kept: bool) -> bool {
    if kept {
        out.extend_from_slice(b"null");
    }
    kept
}

fn write_number<T: serde::Serialize>(out: &mut Vec<u8>, number: &T) {
    // A number always serializes, and writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, number);
}

/// Writes a body's value with its keys as `keys` says and its empty members left out.
fn write_value(out: &mut Vec<u8>, value: &Value, keys: Keys, kept: bool) -> bool {
    let inner = match keys {
        Keys::AsIs => Keys::AsIs,
        Keys::Renamed | Keys::RenamedWrapped => Keys::Renamed,
    };
    match value {
        Value::Null => write_null(out, kept),
        Value::Bool(flag) => {
            out.extend_from_slice(if *flag { b"true" } else { b"false" });
            true
        }
        Value::Number(number) => {
            write_number(out, number);
            true
        }
        Value::String(text) => write_text(out, text, kept),
        Value::Array(items) if items.is_empty() => {
            if kept {
                out.extend_from_slice(b"[]");
            }
            kept
        }
        Value::Array(items) => {
            out.push(b'[');
            for (at, item) in items.iter().enumerate() {
                if at != 0 {
                    out.push(b',');
                }
                if keys == Keys::RenamedWrapped && !item.is_object() {
                    let start = out.len();
                    out.push(b'{');
                    let written = write_member(out, "value", false, |out| {
                        write_value(out, item, inner, false)
                    });
                    close_object(out, start, written, true);
                } else {
                    // Elements stay, empty or not; only their members are pruned.
                    write_value(out, item, inner, true);
                }
            }
            out.push(b']');
            true
        }
        Value::Object(map) => write_map(out, map, inner, kept),
    }
}

fn write_map(out: &mut Vec<u8>, map: &Map<String, Value>, keys: Keys, kept: bool) -> bool {
    let start = out.len();
    out.push(b'{');
    let mut written = false;
    let renames = keys != Keys::AsIs && map.keys().any(|key| body::renamed(key).is_some());
    if renames {
        // Renamed keys sort differently, and one may land on a key the body also has: as a
        // map built from the renamed members would, sort them and keep the last of equal keys.
        let mut members: Vec<(&str, &Value)> = map
            .iter()
            .map(|(key, member)| (body::renamed(key).unwrap_or(key), member))
            .collect();
        sort_members(&mut members);
        for (key, member) in members {
            written |= write_member(out, key, written, |out| {
                write_value(out, member, keys, false)
            });
        }
    } else {
        for (key, member) in map {
            written |= write_member(out, key, written, |out| {
                write_value(out, member, keys, false)
            });
        }
    }
    close_object(out, start, written, kept)
}
