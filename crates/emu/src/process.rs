//! The process: its memory, registers saved while it is not running, mailbox, dictionary
//! and the bookkeeping the interpreter and BIFs need.

use crate::heap::{Fragment, Heap};
use crate::ops::Op;
use oxbeam_term::{Atom, Term};
use std::collections::VecDeque;

/// Reductions a process may use before it yields (as in the reference).
pub const CONTEXT_REDS: i64 = 4000;

/// A message: its term, and the fragment holding the copy when it has not been moved
/// into the receiver's heap yet.
pub struct Message {
    pub term: Term,
    pub frag: Option<Fragment>,
}

// SAFETY: a message's term points only into its own fragment (or literals).
unsafe impl Send for Message {}

/// An exit signal on its way to a process. The receiver decides what it means (die,
/// ignore, or turn it into an `{'EXIT', From, Reason}` message) when it handles it, in
/// order with the messages queued before it.
pub struct ExitSignal {
    /// The sending process's pid.
    pub from: Term,
    pub reason: Term,
    /// `{'EXIT', From, Reason}`, built by the sender next to `reason` in `frag`.
    pub trap_message: Term,
    pub frag: Option<Fragment>,
    /// Sent because a linked process exited (`kill` is then trappable, as in the
    /// reference), rather than by `exit/2`.
    pub linked: bool,
}

// SAFETY: the terms point only into the signal's own fragment (or are immediates).
unsafe impl Send for ExitSignal {}

/// What one process sends another: every signal from one sender to one receiver goes
/// through the receiver's single queue, so they are handled in the order sent.
pub enum Signal {
    Message(Message),
    /// A trace message for a tracer (never itself traced as received).
    TraceMessage(Message),
    /// Process `other` linked to (`linked`) or unlinked from this one: a traced
    /// receiver reports `getting_linked` / `getting_unlinked` when it handles this.
    LinkTrace {
        other: u64,
        linked: bool,
    },
    Exit(Box<ExitSignal>),
    /// Receive timeout number `seq` (see `Process::recv_timer_seq`) expired.
    Timeout(u64),
    /// The `'DOWN'` message of monitor `ref_id`.
    Down {
        ref_id: u64,
        message: Message,
    },
    /// A message sent through reply alias `ref_id` (which it deactivated).
    Reply {
        ref_id: u64,
        message: Message,
    },
    /// A new group leader (in a fragment when it is another node's process), set by
    /// another process (or node) while this one was running.
    GroupLeader(Message),
}

/// A process's incoming signals, appended by senders under the lock.
pub type Inbox = std::sync::Arc<parking_lot::Mutex<VecDeque<Signal>>>;

/// Scheduling priority.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Priority {
    Low,
    Normal,
    High,
    Max,
}

impl Priority {
    pub fn name(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Max => "max",
        }
    }

    pub fn from_term(t: Term) -> Option<Priority> {
        Some(match t.as_atom()?.name() {
            "low" => Priority::Low,
            "normal" => Priority::Normal,
            "high" => Priority::High,
            "max" => Priority::Max,
            _ => return None,
        })
    }

    pub fn from_u8(v: u8) -> Priority {
        [
            Priority::Low,
            Priority::Normal,
            Priority::High,
            Priority::Max,
        ][v as usize & 3]
    }
}

/// The `max_heap_size` process flag: a process whose heap grows past `size` words
/// (0: no limit) is killed if `kill`, and reported if `error_logger`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MaxHeapSize {
    pub size: usize,
    pub kill: bool,
    pub error_logger: bool,
}

impl Default for MaxHeapSize {
    fn default() -> Self {
        MaxHeapSize {
            size: 0,
            kill: true,
            error_logger: true,
        }
    }
}

/// The reference's default `min_bin_vheap_size` (words).
pub const DEFAULT_MIN_BIN_VHEAP_SIZE: usize = 46422;

/// A receive marker (see `Process::recv_markers`).
#[derive(Clone, Copy, Debug)]
pub struct RecvMarker {
    /// The id of the reference it is bound to (0 while reserved but not bound).
    pub ref_id: u64,
    /// Mailbox index of the first message that arrived after the marker was set.
    pub position: usize,
}

/// Receive markers a process keeps at most (the oldest is dropped beyond that; a receive
/// without its marker scans from the start, which is slower but still right).
pub const MAX_RECV_MARKERS: usize = 4;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Runnable,
    Running,
    Waiting,
    /// Taken off the run queues by `suspend_process` (it still handles signals).
    Suspended,
    Exiting,
    Exited,
}

