//! A headless Chromium driven over the DevTools protocol: found in one place, launched
//! with one set of flags, shared by `charte audit` and every browser test.
//!
//! ```no_run
//! use charte_audit::browser::Browser;
//!
//! let browser = Browser::launch()?;
//! let page = browser.new_page()?;
//! page.navigate("http://127.0.0.1:3000/")?;
//! let title = page.evaluate("document.title")?;
//! for cookie in browser.cookies()? {
//!     println!("{} = {} (expires {:?})", cookie.name, cookie.value, cookie.expires);
//! }
//! # let _ = title;
//! # Ok::<(), charte_audit::browser::Error>(())
//! ```
//!
//! Tests use [`Browser::for_test`], which skips loudly when no browser is installed,
//! unless `CHARTE_REQUIRE_BROWSER=1` (CI) makes that a failure.

mod cdp;
mod locate;
mod process;

use std::fmt;
use std::path::Path;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub use cdp::{Event, CALL_TIMEOUT};
pub use locate::{find_chromium, CANDIDATES, CHROMIUM_VAR};

use cdp::Connection;
use process::Process;

/// The variable that turns a missing browser from a skipped test into a failed one.
pub const REQUIRE_VAR: &str = "CHARTE_REQUIRE_BROWSER";

/// How long a navigation may take, by default, to reach its `load` event.
pub const LOAD_TIMEOUT: Duration = Duration::from_secs(15);

