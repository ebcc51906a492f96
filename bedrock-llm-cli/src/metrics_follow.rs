//! `metrics pull --follow`: reads each period once it is complete — `--lag` after its end, as
//! CloudWatch settles late data — prints and delivers it, and with `--state` checkpoints the
//! periods done only after every destination has them: a follower stopped and restarted with
//! the same state pulls no period twice and skips none. A signal ends it between batches, with
//! status 0.

use std::time::{Duration, Instant};

use bedrock_llm_events::pulled::MetricPoint;

use crate::metrics_args::PullArgs;
use crate::output::Stop;
use crate::state::State;

/// Where the state keeps the first period not yet pulled (ms since the epoch).
const STATE_KEY: &str = "cloudwatch-metrics:AWS/Bedrock";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Reads the points from a start to an end (ms) per period (s).
pub(crate) type Read<'a> = dyn Fn(i64, i64, i32) -> Result<Vec<MetricPoint>, Stop> + 'a;
/// Prints and delivers one batch (problems to the list); `true` once every destination has it.
pub(crate) type Emit<'a> = dyn FnMut(&[MetricPoint], &mut Vec<String>) -> Result<bool, Stop> + 'a;

/// Follows until a signal, `--idle-exit`, or `--until` is reached.
pub(crate) fn run(
    args: &PullArgs,
    read: &Read<'_>,
    more: &mut Vec<String>,
    emit: &mut Emit<'_>,
) -> Result<(), Stop> {
    let period = args.window.period;
    let period_ms = i64::from(period) * 1000;
    let align = |ms: i64| ms.div_euclid(period_ms) * period_ms;
    let until = args.window.until_ms()?;
    let mut state = args.state.as_deref().map(State::load).transpose()?;
    let saved = state
        .as_ref()
        .and_then(|s| s.version_of(STATE_KEY))
        .and_then(|v| v.parse::<i64>().ok());
    let mut next = match saved {
        Some(next) => next,
        None => align(args.window.bounds()?.0),
    };
    let lag_ms = i64::try_from(args.lag.saturating_mul(1000)).unwrap_or(i64::MAX);
    let interrupt = crate::signals::Interrupt::listen();
    let mut last_news = Instant::now();
    let idle = args.idle_exit.map(Duration::from_secs);
    loop {
        // Only whole periods that ended `--lag` ago.
        let horizon = align(now_ms().saturating_sub(lag_ms));
        let end = until.map_or(horizon, |until| align(until).min(horizon));
        if end > next {
            let points = read(next, end, period)?;
            if !points.is_empty() {
                last_news = Instant::now();
            }
            if emit(&points, more)? {
                next = end;
                if let Some(state) = state.as_mut() {
                    state.mark_done(STATE_KEY, &next.to_string())?;
                }
            }
        }
        let done = until.is_some_and(|until| next >= align(until));
        if done || interrupt.asked() || idle.is_some_and(|idle| last_news.elapsed() >= idle) {
            return Ok(());
        }
        let wake = Instant::now() + Duration::from_secs(args.poll.max(1));
        while Instant::now() < wake
            && !interrupt.asked()
            && idle.is_none_or(|idle| last_news.elapsed() < idle)
        {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
