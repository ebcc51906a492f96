//! The import-circle rule of `tidy`: within a crate, no module reaches (through `crate::`,
//! `super::`, `self::` or child-relative paths) a module that reaches it back.
//!
//! Each source file is one module. An edge goes from a file to the module a path names (the
//! longest prefix that is a module file); a path into one of the file's own ancestors is not an
//! edge, since a parent's file is the home of its children's shared items. A circle is a
//! strongly connected set of more than one module. Comments are skipped, so doc links are not
//! imports. Hand-rolled: what is wanted is this one graph over module files, not a Rust parser.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// A module's path from the crate root: `["assemble", "spare"]`; the root is empty.
type ModPath = Vec<String>;

/// Every import circle among the modules of the crate whose sources are under `src`, each as
/// its modules joined by ` ↔ `.
pub(crate) fn circles(src: &Path) -> Vec<String> {
    let files: BTreeMap<ModPath, String> = crate::files_under(src)
        .into_iter()
        .filter(|file| file.extension().is_some_and(|e| e == "rs"))
        .filter_map(|file| {
            let path = module_path(file.strip_prefix(src).ok()?)?;
            Some((path, fs::read_to_string(&file).ok()?))
        })
        .collect();
    let mut edges: BTreeMap<&ModPath, BTreeSet<&ModPath>> = BTreeMap::new();
    for (module, text) in &files {
        let targets = edges.entry(module).or_default();
        for path in referenced_paths(module, text) {
            let Some(target) = (1..=path.len())
                .rev()
                .find_map(|len| files.get_key_value(&path[..len]).map(|(k, _)| k))
            else {
                continue;
            };
            if target != module && !module.starts_with(target) {
                targets.insert(target);
            }
        }
    }
    strongly_connected(&edges)
        .into_iter()
        .filter(|set| set.len() > 1)
        .map(|set| {
            set.iter()
                .map(|m| m.join("::"))
                .collect::<Vec<_>>()
                .join(" ↔ ")
        })
        .collect()
}

/// `assemble/spare.rs` → `assemble::spare`; `view/mod.rs` → `view`; `lib.rs` → the root.
fn module_path(relative: &Path) -> Option<ModPath> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_owned());
    }
    Some(parts)
}

/// The crate-relative paths `text` names (through `crate::`, `super::`, `self::`, or relative
/// to `module`), use trees expanded (`crate::{a::X, b::{c::Y}}` gives `a::X` and `b::c::Y`).
fn referenced_paths(module: &ModPath, text: &str) -> Vec<ModPath> {
    let mut paths = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let tokens = tokenize(line);
        for (at, token) in tokens.iter().enumerate() {
            let start_of_path = at == 0 || tokens[at - 1] != "::";
            if !start_of_path || tokens.get(at + 1).map(String::as_str) != Some("::") {
                continue;
            }
            let (mut base, mut rest) = match token.as_str() {
                "crate" => (Vec::new(), &tokens[at + 2..]),
                "self" => (module.clone(), &tokens[at + 2..]),
                "super" => (
                    module[..module.len().saturating_sub(1)].to_vec(),
                    &tokens[at + 2..],
                ),
                // A relative path: a child module's (`chunk::X`), or anything else, which
                // names no module file and so is no edge.
                _ => (module.clone(), &tokens[at..]),
            };
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = rest.get(2..).unwrap_or_default();
            }
            use_tree(&base, rest, &mut paths);
        }
    }
    paths
}

/// Expands the use tree (or plain path) at the start of `tokens` onto `base`.
fn use_tree(base: &ModPath, tokens: &[String], out: &mut Vec<ModPath>) -> usize {
    let mut path = base.clone();
    let mut at = 0;
    while let Some(token) = tokens.get(at) {
        match token.as_str() {
            "{" => {
                at += 1;
                while at < tokens.len() && tokens[at] != "}" {
                    at += use_tree(&path, &tokens[at..], out);
                    if tokens.get(at).map(String::as_str) == Some(",") {
                        at += 1;
                    }
                }
                return at + 1;
            }
            "::" => at += 1,
            word if word.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                path.push(word.to_owned());
                at += 1;
                if tokens.get(at).map(String::as_str) != Some("::") {
                    break;
                }
            }
            _ => break,
        }
    }
    out.push(path);
    at
}

/// Identifiers, `::`, and single punctuation characters.
fn tokenize(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            let mut word = String::from(c);
            while let Some(&next) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_') {
                word.push(next);
                chars.next();
            }
            tokens.push(word);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            tokens.push("::".to_owned());
        } else if !c.is_whitespace() {
            tokens.push(c.to_string());
        }
    }
    tokens
}

/// Tarjan's strongly connected components.
fn strongly_connected<'a>(
    edges: &BTreeMap<&'a ModPath, BTreeSet<&'a ModPath>>,
) -> Vec<BTreeSet<&'a ModPath>> {
    struct State<'a> {
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        sets: Vec<BTreeSet<&'a ModPath>>,
    }
    fn visit<'a>(
        node: &'a ModPath,
        edges: &BTreeMap<&'a ModPath, BTreeSet<&'a ModPath>>,
        state: &mut State<'a>,
    ) {
        let index = state.index.len();
        state.index.insert(node, index);
        state.low.insert(node, index);
        state.stack.push(node);
        for &next in edges.get(node).into_iter().flatten() {
            if !state.index.contains_key(next) {
                visit(next, edges, state);
                let low = state.low[node].min(state.low[next]);
                state.low.insert(node, low);
            } else if state.stack.contains(&next) {
                let low = state.low[node].min(state.index[next]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut set = BTreeSet::new();
            while let Some(top) = state.stack.pop() {
                set.insert(top);
                if top == node {
                    break;
                }
            }
            state.sets.push(set);
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        sets: Vec::new(),
    };
    for &node in edges.keys() {
        if !state.index.contains_key(node) {
            visit(node, edges, &mut state);
        }
    }
    state.sets
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn crate_with(files: &[(&str, &str)]) -> Vec<String> {
        let dir = std::env::temp_dir().join(format!(
            "xtask-circles-{}-{}",
            std::process::id(),
            files.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let found = super::circles(Path::new(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        found
    }

    #[test]
    fn a_circle_through_use_trees_and_super_is_found() {
        let found = crate_with(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n"),
            // Through a parent's re-export of its child: d → c → d::inner → d.
            ("d/mod.rs", "mod inner;\npub use inner::Z;\n"),
            ("d/inner.rs", "pub struct Z(crate::c::W);\n"),
            ("a.rs", "use crate::{b::{Thing, other::X}, c};\n"),
            ("b/mod.rs", "mod other;\n"),
            (
                "b/other.rs",
                "// crate::a::Y is a comment\nfn f() { super::super::c::g(); }\n",
            ),
            (
                "c.rs",
                "pub fn g() { crate::a::h() }\npub struct W(crate::d::Z);\n",
            ),
        ]);
        assert_eq!(found, vec!["a ↔ b::other ↔ c ↔ d ↔ d::inner".to_owned()]);
    }

    #[test]
    fn children_reaching_their_parent_and_one_way_imports_are_no_circle() {
        let found = crate_with(&[
            ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
            (
                "a/mod.rs",
                "mod inner;\npub struct A(inner::I);\nuse crate::b::B;\n",
            ),
            ("a/inner.rs", "use super::A;\nuse crate::a::A as Again;\n"),
            (
                "b.rs",
                "pub struct B;\n/// See [`crate::a::A`].\nconst X: u8 = 0;\n",
            ),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }
}
