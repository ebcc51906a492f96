//! The family-neutral record of one invocation. Events, metrics and invocation logs are built
//! from this record alone.

use std::time::Duration;

use serde::Serialize;

use crate::error::BodyError;
use crate::model::ExchangeKind;
use crate::model_id::ModelId;
use crate::view::{RequestView, ResponseView, ServiceMetrics, Usage};

/// The Bedrock Runtime operation, spelled as Smithy and invocation logs spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Operation {
    /// `POST /model/{id}/invoke`.
    InvokeModel,
    /// `POST /model/{id}/invoke-with-response-stream`.
    InvokeModelWithResponseStream,
    /// `POST /model/{id}/converse`.
    Converse,
    /// `POST /model/{id}/converse-stream`.
    ConverseStream,
    /// `POST /async-invoke`: a job whose output (a video, embeddings) lands in S3 later.
    StartAsyncInvoke,
}

impl Operation {
    /// The Smithy operation name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvokeModel => "InvokeModel",
            Self::InvokeModelWithResponseStream => "InvokeModelWithResponseStream",
            Self::Converse => "Converse",
            Self::ConverseStream => "ConverseStream",
            Self::StartAsyncInvoke => "StartAsyncInvoke",
        }
    }

    /// Parses the Smithy operation name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "InvokeModel" => Self::InvokeModel,
            "InvokeModelWithResponseStream" => Self::InvokeModelWithResponseStream,
            "Converse" => Self::Converse,
            "ConverseStream" => Self::ConverseStream,
            "StartAsyncInvoke" => Self::StartAsyncInvoke,
            _ => return None,
        })
    }

    /// Whether the response arrives as an event stream.
    pub const fn is_streaming(self) -> bool {
        matches!(
            self,
            Self::InvokeModelWithResponseStream | Self::ConverseStream
        )
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the call ran and how long it took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Timing {
    /// Request start, milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    /// Request start to last byte or chunk.
    #[serde(serialize_with = "as_millis")]
    pub duration: Option<Duration>,
    /// Request start to the first content chunk (streams).
    #[serde(serialize_with = "as_millis")]
    pub time_to_first_token: Option<Duration>,
}

/// Durations serialize as float milliseconds, the unit events use.
fn as_millis<S: serde::Serializer>(
    value: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(duration) => serializer.serialize_some(&(duration.as_secs_f64() * 1000.0)),
        None => serializer.serialize_none(),
    }
}

/// How Bedrock served the call, where it says (`docs/llm-events.md` §2, §12): the Region it ran
/// in, the latency mode and the service tier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Serving {
    /// The Region the call ran in — with cross-region inference, not always the one it was
    /// sent to (an invocation log's `inferenceRegion`).
    pub inference_region: Option<String>,
    /// `standard` or `optimized` (latency-optimized inference): `performanceConfig.latency`,
    /// or the `X-Amzn-Bedrock-PerformanceConfig-Latency` header.
    pub latency: Option<String>,
    /// `priority`, `default`, `flex` or `reserved`: Converse's `serviceTier.type`, or the
    /// `X-Amzn-Bedrock-Service-Tier` header.
    pub service_tier: Option<String>,
}

impl Serving {
    /// With the Region the call ran in.
    pub fn with_inference_region(mut self, region: Option<String>) -> Self {
        self.inference_region = region;
        self
    }

    /// With the latency mode (`standard`, `optimized`).
    pub fn with_latency(mut self, latency: Option<String>) -> Self {
        self.latency = latency;
        self
    }

