//! Cross-crate tests for bedrock-llm. The library part is a living example: [`acme`] derives an
//! adapter for a model the workspace does not ship, exactly as a user's crate would.

pub mod acme;
