//! The browser side: each state in a browsing context of its own (its own cookie
//! store), the four at once in one browser; in each, the pages breadth-first, one tab,
//! every `Set-Cookie` line, every script write, and the store at the end (each stored
//! cookie named with the page it first showed up on: the store is read after each page).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use charte_core::{Category, Charter};
use serde_json::{json, Value};

use super::{judge, Error, Moment, Observation, Options, Page, Report, Seen, Source, State};
use crate::browser::{self, Browser, Context, Event};

/// The binding the hook reports through (a name no site uses).
const BINDING: &str = "__charteAuditReport";

/// Every frame in the tab's own renderer, so that the tab's session sees the network
/// events and runs the hook in frames of other sites too.
const FLAGS: [&str; 2] = [
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
];

/// Audits `urls` against `charter` in the four states (SPEC, "Audit").
///
/// # Errors
/// [`Error::Browser`] when no browser is found or it fails; [`Error::Input`] for a URL
/// that is not `http(s)://`, a start page that cannot be reached, or a charter without
/// a consent cookie when no banner selectors are given.
pub fn run(charter: &Charter, urls: &[String], options: &Options) -> Result<Report, Error> {
    let starts = start_urls(urls)?;
    let selectors = &options.selectors;
    if charter.consent_cookie_declaration().is_none()
        && (selectors.accept.is_none() || selectors.refuse.is_none())
    {
        return Err(Error::Input(
            "the charter declares no consent_cookie: give --accept-selector and \
             --refuse-selector so that the auditor can use the site's banner"
                .to_owned(),
        ));
    }
    let flags: Vec<String> = FLAGS.iter().map(|f| (*f).to_owned()).collect();
    let browser = Browser::launch_with(&flags)?;
    let runs: Vec<Result<StateRun, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = State::ALL
            .iter()
            .map(|&state| {
                let (browser, starts) = (&browser, &starts);
                scope.spawn(move || visit_state(browser, charter, state, starts, options))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Input("a state's visit panicked".into())))
            })
            .collect()
    });
    let mut pages = Vec::new();
    let mut observations = Vec::new();
    for run in runs {
        let run = run?;
        pages.extend(run.pages);
        observations.extend(run.observations);
    }
    Ok(Report {
        charter: charter.site().to_owned(),
        revision: charter.revision().to_owned(),
        findings: judge(charter, &observations),
        pages,
    })
}

/// The start URLs, checked: absolute `http(s)` URLs, fragments dropped.
fn start_urls(urls: &[String]) -> Result<Vec<String>, Error> {
    if urls.is_empty() {
        return Err(Error::Input("no URL to audit".to_owned()));
    }
    urls.iter()
        .map(|url| {
            if origin(url).is_none() {
                return Err(Error::Input(format!(
                    "{url:?} is not an absolute http:// or https:// URL"
                )));
            }
            Ok(without_fragment(url).to_owned())
        })
        .collect()
}

/// `scheme://host[:port]` of an http(s) URL.
fn origin(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_end == 0 {
        return None;
    }
    Some(&url[..url.len() - rest.len() + host_end])
}

fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What one state gave.
struct StateRun {
    pages: Vec<Page>,
    observations: Vec<Observation>,
}

