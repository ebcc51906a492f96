//! The video side of the views: what a video-generation request asked for, and what the job
//! produced, as an invocation log reports it — never the video itself.

use serde::Serialize;

/// The settings of a video-generation request, as its body gave them. `None` means unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VideoParams {
    /// Length asked for, in seconds (Nova Reel `durationSeconds`, Luma Ray `duration: "5s"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// Frames per second (Nova Reel `fps`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fps: Option<u64>,
    /// The frame size as the body names it: `1280x720` (Nova Reel `dimension`) or a resolution
    /// class such as `720p` (Luma Ray `resolution`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    /// Aspect ratio, where the body names one (Luma Ray `aspect_ratio`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
}

impl VideoParams {
    /// Whether the body set none of them (every request but a video generation's).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Reads a duration written as seconds: `6`, `"6"`, or Luma's `"5s"`.
    pub fn parse_seconds(text: &str) -> Option<u64> {
        let text = text.trim();
        text.strip_suffix('s').unwrap_or(text).trim().parse().ok()
    }
}

/// The video a job produced, as the invocation log's `output.outputVideo` reports it: where it
/// went and its shape. A live `StartAsyncInvoke` returns before the video exists, so its record
/// has none.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VideoStats {
    /// Videos produced.
    pub count: u64,
    /// Their length in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// Frames per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fps: Option<f64>,
    /// Width in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u64>,
    /// Height in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Where the video was written (`s3://…`): a location, not the video.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::VideoParams;

    #[test]
    fn durations_read_as_seconds_in_every_spelling() {
        assert_eq!(VideoParams::parse_seconds("6"), Some(6));
        assert_eq!(VideoParams::parse_seconds("5s"), Some(5));
        assert_eq!(VideoParams::parse_seconds(" 9 s "), Some(9));
        assert_eq!(VideoParams::parse_seconds("five"), None);
        assert_eq!(VideoParams::parse_seconds("-1s"), None);
    }
}
