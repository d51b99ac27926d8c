//! A hierarchical timer wheel with 1 ms ticks, one per scheduler, behind
//! `erlang:send_after/3`, `start_timer/3`, `cancel_timer/1`, `read_timer/1` and
//! `receive ... after` timeouts.
//!
//! # Design
//!
//! Timers live in a slab (`Vec` of entries with a free list); a [`TimerId`] is the
//! slab index plus the entry's generation, which is bumped every time the entry is
//! freed, so the id of a fired or cancelled timer never matches a later timer. An
//! entry whose generation is exhausted is retired instead of reused, so this holds
//! even after four billion reuses of one entry.
//!
//! The wheel has [`LEVELS`] levels of 64 slots. Level `L` slot `s` holds timers
//! whose deadline agrees with the wheel's current time `now` in every bit above bit
//! `6L + 5`, differs from it in bits `6L..6L + 6`, and has `s` in those bits. In other
//! words a timer sits at the level of the highest bit in which its deadline differs
//! from `now`. This placement has three consequences the code relies on:
//!
//! * Eleven levels cover every `u64` deadline, so there is no overflow list and no
//!   level that needs periodic rescanning.
//! * Occupied slots at a level always lie strictly after `now`'s own slot at that level
//!   (the wheel never wraps), and every timer at level `L` is due before every timer at
//!   level `L + 1`. The earliest pending slot is therefore the lowest set bit of the
//!   lowest non-empty level's occupancy bitmap: finding it costs a few word tests,
//!   however many timers are pending or however far away they are.
//! * A timer's slot is a function of its deadline and `now`, so the entry does not
//!   store it, and two timers with the same deadline are always in the same slot.
//!   Slots are FIFO lists and cascading preserves list order, so equal deadlines fire
//!   in insertion order without a sequence number.
//!
//! Each slot is an intrusive doubly linked list threaded through the slab
//! (`prev`/`next` indices), so cancelling unlinks in O(1) and frees the entry at once:
//! a slot owns no heap memory and a cancelled timer keeps nothing alive.
//!
//! `advance` jumps straight from one occupied slot to the next rather than ticking:
//! when `now` reaches the start of an occupied level-0 slot its timers fire; when it
//! reaches the start of an occupied higher-level slot its timers are redistributed
//! ("cascaded") to lower levels, or fire if they are due exactly then. A timer is
//! cascaded at most once per level, ten times in all.
//!
//! A timer inserted with a deadline that is not after `now` goes to a separate
//! overdue list, fired first by the next `advance` (sorted by deadline; the sort is
//! stable, so ties keep insertion order).
//!
//! # Complexity
//!
//! * `insert`, `cancel`, `deadline`: O(1) (amortised for the slab growth of `insert`).
//! * `next_deadline`: O(levels) word operations.
//! * `advance`: O(occupied slots visited + timers fired + timers cascaded), plus
//!   O(k log k) for k overdue timers; independent of the time elapsed.
//! * Memory: one slab entry per pending timer (24 bytes + `Option<T>` on 64-bit
//!   targets), plus 704 slot heads of 8 bytes per wheel. The slab keeps its high-water
//!   size; freed entries are reused before it grows.

/// Bits of the deadline consumed by one level; 64 slots fit one `u64` bitmap.
const SLOT_BITS: u32 = 6;
const SLOTS_PER_LEVEL: usize = 1 << SLOT_BITS;
const SLOT_MASK: u64 = SLOTS_PER_LEVEL as u64 - 1;
/// Enough levels that every bit of a `u64` deadline belongs to one: ceil(64 / 6).
const LEVELS: usize = (u64::BITS as usize).div_ceil(SLOT_BITS as usize);
/// The overdue list follows the wheel's slot lists in `TimerWheel::lists`.
const OVERDUE_LIST: usize = LEVELS * SLOTS_PER_LEVEL;
/// Marks the end of a list and of the free list; also caps the slab below `u32::MAX`.
const NIL: u32 = u32::MAX;

/// Names a timer in a [`TimerWheel`]: its slab index and the generation of that
/// slab entry when the timer was inserted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TimerId {
    index: u32,
    generation: u32,
}

impl TimerId {
    /// Packs the id into a `u64` (generation in the high half), e.g. to embed it
    /// in a timer reference; [`TimerId::from_u64`] recovers it exactly.
    pub fn to_u64(self) -> u64 {
        (u64::from(self.generation) << 32) | u64::from(self.index)
    }

