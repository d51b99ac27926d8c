//! The process table: pid → slot, without a global lock.
//!
//! As in the reference, a pid's number is an index into a table sized to the process
//! limit (rounded up to a power of two) plus a serial: pid data = index + serial × size.
//! Looking a pid up is one index computation and the lock of that one entry; spawning
//! takes a never-used index from an atomic counter, or, once those are gone, a freed one
//! from a lock-free queue (`crossbeam_deque::Injector`), so reuse happens in the order
//! processes exited and a reused index gets the next serial.
//!
//! Entries are allocated in chunks on first use, so a large `+P` costs nothing until
//! that many processes exist.

use super::Slot;
use crossbeam_deque::{Injector, Steal};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The reference's default process limit (`+P`).
pub const DEFAULT_PROCESS_LIMIT: usize = 262_144;
/// The largest `+P` the reference accepts.
pub const MAX_PROCESS_LIMIT: usize = 134_217_727;
const CHUNK: usize = 1024;

type Entry = Mutex<Option<Arc<Slot>>>;

pub struct ProcessTable {
    /// The process limit: the requested one rounded up to a power of two.
    limit: usize,
    /// Table size (equal to `limit`).
    size: usize,
    chunks: Box<[OnceLock<Box<[Entry]>>]>,
    /// Indices below this were handed out at least once.
    fresh: AtomicUsize,
    /// Pid data for reuse (index + next serial), in the order their processes exited.
    recycled: Injector<u64>,
    live: AtomicUsize,
}

impl ProcessTable {
    pub fn new(limit: usize) -> ProcessTable {
        // As in the reference, the limit is rounded up to the table size.
        let size = limit.clamp(1024, MAX_PROCESS_LIMIT).next_power_of_two();
        ProcessTable {
            limit: size,
            size,
            chunks: (0..size.div_ceil(CHUNK)).map(|_| OnceLock::new()).collect(),
            fresh: AtomicUsize::new(0),
            recycled: Injector::new(),
            live: AtomicUsize::new(0),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    fn entry(&self, index: usize) -> &Entry {
        let chunk = self.chunks[index / CHUNK]
            .get_or_init(|| (0..CHUNK).map(|_| Mutex::new(None)).collect());
        &chunk[index % CHUNK]
    }

    fn index_of(&self, id: u64) -> usize {
        (id as usize) & (self.size - 1)
    }

    /// A pid for a new process, or `None` at the process limit.
    pub fn allocate_id(&self) -> Option<u64> {
        if self.live.fetch_add(1, Ordering::AcqRel) >= self.limit {
            self.live.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let fresh = self.fresh.fetch_add(1, Ordering::Relaxed);
        if fresh < self.size {
            return Some(fresh as u64);
        }
        self.fresh.store(self.size, Ordering::Relaxed);
        loop {
            match self.recycled.steal() {
                Steal::Success(id) => return Some(id),
                Steal::Retry => continue,
                // `live` < limit ≤ size, so a freed index is being pushed right now.
                Steal::Empty => std::hint::spin_loop(),
            }
        }
    }

    pub fn insert(&self, id: u64, slot: Arc<Slot>) {
        *self.entry(self.index_of(id)).lock() = Some(slot);
    }

    pub fn get(&self, id: u64) -> Option<Arc<Slot>> {
        let index = self.index_of(id);
        let chunk = self.chunks.get(index / CHUNK)?.get()?;
        let guard = chunk[index % CHUNK].lock();
        guard.as_ref().filter(|s| s.id == id).cloned()
    }

    /// Removes process `id`; its index becomes reusable with the next serial.
    pub fn remove(&self, id: u64) -> Option<Arc<Slot>> {
        let index = self.index_of(id);
        let slot = {
            let mut guard = self.entry(index).lock();
            match guard.as_ref() {
                Some(s) if s.id == id => guard.take(),
                _ => None,
            }
        }?;
        // Pid data stays within the reference's 28 bits: serials wrap around.
        let next = (id + self.size as u64) & ((1 << 28) - 1);
        self.recycled.push(next);
        self.live.fetch_sub(1, Ordering::AcqRel);
        Some(slot)
    }

    /// Every live process id, in index order.
    pub fn ids(&self) -> Vec<u64> {
        let mut v = Vec::new();
        for chunk in self.chunks.iter().filter_map(|c| c.get()) {
            for e in chunk.iter() {
                if let Some(s) = e.lock().as_ref() {
                    v.push(s.id);
                }
            }
        }
        v
    }
}
