//! The roles a field can play in the event model, and the keywords that spell them.

/// Which bodies a role may appear in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Side {
    Request,
    Response,
    Any,
}

/// How generated code hands a field's value to the runtime collector.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Sink {
    Prompt,
    System,
    Text,
    Scalar(&'static str),
    EachMessage,
    Message,
    Nested,
    Json,
    Structure(&'static str),
    EmbeddingInputs,
    StopSequences,
    IntParam(&'static str),
    FloatParam(&'static str),
    Tokens(&'static str),
    Embedding,
    Index(&'static str),
    Images,
    ImageFinishReasons,
    NegativePrompt,
    RerankDocuments,
    RerankResults,
}

/// Whether a role carries a response's generated output, and of which kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Output {
    /// Not output (a parameter, a count, a part's own text).
    No,
    /// Generated text: conflicts with an embedding in one response.
    Text,
    /// Other output (vectors, images, rerank results, or a nested body that holds output).
    Other,
}

/// A role: its keyword, where it may appear, whether a body may have it once only, its sink,
/// and whether it is generated output — every fact about a role in its one table entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Role {
    pub(crate) keyword: &'static str,
    pub(crate) side: Side,
    pub(crate) unique: bool,
    pub(crate) sink: Sink,
    pub(crate) output: Output,
}

const fn role(keyword: &'static str, side: Side, unique: bool, sink: Sink) -> Role {
    Role {
        keyword,
        side,
        unique,
        sink,
        output: Output::No,
    }
}

/// A role that carries generated output of `output`'s kind.
const fn output(
    keyword: &'static str,
    side: Side,
    unique: bool,
    sink: Sink,
    output: Output,
) -> Role {
    Role {
        keyword,
        side,
        unique,
        sink,
        output,
    }
}

/// Every role, in the order the docs list them.
pub(crate) const ROLES: &[Role] = &[
    // Message structure.
    role("prompt", Side::Request, true, Sink::Prompt),
    role("system", Side::Request, true, Sink::System),
    role("messages", Side::Request, true, Sink::EachMessage),
    output(
        "choices",
        Side::Response,
        true,
        Sink::EachMessage,
        Output::Text,
    ),
    output("message", Side::Any, true, Sink::Message, Output::Text),
    output("completion", Side::Response, true, Sink::Text, Output::Text),
    output("content", Side::Any, true, Sink::Text, Output::Text),
    role("text", Side::Any, false, Sink::Text),
    role("role", Side::Any, true, Sink::Scalar("Role")),
    role("name", Side::Any, false, Sink::Scalar("Name")),
    role("json", Side::Any, false, Sink::Json),
    role("tool_call_id", Side::Any, false, Sink::Scalar("ToolCallId")),
    role(
        "reasoning",
        Side::Response,
        false,
        Sink::Scalar("Reasoning"),
    ),
    role("arguments", Side::Any, false, Sink::Structure("Arguments")),
    role(
        "arguments_delta",
        Side::Response,
        false,
        Sink::Scalar("ArgumentsDelta"),
    ),
    output("nested", Side::Any, false, Sink::Nested, Output::Other),
    // Request parameters.
    role(
        "embedding_input",
        Side::Request,
        true,
        Sink::EmbeddingInputs,
    ),
    role(
        "max_tokens",
        Side::Request,
        true,
        Sink::IntParam("MaxTokens"),
    ),
    role(
        "temperature",
        Side::Request,
        true,
        Sink::FloatParam("Temperature"),
    ),
    role("top_p", Side::Request, true, Sink::FloatParam("TopP")),
    role("top_k", Side::Request, true, Sink::IntParam("TopK")),
    role("stop_sequences", Side::Request, true, Sink::StopSequences),
    role(
        "choice_count",
        Side::Request,
        true,
        Sink::IntParam("ChoiceCount"),
    ),
    role(
        "frequency_penalty",
        Side::Request,
        true,
        Sink::FloatParam("FrequencyPenalty"),
    ),
    role(
        "presence_penalty",
        Side::Request,
        true,
        Sink::FloatParam("PresencePenalty"),
    ),
    // Image-generation requests.
    role("negative_prompt", Side::Request, true, Sink::NegativePrompt),
    role(
        "image_count",
        Side::Request,
        true,
        Sink::IntParam("ImageCount"),
    ),
    role(
        "image_width",
        Side::Request,
        true,
        Sink::IntParam("ImageWidth"),
    ),
    role(
        "image_height",
        Side::Request,
        true,
        Sink::IntParam("ImageHeight"),
    ),
    role(
        "image_steps",
        Side::Request,
        true,
        Sink::IntParam("ImageSteps"),
    ),
    role(
        "image_quality",
        Side::Request,
        true,
        Sink::Scalar("ImageQuality"),
    ),
    role(
        "aspect_ratio",
        Side::Request,
        true,
        Sink::Scalar("AspectRatio"),
    ),
    // Video-generation requests.
    role(
        "video_duration",
        Side::Request,
        true,
        Sink::Scalar("VideoDuration"),
    ),
    role("video_fps", Side::Request, true, Sink::IntParam("VideoFps")),
    role(
        "video_dimension",
        Side::Request,
        true,
        Sink::Scalar("VideoDimension"),
    ),
    role(
        "video_aspect_ratio",
        Side::Request,
        true,
        Sink::Scalar("VideoAspectRatio"),
    ),
    // Rerank requests.
    role(
        "rerank_documents",
        Side::Request,
        true,
        Sink::RerankDocuments,
    ),
    role("top_n", Side::Request, true, Sink::IntParam("TopN")),
    role("tool_name", Side::Request, false, Sink::Scalar("ToolName")),
    role(
        "tool_description",
        Side::Request,
        false,
        Sink::Scalar("ToolDescription"),
    ),
    role(
        "tool_parameters",
        Side::Request,
        false,
        Sink::Structure("ToolParameters"),
    ),
    // Response facts.
    role(
        "finish_reason",
        Side::Response,
        true,
        Sink::Scalar("FinishReason"),
    ),
    role(
        "response_id",
        Side::Response,
        true,
        Sink::Scalar("ResponseId"),
    ),
    role(
        "response_model",
        Side::Response,
        true,
        Sink::Scalar("ResponseModel"),
    ),
    role("input_tokens", Side::Response, true, Sink::Tokens("Input")),
    role(
        "output_tokens",
        Side::Response,
        true,
        Sink::Tokens("Output"),
    ),
    role("total_tokens", Side::Response, true, Sink::Tokens("Total")),
    role(
        "cache_read_tokens",
        Side::Response,
        true,
        Sink::Tokens("CacheRead"),
    ),
    role(
        "cache_write_tokens",
        Side::Response,
        true,
        Sink::Tokens("CacheWrite"),
    ),
    role(
        "cache_write_1h_tokens",
        Side::Response,
        true,
        Sink::Tokens("CacheWrite1h"),
    ),
    output(
        "embedding",
        Side::Response,
        false,
        Sink::Embedding,
        Output::Other,
    ),
    output("images", Side::Response, false, Sink::Images, Output::Other),
    // A job's answer is its id: what its output (a video, embeddings) will be found by.
    output(
        "job_arn",
        Side::Response,
        true,
        Sink::Scalar("ResponseId"),
        Output::Other,
    ),
    role(
        "image_finish_reason",
        Side::Response,
        false,
        Sink::ImageFinishReasons,
    ),
    output(
        "rerank_results",
        Side::Response,
        true,
        Sink::RerankResults,
        Output::Other,
    ),
    role(
        "relevance_score",
        Side::Response,
        false,
        Sink::FloatParam("RelevanceScore"),
    ),
    role(
        "image_error",
        Side::Response,
        true,
        Sink::Scalar("ImageError"),
    ),
    // Stream chunks: where a delta belongs.
    role("block_index", Side::Any, true, Sink::Index("Block")),
    role("choice_index", Side::Any, true, Sink::Index("Choice")),
];

/// Field modifiers that are not roles.
pub(crate) const LEN: &str = "len";

/// The variant-level placeholder key (`#[llm(block = "image")]`).
pub(crate) const BLOCK: &str = "block";

pub(crate) fn lookup(keyword: &str) -> Option<Role> {
    ROLES.iter().copied().find(|r| r.keyword == keyword)
}

/// Roles that carry a body's generated output; a response needs one of them.
pub(crate) fn is_output(role: &Role) -> bool {
    role.output != Output::No
}

/// Roles that produce generated text (and so conflict with `embedding` in one response).
pub(crate) fn is_text_output(role: &Role) -> bool {
    role.output == Output::Text
}
