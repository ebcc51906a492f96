//! Cohere: Command (text-v14, light), Command R / R+ (chat body) and Embed (v3, v4).

use std::collections::BTreeMap;

use bedrock_llm_core::{FloatVector, bedrock_model};
use serde_json::Value;

/// Cohere Command (text generation).
#[bedrock_model(
    model,
    family = "Cohere Command",
    ids = ["cohere.command-text-*", "cohere.command-light-text-*"],
    request = CohereCommandRequest,
    response = CohereCommandResponse,
    chunk = CohereStreamChunk,
)]
#[derive(Debug, Clone, Copy)]
pub struct CohereCommand;

/// The Command request.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct CohereCommandRequest {
    /// The prompt.
    #[llm(prompt)]
    pub prompt: String,
    /// Temperature (default 0.9).
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling (default 0.75).
    #[llm(top_p)]
    pub p: Option<f64>,
    /// Top-k (default 0).
    #[llm(top_k)]
    pub k: Option<u64>,
    /// Token limit (default 20).
    #[llm(max_tokens)]
    pub max_tokens: Option<u64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop_sequences: Option<Vec<String>>,
    /// `GENERATION`, `ALL` or `NONE`.
    pub return_likelihoods: Option<String>,
    /// Number of generations (1–5).
    #[llm(choice_count)]
    pub num_generations: Option<u64>,
    /// Token-id → bias.
    pub logit_bias: Option<BTreeMap<String, f64>>,
    /// `NONE`, `START` or `END`.
    pub truncate: Option<String>,
    /// Must be true for the streaming operation.
    pub stream: Option<bool>,
}

/// `{"id": …, "prompt": …, "generations": [{id, text, finish_reason, …}]}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct CohereCommandResponse {
    /// Response id.
    #[llm(response_id)]
    pub id: Option<String>,
    /// The prompt, echoed.
    pub prompt: Option<String>,
    /// One output message per generation.
    #[llm(choices)]
    pub generations: Vec<CohereGeneration>,
}

/// One generation.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct CohereGeneration {
    /// Generation id.
    pub id: Option<String>,
    /// The generated text.
    #[llm(completion)]
    pub text: String,
    /// `COMPLETE`, `MAX_TOKENS`, `ERROR` or `ERROR_TOXIC`.
    #[llm(finish_reason)]
    pub finish_reason: Option<String>,
    /// Average likelihood.
    pub likelihood: Option<f64>,
    /// Per-token likelihoods, kept as sent.
    pub token_likelihoods: Option<Value>,
    /// Streaming: whether this is the last chunk.
    pub is_finished: Option<bool>,
    /// Streaming: which generation.
    pub index: Option<u32>,
}

/// Cohere Command R and R+ (chat).
#[bedrock_model(
    model,
    family = "Cohere Command R",
    ids = ["cohere.command-r*", "cohere.command-a*"],
    request = CommandRRequest,
    response = CommandRResponse,
    chunk = CohereStreamChunk,
    kind = "chat",
)]
#[derive(Debug, Clone, Copy)]
pub struct CohereCommandR;

/// The Command R request: `preamble` (system), `chat_history`, then the current `message`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRRequest {
    /// The system prompt.
    #[llm(system)]
    pub preamble: Option<String>,
    /// Earlier turns, in order.
    #[llm(messages)]
    pub chat_history: Option<Vec<CommandRTurn>>,
    /// The current user message.
    #[llm(prompt)]
    pub message: String,
    /// Documents for retrieval-augmented answers, kept as sent.
    pub documents: Option<Vec<Value>>,
    /// Tools offered to the model.
    #[llm(nested)]
    pub tools: Option<Vec<CommandRTool>>,
    /// Tool results, kept as sent.
    pub tool_results: Option<Value>,
    /// Token limit.
    #[llm(max_tokens)]
    pub max_tokens: Option<u64>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[llm(top_p)]
    pub p: Option<f64>,
    /// Top-k.
    #[llm(top_k)]
    pub k: Option<u64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop_sequences: Option<Vec<String>>,
    /// Frequency penalty.
    #[llm(frequency_penalty)]
    pub frequency_penalty: Option<f64>,
    /// Presence penalty.
    #[llm(presence_penalty)]
    pub presence_penalty: Option<f64>,
    /// Seed.
    pub seed: Option<u64>,
    /// Only generate search queries.
    pub search_queries_only: Option<bool>,
}

/// A chat-history turn: roles `USER`, `CHATBOT`, `SYSTEM`, `TOOL`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRTurn {
    /// The role, normalized (`CHATBOT` → `assistant`).
    #[llm(role)]
    pub role: String,
    /// The text.
    #[llm(content)]
    pub message: Option<String>,
    /// `TOOL` turns carry results instead, kept as sent.
    pub tool_results: Option<Value>,
    /// `CHATBOT` turns may carry tool calls, kept as sent.
    pub tool_calls: Option<Value>,
}

/// A tool definition.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRTool {
    /// Its name.
    #[llm(tool_name)]
    pub name: String,
    /// What it does.
    #[llm(tool_description)]
    pub description: Option<String>,
    /// Parameter definitions.
    #[llm(tool_parameters)]
    pub parameter_definitions: Option<Value>,
}

