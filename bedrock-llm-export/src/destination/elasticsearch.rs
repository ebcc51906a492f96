//! The `elasticsearch` destination: invocation documents into
//! `logs-aws_bedrock.invocation-<namespace>` and runtime documents into
//! `metrics-aws_bedrock.runtime-<namespace>`, through the Bulk API ([`BulkClient`]).
//!
//! Each invocation document's `_id` is its call's trace and span id — derived from the record
//! in replay — so delivering a log twice creates nothing new (`409`, counted as already
//! present). Replayed calls are sent in batches of a few requests; delivery waits for the
//! answer, so a slow cluster slows the reading rather than filling memory.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bedrock_llm_events::render::elastic::{self, Bodies, Caller};
use bedrock_llm_events::{Config, Harvest, RuntimeMetrics};

use super::{Call, DeliveryError, Destination, Prepare, Prepared, Reporter};
use crate::elastic::{BulkClient, BulkCounts, Document, ElasticConfig};
use crate::newrelic::DeliveryReport;

/// Requests' worth of documents gathered before a delivery.
const BATCH_REQUESTS: usize = 4;

/// Elasticsearch, through a Bulk client on a runtime of its own.
pub struct ElasticsearchDestination {
    runtime: tokio::runtime::Runtime,
    client: BulkClient,
    preparer: Arc<DocumentPreparer>,
    pending: Vec<Document>,
    pending_bytes: usize,
    runtime_metrics: Option<RuntimeMetrics>,
    counts: Arc<Mutex<Counts>>,
    /// Live harvests sent so far: part of runtime documents' ids, since two harvests can cover
    /// the same minute.
    harvests: u64,
    /// Distinguishes this process's live runtime documents from another's.
    process_nonce: u64,
}

/// Invocation and runtime documents' fates.
#[derive(Debug, Default, Clone)]
struct Counts {
    invocations: BulkCounts,
    runtime: BulkCounts,
    /// Documents waiting in the batch.
    waiting: u64,
    /// Lost (dropped or rejected) since the last checkpoint.
    lost_since_checkpoint: u64,
}