    /// With the service tier.
    pub fn with_service_tier(mut self, tier: Option<String>) -> Self {
        self.service_tier = tier;
        self
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Fills what is unknown here from `other`.
    pub fn fill_from(&mut self, other: Serving) {
        let Serving {
            inference_region,
            latency,
            service_tier,
        } = other;
        if self.inference_region.is_none() {
            self.inference_region = inference_region;
        }
        if self.latency.is_none() {
            self.latency = latency;
        }
        if self.service_tier.is_none() {
            self.service_tier = service_tier;
        }
    }
}

/// The code of an error whose code the service did not say (an exception frame without
/// `:exception-type`, an error answer without a code).
pub const UNHANDLED_CODE: &str = "Unhandled";

/// What kind of failure a call met: Bedrock's answer, or the SDK's own failure before or after
/// it. In the spirit of smithy's `SdkError` variants, so callers match a kind, not a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureKind {
    /// Bedrock answered with an error; the code is its AWS error code.
    Service,
    /// A stream ended with an exception frame: Bedrock's code behind the stream's 200.
    ExceptionFrame,
    /// The SDK's timeout elapsed.
    Timeout,
    /// The request never reached Bedrock (connection, DNS, TLS).
    DispatchFailure,
    /// The request could not be built.
    ConstructionFailure,
    /// The answer arrived but could not be read.
    ResponseError,
}

impl FailureKind {
    /// The failures the SDK meets on its own, which carry no AWS code.
    const SDK: [FailureKind; 4] = [
        Self::Timeout,
        Self::DispatchFailure,
        Self::ConstructionFailure,
        Self::ResponseError,
    ];

    /// The code a failure without an AWS code is recorded under (`docs/llm-events.md` §9):
    /// `timeout`, `dispatch_failure`, `construction_failure`, `response_error`.
    pub fn sdk_code(self) -> Option<&'static str> {
        Some(match self {
            Self::Timeout => "timeout",
            Self::DispatchFailure => "dispatch_failure",
            Self::ConstructionFailure => "construction_failure",
            Self::ResponseError => "response_error",
            Self::Service | Self::ExceptionFrame => return None,
        })
    }

    /// The kind a recorded code stands for: an SDK failure's code, else Bedrock's answer.
    pub fn of_code(code: &str) -> Self {
        Self::SDK
            .into_iter()
            .find(|kind| kind.sdk_code() == Some(code))
            .unwrap_or(Self::Service)
    }

    /// Whether Bedrock saw the call (it answered, or its stream broke off with an exception).
    pub fn reached_bedrock(self) -> bool {
        matches!(self, Self::Service | Self::ExceptionFrame)
    }
}

/// How a call failed. Build one with [`InvocationError::new`] (a recorded code),
/// [`InvocationError::service`], [`InvocationError::exception_frame`] or
/// [`InvocationError::sdk`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InvocationError {
    /// HTTP status, when a response arrived (200 for an exception frame in a stream).
    pub http_status: Option<u16>,
    /// AWS error code (`ThrottlingException`), or the SDK failure's code ([`FailureKind::sdk_code`]).
    pub code: String,
    /// The service's message or the SDK's display text.
    pub message: Option<String>,
    /// What kind of failure it was (not serialized: it follows from the code and status).
    #[serde(skip)]
    pub kind: FailureKind,
}

impl InvocationError {
    /// A failure recorded with `code` (an invocation log's `errorCode`): no status, no message;
    /// its kind follows from the code.
    pub fn new(code: impl Into<String>) -> Self {
        let code = code.into();
        Self {
            http_status: None,
            kind: FailureKind::of_code(&code),
            code,
            message: None,
        }
    }

    /// Bedrock's error answer: its code ([`UNHANDLED_CODE`] when it gave none), status and
    /// message.
    pub fn service(code: Option<String>, status: Option<u16>, message: Option<String>) -> Self {
        Self {
            http_status: status,
            code: code.unwrap_or_else(|| UNHANDLED_CODE.to_owned()),
            message,
            kind: FailureKind::Service,
        }
    }

    /// An exception frame that ended a stream: its code ([`UNHANDLED_CODE`] when the frame
    /// named none) behind the stream's 200 — one rule for the stream wrappers and the body tap.
    pub fn exception_frame(code: Option<String>, message: Option<String>) -> Self {
        Self {
            http_status: Some(200),
            code: code.unwrap_or_else(|| UNHANDLED_CODE.to_owned()),
            message,
            kind: FailureKind::ExceptionFrame,
        }
    }