/// `{"response_id": …, "text": …, "generation_id": …, "finish_reason": …, "chat_history": […]}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRResponse {
    /// Response id.
    #[llm(response_id)]
    pub response_id: Option<String>,
    /// The answer (empty or absent when the model only calls tools).
    #[llm(completion)]
    pub text: Option<String>,
    /// Generation id.
    pub generation_id: Option<String>,
    /// `COMPLETE`, `MAX_TOKENS`, `ERROR`, `ERROR_TOXIC`, …
    #[llm(finish_reason)]
    pub finish_reason: Option<String>,
    /// The whole conversation so far, echoed (not recorded again).
    pub chat_history: Option<Vec<CommandRTurn>>,
    /// Tool calls the model asks for, each `<tool_use>{name}</tool_use>`.
    #[llm(text)]
    pub tool_calls: Option<Vec<CommandRToolCall>>,
    /// Citations, kept as sent.
    pub citations: Option<Value>,
    /// Search queries, kept as sent.
    pub search_queries: Option<Value>,
    /// Token usage (`meta.billed_units`), kept as sent: Bedrock's headers carry the counts.
    pub meta: Option<Value>,
}

/// A tool call in a Command R response.
#[bedrock_model(part)]
#[llm(block = "tool_use")]
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRToolCall {
    /// The tool.
    #[llm(name)]
    pub name: String,
    /// Arguments.
    #[llm(arguments)]
    pub parameters: Option<Value>,
}

/// One Cohere stream chunk. Command on Bedrock streams `generations` chunks — recorded real
/// streams send the whole generation, finish reason and id in one chunk
/// (`{"generations": [{"text", "finish_reason", "id"}], "id", "prompt"}`); Cohere's own API (and
/// Command R) send `text` deltas and a last chunk with `is_finished: true` and the finish reason.
/// Both are read.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct CohereStreamChunk {
    /// Command on Bedrock: the generations this chunk carries (text, finish reason, id).
    #[llm(choices)]
    pub generations: Option<Vec<CohereGeneration>>,
    /// Command: the response id (on the last chunk).
    #[llm(response_id)]
    pub id: Option<String>,
    /// The text delta.
    #[llm(completion)]
    pub text: Option<String>,
    /// Which generation (Command with `num_generations`).
    #[llm(choice_index)]
    pub index: Option<u64>,
    /// Whether this is the last chunk.
    pub is_finished: Option<bool>,
    /// On the last chunk.
    #[llm(finish_reason)]
    pub finish_reason: Option<String>,
    /// Command R: `stream-start`, `text-generation`, `stream-end`, ….
    pub event_type: Option<String>,
    /// Command R: the whole response, on `stream-end` (its id is read; the rest is kept).
    #[llm(nested)]
    pub response: Option<CohereStreamEnd>,
}

/// `response` of a Command R `stream-end` chunk.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct CohereStreamEnd {
    /// The response id.
    #[llm(response_id)]
    pub response_id: Option<String>,
    /// The rest, kept as sent.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, Value>,
}

/// Cohere Embed (v3 English and multilingual, v4).
#[bedrock_model(
    model,
    family = "Cohere Embed",
    ids = ["cohere.embed-*"],
    request = CohereEmbedRequest,
    response = CohereEmbedResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct CohereEmbed;

/// `{"texts": […], "input_type": "search_document", "embedding_types": ["float"]}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct CohereEmbedRequest {
    /// Texts to embed (at most 96). Events join them with `\n` into one `input`.
    #[llm(embedding_input)]
    pub texts: Option<Vec<String>>,
    /// Base64 images (v3 image embedding, v4).
    pub images: Option<Vec<String>>,
    /// v4 mixed inputs, kept as sent.
    pub inputs: Option<Value>,
    /// `search_document`, `search_query`, `classification`, `clustering`.
    pub input_type: Option<String>,
    /// `NONE`, `START`, `END`.
    pub truncate: Option<String>,
    /// `float`, `int8`, `uint8`, `binary`, `ubinary`.
    pub embedding_types: Option<Vec<String>>,
    /// v4: vector length.
    pub output_dimension: Option<u32>,
}

/// `{"id": …, "embeddings": [[…]] | {"float": [[…]]}, "response_type": …, "texts": […]}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct CohereEmbedResponse {
    /// Response id.
    #[llm(response_id)]
    pub id: Option<String>,
    /// The vectors.
    #[llm(nested)]
    #[serde(deserialize_with = "CohereEmbeddings::deserialize_unbuffered")]
    pub embeddings: CohereEmbeddings,
    /// `embeddings_floats` or `embeddings_by_type`.
    pub response_type: Option<String>,
    /// The texts, echoed.
    pub texts: Option<Vec<String>>,
}

/// A list of float vectors, or vectors by type.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum CohereEmbeddings {
    /// `embeddings_floats`; values parse on demand.
    Floats(#[llm(embedding)] Vec<FloatVector>),
    /// `embeddings_by_type`: `{"float": […], "int8": […]}`.
    ByType(#[llm(embedding)] BTreeMap<String, Vec<FloatVector>>),
}

impl CohereEmbeddings {
    /// Reads either form by its first token. The derived untagged reader buffers the whole
    /// vector list as generic values before trying each variant, which made it most of the
    /// cost of reading an embed response.
    fn deserialize_unbuffered<'de, D>(deserializer: D) -> Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        struct FormVisitor;

        impl<'de> serde::de::Visitor<'de> for FormVisitor {
            type Value = CohereEmbeddings;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of float vectors, or an object of vector lists by type")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                let vectors = serde::Deserialize::deserialize(
                    serde::de::value::SeqAccessDeserializer::new(seq),
                )?;
                Ok(CohereEmbeddings::Floats(vectors))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let by_type = serde::Deserialize::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(CohereEmbeddings::ByType(by_type))
            }
        }

        deserializer.deserialize_any(FormVisitor)
    }
}