/// One state's visit: its own context, one tab.
fn visit_state(
    browser: &Browser,
    charter: &Charter,
    state: State,
    starts: &[String],
    options: &Options,
) -> Result<StateRun, Error> {
    let context = browser.new_context()?;
    let tab = Tab::open(&context)?;
    let mut visit = Visit {
        tab,
        context: &context,
        state,
        pages: Vec::new(),
        observations: Vec::new(),
        requests: HashMap::new(),
        responses: HashMap::new(),
        unresolved: Vec::new(),
        first_seen: HashMap::new(),
    };
    let by_cookie = options.selectors.accept.is_none() || options.selectors.refuse.is_none();
    let first = &starts[0];
    // The decision, as the visitor would make it before browsing.
    let moment = match state {
        State::None => Moment::Undecided,
        State::Refuse | State::Accept | State::Withdraw => {
            let accept = state != State::Refuse;
            if by_cookie {
                write_decision(charter, &context, first, accept)?;
            } else {
                visit.page(first, Moment::Undecided, options)?;
            }
            let decided = if accept {
                Moment::Accepted
            } else {
                Moment::Refused
            };
            if !by_cookie {
                visit.click(choose(&options.selectors, accept), decided, options)?;
            }
            decided
        }
    };
    visit.crawl(starts, moment, options)?;
    if state == State::Withdraw {
        // What the accept phase set is the `accept` state's to report; `withdraw`
        // reports what happens once the visitor refused, and the store at the end.
        visit.observations.clear();
        visit.unresolved.clear();
        // Refuse, then load the page again: the site clears on that request.
        if by_cookie {
            write_decision(charter, &context, first, false)?;
        } else {
            visit.page(first, Moment::Accepted, options)?;
            visit.click(
                choose(&options.selectors, false),
                Moment::Withdrawn,
                options,
            )?;
        }
        for start in starts {
            visit.page(start, Moment::Withdrawn, options)?;
        }
    }
    visit.resolve();
    let at = now();
    let end_moment = match (state, moment) {
        (State::Withdraw, _) => Moment::Withdrawn,
        (_, moment) => moment,
    };
    for cookie in context.cookies()? {
        // The last page's read saw what this one sees (nothing happens in between).
        let (page, url) = visit
            .first_seen
            .get(&identity(&cookie))
            .cloned()
            .unwrap_or_else(|| {
                let last = visit.pages.last().map(|p| p.url.clone());
                (visit.pages.len(), last.unwrap_or_default())
            });
        visit.observations.push(Observation {
            state,
            moment: end_moment,
            source: Source::Store,
            name: cookie.name.clone(),
            seen: Seen::Stored(cookie),
            url,
            at,
            page,
        });
    }
    Ok(StateRun {
        pages: visit.pages,
        observations: visit.observations,
    })
}

fn choose(selectors: &super::Selectors, accept: bool) -> &str {
    let chosen = if accept {
        &selectors.accept
    } else {
        &selectors.refuse
    };
    chosen.as_deref().unwrap_or_default()
}

/// Writes the charter's consent cookie for `url`'s host: every category granted, or
/// none, with the cookie's declared attributes (as the site's own banner would).
fn write_decision(
    charter: &Charter,
    context: &Context,
    url: &str,
    accept: bool,
) -> Result<(), Error> {
    let granted: &[Category] = if accept { &Category::CONSENTABLE } else { &[] };
    let cookie = charter.try_consent_cookie(granted).ok_or_else(|| {
        Error::Input("the charter declares no consent_cookie to write".to_owned())
    })?;
    let mut param = json!({
        "name": cookie.name(),
        "value": cookie.value(),
        "url": url,
        "path": cookie.path().unwrap_or("/"),
        "secure": cookie.secure().unwrap_or(false),
        "httpOnly": cookie.http_only().unwrap_or(false),
    });
    if let Some(domain) = cookie.domain() {
        param["domain"] = json!(domain);
    }
    if let Some(same_site) = cookie.same_site() {
        param["sameSite"] = json!(same_site.to_string());
    }
    if let Some(max_age) = cookie.max_age() {
        param["expires"] = json!(now() as f64 + max_age.as_seconds_f64());
    }
    context.set_cookies(&json!([param]))?;
    Ok(())
}

/// A tab with the hook installed and its events subscribed to.
struct Tab {
    page: browser::Page,
    events: Receiver<Event>,
}

impl Tab {
    fn open(context: &Context) -> Result<Tab, Error> {
        let page = context.new_page()?;
        let events = page.subscribe(&[
            "Network.requestWillBeSent",
            "Network.responseReceivedExtraInfo",
            "Runtime.bindingCalled",
        ]);
        // `Runtime.bindingCalled` is only sent with the Runtime domain enabled.
        page.call("Runtime.enable", json!({}))?;
        page.call("Runtime.addBinding", json!({ "name": BINDING }))?;
        page.add_script_on_new_document(&include_str!("hook.js").replace("__BINDING__", BINDING))?;
        page.call("Network.enable", json!({}))?;
        // No cache: every visit asks the server again, so every state sees every line.
        page.call("Network.setCacheDisabled", json!({ "cacheDisabled": true }))?;
        Ok(Tab { page, events })
    }
}

/// A stored cookie's identity, as the browser keys its store: name, domain, path.
type Identity = (String, String, String);

fn identity(cookie: &browser::Cookie) -> Identity {
    (
        cookie.name.clone(),
        cookie.domain.clone(),
        cookie.path.clone(),
    )
}

