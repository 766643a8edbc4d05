//! Rule 6 under the filter users set to see drops only, `charte=warn`: the drop event
//! still names the route (the layer must not keep the path only when `INFO` is on).

mod support;

use charte::Mode;
use support::{capture_events_with, events, send, Framework};

#[test]
fn a_drop_names_its_route_when_only_warnings_are_enabled() {
    capture_events_with("charte=warn");
    for framework in Framework::ALL {
        let path = format!("/warn-only/{framework:?}");
        let cookie = format!("_warn_only_{framework:?}");
        let set = format!("{cookie}=1");
        send(framework, Mode::Enforce, &path, None, &[set.as_bytes()]);
        let events = events();
        let line = events
            .lines()
            .find(|line| line.contains(&cookie))
            .unwrap_or_else(|| panic!("no event for {cookie} in:\n{events}"));
        assert!(
            line.contains(&format!("route=\"{path}\"")) || line.contains(&format!("route={path}")),
            "{line}"
        );
    }
}
