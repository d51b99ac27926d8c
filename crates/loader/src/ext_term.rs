//! Owned decoding of the Erlang external term format (as produced by `term_to_binary/1`),
//! used for the `LitT` literals and the `Attr` / `CInf` chunks.
//!
//! The decoder is iterative (an explicit stack instead of recursion) and rejects terms
//! nested deeper than [`MAX_DEPTH`], so that neither decoding nor the derived
//! `Drop`/`Clone`/`PartialEq`/`Debug` of the result can overflow the stack. Lengths are
//! checked against the remaining input before anything is allocated.
//!
//! Normalisations (all matching what `binary_to_term/1` produces):
//! * integers that fit an `i64` are always [`ExtTerm::Int`], whatever their encoding;
//! * latin1 atoms are converted to UTF-8;
//! * an empty `STRING_EXT` is [`ExtTerm::Nil`]; a `LIST_EXT` with no elements is its tail;
//!   a list whose tail is itself a list or string is flattened, so the tail of an
//!   [`ExtTerm::List`] is never a list;
//! * `BIT_BINARY_EXT` with 0 bytes and 0 bits is an empty [`ExtTerm::Binary`].
//!
//! Not checked: duplicate keys in `MAP_EXT` (`binary_to_term/1` rejects them).

use num_bigint::{BigInt, BigUint, Sign};
use std::fmt;
use std::io::Read;

/// A decoded term.
#[derive(Debug, Clone, PartialEq)]
pub enum ExtTerm {
    Int(i64),
    BigInt(BigInt),
    Float(f64),
    /// Always UTF-8; latin1 `ATOM_EXT`/`SMALL_ATOM_EXT` are converted.
    Atom(String),
    Nil,
    /// Elements and tail (`Nil` for a proper list).
    List(Vec<ExtTerm>, Box<ExtTerm>),
    /// `STRING_EXT`: a proper list of bytes.
    String(Vec<u8>),
    Tuple(Vec<ExtTerm>),
    Map(Vec<(ExtTerm, ExtTerm)>),
    Binary(Vec<u8>),
    /// A bitstring whose last byte holds `bits` (1..=8) significant bits.
    BitBinary {
        bytes: Vec<u8>,
        bits: u8,
    },
    Pid {
        node: Box<ExtTerm>,
        id: u32,
        serial: u32,
        creation: u32,
    },
    Port {
        node: Box<ExtTerm>,
        id: u64,
        creation: u32,
    },
    Ref {
        node: Box<ExtTerm>,
        creation: u32,
        ids: Vec<u32>,
    },
    Export {
        module: Box<ExtTerm>,
        function: Box<ExtTerm>,
        arity: u8,
    },
    Fun {
        arity: u8,
        uniq: [u8; 16],
        index: u32,
        module: Box<ExtTerm>,
        old_index: Box<ExtTerm>,
        old_uniq: Box<ExtTerm>,
        pid: Box<ExtTerm>,
        free: Vec<ExtTerm>,
    },
}

/// The version byte that starts every externally encoded term.
pub const VERSION_MAGIC: u8 = 131;

/// Maximum nesting depth of tuples, lists, maps and fun environments.
pub const MAX_DEPTH: usize = 2000;

/// Maximum number of characters in an atom.
pub const MAX_ATOM_CHARS: usize = 255;

/// The tag bytes of the external term format (one table for the loader and the
/// emulator's `binary_to_term`/`term_to_binary`).
pub mod tags {
    pub const NEW_FLOAT_EXT: u8 = 70;
    pub const BIT_BINARY_EXT: u8 = 77;
    pub const COMPRESSED: u8 = 80;
    pub const ATOM_CACHE_REF: u8 = 82;
    pub const NEW_PID_EXT: u8 = 88;
    pub const NEW_PORT_EXT: u8 = 89;
    pub const NEWER_REFERENCE_EXT: u8 = 90;
    pub const SMALL_INTEGER_EXT: u8 = 97;
    pub const INTEGER_EXT: u8 = 98;
    pub const FLOAT_EXT: u8 = 99;
    pub const ATOM_EXT: u8 = 100;
    pub const REFERENCE_EXT: u8 = 101;
    pub const PORT_EXT: u8 = 102;
    pub const PID_EXT: u8 = 103;
    pub const SMALL_TUPLE_EXT: u8 = 104;
    pub const LARGE_TUPLE_EXT: u8 = 105;
    pub const NIL_EXT: u8 = 106;
    pub const STRING_EXT: u8 = 107;
    pub const LIST_EXT: u8 = 108;
    pub const BINARY_EXT: u8 = 109;
    pub const SMALL_BIG_EXT: u8 = 110;
    pub const LARGE_BIG_EXT: u8 = 111;
    pub const NEW_FUN_EXT: u8 = 112;
    pub const EXPORT_EXT: u8 = 113;
    pub const NEW_REFERENCE_EXT: u8 = 114;
    pub const SMALL_ATOM_EXT: u8 = 115;
    pub const MAP_EXT: u8 = 116;
    pub const FUN_EXT: u8 = 117;
    pub const ATOM_UTF8_EXT: u8 = 118;
    pub const SMALL_ATOM_UTF8_EXT: u8 = 119;
    pub const V4_PORT_EXT: u8 = 120;
}
use tags::*;

/// Decodes a complete external term: version byte 131, then either a term or a
/// zlib-compressed term (tag 80). Bytes after the term are ignored, as
/// `binary_to_term/1` does.
pub fn decode(bytes: &[u8]) -> Result<ExtTerm, String> {
    match bytes.first() {
        Some(&VERSION_MAGIC) => {}
        Some(&b) => return Err(format!("bad version byte {b} (expected 131)")),
        None => return Err("empty input".to_string()),
    }
    if bytes.get(1) == Some(&COMPRESSED) {
        let size = match bytes.get(2..6) {
            Some(s) => u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize,
            None => return Err("truncated compressed term header".to_string()),
        };
        let inflated = inflate_exact(&bytes[6..], size)?;
        let (term, _) = decode_body(&inflated).map_err(|e| format!("in compressed term: {e}"))?;
        Ok(term)
    } else {
        // Offsets in error messages are relative to the whole input.
        let mut d = Dec {
            data: bytes,
            pos: 1,
        };
        d.term()
    }
}

/// Inflates zlib data that must expand to exactly `size` bytes. Never allocates more
/// than the data can expand to.
pub fn inflate_exact(data: &[u8], size: usize) -> Result<Vec<u8>, String> {
    // zlib cannot expand by more than about 1032:1.
    let bound = data.len().saturating_mul(1032).saturating_add(64);
    if size > bound {
        return Err(format!(
            "declared uncompressed size {size} impossible for {} compressed bytes",
            data.len()
        ));
    }
    let mut out = Vec::with_capacity(size);
    let mut dec = flate2::read::ZlibDecoder::new(data).take(size as u64 + 1);
    dec.read_to_end(&mut out)
        .map_err(|e| format!("zlib error: {e}"))?;
    if out.len() != size {
        return Err(format!(
            "uncompressed size {} does not match declared size {size}",
            out.len().min(size + 1)
        ));
    }
    Ok(out)
}

