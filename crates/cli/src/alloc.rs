//! The global allocator (mimalloc) and the hook that lets idle schedulers return its
//! free memory to the operating system.

use mimalloc::MiMalloc;

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// Releases the calling thread's free allocator pages to the OS. mimalloc otherwise
/// purges only on a later allocation of the same thread, which a sleeping scheduler
/// never makes.
fn release_free_memory() {
    // SAFETY: mi_collect has no preconditions; it only walks the calling thread's own
    // heap and may be called at any time from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Installs `release_free_memory` as the schedulers' idle hook.
pub fn install_idle_trim() {
    oxbeam_emu::sched::set_idle_trim(release_free_memory);
}