impl std::fmt::Debug for ElasticsearchDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ElasticsearchDestination")
            .field(
                "url",
                &crate::http::redact_userinfo(&self.client.config().url),
            )
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl ElasticsearchDestination {
    /// Delivers to `config`'s cluster, rendering calls by `render` (content in or out).
    pub fn new(config: ElasticConfig, render: Config) -> Result<Self, crate::ExportError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| crate::ExportError::Unknown(format!("no async runtime: {e}")))?;
        let client = {
            let _entered = runtime.enter();
            BulkClient::new(config)?
        };
        let preparer = Arc::new(DocumentPreparer {
            config: render,
            namespace: client.config().namespace.clone(),
            index: client.config().invocation_stream(),
        });
        Ok(Self {
            runtime,
            client,
            preparer,
            pending: Vec::new(),
            pending_bytes: 0,
            runtime_metrics: None,
            counts: Arc::default(),
            harvests: 0,
            process_nonce: fastrand::u64(..),
        })
    }

    /// The client (its configuration, for `elastic setup`).
    pub fn client(&self) -> &BulkClient {
        &self.client
    }

    fn send_pending(&mut self, deadline: Option<Instant>) {
        if self.pending.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let mut counts = self.lock().invocations.clone();
        let before = lost(&counts);
        self.runtime
            .block_on(self.client.send(batch, deadline, &mut counts));
        let mut shared = self.lock();
        shared.lost_since_checkpoint += lost(&counts) - before;
        shared.invocations = counts;
        shared.waiting = 0;
    }

    fn send_runtime(&mut self, documents: Vec<Document>, deadline: Option<Instant>) {
        if documents.is_empty() {
            return;
        }
        let mut counts = self.lock().runtime.clone();
        let before = lost(&counts);
        self.runtime
            .block_on(self.client.send(documents, deadline, &mut counts));
        let mut shared = self.lock();
        shared.lost_since_checkpoint += lost(&counts) - before;
        shared.runtime = counts;
    }

    /// Runtime and guardrail documents, each into its own data stream, with ids unique to
    /// `scope` (a run, or one live harvest).
    fn runtime_documents(&self, metrics: &RuntimeMetrics, scope: &str) -> Vec<Document> {
        let namespace = &self.client.config().namespace;
        let mut documents = metrics.elastic_in(namespace);
        documents.extend(metrics.elastic_guardrails_in(namespace));
        documents
            .into_iter()
            .map(|document| {
                let stream = &document["data_stream"];
                let index = format!(
                    "{}-{}-{}",
                    stream["type"].as_str().unwrap_or("metrics"),
                    stream["dataset"].as_str().unwrap_or_default(),
                    namespace
                );
                // What the document is about: the model, or the guardrail, source and operation.
                let about = document["aws_bedrock"]
                    .as_object()
                    .and_then(|o| o.values().next())
                    .map(|figures| {
                        [
                            "model_id",
                            "guardrail_id",
                            "guardrail_content_source",
                            "operation",
                        ]
                        .map(|k| figures[k].to_string())
                        .join("|")
                    })
                    .unwrap_or_default();
                let mut key = format!(
                    "{scope}|{index}|{about}|{}|{}",
                    document["@timestamp"], document["metricset"]["period"]
                );
                // An image series' dimensions tell it from its model's own document.
                if let Some(dimensions) = document["aws"].get("dimensions") {
                    key.push_str(&format!("|{dimensions}"));
                }
                Document {
                    index,
                    id: sha1_smol::Sha1::from(key.as_bytes()).digest().to_string(),
                    source: serde_json::to_string(&document).unwrap_or_default(),
                }
            })
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn lost(counts: &BulkCounts) -> u64 {
    counts.dropped + counts.rejected
}

/// Calls as invocation documents.
struct DocumentPreparer {
    config: Config,
    namespace: String,
    index: String,
}

impl Prepare for DocumentPreparer {
    fn prepare(&self, call: &Call<'_>) -> Prepared {
        let origin = call.origin;
        let caller = Caller {
            account_id: origin.account_id.as_deref(),
            region: origin.region.as_deref(),
            identity_arn: origin.identity_arn.as_deref(),
        };
        let bodies = Bodies {
            request: call.request_body,
            response: call.response_body,
        };
        let source = elastic::invocation_document_json(
            call.invocation,
            &caller,
            &bodies,
            &self.config,
            &self.namespace,
        );
        let trace = &call.context.trace;
        Prepared::Documents(vec![Document {
            index: self.index.clone(),
            id: format!("{}{}", trace.trace_id, trace.span_id),
            source,
        }])
    }
}

impl Destination for ElasticsearchDestination {
    fn name(&self) -> &'static str {
        "elasticsearch"
    }

    fn preparer(&self) -> Arc<dyn Prepare> {
        self.preparer.clone()
    }

    fn deliver(&mut self, prepared: Prepared) -> Result<(), DeliveryError> {
        let Prepared::Documents(documents) = prepared else {
            return Err(DeliveryError::Failed(format!(
                "elasticsearch takes documents, not {prepared:?}"
            )));
        };
        for document in documents {
            self.pending_bytes += document.source.len();
            self.pending.push(document);
        }
        self.lock().waiting = self.pending.len() as u64;
        if self.pending_bytes >= BATCH_REQUESTS * self.client.config().max_request_bytes {
            self.send_pending(None);
        }
        Ok(())
    }

    /// As runtime and guardrail documents, with ids from the series and period: pulling the
    /// same periods again creates nothing new.
    fn metric_points(
        &mut self,
        points: &[bedrock_llm_events::pulled::MetricPoint],
    ) -> Result<bool, DeliveryError> {
        let namespace = self.client.config().namespace.clone();
        let documents = bedrock_llm_events::pulled::elastic_documents(points, &namespace, None)
            .into_iter()
            .map(|document| {
                let stream = &document["data_stream"];
                let index = format!(
                    "metrics-{}-{namespace}",
                    stream["dataset"].as_str().unwrap_or_default()
                );
                let key = format!(
                    "cloudwatch|{}|{}|{}|{}",
                    document["aws"]["cloudwatch"]["namespace"],
                    document["aws"]["dimensions"],
                    document["@timestamp"],
                    document["metricset"]["period"]
                );
                Document {
                    index,
                    id: sha1_smol::Sha1::from(key.as_bytes()).digest().to_string(),
                    source: serde_json::to_string(&document).unwrap_or_default(),
                }
            })
            .collect();
        self.send_runtime(documents, None);
        Ok(true)
    }

    fn wants_runtime_metrics(&self) -> bool {
        true
    }

    /// Kept, and sent at shutdown: a run hands periods over in parts, and a period's document
    /// is written once, whole.
    fn runtime_metrics(&mut self, metrics: &RuntimeMetrics) -> Result<(), DeliveryError> {
        self.runtime_metrics
            .get_or_insert_with(|| metrics.empty_like())
            .merge(metrics);
        Ok(())
    }

    /// A live harvest: the recorder's invocation documents and its runtime metrics. Documents
    /// the recorder could not keep between harvests are reported as dropped.
    fn harvest(&mut self, harvest: &Harvest) -> Result<Vec<(&'static str, u64)>, DeliveryError> {
        let index = self.client.config().invocation_stream();
        self.pending.extend(
            harvest
                .elastic_documents
                .iter()
                .map(|(id, source)| Document {
                    index: index.clone(),
                    id: id.clone(),
                    source: source.clone(),
                }),
        );
        self.send_pending(None);
        let overflow = harvest
            .elastic_documents_seen
            .saturating_sub(harvest.elastic_documents.len() as u64);
        self.harvests += 1;
        let scope = format!("live|{:x}|{}", self.process_nonce, self.harvests);
        let documents = self.runtime_documents(&harvest.runtime, &scope);
        self.send_runtime(documents, None);
        Ok(if overflow > 0 {
            vec![(super::DROPPED_EVENTS_METRIC, overflow)]
        } else {
            Vec::new()
        })
    }

    fn elastic_namespace(&self) -> Option<String> {
        Some(self.client.config().namespace.clone())
    }

    fn checkpoint(&mut self) -> Result<bool, DeliveryError> {
        self.send_pending(None);
        let mut counts = self.lock();
        let clean = counts.lost_since_checkpoint == 0;
        counts.lost_since_checkpoint = 0;
        Ok(clean)
    }

    fn shutdown(&mut self, deadline: Instant) -> Result<DeliveryReport, DeliveryError> {
        self.send_pending(Some(deadline));
        if let Some(metrics) = self.runtime_metrics.take() {
            let documents = self.runtime_documents(&metrics, "replay");
            self.send_runtime(documents, Some(deadline));
        }
        Ok((self.reporter())())
    }

    fn reporter(&self) -> Reporter {
        let counts = self.counts.clone();
        Arc::new(move || {
            let counts = counts.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let (docs, runtime) = (&counts.invocations, &counts.runtime);
            DeliveryReport {
                events_sent: docs.created + docs.already_present,
                events_rejected: docs.rejected,
                events_dropped: docs.dropped + docs.rejected,
                events_pending: counts.waiting,
                metric_documents_sent: runtime.created + runtime.already_present,
                metric_documents_dropped: runtime.dropped + runtime.rejected,
                posts: docs.requests + runtime.requests,
                retries: docs.retries + runtime.retries,
                ..DeliveryReport::default()
            }
        })
    }

    fn summary(&self, _report: &DeliveryReport) -> String {
        let counts = self.lock().clone();
        let docs = &counts.invocations;
        let mut line = format!(
            "elasticsearch: {} documents sent ({} created, {} already present), {} retried, {} rejected, {} dropped; {} runtime documents sent",
            docs.created + docs.already_present,
            docs.created,
            docs.already_present,
            docs.retries,
            docs.rejected,
            docs.dropped,
            counts.runtime.created + counts.runtime.already_present,
        );
        for reason in docs.reasons.iter().chain(&counts.runtime.reasons) {
            line.push_str(&format!("\n  rejected: {reason}"));
        }
        if let Some(failure) = docs.last_failure.as_ref().filter(|_| docs.dropped > 0) {
            line.push_str(&format!("\n  last failure: {failure}"));
        }
        line
    }
}
