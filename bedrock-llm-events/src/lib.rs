//! LLM events built from the neutral invocation record: the LlmEvent builder, the
//! LlmChatCompletionSummary, LlmChatCompletionMessage, LlmEmbedding and LlmFeedbackMessage
//! events, configuration, the recorder, metrics and renderings.
//!
//! The events land with the events issue; until then this crate is an empty shell so the
//! workspace layout is fixed from the start.
