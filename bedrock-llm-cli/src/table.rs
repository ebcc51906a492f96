//! The terminal rendering of a harvest: one row per call, then the metrics.

use std::io::{self, Write};

use bedrock_llm_events::names::{attr, event_type};
use bedrock_llm_events::{AttrValue, Harvest, LlmEvent};

/// The display width output may take: `COLUMNS` when set, else the terminal's; a pipe or a
/// file gets every column at its full width.
pub(crate) fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or_else(|| {
            console::Term::stdout()
                .size_checked()
                .map(|(_, columns)| usize::from(columns))
        })
        .unwrap_or(usize::MAX)
}

/// `text` on one line, trimmed, cut (with `…`) or padded to exactly `width` display columns:
/// wide characters count two, control characters become spaces.
pub(crate) fn cell(text: &str, width: usize) -> String {
    // Leading and trailing blanks (a completion starting with a space) would shift a column.
    let mut out = cut(text.trim(), width);
    let used: usize = out.chars().map(char_width).sum();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `text` on one line, cut (with `…`) to at most `width` display columns.
fn cut(text: &str, width: usize) -> String {
    let total: usize = text.chars().map(char_width).sum();
    let room = if total > width {
        width.saturating_sub(1)
    } else {
        width
    };
    let mut out = String::with_capacity(text.len().min(width.saturating_mul(4)));
    let mut used = 0;
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        let w = char_width(c);
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }
    if total > width && width > 0 {
        out.push('…');
    }
    out
}

fn char_width(c: char) -> usize {
    if c.is_control() {
        1
    } else {
        unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
    }
}

/// A column: its title, the narrowest it may get and the width it would like; optional ones
/// are left out, last first, when even the narrowest layout is too wide.
#[derive(Clone, Copy)]
struct Column {
    title: &'static str,
    min: usize,
    wanted: usize,
    optional: bool,
}

/// The widths of `columns` (`None`: left out) within `width`, one space between columns.
fn layout(columns: &[Column], width: usize) -> Vec<Option<usize>> {
    let mut widths: Vec<Option<usize>> = columns.iter().map(|c| Some(c.wanted)).collect();
    let total = |widths: &[Option<usize>]| -> usize {
        let shown: Vec<usize> = widths.iter().flatten().copied().collect();
        shown.iter().sum::<usize>() + shown.len().saturating_sub(1)
    };
    // Narrow the widest columns first, down to their minimums.
    while total(&widths) > width {
        let widest = widths
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                w.filter(|&w| w > columns[i].min)
                    .map(|w| (w - columns[i].min, i))
            })
            .max();
        match widest {
            Some((_, i)) => widths[i] = widths[i].map(|w| w - 1),
            None => break,
        }
    }
    // Then leave optional columns out, the last first.
    for i in (0..columns.len()).rev() {
        if total(&widths) <= width {
            break;
        }
        if columns[i].optional {
            widths[i] = None;
        }
    }
    widths
}

/// One row: the shown columns' cells, cut to `width` whatever happens.
fn row(cells: &[&str], widths: &[Option<usize>], width: usize) -> String {
    let line = cells
        .iter()
        .zip(widths)
        .filter_map(|(text, w)| w.map(|w| cell(text, w)))
        .collect::<Vec<_>>()
        .join(" ");
    cut(line.trim_end(), width)
}

fn text(event: &LlmEvent, key: &str) -> String {
    event.get(key).map(AttrValue::to_string).unwrap_or_default()
}

/// The calls' columns.
const CALLS: [Column; 7] = [
    Column {
        title: "path",
        min: 8,
        wanted: 18,
        optional: false,
    },
    Column {
        title: "model",
        min: 16,
        wanted: 44,
        optional: false,
    },
    Column {
        title: "event",
        min: 9,
        wanted: 9,
        optional: true,
    },
    Column {
        title: "tokens p/c/t",
        min: 8,
        wanted: 14,
        optional: true,
    },
    Column {
        title: "finish",
        min: 6,
        wanted: 14,
        optional: true,
    },
    Column {
        title: "ms",
        min: 7,
        wanted: 7,
        optional: true,
    },
    Column {
        title: "response (or error)",
        min: 12,
        wanted: 60,
        optional: false,
    },
];

