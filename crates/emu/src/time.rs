//! Time sources: the monotonic clock all timers use, and system time.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn start() -> &'static (Instant, u64) {
    static S: OnceLock<(Instant, u64)> = OnceLock::new();
    S.get_or_init(|| {
        let sys = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        (Instant::now(), sys)
    })
}

/// Nanoseconds since the VM started (never goes backwards).
pub fn monotonic_ns() -> u64 {
    start().0.elapsed().as_nanos() as u64
}

/// Erlang monotonic time in native units (nanoseconds). Like the reference, it starts at
/// a large negative value so that programs do not assume it is positive.
pub fn erlang_monotonic() -> i64 {
    monotonic_ns() as i64 + ERLANG_MONOTONIC_START
}

/// Erlang monotonic time when the VM started.
pub const ERLANG_MONOTONIC_START: i64 = -(1i64 << 59);

/// The offset between Erlang monotonic time and system time.
pub fn time_offset() -> i64 {
    start().1 as i64 - ERLANG_MONOTONIC_START
}

/// System time in nanoseconds since the Unix epoch.
pub fn system_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}
