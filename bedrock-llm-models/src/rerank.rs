//! Rerank: Cohere Rerank 3.5 and Amazon Rerank 1.0 on InvokeModel, one body format — a query and
//! documents in, the documents' indexes and relevance scores out. Only counts are recorded (documents sent, results returned, the best
//! score); the query is the input message. Bedrock reports no token counts for a rerank, in the
//! body or the headers.

use bedrock_llm_core::bedrock_model;
use serde_json::{Map, Value};

/// Cohere Rerank (`cohere.rerank-v3-5:0`).
#[bedrock_model(
    model,
    family = "Cohere Rerank",
    ids = ["cohere.rerank-*"],
    request = RerankRequest,
    response = RerankResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct CohereRerank;

/// Amazon Rerank 1.0 (`amazon.rerank-v1:0`): Cohere's body format on InvokeModel (no
/// `api_version`).
#[bedrock_model(
    model,
    family = "Amazon Rerank",
    ids = ["amazon.rerank-*"],
    request = RerankRequest,
    response = RerankResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct AmazonRerank;

/// `{"query": …, "documents": [string | object], "top_n"?, "api_version": 2}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct RerankRequest {
    /// What the documents are ranked against.
    #[llm(prompt)]
    pub query: String,
    /// The documents: strings, or objects for structured ones. Counted, never read.
    #[llm(rerank_documents)]
    pub documents: Vec<Value>,
    /// Results asked for.
    #[llm(top_n)]
    pub top_n: Option<u64>,
    /// `api_version` (2 on Bedrock), `max_tokens_per_doc`, …: kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `{"id"?, "results": [{"index", "relevance_score"}]}`, best first.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct RerankResponse {
    /// The response id, where the body gives one.
    #[llm(response_id)]
    pub id: Option<String>,
    /// The ranked documents.
    #[llm(rerank_results, nested)]
    pub results: Vec<RerankResult>,
    /// Anything else, kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// One ranked document.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct RerankResult {
    /// Its position in the request's `documents`.
    pub index: u64,
    /// How relevant it is to the query (0-1). Also read as `relevanceScore`, the agent-runtime
    /// Rerank API's spelling.
    #[llm(relevance_score)]
    #[serde(alias = "relevanceScore")]
    pub relevance_score: f64,
    /// The document itself, when asked for (`return_documents`): kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}
