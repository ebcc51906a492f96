//! Finding a key at the top level of a JSON object by scanning its bytes: keys are compared
//! as written, values skipped by their brackets and quotes, nothing built. What the scan does
//! not settle — an escaped key, bytes that are not JSON — it hands back as `None`.

/// `Some(true)` when `body`'s top-level object has `key` (before anything malformed),
/// `Some(false)` when the object ends without it or `body` is not an object; `None` when the
/// scan cannot tell.
pub(super) fn top_level_key(body: &[u8], key: &[u8]) -> Option<bool> {
    let mut scan = Scan { body, at: 0 };
    if scan.next_token()? != b'{' {
        return Some(false);
    }
    scan.at += 1;
    if scan.next_token()? == b'}' {
        return Some(false);
    }
    loop {
        if scan.next_token()? != b'"' {
            return None;
        }
        let name = scan.string()?;
        if name.contains(&b'\\') {
            return None;
        }
        if name == key {
            return Some(true);
        }
        if scan.next_token()? != b':' {
            return None;
        }
        scan.at += 1;
        scan.value()?;
        match scan.next_token()? {
            b',' => scan.at += 1,
            b'}' => return Some(false),
            _ => return None,
        }
    }
}

struct Scan<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    /// The next byte that is not JSON whitespace (not consumed).
    fn next_token(&mut self) -> Option<u8> {
        while let Some(&byte) = self.body.get(self.at) {
            if !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(byte);
            }
            self.at += 1;
        }
        None
    }

    /// The raw contents of the string whose opening quote is at `self.at`; leaves `self.at`
    /// past its closing quote.
    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.at + 1;
        let mut at = start;
        loop {
            at += memchr::memchr2(b'"', b'\\', self.body.get(at..)?)?;
            if self.body[at] == b'"' {
                self.at = at + 1;
                return self.body.get(start..at);
            }
            at += 2;
        }
    }

    /// Skips the value starting at the next token: a string, an object or array (by depth,
    /// strings skipped whole), or a scalar (up to the next `,`, `}` or `]`).
    fn value(&mut self) -> Option<()> {
        match self.next_token()? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match *self.body.get(self.at)? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            _ => {
                let rest = self.body.get(self.at..)?;
                let end = rest.iter().position(|&b| matches!(b, b',' | b'}' | b']'))?;
                let scalar = &rest[..end];
                if scalar.is_empty()
                    || !scalar
                        .iter()
                        .all(|&b| b.is_ascii_alphanumeric() || b"+-. \n\r\t".contains(&b))
                {
                    return None;
                }
                self.at += end;
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::top_level_key;

    fn reference(body: &[u8], key: &str) -> bool {
        serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.as_object().map(|o| o.contains_key(key)))
            .unwrap_or(false)
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "(\\PC|[\"\\\\{}\\[\\],:]){0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec(("[a-z\"\\\\]{0,6}", inner), 0..5)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        /// Where the scan answers, it answers as a full parse does; on bodies serde_json
        /// writes it always answers unless the key is escaped.
        #[test]
        fn answers_as_a_full_parse(value in json_value(), key in "[a-z\"]{0,6}", pretty in any::<bool>()) {
            let body = if pretty {
                serde_json::to_vec_pretty(&value).unwrap_or_default()
            } else {
                serde_json::to_vec(&value).unwrap_or_default()
            };
            let scanned = top_level_key(&body, key.as_bytes());
            let escaped_keys = value.as_object().is_some_and(|o| o.keys().any(|k| k.contains(['"', '\\'])));
            if !escaped_keys && !key.contains('"') {
                prop_assert_eq!(scanned, Some(reference(&body, &key)));
            } else if let Some(answer) = scanned {
                prop_assert_eq!(answer, reference(&body, &key));
            }
        }
    }

    #[test]
    fn settles_plain_bodies_and_leaves_the_rest() {
        let body = json!({"messages": [{"content": "\"prompt\": {"}], "prompt": "x"}).to_string();
        assert_eq!(top_level_key(body.as_bytes(), b"prompt"), Some(true));
        let nested = json!({"a": {"prompt": 1}, "b": ["prompt"]}).to_string();
        assert_eq!(top_level_key(nested.as_bytes(), b"prompt"), Some(false));
        assert_eq!(top_level_key(b"[1]", b"prompt"), Some(false));
        assert_eq!(top_level_key(b"{}", b"prompt"), Some(false));
        for unsettled in [
            &b""[..],
            b"{",
            b"{\"a\" 1}",
            b"{\"a\":}",
            b"{\"a\":[1}",
            b"{\"\\u0061\":1}",
        ] {
            assert_eq!(top_level_key(unsettled, b"b"), None, "{unsettled:?}");
        }
    }
}
