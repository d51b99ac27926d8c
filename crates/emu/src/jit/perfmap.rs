//! `OXBEAM_PERF_MAP=1`: names native code for `perf`. Each compiled function is
//! appended to `/tmp/perf-PID.map` (the format perf reads for code it finds no file
//! for), so profiles show `jit:module:function/arity` instead of one anonymous blob.
//! Off by default: the file only grows.

use parking_lot::Mutex;
use std::io::Write;
use std::sync::OnceLock;

/// Whether native code is named for perf (read once).
pub(super) fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var("OXBEAM_PERF_MAP").is_ok_and(|v| v == "1"))
}

/// Records that `[start, start + len)` holds the native code of `name`.
pub(super) fn record(start: usize, len: usize, name: std::fmt::Arguments) {
    static FILE: Mutex<Option<std::fs::File>> = Mutex::new(None);
    let mut f = FILE.lock();
    if f.is_none() {
        let path = format!("/tmp/perf-{}.map", std::process::id());
        *f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok();
    }
    if let Some(file) = f.as_mut() {
        // A failed write only loses a name in a profile.
        let _ = writeln!(file, "{start:x} {len:x} jit:{name}");
    }
}
