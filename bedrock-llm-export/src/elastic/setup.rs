//! Index templates for clusters without Elastic's Amazon Bedrock integration: one per data
//! stream (invocations, runtime, guardrails), mapping the fields we write (keywords, numbers, dates, text for the answer) so
//! documents are searchable and aggregatable. Installing is idempotent (`PUT` replaces our own
//! template), and a template someone else installed — Elastic's integration's — is left alone.

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde_json::{Map, Value, json};

use super::BulkClient;

/// Marks the templates this crate installs.
const MANAGED_BY: &str = "bedrock-llm";

/// Field types of invocation documents, by dotted path.
const INVOCATION_FIELDS: &[(&str, &str)] = &[
    ("@timestamp", "date"),
    ("event.action", "keyword"),
    ("event.outcome", "keyword"),
    ("event.kind", "keyword"),
    ("event.dataset", "keyword"),
    ("cloud.provider", "keyword"),
    ("cloud.account.id", "keyword"),
    ("cloud.region", "keyword"),
    ("cloud.service.name", "keyword"),
    ("user.id", "keyword"),
    ("gen_ai.system", "keyword"),
    ("gen_ai.user.id", "keyword"),
    ("gen_ai.request.id", "keyword"),
    ("gen_ai.request.model.id", "keyword"),
    ("gen_ai.request.model.type", "keyword"),
    ("gen_ai.request.model.version", "keyword"),
    ("gen_ai.request.model.role", "keyword"),
    ("gen_ai.request.max_tokens", "long"),
    ("gen_ai.request.temperature", "float"),
    ("gen_ai.request.top_k", "float"),
    ("gen_ai.request.top_p", "float"),
    ("gen_ai.response.id", "keyword"),
    ("gen_ai.response.timestamp", "date"),
    ("gen_ai.response.finish_reasons", "keyword"),
    ("gen_ai.response.error_code", "keyword"),
    ("gen_ai.usage.prompt_tokens", "long"),
    ("gen_ai.usage.completion_tokens", "long"),
    ("gen_ai.performance.response_time", "long"),
    ("gen_ai.performance.start_response_time", "long"),
    ("gen_ai.performance.request_size", "long"),
    ("gen_ai.performance.response_size", "long"),
    ("gen_ai.prompt", "text"),
    ("gen_ai.completion", "text"),
    ("gen_ai.guardrail_id", "keyword"),
    ("gen_ai.policy.name", "keyword"),
    ("gen_ai.policy.action", "keyword"),
    ("gen_ai.policy.confidence", "keyword"),
    ("gen_ai.policy.match_detail", "flattened"),
    ("gen_ai.compliance.violation_code", "keyword"),
    ("gen_ai.compliance.violation_detected", "boolean"),
    ("aws_bedrock.invocation.schema_type", "keyword"),
    ("aws_bedrock.invocation.schema_version", "keyword"),
    ("aws_bedrock.invocation.request_id", "keyword"),
    ("aws_bedrock.invocation.model_id", "keyword"),
    ("aws_bedrock.invocation.error_code", "keyword"),
    ("aws_bedrock.invocation.input.input_content_type", "keyword"),
    ("aws_bedrock.invocation.input.input_token_count", "long"),
    ("aws_bedrock.invocation.input.input_body_json", "flattened"),
    (
        "aws_bedrock.invocation.input.input_body_json_massive_hash",
        "keyword",
    ),
    (
        "aws_bedrock.invocation.input.messages_content_kinds",
        "keyword",
    ),
    (
        "aws_bedrock.invocation.output.output_content_type",
        "keyword",
    ),
    ("aws_bedrock.invocation.output.output_token_count", "long"),
    (
        "aws_bedrock.invocation.output.output_body_json",
        "flattened",
    ),
    (
        "aws_bedrock.invocation.output.output_body_json_massive_hash",
        "keyword",
    ),
    ("aws_bedrock.invocation.output.completion_text", "text"),
    ("aws_bedrock.invocation.cost.total_usd", "double"),
    ("aws_bedrock.invocation.cost.input_usd", "double"),
    ("aws_bedrock.invocation.cost.output_usd", "double"),
    ("aws_bedrock.invocation.cost.cache_read_usd", "double"),
    ("aws_bedrock.invocation.cost.cache_write_usd", "double"),
    ("aws_bedrock.invocation.cost.image_usd", "double"),
    ("aws_bedrock.invocation.cost.request_usd", "double"),
    ("aws_bedrock.invocation.cost.price_table", "keyword"),
    ("aws_bedrock.invocation.cost.basis", "keyword"),
    ("aws_bedrock.invocation.cost.billing", "keyword"),
];