/// The exception being handled, kept for `build_stacktrace` and `raw_raise`.
#[derive(Clone, Copy, Debug)]
pub struct CurrentException {
    pub class: Term,
    pub reason: Term,
    /// The stack trace as a list term.
    pub stacktrace: Term,
}

/// The processes a process suspended (`erlang:suspend_process`), with how many times
/// each; boxed because almost no process has any (8 bytes in every process instead of
/// a `Vec`'s 24: the extra allocation only happens in the rare process that has one).
#[derive(Default)]
#[allow(clippy::box_collection)]
pub struct SuspendList(Option<Box<Vec<(u64, u32)>>>);

impl SuspendList {
    pub fn as_slice(&self) -> &[(u64, u32)] {
        self.0.as_deref().map_or(&[], |v| v.as_slice())
    }
    pub fn contains(&self, id: u64) -> bool {
        self.as_slice().iter().any(|&(t, _)| t == id)
    }
    /// Counts one more suspension of `id`.
    pub fn add(&mut self, id: u64) {
        let v = self.0.get_or_insert_with(Default::default);
        match v.iter_mut().find(|(t, _)| *t == id) {
            Some((_, n)) => *n += 1,
            None => v.push((id, 1)),
        }
    }
    /// Takes one suspension of `id` back; false if there is none.
    pub fn remove_one(&mut self, id: u64) -> bool {
        let Some(v) = self.0.as_mut() else {
            return false;
        };
        let Some(i) = v.iter().position(|&(t, _)| t == id) else {
            return false;
        };
        v[i].1 -= 1;
        if v[i].1 == 0 {
            v.swap_remove(i);
        }
        true
    }
    pub fn take(&mut self) -> Vec<(u64, u32)> {
        self.0.take().map(|v| *v).unwrap_or_default()
    }
}

pub struct Process {
    pub id: u64,
    pub pid: Term,
    pub heap: Heap,
    /// Where to continue when scheduled.
    pub ip: *const Op,
    /// The export of the initial call, until the process first runs: its first call goes
    /// through it (see `interp::run`).
    pub first_call: Option<&'static crate::code::Export>,
    /// Live argument registers saved when the process was scheduled out.
    pub saved_x: Vec<Term>,
    /// The result of a BIF that native code called and the interpreter must finish
    /// (it failed or trapped): the interpreter's `call_bif` takes it instead of
    /// calling the BIF a second time (see `jit::helpers::call_bif`).
    pub jit_bif_result: Option<crate::bif::BifResult>,
    pub reds_left: i64,
    pub reductions: u64,
    /// Key/value pairs of the process dictionary (roots for the collector).
    pub dict: crate::dict::Dictionary,
    /// Work handed to a dirty scheduler, or its result (see `sched::dirty`).
    pub dirty: Option<Box<crate::sched::dirty::DirtyState>>,
    pub mailbox: VecDeque<Message>,
    /// Where other processes append messages; shared with the process's table slot, so
    /// that receiving needs no table lookup.
    pub inbox: Inbox,
    /// Index of the next message `loop_rec` looks at.
    pub recv_save: usize,
    /// Receive markers: where the mailbox ended when a reference was made, so that a
    /// `receive` matching only that reference skips the older messages.
    pub recv_markers: Vec<RecvMarker>,
    /// The pending timeout of the current `receive ... after`.
    pub recv_timer: Option<crate::sched::timers::ReceiveTimer>,
    /// Number of the latest receive timeout started (tells a stale expiry apart).
    pub recv_timer_seq: u64,
    pub timed_out: bool,
    /// The current receive's `after` value was read (its timer runs, or it is
    /// `infinity`): waking up must not read it again, the register holding it is gone.
    pub recv_timeout_set: bool,
    pub group_leader: Term,
    pub catches: u32,
    pub exception: Option<CurrentException>,
    pub initial_call: (Atom, Atom, u32),
    pub trap_exit: bool,
    /// Monitors this process holds on others.
    pub monitoring: crate::sched::ref_map::RefMap<crate::sched::monitors::Watched>,
    /// Its active aliases.
    pub aliases: crate::sched::ref_map::RefMap<crate::sched::monitors::AliasMode>,
    pub exit_reason: Term,
    /// The process ended by an uncaught `error` exception (the runtime logs those).
    pub error_exit: bool,
    pub priority: Priority,
    pub max_heap_size: MaxHeapSize,
    pub min_bin_vheap_size: usize,
    /// `message_queue_data` is `off_heap`.
    pub off_heap_messages: bool,
    pub sensitive: bool,
    pub error_handler: Atom,
    /// Asleep in `erlang:hibernate/3` (process_info shows it there).
    pub hibernating: bool,
    /// Processes this one suspended, with how many times.
    pub suspending: SuspendList,
    /// Timer wheels that may hold `send_after`/`start_timer` timers this process set to
    /// itself (bit `wheel % 64`): they are cancelled when it exits.
    pub timer_wheels: u64,
    /// The pid of the process that spawned it (`undefined` for the first one).
    pub parent: Term,
    /// Times this process turned `scheduler_wall_time` on and not off again.
    pub wall_time_enables: u32,
    /// Subsystems with cleanup to do when this process exits (`sched::exit_hooks` bits).
    pub exit_hooks: u8,
    /// `process_flag(monitor_nodes | {monitor_nodes, Opts}, true)` subscriptions: the
    /// options' code (see `bifs::spawn_bifs::node_monitor_key`) and how many times.
    pub node_monitor_subs: Vec<(u8, u32)>,
    /// Trace flags (`crate::trace` bits), as last read from the process's slot (which
    /// holds the current value) when it was scheduled in, or set by itself.
    pub trace_flags: u32,
    /// The id of the process receiving its trace messages (meaningful while
    /// `trace_flags` is not 0).
    pub tracer: u64,
    /// Every call checks for local breakpoints (see `crate::trace::bp`): the process
    /// then runs with `reds_left` at 1 and the rest of its budget in `reds_bank`.
    pub trace_calls: bool,
    pub reds_bank: i64,
    /// The sequential trace token (`[]` when none), and the process's sequential trace
    /// clock and last serial.
    pub seq_token: Term,
    pub seq_clock: i64,
    pub seq_lastcnt: i64,
}