/// The metrics' columns.
const METRICS: [Column; 3] = [
    Column {
        title: "metric",
        min: 20,
        wanted: 60,
        optional: false,
    },
    Column {
        title: "count",
        min: 7,
        wanted: 7,
        optional: false,
    },
    Column {
        title: "total / min / max ms",
        min: 10,
        wanted: 30,
        optional: true,
    },
];

/// Writes the harvest's calls and metrics as tables at most `width` display columns wide.
pub(crate) fn write(
    out: &mut impl Write,
    harvest: &Harvest,
    live: bool,
    width: usize,
) -> io::Result<()> {
    let calls = layout(&CALLS, width);
    let titles: Vec<&str> = CALLS.iter().map(|c| c.title).collect();
    let source = if live {
        "live Bedrock"
    } else {
        "the loopback emulator"
    };
    let fit = |text: &str| cut(text, width);
    writeln!(
        out,
        "{}\n",
        fit(&format!(
            "bedrock-llm demo: calls to {source}, recorded as LLM events"
        ))
    )?;
    let header = row(&titles, &calls, width);
    writeln!(out, "{header}")?;
    writeln!(out, "{}", "-".repeat(header.chars().count().max(1)))?;
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
            // Image generations and reranks answer with counts, not text.
            None if summary.get(attr::NUMBER_OF_IMAGES).is_some() => format!(
                "{} images, {} bytes{}",
                text(summary, attr::NUMBER_OF_IMAGES),
                text(summary, attr::IMAGE_RESPONSE_BYTES),
                summary
                    .get_str(attr::IMAGE_RESPONSE_ERROR)
                    .map(|error| format!(": {error}"))
                    .unwrap_or_default()
            ),
            None if summary.get(attr::RERANK_RESULTS).is_some() => format!(
                "{} of {} documents ranked, best {}",
                text(summary, attr::RERANK_RESULTS),
                text(summary, attr::RERANK_DOCUMENTS),
                text(summary, attr::RERANK_TOP_SCORE)
            ),
            // A video job answers with its id; the video comes later.
            None if summary.get(attr::VIDEO_REQUEST_DURATION).is_some()
                || summary.get(attr::VIDEO_REQUEST_DIMENSION).is_some() =>
            {
                format!(
                    "video job {}: {} s, {}",
                    text(summary, attr::RESPONSE_ID)
                        .rsplit('/')
                        .next()
                        .unwrap_or_default(),
                    text(summary, attr::VIDEO_REQUEST_DURATION),
                    text(summary, attr::VIDEO_REQUEST_DIMENSION)
                )
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
        let (path, model, finish) = (
            text(summary, "llm.demo.path"),
            text(summary, attr::REQUEST_MODEL),
            text(summary, attr::FINISH_REASON),
        );
        let cells = [
            path.as_str(),
            model.as_str(),
            kind,
            tokens.as_str(),
            finish.as_str(),
            duration.as_str(),
            detail.as_str(),
        ];
        writeln!(out, "{}", row(&cells, &calls, width))?;
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
        "\n{}\n",
        fit(&format!(
            "{} events: {} summaries, {} messages, {} embeddings; {} error reports",
            harvest.events.len(),
            count(event_type::SUMMARY),
            count(event_type::MESSAGE),
            count(event_type::EMBEDDING),
            harvest.error_reports.len()
        ))
    )?;
    let metrics = layout(&METRICS, width);
    let titles: Vec<&str> = METRICS.iter().map(|c| c.title).collect();
    let header = row(&titles, &metrics, width);
    writeln!(out, "{header}")?;
    writeln!(out, "{}", "-".repeat(header.chars().count().max(1)))?;
    for (name, data) in harvest.metrics.iter() {
        let timing = if data.total_ms > 0.0 {
            format!(
                "{:.1} / {:.1} / {:.1}",
                data.total_ms, data.min_ms, data.max_ms
            )
        } else {
            String::new()
        };
        let count = data.count.to_string();
        let cells = [name, count.as_str(), timing.as_str()];
        writeln!(out, "{}", row(&cells, &metrics, width))?;
    }
    writeln!(
        out,
        "\n{}",
        fit("Use --json for one New Relic Event API object per line.")
    )?;
    Ok(())
}
