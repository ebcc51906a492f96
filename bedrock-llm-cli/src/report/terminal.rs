//! The report as a table on the terminal: the totals, then one table per grouping, each cut
//! to the terminal's width (the first column gives way; the figures never do).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::Value;

use super::spend::{Figures, Spend};
use crate::table::{cell, terminal_width};

/// Widths of the figure columns: calls, errors, input, output, USD.
const FIGURES: [(&str, usize); 5] = [
    ("calls", 8),
    ("errors", 7),
    ("input tok", 11),
    ("output tok", 11),
    ("USD", 12),
];

pub(crate) fn write(
    out: &mut impl Write,
    spend: &Spend,
    json: &Value,
    top: usize,
) -> io::Result<()> {
    // A terminal's width; piped output as wide as its longest row needs.
    let width = terminal_width().max(40);
    let total = &spend.total;
    writeln!(
        out,
        "Bedrock spend — an ESTIMATE from list prices ({})",
        json["price_table"].as_str().unwrap_or("")
    )?;
    writeln!(
        out,
        "Total {} over {} ({}, {} throttled); caching saved {}",
        total.usd.dollars_and_cents(),
        plural(total.calls, "call"),
        plural(total.errors, "error"),
        group_digits(total.throttles),
        money_text(&json["cache_savings_usd"]),
    )?;
    writeln!(
        out,
        "Tokens: {} input, {} output, {} cache read, {} cache write{}",
        group_digits(total.input_tokens),
        group_digits(total.output_tokens),
        group_digits(total.cache_read_tokens),
        group_digits(total.cache_write_tokens),
        match total.images {
            0 => String::new(),
            n => format!("; {} images", group_digits(n)),
        }
    )?;
    for (label, key) in [
        ("Latency", "latency_ms"),
        ("Time to first token", "time_to_first_token_ms"),
    ] {
        let figures = &json[key];
        if figures["count"].as_u64().unwrap_or(0) > 0 {
            writeln!(
                out,
                "{label} ms: p50 {} · p95 {} · p99 {}",
                figures["p50"], figures["p95"], figures["p99"]
            )?;
        }
    }
    for (title, groups) in [
        ("model", &spend.by_model),
        ("principal", &spend.by_principal),
        ("tag (requestMetadata)", &spend.by_metadata),
        ("day", &spend.by_day),
    ] {
        if !groups.is_empty() {
            writeln!(out)?;
            section(out, title, groups, width, top)?;
        }
    }
    if !spend.unpriced.is_empty() {
        writeln!(out)?;
        writeln!(out, "Unpriced (no cost counted):")?;
        for (model, (calls, reason)) in &spend.unpriced {
            let line = format!("  {model} — {}: {reason}", plural(*calls, "call"));
            writeln!(out, "{}", cell(&line, width.min(line.len())).trim_end())?;
        }
    }
    Ok(())
}

fn section(
    out: &mut impl Write,
    title: &str,
    groups: &BTreeMap<String, Figures>,
    width: usize,
    top: usize,
) -> io::Result<()> {
    let figures_width: usize = FIGURES.iter().map(|(_, w)| w + 1).sum();
    let longest = groups
        .keys()
        .map(|k| unicode_width::UnicodeWidthStr::width(k.as_str()))
        .chain([title.len() + 3])
        .max()
        .unwrap_or(12);
    let first = width
        .saturating_sub(figures_width)
        .clamp(12, longest.max(12));
    let mut header = cell(&format!("By {title}"), first);
    for (name, w) in FIGURES {
        header.push_str(&format!(" {name:>w$}"));
    }
    writeln!(out, "{}", header.trim_end())?;
    // Biggest spend first, then most calls.
    let mut rows: Vec<(&String, &Figures)> = groups.iter().collect();
    rows.sort_by(|a, b| b.1.usd.cmp(&a.1.usd).then(b.1.calls.cmp(&a.1.calls)));
    for (key, figures) in rows.iter().take(top) {
        let usd = if figures.priced > 0 {
            figures.usd.short()
        } else {
            "unpriced".to_owned()
        };
        let values = [
            group_digits(figures.calls),
            group_digits(figures.errors),
            group_digits(figures.input_tokens),
            group_digits(figures.output_tokens),
            usd,
        ];
        let mut line = cell(key, first);
        for ((_, w), value) in FIGURES.iter().zip(values) {
            line.push_str(&format!(" {value:>w$}", w = *w));
        }
        writeln!(out, "{line}")?;
    }
    if rows.len() > top {
        writeln!(
            out,
            "… {} more (--top, or --format json for every row)",
            rows.len() - top
        )?;
    }
    Ok(())
}

/// `1 call`, `2 calls`.
pub(crate) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", group_digits(n))
    }
}

/// `1234567` as `1,234,567`.
pub(crate) fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A JSON dollar amount (possibly negative) as `$1.23` / `-$0.40`.
pub(crate) fn money_text(value: &Value) -> String {
    let amount = value.as_f64().unwrap_or(0.0);
    if amount < 0.0 {
        format!("-${:.2}", -amount)
    } else {
        format!("${amount:.2}")
    }
}
