//! Real servers for the enforcement tests: the same echo application on axum (behind
//! `CHARTER.layer()`) and on actix-web (behind `CHARTER.actix()`), one per mode, each
//! on 127.0.0.1 with a free port, driven by reqwest.
//!
//! The application sets, in order, one `Set-Cookie` per `x-set-cookie` request header,
//! on any path: each test case says which cookies the "handler" sets.

#![allow(dead_code)]

mod events;
mod harness;

pub use events::{capture_events_with, events};
use harness::{client, runtime};

use std::net::{SocketAddr, TcpListener};
use std::sync::{Mutex, OnceLock};

use charte::{Category, Charter, Mode};

pub const SET_COOKIE: &str = "set-cookie";

/// The test charter (`tests/support/enforcement.toml`).
pub fn charter() -> &'static Charter {
    static CHARTER: OnceLock<Charter> = OnceLock::new();
    CHARTER.get_or_init(|| {
        charte::check_str("enforcement.toml", include_str!("enforcement.toml"))
            .charter
            .expect("the test charter is valid")
    })
}

/// `consent=<value>` for a decision made now.
pub fn consent(granted: &[Category]) -> String {
    charter().consent_cookie(granted).stripped().to_string()
}

/// `consent=<value>` for a decision made at `decided_at`.
pub fn consent_at(granted: &[Category], decided_at: u64) -> String {
    charter()
        .consent_cookie_at(granted, decided_at)
        .unwrap()
        .stripped()
        .to_string()
}

pub fn now() -> u64 {
    charte::consent::now()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Axum,
    Actix,
}

impl Framework {
    pub const ALL: [Framework; 2] = [Framework::Axum, Framework::Actix];
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub set_cookies: Vec<Vec<u8>>,
    pub body: String,
}

impl Reply {
    pub fn set_cookie_strings(&self) -> Vec<String> {
        self.set_cookies
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect()
    }
}

/// Sends `GET path` with the given `Cookie` header, asking the application to set `set`.
pub fn send(
    framework: Framework,
    mode: Mode,
    path: &str,
    cookie: Option<&str>,
    set: &[&[u8]],
) -> Reply {
    let address = server(framework, mode);
    runtime().block_on(async {
        let mut request = client().get(format!("http://{address}{path}"));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        for value in set {
            request = request.header(
                "x-set-cookie",
                reqwest::header::HeaderValue::from_bytes(value).expect("a valid header value"),
            );
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let set_cookies = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.as_bytes().to_vec())
            .collect();
        let body = response.text().await.expect("a body");
        Reply {
            status,
            set_cookies,
            body,
        }
    })
}

/// The server for a framework and a mode, started on first use.
fn server(framework: Framework, mode: Mode) -> SocketAddr {
    static SERVERS: Mutex<Vec<(Framework, Mode, SocketAddr)>> = Mutex::new(Vec::new());
    capture_events();
    let mut servers = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, address)) = servers
        .iter()
        .find(|(f, m, _)| *f == framework && *m == mode)
    {
        return *address;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    match framework {
        Framework::Axum => start_axum(listener, mode),
        Framework::Actix => start_actix(listener, mode),
    }
    servers.push((framework, mode, address));
    address
}

fn start_axum(listener: TcpListener, mode: Mode) {
    use axum::http::HeaderMap;
    use axum::response::IntoResponse;

    async fn echo(headers: HeaderMap) -> impl IntoResponse {
        let mut response = "ok".into_response();
        for value in headers.get_all("x-set-cookie") {
            response.headers_mut().append(SET_COOKIE, value.clone());
        }
        response
    }

    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new()
                .fallback(echo)
                .layer(charter().layer().mode(mode));
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
}

fn start_actix(listener: TcpListener, mode: Mode) {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

    async fn echo(request: HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        for value in request.headers().get_all("x-set-cookie") {
            response.append_header((SET_COOKIE, value.clone()));
        }
        response.body("ok")
    }

    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .default_service(web::to(echo))
                    .wrap(charter().actix().mode(mode))
            })
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run()
            .await
            .unwrap();
        });
    });
}

fn capture_events() {
    capture_events_with("charte=info");
}
