//! Every name this crate emits: event types, attribute keys, metric names and OpenTelemetry
//! GenAI keys. The GenAI conventions are defined here rather than taken from
//! `opentelemetry-semantic-conventions`, whose `gen_ai` constants are deprecated.

// A constant's value is its documentation; the modules say where each set comes from.
#![allow(missing_docs)]

/// Event types.
pub mod event_type {
    /// One per completion call.
    pub const SUMMARY: &str = "LlmChatCompletionSummary";
    /// One per request message, then one per response message.
    pub const MESSAGE: &str = "LlmChatCompletionMessage";
    /// One per embedding call.
    pub const EMBEDDING: &str = "LlmEmbedding";
    /// From the feedback API.
    pub const FEEDBACK: &str = "LlmFeedbackMessage";
    /// An error report, as the Event API takes it: the agents' `TransactionError` is a type
    /// reserved to New Relic's own agents (`docs/llm-events.md` §9).
    pub const ERROR: &str = "LlmError";
}

/// LLM event attribute keys (`docs/llm-events.md` §2).
pub mod attr {
    pub const ID: &str = "id";
    pub const SPAN_ID: &str = "span_id";
    pub const TRACE_ID: &str = "trace_id";
    pub const VENDOR: &str = "vendor";
    pub const INGEST_SOURCE: &str = "ingest_source";
    pub const REQUEST_ID: &str = "request_id";
    pub const RESPONSE_ID: &str = "response_id";
    pub const REQUEST_MODEL: &str = "request.model";
    pub const RESPONSE_MODEL: &str = "response.model";
    pub const REQUEST_TEMPERATURE: &str = "request.temperature";
    pub const REQUEST_MAX_TOKENS: &str = "request.max_tokens";
    pub const NUMBER_OF_MESSAGES: &str = "response.number_of_messages";
    pub const FINISH_REASON: &str = "response.choices.finish_reason";
    pub const DURATION: &str = "duration";
    pub const TIMESTAMP: &str = "timestamp";
    pub const TIME_TO_FIRST_TOKEN: &str = "time_to_first_token";
    pub const PROMPT_TOKENS: &str = "response.usage.prompt_tokens";
    pub const COMPLETION_TOKENS: &str = "response.usage.completion_tokens";
    pub const TOTAL_TOKENS: &str = "response.usage.total_tokens";
    /// Project additions (New Relic's agents name no cache counts): prompt tokens read from
    /// and written to the prompt cache, as the body reports them.
    pub const CACHE_READ_TOKENS: &str = "response.usage.cache_read_input_tokens";
    pub const CACHE_WRITE_TOKENS: &str = "response.usage.cache_creation_input_tokens";
    /// Project additions: how Bedrock served the call, named as on OpenTelemetry spans.
    pub const GUARDRAIL_INTERVENED: &str = "aws.bedrock.guardrail.intervened";
    pub const INFERENCE_REGION: &str = "aws.bedrock.inference_region";
    pub const PERFORMANCE_LATENCY: &str = "aws.bedrock.performance_config.latency";
    pub const SERVICE_TIER: &str = "aws.bedrock.service_tier";
    /// Image generation (`docs/llm-events.md` §2): what was asked for and what came back —
    /// never an image. Project names; the agents have none.
    pub const NUMBER_OF_IMAGES: &str = "response.number_of_images";
    pub const IMAGE_REQUEST_COUNT: &str = "aws.bedrock.request.image.count";
    pub const IMAGE_REQUEST_SIZE: &str = "aws.bedrock.request.image.size";
    pub const IMAGE_REQUEST_QUALITY: &str = "aws.bedrock.request.image.quality";
    pub const IMAGE_REQUEST_STEPS: &str = "aws.bedrock.request.image.steps";
    pub const IMAGE_RESPONSE_BYTES: &str = "aws.bedrock.response.image.bytes";
    pub const IMAGE_RESPONSE_ERROR: &str = "aws.bedrock.response.image.error";
    /// Video generation (`docs/llm-events.md` §2): what the job asked for, and — replayed from
    /// an invocation log — the video it produced; never the video. Project names, the same on
    /// OpenTelemetry spans.
    pub const VIDEO_REQUEST_DURATION: &str = "aws.bedrock.request.video.duration_seconds";
    pub const VIDEO_REQUEST_FPS: &str = "aws.bedrock.request.video.fps";
    pub const VIDEO_REQUEST_DIMENSION: &str = "aws.bedrock.request.video.dimension";
    pub const VIDEO_REQUEST_ASPECT_RATIO: &str = "aws.bedrock.request.video.aspect_ratio";
    pub const VIDEO_RESPONSE_COUNT: &str = "aws.bedrock.response.video.count";
    pub const VIDEO_RESPONSE_DURATION: &str = "aws.bedrock.response.video.duration_seconds";
    pub const VIDEO_RESPONSE_DIMENSION: &str = "aws.bedrock.response.video.dimension";
    /// Embeddings: how many vectors came back (segments, for a video or audio input) and their
    /// length. Project names, the same on OpenTelemetry spans.
    pub const EMBEDDING_COUNT: &str = "aws.bedrock.response.embedding.count";
    pub const EMBEDDING_DIMENSIONS: &str = "aws.bedrock.response.embedding.dimensions";
    /// Rerank: documents sent, results asked for and returned, the best score. Project names.
    pub const RERANK_DOCUMENTS: &str = "aws.bedrock.request.rerank.documents";
    pub const RERANK_TOP_N: &str = "aws.bedrock.request.rerank.top_n";
    pub const RERANK_RESULTS: &str = "aws.bedrock.response.rerank.results";
    pub const RERANK_TOP_SCORE: &str = "aws.bedrock.response.rerank.top_score";
    pub const ERROR: &str = "error";
    /// Project addition: `true` on a streamed call the caller dropped before its end.
    pub const INCOMPLETE: &str = "incomplete";
    pub const COMPLETION_ID: &str = "completion_id";
    pub const SEQUENCE: &str = "sequence";
    pub const ROLE: &str = "role";
    pub const CONTENT: &str = "content";
    /// The message's reasoning (thinking), apart from `content`; with content recording on.
    pub const REASONING: &str = "reasoning";
    pub const IS_RESPONSE: &str = "is_response";
    pub const TOKEN_COUNT: &str = "token_count";
    pub const INPUT: &str = "input";
    pub const RATING: &str = "rating";
    pub const CATEGORY: &str = "category";
    pub const MESSAGE: &str = "message";
    /// The prefix of custom attributes copied onto events.
    pub const LLM_PREFIX: &str = "llm.";
}

