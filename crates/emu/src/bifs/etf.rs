//! The external term format: `term_to_binary/1,2`, `term_to_iovec/1,2`,
//! `binary_to_term/1,2` and `erlang:external_size/1,2`.
//!
//! Encoding follows OTP 25 byte for byte: minor version 1 by default (latin1 atoms as
//! `ATOM_EXT`, others as UTF-8), `STRING_EXT` for byte lists shorter than 64K, maps
//! in key order, and compression with a zlib-identical deflater ([`deflate`]). Both
//! directions are iterative, so deeply nested terms cannot overflow the native stack.
//!
//! Decoding builds the term directly on the process heap. Every length is checked
//! against the remaining input before anything is allocated (each element needs at
//! least one byte), so corrupt or hostile input gives `badarg`, never a panic or a huge
//! allocation. Pids, ports and refs of other nodes cannot be represented here and are
//! `badarg`; so is a local fun whose module is not loaded.
//!
//! oxbeam specifics: a local pid id is encoded as number `id & 0x7fff` and serial
//! `id >> 15`; a ref's 64-bit id as its first two words.

mod deflate;

pub use deflate::zlib_compress;

use super::reg;
use crate::bif::{BifFn, BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use num_bigint::{BigInt, BigUint, Sign};
use oxbeam_term::atom::{am, MAX_ATOM_CHARS};
use oxbeam_term::header::*;
use oxbeam_term::{Atom, Term};
use std::cmp::Ordering;

use oxbeam_loader::ext_term::tags::*;
use oxbeam_loader::ext_term::VERSION_MAGIC;

/// Binaries larger than this are off-heap in the reference, and `term_to_iovec`
/// references them instead of copying.
const IOVEC_REF_LIMIT: usize = 64;
/// The reference's limits on local pid numbers and serials.
const MAX_PID_NUMBER: u64 = (1 << 15) - 1;
const MAX_PID_SERIAL: u64 = (1 << 13) - 1;
/// Local port numbers are below this in the reference.
const PORT_NUMBER_LIMIT: u64 = 1 << 28;
/// The first id word of a local reference (and of any in the old reference formats) is
/// below this; oxbeam's 64-bit reference ids are split 18/32/14 bits over the words.
const REF_WORD0_LIMIT: u32 = 1 << 18;
/// The most creation bytes the old pid, port and reference formats allow.
const MAX_TINY_CREATION: u32 = 3;
/// Other nodes' references have at most this many id words.
const MAX_EXT_REF_WORDS: usize = 5;

/// A local reference id as the three id words of the external format.
pub fn ref_id_words(id: u64) -> [u32; 3] {
    [
        (id as u32) & (REF_WORD0_LIMIT - 1),
        (id >> 18) as u32,
        (id >> 50) as u32,
    ]
}

/// The local reference id with these id words (the inverse of `ref_id_words`).
pub fn ref_id_from_words(w: [u32; 3]) -> u64 {
    w[0] as u64 | (w[1] as u64) << 18 | (w[2] as u64) << 50
}

// ====================================================================== encoding

/// `term_to_binary` options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeOptions {
    pub minor_version: u8,
    pub deterministic: bool,
    /// zlib level, 0 meaning "not compressed".
    pub compress: u32,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            minor_version: 1,
            deterministic: false,
            compress: 0,
        }
    }
}

enum Work {
    Term(Term),
    /// The remaining cells of a list being written as `LIST_EXT`.
    ListRest(Term),
    /// Elements `i..` of a tuple.
    TupleRest(Term, usize),
    /// Writes the size field of the `NEW_FUN_EXT` that started at this offset.
    FunSize(usize),
}

/// The encoded bytes, plus (for `term_to_iovec`) binaries to splice in by reference:
/// `(offset in bytes, binary term)`.
struct Encoder {
    out: Vec<u8>,
    opts: EncodeOptions,
    refs: Option<Vec<(usize, Term)>>,
    self_pid: Term,
}

impl Encoder {
    fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn atom(&mut self, a: Atom) {
        let name = a.name();
        if self.opts.minor_version < 2 && name.chars().all(|c| (c as u32) < 256) {
            self.out.push(ATOM_EXT);
            self.u16(name.chars().count() as u16);
            self.out.extend(name.chars().map(|c| c as u8));
        } else if name.len() < 256 {
            self.out.push(SMALL_ATOM_UTF8_EXT);
            self.out.push(name.len() as u8);
            self.out.extend_from_slice(name.as_bytes());
        } else {
            self.out.push(ATOM_UTF8_EXT);
            self.u16(name.len() as u16);
            self.out.extend_from_slice(name.as_bytes());
        }
    }

    fn small(&mut self, i: i64) {
        if (0..=255).contains(&i) {
            self.out.push(SMALL_INTEGER_EXT);
            self.out.push(i as u8);
        } else if let Ok(v) = i32::try_from(i) {
            self.out.push(INTEGER_EXT);
            self.u32(v as u32);
        } else {
            self.big(&BigInt::from(i));
        }
    }

    fn big(&mut self, v: &BigInt) {
        let (sign, mag) = v.to_bytes_le();
        if mag.len() < 256 {
            self.out.push(SMALL_BIG_EXT);
            self.out.push(mag.len() as u8);
        } else {
            self.out.push(LARGE_BIG_EXT);
            self.u32(mag.len() as u32);
        }
        self.out.push((sign == Sign::Minus) as u8);
        self.out.extend_from_slice(&mag);
    }

