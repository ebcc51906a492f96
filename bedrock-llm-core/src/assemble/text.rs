//! The text a call path captures — the model ID, the Region, the answer's request id, counts
//! and latency — copied as raw bytes into buffers the builder keeps, and decoded into the
//! record when the pieces are read. A reused builder allocates nothing for them, and the
//! strings the record owns are made (and later freed) off the call path.

use crate::record::{Invocation, Serving};
use crate::view::ServiceMetrics;

/// The response headers the head is read from, in the order of `CallText::head_at`.
pub(super) const RESPONSE_HEADERS: [&str; 7] = [
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-amzn-bedrock-input-token-count",
    "x-amzn-bedrock-output-token-count",
    "x-amzn-bedrock-invocation-latency",
    "x-amzn-bedrock-performanceconfig-latency",
    "x-amzn-bedrock-service-tier",
];

/// See the module docs. Each piece is set or not; `clear` keeps the buffers' capacity.
#[derive(Debug, Default)]
pub(super) struct CallText {
    model_id: String,
    /// Whether `model_id` holds an ID the record has not taken yet.
    model_id_pending: bool,
    region: String,
    has_region: bool,
    /// The values of [`RESPONSE_HEADERS`] the answer had, back to back.
    head: Vec<u8>,
    /// Where each of [`RESPONSE_HEADERS`] lies in `head`.
    head_at: [Option<(usize, usize)>; 7],
    has_head: bool,
}

impl CallText {
    pub(super) fn set_model_id(&mut self, model_id: &str) {
        self.model_id.clear();
        self.model_id.push_str(model_id);
        self.model_id_pending = true;
    }

    /// The model ID copied here, until the record takes it.
    pub(super) fn pending_model_id(&self) -> Option<&str> {
        self.model_id_pending.then_some(self.model_id.as_str())
    }

    /// Gives the copied model ID to `record`.
    pub(super) fn settle_model_id(&mut self, record: &mut Invocation) {
        if std::mem::take(&mut self.model_id_pending) {
            record.model_id.clone_from(&self.model_id);
        }
    }

    pub(super) fn set_region(&mut self, region: &str) {
        self.region.clear();
        self.region.push_str(region);
        self.has_region = true;
    }

    /// Copies the values of [`RESPONSE_HEADERS`] from `headers` (names in any case; the first
    /// of each counts). One pass, comparing only `x-amz…` names.
    pub(super) fn capture_head<'h>(
        &mut self,
        headers: impl IntoIterator<Item = (&'h str, &'h [u8])>,
    ) {
        self.head.clear();
        self.head_at = [None; 7];
        self.has_head = true;
        for (name, value) in headers {
            if !name
                .as_bytes()
                .get(..5)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"x-amz"))
            {
                continue;
            }
            let Some(at) = RESPONSE_HEADERS
                .iter()
                .position(|known| known.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if self.head_at[at].is_none() {
                let start = self.head.len();
                self.head.extend_from_slice(value);
                self.head_at[at] = Some((start, self.head.len()));
            }
        }
    }

    /// Decodes what was captured into `record`: the model ID, the Region, and from the head the
    /// request id (falling back to `x-amz-request-id`), Bedrock's counts and latency. A value
    /// that is not UTF-8, or not a number where one is expected, reads as absent.
    pub(super) fn apply(&mut self, record: &mut Invocation) {
        self.settle_model_id(record);
        if self.has_region {
            record.region = Some(self.region.clone());
        }
        if !self.has_head {
            return;
        }
        let [
            request_id,
            fallback_request_id,
            input,
            output,
            latency,
            latency_mode,
            service_tier,
        ] = self.head_at;
        let text = |at: Option<(usize, usize)>| {
            let (start, end) = at?;
            std::str::from_utf8(self.head.get(start..end)?).ok()
        };
        let count = |at| text(at).and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(request_id) = text(request_id).or_else(|| text(fallback_request_id)) {
            record.request_id = Some(request_id.to_owned());
        }
        record.header_metrics = ServiceMetrics {
            input_tokens: count(input),
            output_tokens: count(output),
            invocation_latency_ms: count(latency),
            first_byte_latency_ms: None,
        };
        let word = |at| {
            text(at)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        record.serving.fill_from(Serving {
            latency: word(latency_mode),
            service_tier: word(service_tier),
            ..Serving::default()
        });
    }

    /// Holds nothing again; the buffers keep their capacity.
    pub(super) fn clear(&mut self) {
        self.model_id.clear();
        self.model_id_pending = false;
        self.region.clear();
        self.has_region = false;
        self.head.clear();
        self.head_at = [None; 7];
        self.has_head = false;
    }

    /// Bytes the buffers hold on to.
    pub(super) fn capacity(&self) -> usize {
        self.model_id.capacity() + self.region.capacity() + self.head.capacity()
    }
}
