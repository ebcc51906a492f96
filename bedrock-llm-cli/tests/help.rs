//! Every command's `--help` ends with examples to copy and what the exit status means, and
//! `completions` prints a script the shell takes.
// Helpers as well as tests panic: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bedrock-llm"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_help_has_examples_and_exit_statuses() {
    for command in [
        &[][..],
        &["demo"],
        &["replay"],
        &["fixtures"],
        &["completions"],
        &["elastic"],
        &["elastic", "setup"],
        &["metrics"],
        &["metrics", "pull"],
        &["metrics", "reconcile"],
        &["report"],
        &["prices"],
        &["prices", "import"],
        &["prices", "show"],
    ] {
        for flag in ["--help", "-h"] {
            let mut args = command.to_vec();
            args.push(flag);
            let output = run(&args);
            let help = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "{args:?}");
            assert!(help.contains("\nEXAMPLES:\n"), "{args:?}: {help}");
            assert!(help.contains("\nEXIT STATUS:\n"), "{args:?}: {help}");
        }
    }
}

#[test]
fn completions_print_a_script_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _bedrock"),
        ("zsh", "#compdef bedrock-llm"),
        ("fish", "complete -c bedrock-llm"),
    ] {
        let output = run(&["completions", shell]);
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(
            script.contains(marker),
            "{shell}: {}",
            &script[..script.len().min(300)]
        );
        // Subcommands and their flags are completed.
        assert!(
            script.contains("replay") && script.contains("--to"),
            "{shell}"
        );
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}