    fn float(&mut self, f: f64) {
        if self.opts.minor_version == 0 {
            self.out.push(FLOAT_EXT);
            let mut s = super::convert::float::format_scientific(f, 20).into_bytes();
            s.resize(31, 0);
            self.out.extend_from_slice(&s);
        } else {
            self.out.push(NEW_FLOAT_EXT);
            self.out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
    }

    fn node_header(&mut self, tag: u8) {
        self.out.push(tag);
        self.atom(crate::node::name());
    }

    fn pid(&mut self, id: u64) {
        self.node_header(NEW_PID_EXT);
        self.u32((id & MAX_PID_NUMBER) as u32);
        self.u32((id >> 15) as u32);
        self.u32(crate::node::creation());
    }

    fn binary(&mut self, t: Term, v: BitView) {
        let whole = v.bit_size / 8;
        let rem = v.bit_size % 8;
        if rem == 0 {
            self.out.push(BINARY_EXT);
            self.u32(whole as u32);
        } else {
            self.out.push(BIT_BINARY_EXT);
            self.u32(whole as u32 + 1);
            self.out.push(rem as u8);
        }
        if let (Some(refs), true) = (
            self.refs.as_mut(),
            whole > IOVEC_REF_LIMIT && v.bit_offset.is_multiple_of(8),
        ) {
            // Splice the whole bytes in by reference; a trailing partial byte is copied.
            refs.push((self.out.len(), t));
            if rem > 0 {
                let bytes = v.to_vec();
                self.out.push(bytes[whole]);
            }
            return;
        }
        self.out.extend_from_slice(&v.to_vec());
    }

    /// A proper list of at most 65535 bytes, written as `STRING_EXT`.
    fn byte_string(t: Term) -> Option<Vec<u8>> {
        let mut v = Vec::new();
        let mut l = t;
        while l.is_list() {
            let c = head(l).as_small()?;
            v.push(u8::try_from(c).ok()?);
            if v.len() > 0xffff {
                return None;
            }
            l = tail(l);
        }
        l.is_nil().then_some(v)
    }

    fn encode(&mut self, root: Term) {
        let mut work = vec![Work::Term(root)];
        while let Some(w) = work.pop() {
            let t = match w {
                Work::Term(t) => t,
                Work::ListRest(cell) => {
                    let next = tail(cell);
                    work.push(if next.is_list() {
                        Work::ListRest(next)
                    } else {
                        Work::Term(next)
                    });
                    work.push(Work::Term(head(cell)));
                    continue;
                }
                Work::TupleRest(tup, i) => {
                    if i + 1 < tuple_arity(tup) {
                        work.push(Work::TupleRest(tup, i + 1));
                    }
                    work.push(Work::Term(tuple_get(tup, i)));
                    continue;
                }
                Work::FunSize(start) => {
                    let size = (self.out.len() - start - 1) as u32;
                    self.out[start + 1..start + 5].copy_from_slice(&size.to_be_bytes());
                    continue;
                }
            };
            if let Some(i) = t.as_small() {
                self.small(i);
            } else if let Some(a) = t.as_atom() {
                self.atom(a);
            } else if t.is_nil() {
                self.out.push(NIL_EXT);
            } else if t.is_list() {
                if let Some(bytes) = Self::byte_string(t) {
                    self.out.push(STRING_EXT);
                    self.u16(bytes.len() as u16);
                    self.out.extend_from_slice(&bytes);
                } else {
                    let mut n = 0u32;
                    let mut l = t;
                    while l.is_list() {
                        n += 1;
                        l = tail(l);
                    }
                    self.out.push(LIST_EXT);
                    self.u32(n);
                    work.push(Work::ListRest(t));
                }
            } else if t.is_local_pid() {
                self.pid(t.pid_value());
            } else if t.is_local_port() {
                let id = t.port_value();
                match u32::try_from(id) {
                    Ok(id32) => {
                        self.node_header(NEW_PORT_EXT);
                        self.u32(id32);
                    }
                    Err(_) => {
                        self.node_header(V4_PORT_EXT);
                        self.out.extend_from_slice(&id.to_be_bytes());
                    }
                }
                self.u32(0);
            } else if t.is_boxed() {
                self.boxed(t, &mut work);
            } else {
                // Not a term (cannot happen for values a process holds).
                self.out.push(NIL_EXT);
            }
        }
    }

    fn boxed(&mut self, t: Term, work: &mut Vec<Work>) {
        match header_subtag(header(t)) {
            SUBTAG_TUPLE => {
                let n = tuple_arity(t);
                if n < 256 {
                    self.out.push(SMALL_TUPLE_EXT);
                    self.out.push(n as u8);
                } else {
                    self.out.push(LARGE_TUPLE_EXT);
                    self.u32(n as u32);
                }
                if n > 0 {
                    work.push(Work::TupleRest(t, 0));
                }
            }
            SUBTAG_POS_BIG | SUBTAG_NEG_BIG => self.big(&big_to_bigint(t)),
            SUBTAG_FLOAT => self.float(float_value(t)),
            SUBTAG_MAP | SUBTAG_HASHMAP => {
                // `deterministic` sorts large maps too; otherwise they go in their
                // iteration order, as in the reference.
                let pairs = if self.opts.deterministic {
                    crate::map::sorted_pairs(t)
                } else {
                    crate::map::to_pairs(t)
                };
                self.out.push(MAP_EXT);
                self.u32(pairs.len() as u32);
                for &(k, v) in pairs.iter().rev() {
                    work.push(Work::Term(v));
                    work.push(Work::Term(k));
                }
            }
            SUBTAG_HEAP_BIN | SUBTAG_REFC_BIN | SUBTAG_SUB_BIN => {
                if let Some(v) = bit_view(t) {
                    self.binary(t, v);
                }
            }
            SUBTAG_REF => {
                self.out.push(NEWER_REFERENCE_EXT);
                self.u16(3);
                self.atom(crate::node::name());
                self.u32(crate::node::creation());
                for w in ref_id_words(ref_id(t)) {
                    self.u32(w);
                }
            }
            SUBTAG_EXT_PID => {
                let (number, serial) = ext_pid_parts(t);
                self.out.push(NEW_PID_EXT);
                self.atom(ext_node(t));
                self.u32(number);
                self.u32(serial);
                self.u32(ext_creation(t));
            }
            SUBTAG_EXT_PORT => {
                let id = ext_port_id(t);
                match u32::try_from(id) {
                    Ok(id32) => {
                        self.out.push(NEW_PORT_EXT);
                        self.atom(ext_node(t));
                        self.u32(id32);
                    }
                    Err(_) => {
                        self.out.push(V4_PORT_EXT);
                        self.atom(ext_node(t));
                        self.out.extend_from_slice(&id.to_be_bytes());
                    }
                }
                self.u32(ext_creation(t));
            }
            SUBTAG_EXT_REF => {
                let ids = ext_ref_ids(t);
                self.out.push(NEWER_REFERENCE_EXT);
                self.u16(ids.len() as u16);
                self.atom(ext_node(t));
                self.u32(ext_creation(t));
                for w in ids {
                    self.u32(w);
                }
            }
            SUBTAG_EXPORT => {
                let e = crate::fun::export_of(t);
                self.out.push(EXPORT_EXT);
                self.atom(e.module);
                self.atom(e.function);
                self.small(e.arity as i64);
            }
            SUBTAG_FUN => {
                let e = crate::fun::entry_of(t);
                let start = self.out.len();
                self.out.push(NEW_FUN_EXT);
                self.u32(0); // size, patched by FunSize
                self.out.push(e.arity() as u8);
                self.out.extend_from_slice(&e.uniq);
                self.u32(e.index);
                self.u32(e.num_free);
                self.atom(e.module);
                self.small(e.index as i64);
                self.small(e.old_uniq as i64);
                // oxbeam funs do not record their creator: the encoding process stands in.
                self.pid(self.self_pid.pid_value());
                work.push(Work::FunSize(start));
                for &v in crate::fun::env(t).iter().rev() {
                    work.push(Work::Term(v));
                }
            }
            _ => self.out.push(NIL_EXT),
        }
    }
}

/// The uncompressed encoding of `t` (with the version byte), and the binaries to
/// reference when `iovec` is set.
fn encode_raw(
    t: Term,
    opts: EncodeOptions,
    self_pid: Term,
    iovec: bool,
) -> (Vec<u8>, Vec<(usize, Term)>) {
    let mut e = Encoder {
        out: vec![VERSION_MAGIC],
        opts,
        refs: iovec.then(Vec::new),
        self_pid,
    };
    e.encode(t);
    (e.out, e.refs.unwrap_or_default())
}

/// Compresses an encoding unless that makes it larger, as the reference does: the
/// zlib stream must fit in the uncompressed body's size minus 5 bytes.
fn compress(raw: Vec<u8>, level: u32) -> Vec<u8> {
    let body = &raw[1..];
    let z = zlib_compress(body, level);
    if z.len() + 5 > body.len() {
        return raw;
    }
    let mut out = Vec::with_capacity(6 + z.len());
    out.push(VERSION_MAGIC);
    out.push(COMPRESSED);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&z);
    out
}

