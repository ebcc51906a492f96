//! The event contract of `docs/llm-events.md`, attribute by attribute, on hand-built records.

use std::time::Duration;

use bedrock_llm_core::{
    EmbeddingStats, ExchangeKind, FinishReason, Invocation, InvocationError, Message, Operation,
    RequestParams, RequestView, ResponseView, Role, ServiceMetrics, Usage,
};
use bedrock_llm_events::names::{attr, event_type};
use bedrock_llm_events::{
    AttrValue, CallContext, Config, LlmAttributes, LlmEvent, TokenPrecedence, TokenTier,
    TraceContext, build_events,
};

fn context() -> CallContext {
    CallContext {
        trace: TraceContext {
            trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
            span_id: "b7ad6b7169203331".into(),
        },
        llm_attributes: LlmAttributes::new()
            .with("llm.conversation_id", "conv-1")
            .with("user.id", "ignored"),
        id_seed: None,
    }
}

fn chat() -> Invocation {
    let mut record = Invocation::new(
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        Operation::InvokeModel,
    );
    record.family = Some("Claude Messages");
    record.kind = Some(ExchangeKind::Chat);
    record.request_id = Some("req-123".into());
    record.timing.started_at_ms = 1_700_000_000_000;
    record.timing.duration = Some(Duration::from_millis(640));
    record.request = Some(RequestView {
        messages: vec![
            Message::new(Role::System, "Be brief."),
            Message::new(Role::User, "Capital of France?"),
        ],
        params: RequestParams {
            max_tokens: Some(200),
            temperature: Some(0.0),
            ..RequestParams::default()
        },
        ..RequestView::default()
    });
    record.response = Some(ResponseView {
        messages: vec![Message {
            finish_reason: Some(FinishReason::from_raw("end_turn")),
            ..Message::new(Role::Assistant, "Paris.")
        }],
        finish_reason: Some(FinishReason::from_raw("end_turn")),
        usage: Usage {
            input_tokens: Some(14),
            output_tokens: Some(3),
            ..Usage::default()
        },
        response_id: Some("msg_bdrk_01".into()),
        response_model: Some("claude-3-5-sonnet-20240620".into()),
        embedding: None,
        images: None,
        rerank: None,
        videos: None,
    });
    record
}

fn enabled() -> Config {
    Config::default().enabled()
}

fn keys(event: &LlmEvent) -> Vec<&str> {
    event.attributes().iter().map(|(k, _)| k.as_ref()).collect()
}