    /// A failure the SDK met on its own (`kind` is one with an [`FailureKind::sdk_code`]); no
    /// status.
    pub fn sdk(kind: FailureKind, message: Option<String>) -> Self {
        Self {
            http_status: None,
            code: kind.sdk_code().unwrap_or(UNHANDLED_CODE).to_owned(),
            message,
            kind,
        }
    }

    /// With the answer's HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// With the service's (or the SDK's) message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The error's HTTP status: the one the answer had when it was an error status, else the
    /// one Bedrock documents for the code — so a call classifies the same whether it is seen
    /// live (status known), replayed from a log (code only) or failed mid-stream (the frame's
    /// code behind the stream's 200). `None` for failures that never reached Bedrock.
    pub fn status(&self) -> Option<u16> {
        if let Some(status) = self.http_status.filter(|s| *s >= 400) {
            return Some(status);
        }
        let code = self.code.to_ascii_lowercase();
        Some(match code.as_str() {
            "validationexception" | "servicequotaexceededexception" => 400,
            "accessdeniedexception" | "unrecognizedclientexception" => 403,
            "resourcenotfoundexception" => 404,
            "modeltimeoutexception" => 408,
            "modelerrorexception" | "modelstreamerrorexception" => 424,
            "throttlingexception" | "modelnotreadyexception" => 429,
            "internalserverexception" => 500,
            "serviceunavailableexception" => 503,
            _ => return None,
        })
    }
}

/// Which tier produced the token counts (`docs/llm-events.md` §8). The one tier enum: the
/// events crate's `TokenTier` is this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TokenSource {
    /// The response body's usage.
    Body,
    /// `X-Amzn-Bedrock-Input/Output-Token-Count` headers.
    Headers,
    /// Stream invocation metrics, or an invocation log's counts.
    StreamMetrics,
    /// The user's token callback (the events crate's configuration); never a tier of
    /// [`Invocation::usage`], which reads only what Bedrock said.
    Callback,
}

/// One invocation, family-neutral. Made by [`InvocationBuilder`](crate::InvocationBuilder)
/// (or [`Invocation::new`] and field by field); read freely.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Invocation {
    /// The model ID exactly as the caller sent it.
    pub model_id: String,
    /// The parsed ID; `None` when the caller sent something Bedrock would reject.
    pub parsed_model_id: Option<ModelId>,
    /// The operation.
    pub operation: Operation,
    /// The AWS Region the call went to, when known.
    pub region: Option<String>,
    /// The family whose adapter read the bodies; `None` for the generic fallback.
    pub family: Option<&'static str>,
    /// Chat, text completion or embedding; `None` when no adapter knew.
    pub kind: Option<ExchangeKind>,
    /// What the request body says.
    pub request: Option<RequestView>,
    /// What the response body says.
    pub response: Option<ResponseView>,
    /// Bedrock's request id (`x-amzn-RequestId`, the SDK's `RequestId`, a log's `requestId`).
    pub request_id: Option<String>,
    /// Start, duration, time to first token.
    pub timing: Timing,
    /// From the response headers (non-streaming InvokeModel).
    pub header_metrics: ServiceMetrics,
    /// From the stream's final chunk, or the invocation log record.
    pub stream_metrics: Option<ServiceMetrics>,
    /// Set when the call failed.
    pub error: Option<InvocationError>,
    /// Bodies the adapter could not read. Never the caller's problem; counted and reported.
    pub extraction_errors: Vec<BodyError>,
    /// Unreadable stream chunks beyond those kept in [`Invocation::extraction_errors`]: a
    /// stream keeps its first few errors and counts the rest here.
    pub extraction_errors_omitted: u64,
    /// How a streamed response ended; `None` for calls that do not stream.
    pub stream_end: Option<StreamEnd>,
    /// Streamed content beyond the reassembly cap was dropped (the caller's chunks were not).
    pub content_truncated: bool,
    /// The guardrail the call named (`guardrailIdentifier`), when one was used.
    pub guardrail_id: Option<String>,
    /// A guardrail intervened (`guardrail_intervened` stop reason, or a stream chunk's
    /// `amazon-bedrock-guardrailAction: INTERVENED`).
    pub guardrail_intervened: bool,
    /// The guardrails whose input assessments the response's trace reports (sorted, distinct);
    /// empty without a trace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub guardrails_assessed: Vec<String>,
    /// Every policy match the guardrail trace reports, prompt and answer
    /// (`crate::guardrail`); empty without a trace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub guardrail_findings: Vec<crate::guardrail::GuardrailFinding>,
    /// Each guardrail assessment's own figures (latency, text units), prompt and answer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub guardrail_usage: Vec<crate::guardrail::GuardrailUsage>,
    /// Where and how Bedrock served the call, where it says.
    #[serde(skip_serializing_if = "Serving::is_empty")]
    pub serving: Serving,
    /// How the registry found the adapter that read the bodies, or why none did; `None` when
    /// no registry routed the call (a typed call names its adapter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<crate::shape::Routing>,
}