/// `term_to_binary(T, Opts)` as bytes.
pub fn term_to_bytes(t: Term, opts: EncodeOptions, self_pid: Term) -> Vec<u8> {
    let (raw, _) = encode_raw(t, opts, self_pid, false);
    if opts.compress > 0 {
        compress(raw, opts.compress)
    } else {
        raw
    }
}

fn encode_options(mut l: Term, allow_all: bool) -> Result<EncodeOptions, Fault> {
    let mut o = EncodeOptions::default();
    while l.is_list() {
        let opt = head(l);
        l = tail(l);
        match opt.as_atom() {
            Some(am::COMPRESSED) if allow_all => {
                o.compress = 6;
                continue;
            }
            Some(am::DETERMINISTIC) if allow_all => {
                o.deterministic = true;
                continue;
            }
            _ => {}
        }
        if is_tuple(opt) && tuple_arity(opt) == 2 {
            let e = tuple_elements(opt);
            match (e[0].as_atom(), e[1].as_small()) {
                // external_size/2 of OTP 25 takes minor versions 0 and 1 only.
                (Some(am::MINOR_VERSION), Some(v @ 0..=2)) if allow_all || v < 2 => {
                    o.minor_version = v as u8;
                    continue;
                }
                (Some(am::COMPRESSED), Some(level @ 0..=9)) if allow_all => {
                    o.compress = level as u32;
                    continue;
                }
                _ => {}
            }
        }
        return Err(BADARG);
    }
    if !l.is_nil() {
        return Err(BADARG);
    }
    Ok(o)
}

fn term_to_binary1(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = term_to_bytes(a[0], EncodeOptions::default(), p.pid);
    Ok(make_binary(&mut p.heap, &bytes))
}

