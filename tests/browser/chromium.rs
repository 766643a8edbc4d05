//! Launching Debian's headless Chromium on a throwaway profile, and finding its
//! DevTools endpoint. The browser is killed and its profile removed on drop, which
//! also runs when a test panics.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Debian's package; `.ci/run` installs it when missing.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long Chromium may take to start and publish its DevTools port (a cold start
/// on a busy 2-core machine takes a few seconds).
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// A running headless Chromium.
pub struct Chromium {
    child: Child,
    /// Holds the profile (`profile/`) and the browser's stderr (`chromium.log`).
    dir: PathBuf,
    /// The DevTools port and the browser websocket's path.
    pub port: u16,
    pub ws_path: String,
}

impl Chromium {
    /// Starts Chromium with a fresh profile and waits for `DevToolsActivePort`.
    /// Panics, saying what to do, when Chromium is not installed.
    pub fn launch() -> Chromium {
        assert!(
            Path::new(CHROMIUM).exists(),
            "{CHROMIUM} is missing: the browser test drives Debian's Chromium. \
             Install it with `apt-get install -y chromium` (.ci/run does so on CI)."
        );
        let dir = fresh_dir();
        let profile = dir.join("profile");
        fs::create_dir_all(&profile).expect("creating the browser profile directory");
        let log = fs::File::create(dir.join("chromium.log")).expect("creating chromium.log");
        let child = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {CHROMIUM}: {e}"));
        // From here on, Drop kills the browser whatever happens.
        let mut chromium = Chromium {
            child,
            dir,
            port: 0,
            ws_path: String::new(),
        };
        let active_port = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + LAUNCH_TIMEOUT;
        loop {
            // Chromium writes the file whole, but check for both lines anyway.
            if let Ok(text) = fs::read_to_string(&active_port) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    if let Ok(port) = port.trim().parse() {
                        chromium.port = port;
                        chromium.ws_path = path.trim().to_owned();
                        return chromium;
                    }
                }
            }
            if let Ok(Some(status)) = chromium.child.try_wait() {
                panic!(
                    "Chromium exited ({status}) before opening DevTools:\n{}",
                    chromium.log()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "Chromium wrote no {} within {LAUNCH_TIMEOUT:?}:\n{}",
                    active_port.display(),
                    chromium.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The end of what the browser printed, for failure messages.
    pub fn log(&self) -> String {
        let log = fs::read_to_string(self.dir.join("chromium.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Waits (bounded) for the browser to exit by itself, e.g. after `Browser.close`.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // Already exited: `kill` fails harmlessly. `wait` reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A new directory under the system temp dir, unique to this process and call.
fn fresh_dir() -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "charte-browser-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    dir
}
