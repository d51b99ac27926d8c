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

/// mimalloc's `mi_option_allow_thp` (its `mi_option_t` value in the bundled v3 headers;
/// not exported by the Rust binding).
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// Asks mimalloc not to back its memory with transparent huge pages. With them, the
/// first touch of each 2 MiB page makes the kernel clear all of it: measured, that was
/// most of a short run's time (0.29 s of system time of 0.32 s for a small program,
/// 0.04 s without) and a large, erratic share of an Elixir test run's. Process heaps
/// are small and many; they gain nothing from huge pages.
fn no_transparent_huge_pages() {
    // SAFETY: mi_option_set only stores the option; it may be called at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0) }
}

/// Runs `no_transparent_huge_pages` before `main`, before the Rust runtime's first
/// allocation: mimalloc applies the option when it maps memory, and the memory it maps
/// for the first allocation serves many later ones.
#[used]
#[link_section = ".init_array"]
static SET_ALLOCATOR_OPTIONS: extern "C" fn() = {
    extern "C" fn set_options() {
        no_transparent_huge_pages();
    }
    set_options
};

/// Installs `release_free_memory` as the schedulers' idle hook.
pub fn install_idle_trim() {
    oxbeam_emu::sched::set_idle_trim(release_free_memory);
}