// SAFETY: a process is only ever touched by the thread running it; its raw pointers
// point into its own heap or immutable code.
unsafe impl Send for Process {}

impl Process {
    pub fn new(id: u64, min_heap_size: usize) -> Process {
        Process {
            id,
            pid: Term::pid(id),
            heap: Heap::new(min_heap_size),
            ip: std::ptr::null(),
            first_call: None,
            saved_x: Vec::new(),
            jit_bif_result: None,
            reds_left: CONTEXT_REDS,
            reductions: 0,
            dict: Default::default(),
            dirty: None,
            mailbox: VecDeque::new(),
            inbox: Inbox::default(),
            recv_save: 0,
            recv_markers: Vec::new(),
            recv_timer: None,
            recv_timer_seq: 0,
            timed_out: false,
            recv_timeout_set: false,
            group_leader: Term::NIL,
            catches: 0,
            exception: None,
            initial_call: (
                oxbeam_term::atom::am::UNDEFINED,
                oxbeam_term::atom::am::UNDEFINED,
                0,
            ),
            trap_exit: false,
            monitoring: Default::default(),
            aliases: Default::default(),
            exit_reason: Term::NIL,
            error_exit: false,
            priority: Priority::Normal,
            max_heap_size: MaxHeapSize::default(),
            min_bin_vheap_size: DEFAULT_MIN_BIN_VHEAP_SIZE,
            off_heap_messages: false,
            sensitive: false,
            error_handler: oxbeam_term::atom::am::ERROR_HANDLER,
            parent: Term::atom(oxbeam_term::atom::am::UNDEFINED),
            wall_time_enables: 0,
            exit_hooks: 0,
            node_monitor_subs: Vec::new(),
            suspending: SuspendList::default(),
            timer_wheels: 0,
            hibernating: false,
            trace_flags: 0,
            tracer: 0,
            trace_calls: false,
            reds_bank: 0,
            seq_token: Term::NIL,
            seq_clock: 0,
            seq_lastcnt: 0,
        }
    }

    /// Collects this process's heap. `x` holds the live argument registers.
    pub fn garbage_collect(&mut self, x: &mut [Term], need: usize, full: bool) {
        if crate::trace::sysmon::watching_gc() {
            return self.garbage_collect_watched(x, need, full);
        }
        self.collect_with(x, |heap, roots| crate::gc::collect(heap, roots, need, full));
    }

