//! The compact term encoding used for instruction operands in the `Code` chunk (and for
//! the items of the `Line` chunk).
//!
//! Every operand starts with a byte whose low 3 bits are the tag:
//! `u`=0, `i`=1, `a`=2, `x`=3, `y`=4, `f`=5, `h`=6, `z`=7 (extended). The value follows in
//! one of three forms:
//!
//! * bit 3 clear: the value is the high 4 bits (0..=15);
//! * bit 3 set, bit 4 clear: the value is the high 3 bits followed by the next byte (11 bits);
//! * bits 3 and 4 set: the high 3 bits give the byte count minus 2 (2..=8 bytes); the
//!   value 7 means the count minus 9 follows as a `u`-tagged operand. The value is stored
//!   big-endian; for tag `i` it is two's complement, for the other tags unsigned.
//!
//! For tag `z` the value selects the extended operand kind: 0 float (obsolete, rejected),
//! 1 list, 2 float register, 3 allocation list, 4 literal, 5 typed register.

use crate::opcodes::{Opcode, MAX_OPCODE};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::fmt;

/// One decoded operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// Tag `u`.
    Unsigned(u64),
    /// Tag `i`, fits an `i64`.
    Int(i64),
    /// Tag `i`, does not fit an `i64`.
    BigInt(BigInt),
    /// Tag `a`: 1-based index into `BeamFile::atoms` (index 0 is decoded as [`Operand::Nil`]).
    Atom(u32),
    /// Tag `a` with index 0.
    Nil,
    X(u32),
    Y(u32),
    /// Tag `f` (0 means "no label").
    Label(u32),
    /// Tag `h`.
    Char(u32),
    /// Extended literal: index into `BeamFile::literals`.
    Literal(u32),
    /// Extended list.
    List(Vec<Operand>),
    /// Extended float register.
    FloatReg(u32),
    /// Extended allocation list: (kind 0=words 1=floats 2=funs, count).
    AllocList(Vec<(u32, u32)>),
    /// Extended tag 5: an X or Y register plus an index into the `Type` chunk.
    TypedReg {
        reg: Box<Operand>,
        type_index: u32,
    },
}

/// One generic instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Instr {
    pub op: Opcode,
    pub args: Vec<Operand>,
}

/// A decoding failure; `offset` is relative to the start of the decoded byte slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at offset {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Tag numbers of the compact encoding.
pub const TAG_U: u8 = 0;
pub const TAG_I: u8 = 1;
pub const TAG_A: u8 = 2;
pub const TAG_X: u8 = 3;
pub const TAG_Y: u8 = 4;
pub const TAG_F: u8 = 5;
pub const TAG_H: u8 = 6;
pub const TAG_Z: u8 = 7;

/// The value of a tagged number before it is turned into an [`Operand`].
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    /// Any tag: a non-negative value that fits in a `u64`.
    Unsigned(u64),
    /// Tag `i` only: a negative value that fits in an `i64`.
    Negative(i64),
    /// Tag `i` only: a value that does not fit in an `i64`.
    Big(BigInt),
}

/// Optional bounds checked while decoding operands (0 disables a check).
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Number of atoms: an `a` operand must be `<= atoms`.
    pub atoms: u32,
    /// Number of literals: a literal operand must be `< literals`.
    pub literals: u32,
    /// Number of labels: an `f` operand must be `< labels`.
    pub labels: u32,
    /// Whether the bounds above are enforced at all.
    pub enabled: bool,
}

/// A cursor over compact-encoded bytes.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
    limits: Limits,
}

