//! The terminal rendering of a harvest: one row per call, then the metrics.

use std::io::{self, Write};

use bedrock_llm_events::names::{attr, event_type};
use bedrock_llm_events::{AttrValue, Harvest, LlmEvent};

/// Cuts `text` to `width` characters, on one line.
fn cell(text: &str, width: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= width {
        format!("{flat:width$}")
    } else {
        let cut: String = flat.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn text(event: &LlmEvent, key: &str) -> String {
    event.get(key).map(AttrValue::to_string).unwrap_or_default()
}

pub(crate) fn write(out: &mut impl Write, harvest: &Harvest, live: bool) -> io::Result<()> {
    let source = if live {
        "live Bedrock"
    } else {
        "the loopback emulator"
    };
    writeln!(
        out,
        "bedrock-llm demo: calls to {source}, recorded as LLM events\n"
    )?;
    writeln!(
        out,
        "{} {} {} {} {} {} response (or error)",
        cell("path", 18),
        cell("model", 44),
        cell("event", 9),
        cell("tokens p/c/t", 14),
        cell("finish", 14),
        cell("ms", 7),
    )?;
    writeln!(out, "{}", "-".repeat(139))?;
    let summaries = harvest.events.iter().filter(|e| {
        e.event_type() == event_type::SUMMARY || e.event_type() == event_type::EMBEDDING
    });
    for summary in summaries {
        let id = summary.get_str(attr::ID).unwrap_or_default();
        let response = harvest
            .events
            .iter()
            .filter(|e| {
                e.get_str(attr::COMPLETION_ID) == Some(id) && e.get(attr::IS_RESPONSE).is_some()
            })
            .map(|e| text(e, attr::CONTENT))
            .next();
        let tokens = match (
            summary.get(attr::PROMPT_TOKENS),
            summary.get(attr::COMPLETION_TOKENS),
        ) {
            (Some(p), Some(c)) => format!("{p}/{c}/{}", text(summary, attr::TOTAL_TOKENS)),
            _ => text(summary, attr::TOTAL_TOKENS),
        };
        let error = harvest.error_reports.iter().find(|r| {
            r.completion_id.as_deref() == Some(id) || r.embedding_id.as_deref() == Some(id)
        });
        let detail = match error {
            Some(report) => format!(
                "ERROR {} {}",
                report
                    .http_status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                report.code
            ),
            None if summary.event_type() == event_type::EMBEDDING => {
                format!("embedding of {:?}", text(summary, attr::INPUT))
            }
            None => response
                .unwrap_or_else(|| "(response body unreadable: see ExtractionError)".to_owned()),
        };
        let kind = if summary.event_type() == event_type::EMBEDDING {
            "embedding"
        } else {
            "chat"
        };
        let duration = summary
            .get(attr::DURATION)
            .and_then(AttrValue::as_f64)
            .map(|d| format!("{d:.1}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{} {} {} {} {} {} {}",
            cell(&text(summary, "llm.demo.path"), 18),
            cell(&text(summary, attr::REQUEST_MODEL), 44),
            cell(kind, 9),
            cell(&tokens, 14),
            cell(&text(summary, attr::FINISH_REASON), 14),
            cell(&duration, 7),
            cell(&detail, 40)
        )?;
    }
    let count = |kind: &str| {
        harvest
            .events
            .iter()
            .filter(|e| e.event_type() == kind)
            .count()
    };
    writeln!(
        out,
        "\n{} events: {} summaries, {} messages, {} embeddings; {} error reports\n",
        harvest.events.len(),
        count(event_type::SUMMARY),
        count(event_type::MESSAGE),
        count(event_type::EMBEDDING),
        harvest.error_reports.len()
    )?;
    writeln!(
        out,
        "{} {} total / min / max ms",
        cell("metric", 60),
        cell("count", 7),
    )?;
    writeln!(out, "{}", "-".repeat(100))?;
    for (name, data) in harvest.metrics.iter() {
        let timing = if data.total_ms > 0.0 {
            format!(
                "{:.1} / {:.1} / {:.1}",
                data.total_ms, data.min_ms, data.max_ms
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} {} {}",
            cell(name, 60),
            cell(&data.count.to_string(), 7),
            timing
        )?;
    }
    writeln!(
        out,
        "\nUse --json for one New Relic Event API object per line."
    )?;
    Ok(())
}