#[test]
fn completion_summary_has_every_attribute_the_spec_lists() {
    // The agents' attributes; the cost this project adds is checked apart, below.
    let built = build_events(&chat(), &enabled().with_cost(false), &context());
    assert_eq!(built.events.len(), 4);
    let summary = &built.events[0];
    assert_eq!(summary.event_type(), event_type::SUMMARY);
    assert_eq!(
        keys(summary),
        vec![
            "id",
            "span_id",
            "trace_id",
            "vendor",
            "ingest_source",
            "request_id",
            "response_id",
            "request.model",
            "response.model",
            "request.temperature",
            "request.max_tokens",
            "response.number_of_messages",
            "response.choices.finish_reason",
            "duration",
            "timestamp",
            "response.usage.prompt_tokens",
            "response.usage.completion_tokens",
            "response.usage.total_tokens",
            "llm.conversation_id",
        ]
    );
    let get = |k| summary.get(k).cloned();
    assert_eq!(get(attr::VENDOR), Some(AttrValue::from("bedrock")));
    assert_eq!(get(attr::INGEST_SOURCE), Some(AttrValue::from("Rust")));
    assert_eq!(
        get(attr::SPAN_ID),
        Some(AttrValue::from("b7ad6b7169203331"))
    );
    assert_eq!(
        get(attr::REQUEST_MODEL),
        Some(AttrValue::from(
            "us.anthropic.claude-3-5-sonnet-20240620-v1:0"
        ))
    );
    assert_eq!(get(attr::RESPONSE_MODEL), get(attr::REQUEST_MODEL));
    // A real 0 temperature is kept.
    assert_eq!(get(attr::REQUEST_TEMPERATURE), Some(AttrValue::Float(0.0)));
    assert_eq!(get(attr::REQUEST_MAX_TOKENS), Some(AttrValue::Int(200)));
    assert_eq!(get(attr::NUMBER_OF_MESSAGES), Some(AttrValue::Int(3)));
    assert_eq!(get(attr::FINISH_REASON), Some(AttrValue::from("end_turn")));
    assert_eq!(get(attr::DURATION), Some(AttrValue::Float(640.0)));
    assert_eq!(
        get(attr::TIMESTAMP),
        Some(AttrValue::Int(1_700_000_000_000))
    );
    assert_eq!(
        (
            get(attr::PROMPT_TOKENS),
            get(attr::COMPLETION_TOKENS),
            get(attr::TOTAL_TOKENS)
        ),
        (
            Some(AttrValue::Int(14)),
            Some(AttrValue::Int(3)),
            Some(AttrValue::Int(17))
        )
    );
    assert_eq!(summary.get(attr::ERROR), None, "error only when true");
    assert_eq!(
        summary.get("user.id"),
        None,
        "non-llm. keys are never copied"
    );
    assert_eq!(built.token_tier, Some(TokenTier::Body));
    let id = summary.get_str(attr::ID).unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4", "UUID v4");
}

#[test]
fn messages_follow_sequence_role_and_id_rules() {
    let built = build_events(&chat(), &enabled(), &context());
    let summary_id = built.events[0].get_str(attr::ID).unwrap().to_owned();
    let messages = &built.events[1..];
    for (n, message) in messages.iter().enumerate() {
        assert_eq!(message.event_type(), event_type::MESSAGE);
        assert_eq!(message.get_i64(attr::SEQUENCE), Some(n as i64));
        assert_eq!(
            message.get_str(attr::ID),
            Some(format!("msg_bdrk_01-{n}").as_str())
        );
        assert_eq!(
            message.get_str(attr::COMPLETION_ID),
            Some(summary_id.as_str())
        );
        assert_eq!(
            message.get_i64(attr::TOKEN_COUNT),
            Some(0),
            "usage complete: token_count 0"
        );
        assert_eq!(message.get_str("llm.conversation_id"), Some("conv-1"));
        assert_eq!(
            message.get_str(attr::TRACE_ID),
            Some("0af7651916cd43dd8448eb211c80319c")
        );
    }
    let role = |i: usize| messages[i].get_str(attr::ROLE);
    assert_eq!(
        (role(0), role(1), role(2)),
        (Some("system"), Some("user"), Some("assistant"))
    );
    assert_eq!(messages[2].get_str(attr::CONTENT), Some("Paris."));
    // is_response only on responses; timestamp only on requests.
    assert_eq!(messages[0].get(attr::IS_RESPONSE), None);
    assert_eq!(
        messages[2].get(attr::IS_RESPONSE),
        Some(&AttrValue::Bool(true))
    );
    assert!(messages[1].get(attr::TIMESTAMP).is_some());
    assert_eq!(messages[2].get(attr::TIMESTAMP), None);
    assert_eq!(
        messages[2].time_ms(),
        1_700_000_000_640,
        "a response message happens when the call ends"
    );
}