impl<'a> Decoder<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Decoder {
            data,
            pos: 0,
            limits: Limits::default(),
        }
    }

    pub fn with_limits(data: &'a [u8], limits: Limits) -> Self {
        Decoder {
            data,
            pos: 0,
            limits,
        }
    }

    /// Current position within the slice.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet consumed.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn is_at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn err<T>(&self, at: usize, message: impl Into<String>) -> Result<T, DecodeError> {
        Err(DecodeError {
            offset: at,
            message: message.into(),
        })
    }

    /// Reads one raw byte.
    pub fn byte(&mut self) -> Result<u8, DecodeError> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => self.err(self.pos, "unexpected end of data"),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return self.err(
                self.pos,
                format!(
                    "unexpected end of data (need {} bytes, {} left)",
                    n,
                    self.remaining()
                ),
            );
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Reads a tag and its value.
    pub fn tagged(&mut self) -> Result<(u8, RawValue), DecodeError> {
        self.tagged_inner(true)
    }

    fn tagged_inner(&mut self, allow_nested_len: bool) -> Result<(u8, RawValue), DecodeError> {
        let start = self.pos;
        let b = self.byte()?;
        let tag = b & 7;
        if b & 0x08 == 0 {
            return Ok((tag, RawValue::Unsigned(u64::from(b >> 4))));
        }
        if b & 0x10 == 0 {
            let lo = self.byte()?;
            let v = (u64::from(b & 0xE0) << 3) | u64::from(lo);
            return Ok((tag, RawValue::Unsigned(v)));
        }
        let len_code = b >> 5;
        let count = if len_code < 7 {
            usize::from(len_code) + 2
        } else {
            if !allow_nested_len {
                return self.err(start, "nested length prefix in a length prefix");
            }
            let len_pos = self.pos;
            match self.tagged_inner(false)? {
                (TAG_U, RawValue::Unsigned(n)) => {
                    match usize::try_from(n).ok().and_then(|n| n.checked_add(9)) {
                        Some(n) => n,
                        None => return self.err(len_pos, "absurd integer length"),
                    }
                }
                _ => return self.err(len_pos, "integer length prefix is not a u operand"),
            }
        };
        let bytes = self.take(count)?;
        if tag == TAG_I {
            if count <= 8 {
                let neg = bytes[0] & 0x80 != 0;
                let mut v: u64 = if neg { u64::MAX } else { 0 };
                for &x in bytes {
                    v = (v << 8) | u64::from(x);
                }
                let v = v as i64;
                if v < 0 {
                    Ok((tag, RawValue::Negative(v)))
                } else {
                    Ok((tag, RawValue::Unsigned(v as u64)))
                }
            } else {
                let big = BigInt::from_signed_bytes_be(bytes);
                match big.to_i64() {
                    Some(v) if v < 0 => Ok((tag, RawValue::Negative(v))),
                    Some(v) => Ok((tag, RawValue::Unsigned(v as u64))),
                    None => Ok((tag, RawValue::Big(big))),
                }
            }
        } else {
            let first_nonzero = bytes.iter().position(|&x| x != 0).unwrap_or(bytes.len());
            let significant = &bytes[first_nonzero..];
            if significant.len() > 8 {
                return self.err(start, format!("value of tag {} too large", tag_name(tag)));
            }
            let mut v: u64 = 0;
            for &x in significant {
                v = (v << 8) | u64::from(x);
            }
            Ok((tag, RawValue::Unsigned(v)))
        }
    }

    /// Reads an operand that must be a `u`-tagged value fitting in a `u32`.
    pub fn unsigned_u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        let start = self.pos;
        match self.tagged()? {
            (TAG_U, RawValue::Unsigned(v)) => match u32::try_from(v) {
                Ok(v) => Ok(v),
                Err(_) => self.err(start, format!("{what} too large: {v}")),
            },
            (tag, _) => self.err(
                start,
                format!("expected u operand for {what}, found tag {}", tag_name(tag)),
            ),
        }
    }

    /// Reads one complete operand.
    pub fn operand(&mut self) -> Result<Operand, DecodeError> {
        self.operand_inner(true)
    }

    fn small(&self, start: usize, tag: u8, v: RawValue) -> Result<u32, DecodeError> {
        match v {
            RawValue::Unsigned(v) => match u32::try_from(v) {
                Ok(v) => Ok(v),
                Err(_) => self.err(
                    start,
                    format!("operand value {v} of tag {} too large", tag_name(tag)),
                ),
            },
            _ => self.err(start, "negative value for an unsigned tag"),
        }
    }

    fn operand_inner(&mut self, allow_list: bool) -> Result<Operand, DecodeError> {
        let start = self.pos;
        let (tag, v) = self.tagged()?;
        let lim = self.limits;
        Ok(match tag {
            TAG_U => match v {
                RawValue::Unsigned(v) => Operand::Unsigned(v),
                _ => return self.err(start, "negative u operand"),
            },
            TAG_I => match v {
                RawValue::Unsigned(v) => match i64::try_from(v) {
                    Ok(v) => Operand::Int(v),
                    Err(_) => Operand::BigInt(BigInt::from(v)),
                },
                RawValue::Negative(v) => Operand::Int(v),
                RawValue::Big(b) => Operand::BigInt(b),
            },
            TAG_A => match self.small(start, tag, v)? {
                0 => Operand::Nil,
                n => {
                    if lim.enabled && n > lim.atoms {
                        return self.err(
                            start,
                            format!("atom index {n} out of range ({} atoms)", lim.atoms),
                        );
                    }
                    Operand::Atom(n)
                }
            },
            TAG_X => Operand::X(self.small(start, tag, v)?),
            TAG_Y => Operand::Y(self.small(start, tag, v)?),
            TAG_F => {
                let n = self.small(start, tag, v)?;
                if lim.enabled && n >= lim.labels {
                    return self.err(
                        start,
                        format!("label {n} out of range ({} labels)", lim.labels),
                    );
                }
                Operand::Label(n)
            }
            TAG_H => Operand::Char(self.small(start, tag, v)?),
            _ => {
                let kind = match v {
                    RawValue::Unsigned(k) => k,
                    _ => return self.err(start, "bad extended tag"),
                };
                match kind {
                    0 => return self.err(start, "obsolete float operand is not supported"),
                    1 => {
                        if !allow_list {
                            return self.err(start, "nested extended list");
                        }
                        let n = self.unsigned_u32("list length")? as usize;
                        if n > self.remaining() {
                            return self.err(start, format!("list length {n} exceeds data"));
                        }
                        let mut items = Vec::with_capacity(n);
                        for _ in 0..n {
                            items.push(self.operand_inner(false)?);
                        }
                        Operand::List(items)
                    }
                    2 => Operand::FloatReg(self.unsigned_u32("float register")?),
                    3 => {
                        let n = self.unsigned_u32("allocation list length")? as usize;
                        if n > self.remaining() / 2 {
                            return self
                                .err(start, format!("allocation list length {n} exceeds data"));
                        }
                        let mut items = Vec::with_capacity(n);
                        for _ in 0..n {
                            let kpos = self.pos;
                            let k = self.unsigned_u32("allocation kind")?;
                            if k > 2 {
                                return self.err(kpos, format!("bad allocation kind {k}"));
                            }
                            let c = self.unsigned_u32("allocation count")?;
                            items.push((k, c));
                        }
                        Operand::AllocList(items)
                    }
                    4 => {
                        let n = self.unsigned_u32("literal index")?;
                        if lim.enabled && n >= lim.literals {
                            return self.err(
                                start,
                                format!(
                                    "literal index {n} out of range ({} literals)",
                                    lim.literals
                                ),
                            );
                        }
                        Operand::Literal(n)
                    }
                    5 => {
                        let rpos = self.pos;
                        let reg = match self.tagged()? {
                            (TAG_X, v) => Operand::X(self.small(rpos, TAG_X, v)?),
                            (TAG_Y, v) => Operand::Y(self.small(rpos, TAG_Y, v)?),
                            _ => return self.err(rpos, "typed register is not an x or y register"),
                        };
                        let type_index = self.unsigned_u32("type index")?;
                        Operand::TypedReg {
                            reg: Box::new(reg),
                            type_index,
                        }
                    }
                    k => return self.err(start, format!("invalid extended tag {k}")),
                }
            }
        })
    }

    /// Reads one instruction. Returns `Ok(None)` at `int_code_end`.
    pub fn instr(&mut self) -> Result<Option<Instr>, DecodeError> {
        let start = self.pos;
        let b = self.byte()?;
        let op = match Opcode::from_u8(b) {
            Some(op) => op,
            None => {
                return self.err(
                    start,
                    format!("unknown opcode {b} (highest known is {MAX_OPCODE})"),
                )
            }
        };
        if op == Opcode::IntCodeEnd {
            return Ok(None);
        }
        let mut args = Vec::with_capacity(op.arity());
        for _ in 0..op.arity() {
            args.push(self.operand()?);
        }
        Ok(Some(Instr { op, args }))
    }
}

