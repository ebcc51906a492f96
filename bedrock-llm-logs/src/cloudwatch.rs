//! Invocation logs in a CloudWatch Logs group (feature `cloudwatch`), where Bedrock writes them
//! when logging goes to CloudWatch: `FilterLogEvents` over every stream (or those under a
//! prefix), in a time window, paged to the end, each event's `message` one record.
//!
//! CloudWatch returns events in time order and moto stream by stream; neither order is
//! relied on: a window's events are deduplicated by `eventId` and put in event-time order,
//! ties broken by `eventId`, so the output never depends on the order the service answers in.
//! Throttling and server errors are retried by the SDK's standard retry (backoff with jitter),
//! with more attempts than its default.
//!
//! The API is blocking, like the reader: call it from threads that may block.

use std::collections::BTreeMap;

/// A log group to read: `cloudwatch:NAME` or `cloudwatch:arn:aws:logs:…:log-group:NAME[:*]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroup {
    /// The group's name.
    pub name: String,
    /// Only streams whose names start with this.
    pub stream_prefix: Option<String>,
}

impl LogGroup {
    /// The group a `cloudwatch:` source names; `None` for other sources.
    pub fn parse(source: &str) -> Option<Result<Self, String>> {
        let rest = source.strip_prefix("cloudwatch:")?;
        let name = match rest.strip_prefix("arn:") {
            Some(arn) => match arn.split_once(":log-group:") {
                Some((_, group)) => group.trim_end_matches(":*").to_owned(),
                None => {
                    return Some(Err(format!(
                        "{source:?} is not a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)"
                    )));
                }
            },
            None => rest.to_owned(),
        };
        if name.is_empty() {
            return Some(Err(format!(
                "{source:?} names no log group (cloudwatch:/aws/bedrock/modelinvocations)"
            )));
        }
        Some(Ok(Self {
            name,
            stream_prefix: None,
        }))
    }

    /// `cloudwatch:NAME`, as the group is named in reports and `--state`.
    pub fn uri(&self) -> String {
        format!("cloudwatch:{}", self.name)
    }
}

/// One log event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// CloudWatch's id of the event, unique in the group.
    pub event_id: String,
    /// When it happened, ms since the epoch.
    pub timestamp_ms: i64,
    /// The stream it is in.
    pub stream: String,
    /// The record.
    pub message: String,
}

/// Why a group could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
#[error("cannot read {location}: {reason}")]
pub struct CloudWatchLogsError {
    /// `cloudwatch:NAME`.
    pub location: String,
    /// What CloudWatch said, and what to check.
    pub reason: String,
}

/// A CloudWatch Logs client on a runtime the calls block on.
#[derive(Debug, Clone)]
pub struct CloudWatchLogs {
    client: aws_sdk_cloudwatchlogs::Client,
    runtime: tokio::runtime::Handle,
    page_limit: Option<i32>,
}

impl CloudWatchLogs {
    /// Reads through `client` (give it more retry attempts than the SDK's default 3: a busy
    /// account throttles `FilterLogEvents`), blocking on `runtime`.
    pub fn new(client: aws_sdk_cloudwatchlogs::Client, runtime: tokio::runtime::Handle) -> Self {
        Self {
            client,
            runtime,
            page_limit: None,
        }
    }

    /// Pages of at most `limit` events (tests page with small ones).
    pub fn with_page_limit(mut self, limit: Option<i32>) -> Self {
        self.page_limit = limit;
        self
    }

    /// Every event of `group` from `start_ms` to `end_ms` (both inclusive, either open), in
    /// event-time order with ties broken by `eventId`, each once.
    pub fn events(
        &self,
        group: &LogGroup,
        start_ms: Option<i64>,
        end_ms: Option<i64>,
    ) -> Result<Vec<LogEvent>, CloudWatchLogsError> {
        let mut by_id: BTreeMap<String, LogEvent> = BTreeMap::new();
        let mut token: Option<String> = None;
        // Bounded: a service that hands back the same token forever cannot loop us forever.
        for _ in 0..1_000_000 {
            let request = self
                .client
                .filter_log_events()
                .log_group_name(&group.name)
                .set_log_stream_name_prefix(group.stream_prefix.clone())
                .set_start_time(start_ms)
                .set_end_time(end_ms)
                .set_limit(self.page_limit)
                .set_next_token(token.clone());
            let page =
                self.runtime
                    .block_on(request.send())
                    .map_err(|error| CloudWatchLogsError {
                        location: group.uri(),
                        reason: explain(&error),
                    })?;
            for event in page.events.unwrap_or_default() {
                let (Some(event_id), Some(message)) = (event.event_id, event.message) else {
                    continue;
                };
                // The prefix is checked here too: not every implementation applies it.
                let stream = event.log_stream_name.unwrap_or_default();
                if group
                    .stream_prefix
                    .as_deref()
                    .is_some_and(|prefix| !stream.starts_with(prefix))
                {
                    continue;
                }
                by_id.entry(event_id.clone()).or_insert(LogEvent {
                    event_id,
                    timestamp_ms: event.timestamp.unwrap_or_default(),
                    stream,
                    message,
                });
            }
            match page.next_token {
                Some(next) if token.as_deref() != Some(next.as_str()) => token = Some(next),
                _ => break,
            }
        }
        let mut events: Vec<LogEvent> = by_id.into_values().collect();
        events.sort_by(|a, b| {
            (a.timestamp_ms, a.event_id.as_str()).cmp(&(b.timestamp_ms, b.event_id.as_str()))
        });
        Ok(events)
    }
}

/// What a failed call means and what to check.
fn explain<E, R>(error: &aws_sdk_cloudwatchlogs::error::SdkError<E, R>) -> String
where
    E: aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata as _;
    let code = error.code().unwrap_or_default();
    let message = error.message().unwrap_or_default();
    let hint = match code {
        "ResourceNotFoundException" => " (no such log group in this account and Region)",
        "AccessDeniedException" => " (the credentials need logs:FilterLogEvents on the group)",
        "ThrottlingException" => " (still throttled after 8 attempts)",
        _ => "",
    };
    if code.is_empty() {
        bedrock_llm_core::display_chain(error)
    } else {
        format!("{code}: {message}{hint}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_name_groups_by_name_or_arn() {
        let by_name = LogGroup::parse("cloudwatch:/aws/bedrock/modelinvocations");
        assert_eq!(
            by_name.and_then(Result::ok).map(|g| g.name),
            Some("/aws/bedrock/modelinvocations".to_owned())
        );
        let by_arn = LogGroup::parse(
            "cloudwatch:arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock/logs:*",
        );
        assert_eq!(
            by_arn.and_then(Result::ok).map(|g| g.name),
            Some("/aws/bedrock/logs".to_owned())
        );
        assert!(LogGroup::parse("s3://bucket/prefix").is_none());
        assert!(matches!(LogGroup::parse("cloudwatch:"), Some(Err(_))));
        assert!(matches!(
            LogGroup::parse("cloudwatch:arn:aws:s3:::b"),
            Some(Err(_))
        ));
    }
}
