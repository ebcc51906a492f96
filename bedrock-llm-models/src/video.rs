//! Video generation: Amazon Nova Reel and Luma AI Ray, which Bedrock runs only as asynchronous
//! jobs (`StartAsyncInvoke`). The request body here is the job's `modelInput`; the response is
//! the job's `{"invocationArn"}`, recorded as the response id. The video lands in S3 later: a
//! live record says what was asked for, and a replayed invocation log adds what was produced
//! (`output.outputVideo`). Input images are kept as sent, never read.

use bedrock_llm_core::bedrock_model;
use serde_json::{Map, Value};

/// Amazon Nova Reel (`amazon.nova-reel-v1:0`, `v1:1`).
#[bedrock_model(
    model,
    family = "Nova Reel",
    ids = ["amazon.nova-reel-*"],
    request = NovaReelRequest,
    response = VideoJobResponse,
    kind = "video_generation",
)]
#[derive(Debug, Clone, Copy)]
pub struct NovaReel;

/// `{"taskType": "TEXT_VIDEO", "textToVideoParams": {"text", "images"?}, "videoGenerationConfig":
/// {…}}`; `MULTI_SHOT_AUTOMATED` carries its text in `multiShotAutomatedParams`, and
/// `MULTI_SHOT_MANUAL` one text per shot in `multiShotManualParams.shots`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaReelRequest {
    /// `TEXT_VIDEO`, `MULTI_SHOT_AUTOMATED` or `MULTI_SHOT_MANUAL`.
    pub task_type: Option<String>,
    /// One shot from a text (and optionally a starting image).
    #[llm(nested)]
    pub text_to_video_params: Option<NovaReelText>,
    /// Several shots from one text.
    #[llm(nested)]
    pub multi_shot_automated_params: Option<NovaReelText>,
    /// Several shots, each from its own text.
    #[llm(nested)]
    pub multi_shot_manual_params: Option<NovaReelShots>,
    /// Length, frame rate, size and seed.
    #[llm(nested)]
    pub video_generation_config: Option<NovaReelConfig>,
    /// Anything else, kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// The text of a Nova Reel task; its images are kept as sent.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaReelText {
    /// What to film.
    #[llm(prompt)]
    pub text: Option<String>,
    /// Starting images, kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `{"shots": [{"text", "image"?}]}`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaReelShots {
    /// One prompt per shot, in order.
    #[llm(messages)]
    pub shots: Vec<NovaReelShot>,
}

/// One shot of a manual multi-shot video.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaReelShot {
    /// What to film in this shot.
    #[llm(text)]
    pub text: Option<String>,
    /// Its starting image, kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `videoGenerationConfig`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaReelConfig {
    /// Length in seconds (6 for one shot, 12-120 in steps of 6 for several).
    #[llm(video_duration)]
    pub duration_seconds: Option<u64>,
    /// Frames per second (24).
    #[llm(video_fps)]
    pub fps: Option<u64>,
    /// `1280x720`.
    #[llm(video_dimension)]
    pub dimension: Option<String>,
    /// Seed.
    pub seed: Option<u64>,
}

/// Luma AI Ray 2 (`luma.ray-v2:0`).
#[bedrock_model(
    model,
    family = "Luma Ray",
    ids = ["luma.ray-*"],
    request = LumaRayRequest,
    response = VideoJobResponse,
    kind = "video_generation",
)]
#[derive(Debug, Clone, Copy)]
pub struct LumaRay;

/// `{"prompt", "aspect_ratio"?, "loop"?, "duration"?: "5s" | "9s", "resolution"?: "540p" | "720p",
/// "keyframes"?}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct LumaRayRequest {
    /// What to film.
    #[llm(prompt)]
    pub prompt: String,
    /// `16:9`, `1:1`, …
    #[llm(video_aspect_ratio)]
    pub aspect_ratio: Option<String>,
    /// Length, `5s` or `9s`.
    #[llm(video_duration)]
    pub duration: Option<String>,
    /// `540p` or `720p`.
    #[llm(video_dimension)]
    pub resolution: Option<String>,
    /// Whether the video loops.
    #[serde(rename = "loop")]
    pub looped: Option<bool>,
    /// Keyframes and the rest, kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// What `StartAsyncInvoke` returns: `{"invocationArn": …}`, the job's id.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VideoJobResponse {
    /// The job: `arn:aws:bedrock:{region}:{account}:async-invoke/{id}`.
    #[llm(job_arn)]
    pub invocation_arn: Option<String>,
    /// Anything else, kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}
