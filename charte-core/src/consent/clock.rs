//! The time enforcement reads once per request, in whole seconds.
//!
//! Consent lasts 6 months and tolerates a day of clock skew; removals compare
//! `Expires` dates given in seconds: nothing here needs better than a second. On Linux,
//! `CLOCK_REALTIME_COARSE` gives the time the kernel last recorded (a few milliseconds
//! old) without reading the hardware clock: about 5 ns, where `SystemTime::now` takes
//! about 45 ns on a virtual machine, a third of what the whole enforcement layer may
//! cost a request (measured in `BENCHMARKS.md`).

/// The current time in Unix seconds (0 if the clock is before 1970).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn now() -> u64 {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
    u64::try_from(time.tv_sec).unwrap_or(0)
}

/// The current time in Unix seconds (0 if the clock is before 1970).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_coarse_clock_agrees_with_the_system_clock_to_the_second() {
        let system = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        };
        let before = system();
        let now = super::now();
        let after = system();
        // The coarse clock may lag by a tick (milliseconds), never lead.
        assert!(
            before.saturating_sub(1) <= now && now <= after,
            "{before} {now} {after}"
        );
    }
}