fn tag_name(tag: u8) -> char {
    ['u', 'i', 'a', 'x', 'y', 'f', 'h', 'z'][usize::from(tag & 7)]
}

/// Decodes instructions until `int_code_end`. Running out of data before it is an error.
pub fn decode_code(code: &[u8], limits: Limits) -> Result<Vec<Instr>, DecodeError> {
    let mut d = Decoder::with_limits(code, limits);
    // Typical OTP code averages well over 4 bytes per instruction.
    let mut out = Vec::with_capacity(code.len() / 4);
    while let Some(i) = d.instr()? {
        out.push(i);
    }
    Ok(out)
}

/// Encodes an operand in the compact form (the inverse of [`Decoder::operand`]); used by
/// tests and tools. Follows the compiler's choices (`beam_asm:encode/2`).
pub fn encode_operand(op: &Operand, out: &mut Vec<u8>) {
    match op {
        Operand::Unsigned(v) => encode_unsigned(TAG_U, *v, out),
        Operand::Int(v) => encode_int(&BigInt::from(*v), out),
        Operand::BigInt(v) => encode_int(v, out),
        Operand::Atom(v) => encode_unsigned(TAG_A, u64::from(*v), out),
        Operand::Nil => encode_unsigned(TAG_A, 0, out),
        Operand::X(v) => encode_unsigned(TAG_X, u64::from(*v), out),
        Operand::Y(v) => encode_unsigned(TAG_Y, u64::from(*v), out),
        Operand::Label(v) => encode_unsigned(TAG_F, u64::from(*v), out),
        Operand::Char(v) => encode_unsigned(TAG_H, u64::from(*v), out),
        Operand::Literal(v) => {
            encode_unsigned(TAG_Z, 4, out);
            encode_unsigned(TAG_U, u64::from(*v), out);
        }
        Operand::List(items) => {
            encode_unsigned(TAG_Z, 1, out);
            encode_unsigned(TAG_U, items.len() as u64, out);
            for i in items {
                encode_operand(i, out);
            }
        }
        Operand::FloatReg(v) => {
            encode_unsigned(TAG_Z, 2, out);
            encode_unsigned(TAG_U, u64::from(*v), out);
        }
        Operand::AllocList(items) => {
            encode_unsigned(TAG_Z, 3, out);
            encode_unsigned(TAG_U, items.len() as u64, out);
            for (k, c) in items {
                encode_unsigned(TAG_U, u64::from(*k), out);
                encode_unsigned(TAG_U, u64::from(*c), out);
            }
        }
        Operand::TypedReg { reg, type_index } => {
            encode_unsigned(TAG_Z, 5, out);
            encode_operand(reg, out);
            encode_unsigned(TAG_U, u64::from(*type_index), out);
        }
    }
}