    /// `garbage_collect` while the system monitor watches collections: timed, then
    /// reported if long or if the heap is large.
    #[cold]
    fn garbage_collect_watched(&mut self, x: &mut [Term], need: usize, full: bool) {
        let start = std::time::Instant::now();
        self.collect_with(x, |heap, roots| crate::gc::collect(heap, roots, need, full));
        crate::trace::sysmon::after_gc(self, start.elapsed());
    }

    /// The collection `erlang:hibernate` does: a full sweep, then the heap shrinks to fit
    /// what is live.
    pub fn hibernate_collect(&mut self, x: &mut [Term]) {
        self.collect_with(x, |heap, roots| {
            crate::gc::collect(heap, roots, 0, true);
            crate::gc::shrink_to_fit(heap, roots);
        });
    }

    /// Runs a collection `gc` with every root of the process.
    fn collect_with(
        &mut self,
        x: &mut [Term],
        gc: impl FnOnce(&mut crate::heap::Heap, &mut [&mut [Term]]),
    ) {
        // Queued messages move onto the heap: their fragments join the young generation
        // and their terms become roots.
        for m in self.mailbox.iter_mut() {
            if let Some(f) = m.frag.take() {
                self.heap.attach_fragment(f);
            }
        }
        let mut msgs: Vec<Term> = self.mailbox.iter().map(|m| m.term).collect();
        let mut exc: Vec<Term> = match self.exception {
            Some(e) => vec![e.class, e.reason, e.stacktrace],
            None => vec![],
        };
        let mut single = [self.group_leader, self.exit_reason, self.seq_token];
        {
            let dict = self.dict.roots_mut();
            let mut roots: [&mut [Term]; 5] = [x, dict, &mut msgs, &mut exc, &mut single];
            gc(&mut self.heap, &mut roots);
        }
        for (m, t) in self.mailbox.iter_mut().zip(msgs) {
            m.term = t;
        }
        if let Some(e) = self.exception.as_mut() {
            e.class = exc[0];
            e.reason = exc[1];
            e.stacktrace = exc[2];
        }
        self.group_leader = single[0];
        self.exit_reason = single[1];
        self.seq_token = single[2];
        self.check_max_heap_size();
    }

    /// After a collection: a heap still larger than `max_heap_size` ends the process
    /// with `killed` (if `kill`) through an untrappable exit signal to itself, acted on
    /// at its next scheduling; it is asked to yield at once.
    fn check_max_heap_size(&mut self) {
        let limit = self.max_heap_size;
        if limit.size == 0 {
            return;
        }
        let total = self.heap.young_size() + self.heap.old_size() + self.heap.frag_words();
        if total <= limit.size {
            return;
        }
        if limit.error_logger {
            crate::report::max_heap_size_reached(self, total, limit.size);
        }
        if limit.kill {
            crate::sched::exit_signal(
                self.pid,
                self.id,
                Term::atom(oxbeam_term::atom::am::KILL),
                false,
            );
            self.force_yield();
        }
    }

    /// Makes the process yield at its next call.
    pub fn force_yield(&mut self) {
        self.reds_left = 0;
        self.reds_bank = 0;
    }

    /// Reductions left in the current time slice.
    pub fn reds_remaining(&self) -> i64 {
        self.reds_left + self.reds_bank
    }

    /// Removes the message at `index` from the mailbox, keeping receive markers on the
    /// same messages.
    pub fn remove_message(&mut self, index: usize) -> Option<Message> {
        let m = self.mailbox.remove(index)?;
        for marker in self.recv_markers.iter_mut() {
            if marker.position > index {
                marker.position -= 1;
            }
        }
        Some(m)
    }

    /// The mailbox was reordered or filtered: markers no longer point anywhere useful, so
    /// receives scan from the start.
    pub fn reset_recv_markers(&mut self) {
        for marker in self.recv_markers.iter_mut() {
            marker.position = 0;
        }
    }

    /// Stops the pending receive timeout, if any.
    pub fn cancel_receive_timeout(&mut self) {
        if let Some(t) = self.recv_timer.take() {
            crate::sched::timers::cancel_receive_timeout(t);
        }
        self.timed_out = false;
        self.recv_timeout_set = false;
    }

    /// Looks a key up in the process dictionary.
    pub fn dict_get(&self, key: Term) -> Option<Term> {
        self.dict.get(key)
    }
}