/// One state's pages and what was seen on them.
struct Visit<'a> {
    tab: Tab,
    /// The state's browsing context, whose store is read after each page.
    context: &'a Context,
    state: State,
    pages: Vec<Page>,
    observations: Vec<Observation>,
    /// Per request id, its URLs (one per redirect hop).
    requests: HashMap<String, Vec<String>>,
    /// Per request id, how many responses were seen.
    responses: HashMap<String, usize>,
    /// `Set-Cookie` observations whose URL is that of `(request id, hop)`.
    unresolved: Vec<(usize, (String, usize))>,
    /// Per stored cookie, the first page (its order and URL) after which the store
    /// held it: a `store` finding names that page, not the last one visited.
    first_seen: HashMap<Identity, (usize, String)>,
}

/// The same-origin links of a page, in document order, as absolute URLs.
const LINKS: &str =
    "document.contentType === 'text/html' || document.contentType === 'application/xhtml+xml' \
     ? Array.from(document.querySelectorAll('a[href]'), a => a.href) : []";

impl Visit<'_> {
    /// Gives each `Set-Cookie` observation its response's URL.
    fn resolve(&mut self) {
        for (index, (id, hop)) in self.unresolved.drain(..) {
            let urls = self
                .requests
                .get(&id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            if let Some(url) = urls.get(hop).or(urls.last()) {
                self.observations[index].url = url.clone();
            }
        }
    }

    /// Breadth-first from `starts`, same origin only, at most `max_pages` pages.
    fn crawl(&mut self, starts: &[String], moment: Moment, options: &Options) -> Result<(), Error> {
        let mut queue: VecDeque<String> = starts.iter().cloned().collect();
        let mut seen: BTreeSet<String> = starts.iter().cloned().collect();
        let mut visited = 0;
        while let Some(url) = queue.pop_front() {
            if visited >= options.max_pages {
                break;
            }
            visited += 1;
            let Some(links) = self.page(&url, moment, options)? else {
                continue;
            };
            let home = origin(&url).unwrap_or_default().to_owned();
            for link in links {
                let link = without_fragment(&link).to_owned();
                if origin(&link) == Some(home.as_str()) && seen.insert(link.clone()) {
                    queue.push_back(link);
                }
            }
        }
        Ok(())
    }

    /// Visits one page, records what it set; returns its links (`None` when it did not
    /// load). A start page that cannot be reached at all is an error.
    fn page(
        &mut self,
        url: &str,
        moment: Moment,
        options: &Options,
    ) -> Result<Option<Vec<String>>, Error> {
        if let Some(progress) = &options.progress {
            progress(self.state, url);
        }
        let loaded = self.tab.page.navigate_within(url, options.page_timeout);
        self.drain(moment, options.settle);
        self.read_store(self.pages.len(), url)?;
        // A download (a CSV, a PDF...) aborts the navigation: its responses were seen,
        // the tab stays on the previous document, whose links are not this page's.
        let (error, follow) = match loaded {
            Ok(()) => (None, true),
            Err(browser::Error::Protocol(e)) if e.contains("net::ERR_ABORTED") => (None, false),
            Err(e @ browser::Error::Protocol(_)) if self.pages.is_empty() => {
                return Err(Error::Input(format!("cannot audit {url}: {e}")));
            }
            Err(e) => (Some(e.to_string()), false),
        };
        let links = if follow {
            self.tab
                .page
                .evaluate(LINKS)
                .ok()
                .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let ok = error.is_none();
        self.pages.push(Page {
            state: self.state,
            url: url.to_owned(),
            error,
        });
        Ok(ok.then_some(links))
    }

    /// Clicks the banner control `selector` on the current page and waits for the page
    /// it leads to; what that sets is judged with the decision (`moment`), as the
    /// engine judges a response that records a decision.
    fn click(&mut self, selector: &str, moment: Moment, options: &Options) -> Result<(), Error> {
        let script = format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return false; \
             window.__charteAuditOld = true; e.click(); return true; }})()",
            json!(selector)
        );
        if self.tab.page.evaluate(&script)? != json!(true) {
            return Err(Error::Input(format!(
                "no element matches the selector {selector:?} on the first page"
            )));
        }
        // The click may lead to a new page (a form post) or change this one.
        let deadline = Instant::now() + options.page_timeout;
        let probe = "document.readyState === 'complete' && window.__charteAuditOld !== true";
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            match self.tab.page.evaluate(probe) {
                Ok(Value::Bool(true)) => break,
                // Still the same document: a banner that only sets a cookie.
                Ok(_) if Instant::now() + options.page_timeout / 2 > deadline => break,
                _ => {}
            }
        }
        self.drain(moment, options.settle);
        // What the click stored showed up on the page the banner was clicked on.
        if let Some(clicked) = self.pages.last().map(|p| p.url.clone()) {
            self.read_store(self.pages.len() - 1, &clicked)?;
        }
        Ok(())
    }

    /// Reads the store once the page at `page` (its order in the state) is quiet, and
    /// remembers `url` for each cookie seen there for the first time.
    fn read_store(&mut self, page: usize, url: &str) -> Result<(), Error> {
        for cookie in self.context.cookies()? {
            self.first_seen
                .entry(identity(&cookie))
                .or_insert_with(|| (page, url.to_owned()));
        }
        Ok(())
    }

    /// Records the events of the current page until it has been quiet for `settle`
    /// (at most 10 × `settle`). Responses before the click of a decision belong to
    /// the moment before it: the caller passes the moment the events happened in.
    fn drain(&mut self, moment: Moment, settle: Duration) {
        let deadline = Instant::now() + settle * 10;
        let page = self.pages.len();
        while let Ok(event) = self.tab.events.recv_timeout(settle) {
            let at = now();
            let params = &event.params;
            match event.method.as_str() {
                "Network.requestWillBeSent" => {
                    let id = params["requestId"].as_str().unwrap_or_default().to_owned();
                    let url = params["request"]["url"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    self.requests.entry(id).or_default().push(url);
                }
                "Network.responseReceivedExtraInfo" => {
                    let id = params["requestId"].as_str().unwrap_or_default();
                    // The n-th response of a request (redirects keep its id) answers its
                    // n-th URL, resolved once the state is over: the two events do not
                    // always arrive in order.
                    let hop = self.responses.entry(id.to_owned()).or_default();
                    let response = (id.to_owned(), *hop);
                    *hop += 1;
                    for line in set_cookie_lines(&params["headers"]) {
                        let Ok(name) = charte_core::wire::read_name(line.as_bytes()) else {
                            continue; // nameless: no browser stores it
                        };
                        self.unresolved
                            .push((self.observations.len(), response.clone()));
                        self.observations.push(Observation {
                            state: self.state,
                            moment,
                            source: Source::SetCookie,
                            name: name.to_owned(),
                            seen: Seen::Line(line.clone()),
                            url: String::new(),
                            at,
                            page,
                        });
                    }
                }
                "Runtime.bindingCalled" if params["name"] == BINDING => {
                    if let Some((name, line, script)) =
                        script_write(params["payload"].as_str().unwrap_or_default())
                    {
                        self.observations.push(Observation {
                            state: self.state,
                            moment,
                            source: Source::Script,
                            name,
                            seen: Seen::Line(line),
                            url: script,
                            at,
                            page,
                        });
                    }
                }
                _ => {}
            }
            if Instant::now() > deadline {
                break;
            }
        }
    }
}

