//! Mutated bodies for the suite: every value swapped for one of another type, every key
//! dropped, truncations, a byte that is not UTF-8, nesting past any parser's limit, and a huge
//! string — each named by what was done where.

use serde_json::{Map, Value};

/// Mutated bodies: what was done, and the bytes.
pub(crate) type Mutations = Vec<(String, Vec<u8>)>;

/// Values of every JSON type, to swap in for a value of another.
fn replacements() -> [Value; 7] {
    [
        Value::Null,
        Value::Bool(true),
        Value::from(-1),
        Value::from(1.5e308),
        Value::from("x"),
        Value::Array(vec![Value::from(1)]),
        Value::Object(Map::new()),
    ]
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// JSON paths (`$.a[0].b`) and pointers (`/a/0/b`) of every value below the root.
fn places(value: &Value, path: String, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let (p, q) = (format!("{path}[{i}]"), format!("{pointer}/{i}"));
                out.push((p.clone(), q.clone()));
                places(item, p, q, out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                let (p, q) = (format!("{path}.{key}"), format!("{pointer}/{escaped}"));
                out.push((p.clone(), q.clone()));
                places(item, p, q, out);
            }
        }
        _ => {}
    }
}

/// (what was done, the bytes) for `count` mutations at places in `body` picked by `rng` from
/// all of them (a value swapped for each other type, or dropped), and for the mutations of the
/// whole body (always worth running). Only the picked ones are built: a body with a long
/// embedding vector has tens of thousands of places.
pub(crate) fn mutations(
    body: &Value,
    rng: &mut fastrand::Rng,
    count: usize,
) -> (Mutations, Mutations) {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    places(body, "$".to_owned(), String::new(), &mut paths);
    let kinds = replacements().len() + 1;
    let total = paths.len() * kinds;
    let mut picked: Vec<usize> = (0..total).collect();
    rng.shuffle(&mut picked);
    for pick in picked {
        if out.len() >= count {
            break;
        }
        let (path, pointer) = &paths[pick / kinds];
        let Some(original) = body.pointer(pointer) else {
            continue;
        };
        let kind = pick % kinds;
        if let Some(replacement) = replacements().get(kind).cloned() {
            if same_type(original, &replacement) {
                continue;
            }
            let mut mutated = body.clone();
            if let Some(slot) = mutated.pointer_mut(pointer) {
                *slot = replacement.clone();
            }
            out.push((
                format!("{path} = {replacement}"),
                mutated.to_string().into_bytes(),
            ));
            continue;
        }
        // Dropping the value: a key removed, an array element removed.
        let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
        let mut mutated = body.clone();
        let removed = match mutated.pointer_mut(parent) {
            Some(Value::Object(map)) => map
                .remove(&last.replace("~1", "/").replace("~0", "~"))
                .is_some(),
            Some(Value::Array(items)) => last
                .parse::<usize>()
                .ok()
                .filter(|&i| i < items.len())
                .map(|i| items.remove(i))
                .is_some(),
            _ => false,
        };
        if removed {
            out.push((format!("{path} removed"), mutated.to_string().into_bytes()));
        }
    }
    let mut whole = Vec::new();
    let text = body.to_string().into_bytes();
    for _ in 0..8 {
        if text.len() > 1 {
            let at = rng.usize(1..text.len());
            whole.push((format!("cut after byte {at}"), text[..at].to_vec()));
        }
    }
    if let Some(at) = text.iter().position(|&b| b == b'"').map(|p| p + 1) {
        let mut bad = text.clone();
        bad.insert(at, 0xff);
        whole.push((format!("a 0xFF byte at {at}"), bad));
    }
    let deep = format!("{}{}{}", "[".repeat(100_000), 1, "]".repeat(100_000));
    whole.push(("100,000 nested arrays".to_owned(), deep.into_bytes()));
    if let Some((path, pointer)) = paths
        .iter()
        .find(|(_, pointer)| body.pointer(pointer).is_some_and(Value::is_string))
    {
        let mut huge = body.clone();
        if let Some(slot) = huge.pointer_mut(pointer) {
            *slot = Value::String("x".repeat(2 << 20));
        }
        whole.push((
            format!("{path} = 2 MiB of text"),
            huge.to_string().into_bytes(),
        ));
    }
    (out, whole)
}
