//! A small synchronous Chrome DevTools Protocol client: one websocket to the browser,
//! request/response by id, page commands routed with a flattened `sessionId`. Events
//! are not subscribed to and are skipped; every read is bounded by a deadline.

use std::fmt;
use std::io::ErrorKind;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

/// How long one command may take before the browser is deemed stuck.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// What went wrong with a command.
#[derive(Debug)]
pub enum Error {
    /// The browser answered with an error (or the page script threw): often transient,
    /// e.g. "Execution context was destroyed" while a page navigates.
    Protocol(String),
    /// The connection failed, closed, or stayed silent past [`CALL_TIMEOUT`].
    Transport(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Protocol(message) => write!(f, "DevTools error: {message}"),
            Error::Transport(message) => write!(f, "DevTools connection: {message}"),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A connection to the browser's DevTools websocket.
pub struct Cdp {
    ws: WebSocket<TcpStream>,
    next_id: u64,
}

impl Cdp {
    /// Connects to `ws://127.0.0.1:{port}{path}` (`path` from `DevToolsActivePort`).
    pub fn connect(port: u16, path: &str) -> Result<Cdp> {
        let transport = |e: &dyn fmt::Display| Error::Transport(format!("{path}: {e}"));
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let stream =
            TcpStream::connect_timeout(&address, CALL_TIMEOUT).map_err(|e| transport(&e))?;
        // Blocking reads for the handshake, then short slices so a deadline can be checked.
        stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .map_err(|e| transport(&e))?;
        stream
            .set_write_timeout(Some(CALL_TIMEOUT))
            .map_err(|e| transport(&e))?;
        let url = format!("ws://127.0.0.1:{port}{path}");
        let (ws, _) = tungstenite::client(url.as_str(), stream).map_err(|e| transport(&e))?;
        ws.get_ref()
            .set_read_timeout(Some(Duration::from_millis(100)))
            .map_err(|e| transport(&e))?;
        Ok(Cdp { ws, next_id: 0 })
    }

    /// Sends `method` (to the page attached as `session`, or to the browser itself) and
    /// waits for its answer: the `result` object.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut request = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            request["sessionId"] = json!(session);
        }
        self.ws
            .send(Message::text(request.to_string()))
            .map_err(|e| Error::Transport(format!("sending {method}: {e}")))?;
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            if Instant::now() > deadline {
                return Err(Error::Transport(format!(
                    "no answer to {method} within {CALL_TIMEOUT:?}"
                )));
            }
            let message = match self.ws.read() {
                Ok(message) => message,
                // The read slice ran out: tungstenite keeps any partial frame, read again.
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    continue
                }
                Err(e) => return Err(Error::Transport(format!("waiting for {method}: {e}"))),
            };
            let Message::Text(text) = message else {
                continue; // pings (answered by tungstenite), pongs, binary frames
            };
            let answer: Value = serde_json::from_str(text.as_str())
                .map_err(|e| Error::Transport(format!("unreadable message {text}: {e}")))?;
            if answer["id"].as_u64() != Some(id) {
                continue; // an event, or the answer to an earlier call given up on
            }
            if let Some(error) = answer.get("error") {
                return Err(Error::Protocol(format!("{method}: {error}")));
            }
            return Ok(answer["result"].clone());
        }
    }

    /// Asks the browser to close, without waiting for an answer (it may not send one).
    pub fn close_browser(&mut self) {
        self.next_id += 1;
        let request = json!({ "id": self.next_id, "method": "Browser.close" });
        let _ = self.ws.send(Message::text(request.to_string()));
    }

    /// Evaluates a JavaScript expression in the page and returns its value (JSON).
    pub fn evaluate(&mut self, session: &str, expression: &str) -> Result<Value> {
        let params = json!({ "expression": expression, "returnByValue": true });
        let result = self.call(Some(session), "Runtime.evaluate", params)?;
        if let Some(exception) = result.get("exceptionDetails") {
            let description = &exception["exception"]["description"];
            return Err(Error::Protocol(format!(
                "`{expression}` threw: {}",
                description.as_str().unwrap_or(&exception.to_string())
            )));
        }
        Ok(result["result"]["value"].clone())
    }

    /// A real left click at viewport coordinates: move, press, release.
    pub fn click_at(&mut self, session: &str, x: f64, y: f64) -> Result<()> {
        for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
            let mut params = json!({ "type": kind, "x": x, "y": y, "buttons": buttons });
            if kind != "mouseMoved" {
                params["button"] = json!("left");
                params["clickCount"] = json!(1);
            }
            self.call(Some(session), "Input.dispatchMouseEvent", params)?;
        }
        Ok(())
    }

    /// Every cookie in the browser's (default context's) cookie store.
    pub fn all_cookies(&mut self) -> Result<Vec<Cookie>> {
        let result = self.call(None, "Storage.getCookies", json!({}))?;
        let cookies = result["cookies"].as_array().cloned().unwrap_or_default();
        Ok(cookies
            .iter()
            .map(|cookie| Cookie {
                name: cookie["name"].as_str().unwrap_or_default().to_owned(),
                value: cookie["value"].as_str().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// Opens a new tab on `url` and attaches to it; returns the page's session id.
    pub fn open_page(&mut self, url: &str) -> Result<String> {
        let target = self.call(None, "Target.createTarget", json!({ "url": url }))?;
        let target_id = target["targetId"].clone();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        )?;
        attached["sessionId"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Protocol(format!("attachToTarget gave no session: {attached}")))
    }
}

/// A cookie as the browser stores it.
#[derive(Debug, Clone)]
pub struct Cookie {
    pub name: String,
    pub value: String,
}
