//! Prebuilt adapters for the AWS Bedrock model families, each written with `#[bedrock_model]`,
//! and [`registry`], which maps any model-ID form to its adapter.
//!
//! | family | model IDs | module |
//! |---|---|---|
//! | Claude Text Completions | `anthropic.claude-v2*`, `anthropic.claude-instant-v1*` with a `prompt` body | [`anthropic`] |
//! | Claude Messages | every other `anthropic.claude*`, and Claude 2.x with a `messages` body | [`anthropic`] |
//! | Titan Text | `amazon.titan-text-*` | [`amazon`] |
//! | Titan Embeddings | `amazon.titan-embed-*` | [`amazon`] |
//! | Nova | `amazon.nova-*` | [`amazon`] |
//! | Llama | `meta.llama*` (2, 3.x, 4) | [`meta`] |
//! | Cohere Command | `cohere.command-text-*`, `cohere.command-light-text-*` | [`cohere`] |
//! | Cohere Command R | `cohere.command-r*` | [`cohere`] |
//! | Cohere Embed | `cohere.embed-*` | [`cohere`] |
//! | Jurassic-2 | `ai21.j2-*` | [`ai21`] |
//! | Jamba | `ai21.jamba*` | [`ai21`] |
//! | Mistral Text | `mistral.*` with a `prompt` body | [`mistral`] |
//! | Mistral Chat | `mistral.*` with a `messages` body (Large 2 and later) | [`mistral`] |
//! | DeepSeek-R1 | `deepseek.r1*` (InvokeModel: `prompt` → `choices[].text`) | [`deepseek`] |
//! | OpenAI Chat | `openai.*` (gpt-oss), and the chat-completions format of `qwen.*`, `deepseek.v3*`, `moonshot.*`, `minimax.*`, `google.gemma-*`, `nvidia.nemotron-*`, `zai.glm-*` | [`openai`] |
//! | Titan Image | `amazon.titan-image-generator-*`, `amazon.nova-canvas-*` (images: counted, never kept) | [`image`] |
//! | Stability Image | `stability.sd3*`, `stability.stable-image-*` and the image services | [`image`] |
//! | SDXL | `stability.stable-diffusion-xl*` | [`image`] |
//! | Cohere Rerank | `cohere.rerank-*` (query and documents: counted, results and best score) | [`rerank`] |
//! | Pegasus | `twelvelabs.pegasus-*` (a prompt about a video → text; the video never read) | [`twelvelabs`] |
//! | Converse (JSON) | any model, chosen by operation (invocation logs) | [`converse`] |
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

use std::sync::LazyLock;

use bedrock_llm_core::Registry;

pub use ai21::{Jamba, Jurassic2};
pub use amazon::{Nova, TitanEmbed, TitanText};
pub use anthropic::{ClaudeMessages, ClaudeText};
pub use cohere::{CohereCommand, CohereCommandR, CohereEmbed};
pub use converse::ConverseJson;
pub use deepseek::DeepSeekR1;
pub use image::{Sdxl, StabilityImage, TitanImage};
pub use meta::Llama;
pub use mistral::{MistralChat, MistralText};
pub use openai::OpenAiChat;
pub use rerank::CohereRerank;
pub use twelvelabs::Pegasus;

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
        .register::<Pegasus>()
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