/// What went wrong with the browser.
#[derive(Debug, Clone)]
pub enum Error {
    /// No browser was found (see [`find_chromium`]).
    NotFound(String),
    /// The browser was found but did not start or open DevTools.
    Launch(String),
    /// The browser answered with an error, a page script threw, or a navigation failed.
    /// Often transient while a page navigates ("Execution context was destroyed").
    Protocol(String),
    /// The connection failed or closed.
    Transport(String),
    /// A command or a page load took longer than its limit.
    Timeout(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(message) | Error::Launch(message) => f.write_str(message),
            Error::Protocol(message) => write!(f, "DevTools error: {message}"),
            Error::Transport(message) => write!(f, "DevTools connection: {message}"),
            Error::Timeout(message) => write!(f, "timed out: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// A running headless Chromium with a fresh profile; killed (and its profile removed)
/// when dropped.
pub struct Browser {
    connection: Arc<Connection>,
    /// Declared last: dropped (killed) after the connection closes, even on panic.
    process: Process,
}

impl Browser {
    /// Finds Chromium ([`find_chromium`]) and starts it headless with a fresh profile.
    ///
    /// # Errors
    /// [`Error::NotFound`] without a browser; [`Error::Launch`] when it does not start
    /// within 30 s (the message ends with what it printed).
    pub fn launch() -> Result<Browser, Error> {
        Browser::launch_with(&[])
    }

    /// [`Browser::launch`], with more command-line flags (e.g.
    /// `--disable-site-isolation-trials`).
    ///
    /// # Errors
    /// As [`Browser::launch`].
    pub fn launch_with(extra_flags: &[String]) -> Result<Browser, Error> {
        Browser::launch_executable(&find_chromium()?, extra_flags)
    }

    /// Starts the given browser executable.
    ///
    /// # Errors
    /// As [`Browser::launch`].
    pub fn launch_executable(executable: &Path, extra_flags: &[String]) -> Result<Browser, Error> {
        let process = Process::start(executable, extra_flags)?;
        let connection = Connection::connect(process.port, &process.ws_path)
            .map_err(|e| Error::Launch(format!("{e}\nChromium's log:\n{}", process.log())))?;
        Ok(Browser {
            connection: Arc::new(connection),
            process,
        })
    }

    /// For tests: the browser, or `None` after printing loudly that `test` is skipped
    /// because no browser is installed. With `CHARTE_REQUIRE_BROWSER=1` (set by `.ci/run`)
    /// a missing browser panics instead, and so does a browser that fails to start.
    ///
    /// ```no_run
    /// # fn demo() {
    /// let Some(browser) = charte_audit::browser::Browser::for_test("banner_in_chromium") else {
    ///     return;
    /// };
    /// # let _ = browser; }
    /// ```
    pub fn for_test(test: &str) -> Option<Browser> {
        match Browser::launch() {
            Ok(browser) => Some(browser),
            Err(Error::NotFound(why)) if !browser_required() => {
                eprintln!(
                    "\n!!!!!!!! SKIPPED {test}: {why}.\n!!!!!!!! Set {REQUIRE_VAR}=1 to make \
                     a missing browser fail (.ci/run does).\n"
                );
                None
            }
            Err(e) => panic!("{test}: {e}"),
        }
    }

    /// The last lines the browser printed (for failure messages).
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Opens a new tab on `about:blank` in the default browsing context.
    ///
    /// # Errors
    /// A protocol or transport [`Error`].
    pub fn new_page(&self) -> Result<Page, Error> {
        open_page(&self.connection, None)
    }

    /// A new browsing context: its own cookie store and cache, like an incognito
    /// window. Disposed when dropped.
    ///
    /// # Errors
    /// A protocol or transport [`Error`].
    pub fn new_context(&self) -> Result<Context, Error> {
        let answer = self.call(
            "Target.createBrowserContext",
            json!({ "disposeOnDetach": true }),
        )?;
        let id = answer["browserContextId"]
            .as_str()
            .ok_or_else(|| Error::Protocol(format!("createBrowserContext gave {answer}")))?;
        Ok(Context {
            connection: Arc::clone(&self.connection),
            id: id.to_owned(),
        })
    }

    /// Every cookie in the default context's store (`Storage.getCookies`).
    ///
    /// # Errors
    /// A protocol or transport [`Error`].
    pub fn cookies(&self) -> Result<Vec<Cookie>, Error> {
        cookies(&self.connection, None)
    }

    /// Stores a cookie in the default context as if `url`'s response had set it.
    ///
    /// # Errors
    /// A protocol or transport [`Error`], or the browser refusing the cookie.
    pub fn set_cookie(&self, cookie: &NewCookie) -> Result<(), Error> {
        set_cookie(&self.connection, None, cookie)
    }

    /// Sends any browser-level DevTools command and returns its `result`.
    ///
    /// # Errors
    /// A protocol, transport or timeout [`Error`] (limit: [`CALL_TIMEOUT`]).
    pub fn call(&self, method: &str, params: Value) -> Result<Value, Error> {
        self.connection
            .call_within(None, method, params, CALL_TIMEOUT)
    }

    /// Browser-level events named in `methods` (e.g. `Target.attachedToTarget`).
    pub fn subscribe(&self, methods: &[&str]) -> Receiver<Event> {
        self.connection.subscribe(None, methods)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ask politely so Chromium takes its helper processes down; `Process`'s own drop
        // kills it if it is still there.
        self.connection.send_only("Browser.close");
        self.process.wait_for_exit(Duration::from_secs(5));
    }
}

/// Whether `CHARTE_REQUIRE_BROWSER=1`: a missing browser is then a failure.
pub fn browser_required() -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1")
}

/// An isolated browsing context ([`Browser::new_context`]).
pub struct Context {
    connection: Arc<Connection>,
    id: String,
}

impl Context {
    /// Opens a new tab on `about:blank` in this context.
    ///
    /// # Errors
    /// A protocol or transport [`Error`].
    pub fn new_page(&self) -> Result<Page, Error> {
        open_page(&self.connection, Some(&self.id))
    }

    /// Every cookie in this context's store.
    ///
    /// # Errors
    /// A protocol or transport [`Error`].
    pub fn cookies(&self) -> Result<Vec<Cookie>, Error> {
        cookies(&self.connection, Some(&self.id))
    }

    /// Stores a cookie in this context as if `url`'s response had set it.
    ///
    /// # Errors
    /// A protocol or transport [`Error`], or the browser refusing the cookie.
    pub fn set_cookie(&self, cookie: &NewCookie) -> Result<(), Error> {
        set_cookie(&self.connection, Some(&self.id), cookie)
    }

    /// Stores cookies given as the protocol's `CookieParam` objects (every attribute:
    /// `domain`, `path`, `secure`, `httpOnly`, `sameSite`, `expires`...).
    ///
    /// # Errors
    /// A protocol or transport [`Error`], or the browser refusing a cookie.
    pub fn set_cookies(&self, cookies: &Value) -> Result<(), Error> {
        let params = json!({ "cookies": cookies, "browserContextId": self.id });
        self.connection
            .call_within(None, "Storage.setCookies", params, CALL_TIMEOUT)?;
        Ok(())
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        let _ = self.connection.call_within(
            None,
            "Target.disposeBrowserContext",
            json!({ "browserContextId": self.id }),
            Duration::from_secs(5),
        );
    }
}

/// One tab, attached with its own DevTools session. Closed when dropped.
pub struct Page {
    connection: Arc<Connection>,
    session: String,
    target: String,
}

impl Page {
    /// Sends a DevTools command to this tab (`Runtime.evaluate`, `Network.enable`...) and
    /// returns its `result`.
    ///
    /// # Errors
    /// A protocol, transport or timeout [`Error`] (limit: [`CALL_TIMEOUT`]).
    pub fn call(&self, method: &str, params: Value) -> Result<Value, Error> {
        self.call_within(method, params, CALL_TIMEOUT)
    }

    /// [`Page::call`] with its own time limit.
    ///
    /// # Errors
    /// As [`Page::call`].
    pub fn call_within(
        &self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, Error> {
        self.connection
            .call_within(Some(&self.session), method, params, timeout)
    }

    /// This tab's events named in `methods`, from now on. Enable their domain first
    /// (`page.call("Network.enable", json!({}))`). Dropping the receiver unsubscribes.
    ///
    /// ```no_run
    /// # fn demo(page: &charte_audit::browser::Page) -> Result<(), charte_audit::browser::Error> {
    /// let responses = page.subscribe(&["Network.responseReceivedExtraInfo"]);
    /// page.call("Network.enable", serde_json::json!({}))?;
    /// page.navigate("http://127.0.0.1:3000/")?;
    /// for event in responses.try_iter() {
    ///     println!("{}", event.params["headers"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn subscribe(&self, methods: &[&str]) -> Receiver<Event> {
        self.connection.subscribe(Some(&self.session), methods)
    }

    /// Goes to `url` and waits for its `load` event, at most [`LOAD_TIMEOUT`].
    ///
    /// # Errors
    /// [`Error::Protocol`] when the navigation fails (unreachable host, ...),
    /// [`Error::Timeout`] when the page does not finish loading in time (its loading
    /// is then stopped, so the tab stays usable).
    pub fn navigate(&self, url: &str) -> Result<(), Error> {
        self.navigate_within(url, LOAD_TIMEOUT)
    }

    /// [`Page::navigate`] with its own time limit.
    ///
    /// # Errors
    /// As [`Page::navigate`].
    pub fn navigate_within(&self, url: &str, timeout: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + timeout;
        let loads = self.subscribe(&["Page.loadEventFired"]);
        self.call("Page.enable", json!({}))?;
        let answer = match self.call_within("Page.navigate", json!({ "url": url }), timeout) {
            Ok(answer) => answer,
            Err(Error::Timeout(_)) => return Err(self.stop_loading(url, timeout)),
            Err(e) => return Err(e),
        };
        if let Some(error) = answer.get("errorText").and_then(Value::as_str) {
            return Err(Error::Protocol(format!("navigating to {url}: {error}")));
        }
        // A same-document navigation (only the fragment changes) fires no load event.
        if answer.get("loaderId").is_none() {
            return Ok(());
        }
        match cdp::next_before(&loads, deadline) {
            Some(_) => Ok(()),
            None => Err(self.stop_loading(url, timeout)),
        }
    }

    /// Stops a navigation that ran out of time. Until it is stopped, the tab answers
    /// no further `Page` command (measured on Chromium 156).
    fn stop_loading(&self, url: &str, timeout: Duration) -> Error {
        let _ = self.call_within("Page.stopLoading", json!({}), Duration::from_secs(2));
        Error::Timeout(format!("{url} did not finish loading within {timeout:?}"))
    }

    /// Evaluates a JavaScript expression in the page (awaiting it if it is a promise)
    /// and returns its value as JSON.
    ///
    /// # Errors
    /// [`Error::Protocol`] when the script throws (with its message) or the page is
    /// between documents.
    pub fn evaluate(&self, expression: &str) -> Result<Value, Error> {
        let params =
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true });
        let mut result = self.call("Runtime.evaluate", params)?;
        if let Some(exception) = result.get("exceptionDetails") {
            let description = &exception["exception"]["description"];
            return Err(Error::Protocol(format!(
                "`{expression}` threw: {}",
                description.as_str().unwrap_or(&exception.to_string())
            )));
        }
        Ok(result["result"]["value"].take())
    }