/// Decodes one term (no version byte); returns it and the number of bytes consumed.
pub fn decode_body(bytes: &[u8]) -> Result<(ExtTerm, usize), String> {
    let mut d = Dec {
        data: bytes,
        pos: 0,
    };
    let t = d.term()?;
    Ok((t, d.pos))
}

enum Frame {
    Tuple {
        left: usize,
        items: Vec<ExtTerm>,
    },
    List {
        left: usize,
        items: Vec<ExtTerm>,
    },
    ListTail {
        items: Vec<ExtTerm>,
    },
    Map {
        left: usize,
        items: Vec<(ExtTerm, ExtTerm)>,
        key: Option<ExtTerm>,
    },
    Fun {
        head: Box<FunHead>,
        left: usize,
        free: Vec<ExtTerm>,
    },
}

struct FunHead {
    end: usize,
    arity: u8,
    uniq: [u8; 16],
    index: u32,
    module: ExtTerm,
    old_index: ExtTerm,
    old_uniq: ExtTerm,
    pid: ExtTerm,
}

/// What reading the head of a term produced.
enum Head {
    Done(ExtTerm),
    Open(Frame),
}

struct Dec<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Dec<'a> {
    fn err<T>(&self, msg: impl fmt::Display) -> Result<T, String> {
        Err(format!("at byte {}: {msg}", self.pos))
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.remaining() {
            return self.err(format!(
                "unexpected end of data (need {n} bytes, {} left)",
                self.remaining()
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let s = self.take(2)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_be_bytes(a))
    }

    /// A count of items each needing at least `min_size` bytes.
    fn count(&mut self, n: usize, min_size: usize, what: &str) -> Result<usize, String> {
        if n.saturating_mul(min_size) > self.remaining() {
            return self.err(format!(
                "{what} count {n} exceeds the {} remaining bytes",
                self.remaining()
            ));
        }
        Ok(n)
    }

    fn term(&mut self) -> Result<ExtTerm, String> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let mut value = match self.head()? {
                Head::Done(v) => v,
                Head::Open(frame) => {
                    if stack.len() >= MAX_DEPTH {
                        return self.err(format!("term nested deeper than {MAX_DEPTH}"));
                    }
                    stack.push(frame);
                    continue;
                }
            };
            // Feed the finished value to the enclosing frames.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(value);
                };
                match top {
                    Frame::Tuple { left, items } => {
                        items.push(value);
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                        let Some(Frame::Tuple { items, .. }) = stack.pop() else {
                            unreachable!()
                        };
                        value = ExtTerm::Tuple(items);
                    }
                    Frame::List { left, items } => {
                        items.push(value);
                        *left -= 1;
                        if *left == 0 {
                            let items = std::mem::take(items);
                            *top = Frame::ListTail { items };
                        }
                        break;
                    }
                    Frame::ListTail { items } => {
                        let items = std::mem::take(items);
                        stack.pop();
                        value = make_list(items, value);
                    }
                    Frame::Map { left, items, key } => match key.take() {
                        None => {
                            *key = Some(value);
                            break;
                        }
                        Some(k) => {
                            items.push((k, value));
                            *left -= 1;
                            if *left > 0 {
                                break;
                            }
                            let Some(Frame::Map { items, .. }) = stack.pop() else {
                                unreachable!()
                            };
                            value = ExtTerm::Map(items);
                        }
                    },
                    Frame::Fun { left, free, .. } => {
                        free.push(value);
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                        let Some(Frame::Fun { head, free, .. }) = stack.pop() else {
                            unreachable!()
                        };
                        value = self.finish_fun(*head, free)?;
                    }
                }
            }
        }
    }

    fn finish_fun(&self, h: FunHead, free: Vec<ExtTerm>) -> Result<ExtTerm, String> {
        if self.pos != h.end {
            return self.err(format!(
                "NEW_FUN_EXT size field says it ends at {}, but it ends at {}",
                h.end, self.pos
            ));
        }
        Ok(ExtTerm::Fun {
            arity: h.arity,
            uniq: h.uniq,
            index: h.index,
            module: Box::new(h.module),
            old_index: Box::new(h.old_index),
            old_uniq: Box::new(h.old_uniq),
            pid: Box::new(h.pid),
            free,
        })
    }

    /// Reads an atom (any of the four atom encodings).
    fn atom(&mut self) -> Result<ExtTerm, String> {
        let tag = self.u8()?;
        self.atom_body(tag)
    }

    fn atom_body(&mut self, tag: u8) -> Result<ExtTerm, String> {
        let (len, utf8) = match tag {
            ATOM_EXT => (self.u16()? as usize, false),
            SMALL_ATOM_EXT => (self.u8()? as usize, false),
            ATOM_UTF8_EXT => (self.u16()? as usize, true),
            SMALL_ATOM_UTF8_EXT => (self.u8()? as usize, true),
            ATOM_CACHE_REF => {
                return self.err("ATOM_CACHE_REF is only valid in distribution messages")
            }
            t => return self.err(format!("expected an atom, found tag {t}")),
        };
        let start = self.pos;
        let bytes = self.take(len)?;
        if utf8 {
            match std::str::from_utf8(bytes) {
                Ok(s) => {
                    if len > MAX_ATOM_CHARS && s.chars().count() > MAX_ATOM_CHARS {
                        self.pos = start;
                        return self.err("atom longer than 255 characters");
                    }
                    Ok(ExtTerm::Atom(s.to_string()))
                }
                Err(_) => {
                    self.pos = start;
                    self.err("atom is not valid UTF-8")
                }
            }
        } else {
            if len > MAX_ATOM_CHARS {
                self.pos = start;
                return self.err("atom longer than 255 characters");
            }
            Ok(ExtTerm::Atom(bytes.iter().map(|&b| b as char).collect()))
        }
    }

    /// Reads a pid (NEW_PID_EXT or PID_EXT).
    fn pid(&mut self) -> Result<ExtTerm, String> {
        let tag = self.u8()?;
        self.pid_body(tag)
    }

    fn pid_body(&mut self, tag: u8) -> Result<ExtTerm, String> {
        let node = self.atom()?;
        let id = self.u32()?;
        let serial = self.u32()?;
        let creation = match tag {
            NEW_PID_EXT => self.u32()?,
            PID_EXT => u32::from(self.u8()?),
            t => return self.err(format!("expected a pid, found tag {t}")),
        };
        Ok(ExtTerm::Pid {
            node: Box::new(node),
            id,
            serial,
            creation,
        })
    }

    /// Reads an integer term (small, integer or big).
    fn integer(&mut self) -> Result<ExtTerm, String> {
        let tag = self.u8()?;
        match tag {
            SMALL_INTEGER_EXT => Ok(ExtTerm::Int(i64::from(self.u8()?))),
            INTEGER_EXT => Ok(ExtTerm::Int(i64::from(self.u32()? as i32))),
            SMALL_BIG_EXT => {
                let n = self.u8()? as usize;
                self.big(n)
            }
            LARGE_BIG_EXT => {
                let n = self.u32()? as usize;
                self.big(n)
            }
            t => self.err(format!("expected an integer, found tag {t}")),
        }
    }

    fn big(&mut self, n: usize) -> Result<ExtTerm, String> {
        let sign = self.u8()?;
        if sign > 1 {
            return self.err(format!("bad bignum sign byte {sign}"));
        }
        let digits = self.take(n)?;
        let significant = match digits.iter().rposition(|&d| d != 0) {
            Some(i) => &digits[..=i],
            None => return Ok(ExtTerm::Int(0)),
        };
        if significant.len() <= 8 {
            let mut v: u64 = 0;
            for &d in significant.iter().rev() {
                v = (v << 8) | u64::from(d);
            }
            if sign == 0 {
                if let Ok(i) = i64::try_from(v) {
                    return Ok(ExtTerm::Int(i));
                }
            } else if v <= 1u64 << 63 {
                return Ok(ExtTerm::Int((v as i64).wrapping_neg()));
            }
        }
        let mag = BigUint::from_bytes_le(significant);
        let s = if sign == 0 { Sign::Plus } else { Sign::Minus };
        Ok(ExtTerm::BigInt(BigInt::from_biguint(s, mag)))
    }

    fn head(&mut self) -> Result<Head, String> {
        let tag = self.u8()?;
        let done = |t| Ok(Head::Done(t));
        match tag {
            SMALL_INTEGER_EXT | INTEGER_EXT | SMALL_BIG_EXT | LARGE_BIG_EXT => {
                self.pos -= 1;
                done(self.integer()?)
            }
            NEW_FLOAT_EXT => {
                let f = f64::from_bits(self.u64()?);
                if !f.is_finite() {
                    self.pos -= 8;
                    return self.err("float is not finite");
                }
                done(ExtTerm::Float(f))
            }
            FLOAT_EXT => {
                let start = self.pos;
                let raw = self.take(31)?;
                match parse_old_float(raw) {
                    Some(f) => done(ExtTerm::Float(f)),
                    None => {
                        self.pos = start;
                        self.err("bad FLOAT_EXT string")
                    }
                }
            }
            ATOM_EXT | SMALL_ATOM_EXT | ATOM_UTF8_EXT | SMALL_ATOM_UTF8_EXT | ATOM_CACHE_REF => {
                done(self.atom_body(tag)?)
            }
            SMALL_TUPLE_EXT | LARGE_TUPLE_EXT => {
                let n = if tag == SMALL_TUPLE_EXT {
                    self.u8()? as usize
                } else {
                    self.u32()? as usize
                };
                let n = self.count(n, 1, "tuple element")?;
                if n == 0 {
                    return done(ExtTerm::Tuple(Vec::new()));
                }
                Ok(Head::Open(Frame::Tuple {
                    left: n,
                    items: Vec::with_capacity(n),
                }))
            }
            NIL_EXT => done(ExtTerm::Nil),
            STRING_EXT => {
                let n = self.u16()? as usize;
                let bytes = self.take(n)?;
                if bytes.is_empty() {
                    done(ExtTerm::Nil)
                } else {
                    done(ExtTerm::String(bytes.to_vec()))
                }
            }
            LIST_EXT => {
                let n = self.u32()? as usize;
                // n elements plus the tail, at least one byte each
                let n = self.count(n.saturating_add(1), 1, "list element")? - 1;
                if n == 0 {
                    return Ok(Head::Open(Frame::ListTail { items: Vec::new() }));
                }
                Ok(Head::Open(Frame::List {
                    left: n,
                    items: Vec::with_capacity(n),
                }))
            }
            BINARY_EXT => {
                let n = self.u32()? as usize;
                done(ExtTerm::Binary(self.take(n)?.to_vec()))
            }
            BIT_BINARY_EXT => {
                let n = self.u32()? as usize;
                let bits = self.u8()?;
                if bits > 8 || ((bits == 0) != (n == 0)) {
                    self.pos -= 1;
                    return self.err(format!("bad BIT_BINARY_EXT bit count {bits} for {n} bytes"));
                }
                let bytes = self.take(n)?.to_vec();
                if n == 0 {
                    done(ExtTerm::Binary(bytes))
                } else {
                    done(ExtTerm::BitBinary { bytes, bits })
                }
            }
            MAP_EXT => {
                let n = self.u32()? as usize;
                let n = self.count(n, 2, "map pair")?;
                if n == 0 {
                    return done(ExtTerm::Map(Vec::new()));
                }
                Ok(Head::Open(Frame::Map {
                    left: n,
                    items: Vec::with_capacity(n),
                    key: None,
                }))
            }
            NEW_PID_EXT | PID_EXT => done(self.pid_body(tag)?),
            NEW_PORT_EXT | PORT_EXT | V4_PORT_EXT => {
                let node = self.atom()?;
                let id = if tag == V4_PORT_EXT {
                    self.u64()?
                } else {
                    u64::from(self.u32()?)
                };
                let creation = if tag == PORT_EXT {
                    u32::from(self.u8()?)
                } else {
                    self.u32()?
                };
                done(ExtTerm::Port {
                    node: Box::new(node),
                    id,
                    creation,
                })
            }
            NEWER_REFERENCE_EXT | NEW_REFERENCE_EXT => {
                let n = self.u16()? as usize;
                if n == 0 || n > 5 {
                    self.pos -= 2;
                    return self.err(format!("bad reference length {n}"));
                }
                let node = self.atom()?;
                let creation = if tag == NEWER_REFERENCE_EXT {
                    self.u32()?
                } else {
                    u32::from(self.u8()?)
                };
                let mut ids = Vec::with_capacity(n);
                for _ in 0..n {
                    ids.push(self.u32()?);
                }
                done(ExtTerm::Ref {
                    node: Box::new(node),
                    creation,
                    ids,
                })
            }
            REFERENCE_EXT => {
                let node = self.atom()?;
                let id = self.u32()?;
                let creation = u32::from(self.u8()?);
                done(ExtTerm::Ref {
                    node: Box::new(node),
                    creation,
                    ids: vec![id],
                })
            }
            EXPORT_EXT => {
                let module = self.atom()?;
                let function = self.atom()?;
                let apos = self.pos;
                let arity = match self.integer()? {
                    ExtTerm::Int(a) if (0..=255).contains(&a) => a as u8,
                    _ => {
                        self.pos = apos;
                        return self.err("bad EXPORT_EXT arity");
                    }
                };
                done(ExtTerm::Export {
                    module: Box::new(module),
                    function: Box::new(function),
                    arity,
                })
            }
            NEW_FUN_EXT => {
                let start = self.pos;
                let size = self.u32()? as usize;
                if size > self.remaining() + 4 {
                    self.pos = start;
                    return self.err(format!("NEW_FUN_EXT size {size} exceeds the data"));
                }
                let end = start + size;
                let arity = self.u8()?;
                let mut uniq = [0u8; 16];
                uniq.copy_from_slice(self.take(16)?);
                let index = self.u32()?;
                let num_free = self.u32()? as usize;
                let module = self.atom()?;
                let old_index = self.integer()?;
                let old_uniq = self.integer()?;
                let pid = self.pid()?;
                let num_free = self.count(num_free, 1, "fun free variable")?;
                let head = Box::new(FunHead {
                    end,
                    arity,
                    uniq,
                    index,
                    module,
                    old_index,
                    old_uniq,
                    pid,
                });
                if num_free == 0 {
                    return done(self.finish_fun(*head, Vec::new())?);
                }
                Ok(Head::Open(Frame::Fun {
                    head,
                    left: num_free,
                    free: Vec::with_capacity(num_free),
                }))
            }
            COMPRESSED => self.err("compressed term is only allowed at top level"),
            FUN_EXT => self.err("FUN_EXT (pre-R8 fun) is not supported"),
            t => self.err(format!("unknown term tag {t}")),
        }
    }
}