/// How a streamed response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamEnd {
    /// The stream ran to its end.
    Completed,
    /// An error frame or a transport failure ended it; the content seen so far is kept.
    Failed,
    /// The caller dropped it before the end; the content seen so far is kept.
    Dropped,
}

impl Invocation {
    /// A record with nothing but the model ID and operation.
    pub fn new(model_id: impl Into<String>, operation: Operation) -> Self {
        let model_id = model_id.into();
        Self {
            parsed_model_id: ModelId::parse(&model_id).ok(),
            model_id,
            ..Self::placeholder(operation)
        }
    }

    /// A record of no model, to stand in while the real one is elsewhere: nothing parsed, nothing
    /// allocated.
    pub(crate) fn placeholder(operation: Operation) -> Self {
        Self {
            parsed_model_id: None,
            model_id: String::new(),
            operation,
            region: None,
            family: None,
            kind: None,
            request: None,
            response: None,
            request_id: None,
            timing: Timing::default(),
            header_metrics: ServiceMetrics::default(),
            stream_metrics: None,
            error: None,
            extraction_errors: Vec::new(),
            extraction_errors_omitted: 0,
            stream_end: None,
            content_truncated: false,
            guardrail_id: None,
            guardrail_intervened: false,
            guardrails_assessed: Vec::new(),
            guardrail_findings: Vec::new(),
            guardrail_usage: Vec::new(),
            serving: Serving::default(),
            routing: None,
        }
    }

    /// The number of bodies and chunks that could not be read, kept or not.
    pub fn extraction_error_count(&self) -> u64 {
        (self.extraction_errors.len() as u64).saturating_add(self.extraction_errors_omitted)
    }

    /// Token counts by the precedence body → headers → stream metrics, taking the first tier
    /// that has both counts; for a streamed call, Bedrock's own stream metrics come first
    /// (`amazon-bedrock-invocationMetrics`, what Bedrock bills and New Relic's agents report:
    /// recorded Claude tool-use streams say 90 output tokens there and 134 in the chunks'
    /// running `usage`). Falls back to whatever partial counts the highest tier has.
    pub fn usage(&self) -> Option<(Usage, TokenSource)> {
        let mut partial = None;
        for (usage, source) in self.token_tiers().into_iter().flatten() {
            if usage.is_complete() {
                return Some((usage, source));
            }
            if partial.is_none() && (usage.input_tokens.is_some() || usage.output_tokens.is_some())
            {
                partial = Some((usage, source));
            }
        }
        partial
    }