/// The `Set-Cookie` lines of a response's headers as DevTools gives them (one string
/// per header name, several lines joined by `\n`; the name's case as sent).
pub(crate) fn set_cookie_lines(headers: &Value) -> Vec<String> {
    let Some(headers) = headers.as_object() else {
        return Vec::new();
    };
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, value)| value.as_str())
        .flat_map(|value| value.split('\n'))
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// A hook report: the cookie's name, its write as a `document.cookie` string, and the
/// writing script's URL.
fn script_write(payload: &str) -> Option<(String, String, String)> {
    let entry: Value = serde_json::from_str(payload).ok()?;
    let script = entry["script"].as_str().unwrap_or_default().to_owned();
    let line = match entry["via"].as_str()? {
        "document.cookie" => entry["line"].as_str()?.to_owned(),
        "cookieStore" => {
            let o = &entry["options"];
            let mut line = format!(
                "{}={}",
                o["name"].as_str()?,
                o["value"].as_str().unwrap_or_default()
            );
            // `expires` is milliseconds since the epoch (or a date string).
            if let Some(ms) = o["expires"].as_f64() {
                let seconds = (ms / 1000.0 - now() as f64).round();
                line.push_str(&format!("; Max-Age={seconds}"));
            }
            for (key, attribute) in [
                ("domain", "Domain"),
                ("path", "Path"),
                ("sameSite", "SameSite"),
            ] {
                if let Some(value) = o[key].as_str() {
                    line.push_str(&format!("; {attribute}={value}"));
                }
            }
            line
        }
        _ => return None,
    };
    let name = charte_core::wire::read_name(line.as_bytes())
        .ok()?
        .to_owned();
    Some((name, line, script))
}
