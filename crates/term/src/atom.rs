//! The global atom table. Atoms are never freed (as in the reference VM), so a name is
//! stored once as a leaked `&'static str` and an atom is just its index.
//!
//! Atoms the VM itself refers to are predefined with fixed indices (see [`am`]) so that
//! Rust code can name them as constants.

use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// An index into the global atom table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Atom(pub u32);

/// The reference VM's limit on atom length, in characters.
pub const MAX_ATOM_CHARS: usize = 255;
/// The reference VM's default atom table limit.
pub const MAX_ATOMS: usize = 1_048_576;

/// Names by index, readable without a lock: interning publishes a name here before it
/// hands out the index, and names are never removed. Term order compares atoms by name,
/// so this read sits on the hot path of sorting and map lookups; a shared lock there
/// (an atomic read-modify-write on one cache line, from every scheduler) cost about 7%
/// of compiling an Elixir test file.
const SEGMENT_BITS: u32 = 12;
const SEGMENT_LEN: usize = 1 << SEGMENT_BITS;
const SEGMENTS: usize = MAX_ATOMS / SEGMENT_LEN;

/// Each atom's first eight name bytes as a big-endian number (zero-padded), so that most
/// comparisons of two atoms are one load per atom and an integer comparison (the
/// reference keeps a similar `ord0` beside each atom). Written once, before the atom's
/// index is handed out; a flat array (8 MiB of zero pages, touched only as atoms are
/// made) because term order walks it in sorts and map lookups.
static ORD0: [AtomicU64; MAX_ATOMS] = [const { AtomicU64::new(0) }; MAX_ATOMS];

fn ord0_of(name: &str) -> u64 {
    let mut prefix = [0u8; 8];
    let n = name.len().min(8);
    prefix[..n].copy_from_slice(&name.as_bytes()[..n]);
    u64::from_be_bytes(prefix)
}

type Segment = [OnceLock<&'static str>];

static NAMES: [OnceLock<&'static Segment>; SEGMENTS] = [const { OnceLock::new() }; SEGMENTS];

fn published_name(index: u32) -> Option<&'static str> {
    let segment = NAMES.get((index >> SEGMENT_BITS) as usize)?.get()?;
    segment[index as usize & (SEGMENT_LEN - 1)].get().copied()
}

/// The interning side: the index from name to atom, and the count, under a lock.
struct Table {
    len: u32,
    index: HashMap<&'static str, u32>,
}

impl Table {
    fn push(&mut self, name: &'static str) -> u32 {
        let idx = self.len;
        ORD0[idx as usize].store(ord0_of(name), Ordering::Release);
        let segment = NAMES[(idx >> SEGMENT_BITS) as usize].get_or_init(|| {
            let slots: Box<Segment> = (0..SEGMENT_LEN).map(|_| OnceLock::new()).collect();
            Box::leak(slots)
        });
        // The slot is fresh: only the holder of the write lock fills slots, in order.
        let _ = segment[idx as usize & (SEGMENT_LEN - 1)].set(name);
        self.index.insert(name, idx);
        self.len += 1;
        idx
    }
}

fn table() -> &'static RwLock<Table> {
    static TABLE: OnceLock<RwLock<Table>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Table {
            len: 0,
            index: HashMap::with_capacity(8192),
        };
        for name in am::PREDEFINED {
            t.push(name);
        }
        RwLock::new(t)
    })
}

/// Why an atom could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomError {
    /// More than 255 characters.
    TooLong,
    /// The table is full.
    TableFull,
}

impl Atom {
    /// The atom with this name, created if it does not exist yet.
    pub fn intern(name: &str) -> Result<Atom, AtomError> {
        if name.chars().count() > MAX_ATOM_CHARS {
            return Err(AtomError::TooLong);
        }
        if let Some(&i) = table().read().index.get(name) {
            return Ok(Atom(i));
        }
        let mut t = table().write();
        if let Some(&i) = t.index.get(name) {
            return Ok(Atom(i));
        }
        if t.len as usize >= MAX_ATOMS {
            return Err(AtomError::TableFull);
        }
        let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
        Ok(Atom(t.push(leaked)))
    }

    /// Interns a name known to be valid (from the VM itself or a loaded module).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(name: &str) -> Atom {
        Atom::intern(name).unwrap_or(am::EMPTY)
    }

    /// The atom with this name if it already exists.
    pub fn existing(name: &str) -> Option<Atom> {
        table().read().index.get(name).map(|&i| Atom(i))
    }

    /// The atom's name.
    pub fn name(self) -> &'static str {
        if let Some(name) = published_name(self.0) {
            return name;
        }
        // Not published yet to this thread: the table's lock orders it after the push.
        drop(table().read());
        published_name(self.0).unwrap_or("")
    }

    /// Term order between two atoms: by name, byte by byte.
    pub fn cmp_names(self, other: Atom) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        // Indices come from interning, so they are below MAX_ATOMS; a thread that holds
        // an atom was ordered after its interning (Acquire pairs with the store).
        let x = ORD0
            .get(self.0 as usize)
            .map_or(0, |o| o.load(Ordering::Acquire));
        let y = ORD0
            .get(other.0 as usize)
            .map_or(0, |o| o.load(Ordering::Acquire));
        x.cmp(&y).then_with(|| self.name().cmp(other.name()))
    }

    /// Number of atoms in the table.
    pub fn count() -> usize {
        table().read().len as usize
    }
}

impl std::fmt::Display for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! predefined_atoms {
    ($($konst:ident = $name:expr),* $(,)?) => {
        /// Atoms with fixed indices, usable as constants.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        pub mod am {
            use super::Atom;
            /// Names in index order.
            pub const PREDEFINED: &[&str] = &[$($name),*];
            #[repr(u32)]
            enum Index { $($konst),* }
            $(pub const $konst: Atom = Atom(Index::$konst as u32);)*
        }
    };
}

