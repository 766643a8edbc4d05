//! The DevTools protocol connection: one websocket to the browser, commands answered by
//! id, page commands routed with a flattened `sessionId`, events handed to whoever
//! subscribed to them.
//!
//! Why not `chromiumoxide` (0.9.1, measured here on 2026-11-29): it does drive this
//! machine's Chromium 156 (navigation, `Runtime.evaluate`, `Storage.getCookies`,
//! `Network.responseReceivedExtraInfo` all worked in a probe), but it is async only
//! (every browser test would need a runtime) and its build costs 139 crates, 2 min 16 s
//! wall / 81 s CPU for a debug build, 2.4 GB peak memory and 916 MB of `target/` on
//! these 2 shared cores, for the dozen methods the audit and the tests call, which are
//! plain JSON here over the `tungstenite` the workspace already had.
//!
//! One thread reads the socket and routes each message; callers write through a second
//! handle on the same TCP stream, so a command is sent at once even while the reader
//! waits. Every wait is bounded.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};

use super::Error;

/// How long one command may take before the browser is deemed stuck.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// An event the browser sent: `method` (e.g. `Network.responseReceivedExtraInfo`), its
/// `params`, and the session (tab) it came from (`None`: the browser itself).
#[derive(Debug, Clone)]
pub struct Event {
    /// The event's name, `Domain.event`.
    pub method: String,
    /// Its parameters, as the protocol documents them.
    pub params: Value,
    /// The flattened session it belongs to.
    pub session: Option<String>,
}

struct Subscription {
    session: Option<String>,
    methods: Vec<String>,
    sender: Sender<Event>,
}

type Pending = HashMap<u64, Sender<Result<Value, Error>>>;

/// What the reader thread and the callers share.
struct Shared {
    pending: Mutex<Pending>,
    subscriptions: Mutex<Vec<Subscription>>,
    /// Set when the socket closed: later calls fail at once.
    closed: AtomicBool,
}

/// A connection to the browser's DevTools websocket. Cheap to share (`Arc`).
pub(crate) struct Connection {
    writer: Mutex<WebSocket<TcpStream>>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
}

impl Connection {
    /// Connects to `ws://127.0.0.1:{port}{path}` (`path` from `DevToolsActivePort`).
    pub fn connect(port: u16, path: &str) -> Result<Connection, Error> {
        let transport = |e: &dyn std::fmt::Display| Error::Transport(format!("{path}: {e}"));
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let stream =
            TcpStream::connect_timeout(&address, CALL_TIMEOUT).map_err(|e| transport(&e))?;
        stream.set_nodelay(true).map_err(|e| transport(&e))?;
        stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .map_err(|e| transport(&e))?;
        stream
            .set_write_timeout(Some(CALL_TIMEOUT))
            .map_err(|e| transport(&e))?;
        let url = format!("ws://127.0.0.1:{port}{path}");
        let write_half = stream.try_clone().map_err(|e| transport(&e))?;
        let (reader, _) = tungstenite::client(url.as_str(), stream).map_err(|e| transport(&e))?;
        // The reader wakes up now and then to notice that the connection was dropped.
        reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)))
            .map_err(|e| transport(&e))?;
        // The handshake is done: a second, client-role handle frames (and masks) what we
        // send. Chromium never pings, so the reader never writes and the two never mix.
        let writer = WebSocket::from_raw_socket(write_half, Role::Client, None);
        let shared = Arc::new(Shared {
            pending: Mutex::new(HashMap::new()),
            subscriptions: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        });
        let for_reader = Arc::downgrade(&shared);
        thread::Builder::new()
            .name("charte-cdp".into())
            .spawn(move || read_loop(reader, &for_reader))
            .map_err(|e| transport(&e))?;
        Ok(Connection {
            writer: Mutex::new(writer),
            shared,
            next_id: AtomicU64::new(0),
        })
    }

    /// Sends `method` to `session` (or to the browser) and waits up to `timeout` for its
    /// `result`.
    pub fn call_within(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, Error> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(Error::Transport(format!(
                "{method}: the browser connection is closed"
            )));
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (sender, receiver) = mpsc::channel();
        lock(&self.shared.pending).insert(id, sender);
        let mut request = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            request["sessionId"] = json!(session);
        }
        let sent = lock(&self.writer).send(Message::text(request.to_string()));
        if let Err(e) = sent {
            lock(&self.shared.pending).remove(&id);
            return Err(Error::Transport(format!("sending {method}: {e}")));
        }
        match receiver.recv_timeout(timeout) {
            Ok(answer) => answer,
            Err(RecvTimeoutError::Timeout) => {
                lock(&self.shared.pending).remove(&id);
                Err(Error::Timeout(format!(
                    "no answer to {method} within {timeout:?}"
                )))
            }
            Err(RecvTimeoutError::Disconnected) => Err(Error::Transport(format!(
                "{method}: the browser connection closed"
            ))),
        }
    }

    /// Sends without waiting for an answer (`Browser.close` may not send one).
    pub fn send_only(&self, method: &str) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let request = json!({ "id": id, "method": method });
        let _ = lock(&self.writer).send(Message::text(request.to_string()));
    }

    /// Delivers every later event named in `methods` from `session` to the returned
    /// receiver. Dropping the receiver ends the subscription.
    pub fn subscribe(&self, session: Option<&str>, methods: &[&str]) -> Receiver<Event> {
        let (sender, receiver) = mpsc::channel();
        lock(&self.shared.subscriptions).push(Subscription {
            session: session.map(str::to_owned),
            methods: methods.iter().map(|m| (*m).to_owned()).collect(),
            sender,
        });
        receiver
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Release);
        let _ = lock(&self.writer).close(None);
    }
}

