//! The sources a command reads, from its arguments: files and directories (walked), `-` for
//! stdin, `s3://BUCKET/PREFIX` (listed), `cloudwatch:LOG_GROUP` (a window of events, or a group
//! to follow). `replay` and `report` read the same way.

use std::sync::Arc;

use bedrock_llm_logs::S3Uri;
use bedrock_llm_logs::cloudwatch::LogGroup;
use bedrock_llm_logs::s3::HourRange;
use bedrock_llm_logs::{Listed, ReadItem, Source, list_sources};

use crate::output::Stop;
use crate::work::{GroupEvents, Unit};

/// How the arguments are read.
pub(crate) struct Wanted<'a> {
    /// The hours `--since`/`--until` name.
    pub(crate) range: &'a HourRange,
    /// `--log-stream-prefix`.
    pub(crate) stream_prefix: Option<&'a str>,
    /// `--follow`: log groups are followed, not read once.
    pub(crate) follow: bool,
    /// `--strict`: an unreadable source stops the command.
    pub(crate) strict: bool,
    /// AWS, connected on first use.
    pub(crate) aws: &'a crate::aws::Aws,
    /// Where notes go (above a progress line).
    pub(crate) note: &'a dyn Fn(&str),
}

/// What the arguments named.
#[derive(Default)]
pub(crate) struct Gathered {
    /// Read once, in argument order.
    pub(crate) units: Vec<Unit>,
    /// Log groups to follow (`--follow`).
    pub(crate) followed: Vec<LogGroup>,
    /// Sources that could not be listed or read.
    pub(crate) unreadable: Vec<String>,
}

/// The units `paths` name.
pub(crate) fn gather(paths: &[String], wanted: &Wanted<'_>) -> Result<Gathered, Stop> {
    let mut gathered = Gathered::default();
    let failed = |gathered: &mut Gathered, path: String, error: String| {
        if wanted.strict {
            return Err(Stop::Failed(format!("{error} (--strict)")));
        }
        (wanted.note)(&error);
        gathered.unreadable.push(path);
        Ok(())
    };
    for path in paths {
        if let Some(group) = LogGroup::parse(path) {
            let mut group = group.map_err(Stop::from)?;
            group.stream_prefix = wanted.stream_prefix.map(str::to_owned);
            if wanted.follow {
                gathered.followed.push(group);
                continue;
            }
            let (start, end) = wanted.range.bounds_ms();
            match wanted.aws.get()?.logs.events(&group, start, end) {
                Ok(events) => gathered.units.push(Unit::Events(Arc::new(GroupEvents {
                    group,
                    events,
                    checkpoint: None,
                }))),
                Err(error) => failed(&mut gathered, path.clone(), error.to_string())?,
            }
            continue;
        }
        if let Some(location) = S3Uri::parse(path) {
            match wanted.aws.get()?.s3.list(&location, wanted.range) {
                Ok(objects) => gathered.units.extend(objects.into_iter().map(Unit::Object)),
                Err(error) => failed(&mut gathered, path.clone(), error.to_string())?,
            }
            continue;
        }
        if path.starts_with("s3://") {
            return Err(format!("{path:?} is not an s3://BUCKET/PREFIX location").into());
        }
        for listed in list_sources([Source::parse(path)]) {
            match listed {
                Listed::Stdin => gathered.units.push(Unit::Stdin),
                Listed::File(file) => gathered.units.push(Unit::File(file)),
                Listed::Item(ReadItem::Unreadable { path, reason }) => {
                    let error = format!("cannot read {path}: {reason}");
                    failed(&mut gathered, path, error)?;
                }
                Listed::Item(ReadItem::Skipped(skip)) => (wanted.note)(&format!("skipped {skip}")),
                Listed::Item(ReadItem::Record(_)) => {}
            }
        }
    }
    Ok(gathered)
}