    /// Unpacks an id made by [`TimerId::to_u64`]. Any value is accepted: an id
    /// that names no pending timer is simply not found by the wheel.
    pub fn from_u64(v: u64) -> TimerId {
        TimerId {
            index: v as u32,
            generation: (v >> 32) as u32,
        }
    }
}

struct Entry<T> {
    deadline: u64,
    prev: u32,
    /// The next entry in the timer's list while pending, in the free list when not.
    next: u32,
    generation: u32,
    /// `None` exactly when the entry is free (or retired).
    value: Option<T>,
}

#[derive(Clone, Copy)]
struct List {
    head: u32,
    tail: u32,
}

impl List {
    const EMPTY: List = List {
        head: NIL,
        tail: NIL,
    };
}

/// A hierarchical timer wheel; see the module documentation.
pub struct TimerWheel<T> {
    /// Every timer with a deadline at or before `now` has fired, except those in the
    /// overdue list.
    now: u64,
    entries: Vec<Entry<T>>,
    free_head: u32,
    len: usize,
    /// The slot lists, level by level, followed by the overdue list.
    lists: Box<[List]>,
    /// Bit `s` of `occupied[L]` is set exactly when level `L` slot `s` is non-empty.
    occupied: [u64; LEVELS],
    /// At most the earliest deadline in the overdue list while that is non-empty: it
    /// is not raised when the earliest overdue timer is cancelled.
    overdue_min: u64,
    /// Reused by `advance` to sort the overdue timers without allocating each time.
    overdue_scratch: Vec<(u64, u32)>,
}

impl<T> TimerWheel<T> {
    /// `now_ms`: the current time in ms (arbitrary origin, monotonic).
    pub fn new(now_ms: u64) -> Self {
        TimerWheel {
            now: now_ms,
            entries: Vec::new(),
            free_head: NIL,
            len: 0,
            lists: vec![List::EMPTY; OVERDUE_LIST + 1].into_boxed_slice(),
            occupied: [0; LEVELS],
            overdue_min: u64::MAX,
            overdue_scratch: Vec::new(),
        }
    }

    /// Adds a timer firing at absolute `deadline_ms`. A deadline at or before the
    /// wheel's current time fires at the next `advance`.
    ///
    /// Panics if `u32::MAX` timers are already pending.
    pub fn insert(&mut self, deadline_ms: u64, value: T) -> TimerId {
        let index = self.allocate(deadline_ms, value);
        let list = self.list_for(deadline_ms);
        if list == OVERDUE_LIST {
            self.overdue_min = if self.lists[OVERDUE_LIST].head == NIL {
                deadline_ms
            } else {
                self.overdue_min.min(deadline_ms)
            };
        }
        self.push_back(list, index);
        TimerId {
            index,
            generation: self.entries[index as usize].generation,
        }
    }

    /// Removes a pending timer in O(1), returning its deadline and value; `None` if it
    /// already fired, was cancelled, or the id is stale.
    pub fn cancel(&mut self, id: TimerId) -> Option<(u64, T)> {
        let deadline = self.deadline(id)?;
        let list = self.list_for(deadline);
        self.unlink(list, id.index);
        Some((deadline, self.release(id.index)))
    }

    /// The deadline of a pending timer (for `read_timer`); `None` if not pending.
    pub fn deadline(&self, id: TimerId) -> Option<u64> {
        let entry = self.entries.get(id.index as usize)?;
        (entry.generation == id.generation && entry.value.is_some()).then_some(entry.deadline)
    }

    /// The value of a pending timer; `None` if not pending.
    pub fn get(&self, id: TimerId) -> Option<&T> {
        let entry = self.entries.get(id.index as usize)?;
        if entry.generation != id.generation {
            return None;
        }
        entry.value.as_ref()
    }

    /// A lower bound on the earliest pending deadline, never later than it; `None` if
    /// no timer is pending. Cheap: it reads only the occupancy bitmaps.
    ///
    /// It is exact when the earliest timer is due within the current 64 ms block
    /// (level 0). Otherwise it is the start of the slot holding the earliest timer, so
    /// a scheduler that sleeps until it may wake early, but `advance` then cascades
    /// that slot and the next call is closer; at most one early wake-up per level.
    /// While overdue timers are pending it is at most their earliest deadline (and
    /// thus at most the wheel's current time), saying "fire now".
    pub fn next_deadline(&self) -> Option<u64> {
        if self.lists[OVERDUE_LIST].head != NIL {
            return Some(self.overdue_min);
        }
        self.earliest_slot().map(|(_, _, start)| start)
    }