predefined_atoms! {
    EMPTY = "",
    FALSE = "false",
    TRUE = "true",
    OK = "ok",
    ERROR = "error",
    EXIT = "EXIT",
    THROW = "throw",
    EXIT_CLASS = "exit",
    UNDEFINED = "undefined",
    NORMAL = "normal",
    KILL = "kill",
    KILLED = "killed",
    BADARG = "badarg",
    BADARITH = "badarith",
    BADMATCH = "badmatch",
    BADFUN = "badfun",
    BADARITY = "badarity",
    BADKEY = "badkey",
    BADMAP = "badmap",
    BADRECORD = "badrecord",
    CASE_CLAUSE = "case_clause",
    FUNCTION_CLAUSE = "function_clause",
    IF_CLAUSE = "if_clause",
    TRY_CLAUSE = "try_clause",
    UNDEF = "undef",
    SYSTEM_LIMIT = "system_limit",
    NOPROC = "noproc",
    TIMEOUT_VALUE = "timeout_value",
    BAD_GENERATOR = "bad_generator",
    BAD_FILTER = "bad_filter",
    NOTSUP = "notsup",
    ERLANG = "erlang",
    ERROR_HANDLER = "error_handler",
    UNDEFINED_FUNCTION = "undefined_function",
    UNDEFINED_LAMBDA = "undefined_lambda",
    FILE = "file",
    LINE = "line",
    ERROR_INFO = "error_info",
    NONODE = "nonode@nohost",
    INFINITY = "infinity",
    APPLY = "apply",
    MODULE = "module",
    NAME = "name",
    ARITY = "arity",
    ENV = "env",
    TYPE = "type",
    LOCAL = "local",
    EXTERNAL = "external",
    INDEX = "index",
    NEW_INDEX = "new_index",
    UNIQ = "uniq",
    NEW_UNIQ = "new_uniq",
    PID = "pid",
    LATIN1 = "latin1",
    UNICODE = "unicode",
    UTF8 = "utf8",
    UTF16 = "utf16",
    UTF32 = "utf32",
    BIG = "big",
    LITTLE = "little",
    INCOMPLETE = "incomplete",
    HEAP_SIZE = "heap_size",
    TOTAL_HEAP_SIZE = "total_heap_size",
    STACK_SIZE = "stack_size",
    MEMORY = "memory",
    GARBAGE_COLLECTION = "garbage_collection",
    MIN_HEAP_SIZE = "min_heap_size",
    MIN_BIN_VHEAP_SIZE = "min_bin_vheap_size",
    FULLSWEEP_AFTER = "fullsweep_after",
    MINOR_GCS = "minor_gcs",
    MAX_HEAP_SIZE = "max_heap_size",
    REDUCTIONS = "reductions",
    MESSAGE_QUEUE_LEN = "message_queue_len",
    MESSAGES = "messages",
    DICTIONARY = "dictionary",
    REGISTERED_NAME = "registered_name",
    STATUS = "status",
    TRAP_EXIT = "trap_exit",
    GROUP_LEADER = "group_leader",
    CURRENT_FUNCTION = "current_function",
    INITIAL_CALL = "initial_call",
    LINKS = "links",
    MONITORS = "monitors",
    PRIORITY = "priority",
    SHORT = "short",
    DECIMALS = "decimals",
    SCIENTIFIC = "scientific",
    COMPACT = "compact",
    COMPRESSED = "compressed",
    MINOR_VERSION = "minor_version",
    DETERMINISTIC = "deterministic",
    SAFE = "safe",
    USED = "used",
    NATIVE = "native",
    SECOND = "second",
    MILLISECOND = "millisecond",
    MICROSECOND = "microsecond",
    NANOSECOND = "nanosecond",
    SECONDS = "seconds",
    MILLI_SECONDS = "milli_seconds",
    MICRO_SECONDS = "micro_seconds",
    NANO_SECONDS = "nano_seconds",
    PERF_COUNTER = "perf_counter",
    POSITIVE = "positive",
    MONOTONIC = "monotonic",
    GLOBAL = "global",
    SCOPE = "scope",
    ALL = "all",
    FIRST = "first",
    TRIM = "trim",
    TRIM_ALL = "trim_all",
    IO_REQUEST = "io_request",
    IO_REPLY = "io_reply",
    PUT_CHARS = "put_chars",
    DOWN = "DOWN",
    PROCESS = "process",
    MONITOR = "monitor",
    LINK = "link",
    NIL = "nil",
    MODULE_INFO = "module_info",
    EXPORTS = "exports",
    FUNCTIONS = "functions",
    ATTRIBUTES = "attributes",
    COMPILE = "compile",
    MD5 = "md5",
    NATIVE_ADDRESSES = "native_addresses",
    NIFS = "nifs",
    ON_LOAD = "on_load",
    STACKTRACE = "stacktrace",
    CODE = "code",
    INIT = "init",
    USER = "user",
    STANDARD_ERROR = "standard_error",
    EXITING = "exiting",
    WAITING = "waiting",
    RUNNING = "running",
    RUNNABLE = "runnable",
    SUSPENDED = "suspended",
    HIGH = "high",
    LOW = "low",
    MAX = "max",
    SPAWN = "spawn",
    NOCATCH = "nocatch",
    SHUTDOWN = "shutdown",
    NODE = "node",
    SOURCE = "source",
    VERSION = "version",
    OPTIONS = "options",
    UNDEFINED_FUNCTION_ARITY = "$undefined",
    NONE = "none",
    ITERATOR = "iterator",
}
