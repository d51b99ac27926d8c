//! Header words and the layout of every kind of heap object.
//!
//! A header is `arity << 6 | subtag << 2 | 0b00`, where `arity` is the number of words
//! that follow it. The table below is the single description of each object's words; the
//! garbage collector and the copying code use [`term_words`] to know which words to trace.
//!
//! | subtag        | words after the header                                     |
//! |---------------|------------------------------------------------------------|
//! | `TUPLE`       | the elements                                               |
//! | `MATCH_CTX`   | original binary (term), position bits, end bits, saved...  |
//! | `POS_BIG`/`NEG_BIG` | magnitude as little-endian u64 limbs                 |
//! | `REF`         | ref id; a magic ref adds its object's pointer (raw)        |
//! | `FUN`         | fun-entry pointer (raw), captured environment (terms)      |
//! | `FLOAT`       | the f64 bits                                               |
//! | `EXPORT`      | export-entry pointer (raw)                                 |
//! | `REFC_BIN`    | byte size, `BinData` pointer (raw), data pointer (raw)     |
//! | `HEAP_BIN`    | byte size, the bytes padded to words                       |
//! | `SUB_BIN`     | bit size, bit offset into the original, original (term)    |
//! | `HASHMAP`     | reserved for the hash-trie map nodes                       |
//! | `EXT_PID`/`EXT_PORT`/`EXT_REF` | node atom, creation, ids (all raw)        |
//! | `MAP`         | keys tuple (term), then one value per key (terms)          |

use crate::word::Term;

pub const SUBTAG_TUPLE: u64 = 0;
pub const SUBTAG_MATCH_CTX: u64 = 1;
pub const SUBTAG_POS_BIG: u64 = 2;
pub const SUBTAG_NEG_BIG: u64 = 3;
pub const SUBTAG_REF: u64 = 4;
pub const SUBTAG_FUN: u64 = 5;
pub const SUBTAG_FLOAT: u64 = 6;
pub const SUBTAG_EXPORT: u64 = 7;
pub const SUBTAG_REFC_BIN: u64 = 8;
pub const SUBTAG_HEAP_BIN: u64 = 9;
pub const SUBTAG_SUB_BIN: u64 = 10;
pub const SUBTAG_HASHMAP: u64 = 11;
pub const SUBTAG_EXT_PID: u64 = 12;
pub const SUBTAG_EXT_PORT: u64 = 13;
pub const SUBTAG_EXT_REF: u64 = 14;
pub const SUBTAG_MAP: u64 = 15;

/// Words of a float object, header included.
pub const FLOAT_WORDS: usize = 2;
/// Words of a refc-binary handle, header included.
pub const REFC_BIN_WORDS: usize = 4;
/// Words of a sub-binary, header included.
pub const SUB_BIN_WORDS: usize = 4;
/// Binaries up to this many bytes live on the process heap.
pub const HEAP_BIN_LIMIT: usize = 64;

#[inline(always)]
pub const fn make_header(subtag: u64, arity: usize) -> Term {
    Term(((arity as u64) << 6) | (subtag << 2))
}
#[inline(always)]
pub const fn header_subtag(h: Term) -> u64 {
    (h.0 >> 2) & 0b1111
}
#[inline(always)]
pub const fn header_arity(h: Term) -> usize {
    (h.0 >> 6) as usize
}

/// Which words of an object (indices counted from the header, which is 0) hold terms
/// that must be traced: `start..end`.
#[inline]
pub const fn term_words(h: Term) -> (usize, usize) {
    let arity = header_arity(h);
    match header_subtag(h) {
        SUBTAG_TUPLE | SUBTAG_MAP | SUBTAG_HASHMAP => (1, 1 + arity),
        SUBTAG_FUN => (2, 1 + arity),
        SUBTAG_SUB_BIN => (3, 4),
        SUBTAG_MATCH_CTX => (1, 2),
        _ => (0, 0),
    }
}

/// The number of bytes of heap-binary payload words for `bytes` bytes.
#[inline(always)]
pub const fn words_for_bytes(bytes: usize) -> usize {
    bytes.div_ceil(8)
}