    /// Moves time forward to `now_ms` and appends to `fired` every timer with
    /// deadline <= `now_ms`, in deadline order; timers with equal deadlines in
    /// insertion order. Calling with `now_ms` earlier than the current time is a
    /// no-op (overdue timers then wait for an `advance` that does not go back).
    pub fn advance(&mut self, now_ms: u64, fired: &mut Vec<T>) {
        self.advance_counting_slots(now_ms, fired);
    }

    /// The number of pending timers.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `advance`, returning how many occupied slots it visited, so that tests can
    /// check the cost does not depend on the time elapsed.
    fn advance_counting_slots(&mut self, now_ms: u64, fired: &mut Vec<T>) -> usize {
        if now_ms < self.now {
            return 0;
        }
        self.fire_overdue(fired);
        let mut slots_visited = 0;
        while let Some((level, slot, start)) = self.earliest_slot() {
            if start > now_ms {
                break;
            }
            slots_visited += 1;
            // Everything before `start` has fired, so `now` may move there; the
            // slot's timers are then due at `start` or belong to a lower level.
            self.now = start;
            let mut index = self.take_list(level * SLOTS_PER_LEVEL + slot);
            while index != NIL {
                let entry = &self.entries[index as usize];
                let (next, deadline) = (entry.next, entry.deadline);
                if deadline == start {
                    fired.push(self.release(index));
                } else {
                    let list = self.list_for(deadline);
                    self.push_back(list, index);
                }
                index = next;
            }
        }
        // No occupied slot starts at or before `now_ms`, so moving `now` there leaves
        // every pending timer at the level and slot `list_for` computes.
        self.now = now_ms;
        slots_visited
    }

    fn fire_overdue(&mut self, fired: &mut Vec<T>) {
        let mut index = self.take_list(OVERDUE_LIST);
        if index == NIL {
            return;
        }
        let mut due = std::mem::take(&mut self.overdue_scratch);
        while index != NIL {
            let entry = &self.entries[index as usize];
            due.push((entry.deadline, index));
            index = entry.next;
        }
        // Stable, so equal deadlines keep their insertion (list) order.
        due.sort_by_key(|&(deadline, _)| deadline);
        for &(_, index) in &due {
            fired.push(self.release(index));
        }
        due.clear();
        self.overdue_scratch = due;
    }

    /// The lowest non-empty level, its earliest occupied slot and that slot's start
    /// time: the next moment `advance` has work to do.
    fn earliest_slot(&self) -> Option<(usize, usize, u64)> {
        let (level, &bits) = self
            .occupied
            .iter()
            .enumerate()
            .find(|&(_, &bits)| bits != 0)?;
        let slot = bits.trailing_zeros() as usize;
        Some((level, slot, slot_start(self.now, level, slot)))
    }

    /// The list a pending timer with this deadline belongs to at the current time.
    fn list_for(&self, deadline: u64) -> usize {
        if deadline <= self.now {
            return OVERDUE_LIST;
        }
        let highest_differing_bit = u64::BITS - 1 - (deadline ^ self.now).leading_zeros();
        let level = (highest_differing_bit / SLOT_BITS) as usize;
        let slot = ((deadline >> (SLOT_BITS * level as u32)) & SLOT_MASK) as usize;
        level * SLOTS_PER_LEVEL + slot
    }

    fn allocate(&mut self, deadline: u64, value: T) -> u32 {
        self.len += 1;
        if self.free_head != NIL {
            let index = self.free_head;
            let entry = &mut self.entries[index as usize];
            self.free_head = entry.next;
            entry.deadline = deadline;
            entry.value = Some(value);
            return index;
        }
        let index = u32::try_from(self.entries.len())
            .ok()
            .filter(|&index| index != NIL)
            .expect("timer wheel: too many pending timers");
        self.entries.push(Entry {
            deadline,
            prev: NIL,
            next: NIL,
            generation: 0,
            value: Some(value),
        });
        index
    }

    /// Frees an entry that is in no list and returns its value.
    fn release(&mut self, index: u32) -> T {
        self.len -= 1;
        let entry = &mut self.entries[index as usize];
        let value = entry.value.take().expect("released a free timer entry");
        // An exhausted generation would let a new timer match an old id, so such an
        // entry is never reused; that costs one entry per 2^32 timers through it.
        if entry.generation != u32::MAX {
            entry.generation += 1;
            entry.next = self.free_head;
            self.free_head = index;
        }
        value
    }

