//! Body shapes several families share: Converse-style content blocks (Amazon Nova, and the
//! Converse API) and OpenAI-style chat content (AI21 Jamba, Mistral Large 2).

use bedrock_llm_core::{TokenCount, bedrock_model};
use serde_json::Value;

/// A Converse-style content block: an object with exactly one key naming its type.
///
/// Blocks render per the event spec: text as is; `<image>`, `<document>{name}</document>`,
/// `<tool_use>{name}</tool_use>`, `<tool_result>{text}</tool_result>`, `<json>{json}</json>`,
/// `<guard_content>{text}</guard_content>`, and `<unknown_chunk>` for anything else (video,
/// audio, citations, types newer than this adapter). Reasoning blocks are not message content.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum ConverseBlock {
    /// `{"text": "…"}`.
    Text {
        /// The text.
        #[llm(text)]
        text: String,
    },
    /// `{"image": {format, source}}`.
    #[llm(block = "image")]
    Image {
        /// Format and source, kept as sent.
        image: Value,
    },
    /// `{"document": {format, name, source}}`.
    #[llm(block = "document")]
    Document {
        /// The document.
        #[llm(nested)]
        document: ConverseDocument,
    },
    /// `{"toolUse": {toolUseId, name, input}}`.
    #[llm(block = "tool_use")]
    ToolUse {
        /// The tool call.
        #[llm(nested)]
        #[serde(rename = "toolUse")]
        tool_use: ConverseToolUse,
    },
    /// `{"toolResult": {toolUseId, content, status}}`.
    #[llm(block = "tool_result")]
    ToolResult {
        /// The tool's result.
        #[llm(nested)]
        #[serde(rename = "toolResult")]
        tool_result: ConverseToolResult,
    },
    /// `{"json": …}` inside a tool result.
    Json {
        /// The value.
        #[llm(json)]
        json: Value,
    },
    /// `{"guardContent": {text: {text, qualifiers}}}`.
    #[llm(block = "guard_content")]
    GuardContent {
        /// Content a guardrail evaluates.
        #[llm(nested)]
        #[serde(rename = "guardContent")]
        guard_content: ConverseGuardContent,
    },
    /// `{"reasoningContent": …}`: the model's reasoning, a reasoning part beside the message
    /// text.
    ReasoningContent {
        /// The reasoning, or its redacted form.
        #[llm(nested)]
        #[serde(rename = "reasoningContent")]
        reasoning_content: ConverseReasoning,
    },
    /// Any other block.
    #[llm(block = "unknown_chunk")]
    Unknown(Value),
}

/// `reasoningContent`: `{reasoningText: {text, signature?}}` or `{redactedContent}`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConverseReasoning {
    /// The reasoning as text.
    #[llm(nested)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_text: Option<ConverseReasoningText>,
    /// Reasoning the service redacted (base64), kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted_content: Option<String>,
}

/// `reasoningText`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseReasoningText {
    /// The reasoning.
    #[llm(reasoning)]
    pub text: Option<String>,
    /// Its signature (Claude).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// A document block's body.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseDocument {
    /// The document's name, shown in the placeholder.
    #[llm(name)]
    pub name: Option<String>,
    /// `pdf`, `txt`, …
    pub format: Option<String>,
    /// Bytes or an S3 location, kept as sent.
    pub source: Option<Value>,
}

/// A tool call.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConverseToolUse {
    /// Call id.
    #[llm(tool_call_id)]
    pub tool_use_id: Option<String>,
    /// The tool.
    #[llm(name)]
    pub name: String,
    /// Arguments.
    #[llm(arguments)]
    pub input: Option<Value>,
}

/// A tool result.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConverseToolResult {
    /// The call this answers.
    #[llm(tool_call_id)]
    pub tool_use_id: Option<String>,
    /// Result blocks (text, json, image, document).
    #[llm(text)]
    #[serde(default)]
    pub content: Vec<ConverseBlock>,
    /// `success` or `error`.
    pub status: Option<String>,
}