#[test]
fn usage_is_all_three_or_none_and_tiers_apply_in_order() {
    let config = enabled();
    // Body incomplete → headers complete.
    let mut record = chat();
    record.response.as_mut().unwrap().usage = Usage {
        input_tokens: Some(5),
        ..Usage::default()
    };
    record.header_metrics = ServiceMetrics {
        input_tokens: Some(20),
        output_tokens: Some(0),
        ..Default::default()
    };
    let built = build_events(&record, &config, &context());
    assert_eq!(built.token_tier, Some(TokenTier::Headers));
    assert_eq!(built.events[0].get_i64(attr::PROMPT_TOKENS), Some(20));
    assert_eq!(
        built.events[0].get_i64(attr::COMPLETION_TOKENS),
        Some(0),
        "0 is a valid count"
    );

    // Headers partial → stream metrics.
    record.header_metrics = ServiceMetrics {
        input_tokens: Some(20),
        ..Default::default()
    };
    record.stream_metrics = Some(ServiceMetrics {
        input_tokens: Some(7),
        output_tokens: Some(9),
        ..Default::default()
    });
    let built = build_events(&record, &config, &context());
    assert_eq!(built.token_tier, Some(TokenTier::StreamMetrics));
    assert_eq!(built.events[0].get_i64(attr::TOTAL_TOKENS), Some(16));

    // Nothing complete, no callback: no usage, no token_count.
    record.stream_metrics = None;
    let built = build_events(&record, &config, &context());
    assert_eq!(built.token_tier, None);
    assert!(
        built.events[0].get(attr::PROMPT_TOKENS).is_none()
            && built.events[0].get(attr::TOTAL_TOKENS).is_none()
    );
    assert!(
        built.events[1..]
            .iter()
            .all(|m| m.get(attr::TOKEN_COUNT).is_none())
    );

    // Nothing complete, callback: per-message counts from the callback, no summary usage.
    let counting = config.clone().with_token_callback(|model, content| {
        assert!(model.contains("claude"));
        Some(content.chars().count() as u64)
    });
    let built = build_events(&record, &counting, &context());
    assert_eq!(built.token_tier, Some(TokenTier::Callback));
    assert!(built.events[0].get(attr::PROMPT_TOKENS).is_none());
    let counts: Vec<_> = built.events[1..]
        .iter()
        .map(|m| m.get_i64(attr::TOKEN_COUNT))
        .collect();
    assert_eq!(counts, vec![Some(9), Some(18), Some(6)]);

    // callback_first: the callback's counts win over the body's.
    let mut first = counting.clone();
    first.token_precedence = TokenPrecedence::CallbackFirst;
    let built = build_events(&chat(), &first, &context());
    assert_eq!(built.token_tier, Some(TokenTier::Callback));
    assert_eq!(
        built.events[0].get_i64(attr::PROMPT_TOKENS),
        Some("Be brief.\nCapital of France?".len() as i64)
    );
    assert_eq!(built.events[0].get_i64(attr::COMPLETION_TOKENS), Some(6));
}

#[test]
fn record_content_off_drops_content_but_keeps_the_rest() {
    let config = enabled()
        .with_content(false)
        .with_token_callback(|_, content| (!content.is_empty()).then_some(1));
    let mut record = chat();
    record.response.as_mut().unwrap().usage = Usage::default();
    let built = build_events(&record, &config, &context());
    for message in &built.events[1..] {
        assert_eq!(message.get(attr::CONTENT), None);
        assert!(message.get(attr::ROLE).is_some() && message.get(attr::SEQUENCE).is_some());
        // The callback still saw the content.
        assert_eq!(message.get_i64(attr::TOKEN_COUNT), Some(1));
    }
}

#[test]
fn content_is_never_truncated_and_other_strings_are() {
    let long = "é".repeat(5_000);
    let mut record = chat();
    record.request.as_mut().unwrap().messages[1].content = long.clone();
    record.request_id = Some("r".repeat(300));
    let config = enabled().with_max_attribute_value(100);
    let context = CallContext {
        llm_attributes: LlmAttributes::new().with("llm.note", "x".repeat(500)),
        ..context()
    };
    let built = build_events(&record, &config, &context);
    assert_eq!(built.events[2].get_str(attr::CONTENT), Some(long.as_str()));
    assert_eq!(
        built.events[0].get_str(attr::REQUEST_ID).map(str::len),
        Some(100)
    );
    assert_eq!(built.events[0].get_str("llm.note").map(str::len), Some(100));
}