/// Field types of runtime documents.
const RUNTIME_FIELDS: &[(&str, &str)] = &[
    ("@timestamp", "date"),
    ("cloud.provider", "keyword"),
    ("cloud.region", "keyword"),
    ("aws.cloudwatch.namespace", "keyword"),
    ("metricset.period", "long"),
    ("aws_bedrock.runtime.model_id", "keyword"),
    ("aws_bedrock.runtime.invocations", "long"),
    ("aws_bedrock.runtime.invocation_latency", "float"),
    ("aws_bedrock.runtime.invocation_client_errors", "long"),
    ("aws_bedrock.runtime.invocation_server_errors", "long"),
    ("aws_bedrock.runtime.invocation_throttles", "long"),
    ("aws_bedrock.runtime.input_token_count", "long"),
    ("aws_bedrock.runtime.output_token_count", "long"),
    ("aws_bedrock.runtime.output_image_count", "long"),
];

/// Field types of guardrail documents.
const GUARDRAIL_FIELDS: &[(&str, &str)] = &[
    ("@timestamp", "date"),
    ("cloud.provider", "keyword"),
    ("aws.cloudwatch.namespace", "keyword"),
    ("metricset.period", "long"),
    ("aws_bedrock.guardrails.guardrail_id", "keyword"),
    ("aws_bedrock.guardrails.guardrail_arn", "keyword"),
    ("aws_bedrock.guardrails.guardrail_content_source", "keyword"),
    ("aws_bedrock.guardrails.operation", "keyword"),
    ("aws_bedrock.guardrails.invocations", "long"),
    ("aws_bedrock.guardrails.invocations_intervened", "long"),
    ("aws_bedrock.guardrails.invocation_latency", "float"),
    ("aws_bedrock.guardrails.text_unit_count", "long"),
];

/// The index templates, `(name, body)`: invocation, runtime and guardrail data streams.
pub fn index_templates() -> Vec<(String, Value)> {
    use bedrock_llm_events::guardrail_metrics::GUARDRAILS_DATASET;
    use bedrock_llm_events::render::elastic::{INVOCATION_DATASET, RUNTIME_DATASET};
    [
        (format!("logs-{INVOCATION_DATASET}"), INVOCATION_FIELDS),
        (format!("metrics-{RUNTIME_DATASET}"), RUNTIME_FIELDS),
        (format!("metrics-{GUARDRAILS_DATASET}"), GUARDRAIL_FIELDS),
    ]
    .into_iter()
    .map(|(name, fields)| {
        let body = json!({
            "index_patterns": [format!("{name}-*")],
            "data_stream": {},
            "priority": 200,
            "template": {"mappings": {"dynamic": true, "properties": properties(fields)}},
            "_meta": {"managed_by": MANAGED_BY, "description": "Documents bedrock-llm writes"},
        });
        (name, body)
    })
    .collect()
}

/// Dotted paths as nested `properties`.
fn properties(fields: &[(&str, &str)]) -> Value {
    let mut root = Map::new();
    for (path, kind) in fields {
        let mut node = &mut root;
        let mut segments = path.split('.').peekable();
        while let Some(segment) = segments.next() {
            if segments.peek().is_none() {
                node.insert(segment.to_owned(), json!({ "type": kind }));
                break;
            }
            let entry = node
                .entry(segment.to_owned())
                .or_insert_with(|| json!({"properties": {}}));
            let Some(next) = entry.get_mut("properties").and_then(Value::as_object_mut) else {
                break;
            };
            node = next;
        }
    }
    Value::Object(root)
}

