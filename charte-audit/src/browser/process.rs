//! Starting Chromium headless on a throwaway profile and finding its DevTools endpoint.
//! The process is killed and its profile removed on drop, which also runs when a test
//! panics.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::Error;

/// How long Chromium may take to start and publish its DevTools port (a cold start on a
/// busy 2-core machine takes a few seconds).
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// The flags of every launch: headless, runs as root in containers (`--no-sandbox`), and
/// nothing that talks to the network behind the page's back (which would add cookies and
/// requests that are not the site's). QUIC is off so every response goes through the
/// HTTP stack whose `Set-Cookie` lines DevTools reports.
pub(crate) const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
];

/// A running Chromium.
pub(crate) struct Process {
    child: Child,
    /// Holds the profile (`profile/`) and the browser's stderr (`chromium.log`).
    dir: PathBuf,
    pub port: u16,
    pub ws_path: String,
}

impl Process {
    /// Starts `executable` with [`FLAGS`], `extra` flags and a fresh profile, and waits
    /// for `DevToolsActivePort`.
    pub fn start(executable: &Path, extra: &[String]) -> Result<Process, Error> {
        let launch = |what: &str, e: &dyn std::fmt::Display| {
            Error::Launch(format!("{what} ({}): {e}", executable.display()))
        };
        let dir = fresh_dir();
        let profile = dir.join("profile");
        fs::create_dir_all(&profile).map_err(|e| launch("creating the profile", &e))?;
        let log = fs::File::create(dir.join("chromium.log"))
            .map_err(|e| launch("creating chromium.log", &e))?;
        let child = Command::new(executable)
            .args(FLAGS)
            .args(extra)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                return Err(launch("starting the browser", &e));
            }
        };
        // From here on, Drop kills the browser whatever happens.
        let mut process = Process {
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
                        process.port = port;
                        process.ws_path = path.trim().to_owned();
                        return Ok(process);
                    }
                }
            }
            if let Ok(Some(status)) = process.child.try_wait() {
                return Err(Error::Launch(format!(
                    "{} exited ({status}) before opening DevTools:\n{}",
                    executable.display(),
                    process.log()
                )));
            }
            if Instant::now() > deadline {
                return Err(Error::Launch(format!(
                    "{} wrote no DevToolsActivePort within {LAUNCH_TIMEOUT:?}:\n{}",
                    executable.display(),
                    process.log()
                )));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The last lines the browser printed, for error messages.
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
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    }
}

impl Drop for Process {
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