#[test]
fn max_tokens_zero_and_missing_values_are_absent() {
    let mut record = chat();
    let request = record.request.as_mut().unwrap();
    request.params = RequestParams {
        max_tokens: Some(0),
        ..RequestParams::default()
    };
    record.response = None;
    record.request_id = None;
    record.timing.duration = None;
    let built = build_events(&record, &enabled(), &context());
    let summary = &built.events[0];
    for absent in [
        attr::REQUEST_MAX_TOKENS,
        attr::REQUEST_TEMPERATURE,
        attr::FINISH_REASON,
        attr::RESPONSE_ID,
        attr::REQUEST_ID,
        attr::DURATION,
        attr::PROMPT_TOKENS,
    ] {
        assert_eq!(summary.get(absent), None, "{absent}");
    }
    assert_eq!(summary.get_i64(attr::NUMBER_OF_MESSAGES), Some(2));
    // Without a response id, message ids are UUIDs.
    assert_eq!(built.events[1].get_str(attr::ID).map(str::len), Some(36));
}

#[test]
fn failed_calls_record_events_and_an_error_report_linked_by_id() {
    let mut record = chat();
    record.response = None;
    record.error = Some(
        InvocationError::new("ThrottlingException")
            .with_status(429)
            .with_message("Too many requests"),
    );
    let built = build_events(&record, &enabled(), &context());
    let summary = &built.events[0];
    assert_eq!(summary.get(attr::ERROR), Some(&AttrValue::Bool(true)));
    assert_eq!(built.events.len(), 3, "request messages are still recorded");
    let report = built.error.unwrap();
    assert_eq!(report.http_status, Some(429));
    assert_eq!(report.code, "ThrottlingException");
    assert_eq!(report.completion_id.as_deref(), summary.get_str(attr::ID));
}

#[test]
fn converse_response_id_is_the_request_id() {
    let mut record = chat();
    record.operation = Operation::Converse;
    record.response.as_mut().unwrap().response_id = None;
    let built = build_events(&record, &enabled(), &context());
    assert_eq!(built.events[0].get_str(attr::RESPONSE_ID), Some("req-123"));
    assert_eq!(built.events[1].get_str(attr::ID), Some("req-123-0"));
}

#[test]
fn embeddings_make_one_event_with_joined_input() {
    let mut record = Invocation::new("cohere.embed-english-v3", Operation::InvokeModel);
    record.kind = Some(ExchangeKind::Embedding);
    record.request_id = Some("req-e".into());
    record.timing.duration = Some(Duration::from_millis(80));
    record.request = Some(RequestView {
        embedding_inputs: vec!["one".into(), "two".into()],
        ..RequestView::default()
    });
    record.response = Some(ResponseView {
        embedding: Some(EmbeddingStats {
            count: 2,
            dimensions: Some(1024),
        }),
        ..ResponseView::default()
    });
    record.header_metrics.input_tokens = Some(4);
    let built = build_events(&record, &enabled(), &context());
    assert_eq!(built.events.len(), 1);
    let event = &built.events[0];
    assert_eq!(event.event_type(), event_type::EMBEDDING);
    assert_eq!(event.get_str(attr::INPUT), Some("one\ntwo"));
    assert_eq!(event.get_i64(attr::TOTAL_TOKENS), Some(4));
    assert_eq!(built.token_tier, Some(TokenTier::Headers));
    for never in [
        attr::TOKEN_COUNT,
        attr::PROMPT_TOKENS,
        attr::COMPLETION_TOKENS,
    ] {
        assert_eq!(event.get(never), None);
    }
    let hidden = build_events(&record, &enabled().with_content(false), &context());
    assert_eq!(hidden.events[0].get(attr::INPUT), None);
    // Body count first, else the callback.
    record.header_metrics.input_tokens = None;
    let built = build_events(
        &record,
        &enabled().with_token_callback(|_, input| Some(input.len() as u64)),
        &context(),
    );
    assert_eq!(built.events[0].get_i64(attr::TOTAL_TOKENS), Some(7));
    assert_eq!(built.token_tier, Some(TokenTier::Callback));
}