fn term_to_binary2(p: &mut Process, a: &[Term]) -> BifResult {
    let opts = encode_options(a[1], true)?;
    let bytes = term_to_bytes(a[0], opts, p.pid);
    Ok(make_binary(&mut p.heap, &bytes))
}

fn iovec(p: &mut Process, t: Term, opts: EncodeOptions) -> Term {
    if opts.compress > 0 {
        // The reference returns a plain binary whenever compression is asked for.
        let bytes = term_to_bytes(t, opts, p.pid);
        return make_binary(&mut p.heap, &bytes);
    }
    let (raw, refs) = encode_raw(t, opts, p.pid, true);
    let mut items = Vec::with_capacity(2 * refs.len() + 1);
    let mut at = 0;
    for (off, bin) in refs {
        if off > at {
            items.push(make_binary(&mut p.heap, &raw[at..off]));
        }
        let whole = bit_view(bin).map_or(0, |v| v.bit_size / 8 * 8);
        let part = make_sub_binary(&mut p.heap, bin, 0, whole);
        items.push(part);
        at = off;
    }
    if at < raw.len() {
        items.push(make_binary(&mut p.heap, &raw[at..]));
    }
    list_from_iter(&mut p.heap, &items, Term::NIL)
}

fn term_to_iovec1(p: &mut Process, a: &[Term]) -> BifResult {
    Ok(iovec(p, a[0], EncodeOptions::default()))
}

fn term_to_iovec2(p: &mut Process, a: &[Term]) -> BifResult {
    let opts = encode_options(a[1], true)?;
    Ok(iovec(p, a[0], opts))
}

fn external_size(p: &mut Process, a: &[Term]) -> BifResult {
    let opts = match a.get(1) {
        Some(&o) => encode_options(o, false)?,
        None => EncodeOptions::default(),
    };
    let (raw, _) = encode_raw(a[0], opts, p.pid, false);
    Ok(make_u64(&mut p.heap, raw.len() as u64))
}

// ====================================================================== decoding

/// Input being decoded.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

type DResult<T> = Result<T, Fault>;

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }
    fn bytes(&mut self, n: usize) -> DResult<&'a [u8]> {
        if n > self.remaining() {
            return Err(BADARG);
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self) -> DResult<u8> {
        Ok(self.bytes(1)?[0])
    }
    fn u16(&mut self) -> DResult<usize> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]) as usize)
    }
    fn u32(&mut self) -> DResult<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> DResult<u64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    /// A count of items that each take at least one more byte.
    fn count(&mut self, n: usize, per_item: usize) -> DResult<usize> {
        if n.checked_mul(per_item)
            .is_none_or(|need| need > self.remaining())
        {
            return Err(BADARG);
        }
        Ok(n)
    }
}

/// A composite term waiting for its elements.
enum Frame {
    Tuple,
    /// Elements, then the tail.
    List,
    /// Keys and values alternating.
    Map,
    /// `OldIndex, OldUniq, Pid, Env...` for this fun entry.
    Fun(&'static crate::code::FunEntry),
    /// The same for a fun no loaded code defines: its entry is found or made once
    /// `OldUniq` is read.
    UnloadedFun(UnloadedFun),
}

struct UnloadedFun {
    module: Atom,
    arity: u32,
    num_free: u32,
    index: u32,
    uniq: [u8; 16],
}

struct Pending {
    frame: Frame,
    /// Where its elements start in the value stack.
    base: usize,
    /// How many values it needs.
    need: usize,
}

struct Decoder<'a, 'h> {
    r: Reader<'a>,
    h: &'h mut crate::heap::Heap,
    safe: bool,
}

impl Decoder<'_, '_> {
    fn atom_from(&mut self, tag: u8) -> DResult<Atom> {
        let (len, utf8) = match tag {
            ATOM_EXT => (self.r.u16()?, false),
            SMALL_ATOM_EXT => (self.r.u8()? as usize, false),
            ATOM_UTF8_EXT => (self.r.u16()?, true),
            SMALL_ATOM_UTF8_EXT => (self.r.u8()? as usize, true),
            _ => return Err(BADARG),
        };
        let bytes = self.r.bytes(len)?;
        let name: String = if utf8 {
            std::str::from_utf8(bytes).map_err(|_| BADARG)?.to_owned()
        } else {
            bytes.iter().map(|&b| b as char).collect()
        };
        if name.chars().count() > MAX_ATOM_CHARS {
            return Err(BADARG);
        }
        if self.safe {
            return Atom::existing(&name).ok_or(BADARG);
        }
        Atom::intern(&name).map_err(|_| BADARG)
    }

    /// An atom in a position where only an atom is allowed (node and module names).
    fn atom(&mut self) -> DResult<Atom> {
        let tag = self.r.u8()?;
        self.atom_from(tag)
    }

    /// A small integer in a position where only an integer is allowed.
    fn int(&mut self) -> DResult<i64> {
        match self.r.u8()? {
            SMALL_INTEGER_EXT => Ok(self.r.u8()? as i64),
            INTEGER_EXT => Ok(self.r.u32()? as i32 as i64),
            _ => Err(BADARG),
        }
    }

    /// A creation: 32 bits in the newer formats, one byte of at most 3 in the old ones.
    fn creation(&mut self, new: bool) -> DResult<u32> {
        if new {
            return self.r.u32();
        }
        let c = self.r.u8()? as u32;
        if c > MAX_TINY_CREATION {
            return Err(BADARG);
        }
        Ok(c)
    }

