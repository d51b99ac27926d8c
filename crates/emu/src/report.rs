//! What the VM itself prints: crash reports of processes nobody watches, and the
//! standard output buffer.

use crate::process::Process;
use oxbeam_term::Term;
use parking_lot::Mutex;
use std::io::Write;

static STDOUT: Mutex<Option<std::io::BufWriter<std::io::Stdout>>> = Mutex::new(None);

/// Writes bytes to standard output (buffered; flushed at halt and when it fills).
pub fn write_stdout(bytes: &[u8]) {
    let mut g = STDOUT.lock();
    let w = g.get_or_insert_with(|| std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let _ = w.write_all(bytes);
}

pub fn flush_stdout() {
    if let Some(w) = STDOUT.lock().as_mut() {
        let _ = w.flush();
    }
}

pub fn write_stderr(bytes: &[u8]) {
    flush_stdout();
    let _ = std::io::stderr().write_all(bytes);
}

/// The reference logs an error report for a process that crashed; ours goes to stderr.
pub fn process_crashed(p: &Process, reason: Term) {
    let text = crate::print::format_term(reason, crate::print::Style::Print);
    let pid = crate::print::format_term(p.pid, crate::print::Style::Write);
    write_stderr(
        format!("=ERROR REPORT====\nError in process {pid} with exit value:\n{text}\n\n")
            .as_bytes(),
    );
}

/// The report of a process whose heap outgrew its `max_heap_size` (to stderr, in the
/// shape of the reference's report).
pub fn max_heap_size_reached(p: &Process, total_words: usize, limit_words: usize) {
    let pid = crate::print::format_term(p.pid, crate::print::Style::Write);
    let limit = p.max_heap_size;
    write_stderr(
        format!(
            "=ERROR REPORT====\n     Process:            {pid}\n     Context:            maximum heap size reached\n     Max Heap Size:      {limit_words}\n     Total Heap Size:    {total_words}\n     Kill:               {}\n     Error Logger:       {}\n     Message Queue Len:  {}\n\n",
            limit.kill,
            limit.error_logger,
            p.mailbox.len()
        )
        .as_bytes(),
    );
}