#[test]
fn unknown_models_get_a_summary_without_messages() {
    let mut record = Invocation::new("acme.mystery-v1", Operation::InvokeModel);
    record.request_id = Some("r".into());
    record.header_metrics = ServiceMetrics {
        input_tokens: Some(3),
        output_tokens: Some(4),
        ..Default::default()
    };
    let built = build_events(&record, &enabled(), &context());
    assert_eq!(built.events.len(), 1);
    assert_eq!(built.events[0].get_i64(attr::TOTAL_TOKENS), Some(7));
    assert_eq!(built.events[0].get(attr::NUMBER_OF_MESSAGES), None);
}

#[test]
fn custom_attributes_are_capped_sorted_and_key_limited() {
    let mut custom = LlmAttributes::new();
    for i in 0..200 {
        custom.insert(format!("llm.k{i:03}"), i as i64);
    }
    custom.insert(format!("llm.{}", "x".repeat(300)), "too long");
    let context = CallContext {
        llm_attributes: custom,
        ..context()
    };
    let built = build_events(&chat(), &enabled(), &context);
    let copied: Vec<&str> = built.events[0]
        .attributes()
        .iter()
        .map(|(k, _)| k.as_ref())
        .filter(|k| k.starts_with("llm."))
        .collect();
    assert_eq!(copied.len(), 128);
    assert_eq!(copied[0], "llm.k000");
    assert_eq!(copied[127], "llm.k127");
    assert!(built.dropped_attributes > 0);
}

#[test]
fn replayed_records_get_the_same_ids_every_time_and_live_calls_random_ones() {
    let ids = |context: &CallContext| {
        build_events(&chat(), &enabled(), context)
            .events
            .iter()
            .map(|e| {
                let json: serde_json::Value =
                    serde_json::from_str(&bedrock_llm_events::render::newrelic::event_json(e))
                        .unwrap();
                (
                    json["id"].clone(),
                    json["trace_id"].clone(),
                    json["span_id"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let first = ids(&CallContext::replayed("123456789012/req-1"));
    assert_eq!(first, ids(&CallContext::replayed("123456789012/req-1")));
    assert_ne!(first, ids(&CallContext::replayed("123456789012/req-2")));
    let distinct: std::collections::HashSet<_> =
        first.iter().map(|(id, _, _)| id.clone()).collect();
    assert_eq!(distinct.len(), first.len(), "each event its own id");
    assert!(
        first
            .iter()
            .all(|(_, trace, span)| trace.as_str().unwrap().len() == 32
                && span.as_str().unwrap().len() == 16)
    );
    assert_ne!(ids(&CallContext::detached()), ids(&CallContext::detached()));
}

#[test]
fn summary_carries_the_calls_cost_and_its_price_table() {
    let built = build_events(&chat(), &enabled(), &context());
    let summary = &built.events[0];
    // 14 input tokens at $3/M and 3 output tokens at $15/M (the shipped table).
    let total = summary.get("cost.total_usd").cloned();
    assert_eq!(total, Some(AttrValue::Float(0.000_087)));
    assert_eq!(
        summary.get("cost.input_usd").cloned(),
        Some(AttrValue::Float(0.000_042))
    );
    let table = summary.get_str("cost.price_table").unwrap_or_default();
    assert!(table.starts_with("2026-12-07"), "{table}");
    // Messages carry no cost: the summary holds the call's.
    assert!(
        built.events[1..]
            .iter()
            .all(|e| e.get("cost.total_usd").is_none())
    );
    // Pricing off: no cost at all.
    let off = build_events(&chat(), &enabled().with_cost(false), &context());
    assert!(off.events[0].get("cost.total_usd").is_none());
}
