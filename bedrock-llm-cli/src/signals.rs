//! SIGINT and SIGTERM: the first asks the run to stop reading — what was read is delivered
//! within the grace period, checkpointed (`--state` records how far each source got) and
//! summed up, and the run exits non-zero; a second ends the process at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a stop was asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interrupt {
    asked: Arc<AtomicBool>,
}

impl Interrupt {
    /// Listens for SIGINT and SIGTERM. A second signal exits with 130 (SIGINT) or 143
    /// (SIGTERM) at once. Where signals cannot be listened for, no stop is ever asked.
    pub(crate) fn listen() -> Self {
        let interrupt = Self::default();
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM};
            use signal_hook::flag;
            for (signal, code) in [(SIGINT, 130), (SIGTERM, 143)] {
                // Registered first, so it runs first: it exits only when the flag is already set.
                let _ = flag::register_conditional_shutdown(signal, code, interrupt.asked.clone());
                let _ = flag::register(signal, interrupt.asked.clone());
            }
        }
        interrupt
    }

    /// Whether a stop was asked for.
    pub(crate) fn asked(&self) -> bool {
        self.asked.load(Ordering::Relaxed)
    }
}
