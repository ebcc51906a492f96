//! `bedrock-llm-fuzz`: a fuzz harness on the stable toolchain. Mutated and generated inputs go
//! through every entry point that takes untrusted bytes — the registry with every adapter, the
//! stream accumulator, event building and both renderings, the invocation-log reader (plain,
//! gzip, CloudWatch shapes) and replay — and any panic is shrunk to a small reproducing input,
//! printed and saved. Run it through `cargo xtask fuzz`, which builds it with the `fuzz`
//! profile (optimized, overflow checks on).
//!
//! Why not cargo-fuzz: it needs a nightly toolchain and a sanitizer runtime, which the
//! project's machines and CI do not have; a seeded mutator over our own entry points finds
//! the panics and overflows this library can have (it has no unsafe code).

mod case;
mod corpus;
mod mutate;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use case::Case;

const USAGE: &str = "usage: bedrock-llm-fuzz [--cases N] [--seed S] [--out DIR] [--fixtures DIR]
       bedrock-llm-fuzz --replay DIR   (re-run a saved case)";

thread_local! {
    /// The last panic's location and message, set by the hook.
    static LAST_PANIC: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

struct Options {
    cases: u64,
    seed: u64,
    out: PathBuf,
    fixtures: PathBuf,
    replay: Option<PathBuf>,
}

fn options() -> Result<Options, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut options = Options {
        cases: 100_000,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs()),
        out: root.join("target/fuzz"),
        fixtures: root.join("tests/fixtures"),
        replay: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--cases" => {
                options.cases = value()?
                    .replace('_', "")
                    .parse()
                    .map_err(|e| format!("--cases: {e}"))?;
            }
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => options.out = PathBuf::from(value()?),
            "--fixtures" => options.fixtures = PathBuf::from(value()?),
            "--replay" => options.replay = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

/// Runs `case`, returning the panic's location and message if it panics.
fn run_caught(case: &Case) -> Result<(), (String, String)> {
    caught(|| case.run())
}

/// Runs `work`, returning the panic's location and message (from the hook) if it panics.
fn caught(work: impl FnOnce()) -> Result<(), (String, String)> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(()) => Ok(()),
        Err(_) => Err(LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| ("unknown".to_owned(), "panic".to_owned()))),
    }
}

/// The smallest case found for which `same` still holds (it panics at the same place): parts
/// dropped, then byte ranges removed in halving sizes (a bounded delta debugging pass).
fn minimize(case: &Case, same: impl Fn(&Case) -> bool) -> Case {
    let mut best = case.clone();
    let mut attempts = 0u32;
    let mut part = 0;
    while part < best.parts.len() && best.parts.len() > 1 && attempts < 4000 {
        let mut candidate = best.clone();
        candidate.parts.remove(part);
        attempts += 1;
        if same(&candidate) {
            best = candidate;
        } else {
            part += 1;
        }
    }
    for part in 0..best.parts.len() {
        let mut chunk = best.parts[part].len().div_ceil(2);
        while chunk >= 1 && attempts < 4000 {
            let mut at = 0;
            while at < best.parts[part].len() && attempts < 4000 {
                let mut candidate = best.clone();
                let end = (at + chunk).min(candidate.parts[part].len());
                candidate.parts[part].drain(at..end);
                attempts += 1;
                if same(&candidate) {
                    best = candidate;
                } else {
                    at += chunk;
                }
            }
            chunk /= 2;
        }
    }
    best
}

/// An input printed for a person: escaped, cut at 600 bytes.
fn show(bytes: &[u8]) -> String {
    let shown: String = bytes
        .iter()
        .take(600)
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect();
    if bytes.len() > 600 {
        format!("{shown}… ({} bytes)", bytes.len())
    } else {
        shown
    }
}