/// Guarded content.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseGuardContent {
    /// Guarded text.
    #[llm(nested)]
    pub text: Option<ConverseGuardText>,
    /// A guarded image, kept as sent.
    pub image: Option<Value>,
}

/// Guarded text and its qualifiers.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseGuardText {
    /// The text.
    #[llm(text)]
    pub text: String,
    /// `grounding_source`, `query`, `guard_content`.
    pub qualifiers: Option<Vec<String>>,
}

/// A Converse-style message: `{role, content: [block]}`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseMessage {
    /// `user` or `assistant`.
    #[llm(role)]
    pub role: String,
    /// The blocks.
    #[llm(content)]
    #[serde(default)]
    pub content: Vec<ConverseBlock>,
}

/// A system prompt block: `{"text": …}` (others, such as `guardContent` or `cachePoint`, are
/// kept but add no text).
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum ConverseSystemBlock {
    /// `{"text": "…"}`.
    Text {
        /// The text.
        #[llm(text)]
        text: String,
    },
    /// Any other block.
    Other(Value),
}

/// OpenAI-style message content: a string, or typed parts.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum ChatContent {
    /// A plain string.
    Text(#[llm(text)] String),
    /// Typed parts.
    Parts(#[llm(text)] Vec<ChatPart>),
}

/// One typed part of OpenAI-style content.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatPart {
    /// Text.
    Text {
        /// The text.
        #[llm(text)]
        text: String,
    },
    /// An image reference.
    #[llm(block = "image")]
    ImageUrl {
        /// The reference, kept as sent.
        image_url: Value,
    },
    /// Any other part type.
    #[llm(block = "unknown_chunk")]
    #[serde(other)]
    Unknown,
}

/// A JSON value kept as its raw text: parsed without building it, compared by text, written
/// back byte for byte. For bulky values the event model only counts (AI21 token arrays).
#[derive(Debug, Clone)]
pub struct RawJson(pub Box<serde_json::value::RawValue>);

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl bedrock_llm_core::__private::serde::Serialize for RawJson {
    fn serialize<S: bedrock_llm_core::__private::serde::Serializer>(
        &self,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> bedrock_llm_core::__private::serde::Deserialize<'de> for RawJson {
    fn deserialize<D: bedrock_llm_core::__private::serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self, D::Error> {
        Box::<serde_json::value::RawValue>::deserialize(deserializer).map(Self)
    }
}

/// OpenAI-style `usage`.
#[bedrock_model(part)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpenAiUsage {
    /// Prompt tokens.
    #[llm(input_tokens)]
    pub prompt_tokens: Option<TokenCount>,
    /// Completion tokens.
    #[llm(output_tokens)]
    pub completion_tokens: Option<TokenCount>,
    /// Total as reported.
    #[llm(total_tokens)]
    pub total_tokens: Option<TokenCount>,
}

/// A JSON string or array, told apart by its first token. serde's untagged reader buffers the
/// value and, when no variant fits, reports only "did not match any variant"; this reads the
/// value once and lets an error inside a list name its element and what was expected there.
/// Content fields use it through `deserialize_with`.
pub(crate) enum TextOrList<T> {
    Text(String),
    List(Vec<T>),
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for TextOrList<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FormVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for FormVisitor<T> {
            type Value = TextOrList<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of content blocks")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(TextOrList::Text(text.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(TextOrList::Text(text))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                let list = serde::Deserialize::deserialize(
                    serde::de::value::SeqAccessDeserializer::new(seq),
                )?;
                Ok(TextOrList::List(list))
            }
        }

        deserializer.deserialize_any(FormVisitor(std::marker::PhantomData))
    }
}

impl ChatContent {
    /// `Option<ChatContent>` through [`TextOrList`].
    pub(crate) fn deserialize_optional<'de, D>(deserializer: D) -> Result<Option<Self>, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        let content: Option<TextOrList<ChatPart>> = serde::Deserialize::deserialize(deserializer)?;
        Ok(content.map(|content| match content {
            TextOrList::Text(text) => Self::Text(text),
            TextOrList::List(parts) => Self::Parts(parts),
        }))
    }
}
