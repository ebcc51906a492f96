//! A body a builder holds until it reads it.

use bytes::Bytes;

/// A captured body: bytes shared with whoever produced them, or a copy in a buffer the builder
/// owns, which keeps its capacity when the builder is reused (see [`SpareBuilders`]).
#[derive(Debug, Default)]
pub(super) struct BodySlot {
    shared: Option<Bytes>,
    pub(super) copy: Vec<u8>,
    copied: bool,
}

impl BodySlot {
    pub(super) fn share(&mut self, body: Bytes) {
        self.shared = Some(body);
        self.copied = false;
    }

    pub(super) fn copy_from(&mut self, body: &[u8]) {
        self.shared = None;
        self.copy.clear();
        self.copy.extend_from_slice(body);
        self.copied = true;
    }

    pub(super) fn get(&self) -> Option<&[u8]> {
        match &self.shared {
            Some(body) => Some(body),
            None => self.copied.then_some(self.copy.as_slice()),
        }
    }

    /// Empty again; the copy buffer keeps its capacity.
    pub(super) fn clear(&mut self) {
        self.shared = None;
        self.copy.clear();
        self.copied = false;
    }
}