/// Panics are recorded for [`caught`] instead of printed.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map_or_else(|| "unknown".to_owned(), ToString::to_string);
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        LAST_PANIC.with(|last| *last.borrow_mut() = Some((location, message)));
    }));
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    install_panic_hook();
    if let Some(dir) = &options.replay {
        return match case::load(dir).map(|case| run_caught(&case)) {
            Ok(Ok(())) => {
                println!("fuzz: {} runs without a panic", dir.display());
                ExitCode::SUCCESS
            }
            Ok(Err((location, message))) => {
                println!("fuzz: panic at {location}: {message}");
                ExitCode::FAILURE
            }
            Err(message) => {
                eprintln!("fuzz: {message}");
                ExitCode::from(2)
            }
        };
    }

    let seeds = corpus::seeds(&options.fixtures);
    let models = corpus::model_ids();
    let mut rng = fastrand::Rng::with_seed(options.seed);
    println!(
        "fuzz: {} cases, seed {}, {} seed inputs, panics saved under {}",
        options.cases,
        options.seed,
        seeds.len(),
        options.out.display()
    );
    let started = Instant::now();
    let mut last_report = started;
    let mut panics = 0u64;
    let mut distinct = BTreeSet::new();
    for index in 0..options.cases {
        // Every seed as it is first: the corpus itself must not panic.
        let case = if (index as usize) < seeds.len() {
            seeds[index as usize].clone()
        } else {
            let mut case = seeds[rng.usize(0..seeds.len())].clone();
            let donor = &seeds[rng.usize(0..seeds.len())];
            mutate::mutate(&mut rng, &mut case, donor, &models);
            case
        };
        if let Err((location, message)) = run_caught(&case) {
            panics += 1;
            if distinct.insert(location.clone()) {
                let small = minimize(
                    &case,
                    |candidate| matches!(run_caught(candidate), Err((at, _)) if at == location),
                );
                let dir = options.out.join(format!("crash-{}", distinct.len()));
                let saved = case::save(&small, &dir).map_or_else(
                    |e| format!("not saved: {e}"),
                    |()| format!("saved in {}", dir.display()),
                );
                println!(
                    "\nPANIC in {} at {location}: {message}\n  model: {:?}",
                    small.target.name(),
                    small.model
                );
                for (at, part) in small.parts.iter().enumerate() {
                    println!("  part {at}: {}", show(part));
                }
                println!(
                    "  {saved}; re-run: cargo xtask fuzz --replay {}",
                    dir.display()
                );
            }
        }
        if index % 4096 == 0 && last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            let rate = index as f64 / started.elapsed().as_secs_f64();
            println!("fuzz: {index} cases, {rate:.0} cases/s, {panics} panics");
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "fuzz: {} cases in {elapsed:.1} s ({:.0} cases/s), seed {}: {panics} panics, {} distinct",
        options.cases,
        options.cases as f64 / elapsed.max(1e-9),
        options.seed,
        distinct.len()
    );
    if panics == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use case::Target;

    #[test]
    fn minimize_keeps_only_what_the_failure_needs() {
        let mut noise = vec![b'x'; 3000];
        noise.splice(1700..1700, *b"BUG");
        let case = Case::new(
            Target::Stream,
            "m",
            vec![b"chunk".to_vec(), noise, b"more".to_vec()],
        );
        let fails = |c: &Case| c.parts.iter().any(|p| p.windows(3).any(|w| w == b"BUG"));
        let small = minimize(&case, fails);
        assert_eq!(small.parts, [b"BUG".to_vec()]);
    }

    #[test]
    fn a_panic_is_caught_with_its_location_and_message() {
        install_panic_hook();
        let line = line!() + 1;
        let result = caught(|| panic!("planted {}", 42));
        let (location, message) = result.unwrap_err();
        assert_eq!(message, "planted 42");
        assert!(
            location.ends_with(&format!("main.rs:{line}:32")),
            "{location}"
        );
        let seed = Case::new(Target::Log, "", vec![b"{}\n".to_vec()]);
        assert!(run_caught(&seed).is_ok());
    }

    #[test]
    fn saved_cases_load_back() {
        let dir =
            std::env::temp_dir().join(format!("bedrock-llm-fuzz-save-{}", std::process::id()));
        let case = Case::new(
            Target::LogGz,
            "anthropic.claude-v2",
            vec![vec![0xff, 0], b"{}".to_vec()],
        );
        case::save(&case, &dir).unwrap();
        let loaded = case::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            (loaded.target, loaded.model, loaded.parts),
            (case.target, case.model, case.parts)
        );
    }
}
