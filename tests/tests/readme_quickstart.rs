//! The README's quickstart as a new user meets it: its `[dependencies]` block and its program,
//! copied verbatim into a crate outside the workspace (only the git source pointed at this
//! checkout), built with the lean AWS features it shows, and run with nothing but environment
//! variables — AWS at the emulator, New Relic at a receiver enforcing the Event API, OTLP at a
//! receiver decoding the official protobufs. Each receiver must hold the call.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use bedrock_llm_tests::newrelic_receiver::{self, ACCOUNT, KEY};
use bedrock_llm_tests::otlp_receiver;

const SECTION: &str = "### Three lines: instrument the client you have";
const GIT_SOURCE: &str = r#"git = "https://github.com/bedrock-llm/bedrock-llm""#;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The body of the first block fenced as `fence` after `from` in `text`.
fn block<'a>(text: &'a str, from: usize, fence: &str) -> (&'a str, usize) {
    let open = format!("```{fence}\n");
    let start = text[from..].find(&open).map(|at| from + at + open.len());
    let start = start.unwrap_or_else(|| panic!("no {fence} block after the quickstart heading"));
    let end = start + text[start..].find("```").expect("the block is closed");
    (&text[start..end], end)
}

/// Writes the crate the README describes and returns its directory.
fn write_quickstart() -> PathBuf {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let section = readme.find(SECTION).expect("the README has the quickstart");
    let (dependencies, after) = block(&readme, section, "toml");
    let (program, _) = block(&readme, after, "rust,no_run");
    assert!(dependencies.contains(GIT_SOURCE), "{dependencies}");
    assert!(
        !dependencies.contains("aws-lc")
            && dependencies.matches("default-features = false").count() == 2,
        "the AWS crates are shown without their default TLS stack:\n{dependencies}"
    );
    let instrumentation = program
        .lines()
        .filter(|line| line.contains("bedrock_llm::") || line.contains("bedrock."))
        .count();
    assert!(
        instrumentation <= 3,
        "instrumenting takes {instrumentation} lines:\n{program}"
    );

    let dir = workspace().join("target/quickstart");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let checkout = workspace().join("bedrock-llm").canonicalize().unwrap();
    let manifest = format!(
        "[package]\nname = \"quickstart\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         # Not a member of the repository's workspace.\n[workspace]\n\n{}",
        dependencies.replace(
            GIT_SOURCE,
            &format!("path = {:?}", checkout.display().to_string())
        )
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/main.rs"), program).unwrap();
    // The workspace's versions, so a build shares what the workspace already resolved.
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

fn build(dir: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // A target directory of its own: the workspace's is locked by the `cargo test` running this.
    let target = workspace().join("target/examples");
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the README's quickstart does not build");
    target.join("debug/quickstart")
}

#[test]
fn the_readme_quickstart_builds_and_ships_a_call_with_only_the_environment_set() {
    let binary = build(&write_quickstart());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(bedrock_llm_emulator::Emulator::builder().start())
        .unwrap();
    let new_relic = runtime
        .block_on(newrelic_receiver::Receiver::start(Vec::new()))
        .unwrap();
    let collector = runtime
        .block_on(otlp_receiver::Receiver::start(Vec::new()))
        .unwrap();
    let home = workspace().join("target/quickstart/home");
    std::fs::create_dir_all(&home).unwrap();

    let output = Command::new(&binary)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // No profile of the machine's may leak in.
        .env("HOME", &home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", emulator.endpoint_url())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEMULATOR")
        .env("AWS_SECRET_ACCESS_KEY", "emulator-secret")
        .env("BEDROCK_LLM_ENABLED", "true")
        .env("NEW_RELIC_LICENSE_KEY", KEY)
        .env("NEW_RELIC_ACCOUNT_ID", ACCOUNT)
        .env(bedrock_llm::NEW_RELIC_ENDPOINT_VAR, new_relic.url())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Message"),
        "the answer is printed: {stdout}"
    );

    let model = "anthropic.claude-3-haiku-20240307-v1:0";
    let events = new_relic.events();
    let summaries: Vec<_> = events
        .iter()
        .filter(|e| e["eventType"] == "LlmChatCompletionSummary")
        .collect();
    assert_eq!(summaries.len(), 1, "{events:#?}");
    assert_eq!(summaries[0]["request.model"], model);
    assert!(
        events
            .iter()
            .any(|e| e["eventType"] == "LlmChatCompletionMessage"
                && e["content"] == "What is the capital of France?"),
        "{events:#?}"
    );
    let span_models: BTreeSet<String> = collector.span_values("gen_ai.request.model");
    assert_eq!(span_models, BTreeSet::from([model.to_owned()]));
    drop(runtime);
}
