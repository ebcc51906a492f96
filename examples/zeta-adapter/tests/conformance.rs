//! The whole test of the Zeta adapter: bedrock-llm's conformance suite over its samples.

#[test]
fn zeta_conforms() {
    bedrock_llm_testkit::Conformance::<zeta_adapter::Zeta>::new()
        .samples(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/zeta.json"))
        .run();
}