    fn pid_body(&mut self, new: bool) -> DResult<Term> {
        let node = self.atom()?;
        let number = self.r.u32()?;
        let serial = self.r.u32()?;
        let creation = self.creation(new)?;
        if !(crate::node::is_this(node, creation)) {
            return Ok(make_ext_pid(self.h, node, creation, number, serial));
        }
        let (number, serial) = (number as u64, serial as u64);
        if number > MAX_PID_NUMBER || serial > MAX_PID_SERIAL {
            return Err(BADARG);
        }
        Ok(Term::pid(number | serial << 15))
    }

    fn port_body(&mut self, tag: u8) -> DResult<Term> {
        let node = self.atom()?;
        let id = if tag == V4_PORT_EXT {
            self.r.u64()?
        } else {
            self.r.u32()? as u64
        };
        let creation = self.creation(tag != PORT_EXT)?;
        if !(crate::node::is_this(node, creation)) {
            return Ok(make_ext_port(self.h, node, creation, id));
        }
        if id >= PORT_NUMBER_LIMIT {
            return Err(BADARG);
        }
        Ok(Term::port(id))
    }

    /// A reference in any of the three formats.
    fn ref_body(&mut self, tag: u8) -> DResult<Term> {
        let n = if tag == REFERENCE_EXT {
            1
        } else {
            self.r.u16()?
        };
        let node = self.atom()?;
        let mut creation = 0;
        if tag == REFERENCE_EXT {
            let id = self.r.u32()?;
            creation = self.creation(false)?;
            return self.make_ref(node, creation, tag, &[id]);
        }
        if tag == NEW_REFERENCE_EXT {
            creation = self.creation(false)?;
        } else if tag == NEWER_REFERENCE_EXT {
            creation = self.creation(true)?;
        }
        if n > MAX_EXT_REF_WORDS {
            return Err(BADARG);
        }
        let mut words = Vec::with_capacity(n);
        for _ in 0..n {
            words.push(self.r.u32()?);
        }
        self.make_ref(node, creation, tag, &words)
    }

    fn make_ref(&mut self, node: Atom, creation: u32, tag: u8, words: &[u32]) -> DResult<Term> {
        let local = crate::node::is_this(node, creation);
        if (local || tag != NEWER_REFERENCE_EXT)
            && words.first().is_some_and(|&w| w >= REF_WORD0_LIMIT)
        {
            return Err(BADARG);
        }
        if !local {
            return Ok(make_ext_ref(self.h, node, creation, words));
        }
        if !(1..=3).contains(&words.len()) {
            return Err(BADARG);
        }
        let mut w = [0u32; 3];
        w[..words.len()].copy_from_slice(words);
        if w[2] >= 1 << 14 {
            // More than a 64-bit id holds: kept as its words, like another node's (it
            // cannot name anything oxbeam made).
            return Ok(make_ext_ref(self.h, node, 0, &w));
        }
        // A reference to an atomics/counters array names the array again.
        let id = ref_id_from_words(w);
        Ok(crate::magic::make_ref_by_id(self.h, id))
    }

    fn big(&mut self, n: usize) -> DResult<Term> {
        let sign = self.r.u8()?;
        let mag = self.r.bytes(n)?;
        let v = BigInt::from_biguint(
            if sign == 0 { Sign::Plus } else { Sign::Minus },
            BigUint::from_bytes_le(mag),
        );
        Ok(make_integer(self.h, &v))
    }

    fn bit_binary(&mut self) -> DResult<Term> {
        let len = self.r.u32()? as usize;
        let bits = self.r.u8()? as usize;
        let bytes = self.r.bytes(len)?;
        match (len, bits) {
            (0, 0) => Ok(make_binary(self.h, &[])),
            (0, _) | (_, 0) | (_, 9..) => Err(BADARG),
            _ => {
                let mut v = bytes.to_vec();
                if let Some(last) = v.last_mut() {
                    *last &= 0xffu8 << (8 - bits);
                }
                Ok(make_bitstring(self.h, &v, (len - 1) * 8 + bits))
            }
        }
    }

    fn fun_header(&mut self) -> DResult<Pending> {
        let _size = self.r.u32()?;
        let arity = self.r.u8()? as u32;
        let uniq = self.r.bytes(16)?;
        let index = self.r.u32()?;
        let num_free = self.r.u32()? as usize;
        let module = self.atom()?;
        // A fun of the module's current or old code.
        let entry = [
            crate::code::get_module(module),
            crate::code::get_old_module(module),
        ]
        .into_iter()
        .flatten()
        .find_map(|m| {
            m.funs
                .iter()
                .copied()
                .find(|e| e.index == index && e.uniq[..] == *uniq)
        });
        let frame = match entry {
            Some(e) if e.arity() != arity || e.num_free as usize != num_free => return Err(BADARG),
            Some(e) => Frame::Fun(e),
            // `safe` makes no new fun entries.
            None if self.safe => return Err(BADARG),
            None => Frame::UnloadedFun(UnloadedFun {
                module,
                arity,
                num_free: u32::try_from(num_free).map_err(|_| BADARG)?,
                index,
                uniq: uniq.try_into().map_err(|_| BADARG)?,
            }),
        };
        let need = self.r.count(3 + num_free, 1)?;
        Ok(Pending {
            frame,
            base: 0,
            need,
        })
    }

