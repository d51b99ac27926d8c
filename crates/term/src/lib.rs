//! The term model of oxbeam: one 64-bit tagged word per term, as in the reference VM.
//!
//! Tag scheme (low bits of the word):
//!
//! | bits          | meaning                                              |
//! |---------------|------------------------------------------------------|
//! | `..00`        | header word of a heap object (never a term value)    |
//! | `..01`        | list: pointer to a two-word cons cell, tag added     |
//! | `..10`        | boxed: pointer to a header word, tag added           |
//! | `..0011`      | local pid                                            |
//! | `..0111`      | local port                                           |
//! | `..1111`      | small integer, 60-bit signed                         |
//! | `..00_1011`   | atom, index into the global atom table               |
//! | `..01_1011`   | catch marker (a code address) on a process stack     |
//! | `..11_1011`   | `[]`                                                 |
//!
//! Pointers are 8-byte aligned, so the tag bits are free. `NON_VALUE` (all zero) is used
//! as "no term" in registers and maps, as the reference does.

pub mod atom;
pub mod header;
pub mod word;

pub use atom::Atom;
pub use word::Term;
