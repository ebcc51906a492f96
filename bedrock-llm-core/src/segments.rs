//! Embeddings that arrive as a list of segments — one object per stretch of a video or audio
//! input, each holding its own vector (TwelveLabs Marengo's `data: [{embedding, startSec, …}]`) —
//! counted as the `embedding` role counts a list of vectors.

use serde::{Deserialize, Serialize};

use crate::extract::shapes::EmbeddingValue;
use crate::view::EmbeddingStats;

/// One segment of a segmented embedding response: its vector's length, when it has one.
/// Implement it for the segment type a body holds, and use [`Segments`] of it for the field.
pub trait EmbeddingSegment {
    /// The length of this segment's vector; `None` for a segment without one.
    fn dimensions(&self) -> Option<usize>;
}

/// A list of embedding segments, serialized as the plain JSON list it is. As an `embedding`
/// role it counts the segments that hold a vector, the first one's length as the dimensions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Segments<S>(pub Vec<S>);

impl<S: EmbeddingSegment> EmbeddingValue for Segments<S> {
    fn stats(&self) -> Option<EmbeddingStats> {
        let mut with_vector = self.0.iter().filter_map(EmbeddingSegment::dimensions);
        let dimensions = with_vector.next();
        let count = usize::from(dimensions.is_some()) + with_vector.count();
        Some(EmbeddingStats { count, dimensions })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Clip(Option<usize>);

    impl EmbeddingSegment for Clip {
        fn dimensions(&self) -> Option<usize> {
            self.0
        }
    }

    #[test]
    fn segments_count_those_with_a_vector_and_take_the_first_length() {
        let stats = Segments(vec![Clip(None), Clip(Some(1024)), Clip(Some(1024))]).stats();
        assert_eq!(
            stats,
            Some(EmbeddingStats {
                count: 2,
                dimensions: Some(1024)
            })
        );
        let empty = Segments::<Clip>(Vec::new()).stats();
        assert_eq!(
            empty,
            Some(EmbeddingStats {
                count: 0,
                dimensions: None
            })
        );
    }
}
