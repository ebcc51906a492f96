//! What the CLI tests share: the binary, run with no AWS credentials from the environment.

use std::process::Command;

/// `bedrock-llm`, with the AWS credential variables removed so no test can reach AWS.
pub(crate) fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-llm"));
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ] {
        command.env_remove(var);
    }
    command
}
