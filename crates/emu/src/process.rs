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

/// A process's incoming messages, appended by senders under the lock.
pub type Inbox = std::sync::Arc<parking_lot::Mutex<VecDeque<Message>>>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Runnable,
    Running,
    Waiting,
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

pub struct Process {
    pub id: u64,
    pub pid: Term,
    pub heap: Heap,
    /// Where to continue when scheduled.
    pub ip: *const Op,
    /// Live argument registers saved when the process was scheduled out.
    pub saved_x: Vec<Term>,
    pub reds_left: i64,
    pub reductions: u64,
    /// Key/value pairs of the process dictionary (roots for the collector).
    pub dict: Vec<[Term; 2]>,
    pub mailbox: VecDeque<Message>,
    /// Where other processes append messages; shared with the process's table slot, so
    /// that receiving needs no table lookup.
    pub inbox: Inbox,
    /// Index of the next message `loop_rec` looks at.
    pub recv_save: usize,
    /// Receive timeout deadline, in monotonic nanoseconds.
    pub timeout_at: Option<u64>,
    pub timed_out: bool,
    pub group_leader: Term,
    pub status: Status,
    pub catches: u32,
    pub exception: Option<CurrentException>,
    pub initial_call: (Atom, Atom, u32),
    pub trap_exit: bool,
    pub links: Vec<Term>,
    /// Terms the runtime holds for the process outside the heap (exit reason...).
    pub extra_roots: Vec<Term>,
    pub exit_reason: Term,
    pub registered_name: Option<Atom>,
    /// The process ended by an uncaught `error` exception (the runtime logs those).
    pub error_exit: bool,
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
            saved_x: Vec::new(),
            reds_left: CONTEXT_REDS,
            reductions: 0,
            dict: Vec::new(),
            mailbox: VecDeque::new(),
            inbox: Inbox::default(),
            recv_save: 0,
            timeout_at: None,
            timed_out: false,
            group_leader: Term::NIL,
            status: Status::Runnable,
            catches: 0,
            exception: None,
            initial_call: (
                oxbeam_term::atom::am::UNDEFINED,
                oxbeam_term::atom::am::UNDEFINED,
                0,
            ),
            trap_exit: false,
            links: Vec::new(),
            extra_roots: Vec::new(),
            exit_reason: Term::NIL,
            registered_name: None,
            error_exit: false,
        }
    }

    /// Collects this process's heap. `x` holds the live argument registers.
    pub fn garbage_collect(&mut self, x: &mut [Term], need: usize, full: bool) {
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
        let mut single = [self.group_leader, self.exit_reason];
        {
            let dict = self.dict.as_flattened_mut();
            let mut roots: [&mut [Term]; 6] = [
                x,
                dict,
                &mut msgs,
                &mut exc,
                &mut self.extra_roots,
                &mut single,
            ];
            crate::gc::collect(&mut self.heap, &mut roots, need, full);
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
    }

    /// Looks a key up in the process dictionary.
    pub fn dict_get(&self, key: Term) -> Option<Term> {
        self.dict
            .iter()
            .find(|kv| crate::compare::eq_exact(kv[0], key))
            .map(|kv| kv[1])
    }
}
