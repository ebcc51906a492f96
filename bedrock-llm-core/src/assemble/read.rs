//! Reading bodies into a record through the one assembler: [`Invocation::read_bodies`] and
//! [`Registry::read_bodies`] (what fixtures, snapshots and replay call), and the guardrail rule
//! every finished record goes through. Here, beside the assembler they drive, so the record and
//! the registry know nothing of assembly.

use crate::adapter::Adapter;
use crate::record::Invocation;
use crate::registry::Registry;
use crate::stream::guardrail_action_intervened;

use super::InvocationBuilder;

impl Invocation {
    /// Reads the bodies through `adapter`, by the rules of
    /// [`InvocationBuilder`] — the same path live calls
    /// and replay take. A body that does not parse leaves its view `None` and adds to
    /// [`Invocation::extraction_errors`]; this never fails.
    pub fn read_bodies(
        &mut self,
        adapter: &'static dyn Adapter,
        request: Option<&[u8]>,
        response: Option<&[u8]>,
    ) {
        let record = std::mem::replace(self, Self::placeholder(self.operation));
        let mut builder = InvocationBuilder::from_record(record, Some(adapter));
        if let Some(body) = request {
            builder.request_body(bytes::Bytes::copy_from_slice(body));
        }
        if let Some(body) = response {
            builder.response_body(bytes::Bytes::copy_from_slice(body));
        }
        *self = builder.finish();
    }

    /// The one guardrail rule, for live calls and replay alike: a guardrail intervened when
    /// the answer's finish reason is `guardrail_intervened` (Converse, Nova), when Bedrock
    /// marked the response body or a stream chunk `amazon-bedrock-guardrailAction: INTERVENED`
    /// (recorded on whole Titan bodies too), or when it already was.
    pub(crate) fn note_guardrail(&mut self, response_body: Option<&[u8]>) {
        let by_reason = self
            .response
            .as_ref()
            .and_then(|r| r.finish_reason.as_ref())
            .is_some_and(|reason| reason.raw.eq_ignore_ascii_case("guardrail_intervened"));
        let by_body = response_body.is_some_and(guardrail_action_intervened);
        self.guardrail_intervened |= by_reason || by_body;
    }
}

impl Registry {
    /// Fills `record`'s views from the bodies through the adapter for its model (the Converse
    /// slot for Converse operations), by the rules of
    /// [`InvocationBuilder`]. An unknown model leaves the
    /// views empty and the family `None`; the rest of the record (model, timing, request id,
    /// header counts) stands as it is.
    pub fn read_bodies(
        &self,
        record: &mut Invocation,
        request: Option<&[u8]>,
        response: Option<&[u8]>,
    ) {
        let (adapter, routing) = super::route(self, record, request);
        record.routing = Some(routing);
        if let Some(adapter) = adapter {
            record.read_bodies(adapter, request, response);
        }
    }
}