    fn push_back(&mut self, list: usize, index: u32) {
        let tail = self.lists[list].tail;
        let entry = &mut self.entries[index as usize];
        entry.prev = tail;
        entry.next = NIL;
        if tail == NIL {
            self.lists[list].head = index;
            self.mark_occupied(list);
        } else {
            self.entries[tail as usize].next = index;
        }
        self.lists[list].tail = index;
    }

    fn unlink(&mut self, list: usize, index: u32) {
        let Entry { prev, next, .. } = self.entries[index as usize];
        if prev == NIL {
            self.lists[list].head = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next == NIL {
            self.lists[list].tail = prev;
        } else {
            self.entries[next as usize].prev = prev;
        }
        if self.lists[list].head == NIL {
            self.mark_empty(list);
        }
    }

    /// Empties a list and returns its old head; the entries keep their links so
    /// the caller can walk them.
    fn take_list(&mut self, list: usize) -> u32 {
        let head = self.lists[list].head;
        self.lists[list] = List::EMPTY;
        self.mark_empty(list);
        head
    }

    fn mark_occupied(&mut self, list: usize) {
        if list != OVERDUE_LIST {
            self.occupied[list / SLOTS_PER_LEVEL] |= 1 << (list % SLOTS_PER_LEVEL);
        }
    }

    fn mark_empty(&mut self, list: usize) {
        if list != OVERDUE_LIST {
            self.occupied[list / SLOTS_PER_LEVEL] &= !(1 << (list % SLOTS_PER_LEVEL));
        }
    }
}

/// The first millisecond covered by `slot` of `level`, given that the slot lies in
/// the same level-`level + 1` block as `now`.
fn slot_start(now: u64, level: usize, slot: usize) -> u64 {
    let slot_shift = SLOT_BITS * level as u32;
    let block_shift = slot_shift + SLOT_BITS;
    // The top level's block is the whole `u64` range, so its base is 0.
    let block_base = now
        .checked_shr(block_shift)
        .map_or(0, |block| block << block_shift);
    block_base | ((slot as u64) << slot_shift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashMap};

    /// Marsaglia's xorshift64: deterministic and dependency-free.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, bound: u64) -> u64 {
            self.next() % bound
        }
    }

    fn advance(wheel: &mut TimerWheel<u64>, now: u64) -> Vec<u64> {
        let mut fired = Vec::new();
        wheel.advance(now, &mut fired);
        fired
    }

    #[test]
    fn fires_in_deadline_order_and_ties_in_insertion_order() {
        let mut wheel = TimerWheel::new(0);
        for (value, deadline) in [(1, 300), (2, 5), (3, 70_000), (4, 5), (5, 300), (6, 64)] {
            wheel.insert(deadline, value);
        }
        assert_eq!(advance(&mut wheel, 4), Vec::<u64>::new());
        assert_eq!(advance(&mut wheel, 64), [2, 4, 6]);
        assert_eq!(advance(&mut wheel, 1_000_000), [1, 5, 3]);
        assert!(wheel.is_empty());
    }

    #[test]
    fn ties_keep_insertion_order_across_cascades() {
        // The first timer starts at a high level and cascades down; the later ones
        // go straight to lower levels, yet all share a slot when it matters.
        let deadline = 4096 + 3 * 64 + 5;
        let mut wheel = TimerWheel::new(0);
        wheel.insert(deadline, 1);
        assert!(advance(&mut wheel, 4100).is_empty());
        wheel.insert(deadline, 2);
        assert!(advance(&mut wheel, deadline - 3).is_empty());
        wheel.insert(deadline, 3);
        wheel.insert(deadline + 1, 5);
        wheel.insert(deadline, 4);
        assert_eq!(advance(&mut wheel, deadline + 1), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn timer_due_at_a_slot_start_fires_from_a_cascade() {
        let mut wheel = TimerWheel::new(1);
        wheel.insert(4096, 1);
        wheel.insert(4096 + 64, 2);
        wheel.insert(4096, 3);
        assert!(advance(&mut wheel, 4095).is_empty());
        assert_eq!(advance(&mut wheel, 4096), [1, 3]);
        assert_eq!(advance(&mut wheel, 4096 + 64), [2]);
    }

    #[test]
    fn cancel_before_and_after_firing() {
        let mut wheel = TimerWheel::new(100);
        let early = wheel.insert(150, 1);
        let late = wheel.insert(10_000, 2);
        let kept = wheel.insert(160, 3);
        assert_eq!(wheel.len(), 3);
        assert_eq!(wheel.cancel(late), Some((10_000, 2)));
        assert_eq!(wheel.cancel(late), None);
        assert_eq!(wheel.len(), 2);
        assert_eq!(advance(&mut wheel, 20_000), [1, 3]);
        assert_eq!(wheel.cancel(early), None);
        assert_eq!(wheel.cancel(kept), None);
        assert!(wheel.is_empty());
    }

    #[test]
    fn cancel_in_the_middle_of_a_slot_keeps_the_rest() {
        let mut wheel = TimerWheel::new(0);
        let ids: Vec<_> = (0..5).map(|value| wheel.insert(1000, value)).collect();
        assert_eq!(wheel.cancel(ids[0]), Some((1000, 0)));
        assert_eq!(wheel.cancel(ids[2]), Some((1000, 2)));
        assert_eq!(wheel.cancel(ids[4]), Some((1000, 4)));
        assert_eq!(advance(&mut wheel, 1000), [1, 3]);
    }

    #[test]
    fn stale_ids_never_match_later_timers() {
        let mut wheel = TimerWheel::new(0);
        let old = wheel.insert(10, 1);
        assert_eq!(wheel.cancel(old), Some((10, 1)));
        let reused = wheel.insert(10, 2);
        assert_eq!(reused.index, old.index, "the entry should be reused");
        assert_ne!(reused, old);
        assert_eq!(wheel.deadline(old), None);
        assert_eq!(wheel.cancel(old), None);
        assert_eq!(advance(&mut wheel, 10), [2]);
        let after_fire = wheel.insert(20, 3);
        assert_eq!(wheel.cancel(reused), None);
        assert_eq!(wheel.deadline(after_fire), Some(20));
        assert_eq!(wheel.deadline(TimerId::from_u64(u64::MAX)), None);
        assert_eq!(wheel.cancel(TimerId::from_u64(1 << 40)), None);
    }

    #[test]
    fn an_entry_with_an_exhausted_generation_is_retired() {
        let mut wheel = TimerWheel::new(0);
        let first = wheel.insert(10, 1);
        wheel.entries[first.index as usize].generation = u32::MAX - 1;
        let id = TimerId {
            generation: u32::MAX - 1,
            ..first
        };
        assert_eq!(wheel.cancel(id), Some((10, 1)));
        let last = wheel.insert(10, 2);
        assert_eq!(last.generation, u32::MAX);
        assert_eq!(wheel.cancel(last), Some((10, 2)));
        let fresh = wheel.insert(10, 3);
        assert_ne!(fresh.index, first.index);
        assert_eq!(wheel.cancel(last), None);
        assert_eq!(wheel.deadline(fresh), Some(10));
    }

    #[test]
    fn timer_ids_round_trip_through_u64() {
        for (index, generation) in [(0, 0), (1, 2), (u32::MAX, 0), (7, u32::MAX)] {
            let id = TimerId { index, generation };
            assert_eq!(TimerId::from_u64(id.to_u64()), id);
        }
        let mut wheel = TimerWheel::new(0);
        let id = wheel.insert(5, 1);
        assert_eq!(wheel.cancel(TimerId::from_u64(id.to_u64())), Some((5, 1)));
    }

    #[test]
    fn deadline_reports_pending_timers_only() {
        let mut wheel = TimerWheel::new(1000);
        let near = wheel.insert(1001, 1);
        let far = wheel.insert(5_000_000, 2);
        let overdue = wheel.insert(10, 3);
        assert_eq!(wheel.deadline(near), Some(1001));
        assert_eq!(wheel.deadline(far), Some(5_000_000));
        assert_eq!(wheel.deadline(overdue), Some(10));
        assert_eq!(advance(&mut wheel, 1001), [3, 1]);
        assert_eq!(wheel.deadline(near), None);
        assert_eq!(wheel.deadline(overdue), None);
        assert_eq!(wheel.deadline(far), Some(5_000_000));
        wheel.cancel(far);
        assert_eq!(wheel.deadline(far), None);
    }

    #[test]
    fn next_deadline_is_exact_at_level_zero_and_a_lower_bound_above() {
        let mut wheel = TimerWheel::new(0);
        assert_eq!(wheel.next_deadline(), None);
        let soon = wheel.insert(40, 1);
        let sooner = wheel.insert(20, 2);
        assert_eq!(wheel.next_deadline(), Some(20));
        wheel.cancel(sooner);
        assert_eq!(wheel.next_deadline(), Some(40));
        wheel.cancel(soon);
        assert_eq!(wheel.next_deadline(), None);

        // Level 2 (4096 ms slots): the bound is the slot start, then tightens.
        let far = 3 * 4096 + 5 * 64 + 7;
        wheel.insert(far, 3);
        assert_eq!(wheel.next_deadline(), Some(3 * 4096));
        assert!(advance(&mut wheel, 3 * 4096).is_empty());
        assert_eq!(wheel.next_deadline(), Some(3 * 4096 + 5 * 64));
        assert!(advance(&mut wheel, 3 * 4096 + 5 * 64).is_empty());
        assert_eq!(wheel.next_deadline(), Some(far));
        let nearer = wheel.insert(far - 1, 4);
        assert_eq!(wheel.next_deadline(), Some(far - 1));
        wheel.cancel(nearer);
        assert_eq!(wheel.next_deadline(), Some(far));
        assert_eq!(advance(&mut wheel, far), [3]);
        assert_eq!(wheel.next_deadline(), None);
    }

    #[test]
    fn next_deadline_prefers_lower_levels_and_bounds_each_level() {
        let mut wheel = TimerWheel::new(10);
        let deadlines = [1 << 40, 1 << 20, 5000, 100, 30];
        let ids: Vec<_> = deadlines.iter().map(|&d| wheel.insert(d, d)).collect();
        for (i, id) in ids.iter().enumerate().rev() {
            let earliest = deadlines[i];
            let bound = wheel.next_deadline().unwrap();
            assert!(bound <= earliest && bound > 10, "{bound} vs {earliest}");
            wheel.cancel(*id);
        }
        assert_eq!(wheel.next_deadline(), None);
    }

    #[test]
    fn past_deadlines_fire_at_the_next_advance_in_deadline_order() {
        let mut wheel = TimerWheel::new(1000);
        wheel.insert(1000, 1);
        wheel.insert(500, 2);
        wheel.insert(1001, 3);
        let cancelled = wheel.insert(0, 4);
        wheel.insert(500, 5);
        wheel.insert(999, 6);
        assert_eq!(wheel.next_deadline(), Some(0));
        wheel.cancel(cancelled);
        assert!(wheel.next_deadline().unwrap() <= 500);
        assert!(advance(&mut wheel, 999).is_empty(), "going back is a no-op");
        assert_eq!(advance(&mut wheel, 1000), [2, 5, 6, 1]);
        assert_eq!(wheel.next_deadline(), Some(1001));
        assert_eq!(advance(&mut wheel, 1001), [3]);
    }

    #[test]
    fn far_future_deadlines() {
        let mut wheel = TimerWheel::new(0);
        let half = u64::MAX / 2;
        wheel.insert(u64::MAX, 1);
        wheel.insert(half, 2);
        let beyond_six_levels = wheel.insert((1 << 36) + 12_345, 3);
        wheel.insert(1 << 50, 4);
        wheel.insert(half, 5);
        assert_eq!(wheel.deadline(beyond_six_levels), Some((1 << 36) + 12_345));
        assert!(wheel.next_deadline().unwrap() <= (1 << 36) + 12_345);
        assert_eq!(advance(&mut wheel, (1 << 36) + 12_344), Vec::<u64>::new());
        assert_eq!(wheel.next_deadline(), Some((1 << 36) + 12_345));
        assert_eq!(advance(&mut wheel, half - 1), [3, 4]);
        assert_eq!(advance(&mut wheel, half), [2, 5]);
        assert_eq!(advance(&mut wheel, u64::MAX - 1), Vec::<u64>::new());
        assert_eq!(wheel.next_deadline(), Some(u64::MAX));
        assert_eq!(advance(&mut wheel, u64::MAX), [1]);
        // At the end of time every deadline is overdue.
        wheel.insert(u64::MAX, 6);
        wheel.insert(3, 7);
        assert_eq!(advance(&mut wheel, u64::MAX), [7, 6]);
    }

    #[test]
    fn wheel_starting_near_the_end_of_time() {
        let start = u64::MAX - 100;
        let mut wheel = TimerWheel::new(start);
        wheel.insert(u64::MAX, 1);
        wheel.insert(start + 1, 2);
        wheel.insert(start, 3);
        assert_eq!(advance(&mut wheel, u64::MAX), [3, 2, 1]);
    }

    #[test]
    fn advancing_over_a_long_gap_visits_only_occupied_slots() {
        const HOUR: u64 = 3_600_000;
        const TEN_YEARS: u64 = 10 * 365 * 24 * HOUR;
        let mut wheel = TimerWheel::new(1_000);
        let mut fired = Vec::new();
        assert_eq!(wheel.advance_counting_slots(HOUR, &mut fired), 0);
        wheel.insert(HOUR + 5, 1);
        wheel.insert(2 * HOUR, 2);
        wheel.insert(TEN_YEARS, 3);
        let visited = wheel.advance_counting_slots(TEN_YEARS + HOUR, &mut fired);
        assert_eq!(fired, [1, 2, 3]);
        // Each timer is visited at most once per level it passes through.
        assert!(visited <= 3 * LEVELS, "visited {visited} slots");
        assert_eq!(wheel.advance_counting_slots(2 * TEN_YEARS, &mut fired), 0);
    }

    #[test]
    fn a_million_timers_fire_in_order() {
        const COUNT: u64 = 1_000_000;
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let mut wheel = TimerWheel::new(0);
        let mut deadlines = Vec::with_capacity(COUNT as usize);
        for seq in 0..COUNT {
            let deadline = 1 + rng.below(2 * COUNT);
            deadlines.push(deadline);
            wheel.insert(deadline, seq);
        }
        assert_eq!(wheel.len(), COUNT as usize);
        let mut fired = Vec::with_capacity(COUNT as usize);
        let mut now = 0;
        while !wheel.is_empty() {
            now += 1 + rng.below(5000);
            wheel.advance(now, &mut fired);
        }
        assert_eq!(fired.len(), COUNT as usize);
        let mut previous = (0, 0);
        for &seq in &fired {
            let key = (deadlines[seq as usize], seq);
            assert!(key > previous, "{key:?} fired after {previous:?}");
            previous = key;
        }
    }

    #[test]
    fn a_million_insert_cancel_cycles_reuse_one_entry() {
        let mut wheel = TimerWheel::new(5000);
        let mut rng = XorShift(42);
        for value in 0..1_000_000u64 {
            let deadline = match value % 3 {
                0 => rng.below(10_000),
                1 => rng.next(),
                _ => 5001,
            };
            let id = wheel.insert(deadline, value);
            assert_eq!(wheel.cancel(id), Some((deadline, value)));
        }
        assert_eq!(wheel.entries.len(), 1);
        assert!(wheel.is_empty());
        assert_eq!(wheel.next_deadline(), None);
        assert!(advance(&mut wheel, u64::MAX).is_empty());
    }

    #[test]
    fn wheel_is_send_and_entries_are_small() {
        fn assert_send<S: Send>() {}
        assert_send::<TimerWheel<Box<u32>>>();
        assert!(std::mem::size_of::<Entry<u64>>() <= 32 + std::mem::size_of::<u64>());
        assert!(std::mem::size_of::<Entry<Box<u32>>>() <= 32);
    }

    /// Random interleavings checked against a sorted map keyed by
    /// (deadline, insertion sequence), which is the specified firing order.
    #[test]
    fn matches_a_simple_model_under_random_operations() {
        let mut rng = XorShift(0xDEAD_BEEF_CAFE_F00D);
        let mut now = 1_000_000u64;
        let mut wheel = TimerWheel::new(now);
        let mut model: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        let mut pending: HashMap<u64, (u64, u64)> = HashMap::new();
        let mut issued: Vec<TimerId> = Vec::new();
        let mut next_seq = 0u64;

        for _ in 0..200_000 {
            match rng.below(100) {
                0..=39 => {
                    let deadline = match rng.below(10) {
                        0 => now.saturating_sub(rng.below(200)),
                        1..=3 => now + rng.below(70),
                        4..=6 => now + rng.below(5_000),
                        7 => now + rng.below(1 << 22),
                        8 => now + rng.below(1 << 40),
                        _ => rng.next(),
                    };
                    let seq = next_seq;
                    next_seq += 1;
                    let id = wheel.insert(deadline, seq);
                    model.insert((deadline, seq), seq);
                    assert!(pending.insert(id.to_u64(), (deadline, seq)).is_none());
                    issued.push(id);
                }
                40..=59 if !issued.is_empty() => {
                    // Mostly recent ids (likely pending), sometimes any (often stale).
                    let len = issued.len() as u64;
                    let pick = if rng.below(2) == 0 {
                        len - 1 - rng.below(len.min(64))
                    } else {
                        rng.below(len)
                    };
                    let id = issued[pick as usize];
                    let expected = pending.remove(&id.to_u64()).map(|(deadline, seq)| {
                        model.remove(&(deadline, seq));
                        (deadline, seq)
                    });
                    assert_eq!(wheel.cancel(id), expected);
                }
                60..=69 if !issued.is_empty() => {
                    let id = issued[rng.below(issued.len() as u64) as usize];
                    let expected = pending.get(&id.to_u64()).map(|&(deadline, _)| deadline);
                    assert_eq!(wheel.deadline(id), expected);
                }
                70..=79 => {
                    let earliest = model.keys().next().map(|&(deadline, _)| deadline);
                    let bound = wheel.next_deadline();
                    assert_eq!(bound.is_some(), earliest.is_some());
                    if let (Some(bound), Some(earliest)) = (bound, earliest) {
                        assert!(bound <= earliest, "bound {bound} > earliest {earliest}");
                        if earliest > now {
                            assert!(bound > now);
                        }
                        if earliest > now && (earliest ^ now) <= SLOT_MASK {
                            assert_eq!(bound, earliest);
                        }
                    }
                }
                _ => {
                    let target = match rng.below(10) {
                        0 => now.saturating_sub(rng.below(10)),
                        1..=3 => now + rng.below(3),
                        4..=6 => now + rng.below(200),
                        7 | 8 => now + rng.below(10_000),
                        _ => now + rng.below(1 << 24),
                    };
                    let fired = advance(&mut wheel, target);
                    let mut expected = Vec::new();
                    if target >= now {
                        now = target;
                        while let Some(entry) = model.first_entry() {
                            if entry.key().0 > now {
                                break;
                            }
                            let seq = entry.remove();
                            // `issued` is indexed by insertion sequence.
                            pending.remove(&issued[seq as usize].to_u64());
                            expected.push(seq);
                        }
                    }
                    assert_eq!(fired, expected);
                }
            }
            assert_eq!(wheel.len(), model.len());
        }

        let fired = advance(&mut wheel, u64::MAX);
        assert_eq!(fired, model.into_values().collect::<Vec<_>>());
        assert!(wheel.is_empty());
    }

    /// Run with `--ignored --nocapture` on an optimised build.
    #[test]
    #[ignore]
    fn timings() {
        use std::time::Instant;
        const COUNT: u64 = 1_000_000;
        let mut rng = XorShift(7);
        let deadlines: Vec<u64> = (0..COUNT).map(|_| 1 + rng.below(COUNT)).collect();

        let mut wheel = TimerWheel::new(0);
        let start = Instant::now();
        for (seq, &deadline) in deadlines.iter().enumerate() {
            wheel.insert(deadline, seq as u64);
        }
        println!(
            "1M inserts (deadlines within 1000 s): {:?}",
            start.elapsed()
        );
        let mut fired = Vec::with_capacity(COUNT as usize);
        let start = Instant::now();
        wheel.advance(COUNT, &mut fired);
        println!("one advance firing all 1M: {:?}", start.elapsed());
        assert_eq!(fired.len(), COUNT as usize);

        for (seq, &deadline) in deadlines.iter().enumerate() {
            wheel.insert(COUNT + deadline, seq as u64);
        }
        fired.clear();
        let start = Instant::now();
        for now in COUNT + 1..=2 * COUNT {
            wheel.advance(now, &mut fired);
        }
        println!("1M advances of 1 ms firing all 1M: {:?}", start.elapsed());
        assert_eq!(fired.len(), COUNT as usize);

        let start = Instant::now();
        for (seq, &deadline) in deadlines.iter().enumerate() {
            let id = wheel.insert(2 * COUNT + deadline, seq as u64);
            wheel.cancel(id);
        }
        println!("1M insert+cancel: {:?}", start.elapsed());

        let ids: Vec<_> = deadlines
            .iter()
            .map(|&deadline| wheel.insert(2 * COUNT + deadline, 0))
            .collect();
        let start = Instant::now();
        for id in ids {
            wheel.cancel(id);
        }
        println!("1M cancels of pending timers: {:?}", start.elapsed());
    }
}
