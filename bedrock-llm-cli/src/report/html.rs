//! The report as one self-contained HTML page: inline CSS, charts drawn as inline SVG, the
//! tables, and a few lines of inline script that check, once the page is laid out, that every
//! chart drew and nothing was fetched (the page's `data-` attributes say so, for a browser test).
//! A Content-Security-Policy forbids every network load, so a page that tried would say so.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::spend::{Figures, Spend};
use super::terminal::{group_digits, money_text};

/// Text safe inside HTML elements and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2733;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px}
.total{font-size:36px;font-weight:600;margin:8px 0}
.note{color:#5c6b7a} .grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.chart{border:1px solid #dde3ea;border-radius:6px;padding:8px;background:#fafbfc}
.chart h3{font-size:13px;margin:0 0 6px;color:#3b4a59}
table{border-collapse:collapse;margin-top:6px} th,td{padding:3px 10px;text-align:right}
th:first-child,td:first-child{text-align:left;max-width:520px;overflow-wrap:anywhere}
thead th{border-bottom:1px solid #c5ced8} tbody tr:nth-child(odd){background:#f4f6f8}
svg text{font:11px system-ui,sans-serif;fill:#3b4a59} .bar{fill:#3a7bd5} .lat{fill:#2e9c6a}";

/// Checks what a browser made of the page and writes it on `<body>`: charts drawn (an SVG with
/// marks and a laid-out box), resources fetched, script errors and refused loads.
const CHECK: &str = "
(function(){var errors=0,refused=0;
window.addEventListener('error',function(){errors++;});
document.addEventListener('securitypolicyviolation',function(){refused++;});
window.addEventListener('load',function(){
var drawn=0;document.querySelectorAll('svg.chart-svg').forEach(function(s){
var b=s.getBBox();if(b.width>0&&b.height>0&&s.querySelectorAll('rect,path').length>0)drawn++;});
var d=document.body.dataset;d.charts=document.querySelectorAll('svg.chart-svg').length;
d.drawn=drawn;d.requests=performance.getEntriesByType('resource').length;
d.errors=errors;d.refused=refused;d.checked='yes';});})();";

/// The page.
pub(crate) fn page(spend: &Spend, json: &Value, top: usize) -> String {
    let mut html = String::with_capacity(64 * 1024);
    let total = spend.total.usd.dollars_and_cents();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <title>Bedrock spend {}</title><style>{STYLE}</style></head><body>\
         <h1>Bedrock spend</h1><div class=\"total\" id=\"total\">{}</div>\
         <p class=\"note\">An <strong>estimate</strong> from list prices (price table {}): \
         credits, private pricing and reserved capacity are not visible here. {} calls, {} \
         errors, {} throttled; caching saved {}.</p>",
        escape(&total),
        escape(&total),
        escape(json["price_table"].as_str().unwrap_or("")),
        group_digits(spend.total.calls),
        group_digits(spend.total.errors),
        group_digits(spend.total.throttles),
        escape(&money_text(&json["cache_savings_usd"])),
    );
    html.push_str("<div class=\"grid\">");
    let days: Vec<(String, u64)> = spend
        .by_day
        .iter()
        .map(|(day, f)| (day.clone(), f.usd.nanos()))
        .collect();
    chart(&mut html, "Spend over time (per day)", &columns(&days));
    chart(
        &mut html,
        "Spend by model",
        &bars(&ranked(&spend.by_model, top)),
    );
    chart(
        &mut html,
        "Spend by principal",
        &bars(&ranked(&spend.by_principal, top)),
    );
    chart(
        &mut html,
        "Latency distribution (calls per ms bucket)",
        &histogram(&spend.latency.sorted()),
    );
    html.push_str("</div>");
    let latency = &json["latency_ms"];
    let first = &json["time_to_first_token_ms"];
    let _ = write!(
        html,
        "<h2>Latency</h2><table><thead><tr><th></th><th>calls</th><th>p50</th><th>p95</th>\
         <th>p99</th></tr></thead><tbody><tr><td>call (ms)</td>{}</tr>\
         <tr><td>first token, streams (ms)</td>{}</tr></tbody></table>",
        percentile_cells(latency),
        percentile_cells(first),
    );
    for (title, groups) in [
        ("By model", &spend.by_model),
        ("By principal", &spend.by_principal),
        ("By tag (requestMetadata)", &spend.by_metadata),
        ("By day", &spend.by_day),
    ] {
        table(&mut html, title, groups, top);
    }
    if !spend.unpriced.is_empty() {
        html.push_str("<h2>Unpriced (no cost counted)</h2><table><tbody>");
        for (model, (calls, reason)) in &spend.unpriced {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{calls} calls</td><td>{}</td></tr>",
                escape(model),
                escape(reason)
            );
        }
        html.push_str("</tbody></table>");
    }
    let _ = writeln!(html, "<script>{CHECK}</script></body></html>");
    html
}

/// A percentile row's cells: `—` where no call says.
fn percentile_cells(figures: &Value) -> String {
    let mut cells = format!("<td>{}</td>", figures["count"]);
    for key in ["p50", "p95", "p99"] {
        match figures[key].as_u64() {
            Some(ms) => {
                let _ = write!(cells, "<td>{}</td>", group_digits(ms));
            }
            None => cells.push_str("<td>—</td>"),
        }
    }
    cells
}

/// The `top` groups by spend, as (label, nano-dollars).
fn ranked(groups: &BTreeMap<String, Figures>, top: usize) -> Vec<(String, u64)> {
    let mut rows: Vec<(String, u64)> = groups
        .iter()
        .map(|(key, f)| (key.clone(), f.usd.nanos()))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(top);
    rows
}

fn chart(html: &mut String, title: &str, svg: &str) {
    let _ = write!(
        html,
        "<div class=\"chart\"><h3>{}</h3>{svg}</div>",
        escape(title)
    );
}

/// A bar's length for `value` of `max` in `room` pixels; a non-zero value shows at least 1.
fn scale(value: u64, max: u64, room: f64) -> f64 {
    if max == 0 || value == 0 {
        return 0.0;
    }
    (value as f64 / max as f64 * room).max(1.0)
}

fn usd_label(nanos: u64) -> String {
    bedrock_llm_events::cost::Usd::from_nanos(nanos).short()
}

/// A label that fits a chart: a long one keeps its end (an ARN's role, a model's version).
fn fit(label: &str, chars: usize) -> String {
    let count = label.chars().count();
    if count <= chars {
        return label.to_owned();
    }
    let tail: String = label.chars().skip(count - (chars - 1)).collect();
    format!("…{tail}")
}

/// Horizontal bars with labels: spend by a key.
fn bars(rows: &[(String, u64)]) -> String {
    let height = 22 * rows.len().max(1) + 8;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let mut svg = format!(
        "<svg class=\"chart-svg\" width=\"560\" height=\"{height}\" viewBox=\"0 0 560 {height}\" \
         role=\"img\">"
    );
    // An axis line, so a chart of zeros still draws something.
    let _ = write!(
        svg,
        "<rect x=\"220\" y=\"0\" width=\"1\" height=\"{height}\" fill=\"#c5ced8\"/>"
    );
    for (index, (label, nanos)) in rows.iter().enumerate() {
        let y = 4 + index * 22;
        let short = fit(label, 34);
        let _ = write!(
            svg,
            "<text x=\"214\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"221\" y=\"{y}\" width=\"{:.1}\" height=\"16\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{}\">{}</text>",
            y + 12,
            escape(&short),
            scale(*nanos, max, 250.0),
            escape(label),
            usd_label(*nanos),
            226.0 + scale(*nanos, max, 250.0),
            y + 12,
            usd_label(*nanos),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical columns in order: spend per day.
fn columns(rows: &[(String, u64)]) -> String {
    let count = rows.len().max(1);
    let step = (520 / count).clamp(6, 60);
    let width = 40 + step * count;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let mut svg = format!(
        "<svg class=\"chart-svg\" width=\"{width}\" height=\"200\" viewBox=\"0 0 {width} 200\" role=\"img\">\
         <rect x=\"30\" y=\"170\" width=\"{}\" height=\"1\" fill=\"#c5ced8\"/>",
        width - 30
    );
    for (index, (day, nanos)) in rows.iter().enumerate() {
        let h = scale(*nanos, max, 150.0);
        let x = 34 + index * step;
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{x}\" y=\"{:.1}\" width=\"{}\" height=\"{h:.1}\"><title>{}: {}</title></rect>",
            170.0 - h,
            step.saturating_sub(4).max(2),
            escape(day),
            usd_label(*nanos)
        );
        if count <= 12 || index % (count / 6).max(1) == 0 {
            let _ = write!(
                svg,
                "<text x=\"{x}\" y=\"186\">{}</text>",
                escape(day.get(5..).unwrap_or(day))
            );
        }
    }
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"14\">{}</text></svg>",
        usd_label(max)
    );
    svg
}

/// Calls per latency bucket (edges doubling from 100 ms); a note when no call has a latency.
fn histogram(sorted: &[u32]) -> String {
    const EDGES: [u32; 9] = [100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600];
    let mut counts = [0u64; EDGES.len() + 1];
    for &ms in sorted {
        let bucket = EDGES
            .iter()
            .position(|&edge| ms < edge)
            .unwrap_or(EDGES.len());
        counts[bucket] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    let mut svg = String::from(
        "<svg class=\"chart-svg\" width=\"560\" height=\"200\" viewBox=\"0 0 560 200\" role=\"img\">\
         <rect x=\"10\" y=\"170\" width=\"540\" height=\"1\" fill=\"#c5ced8\"/>",
    );
    if sorted.is_empty() {
        svg.push_str("<text x=\"20\" y=\"90\">No call in these records has a latency.</text>");
    }
    let seconds = |ms: u32| format!("{}s", f64::from(ms) / 1000.0);
    for (index, count) in counts.iter().enumerate() {
        let h = scale(*count, max, 150.0);
        let x = 12 + index * 54;
        let label = match EDGES.get(index) {
            Some(&edge) => format!("<{}", seconds(edge)),
            None => format!("≥{}", seconds(EDGES[EDGES.len() - 1])),
        };
        let _ = write!(
            svg,
            "<rect class=\"lat\" x=\"{x}\" y=\"{:.1}\" width=\"46\" height=\"{h:.1}\"><title>{label}: {count} calls</title></rect>\
             <text x=\"{x}\" y=\"186\">{}</text>",
            170.0 - h,
            escape(&label)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn table(html: &mut String, title: &str, groups: &BTreeMap<String, Figures>, top: usize) {
    if groups.is_empty() {
        return;
    }
    let _ = write!(
        html,
        "<h2>{}</h2><table><thead><tr><th></th><th>USD</th><th>calls</th><th>errors</th>\
         <th>throttles</th><th>input tokens</th><th>output tokens</th><th>cache read</th>\
         <th>cache write</th></tr></thead><tbody>",
        escape(title)
    );
    let mut rows: Vec<(&String, &Figures)> = groups.iter().collect();
    rows.sort_by(|a, b| b.1.usd.cmp(&a.1.usd).then(b.1.calls.cmp(&a.1.calls)));
    for (key, f) in rows.iter().take(top) {
        let usd = if f.priced > 0 {
            f.usd.short()
        } else {
            "unpriced".to_owned()
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            escape(key),
            escape(&usd),
            group_digits(f.calls),
            group_digits(f.errors),
            group_digits(f.throttles),
            group_digits(f.input_tokens),
            group_digits(f.output_tokens),
            group_digits(f.cache_read_tokens),
            group_digits(f.cache_write_tokens),
        );
    }
    if rows.len() > top {
        let _ = write!(
            html,
            "<tr><td colspan=\"9\">… {} more in the JSON report</td></tr>",
            rows.len() - top
        );
    }
    html.push_str("</tbody></table>");
}