/// Fixed attribute values.
pub mod value {
    /// `vendor` on every event but feedback.
    pub const VENDOR: &str = "bedrock";
    /// `ingest_source` on every event.
    pub const INGEST_SOURCE: &str = "Rust";
}

/// Error report attribute keys (`docs/llm-events.md` §9).
pub mod error_attr {
    /// The code, as New Relic's agents report an exception's class.
    pub const CLASS: &str = "error.class";
    pub const HTTP_STATUS: &str = "http.statusCode";
    pub const CODE: &str = "error.code";
    pub const MESSAGE: &str = "error.message";
    pub const COMPLETION_ID: &str = "completion_id";
    pub const EMBEDDING_ID: &str = "embedding_id";
}

/// Metric names (`docs/llm-events.md` §11).
pub mod metric {
    /// `Supportability/Rust/ML/Bedrock/{sdk version}`.
    pub const BEDROCK_VERSION_PREFIX: &str = "Supportability/Rust/ML/Bedrock/";
    pub const ENABLED: &str = "Supportability/Rust/ML/Enabled";
    pub const DISABLED: &str = "Supportability/Rust/ML/Disabled";
    pub const STREAMING_ENABLED: &str = "Supportability/Rust/ML/Streaming/Enabled";
    pub const STREAMING_DISABLED: &str = "Supportability/Rust/ML/Streaming/Disabled";
    pub const RECORD_CONTENT_ENABLED: &str = "Supportability/Rust/ML/RecordContent/Enabled";
    pub const RECORD_CONTENT_DISABLED: &str = "Supportability/Rust/ML/RecordContent/Disabled";
    pub const TOKEN_CALLBACK_SET: &str = "Supportability/AiMonitoringTokenCountCallback/Set";
    /// Bodies an adapter could not read.
    pub const EXTRACTION_ERROR: &str = "Supportability/Rust/ML/Bedrock/ExtractionError";
    /// Calls not recorded because the recording worker's queue was full.
    pub const RECORDING_DROPPED: &str = "Supportability/Rust/ML/Bedrock/Recording/Dropped";
    /// A call whose model ID names no model and whose request body fits several families'
    /// shapes: its bodies were left unread rather than guessed.
    /// A call priced with no price known for its model and Region (`docs/cost.md`): it has no
    /// cost rather than a guessed 0.
    pub const COST_UNPRICED: &str = "Supportability/Rust/ML/Bedrock/Cost/Unpriced";
    pub const ROUTING_AMBIGUOUS: &str = "Supportability/Rust/ML/Bedrock/Routing/AmbiguousBody";
    /// A call no adapter serves, by model ID or body shape: recorded without its bodies.
    pub const ROUTING_UNRECOGNIZED: &str = "Supportability/Rust/ML/Bedrock/Routing/Unrecognized";
    /// Problems of the instrumentation itself, by kind.
    pub const INSTRUMENTATION_ERROR: &str = "Supportability/Rust/ML/Bedrock/InstrumentationError";
    /// Attributes dropped for an over-long key, a non-`llm.` custom key, an out-of-range
    /// integer, or the custom-attribute cap.
    pub const DROPPED_ATTRIBUTE: &str = "Supportability/Rust/ML/DroppedAttribute";
    /// `Llm/completion/Bedrock/{operation}`.
    pub const COMPLETION_PREFIX: &str = "Llm/completion/Bedrock/";
    /// `Llm/embedding/Bedrock/{operation}`.
    pub const EMBEDDING_PREFIX: &str = "Llm/embedding/Bedrock/";
}

