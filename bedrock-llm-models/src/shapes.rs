//! Each prebuilt family's request-body shape, for calls whose model ID names no model
//! (application inference profiles, provisioned throughput, custom deployments, imported
//! models). The rules, in one place (`docs/bedrock-formats.md` §8):
//!
//! - a rule names only keys that tell families apart — a family's own spellings
//!   (`max_gen_len`, `max_tokens_to_sample`, `inputText`, `schemaVersion`, `texts`, camelCase
//!   `maxTokens`) — and excludes the other families' own keys;
//! - keys every prompt or chat family shares (`prompt`, `messages`, `max_tokens`,
//!   `temperature`, `top_p`) decide nothing alone, so such a body fits several families'
//!   shapes (or none) and is left unread, counted, rather than guessed;
//! - Converse calls need no rule: the operation names the reader.
//!
//! `tests/tests/body_shapes.rs` holds every sample body to its own family or to no guess.

use bedrock_llm_core::{BodyShape, Registry};

use crate::{
    AmazonRerank, ClaudeMessages, ClaudeText, CohereCommand, CohereCommandR, CohereEmbed,
    CohereRerank, DeepSeekR1, Jamba, Jurassic2, Llama, LumaRay, Marengo, MistralChat, MistralText,
    Nova, NovaReel, OpenAiChat, Pegasus, Sdxl, StabilityImage, TitanEmbed, TitanImage, TitanText,
};

/// Keys only Claude request bodies have.
const CLAUDE: &[&str] = &[
    "anthropic_version",
    "max_tokens_to_sample",
    "anthropic_beta",
];
/// Keys only Titan request bodies have.
const TITAN: &[&str] = &["inputText", "textGenerationConfig"];
/// Keys only Nova (Converse-shaped native) bodies have.
const NOVA: &[&str] = &["schemaVersion", "inferenceConfig", "toolConfig"];
/// Keys only Cohere Command bodies have (`p`, `k`: Cohere's spelling of top-p and top-k).
const COHERE: &[&str] = &[
    "p",
    "k",
    "return_likelihoods",
    "num_generations",
    "stop_sequences",
    "truncate",
    "logit_bias",
];
/// Keys only Jurassic-2 bodies have (camelCase parameters).
const J2: &[&str] = &[
    "maxTokens",
    "topP",
    "stopSequences",
    "countPenalty",
    "presencePenalty",
    "frequencyPenalty",
    "numResults",
    "minTokens",
    "topKReturn",
];
/// Keys only OpenAI chat-completions bodies have.
const OPENAI: &[&str] = &[
    "max_completion_tokens",
    "reasoning_effort",
    "stream_options",
];
/// Keys only Stability image bodies have beside `prompt`.
const STABILITY: &[&str] = &["negative_prompt", "aspect_ratio", "output_format", "mode"];
/// Keys only Nova Reel bodies have beside `taskType` (which Titan Image shares).
const NOVA_REEL: &[&str] = &[
    "videoGenerationConfig",
    "textToVideoParams",
    "multiShotAutomatedParams",
    "multiShotManualParams",
];
/// Keys only Luma Ray bodies have beside `prompt` (and `aspect_ratio`, which Stability shares).
const LUMA: &[&str] = &["loop", "resolution", "duration", "keyframes"];
/// Keys only Mistral text bodies have beside `prompt`.
const MISTRAL_TEXT: &[&str] = &["stop", "top_k"];

