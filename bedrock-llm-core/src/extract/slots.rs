//! The places a role's value goes — which body, which counter, parameter, scalar, structure or
//! stream position — named by the code `#[bedrock_model]` generates.

/// Which body a [`Collector`](super::collector::Collector) reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Request: messages default to `user`.
    Request,
    /// Response: messages default to `assistant`.
    Response,
}

/// Token counters a role can add to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokens {
    /// `input_tokens`.
    Input,
    /// `output_tokens`.
    Output,
    /// `total_tokens`.
    Total,
    /// `cache_read_tokens`.
    CacheRead,
    /// `cache_write_tokens`.
    CacheWrite,
    /// `cache_write_1h_tokens`.
    CacheWrite1h,
}

/// Numeric request parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntParam {
    /// `max_tokens`.
    MaxTokens,
    /// `top_k`.
    TopK,
    /// `choice_count`.
    ChoiceCount,
    /// `image_count`: images asked for.
    ImageCount,
    /// `image_width`.
    ImageWidth,
    /// `image_height`.
    ImageHeight,
    /// `image_steps`.
    ImageSteps,
    /// `top_n`: rerank results asked for.
    TopN,
    /// `video_fps`: a video request's frames per second.
    VideoFps,
}

/// Float request parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatParam {
    /// `temperature`.
    Temperature,
    /// `top_p`.
    TopP,
    /// `frequency_penalty`.
    FrequencyPenalty,
    /// `presence_penalty`.
    PresencePenalty,
    /// `relevance_score`: one rerank result's score.
    RelevanceScore,
}

/// Scalar text roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `role`.
    Role,
    /// `finish_reason`.
    FinishReason,
    /// `response_id`.
    ResponseId,
    /// `response_model`.
    ResponseModel,
    /// `name`: a block's name, written as text inside the block placeholder.
    Name,
    /// `tool_name`: a tool offered to the model.
    ToolName,
    /// `tool_description`: what the tool offered last does.
    ToolDescription,
    /// `tool_call_id`: the id of the tool call or tool result the current block holds.
    ToolCallId,
    /// `arguments_delta`: a piece of a streamed tool call's JSON arguments.
    ArgumentsDelta,
    /// `reasoning`: the model's reasoning, a part of its own beside the answer.
    Reasoning,
    /// `image_quality`: an image request's quality tier.
    ImageQuality,
    /// `aspect_ratio`: an image request's aspect ratio.
    AspectRatio,
    /// `image_error`: why an image response holds no images.
    ImageError,
    /// `image_finish_reason`: one generated image's finish reason.
    ImageFinishReason,
    /// `video_duration`: a video request's length in seconds (`6`, `"5s"`).
    VideoDuration,
    /// `video_dimension`: a video request's frame size (`1280x720`) or resolution (`720p`).
    VideoDimension,
    /// `video_aspect_ratio`: a video request's aspect ratio.
    VideoAspectRatio,
}

/// JSON roles kept as structures rather than rendered as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// `arguments`: the current tool call's arguments.
    Arguments,
    /// `tool_parameters`: the parameter schema of the tool offered last.
    ToolParameters,
}

/// Stream-chunk positions a role can report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// `block_index`: which content block a delta extends.
    Block,
    /// `choice_index`: which choice a delta extends.
    Choice,
}
