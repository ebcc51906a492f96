//! Compile tests for `#[bedrock_model]`: `ui/pass` must build, and each `ui/fail` case must fail
//! with the checked-in `.stderr`.
//!
//! Compiler output changes between releases, so the suite runs on the one toolchain the
//! project's machines have (as clap and darling pin theirs); on any other compiler it is not
//! compiled at all.

#[rustversion::stable(1.95)]
#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
