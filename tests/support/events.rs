//! `charte`'s tracing events captured as text, for tests that read them: one
//! subscriber per test binary, installed by the first call.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

static EVENTS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        EVENTS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every event captured so far in this test binary, as text.
pub fn events() -> String {
    String::from_utf8_lossy(&EVENTS.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

/// Captures events with `filter` (`"charte=warn"`...) from now on; the first call in a
/// test binary wins.
pub fn capture_events_with(filter: &str) {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(|| Capture)
            .try_init();
    });
}