    /// Reads one term's tag: either a complete value or a composite to fill.
    fn item(&mut self) -> DResult<Result<Term, Pending>> {
        let tag = self.r.u8()?;
        let pending = |frame, need| -> DResult<Result<Term, Pending>> {
            Ok(Err(Pending {
                frame,
                base: 0,
                need,
            }))
        };
        let v = match tag {
            SMALL_INTEGER_EXT => Term::small(self.r.u8()? as i64),
            INTEGER_EXT => Term::small(self.r.u32()? as i32 as i64),
            SMALL_BIG_EXT => {
                let n = self.r.u8()? as usize;
                self.big(n)?
            }
            LARGE_BIG_EXT => {
                let n = self.r.u32()? as usize;
                self.big(n)?
            }
            NEW_FLOAT_EXT => {
                let f = f64::from_bits(self.r.u64()?);
                if !f.is_finite() {
                    return Err(BADARG);
                }
                make_float(self.h, f)
            }
            FLOAT_EXT => {
                let text = self.r.bytes(31)?;
                let f = super::convert::float::parse(text).ok_or(BADARG)?;
                make_float(self.h, f)
            }
            ATOM_EXT | SMALL_ATOM_EXT | ATOM_UTF8_EXT | SMALL_ATOM_UTF8_EXT => {
                Term::atom(self.atom_from(tag)?)
            }
            NIL_EXT => Term::NIL,
            STRING_EXT => {
                let n = self.r.u16()?;
                let bytes = self.r.bytes(n)?;
                bytes_to_list(self.h, bytes, Term::NIL)
            }
            LIST_EXT => {
                let n = self.r.u32()? as usize;
                let n = self.r.count(n, 1)?;
                return pending(Frame::List, n + 1);
            }
            SMALL_TUPLE_EXT => {
                let n = self.r.u8()? as usize;
                return pending(Frame::Tuple, self.r.count(n, 1)?);
            }
            LARGE_TUPLE_EXT => {
                let n = self.r.u32()? as usize;
                return pending(Frame::Tuple, self.r.count(n, 1)?);
            }
            MAP_EXT => {
                let n = self.r.u32()? as usize;
                return pending(Frame::Map, 2 * self.r.count(n, 2)?);
            }
            BINARY_EXT => {
                let n = self.r.u32()? as usize;
                let bytes = self.r.bytes(n)?;
                make_binary(self.h, bytes)
            }
            BIT_BINARY_EXT => self.bit_binary()?,
            NEW_PID_EXT => self.pid_body(true)?,
            PID_EXT => self.pid_body(false)?,
            NEW_PORT_EXT | PORT_EXT | V4_PORT_EXT => self.port_body(tag)?,
            NEWER_REFERENCE_EXT | NEW_REFERENCE_EXT | REFERENCE_EXT => self.ref_body(tag)?,
            EXPORT_EXT => {
                let m = self.atom()?;
                let f = self.atom()?;
                let arity = self.int()?;
                let arity = u8::try_from(arity).map_err(|_| BADARG)?;
                // `safe` creates no export entries: the function must have one already.
                let e = if self.safe {
                    crate::code::find_export(m, f, arity as u32).ok_or(BADARG)?
                } else {
                    crate::code::export(m, f, arity as u32)
                };
                crate::fun::make_export_fun(self.h, e)
            }
            NEW_FUN_EXT => return Ok(Err(self.fun_header()?)),
            _ => return Err(BADARG),
        };
        Ok(Ok(v))
    }

    /// Builds a composite from its elements.
    fn build(&mut self, frame: &Frame, vals: &[Term]) -> DResult<Term> {
        let h = &mut *self.h;
        Ok(match frame {
            Frame::Tuple => make_tuple(h, vals),
            Frame::List => {
                let (elems, tl) = vals.split_at(vals.len() - 1);
                list_from_iter(h, elems, tl[0])
            }
            Frame::Map => {
                let mut pairs: Vec<(Term, Term)> =
                    vals.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect();
                pairs.sort_by(|a, b| crate::map::key_cmp(a.0, b.0));
                if pairs
                    .windows(2)
                    .any(|w| crate::map::key_cmp(w[0].0, w[1].0) == Ordering::Equal)
                {
                    return Err(BADARG);
                }
                crate::map::build_sorted(h, &pairs)
            }
            Frame::Fun(entry) => {
                if !is_integer(vals[0]) || !is_integer(vals[1]) || !is_any_pid(vals[2]) {
                    return Err(BADARG);
                }
                crate::fun::make_fun(h, entry, &vals[3..])
            }
            Frame::UnloadedFun(f) => {
                let old_uniq = vals[1].as_small().and_then(|v| u32::try_from(v).ok());
                let (Some(old_uniq), true, true) =
                    (old_uniq, is_integer(vals[0]), is_any_pid(vals[2]))
                else {
                    return Err(BADARG);
                };
                let entry = crate::code::fun_entry_for_unloaded(
                    f.module, f.arity, f.num_free, f.index, old_uniq, f.uniq,
                );
                crate::fun::make_fun(h, entry, &vals[3..])
            }
        })
    }