/// A poisoned lock only means another thread panicked mid-update of a map of channels,
/// which stays usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads until the socket closes or the connection is dropped, routing each message.
fn read_loop(mut reader: WebSocket<TcpStream>, shared: &std::sync::Weak<Shared>) {
    let end = loop {
        let message = match reader.read() {
            Ok(message) => message,
            // The read slice ran out: tungstenite keeps any partial frame, read again
            // unless nobody holds the connection any more.
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                match shared.upgrade() {
                    Some(shared) if !shared.closed.load(Ordering::Acquire) => continue,
                    _ => return,
                }
            }
            Err(e) => break e.to_string(),
        };
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let Message::Text(text) = message else {
            if let Message::Close(_) = message {
                break "the browser closed the connection".to_owned();
            }
            continue; // pongs, binary frames
        };
        let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else {
            continue; // not JSON: nothing can be waiting for it
        };
        route(&shared, message);
    };
    if let Some(shared) = shared.upgrade() {
        shared.closed.store(true, Ordering::Release);
        // Wake every caller still waiting: their answer will not come.
        for (_, sender) in lock(&shared.pending).drain() {
            let _ = sender.send(Err(Error::Transport(end.clone())));
        }
        lock(&shared.subscriptions).clear();
    }
}

fn route(shared: &Shared, mut message: Value) {
    if let Some(id) = message.get("id").and_then(Value::as_u64) {
        let Some(sender) = lock(&shared.pending).remove(&id) else {
            return; // an answer given up on
        };
        let answer = match message.get("error") {
            Some(error) => Err(Error::Protocol(error.to_string())),
            None => Ok(message["result"].take()),
        };
        let _ = sender.send(answer);
        return;
    }
    let Some(method) = message.get("method").and_then(Value::as_str) else {
        return;
    };
    let method = method.to_owned();
    let session = message
        .get("sessionId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let session = session.as_deref();
    let method = method.as_str();
    let mut subscriptions = lock(&shared.subscriptions);
    let wanted =
        |s: &Subscription| s.session.as_deref() == session && s.methods.iter().any(|m| m == method);
    if !subscriptions.iter().any(wanted) {
        return;
    }
    let event = Event {
        method: method.to_owned(),
        params: message["params"].take(),
        session: session.map(str::to_owned),
    };
    // A closed receiver ends its subscription.
    subscriptions.retain(|s| !wanted(s) || s.sender.send(event.clone()).is_ok());
}

/// Waits for the next event on `events` until `deadline`.
pub(crate) fn next_before(events: &Receiver<Event>, deadline: Instant) -> Option<Event> {
    let left = deadline.saturating_duration_since(Instant::now());
    events.recv_timeout(left).ok()
}
