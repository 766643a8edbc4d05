//! With a proof log, a response that does not touch the consent cookie allocates
//! nothing more than without one (counted by a global allocator wrapper, per thread),
//! and never reaches the log.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::convert::Infallible;
use std::future::Future;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use charte::proof::{ProofLog, Store};
use charte::{Category, Charter};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderValue, Request, Response, Uri};
use tower::{Layer, Service};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn charter() -> &'static Charter {
    static CHARTER: OnceLock<Charter> = OnceLock::new();
    CHARTER.get_or_init(|| {
        charte::check_str("enforcement.toml", include_str!("support/enforcement.toml"))
            .charter
            .unwrap()
    })
}

/// A request as hyper makes it: its URI a slice of the connection's shared buffer.
fn request(consent: &HeaderValue) -> Request<()> {
    let mut buffer = bytes::BytesMut::from(&b"/articles/7 HTTP/1.1\r\n"[..]);
    let path = buffer.split_to(11).freeze();
    let mut request = Request::new(());
    *request.uri_mut() = Uri::from_maybe_shared(path).unwrap();
    request.headers_mut().insert(COOKIE, consent.clone());
    request
}

/// Calls the service and polls its future to the end (the inner service is ready at
/// once); allocations counted from the call to the response.
fn exchange<S>(service: &mut S, request: Request<()>) -> (usize, Response<String>)
where
    S: Service<Request<()>, Response = Response<String>, Error = Infallible>,
{
    let mut response = None;
    let count = allocations_in(|| {
        let mut future = std::pin::pin!(service.call(request));
        let mut cx = Context::from_waker(Waker::noop());
        if let Poll::Ready(Ok(r)) = future.as_mut().poll(&mut cx) {
            response = Some(r);
        }
    });
    (count, response.expect("ready without waiting"))
}

#[test]
fn a_response_without_a_decision_allocates_nothing_more_and_never_reaches_the_log() {
    let dir = std::env::temp_dir().join(format!("charte-proof-alloc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("proof.sqlite").display());
    let log = ProofLog::open(&url).unwrap();
    let consent = HeaderValue::try_from(
        charter()
            .consent_cookie(&[Category::Statistics])
            .stripped()
            .to_string(),
    )
    .unwrap();

    // A plain page, and a page setting a cookie the visitor's consent allows.
    let plain = tower::service_fn(|_: Request<()>| async {
        Ok::<_, Infallible>(Response::new(String::new()))
    });
    let tracker = tower::service_fn(|_: Request<()>| async {
        let mut response = Response::new(String::new());
        response
            .headers_mut()
            .append(SET_COOKIE, HeaderValue::from_static("_pk_id.1=abc; Path=/"));
        Ok::<_, Infallible>(response)
    });
    let mut without = charter().layer().layer(plain);
    let mut with = charter().layer().proof(log.clone()).layer(plain);
    let mut tracker_without = charter().layer().layer(tracker);
    let mut tracker_with = charter().layer().proof(log).layer(tracker);

    // Warm up (lazy statics, the tracing callsites' registration).
    for _ in 0..2 {
        let _ = exchange(&mut without, request(&consent));
        let _ = exchange(&mut with, request(&consent));
        let _ = exchange(&mut tracker_without, request(&consent));
        let _ = exchange(&mut tracker_with, request(&consent));
    }
    let (plain_without, _) = exchange(&mut without, request(&consent));
    let (plain_with, _) = exchange(&mut with, request(&consent));
    assert_eq!((plain_without, plain_with), (0, 0));
    assert_eq!(allocations_in(|| drop(vec![1u8])), 1, "the count is live");
    let (set_without, response) = exchange(&mut tracker_without, request(&consent));
    let (set_with, response_with) = exchange(&mut tracker_with, request(&consent));
    assert_eq!(set_with, set_without, "the proof adds no allocation");
    assert_eq!(response.headers(), response_with.headers());

    let verification = Store::open(&url).unwrap().verify().unwrap();
    assert_eq!(verification.records, 0, "no decision, no record");
    let _ = std::fs::remove_dir_all(&dir);
}