fn encode_unsigned(tag: u8, v: u64, out: &mut Vec<u8>) {
    if v < 16 {
        out.push(((v as u8) << 4) | tag);
    } else if v < 0x800 {
        out.push((((v >> 3) as u8) & 0xE0) | tag | 0x08);
        out.push(v as u8);
    } else {
        let mut bytes: Vec<u8> = v.to_be_bytes().to_vec();
        while bytes.len() > 1 && bytes[0] == 0 {
            bytes.remove(0);
        }
        if bytes[0] & 0x80 != 0 {
            bytes.insert(0, 0);
        }
        encode_bytes(tag, &bytes, out);
    }
}

fn encode_int(v: &BigInt, out: &mut Vec<u8>) {
    if v.sign() != num_bigint::Sign::Minus {
        if let Some(u) = v.to_u64() {
            if u < 0x800 {
                return encode_unsigned(TAG_I, u, out);
            }
        }
    }
    let mut bytes = v.to_signed_bytes_be();
    if bytes.len() < 2 {
        // Negative numbers always use at least two bytes (beam_asm does the same).
        let fill = if bytes[0] & 0x80 != 0 { 0xFF } else { 0 };
        bytes.insert(0, fill);
    }
    encode_bytes(TAG_I, &bytes, out);
}

fn encode_bytes(tag: u8, bytes: &[u8], out: &mut Vec<u8>) {
    let n = bytes.len();
    if n <= 8 {
        out.push((((n - 2) as u8) << 5) | 0x18 | tag);
    } else {
        out.push(0xF8 | tag);
        encode_unsigned(TAG_U, (n - 9) as u64, out);
    }
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> Result<Operand, DecodeError> {
        let mut d = Decoder::new(bytes);
        let op = d.operand()?;
        assert_eq!(d.remaining(), 0, "trailing bytes after {op:?}");
        Ok(op)
    }

    fn int(bytes: &[u8]) -> Operand {
        dec(bytes).unwrap()
    }

    #[test]
    fn integers_from_beam_asm_docs() {
        // The examples in beam_disasm.erl's comment on decode_int.
        assert_eq!(int(&[81]), Operand::Int(5));
        assert_eq!(int(&[105, 232]), Operand::Int(1000));
        assert_eq!(int(&[233, 255]), Operand::Int(2047));
        assert_eq!(int(&[25, 8, 0]), Operand::Int(2048));
        assert_eq!(int(&[25, 255, 255]), Operand::Int(-1));
        assert_eq!(int(&[121, 255, 0, 0, 0, 1]), Operand::Int(-4294967295));
        assert_eq!(int(&[121, 0, 255, 255, 255, 255]), Operand::Int(4294967295));
        assert_eq!(
            int(&[121, 99, 255, 255, 255, 157]),
            Operand::Int(429496729501)
        );
    }

    #[test]
    fn tags() {
        assert_eq!(int(&[0x00]), Operand::Unsigned(0));
        assert_eq!(int(&[0xF0]), Operand::Unsigned(15));
        assert_eq!(int(&[0x02]), Operand::Nil);
        assert_eq!(int(&[0x12]), Operand::Atom(1));
        assert_eq!(int(&[0x33]), Operand::X(3));
        assert_eq!(int(&[0x44]), Operand::Y(4));
        assert_eq!(int(&[0x55]), Operand::Label(5));
        assert_eq!(int(&[0x66]), Operand::Char(6));
        // 11-bit form: x1023
        assert_eq!(int(&[0x6B, 0xFF]), Operand::X(1023));
        // u with high bit set is padded with a zero byte by the compiler
        assert_eq!(
            int(&[0x20 | 0x18, 0x00, 0x80, 0x00]),
            Operand::Unsigned(0x8000)
        );
        // unsigned values are not sign-extended even without the padding byte
        assert_eq!(int(&[0x18, 0x80, 0x00]), Operand::Unsigned(0x8000));
    }

    #[test]
    fn bignums() {
        // 2^64: 9 bytes -> length code 7 with nested u (9 - 9 = 0)
        let mut bytes = vec![0xF9, 0x00, 0x01];
        bytes.extend_from_slice(&[0; 8]);
        assert_eq!(int(&bytes), Operand::BigInt(BigInt::from(1u128 << 64)));
        // i64::MIN fits in 8 bytes
        let mut bytes = vec![0xD9, 0x80];
        bytes.extend_from_slice(&[0; 7]);
        assert_eq!(int(&bytes), Operand::Int(i64::MIN));
        // u64::MAX as tag i needs a 0 byte in front: 9 bytes
        let mut bytes = vec![0xF9, 0x00, 0x00];
        bytes.extend_from_slice(&[0xFF; 8]);
        assert_eq!(int(&bytes), Operand::BigInt(BigInt::from(u64::MAX)));
        // -(2^64)
        let mut bytes = vec![0xF9, 0x00, 0xFF];
        bytes.extend_from_slice(&[0; 8]);
        assert_eq!(int(&bytes), Operand::BigInt(-BigInt::from(1u128 << 64)));
        // a 9-byte i that still fits i64 is normalised
        let mut bytes = vec![0xF9, 0x00, 0xFF];
        bytes.extend_from_slice(&[0xFF; 8]);
        assert_eq!(int(&bytes), Operand::Int(-1));
        // u with 9 bytes but leading zero fits
        let mut bytes = vec![0xF8, 0x00, 0x00];
        bytes.extend_from_slice(&[0xFF; 8]);
        assert_eq!(int(&bytes), Operand::Unsigned(u64::MAX));
        // u with 9 significant bytes does not
        let mut bytes = vec![0xF8, 0x00, 0x01];
        bytes.extend_from_slice(&[0; 8]);
        assert!(dec(&bytes).is_err());
        // a large length prefix (11-bit form) for a 100-byte integer
        let mut bytes = vec![0xF9, 0x08, 91]; // 11-bit form of u 91
        bytes.push(0x01);
        bytes.extend_from_slice(&[0; 99]);
        assert_eq!(
            int(&bytes),
            Operand::BigInt(BigInt::from(1) << (99usize * 8))
        );
    }

    #[test]
    fn roundtrip_encoding() {
        let values: Vec<Operand> = vec![
            Operand::Int(0),
            Operand::Int(15),
            Operand::Int(16),
            Operand::Int(2047),
            Operand::Int(2048),
            Operand::Int(-1),
            Operand::Int(-128),
            Operand::Int(-129),
            Operand::Int(-32768),
            Operand::Int(-32769),
            Operand::Int(i64::MAX),
            Operand::Int(i64::MIN),
            Operand::BigInt(BigInt::from(1) << 200usize),
            Operand::BigInt(-(BigInt::from(1) << 200usize)),
            Operand::BigInt(BigInt::from(1) << 2000usize),
            Operand::Unsigned(u64::MAX),
            Operand::Unsigned(1 << 40),
            Operand::X(1 << 20),
            Operand::Y(u32::MAX),
            Operand::Atom(70000),
            Operand::Literal(5000),
            Operand::FloatReg(3),
            Operand::List(vec![
                Operand::Int(1),
                Operand::Label(2),
                Operand::Literal(7),
            ]),
            Operand::AllocList(vec![(0, 5), (1, 2), (2, 1)]),
            Operand::TypedReg {
                reg: Box::new(Operand::Y(2)),
                type_index: 300,
            },
        ];
        for v in values {
            let mut buf = Vec::new();
            encode_operand(&v, &mut buf);
            assert_eq!(dec(&buf).unwrap(), v, "bytes {buf:?}");
        }
    }

    #[test]
    fn extended() {
        // {list, [{integer,1},{f,2}]}: z1, u2, i1, f2
        assert_eq!(
            int(&[0x17, 0x20, 0x11, 0x25]),
            Operand::List(vec![Operand::Int(1), Operand::Label(2)])
        );
        // literal 3
        assert_eq!(int(&[0x47, 0x30]), Operand::Literal(3));
        // fr 1
        assert_eq!(int(&[0x27, 0x10]), Operand::FloatReg(1));
        // alloc list [{words,3},{floats,1}]
        assert_eq!(
            int(&[0x37, 0x20, 0x00, 0x30, 0x10, 0x10]),
            Operand::AllocList(vec![(0, 3), (1, 1)])
        );
        // typed register x0 type 2
        assert_eq!(
            int(&[0x57, 0x03, 0x20]),
            Operand::TypedReg {
                reg: Box::new(Operand::X(0)),
                type_index: 2
            }
        );
    }

    #[test]
    fn malformed() {
        // empty
        assert!(dec(&[]).is_err());
        // truncated 11-bit form
        assert!(dec(&[0x0B]).is_err());
        // truncated multi-byte form
        assert!(dec(&[0x19, 0x01]).is_err());
        // nested length that is not u
        assert!(dec(&[0xF9, 0x01]).is_err());
        // nested length with its own nested length
        assert!(dec(&[0xF9, 0xF8, 0x00]).is_err());
        // huge nested length
        assert!(dec(&[0xF9, 0xD8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        // obsolete float
        assert!(dec(&[0x07, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        // unknown extended tag
        assert!(dec(&[0x67]).is_err());
        // nested list
        assert!(dec(&[0x17, 0x10, 0x17, 0x00]).is_err());
        // list longer than data
        assert!(dec(&[0x17, 0x08, 0xFF]).is_err());
        // alloc list with bad kind
        assert!(dec(&[0x37, 0x10, 0x30, 0x10]).is_err());
        // typed register that is not a register
        assert!(dec(&[0x57, 0x01, 0x20]).is_err());
        // multi-byte x register values are unsigned (no sign extension)
        assert_eq!(dec(&[0x1B, 0xFF, 0xFF]).unwrap(), Operand::X(0xFFFF));
        // x register beyond u32
        assert!(dec(&[0x9B, 1, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn limits() {
        let lim = Limits {
            atoms: 2,
            literals: 1,
            labels: 3,
            enabled: true,
        };
        let d = |b: &[u8]| Decoder::with_limits(b, lim).operand();
        assert!(d(&[0x22]).is_ok());
        assert!(d(&[0x32]).is_err());
        assert!(d(&[0x47, 0x00]).is_ok());
        assert!(d(&[0x47, 0x10]).is_err());
        assert!(d(&[0x25]).is_ok());
        assert!(d(&[0x35]).is_err());
    }

    #[test]
    fn instructions() {
        // label 1; return; int_code_end
        let code = [1, 0x10, 19, 3];
        let v = decode_code(&code, Limits::default()).unwrap();
        assert_eq!(
            v,
            vec![
                Instr {
                    op: Opcode::Label,
                    args: vec![Operand::Unsigned(1)]
                },
                Instr {
                    op: Opcode::Return,
                    args: vec![]
                }
            ]
        );
        // missing int_code_end
        assert!(decode_code(&[19], Limits::default()).is_err());
        // unknown opcodes
        assert!(decode_code(&[0], Limits::default()).is_err());
        assert!(decode_code(&[181], Limits::default()).is_err());
        // truncated operand
        let e = decode_code(&[19, 1], Limits::default()).unwrap_err();
        assert_eq!(e.offset, 2);
    }
}
