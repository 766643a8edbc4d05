//! What the server tests share to talk to their servers: one runtime for the servers
//! they start, and one HTTP client that, like a test harness should, neither follows
//! redirects (the tests look at each `303`) nor waits for ever.

use std::sync::OnceLock;

/// The runtime the tests' axum servers run on (one worker: the tests send few
/// requests, and the machine is small).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// The client: redirects not followed; a server that died fails the test after 20 s
/// instead of hanging it.
pub fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap()
    })
}
