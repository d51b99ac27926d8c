//! The oxbeam emulator: heaps and garbage collection, loaded code, the interpreter,
//! processes and BIFs. See `docs/architecture.md` for how the pieces fit.

pub mod backtrace;
pub mod bif;
pub mod bifs;
pub mod bits;
pub mod brk;
pub mod bs;
pub mod builtin;
pub mod code;
pub mod compare;
pub mod dict;
pub mod ets;
pub mod fun;
pub mod fuse;
pub mod gc;
pub mod heap;
pub mod interp;
pub mod literal;
pub mod literal_build;
pub mod loading;
pub mod magic;
pub mod map;
pub mod match_spec;
pub mod object;
pub mod ops;
pub mod os_signals;
pub mod port;
pub mod print;
pub mod process;
pub mod report;
pub mod sched;
pub mod stacktrace;
pub mod time;
pub mod trace;
pub mod transform;
pub mod words;