/// Builds a list from elements and tail, flattening tails that are lists themselves.
fn make_list(mut items: Vec<ExtTerm>, tail: ExtTerm) -> ExtTerm {
    if items.is_empty() {
        return tail;
    }
    match tail {
        ExtTerm::List(more, tail) => {
            items.extend(more);
            ExtTerm::List(items, tail)
        }
        ExtTerm::String(bytes) => {
            items.extend(bytes.into_iter().map(|b| ExtTerm::Int(i64::from(b))));
            ExtTerm::List(items, Box::new(ExtTerm::Nil))
        }
        tail => ExtTerm::List(items, Box::new(tail)),
    }
}

/// Parses the 31-byte `FLOAT_EXT` string: `[+-]?digits.digits([eE][+-]?digits)?`
/// padded with NULs, finite.
fn parse_old_float(raw: &[u8]) -> Option<f64> {
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    let s = std::str::from_utf8(&raw[..end]).ok()?;
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > s
    };
    if !digits(&mut i) || i >= b.len() || b[i] != b'.' {
        return None;
    }
    i += 1;
    if !digits(&mut i) {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

impl ExtTerm {
    /// The atom name, if this is an atom.
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            ExtTerm::Atom(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a proper list (`Nil`, `List` with `Nil` tail, or `String`), if it is one.
    pub fn proper_list(&self) -> Option<Vec<ExtTerm>> {
        match self {
            ExtTerm::Nil => Some(Vec::new()),
            ExtTerm::List(items, tail) if **tail == ExtTerm::Nil => Some(items.clone()),
            ExtTerm::String(b) => Some(b.iter().map(|&c| ExtTerm::Int(i64::from(c))).collect()),
            _ => None,
        }
    }
}

/// Erlang-like printing (as `io:format("~p")` would, roughly). Very deep terms are
/// abbreviated with `...`.
impl fmt::Display for ExtTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_term(f, self, 0)
    }
}