    /// The input count alone, by the same tiers as [`Invocation::usage`]: the first tier that
    /// has one. An embedding's count (embeddings have no output count to complete a tier).
    pub fn input_tokens(&self) -> Option<(u64, TokenSource)> {
        self.token_tiers()
            .into_iter()
            .flatten()
            .find_map(|(usage, source)| Some((usage.input_tokens?, source)))
    }

    /// The token tiers in precedence order (`docs/llm-events.md` §8).
    fn token_tiers(&self) -> [Option<(Usage, TokenSource)>; 4] {
        let body = self.response.as_ref().map(|r| r.usage);
        let from_metrics = |m: &ServiceMetrics| Usage {
            input_tokens: m.input_tokens,
            output_tokens: m.output_tokens,
            ..Usage::default()
        };
        // Bedrock's metrics carry no cache counts: those stay the body's.
        let stream = self.stream_metrics.as_ref().map(|m| {
            let usage = Usage {
                cache_read_input_tokens: body.and_then(|b| b.cache_read_input_tokens),
                cache_write_input_tokens: body.and_then(|b| b.cache_write_input_tokens),
                cache_write_1h_input_tokens: body.and_then(|b| b.cache_write_1h_input_tokens),
                ..from_metrics(m)
            };
            (usage, TokenSource::StreamMetrics)
        });
        let streamed = self.operation.is_streaming();
        [
            stream.filter(|_| streamed),
            body.map(|u| (u, TokenSource::Body)),
            Some((from_metrics(&self.header_metrics), TokenSource::Headers)),
            stream.filter(|_| !streamed),
        ]
    }

    /// Whether the call failed.
    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }
}

/// The ISO 8601 UTC text of milliseconds since the Unix epoch, to the second, as Bedrock's
/// invocation logs write it (`2024-04-18T22:54:57Z`).
pub fn timestamp_text(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute, second) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if !(0..=9999).contains(&year) {
        return format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
    }
    // Digit by digit: the formatter's padding machinery cost more than the date arithmetic.
    let mut text = String::with_capacity(24);
    push_digits(&mut text, year, 4);
    let parts = [
        ('-', month),
        ('-', day),
        ('T', hour),
        (':', minute),
        (':', second),
    ];
    for (separator, value) in parts {
        text.push(separator);
        push_digits(&mut text, value, 2);
    }
    text.push('Z');
    text
}

/// Pushes the last `width` decimal digits of `value` (not negative), zero-padded.
fn push_digits(text: &mut String, value: i64, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10_i64.pow(place) % 10) as u8;
        text.push(char::from(b'0' + digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_kinds_round_trip_through_their_codes_and_classify_one_way() {
        for kind in FailureKind::SDK {
            let code = kind.sdk_code().unwrap();
            assert_eq!(FailureKind::of_code(code), kind);
            let error = InvocationError::sdk(kind, None);
            assert_eq!((error.code.as_str(), error.kind), (code, kind));
            // A replayed record with the same code is the same kind.
            assert_eq!(InvocationError::new(code).kind, kind);
            assert!(!kind.reached_bedrock());
            assert_eq!(error.status(), None);
        }
        let throttled = InvocationError::new("ThrottlingException");
        assert_eq!(throttled.kind, FailureKind::Service);
        assert_eq!(throttled.status(), Some(429));
        // Mid-stream: Bedrock's code behind the stream's 200, classified by the code.
        let frame = InvocationError::exception_frame(Some("throttlingException".into()), None);
        assert_eq!((frame.http_status, frame.status()), (Some(200), Some(429)));
        assert!(frame.kind.reached_bedrock());
        let unnamed = InvocationError::exception_frame(None, None);
        assert_eq!(unnamed.code, UNHANDLED_CODE);
        let answered = InvocationError::service(None, Some(503), None);
        assert_eq!(
            (answered.code.as_str(), answered.status()),
            (UNHANDLED_CODE, Some(503))
        );
    }
}