/// Adds every prebuilt family's body shape to `registry`.
pub fn recognize_all(registry: &mut Registry) -> &mut Registry {
    registry
        .recognize::<ClaudeMessages>(
            BodyShape::with_all(&["anthropic_version", "messages"]).and_none(NOVA),
        )
        .recognize::<ClaudeText>(
            BodyShape::with_all(&["prompt", "max_tokens_to_sample"]).and_none(&["messages"]),
        )
        // `{inputText}` alone is either Titan family: it fits both shapes.
        .recognize::<TitanText>(BodyShape::with_all(&["inputText"]).and_none(&[
            "dimensions",
            "normalize",
            "embeddingTypes",
        ]))
        .recognize::<TitanEmbed>(
            BodyShape::with_all(&["inputText"]).and_none(&["textGenerationConfig"]),
        )
        .recognize::<Nova>(
            BodyShape::with_all(&["messages"])
                .and_any(&["schemaVersion", "inferenceConfig"])
                .and_none(CLAUDE),
        )
        .recognize::<Llama>(BodyShape::with_all(&["prompt", "max_gen_len"]).and_none(CLAUDE))
        .recognize::<CohereCommand>(BodyShape::with_all(&["prompt"]).and_any(COHERE).and_none(&[
            "max_gen_len",
            "anthropic_version",
            "max_tokens_to_sample",
        ]))
        .recognize::<CohereCommandR>(BodyShape::with_all(&["message"]).and_none(&["messages"]))
        .recognize::<CohereEmbed>(BodyShape::with_all(&["texts"]).and_none(TITAN))
        .recognize::<Jurassic2>(
            BodyShape::with_all(&["prompt"])
                .and_any(J2)
                .and_none(CLAUDE),
        )
        .recognize::<MistralText>(
            BodyShape::with_all(&["prompt"])
                .and_any(MISTRAL_TEXT)
                .and_none(&["max_gen_len", "max_tokens_to_sample", "k", "p", "maxTokens"]),
        )
        // DeepSeek-R1's body has no key of its own: `{prompt, stop, …}` is Mistral text's shape
        // without `top_k`, so such a body fits both and is left unread (`top_k` makes it
        // Mistral's); map an opaque R1 ID with an alias.
        .recognize::<DeepSeekR1>(BodyShape::with_all(&["prompt", "stop"]).and_none(&[
            "top_k",
            "max_gen_len",
            "max_tokens_to_sample",
            "k",
            "p",
            "maxTokens",
            "return_likelihoods",
            "num_generations",
            "textGenerationConfig",
        ]))
        // Chat bodies in the OpenAI style: Jamba's own keys decide; without them a
        // `{messages, max_tokens}` body fits both Jamba and Mistral chat, and is left unread.
        .recognize::<Jamba>(BodyShape::with_all(&["messages"]).and_none(&[
            "anthropic_version",
            "schemaVersion",
            "inferenceConfig",
            "system",
            // OpenAI's own keys.
            "max_completion_tokens",
            "reasoning_effort",
            "stream_options",
        ]))
        .recognize::<MistralChat>(BodyShape::with_all(&["messages"]).and_none(&[
            "anthropic_version",
            "schemaVersion",
            "inferenceConfig",
            "system",
            // Jamba's own keys.
            "n",
            "documents",
            "response_format",
            // OpenAI's own keys.
            "max_completion_tokens",
            "reasoning_effort",
            "stream_options",
        ]))
        .recognize::<OpenAiChat>(
            BodyShape::with_all(&["messages"])
                .and_any(OPENAI)
                .and_none(&["anthropic_version", "schemaVersion", "inferenceConfig"]),
        )
        // Image bodies: Titan/Nova Canvas name their task, SDXL weighs its prompts, Stability's
        // newer models add their own keys to `prompt`.
        .recognize::<TitanImage>(BodyShape::with_all(&["taskType"]).and_none(NOVA_REEL))
        .recognize::<NovaReel>(BodyShape::with_all(&["taskType"]).and_any(NOVA_REEL))
        .recognize::<LumaRay>(BodyShape::with_all(&["prompt"]).and_any(LUMA).and_none(&[
            "negative_prompt",
            "output_format",
            "mode",
            "max_tokens",
        ]))
        // Cohere's rerank body names its API version; Amazon's, the same format, does not.
        .recognize::<CohereRerank>(BodyShape::with_all(&["query", "documents", "api_version"]))
        .recognize::<AmazonRerank>(
            BodyShape::with_all(&["query", "documents"]).and_none(&["api_version"]),
        )
        .recognize::<Pegasus>(BodyShape::with_all(&["inputPrompt"]))
        .recognize::<Marengo>(BodyShape::with_all(&["inputType"]))
        .recognize::<Sdxl>(BodyShape::with_all(&["text_prompts"]))
        .recognize::<StabilityImage>(
            BodyShape::with_all(&["prompt"])
                .and_any(STABILITY)
                .and_none(&[
                    "max_gen_len",
                    "max_tokens_to_sample",
                    "stop",
                    "top_k",
                    // Luma's.
                    "loop",
                    "resolution",
                    "duration",
                    "keyframes",
                ]),
        )
}
