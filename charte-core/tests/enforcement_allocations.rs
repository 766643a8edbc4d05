//! The engine allocates nothing when every cookie passes (counted by a global allocator
//! wrapper, per thread), and does allocate on the drop path (so the count is live).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use charte_core::enforce::Engine;
use charte_core::{Category, Charter, Mode};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

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

const NOW: u64 = 1_763_894_400;

fn charter() -> &'static Charter {
    Box::leak(Box::new(
        charte_core::check_str(
            "alloc.toml",
            r#"
[charter]
site = "https://example.fr"
consent_cookie = "consent"

[[cookie]]
name = "consent"
provider = "P"
service = "S"
purpose = "U"
category = "necessary"
path = "/"

[[cookie]]
name = "sessionid"
provider = "P"
service = "S"
purpose = "U"
category = "necessary"

[[cookie]]
name = "_pk_id*"
provider = "P"
service = "S"
purpose = "U"
category = "statistics"

[[cookie]]
name = "__Host-id"
provider = "P"
service = "S"
purpose = "U"
category = "necessary"
secure = true
path = "/"
"#,
        )
        .charter
        .unwrap(),
    ))
}

fn exchange(charter: &Charter, set: &[&'static str]) -> (HeaderMap, HeaderMap) {
    let mut request = HeaderMap::new();
    let consent = charter
        .consent_cookie_at(&[Category::Statistics], NOW)
        .unwrap();
    let cookie = format!("{}; _pk_id.1=x; sessionid=1", consent.stripped());
    request.insert(COOKIE, HeaderValue::try_from(cookie).unwrap());
    let mut response = HeaderMap::new();
    for value in set {
        response.append(SET_COOKIE, HeaderValue::from_static(value));
    }
    (request, response)
}

#[test]
fn a_response_whose_cookies_all_pass_costs_no_allocation() {
    let charter = charter();
    let (request, mut response) = exchange(
        charter,
        &[
            "sessionid=abc; Path=/; HttpOnly",
            "_pk_id.1.abc=42; Path=/; Max-Age=34190208",
            "__Host-id=1; Secure; Path=/",
            "_ga=; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        ],
    );
    let engine = Engine::new(charter, Mode::Enforce);
    let values = || request.get_all(COOKIE).iter().map(HeaderValue::as_bytes);
    let allocations = allocations_in(|| {
        let cookies = engine.read_request(values(), NOW);
        let outcome = engine.enforce(&mut response, &cookies, values(), Some("/"), NOW);
        assert_eq!(outcome, charte_core::enforce::Outcome::Passed);
    });
    assert_eq!(allocations, 0);
}

#[test]
fn dropping_a_cookie_does_allocate_so_the_count_is_live() {
    let charter = charter();
    let (request, mut response) = exchange(charter, &["sessionid=abc", "_ga=1"]);
    let engine = Engine::new(charter, Mode::Enforce);
    let values = || request.get_all(COOKIE).iter().map(HeaderValue::as_bytes);
    let allocations = allocations_in(|| {
        let cookies = engine.read_request(values(), NOW);
        let _ = engine.enforce(&mut response, &cookies, values(), Some("/"), NOW);
    });
    assert!(allocations > 0);
    assert_eq!(response.get_all(SET_COOKIE).iter().count(), 1);
}
