//! Prebuilt adapters for the AWS Bedrock model families, written with `#[bedrock_model]`, and
//! the registry that maps any model-ID form to its adapter.
//!
//! The adapters land with the models issue; until then this crate is an empty shell so the
//! workspace layout is fixed from the start.