    /// Runs `source` in every new document of this tab (frames included) before any of
    /// the page's own scripts (`Page.addScriptToEvaluateOnNewDocument`).
    ///
    /// # Errors
    /// A protocol or transport [`Error`].
    pub fn add_script_on_new_document(&self, source: &str) -> Result<(), Error> {
        self.call("Page.enable", json!({}))?;
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )?;
        Ok(())
    }

    /// A real left click at viewport coordinates: move, press, release.
    ///
    /// # Errors
    /// A protocol or transport [`Error`].
    pub fn click_at(&self, x: f64, y: f64) -> Result<(), Error> {
        for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
            let mut params = json!({ "type": kind, "x": x, "y": y, "buttons": buttons });
            if kind != "mouseMoved" {
                params["button"] = json!("left");
                params["clickCount"] = json!(1);
            }
            self.call("Input.dispatchMouseEvent", params)?;
        }
        Ok(())
    }

    /// The tab's DevTools session id (for events routed by hand).
    pub fn session(&self) -> &str {
        &self.session
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.connection.call_within(
            None,
            "Target.closeTarget",
            json!({ "targetId": self.target }),
            Duration::from_secs(5),
        );
    }
}

/// A cookie as the browser stores it (`Storage.getCookies`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cookie {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// The domain it is sent to; a leading `.` means subdomains too.
    pub domain: String,
    /// The path it is sent under.
    pub path: String,
    /// When it expires, in seconds since the Unix epoch; `None` for a session cookie.
    pub expires: Option<f64>,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Secure`.
    pub secure: bool,
    /// `SameSite` as the browser reports it (`Strict`, `Lax`, `None`), if set.
    pub same_site: Option<String>,
}

impl Cookie {
    fn from_json(cookie: &Value) -> Cookie {
        let text = |key: &str| cookie[key].as_str().unwrap_or_default().to_owned();
        let session = cookie["session"].as_bool().unwrap_or(false);
        Cookie {
            name: text("name"),
            value: text("value"),
            domain: text("domain"),
            path: text("path"),
            expires: cookie["expires"].as_f64().filter(|_| !session),
            http_only: cookie["httpOnly"].as_bool().unwrap_or(false),
            secure: cookie["secure"].as_bool().unwrap_or(false),
            same_site: cookie["sameSite"].as_str().map(str::to_owned),
        }
    }
}

/// A cookie to store with [`Browser::set_cookie`] or [`Context::set_cookie`]: stored
/// as `url`'s response would set `name=value; Path=/` (a session cookie unless
/// `expires` is given).
#[derive(Debug, Clone)]
pub struct NewCookie<'a> {
    /// The cookie's name.
    pub name: &'a str,
    /// Its value.
    pub value: &'a str,
    /// The page it is stored for (its host, and `Secure` for `https`).
    pub url: &'a str,
    /// When it expires, in seconds since the Unix epoch.
    pub expires: Option<f64>,
}

fn open_page(connection: &Arc<Connection>, context: Option<&str>) -> Result<Page, Error> {
    let mut params = json!({ "url": "about:blank" });
    if let Some(context) = context {
        params["browserContextId"] = json!(context);
    }
    let target = connection.call_within(None, "Target.createTarget", params, CALL_TIMEOUT)?;
    let target_id = target["targetId"]
        .as_str()
        .ok_or_else(|| Error::Protocol(format!("createTarget gave {target}")))?
        .to_owned();
    let attached = connection.call_within(
        None,
        "Target.attachToTarget",
        json!({ "targetId": target_id, "flatten": true }),
        CALL_TIMEOUT,
    );
    let session = attached.and_then(|attached| {
        attached["sessionId"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Protocol(format!("attachToTarget gave {attached}")))
    });
    let mut page = Page {
        connection: Arc::clone(connection),
        session: String::new(),
        target: target_id,
    };
    // Built before the session is known so that the tab is closed if attaching failed.
    page.session = session?;
    Ok(page)
}

fn cookies(connection: &Connection, context: Option<&str>) -> Result<Vec<Cookie>, Error> {
    let params = match context {
        Some(context) => json!({ "browserContextId": context }),
        None => json!({}),
    };
    let result = connection.call_within(None, "Storage.getCookies", params, CALL_TIMEOUT)?;
    let cookies = result["cookies"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    Ok(cookies.iter().map(Cookie::from_json).collect())
}

fn set_cookie(
    connection: &Connection,
    context: Option<&str>,
    cookie: &NewCookie,
) -> Result<(), Error> {
    let mut param = json!({
        "name": cookie.name,
        "value": cookie.value,
        "url": cookie.url,
        "path": "/",
    });
    if let Some(expires) = cookie.expires {
        param["expires"] = json!(expires);
    }
    let mut params = json!({ "cookies": [param] });
    if let Some(context) = context {
        params["browserContextId"] = json!(context);
    }
    connection.call_within(None, "Storage.setCookies", params, CALL_TIMEOUT)?;
    Ok(())
}