/// OpenTelemetry GenAI semantic-convention keys (`docs/llm-events.md` §12).
pub mod gen_ai {
    pub const PROVIDER_NAME: &str = "gen_ai.provider.name";
    pub const SYSTEM: &str = "gen_ai.system";
    pub const OPERATION_NAME: &str = "gen_ai.operation.name";
    pub const REQUEST_MODEL: &str = "gen_ai.request.model";
    pub const REQUEST_MAX_TOKENS: &str = "gen_ai.request.max_tokens";
    pub const REQUEST_TEMPERATURE: &str = "gen_ai.request.temperature";
    pub const REQUEST_TOP_P: &str = "gen_ai.request.top_p";
    pub const REQUEST_TOP_K: &str = "gen_ai.request.top_k";
    pub const REQUEST_STOP_SEQUENCES: &str = "gen_ai.request.stop_sequences";
    pub const REQUEST_FREQUENCY_PENALTY: &str = "gen_ai.request.frequency_penalty";
    pub const REQUEST_PRESENCE_PENALTY: &str = "gen_ai.request.presence_penalty";
    pub const REQUEST_STREAM: &str = "gen_ai.request.stream";
    pub const REQUEST_CHOICE_COUNT: &str = "gen_ai.request.choice.count";
    pub const RESPONSE_ID: &str = "gen_ai.response.id";
    pub const RESPONSE_MODEL: &str = "gen_ai.response.model";
    pub const RESPONSE_FINISH_REASONS: &str = "gen_ai.response.finish_reasons";
    pub const USAGE_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
    pub const USAGE_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
    pub const USAGE_CACHE_READ_INPUT_TOKENS: &str = "gen_ai.usage.cache_read.input_tokens";
    pub const USAGE_CACHE_CREATION_INPUT_TOKENS: &str = "gen_ai.usage.cache_creation.input_tokens";
    pub const TIME_TO_FIRST_CHUNK: &str = "gen_ai.response.time_to_first_chunk";
    pub const ERROR_TYPE: &str = "error.type";
    /// Metric attribute: `input` or `output` tokens.
    pub const TOKEN_TYPE: &str = "gen_ai.token.type";
    pub const SERVER_ADDRESS: &str = "server.address";
    pub const SERVER_PORT: &str = "server.port";
    pub const GUARDRAIL_ID: &str = "aws.bedrock.guardrail.id";
    /// Project additions, beside the conventions' `aws.bedrock.guardrail.id`
    /// (`docs/llm-events.md` §12); the New Relic events use the same names (§2).
    pub const GUARDRAIL_INTERVENED: &str = "aws.bedrock.guardrail.intervened";
    pub const INFERENCE_REGION: &str = "aws.bedrock.inference_region";
    pub const PERFORMANCE_LATENCY: &str = "aws.bedrock.performance_config.latency";
    pub const SERVICE_TIER: &str = "aws.bedrock.service_tier";
    /// `image` for an image generation (the conventions' output types: text, json, image,
    /// speech), `video` for a video generation (a custom value: the conventions name none).
    pub const OUTPUT_TYPE: &str = "gen_ai.output.type";
    /// Images returned: a project addition, as the New Relic events' image attributes.
    pub const IMAGE_RESPONSE_COUNT: &str = "aws.bedrock.response.image.count";
    pub const INPUT_MESSAGES: &str = "gen_ai.input.messages";
    pub const OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
    pub const SYSTEM_INSTRUCTIONS: &str = "gen_ai.system_instructions";
    pub const TOOL_DEFINITIONS: &str = "gen_ai.tool.definitions";
    /// The provider value for Bedrock.
    pub const PROVIDER_AWS_BEDROCK: &str = "aws.bedrock";
}