    fn term(&mut self) -> DResult<Term> {
        let mut vals: Vec<Term> = Vec::new();
        let mut stack: Vec<Pending> = Vec::new();
        loop {
            match self.item()? {
                Ok(v) => vals.push(v),
                Err(mut pend) => {
                    pend.base = vals.len();
                    stack.push(pend);
                }
            }
            // Complete every composite that has all its elements.
            while let Some(top) = stack.last() {
                if vals.len() - top.base < top.need {
                    break;
                }
                let top = stack.pop().ok_or(BADARG)?;
                let v = self.build(&top.frame, &vals[top.base..])?;
                vals.truncate(top.base);
                vals.push(v);
            }
            if stack.is_empty() {
                return vals.pop().ok_or(BADARG);
            }
        }
    }
}

/// Inflates a zlib stream that must expand to exactly `size` bytes; returns the data
/// and the number of compressed bytes used.
fn inflate(data: &[u8], size: usize) -> DResult<(Vec<u8>, usize)> {
    use flate2::{Decompress, FlushDecompress, Status};
    let mut d = Decompress::new(true);
    // The output grows with what the data really expands to, never trusting `size`.
    let mut out: Vec<u8> = Vec::with_capacity(size.min(1 << 16) + 1);
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(4096));
        }
        let (in_before, out_before) = (d.total_in(), d.total_out());
        let rest = data.get(in_before as usize..).ok_or(BADARG)?;
        let st = d
            .decompress_vec(rest, &mut out, FlushDecompress::None)
            .map_err(|_| BADARG)?;
        if out.len() > size {
            return Err(BADARG);
        }
        if st == Status::StreamEnd {
            break;
        }
        if d.total_in() == in_before && d.total_out() == out_before {
            // Truncated stream.
            return Err(BADARG);
        }
    }
    if out.len() != size {
        return Err(BADARG);
    }
    Ok((out, d.total_in() as usize))
}

/// Decodes a complete external term; returns it and the number of bytes used.
pub fn decode(p: &mut Process, bytes: &[u8], safe: bool) -> DResult<(Term, usize)> {
    decode_on(&mut p.heap, bytes, safe)
}

/// `decode` onto heap `h` (the distribution decodes onto a scratch heap off any
/// process).
pub fn decode_on(h: &mut crate::heap::Heap, bytes: &[u8], safe: bool) -> DResult<(Term, usize)> {
    if bytes.first() != Some(&VERSION_MAGIC) {
        return Err(BADARG);
    }
    if bytes.get(1) == Some(&COMPRESSED) {
        let mut r = Reader {
            data: bytes,
            pos: 2,
        };
        let size = r.u32()? as usize;
        let (inflated, used) = inflate(&bytes[6..], size)?;
        let mut d = Decoder {
            r: Reader {
                data: &inflated,
                pos: 0,
            },
            h,
            safe,
        };
        let t = d.term()?;
        return Ok((t, 6 + used));
    }
    let mut d = Decoder {
        r: Reader {
            data: bytes,
            pos: 1,
        },
        h,
        safe,
    };
    let t = d.term()?;
    Ok((t, d.r.pos))
}

fn binary_to_term1(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = binary_bytes(a[0]).ok_or(BADARG)?;
    Ok(decode(p, &bytes, false)?.0)
}

fn binary_to_term2(p: &mut Process, a: &[Term]) -> BifResult {
    // The options are checked first: a bad one is the error even when the binary is bad.
    let badopt = || Fault::badarg_cause(Term::atom(Atom::from_str("badopt")));
    let (mut safe, mut used) = (false, false);
    let mut l = a[1];
    while l.is_list() {
        match head(l).as_atom() {
            Some(am::SAFE) => safe = true,
            Some(am::USED) => used = true,
            _ => return Err(badopt()),
        }
        l = tail(l);
    }
    if !l.is_nil() {
        return Err(badopt());
    }
    let bytes = binary_bytes(a[0]).ok_or(BADARG)?;
    let (t, n) = decode(p, &bytes, safe)?;
    if used {
        let n = make_u64(&mut p.heap, n as u64);
        Ok(make_tuple(&mut p.heap, &[t, n]))
    } else {
        Ok(t)
    }
}

pub fn register() {
    let bifs: &[(&str, u32, BifFn)] = &[
        ("term_to_binary", 1, term_to_binary1),
        ("term_to_binary", 2, term_to_binary2),
        ("term_to_iovec", 1, term_to_iovec1),
        ("term_to_iovec", 2, term_to_iovec2),
        ("binary_to_term", 1, binary_to_term1),
        ("binary_to_term", 2, binary_to_term2),
        ("external_size", 1, external_size),
        ("external_size", 2, external_size),
    ];
    for &(name, arity, f) in bifs {
        reg("erlang", name, arity, f);
    }
}