/// What setup did, per template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetupReport {
    /// `(template, what happened)`.
    pub templates: Vec<(String, String)>,
}

/// Installs (or updates) both templates on `client`'s cluster; a template we did not install is
/// left as it is. Fails on the first answer that is neither a success nor a missing template.
pub async fn install_templates(client: &BulkClient) -> Result<SetupReport, String> {
    let (http, headers) = client.parts();
    let timeout = client.config().timeout;
    let base = &client.config().url;
    let mut report = SetupReport {
        templates: Vec::new(),
    };
    for (name, body) in index_templates() {
        let url = format!("{base}/_index_template/{name}");
        let existing = exchange(http, headers, Method::GET, &url, Bytes::new(), timeout).await?;
        if existing.0 == StatusCode::OK {
            let managed = serde_json::from_slice::<Value>(&existing.1)
                .ok()
                .and_then(|v| {
                    v["index_templates"][0]["index_template"]["_meta"]["managed_by"]
                        .as_str()
                        .map(str::to_owned)
                });
            if managed.as_deref() != Some(MANAGED_BY) {
                report.templates.push((
                    name,
                    "left as it is (installed by someone else, e.g. Elastic's integration)".into(),
                ));
                continue;
            }
        } else if existing.0 != StatusCode::NOT_FOUND {
            return Err(answer_error(&url, existing.0, &existing.1));
        }
        let put = exchange(
            http,
            headers,
            Method::PUT,
            &url,
            Bytes::from(body.to_string()),
            timeout,
        )
        .await?;
        if !put.0.is_success() {
            return Err(answer_error(&url, put.0, &put.1));
        }
        let done = if existing.0 == StatusCode::OK {
            "updated"
        } else {
            "installed"
        };
        report.templates.push((name, done.into()));
    }
    Ok(report)
}

fn answer_error(url: &str, status: StatusCode, body: &[u8]) -> String {
    format!(
        "{} answered {status}: {}",
        crate::http::redact_userinfo(url),
        String::from_utf8_lossy(&body[..body.len().min(300)])
    )
}

/// One uncompressed JSON request.
async fn exchange(
    http: &crate::http::HttpClient,
    headers: &http::HeaderMap,
    method: Method,
    url: &str,
    body: Bytes,
    timeout: std::time::Duration,
) -> Result<(StatusCode, Bytes), String> {
    let mut request = Request::builder()
        .method(method)
        .uri(url)
        .body(body)
        .map_err(|e| format!("bad URL {}: {e}", crate::http::redact_userinfo(url)))?;
    for (name, value) in headers {
        if name != http::header::CONTENT_ENCODING && name != http::header::CONTENT_TYPE {
            request.headers_mut().insert(name, value.clone());
        }
    }
    request.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    let exchange = async {
        let response = http.send(request).await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = http_body_util::BodyExt::collect(http_body_util::Limited::new(
            response.into_body(),
            1024 * 1024,
        ))
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
        Ok((status, body))
    };
    tokio::time::timeout(timeout, exchange).await.map_err(|_| {
        format!(
            "no answer from {} within {timeout:?}",
            crate::http::redact_userinfo(url)
        )
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_map_every_field_we_write_in_nested_properties() {
        let templates = index_templates();
        assert_eq!(templates[0].0, "logs-aws_bedrock.invocation");
        assert_eq!(templates[1].0, "metrics-aws_bedrock.runtime");
        assert_eq!(templates[2].0, "metrics-aws_bedrock.guardrails");
        let props = &templates[0].1["template"]["mappings"]["properties"];
        assert_eq!(
            props["gen_ai"]["properties"]["usage"]["properties"]["prompt_tokens"]["type"],
            "long"
        );
        assert_eq!(
            props["aws_bedrock"]["properties"]["invocation"]["properties"]["output"]["properties"]
                ["completion_text"]["type"],
            "text"
        );
        assert_eq!(
            templates[0].1["index_patterns"][0],
            "logs-aws_bedrock.invocation-*"
        );
    }
}