const DISPLAY_DEPTH: usize = 100;

fn write_seq<'a>(
    f: &mut fmt::Formatter<'_>,
    items: impl Iterator<Item = &'a ExtTerm>,
    depth: usize,
) -> fmt::Result {
    for (i, t) in items.enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write_term(f, t, depth + 1)?;
    }
    Ok(())
}

fn write_term(f: &mut fmt::Formatter<'_>, t: &ExtTerm, depth: usize) -> fmt::Result {
    if depth > DISPLAY_DEPTH {
        return f.write_str("...");
    }
    match t {
        ExtTerm::Int(i) => write!(f, "{i}"),
        ExtTerm::BigInt(i) => write!(f, "{i}"),
        ExtTerm::Float(x) => write!(f, "{x:?}"),
        ExtTerm::Atom(a) => write_atom(f, a),
        ExtTerm::Nil => f.write_str("[]"),
        ExtTerm::String(b) => write_string(f, b),
        ExtTerm::List(items, tail) => {
            f.write_str("[")?;
            write_seq(f, items.iter(), depth)?;
            if **tail != ExtTerm::Nil {
                f.write_str("|")?;
                write_term(f, tail, depth + 1)?;
            }
            f.write_str("]")
        }
        ExtTerm::Tuple(items) => {
            f.write_str("{")?;
            write_seq(f, items.iter(), depth)?;
            f.write_str("}")
        }
        ExtTerm::Map(pairs) => {
            f.write_str("#{")?;
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write_term(f, k, depth + 1)?;
                f.write_str(" => ")?;
                write_term(f, v, depth + 1)?;
            }
            f.write_str("}")
        }
        ExtTerm::Binary(b) => {
            if !b.is_empty() && b.iter().all(|&c| (0x20..0x7f).contains(&c)) {
                f.write_str("<<")?;
                write_string(f, b)?;
                f.write_str(">>")
            } else {
                f.write_str("<<")?;
                for (i, c) in b.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str(">>")
            }
        }
        ExtTerm::BitBinary { bytes, bits } => {
            f.write_str("<<")?;
            for (i, c) in bytes.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                if i + 1 == bytes.len() && *bits < 8 {
                    write!(f, "{}:{}", c >> (8 - bits), bits)?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            f.write_str(">>")
        }
        ExtTerm::Pid {
            node, id, serial, ..
        } => write!(f, "<{}.{id}.{serial}>", node),
        ExtTerm::Port { node, id, .. } => write!(f, "#Port<{}.{id}>", node),
        ExtTerm::Ref { node, ids, .. } => {
            write!(f, "#Ref<{}", node)?;
            for i in ids.iter().rev() {
                write!(f, ".{i}")?;
            }
            f.write_str(">")
        }
        ExtTerm::Export {
            module,
            function,
            arity,
        } => write!(f, "fun {}:{}/{arity}", module, function),
        ExtTerm::Fun {
            module,
            index,
            arity,
            free,
            ..
        } => write!(
            f,
            "#Fun<{}.{index}.{arity}>{}",
            module,
            if free.is_empty() { "" } else { "(env)" }
        ),
    }
}

fn write_string(f: &mut fmt::Formatter<'_>, b: &[u8]) -> fmt::Result {
    if b.iter()
        .all(|&c| (0x20..0x7f).contains(&c) || c == b'\n' || c == b'\t')
    {
        f.write_str("\"")?;
        for &c in b {
            match c {
                b'"' => f.write_str("\\\"")?,
                b'\\' => f.write_str("\\\\")?,
                b'\n' => f.write_str("\\n")?,
                b'\t' => f.write_str("\\t")?,
                c => write!(f, "{}", c as char)?,
            }
        }
        f.write_str("\"")
    } else {
        f.write_str("[")?;
        for (i, c) in b.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str("]")
    }
}

