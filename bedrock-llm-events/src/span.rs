//! The live `tracing` span of one GenAI call ([`GenAiSpan`]): opened when the call starts, so its
//! timing is the call's, and given the invocation's GenAI attributes when it ends. The span is
//! named `gen_ai` with `otel.name = "{operation} {model}"` and `otel.kind = "client"`, the
//! fields `tracing-opentelemetry` maps to the OpenTelemetry span name and kind; a `tracing`
//! field holds only scalars, so array values and content are JSON text here.

use bedrock_llm_core::Invocation;

use crate::config::Config;
use crate::render::otel::{OtelValue, attributes, operation_name};

/// A `tracing` span for one GenAI call, opened when the call starts so its timing is the call's.
#[derive(Debug, Clone)]
pub struct GenAiSpan {
    span: tracing::Span,
}

impl GenAiSpan {
    /// Opens the span for a call of `operation_name` (`chat`, `text_completion`,
    /// `embeddings`) to `model_id`.
    pub fn start(operation_name: &str, model_id: &str) -> Self {
        let span = tracing::info_span!(
            "gen_ai",
            otel.name = %format_args!("{operation_name} {model_id}"),
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            gen_ai.provider.name = tracing::field::Empty,
            gen_ai.system = tracing::field::Empty,
            gen_ai.operation.name = tracing::field::Empty,
            gen_ai.request.model = tracing::field::Empty,
            gen_ai.request.max_tokens = tracing::field::Empty,
            gen_ai.request.temperature = tracing::field::Empty,
            gen_ai.request.top_p = tracing::field::Empty,
            gen_ai.request.top_k = tracing::field::Empty,
            gen_ai.request.stop_sequences = tracing::field::Empty,
            gen_ai.request.frequency_penalty = tracing::field::Empty,
            gen_ai.request.presence_penalty = tracing::field::Empty,
            gen_ai.request.stream = tracing::field::Empty,
            gen_ai.request.choice.count = tracing::field::Empty,
            gen_ai.response.id = tracing::field::Empty,
            gen_ai.response.model = tracing::field::Empty,
            gen_ai.response.finish_reasons = tracing::field::Empty,
            gen_ai.usage.input_tokens = tracing::field::Empty,
            gen_ai.usage.output_tokens = tracing::field::Empty,
            gen_ai.usage.cache_read.input_tokens = tracing::field::Empty,
            gen_ai.usage.cache_creation.input_tokens = tracing::field::Empty,
            gen_ai.response.time_to_first_chunk = tracing::field::Empty,
            error.type = tracing::field::Empty,
            server.address = tracing::field::Empty,
            server.port = tracing::field::Empty,
            aws.bedrock.guardrail.id = tracing::field::Empty,
            aws.bedrock.cost.total_usd = tracing::field::Empty,
            aws.bedrock.cost.input_usd = tracing::field::Empty,
            aws.bedrock.cost.output_usd = tracing::field::Empty,
            aws.bedrock.cost.cache_read_usd = tracing::field::Empty,
            aws.bedrock.cost.cache_write_usd = tracing::field::Empty,
            aws.bedrock.cost.image_usd = tracing::field::Empty,
            aws.bedrock.cost.request_usd = tracing::field::Empty,
            aws.bedrock.cost.price_table = tracing::field::Empty,
            aws.bedrock.cost.basis = tracing::field::Empty,
            aws.bedrock.cost.billing = tracing::field::Empty,
            gen_ai.input.messages = tracing::field::Empty,
            gen_ai.output.messages = tracing::field::Empty,
            gen_ai.system_instructions = tracing::field::Empty,
            gen_ai.tool.definitions = tracing::field::Empty,
        );
        Self { span }
    }

    /// The span, to enter or to parent other spans.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Records `invocation`'s attributes and closes the span.
    pub fn finish(self, invocation: &Invocation, config: &Config) {
        // Nobody listens: skip building the attributes.
        if self.span.is_disabled() {
            return;
        }
        for (key, value) in attributes(invocation, config) {
            match value {
                OtelValue::Str(s) => self.span.record(key, s.as_str()),
                OtelValue::Int(i) => self.span.record(key, i),
                OtelValue::Float(f) => self.span.record(key, f),
                OtelValue::Bool(b) => self.span.record(key, b),
                other @ (OtelValue::StrArray(_) | OtelValue::Structured(_)) => {
                    self.span.record(key, other.to_text().as_str())
                }
            };
        }
        if invocation.error.is_some() {
            self.span.record("otel.status_code", "ERROR");
        }
    }

    /// A span for an invocation that has already happened (log replay): opened and finished.
    pub fn emit(invocation: &Invocation, config: &Config) {
        Self::start(operation_name(invocation), &invocation.model_id).finish(invocation, config);
    }
}