/// Decodes arbitrary bytes on a scratch process; when they decode, re-encodes the
/// term and checks that decoding that gives an equal term. Never panics on any input
/// (the property a fuzzer checks); returns whether `data` was a valid encoding.
pub fn fuzz_round_trip(data: &[u8]) -> bool {
    let mut p = Process::new(1, 233);
    let Ok((t, used)) = decode(&mut p, data, false) else {
        return false;
    };
    assert!(used <= data.len());
    let bytes = term_to_bytes(t, EncodeOptions::default(), p.pid);
    let (t2, used2) = decode(&mut p, &bytes, false).expect("re-encoded term decodes");
    assert_eq!(used2, bytes.len());
    assert!(
        crate::compare::eq_exact(t, t2),
        "round trip changed the term"
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom(s: &str) -> Term {
        Term::atom(Atom::from_str(s))
    }

    /// `{a, [1,2], <<"x">>, 1.5, -1, 70000, 1 bsl 64, "hi", #{k => v}, <<5:3>>, [a|b],
    /// {}, 300, -300}` built on `p`'s heap.
    fn sample(p: &mut Process) -> Term {
        let h = &mut p.heap;
        let l12 = list_from_iter(h, &[Term::small(1), Term::small(2)], Term::NIL);
        let x = make_binary(h, b"x");
        let f = make_float(h, 1.5);
        let big = make_integer(h, &(BigInt::from(1) << 64));
        let hi = string_to_list(h, "hi");
        let m = crate::map::from_pairs(h, &[(atom("k"), atom("v"))]);
        let bits = make_bitstring(h, &[0b1010_0000], 3);
        let ab = cons(h, atom("a"), atom("b"));
        let empty = make_tuple(h, &[]);
        make_tuple(
            h,
            &[
                atom("a"),
                l12,
                x,
                f,
                Term::small(-1),
                Term::small(70000),
                big,
                hi,
                m,
                bits,
                ab,
                empty,
                Term::small(300),
                Term::small(-300),
            ],
        )
    }

    // Recorded from erl 25: term_to_binary(Sample) and term_to_binary(Sample, [compressed]).
    const SAMPLE: &[u8] = &[
        131, 104, 14, 100, 0, 1, 97, 107, 0, 2, 1, 2, 109, 0, 0, 0, 1, 120, 70, 63, 248, 0, 0, 0,
        0, 0, 0, 98, 255, 255, 255, 255, 98, 0, 1, 17, 112, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        107, 0, 2, 104, 105, 116, 0, 0, 0, 1, 100, 0, 1, 107, 100, 0, 1, 118, 77, 0, 0, 0, 1, 3,
        160, 108, 0, 0, 0, 1, 100, 0, 1, 97, 100, 0, 1, 98, 104, 0, 98, 0, 0, 1, 44, 98, 255, 255,
        254, 212,
    ];
    const SAMPLE_COMPRESSED: &[u8] = &[
        131, 80, 0, 0, 0, 98, 120, 156, 203, 224, 75, 97, 96, 76, 204, 102, 96, 98, 100, 202, 101,
        96, 96, 96, 172, 112, 179, 255, 193, 0, 6, 73, 255, 129, 32, 137, 129, 81, 176, 32, 143,
        147, 1, 6, 24, 129, 42, 51, 50, 75, 64, 44, 160, 190, 108, 32, 46, 243, 5, 113, 152, 23,
        228, 64, 197, 18, 129, 56, 41, 131, 33, 9, 200, 211, 1, 26, 241, 239, 10, 0, 200, 191, 21,
        60,
    ];

    #[test]
    fn encodes_like_the_reference() {
        let mut p = Process::new(1, 233);
        let t = sample(&mut p);
        assert_eq!(term_to_bytes(t, EncodeOptions::default(), p.pid), SAMPLE);
        let c = EncodeOptions {
            compress: 6,
            ..EncodeOptions::default()
        };
        assert_eq!(term_to_bytes(t, c, p.pid), SAMPLE_COMPRESSED);
    }

    #[test]
    fn decodes_what_it_encodes() {
        let mut p = Process::new(1, 233);
        let t = sample(&mut p);
        for bytes in [SAMPLE, SAMPLE_COMPRESSED] {
            let (d, used) = decode(&mut p, bytes, false).unwrap();
            assert_eq!(used, bytes.len());
            assert!(crate::compare::eq_exact(d, t));
        }
        assert!(fuzz_round_trip(SAMPLE));
    }

    #[test]
    fn corrupt_input_is_rejected_without_panicking() {
        // Every truncation fails; every single-byte change either fails or round-trips.
        for n in 0..SAMPLE.len() {
            assert!(!fuzz_round_trip(&SAMPLE[..n]), "truncated at {n}");
        }
        for n in 0..SAMPLE_COMPRESSED.len() {
            assert!(!fuzz_round_trip(&SAMPLE_COMPRESSED[..n]));
        }
        let mut x: u32 = 1;
        for i in 0..SAMPLE.len() * 64 {
            x = x.wrapping_mul(1664525).wrapping_add(1013904223);
            let mut v = SAMPLE.to_vec();
            v[i % SAMPLE.len()] = (x >> 24) as u8;
            fuzz_round_trip(&v);
        }
        // Random short inputs, most of them starting like a real encoding.
        for i in 0..50_000 {
            x = x.wrapping_mul(1664525).wrapping_add(1013904223);
            let len = 1 + (x >> 27) as usize;
            let mut v = vec![VERSION_MAGIC];
            for _ in 0..len {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                // Bias towards small numbers and valid tags.
                let b = (x >> 24) as u8;
                v.push(if i % 2 == 0 { b % 8 } else { 70 + b % 51 });
            }
            fuzz_round_trip(&v);
        }
        // Huge claimed lengths must not allocate or read out of bounds.
        for bad in [
            &[131, 108, 255, 255, 255, 255][..],
            &[131, 105, 255, 255, 255, 255],
            &[131, 116, 127, 255, 255, 255],
            &[131, 111, 255, 255, 255, 255, 0],
            &[131, 80, 255, 255, 255, 255, 120, 156],
        ] {
            assert!(!fuzz_round_trip(bad));
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let mut p = Process::new(1, 233);
        let mut t = Term::NIL;
        for _ in 0..200_000 {
            t = cons(&mut p.heap, t, Term::NIL);
            t = make_tuple(&mut p.heap, &[t]);
        }
        let bytes = term_to_bytes(t, EncodeOptions::default(), p.pid);
        let (d, _) = decode(&mut p, &bytes, false).unwrap();
        assert_eq!(term_to_bytes(d, EncodeOptions::default(), p.pid), bytes);
    }
}
