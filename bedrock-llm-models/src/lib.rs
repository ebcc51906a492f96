//! Prebuilt adapters for the AWS Bedrock model families, each written with `#[bedrock_model]`,
//! and [`registry`], which maps any model-ID form to its adapter. Each provider's module holds
//! its adapters and their body types; nothing is re-exported at the root, so each has one path.
//!
//! | family | model IDs | adapter |
//! |---|---|---|
//! | Claude Text Completions | `anthropic.claude-v2*`, `anthropic.claude-instant-v1*` with a `prompt` body | [`anthropic::ClaudeText`] |
//! | Claude Messages | every other `anthropic.claude*`, and Claude 2.x with a `messages` body | [`anthropic::ClaudeMessages`] |
//! | Titan Text | `amazon.titan-text-*` | [`amazon::TitanText`] |
//! | Titan Embeddings | `amazon.titan-embed-*` | [`amazon::TitanEmbed`] |
//! | Nova | `amazon.nova-*` | [`amazon::Nova`] |
//! | Llama | `meta.llama*` (2, 3.x, 4) | [`meta::Llama`] |
//! | Cohere Command | `cohere.command-text-*`, `cohere.command-light-text-*` | [`cohere::CohereCommand`] |
//! | Cohere Command R | `cohere.command-r*` | [`cohere::CohereCommandR`] |
//! | Cohere Embed | `cohere.embed-*` | [`cohere::CohereEmbed`] |
//! | Jurassic-2 | `ai21.j2-*` | [`ai21::Jurassic2`] |
//! | Jamba | `ai21.jamba*` | [`ai21::Jamba`] |
//! | Mistral Text | `mistral.*` with a `prompt` body | [`mistral::MistralText`] |
//! | Mistral Chat | `mistral.*` with a `messages` body (Large 2 and later) | [`mistral::MistralChat`] |
//! | DeepSeek-R1 | `deepseek.r1*` (InvokeModel: `prompt` → `choices[].text`) | [`deepseek::DeepSeekR1`] |
//! | OpenAI Chat | `openai.*` (gpt-oss), and the chat-completions format of `qwen.*`, `deepseek.v3*`, `moonshot.*`, `minimax.*`, `google.gemma-*`, `nvidia.nemotron-*`, `zai.glm-*` | [`openai::OpenAiChat`] |
//! | Titan Image | `amazon.titan-image-generator-*`, `amazon.nova-canvas-*` (images: counted, never kept) | [`image::TitanImage`] |
//! | Stability Image | `stability.sd3*`, `stability.stable-image-*` and the image services | [`image::StabilityImage`] |
//! | SDXL | `stability.stable-diffusion-xl*` | [`image::Sdxl`] |
//! | Cohere Rerank | `cohere.rerank-*` (query and documents: counted, results and best score) | [`rerank::CohereRerank`] |
//! | Amazon Rerank | `amazon.rerank-*` (Cohere's body format) | [`rerank::AmazonRerank`] |
//! | Nova Reel | `amazon.nova-reel-*` (StartAsyncInvoke: the job's input → its ARN; the video never read) | [`video::NovaReel`] |
//! | Luma Ray | `luma.ray-*` (StartAsyncInvoke, as Nova Reel) | [`video::LumaRay`] |
//! | Pegasus | `twelvelabs.pegasus-*` (a prompt about a video → text; the video never read) | [`twelvelabs::Pegasus`] |
//! | Marengo | `twelvelabs.marengo-embed-*` (text, image, audio or video → one vector, or one per segment; a job's ARN) | [`twelvelabs::Marengo`] |
//! | Converse (JSON) | any model, chosen by operation (invocation logs) | [`converse::ConverseJson`] |
//!
//! A model ID that names no model (an application inference profile, provisioned throughput,
//! a custom deployment) is routed by the request body's shape ([`shapes`]) or by the aliases of
//! `BEDROCK_LLM_MODEL_ALIASES`; an ambiguous body is left unread, never guessed.
//!
//! Every response type ignores unknown keys, reads token counts written as integers or floats,
//! keeps finish reasons raw (normalized alongside), and accepts numeric or string ids. Embedding
//! vectors are [`bedrock_llm_core::FloatVector`]s: checked and counted when a body is read, their
//! values parsed only on request (`to_f32`), since recording a call needs only their shape.
//!
//! ## Features
#![doc = document_features::document_features!()]

pub mod ai21;
pub mod amazon;
pub mod anthropic;
pub mod cohere;
pub mod common;
pub mod converse;
pub mod deepseek;
pub mod image;
pub mod meta;
pub mod mistral;
pub mod openai;
pub mod rerank;
#[cfg(feature = "samples")]
pub mod samples;
pub mod shapes;
pub mod twelvelabs;
pub mod video;

use std::sync::LazyLock;

use bedrock_llm_core::Registry;

use ai21::{Jamba, Jurassic2};
use amazon::{Nova, TitanEmbed, TitanText};
use anthropic::{ClaudeMessages, ClaudeText};
use cohere::{CohereCommand, CohereCommandR, CohereEmbed};
use converse::ConverseJson;
use deepseek::DeepSeekR1;
use image::{Sdxl, StabilityImage, TitanImage};
use meta::Llama;
use mistral::{MistralChat, MistralText};
use openai::OpenAiChat;
use rerank::{AmazonRerank, CohereRerank};
use twelvelabs::{Marengo, Pegasus};
use video::{LumaRay, NovaReel};

/// A registry holding every prebuilt adapter. Register your own on top; later registrations
/// take precedence.
pub fn new_registry() -> Registry {
    let mut registry = Registry::new();
    // Resolution tries the latest registration first, so a family that shares IDs with a
    // broader one (Claude Text within `anthropic.claude*`, Mistral Text within `mistral.*`)
    // is registered after it and decides by the request body's shape.
    registry
        .register::<ClaudeMessages>()
        .register::<ClaudeText>()
        .register::<TitanText>()
        .register::<TitanEmbed>()
        .register::<Nova>()
        .register::<Llama>()
        .register::<CohereCommand>()
        .register::<CohereCommandR>()
        .register::<CohereEmbed>()
        .register::<Jurassic2>()
        .register::<Jamba>()
        .register::<MistralChat>()
        .register::<MistralText>()
        .register::<OpenAiChat>()
        .register::<DeepSeekR1>()
        // After Nova, whose `amazon.nova-*` would take Nova Canvas.
        .register::<TitanImage>()
        .register::<StabilityImage>()
        // After Stability's `stability.stable-*`, which would take SDXL.
        .register::<Sdxl>()
        .register::<CohereRerank>()
        .register::<AmazonRerank>()
        .register::<Pegasus>()
        .register::<Marengo>()
        // After Nova, whose `amazon.nova-*` would take Nova Reel.
        .register::<NovaReel>()
        .register::<LumaRay>()
        .set_converse(bedrock_llm_core::adapter::<ConverseJson>());
    shapes::recognize_all(&mut registry);
    // A malformed alias list adds nothing here; the CLI reports it (`Registry::aliases_from_env`).
    let _ = registry.aliases_from_env();
    registry
}

/// The shared registry of prebuilt adapters.
pub fn registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(new_registry);
    &REGISTRY
}
