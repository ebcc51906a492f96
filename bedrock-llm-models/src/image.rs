//! Image generation: Amazon Titan Image Generator and Nova Canvas (one body format), Stability
//! AI's SD3/SD3.5, Stable Image Core and Ultra and its image services (one format), and SDXL.
//!
//! The prompt (and negative prompt) are the request's messages; the response's images are
//! counted and sized from their base64 — no payload is ever kept — with per-image finish reasons
//! where the body gives them. Image models report no token counts anywhere.

use bedrock_llm_core::bedrock_model;
use serde_json::{Map, Value};

/// Titan Image Generator v1/v2 and Nova Canvas: `taskType` and its parameters in, `images` out.
#[bedrock_model(
    model,
    family = "Titan Image",
    ids = ["amazon.titan-image-generator-*", "amazon.nova-canvas-*"],
    request = TitanImageRequest,
    response = TitanImageResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct TitanImage;

/// `{"taskType": "TEXT_IMAGE", "textToImageParams": {…}, "imageGenerationConfig": {…}}`; the
/// other tasks (inpainting, outpainting, variation, color-guided) carry the same text fields
/// under their own key.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanImageRequest {
    /// `TEXT_IMAGE`, `INPAINTING`, `OUTPAINTING`, `IMAGE_VARIATION`, `COLOR_GUIDED_GENERATION`,
    /// `BACKGROUND_REMOVAL`, and Nova Canvas's own.
    pub task_type: Option<String>,
    /// Text to image.
    #[llm(nested)]
    pub text_to_image_params: Option<TitanImageText>,
    /// Inpainting.
    #[llm(nested)]
    pub in_painting_params: Option<TitanImageText>,
    /// Outpainting.
    #[llm(nested)]
    pub out_painting_params: Option<TitanImageText>,
    /// Variations of input images.
    #[llm(nested)]
    pub image_variation_params: Option<TitanImageText>,
    /// Generation guided by a colour palette.
    #[llm(nested)]
    pub color_guided_generation_params: Option<TitanImageText>,
    /// How many images, their size and quality.
    #[llm(nested)]
    pub image_generation_config: Option<TitanImageConfig>,
    /// The rest (background removal, Nova Canvas's other tasks), kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// The text of a Titan image task; input images and masks are kept as sent, never read.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanImageText {
    /// What to draw.
    #[llm(prompt)]
    pub text: Option<String>,
    /// What not to draw.
    #[llm(negative_prompt)]
    pub negative_text: Option<String>,
    /// Input images, masks, colours, styles, strengths: kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `imageGenerationConfig`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanImageConfig {
    /// Images asked for (1-5).
    #[llm(image_count)]
    pub number_of_images: Option<u64>,
    /// `standard` or `premium`.
    #[llm(image_quality)]
    pub quality: Option<String>,
    /// Height in pixels.
    #[llm(image_height)]
    pub height: Option<u64>,
    /// Width in pixels.
    #[llm(image_width)]
    pub width: Option<u64>,
    /// Prompt adherence.
    pub cfg_scale: Option<f64>,
    /// Seed.
    pub seed: Option<u64>,
}

/// `{"images": ["<base64>", …]}`, or `{"error": "…"}` when a content filter refused.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanImageResponse {
    /// The images, base64.
    #[llm(images)]
    pub images: Option<Vec<String>>,
    /// Why no image came back.
    #[llm(image_error)]
    pub error: Option<String>,
    /// The rest (a background removal's mask), kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// Stability AI's SD3 and SD3.5 Large, Stable Image Core and Ultra, and its image services.
#[bedrock_model(
    model,
    family = "Stability Image",
    ids = ["stability.sd3*", "stability.stable-image-*", "stability.stable-*"],
    request = StabilityImageRequest,
    response = StabilityImageResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct StabilityImage;

/// `{"prompt": …, "negative_prompt"?, "mode"?, "aspect_ratio"?, "output_format"?, "seed"?,
/// "image"?, "strength"?}`; a service's own fields are kept as sent.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityImageRequest {
    /// What to draw (a background removal has none).
    #[llm(prompt)]
    pub prompt: Option<String>,
    /// What not to draw.
    #[llm(negative_prompt)]
    pub negative_prompt: Option<String>,
    /// `1:1`, `16:9`, ….
    #[llm(aspect_ratio)]
    pub aspect_ratio: Option<String>,
    /// `text-to-image` or `image-to-image`.
    pub mode: Option<String>,
    /// `png`, `jpeg`, `webp`.
    pub output_format: Option<String>,
    /// Seed.
    pub seed: Option<u64>,
    /// Input image, strength, style and a service's own fields: kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `{"seeds": […], "finish_reasons": [null | "Filter reason: …"], "images": […]}` (parallel
/// lists; a filtered answer has no `images`).
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityImageResponse {
    /// The images, base64.
    #[llm(images)]
    pub images: Option<Vec<String>>,
    /// Per image: `null` when it came out, else why not.
    #[llm(image_finish_reason)]
    pub finish_reasons: Option<Vec<Option<String>>>,
    /// Per image: its seed.
    pub seeds: Option<Vec<u64>>,
    /// Anything else, kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// Stable Diffusion XL 1.0: weighted `text_prompts` in, `artifacts` out.
#[bedrock_model(
    model,
    family = "SDXL",
    ids = ["stability.stable-diffusion-xl*"],
    request = SdxlRequest,
    response = SdxlResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct Sdxl;

/// `{"text_prompts": [{"text", "weight"}], "cfg_scale", "steps", "seed", "samples", "height",
/// "width", "style_preset", …}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct SdxlRequest {
    /// The prompts, each with its weight (a negative weight steers away); one user message.
    #[llm(prompt)]
    pub text_prompts: Vec<SdxlTextPrompt>,
    /// Diffusion steps.
    #[llm(image_steps)]
    pub steps: Option<u64>,
    /// Images asked for.
    #[llm(image_count)]
    pub samples: Option<u64>,
    /// Height in pixels.
    #[llm(image_height)]
    pub height: Option<u64>,
    /// Width in pixels.
    #[llm(image_width)]
    pub width: Option<u64>,
    /// Prompt adherence.
    pub cfg_scale: Option<f64>,
    /// Seed.
    pub seed: Option<u64>,
    /// Sampler, style preset, init image and the rest: kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// One weighted prompt.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct SdxlTextPrompt {
    /// The text.
    #[llm(text)]
    pub text: String,
    /// Its weight.
    pub weight: Option<f64>,
}

/// `{"result": "success", "artifacts": [{"seed", "base64", "finishReason"}]}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct SdxlResponse {
    /// `success` or an error.
    pub result: Option<String>,
    /// One per image.
    #[llm(nested)]
    pub artifacts: Vec<SdxlArtifact>,
}

/// One generated image.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SdxlArtifact {
    /// The image, base64.
    #[llm(images)]
    pub base64: Option<String>,
    /// `SUCCESS`, `ERROR` or `CONTENT_FILTERED`.
    #[llm(image_finish_reason)]
    pub finish_reason: Option<String>,
    /// Its seed.
    pub seed: Option<u64>,
}
