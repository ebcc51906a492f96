//! The evolution policy of `docs/ARCHITECTURE.md`, checked by `tidy`: the records we produce and
//! the settings users build are `#[non_exhaustive]`; the views adapters build, and the reader's
//! `ReadItem`, are not.

use std::fs;
use std::path::{Path, PathBuf};

/// Types that must be `#[non_exhaustive]`: records we produce, settings users build.
const NON_EXHAUSTIVE: [&str; 17] = [
    "Invocation",
    "Timing",
    "InvocationError",
    "FailureKind",
    "StreamOutcome",
    "CallStart",
    "Harvest",
    "InvocationEvents",
    "ErrorReport",
    "Cost",
    "CostOutcome",
    "ReadRecord",
    "Skip",
    "Config",
    "HarvestOptions",
    "NewRelicConfig",
    "ReadOptions",
];

/// Types that must stay exhaustive: views adapters in other crates construct, and the reader's
/// three cases every caller handles.
const EXHAUSTIVE: [&str; 8] = [
    "RequestView",
    "ResponseView",
    "Message",
    "Usage",
    "ChunkDelta",
    "ChunkText",
    "ServiceMetrics",
    "ReadItem",
];

/// Each type of the policy, found once among `files`, with the attributes it should have.
pub(crate) fn check(root: &Path, files: &[PathBuf], problems: &mut Vec<String>) {
    let texts: Vec<(&PathBuf, String)> = files
        .iter()
        .filter_map(|file| Some((file, fs::read_to_string(file).ok()?)))
        .collect();
    let policy = NON_EXHAUSTIVE
        .iter()
        .map(|name| (name, true))
        .chain(EXHAUSTIVE.iter().map(|name| (name, false)));
    for (name, wanted) in policy {
        let found: Vec<(&PathBuf, bool)> = texts
            .iter()
            .flat_map(|(file, text)| declarations(text, name).map(move |marked| (*file, marked)))
            .collect();
        match found.as_slice() {
            [] => problems.push(format!(
                "docs/ARCHITECTURE.md names `{name}` in its evolution policy, but no `pub struct` or `pub enum` has that name"
            )),
            [(file, marked)] if *marked != wanted => problems.push(format!(
                "{}: `{name}` must {}be #[non_exhaustive] (docs/ARCHITECTURE.md, evolution policy)",
                file.strip_prefix(root).unwrap_or(file).display(),
                if wanted { "" } else { "not " }
            )),
            [_] => {}
            _ => problems.push(format!(
                "`{name}` is declared more than once; the evolution policy cannot say which"
            )),
        }
    }
}

/// For each `pub struct NAME` or `pub enum NAME` in `text`, whether the attributes right above
/// it include `#[non_exhaustive]`.
fn declarations<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = bool> + 'a {
    let lines: Vec<&str> = text.lines().collect();
    (0..lines.len()).filter_map(move |at| {
        let line = lines[at].trim_start();
        let rest = line
            .strip_prefix("pub struct ")
            .or_else(|| line.strip_prefix("pub enum "))?;
        let declared = rest
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()?;
        // Up to where the item before ends (a blank line, or a line closing it), so attributes
        // spread over several lines count too.
        (declared == name).then(|| {
            lines[..at]
                .iter()
                .rev()
                .map(|l| l.trim())
                .take_while(|l| {
                    !l.is_empty()
                        && (l.starts_with("//") || !(l.ends_with('}') || l.ends_with(';')))
                })
                .any(|l| l.starts_with("#[non_exhaustive]"))
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_attribute_right_above_a_declaration_counts() {
        let text = "#[non_exhaustive]\npub struct A;\n\n/// B.\n#[derive(Debug)]\n#[non_exhaustive]\npub enum B {}\n#[non_exhaustive]\nstruct Gap;\npub struct C;\n#[non_exhaustive]\n#[cfg_attr(\n    docsrs,\n    doc = \"x\"\n)]\npub struct D;\n";
        assert_eq!(super::declarations(text, "A").collect::<Vec<_>>(), [true]);
        assert_eq!(super::declarations(text, "B").collect::<Vec<_>>(), [true]);
        assert_eq!(super::declarations(text, "C").collect::<Vec<_>>(), [false]);
        assert_eq!(super::declarations(text, "D").collect::<Vec<_>>(), [true]);
        assert_eq!(super::declarations(text, "Ab").count(), 0);
    }
}