const RESERVED: &[&str] = &[
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case",
    "catch", "cond", "div", "end", "fun", "if", "let", "maybe", "not", "of", "or", "orelse",
    "receive", "rem", "try", "when", "xor",
];

/// Writes an atom, quoting it when needed.
pub fn write_atom(f: &mut impl fmt::Write, a: &str) -> fmt::Result {
    let mut chars = a.chars();
    let plain = match chars.next() {
        Some(c) if c.is_ascii_lowercase() => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@')
        }
        _ => false,
    } && !RESERVED.contains(&a);
    if plain {
        return f.write_str(a);
    }
    f.write_char('\'')?;
    for c in a.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            c if (c as u32) < 0x20 => write!(f, "\\x{{{:X}}}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    // Produced with OTP 25.2 `term_to_binary/1,2` (see the terms in each test) by a small
    // escript-style module printing `binary_to_list(term_to_binary(T))`.
    const SMALL_INT: &[u8] = &[131, 97, 42];
    const NEG_INT: &[u8] = &[131, 98, 255, 255, 255, 251];
    const INT32: &[u8] = &[131, 98, 0, 1, 134, 160];
    const INT32_NEG: &[u8] = &[131, 98, 128, 0, 0, 0];
    const BIG_POS: &[u8] = &[131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const BIG_NEG: &[u8] = &[131, 110, 9, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1];
    const I64_MAX: &[u8] = &[131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 127];
    const I64_MIN: &[u8] = &[131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128];
    const I64_MIN_MINUS_1: &[u8] = &[131, 110, 8, 1, 1, 0, 0, 0, 0, 0, 0, 128];
    const HUGE: &[u8] = &[
        131, 111, 0, 0, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        16,
    ];
    const FLOAT: &[u8] = &[131, 70, 64, 9, 33, 249, 240, 27, 134, 110];
    const FLOAT_NEG: &[u8] = &[131, 70, 129, 149, 110, 31, 194, 248, 243, 89];
    const ATOM: &[u8] = &[131, 100, 0, 5, 104, 101, 108, 108, 111];
    const UTF8_ATOM: &[u8] = &[
        131, 119, 11, 104, 195, 169, 108, 108, 111, 95, 240, 159, 152, 128,
    ];
    const NIL: &[u8] = &[131, 106];
    const STRING: &[u8] = &[131, 107, 0, 3, 97, 98, 99];
    const LIST: &[u8] = &[
        131, 108, 0, 0, 0, 3, 97, 1, 100, 0, 1, 97, 70, 64, 0, 0, 0, 0, 0, 0, 0, 106,
    ];
    const IMPROPER: &[u8] = &[131, 108, 0, 0, 0, 1, 97, 1, 100, 0, 1, 98];
    const TUPLE: &[u8] = &[
        131, 104, 3, 100, 0, 2, 111, 107, 97, 1, 109, 0, 0, 0, 3, 98, 105, 110,
    ];
    const EMPTY_TUPLE: &[u8] = &[131, 104, 0];
    const MAP: &[u8] = &[
        131, 116, 0, 0, 0, 2, 100, 0, 1, 97, 97, 1, 109, 0, 0, 0, 1, 107, 108, 0, 0, 0, 1, 100, 0,
        1, 120, 106,
    ];
    const BITS: &[u8] = &[131, 77, 0, 0, 0, 1, 3, 160];
    const BITS_LONG: &[u8] = &[131, 77, 0, 0, 0, 4, 5, 1, 2, 3, 32];
    const BINARY: &[u8] = &[131, 109, 0, 0, 0, 3, 1, 2, 3];
    const EXPORT: &[u8] = &[
        131, 113, 100, 0, 5, 108, 105, 115, 116, 115, 100, 0, 3, 109, 97, 112, 97, 2,
    ];
    const NESTED: &[u8] = &[
        131, 108, 0, 0, 0, 2, 104, 2, 100, 0, 1, 97, 108, 0, 0, 0, 1, 116, 0, 0, 0, 0, 106, 104, 2,
        107, 0, 1, 120, 109, 0, 0, 0, 0, 106,
    ];
    const LARGE_TUPLE: &[u8] = &[
        131, 105, 0, 0, 1, 44, 97, 1, 97, 2, 97, 3, 97, 4, 97, 5, 97, 6, 97, 7, 97, 8, 97, 9, 97,
        10, 97, 11, 97, 12, 97, 13, 97, 14, 97, 15, 97, 16, 97, 17, 97, 18, 97, 19, 97, 20, 97, 21,
        97, 22, 97, 23, 97, 24, 97, 25, 97, 26, 97, 27, 97, 28, 97, 29, 97, 30, 97, 31, 97, 32, 97,
        33, 97, 34, 97, 35, 97, 36, 97, 37, 97, 38, 97, 39, 97, 40, 97, 41, 97, 42, 97, 43, 97, 44,
        97, 45, 97, 46, 97, 47, 97, 48, 97, 49, 97, 50, 97, 51, 97, 52, 97, 53, 97, 54, 97, 55, 97,
        56, 97, 57, 97, 58, 97, 59, 97, 60, 97, 61, 97, 62, 97, 63, 97, 64, 97, 65, 97, 66, 97, 67,
        97, 68, 97, 69, 97, 70, 97, 71, 97, 72, 97, 73, 97, 74, 97, 75, 97, 76, 97, 77, 97, 78, 97,
        79, 97, 80, 97, 81, 97, 82, 97, 83, 97, 84, 97, 85, 97, 86, 97, 87, 97, 88, 97, 89, 97, 90,
        97, 91, 97, 92, 97, 93, 97, 94, 97, 95, 97, 96, 97, 97, 97, 98, 97, 99, 97, 100, 97, 101,
        97, 102, 97, 103, 97, 104, 97, 105, 97, 106, 97, 107, 97, 108, 97, 109, 97, 110, 97, 111,
        97, 112, 97, 113, 97, 114, 97, 115, 97, 116, 97, 117, 97, 118, 97, 119, 97, 120, 97, 121,
        97, 122, 97, 123, 97, 124, 97, 125, 97, 126, 97, 127, 97, 128, 97, 129, 97, 130, 97, 131,
        97, 132, 97, 133, 97, 134, 97, 135, 97, 136, 97, 137, 97, 138, 97, 139, 97, 140, 97, 141,
        97, 142, 97, 143, 97, 144, 97, 145, 97, 146, 97, 147, 97, 148, 97, 149, 97, 150, 97, 151,
        97, 152, 97, 153, 97, 154, 97, 155, 97, 156, 97, 157, 97, 158, 97, 159, 97, 160, 97, 161,
        97, 162, 97, 163, 97, 164, 97, 165, 97, 166, 97, 167, 97, 168, 97, 169, 97, 170, 97, 171,
        97, 172, 97, 173, 97, 174, 97, 175, 97, 176, 97, 177, 97, 178, 97, 179, 97, 180, 97, 181,
        97, 182, 97, 183, 97, 184, 97, 185, 97, 186, 97, 187, 97, 188, 97, 189, 97, 190, 97, 191,
        97, 192, 97, 193, 97, 194, 97, 195, 97, 196, 97, 197, 97, 198, 97, 199, 97, 200, 97, 201,
        97, 202, 97, 203, 97, 204, 97, 205, 97, 206, 97, 207, 97, 208, 97, 209, 97, 210, 97, 211,
        97, 212, 97, 213, 97, 214, 97, 215, 97, 216, 97, 217, 97, 218, 97, 219, 97, 220, 97, 221,
        97, 222, 97, 223, 97, 224, 97, 225, 97, 226, 97, 227, 97, 228, 97, 229, 97, 230, 97, 231,
        97, 232, 97, 233, 97, 234, 97, 235, 97, 236, 97, 237, 97, 238, 97, 239, 97, 240, 97, 241,
        97, 242, 97, 243, 97, 244, 97, 245, 97, 246, 97, 247, 97, 248, 97, 249, 97, 250, 97, 251,
        97, 252, 97, 253, 97, 254, 97, 255, 98, 0, 0, 1, 0, 98, 0, 0, 1, 1, 98, 0, 0, 1, 2, 98, 0,
        0, 1, 3, 98, 0, 0, 1, 4, 98, 0, 0, 1, 5, 98, 0, 0, 1, 6, 98, 0, 0, 1, 7, 98, 0, 0, 1, 8,
        98, 0, 0, 1, 9, 98, 0, 0, 1, 10, 98, 0, 0, 1, 11, 98, 0, 0, 1, 12, 98, 0, 0, 1, 13, 98, 0,
        0, 1, 14, 98, 0, 0, 1, 15, 98, 0, 0, 1, 16, 98, 0, 0, 1, 17, 98, 0, 0, 1, 18, 98, 0, 0, 1,
        19, 98, 0, 0, 1, 20, 98, 0, 0, 1, 21, 98, 0, 0, 1, 22, 98, 0, 0, 1, 23, 98, 0, 0, 1, 24,
        98, 0, 0, 1, 25, 98, 0, 0, 1, 26, 98, 0, 0, 1, 27, 98, 0, 0, 1, 28, 98, 0, 0, 1, 29, 98, 0,
        0, 1, 30, 98, 0, 0, 1, 31, 98, 0, 0, 1, 32, 98, 0, 0, 1, 33, 98, 0, 0, 1, 34, 98, 0, 0, 1,
        35, 98, 0, 0, 1, 36, 98, 0, 0, 1, 37, 98, 0, 0, 1, 38, 98, 0, 0, 1, 39, 98, 0, 0, 1, 40,
        98, 0, 0, 1, 41, 98, 0, 0, 1, 42, 98, 0, 0, 1, 43, 98, 0, 0, 1, 44,
    ];
    const COMPRESSED: &[u8] = &[
        131, 80, 0, 0, 5, 126, 120, 156, 203, 97, 96, 96, 72, 201, 96, 74, 97, 96, 76, 204, 102,
        96, 205, 72, 205, 201, 201, 31, 229, 141, 242, 70, 121, 163, 188, 81, 30, 173, 121, 89, 0,
        205, 23, 115, 154,
    ];
    const PID: &[u8] = &[
        131, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0,
        0, 85, 0, 0, 0, 3, 0, 0, 0, 0,
    ];
    const MINOR1_FLOAT: &[u8] = &[
        131, 99, 49, 46, 53, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
        48, 48, 101, 43, 48, 48, 0, 0, 0, 0, 0,
    ];
    const FUN_ENV: &[u8] = &[
        131, 112, 0, 0, 0, 74, 1, 143, 90, 223, 25, 240, 178, 39, 145, 50, 221, 60, 192, 249, 56,
        124, 93, 0, 0, 0, 0, 0, 0, 0, 1, 100, 0, 1, 119, 97, 0, 98, 4, 122, 214, 248, 88, 100, 0,
        13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 9, 0, 0, 0, 0,
        0, 0, 0, 0, 98, 0, 0, 3, 116,
    ];
    const REF: &[u8] = &[
        131, 90, 0, 3, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116,
        0, 0, 0, 0, 0, 1, 158, 91, 192, 132, 0, 2, 9, 68, 212, 34,
    ];
    const PORT: &[u8] = &[
        131, 89, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0,
        0, 0, 0, 0, 0, 0,
    ];
    const DEEP_LIST: &[u8] = &[
        131, 108, 0, 0, 0, 1, 108, 0, 0, 0, 1, 108, 0, 0, 0, 1, 108, 0, 0, 0, 1, 108, 0, 0, 0, 1,
        108, 0, 0, 0, 1, 108, 0, 0, 0, 1, 108, 0, 0, 0, 1, 108, 0, 0, 0, 1, 108, 0, 0, 0, 1, 106,
        106, 106, 106, 106, 106, 106, 106, 106, 106, 106,
    ];

    fn atom(s: &str) -> ExtTerm {
        ExtTerm::Atom(s.to_string())
    }

    fn int(i: i64) -> ExtTerm {
        ExtTerm::Int(i)
    }

    fn local_node() -> Box<ExtTerm> {
        Box::new(atom("nonode@nohost"))
    }

    #[test]
    fn integers() {
        assert_eq!(decode(SMALL_INT).unwrap(), int(42));
        assert_eq!(decode(NEG_INT).unwrap(), int(-5));
        assert_eq!(decode(INT32).unwrap(), int(100000));
        assert_eq!(decode(INT32_NEG).unwrap(), int(-2147483648));
        assert_eq!(
            decode(BIG_POS).unwrap(),
            ExtTerm::BigInt(BigInt::from(1u128 << 64))
        );
        assert_eq!(
            decode(BIG_NEG).unwrap(),
            ExtTerm::BigInt(-BigInt::from(1u128 << 64) - 1)
        );
        assert_eq!(decode(I64_MAX).unwrap(), int(i64::MAX));
        assert_eq!(decode(I64_MIN).unwrap(), int(i64::MIN));
        assert_eq!(
            decode(I64_MIN_MINUS_1).unwrap(),
            ExtTerm::BigInt(BigInt::from(i64::MIN) - 1)
        );
        assert_eq!(
            decode(HUGE).unwrap(),
            ExtTerm::BigInt(BigInt::from(1) << 2100usize)
        );
    }

    #[test]
    #[allow(clippy::approx_constant)] // 3.14159 is what term_to_binary was given
    fn floats() {
        assert_eq!(decode(FLOAT).unwrap(), ExtTerm::Float(3.14159));
        assert_eq!(decode(FLOAT_NEG).unwrap(), ExtTerm::Float(-0.5e-300));
        assert_eq!(decode(MINOR1_FLOAT).unwrap(), ExtTerm::Float(1.5));
        // infinity is rejected, as binary_to_term/1 does
        assert!(decode(&[131, 70, 127, 240, 0, 0, 0, 0, 0, 0]).is_err());
        let old = |s: &str| {
            let mut v = vec![131, 99];
            v.extend_from_slice(s.as_bytes());
            v.resize(33, 0);
            decode(&v)
        };
        // accepted/rejected exactly like binary_to_term/1 in OTP 25
        assert_eq!(old("1.0").unwrap(), ExtTerm::Float(1.0));
        assert_eq!(old("-1.5").unwrap(), ExtTerm::Float(-1.5));
        assert_eq!(old("+1.5").unwrap(), ExtTerm::Float(1.5));
        assert_eq!(old("1.5E+05").unwrap(), ExtTerm::Float(1.5e5));
        assert_eq!(old("1.0e-400").unwrap(), ExtTerm::Float(0.0));
        for bad in [
            "1", "1e5", ".5", "1.", "1.5e", "inf", "nan", "1e400", " 1.5", "1.5 x",
        ] {
            assert!(old(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn atoms() {
        assert_eq!(decode(ATOM).unwrap(), atom("hello"));
        assert_eq!(decode(UTF8_ATOM).unwrap(), atom("héllo_😀"));
        // latin1 ATOM_EXT is converted to UTF-8
        assert_eq!(decode(&[131, 100, 0, 2, 200, 201]).unwrap(), atom("ÈÉ"));
        assert_eq!(decode(&[131, 115, 0]).unwrap(), atom(""));
        // invalid UTF-8
        assert!(decode(&[131, 118, 0, 2, 200, 201]).is_err());
        // too long
        let mut long = vec![131, 100, 1, 0];
        long.extend(std::iter::repeat_n(b'a', 256));
        assert!(decode(&long).is_err());
        long[2] = 0;
        long[3] = 255;
        long.pop();
        assert_eq!(decode(&long).unwrap(), atom(&"a".repeat(255)));
        // ATOM_CACHE_REF
        assert!(decode(&[131, 82, 0]).is_err());
    }

    #[test]
    fn lists_and_tuples() {
        assert_eq!(decode(NIL).unwrap(), ExtTerm::Nil);
        assert_eq!(decode(STRING).unwrap(), ExtTerm::String(b"abc".to_vec()));
        assert_eq!(
            decode(LIST).unwrap(),
            ExtTerm::List(
                vec![int(1), atom("a"), ExtTerm::Float(2.0)],
                Box::new(ExtTerm::Nil)
            )
        );
        assert_eq!(
            decode(IMPROPER).unwrap(),
            ExtTerm::List(vec![int(1)], Box::new(atom("b")))
        );
        assert_eq!(
            decode(TUPLE).unwrap(),
            ExtTerm::Tuple(vec![atom("ok"), int(1), ExtTerm::Binary(b"bin".to_vec())])
        );
        assert_eq!(decode(EMPTY_TUPLE).unwrap(), ExtTerm::Tuple(vec![]));
        assert_eq!(
            decode(LARGE_TUPLE).unwrap(),
            ExtTerm::Tuple((1..=300).map(int).collect())
        );
        assert_eq!(
            decode(NESTED).unwrap(),
            ExtTerm::List(
                vec![
                    ExtTerm::Tuple(vec![
                        atom("a"),
                        ExtTerm::List(vec![ExtTerm::Map(vec![])], Box::new(ExtTerm::Nil))
                    ]),
                    ExtTerm::Tuple(vec![
                        ExtTerm::String(b"x".to_vec()),
                        ExtTerm::Binary(vec![])
                    ]),
                ],
                Box::new(ExtTerm::Nil)
            )
        );
        let mut t = ExtTerm::Nil;
        for _ in 0..10 {
            t = ExtTerm::List(vec![t], Box::new(ExtTerm::Nil));
        }
        assert_eq!(decode(DEEP_LIST).unwrap(), t);
        // LIST_EXT with no elements is its tail (binary_to_term/1 agrees)
        assert_eq!(decode(&[131, 108, 0, 0, 0, 0, 97, 1]).unwrap(), int(1));
        // an empty STRING_EXT is []
        assert_eq!(decode(&[131, 107, 0, 0]).unwrap(), ExtTerm::Nil);
        // a list whose tail is a list is flattened
        assert_eq!(
            decode(&[131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 1, 65]).unwrap(),
            ExtTerm::List(vec![int(1), int(65)], Box::new(ExtTerm::Nil))
        );
    }

    #[test]
    fn maps_and_binaries() {
        assert_eq!(
            decode(MAP).unwrap(),
            ExtTerm::Map(vec![
                (atom("a"), int(1)),
                (
                    ExtTerm::Binary(b"k".to_vec()),
                    ExtTerm::List(vec![atom("x")], Box::new(ExtTerm::Nil))
                ),
            ])
        );
        assert_eq!(decode(BINARY).unwrap(), ExtTerm::Binary(vec![1, 2, 3]));
        assert_eq!(
            decode(BITS).unwrap(),
            ExtTerm::BitBinary {
                bytes: vec![160],
                bits: 3
            }
        );
        assert_eq!(
            decode(BITS_LONG).unwrap(),
            ExtTerm::BitBinary {
                bytes: vec![1, 2, 3, 32],
                bits: 5
            }
        );
        assert_eq!(
            decode(&[131, 77, 0, 0, 0, 0, 0]).unwrap(),
            ExtTerm::Binary(vec![])
        );
        assert!(decode(&[131, 77, 0, 0, 0, 0, 1]).is_err());
        assert!(decode(&[131, 77, 0, 0, 0, 1, 0, 5]).is_err());
        assert!(decode(&[131, 77, 0, 0, 0, 1, 9, 5]).is_err());
    }

    #[test]
    fn funs_pids_refs_ports() {
        assert_eq!(
            decode(EXPORT).unwrap(),
            ExtTerm::Export {
                module: Box::new(atom("lists")),
                function: Box::new(atom("map")),
                arity: 2
            }
        );
        assert_eq!(
            decode(PID).unwrap(),
            ExtTerm::Pid {
                node: local_node(),
                id: 85,
                serial: 3,
                creation: 0
            }
        );
        match decode(FUN_ENV).unwrap() {
            ExtTerm::Fun {
                arity,
                index,
                module,
                free,
                pid,
                ..
            } => {
                assert_eq!(arity, 1);
                assert_eq!(index, 0);
                assert_eq!(*module, atom("w"));
                assert_eq!(free, vec![int(884)]);
                assert!(matches!(*pid, ExtTerm::Pid { .. }));
            }
            other => panic!("{other:?}"),
        }
        match decode(REF).unwrap() {
            ExtTerm::Ref { node, ids, .. } => {
                assert_eq!(node, local_node());
                assert_eq!(ids.len(), 3);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            decode(PORT).unwrap(),
            ExtTerm::Port {
                node: local_node(),
                id: 0,
                creation: 0
            }
        );
        // V4_PORT_EXT, PORT_EXT, PID_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT
        let n = [100, 0, 1, b'a'];
        let mk = |tag: u8, rest: &[u8]| {
            let mut v = vec![131, tag];
            v.extend_from_slice(rest);
            v
        };
        let a = || Box::new(atom("a"));
        let v4 = mk(
            120,
            &[&n[..], &[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]].concat(),
        );
        assert_eq!(
            decode(&v4).unwrap(),
            ExtTerm::Port {
                node: a(),
                id: (1 << 32) | 2,
                creation: 3
            }
        );
        let p = mk(102, &[&n[..], &[0, 0, 0, 7, 2]].concat());
        assert_eq!(
            decode(&p).unwrap(),
            ExtTerm::Port {
                node: a(),
                id: 7,
                creation: 2
            }
        );
        let p = mk(103, &[&n[..], &[0, 0, 0, 7, 0, 0, 0, 8, 2]].concat());
        assert_eq!(
            decode(&p).unwrap(),
            ExtTerm::Pid {
                node: a(),
                id: 7,
                serial: 8,
                creation: 2
            }
        );
        let r = mk(101, &[&n[..], &[0, 0, 0, 7, 2]].concat());
        assert_eq!(
            decode(&r).unwrap(),
            ExtTerm::Ref {
                node: a(),
                creation: 2,
                ids: vec![7]
            }
        );
        let r = mk(
            114,
            &[&[0, 2][..], &n[..], &[1, 0, 0, 0, 7, 0, 0, 0, 9]].concat(),
        );
        assert_eq!(
            decode(&r).unwrap(),
            ExtTerm::Ref {
                node: a(),
                creation: 1,
                ids: vec![7, 9]
            }
        );
        // reference lengths 0 and 6 are rejected; node must be an atom
        assert!(decode(&mk(90, &[&[0, 0][..], &n[..], &[0, 0, 0, 0]].concat())).is_err());
        assert!(decode(&mk(90, &[&[0, 6][..], &n[..], &[0; 28]].concat())).is_err());
        assert!(decode(&mk(90, &[0, 1, 97, 1, 0, 0, 0, 0, 0, 0, 0, 0])).is_err());
        // FUN_EXT is gone since OTP 23
        assert!(decode(&[131, 117, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn compressed() {
        let expected = ExtTerm::List(
            vec![ExtTerm::Tuple(vec![atom("a"), ExtTerm::String(b"hello".to_vec())]); 100],
            Box::new(ExtTerm::Nil),
        );
        assert_eq!(decode(COMPRESSED).unwrap(), expected);
        // trailing bytes after the zlib stream are ignored, like binary_to_term/1
        let mut v = COMPRESSED.to_vec();
        v.push(0);
        assert!(decode(&v).is_ok());
        // wrong declared size
        let mut v = COMPRESSED.to_vec();
        v[5] += 1;
        assert!(decode(&v).is_err());
        let mut v = COMPRESSED.to_vec();
        v[5] -= 1;
        assert!(decode(&v).is_err());
        // absurd declared size
        let mut v = COMPRESSED.to_vec();
        v[2] = 0xFF;
        assert!(decode(&v).is_err());
        // corrupt stream
        let mut v = COMPRESSED.to_vec();
        v[10] ^= 0xFF;
        assert!(decode(&v).is_err());
        // nested compression is not allowed
        assert!(decode_body(&COMPRESSED[1..]).is_err());
    }

    #[test]
    fn decode_body_reports_consumed() {
        let (t, n) = decode_body(&[97, 1, 97, 2]).unwrap();
        assert_eq!(t, int(1));
        assert_eq!(n, 2);
        let (t, n) = decode_body(&TUPLE[1..]).unwrap();
        assert!(matches!(t, ExtTerm::Tuple(_)));
        assert_eq!(n, TUPLE.len() - 1);
    }

    #[test]
    fn truncation_never_panics() {
        let all: &[&[u8]] = &[
            SMALL_INT,
            NEG_INT,
            INT32,
            BIG_POS,
            BIG_NEG,
            HUGE,
            FLOAT,
            ATOM,
            UTF8_ATOM,
            STRING,
            LIST,
            IMPROPER,
            TUPLE,
            MAP,
            BITS,
            BINARY,
            EXPORT,
            NESTED,
            LARGE_TUPLE,
            COMPRESSED,
            PID,
            MINOR1_FLOAT,
            FUN_ENV,
            REF,
            PORT,
            DEEP_LIST,
        ];
        for bytes in all {
            assert!(decode(bytes).is_ok());
            for n in 0..bytes.len() {
                assert!(decode(&bytes[..n]).is_err(), "prefix {n} of {bytes:?}");
            }
            for i in 0..bytes.len() {
                for x in [0x01u8, 0x80, 0xFF] {
                    let mut v = bytes.to_vec();
                    v[i] ^= x;
                    let _ = decode(&v);
                }
            }
        }
        // wrong version byte / empty
        assert!(decode(&[]).is_err());
        assert!(decode(&[130, 97, 1]).is_err());
    }

    #[test]
    fn absurd_lengths() {
        // counts that cannot fit the remaining data are rejected before allocating
        assert!(decode(&[131, 108, 0xFF, 0xFF, 0xFF, 0xFF, 106]).is_err());
        assert!(decode(&[131, 105, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(decode(&[131, 116, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(decode(&[131, 109, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(decode(&[131, 111, 0xFF, 0xFF, 0xFF, 0xFF, 0]).is_err());
        assert!(decode(&[131, 80, 0xFF, 0xFF, 0xFF, 0xFF, 120, 156]).is_err());
    }

    fn nested_tuples(depth: usize) -> Vec<u8> {
        let mut v = vec![131];
        for _ in 0..depth {
            v.extend_from_slice(&[104, 1]);
        }
        v.push(106);
        v
    }

    #[test]
    fn depth_limit() {
        // at the limit everything (decode, clone, eq, debug, drop) works on a 2 MiB stack
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let t = decode(&nested_tuples(MAX_DEPTH)).unwrap();
                let c = t.clone();
                assert_eq!(t, c);
                let s = format!("{t:?}");
                assert!(s.len() > MAX_DEPTH);
                let _ = t.to_string();
                drop(t);
                drop(c);
                assert!(decode(&nested_tuples(MAX_DEPTH + 1)).is_err());
                assert!(decode(&nested_tuples(1_000_000)).is_err());
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn display() {
        assert_eq!(decode(TUPLE).unwrap().to_string(), "{ok,1,<<\"bin\">>}");
        assert_eq!(decode(IMPROPER).unwrap().to_string(), "[1|b]");
        assert_eq!(decode(UTF8_ATOM).unwrap().to_string(), "'héllo_😀'");
        assert_eq!(decode(EXPORT).unwrap().to_string(), "fun lists:map/2");
        assert_eq!(decode(BITS).unwrap().to_string(), "<<5:3>>");
        assert_eq!(atom("Foo").to_string(), "'Foo'");
        assert_eq!(atom("receive").to_string(), "'receive'");
        assert_eq!(atom("a@b_C1").to_string(), "a@b_C1");
    }
}
