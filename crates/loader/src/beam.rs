//! The `.beam` container: IFF chunks and their decoding into a [`BeamFile`].

use crate::compact::{self, Decoder, Instr, Limits, Operand, RawValue};
use crate::error::LoadError;
use crate::ext_term::{self, ExtTerm};
use crate::opcodes::{Opcode, MAX_OPCODE};
use std::fmt::Write as _;
use std::io::Read;

/// An entry of the import table (`ImpT`); atom indices are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub module: u32,
    pub function: u32,
    pub arity: u32,
}

/// An entry of the export (`ExpT`) or local function (`LocT`) table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub function: u32,
    pub arity: u32,
    pub label: u32,
}

/// An entry of the fun table (`FunT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunDef {
    pub function: u32,
    pub arity: u32,
    pub label: u32,
    pub index: u32,
    pub num_free: u32,
    pub old_uniq: u32,
}

/// The decoded `Line` chunk.
#[derive(Debug, Clone)]
pub struct LineTable {
    pub version: u32,
    pub flags: u32,
    pub num_line_instrs: u32,
    /// File names other than the module's own source file.
    pub files: Vec<String>,
    /// `items[0]` is the "no location" entry; operand N of a `line` instruction indexes this.
    pub items: Vec<LineItem>,
}

/// One location: `file` 0 is the module's own source file, `k >= 1` is `files[k - 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineItem {
    pub file: u32,
    pub line: u32,
}

/// A fully decoded `.beam` file.
#[derive(Debug, Clone)]
pub struct BeamFile {
    /// The module name (== `atoms[0]`).
    pub module: String,
    /// `atoms[i - 1]` is atom number `i`.
    pub atoms: Vec<String>,
    pub instruction_set: u32,
    pub max_opcode: u32,
    pub label_count: u32,
    pub function_count: u32,
    /// Generic instructions in file order, up to but excluding `int_code_end`.
    pub code: Vec<Instr>,
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub locals: Vec<Export>,
    pub funs: Vec<FunDef>,
    pub literals: Vec<ExtTerm>,
    pub strings: Vec<u8>,
    pub lines: Option<LineTable>,
    pub attributes: Option<ExtTerm>,
    pub compile_info: Option<ExtTerm>,
    /// The raw `Type` chunk.
    pub type_chunk: Option<Vec<u8>>,
    /// Every chunk, raw, in file order.
    pub chunks: Vec<(String, Vec<u8>)>,
}

impl BeamFile {
    /// Atom number `i` (1-based); `""` if out of range.
    pub fn atom(&self, i: u32) -> &str {
        match (i as usize).checked_sub(1).and_then(|i| self.atoms.get(i)) {
            Some(s) => s,
            None => "",
        }
    }

    /// The raw contents of the first chunk with the given id.
    pub fn chunk(&self, id: &str) -> Option<&[u8]> {
        self.chunks
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, d)| d.as_slice())
    }

    /// Source file name and line of line-table entry `index`, if known.
    pub fn location(&self, index: u32) -> Option<(String, u32)> {
        let lines = self.lines.as_ref()?;
        let item = lines.items.get(index as usize)?;
        if index == 0 {
            return None;
        }
        let file = match item.file {
            0 => format!("{}.erl", self.module),
            k => lines.files.get(k as usize - 1)?.clone(),
        };
        Some((file, item.line))
    }
}

const MAX_ATOM_CHARS: usize = ext_term::MAX_ATOM_CHARS;

struct RawChunk<'a> {
    id: [u8; 4],
    /// File offset of the chunk's data.
    offset: usize,
    data: &'a [u8],
}

/// Error context for one chunk.
struct Ctx<'a> {
    file: &'a str,
    chunk: String,
}

impl Ctx<'_> {
    fn err(&self, offset: usize, msg: impl Into<String>) -> LoadError {
        LoadError::new(self.file, Some(&self.chunk), offset, msg)
    }
}

/// A big-endian reader over one chunk reporting file offsets.
struct Reader<'a, 'c> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    ctx: &'c Ctx<'c>,
}

impl<'a, 'c> Reader<'a, 'c> {
    fn new(chunk: &RawChunk<'a>, ctx: &'c Ctx<'c>) -> Self {
        Reader {
            data: chunk.data,
            pos: 0,
            base: chunk.offset,
            ctx,
        }
    }

    fn offset(&self) -> usize {
        self.base + self.pos
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    fn err(&self, msg: impl Into<String>) -> LoadError {
        self.ctx.err(self.offset(), msg)
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], LoadError> {
        if n > self.remaining() {
            return Err(self.err(format!(
                "truncated {what}: need {n} bytes, {} left",
                self.remaining()
            )));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u32(&mut self, what: &str) -> Result<u32, LoadError> {
        let s = self.take(4, what)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn u16(&mut self, what: &str) -> Result<u16, LoadError> {
        let s = self.take(2, what)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }

    fn u8(&mut self, what: &str) -> Result<u8, LoadError> {
        Ok(self.take(1, what)?[0])
    }

    /// Reads a count of entries each at least `entry_size` bytes long.
    fn count(&mut self, entry_size: usize, what: &str) -> Result<usize, LoadError> {
        let at = self.offset();
        let n = self.u32(what)? as usize;
        if n.saturating_mul(entry_size) > self.remaining() {
            return Err(self.ctx.err(
                at,
                format!(
                    "{what} count {n} does not fit in the {} remaining bytes",
                    self.remaining()
                ),
            ));
        }
        Ok(n)
    }

    fn compact_err(&self, start: usize, e: compact::DecodeError) -> LoadError {
        self.ctx.err(self.base + start + e.offset, e.message)
    }
}

fn chunk_name(id: &[u8; 4]) -> String {
    id.iter().map(|&b| b as char).collect()
}

/// Parses a `.beam` file (optionally gzip-compressed, as the runtime also accepts).
pub fn parse_beam(file_name: &str, bytes: &[u8]) -> Result<BeamFile, LoadError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let limit = (bytes.len() as u64)
            .saturating_mul(1032)
            .saturating_add(1024);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(limit)
            .read_to_end(&mut out)
            .map_err(|e| LoadError::new(file_name, None, 0, format!("bad gzip data: {e}")))?;
        if out.starts_with(&[0x1f, 0x8b]) {
            return Err(LoadError::new(file_name, None, 0, "doubly gzipped file"));
        }
        return parse_beam(file_name, &out);
    }
    let top = |offset, msg: &str| LoadError::new(file_name, None, offset, msg);
    if bytes.len() < 12 {
        return Err(top(0, "file too short to be a BEAM file"));
    }
    if &bytes[0..4] != b"FOR1" {
        return Err(top(0, "not an IFF file (no FOR1 header)"));
    }
    let form_len = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    if form_len > bytes.len() - 8 {
        return Err(top(
            4,
            &format!(
                "IFF form length {form_len} exceeds the {} bytes in the file",
                bytes.len() - 8
            ),
        ));
    }
    if &bytes[8..12] != b"BEAM" {
        return Err(top(8, "not a BEAM file (form type is not BEAM)"));
    }
    let end = 8 + form_len;
    let mut pos = 12;
    let mut raw: Vec<RawChunk> = Vec::new();
    while pos < end {
        if end - pos < 8 {
            return Err(top(pos, "truncated chunk header"));
        }
        let mut id = [0u8; 4];
        id.copy_from_slice(&bytes[pos..pos + 4]);
        let size = u32::from_be_bytes([
            bytes[pos + 4],
            bytes[pos + 5],
            bytes[pos + 6],
            bytes[pos + 7],
        ]) as usize;
        let data_start = pos + 8;
        if size > end - data_start {
            return Err(LoadError::new(
                file_name,
                Some(&chunk_name(&id)),
                pos + 4,
                format!(
                    "chunk size {size} exceeds the {} bytes left in the file",
                    end - data_start
                ),
            ));
        }
        raw.push(RawChunk {
            id,
            offset: data_start,
            data: &bytes[data_start..data_start + size],
        });
        // Chunks are padded to 4 bytes; the last one's padding may be missing.
        let padded = size.div_ceil(4) * 4;
        pos = (data_start + padded).min(end);
    }

    let find = |id: &[u8; 4]| raw.iter().find(|c| &c.id == id);
    let ctx_for = |c: &RawChunk| Ctx {
        file: file_name,
        chunk: chunk_name(&c.id),
    };

    // Atoms.
    let atoms = if let Some(c) = find(b"AtU8") {
        parse_atoms(c, &ctx_for(c), true)?
    } else if let Some(c) = find(b"Atom") {
        parse_atoms(c, &ctx_for(c), false)?
    } else {
        return Err(top(12, "no atom table (AtU8 or Atom chunk)"));
    };
    let num_atoms = atoms.len() as u32;

    // Literals.
    let literals = match find(b"LitT") {
        Some(c) => parse_literals(c, &ctx_for(c))?,
        None => Vec::new(),
    };

    // Code.
    let code_chunk = find(b"Code").ok_or_else(|| top(12, "no Code chunk"))?;
    let ctx = ctx_for(code_chunk);
    let mut r = Reader::new(code_chunk, &ctx);
    let sub_size = r.u32("code header size")? as usize;
    if sub_size < 16 {
        return Err(r.err(format!("code header size {sub_size} is less than 16")));
    }
    let instruction_set = r.u32("instruction set")?;
    if instruction_set != 0 {
        return Err(r.err(format!(
            "unsupported instruction set {instruction_set} (expected 0)"
        )));
    }
    let max_opcode = r.u32("max opcode")?;
    if max_opcode > u32::from(MAX_OPCODE) {
        return Err(r.err(format!(
            "module uses opcode {max_opcode}, newer than this loader supports ({MAX_OPCODE}); \
             recompile it with an OTP 25 compiler"
        )));
    }
    let label_count_at = r.offset();
    let label_count = r.u32("label count")?;
    // Each label definition takes at least two bytes of code; allow generous gaps.
    if label_count as usize > code_chunk.data.len().saturating_mul(4).saturating_add(16) {
        return Err(ctx.err(
            label_count_at,
            format!("label count {label_count} is absurd for the code size"),
        ));
    }
    let function_count = r.u32("function count")?;
    r.pos = 4;
    r.take(sub_size, "code header")?;
    let code_start = r.pos;
    let limits = Limits {
        atoms: num_atoms,
        literals: literals.len() as u32,
        labels: label_count.max(1),
        enabled: true,
    };
    let code = compact::decode_code(&code_chunk.data[code_start..], limits)
        .map_err(|e| r.compact_err(code_start, e))?;

    let check_atom = |r: &Reader, at: usize, a: u32, what: &str| {
        if a == 0 || a > num_atoms {
            Err(r.ctx.err(
                at,
                format!("{what} atom index {a} out of range ({num_atoms} atoms)"),
            ))
        } else {
            Ok(())
        }
    };
    let check_label = |r: &Reader, at: usize, l: u32| {
        if l >= label_count {
            Err(r
                .ctx
                .err(at, format!("label {l} out of range ({label_count} labels)")))
        } else {
            Ok(())
        }
    };

    // Imports.
    let mut imports = Vec::new();
    if let Some(c) = find(b"ImpT") {
        let ctx = ctx_for(c);
        let mut r = Reader::new(c, &ctx);
        let n = r.count(12, "import")?;
        imports.reserve_exact(n);
        for _ in 0..n {
            let at = r.offset();
            let module = r.u32("import")?;
            let function = r.u32("import")?;
            let arity = r.u32("import")?;
            check_atom(&r, at, module, "import module")?;
            check_atom(&r, at + 4, function, "import function")?;
            imports.push(Import {
                module,
                function,
                arity,
            });
        }
    }

    // Exports and locals.
    let parse_exports = |c: &RawChunk| -> Result<Vec<Export>, LoadError> {
        let ctx = ctx_for(c);
        let mut r = Reader::new(c, &ctx);
        let n = r.count(12, "function")?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let at = r.offset();
            let function = r.u32("function entry")?;
            let arity = r.u32("function entry")?;
            let label = r.u32("function entry")?;
            check_atom(&r, at, function, "function")?;
            check_label(&r, at + 8, label)?;
            out.push(Export {
                function,
                arity,
                label,
            });
        }
        Ok(out)
    };
    let exports = match find(b"ExpT") {
        Some(c) => parse_exports(c)?,
        None => Vec::new(),
    };
    let locals = match find(b"LocT") {
        Some(c) => parse_exports(c)?,
        None => Vec::new(),
    };

    // Funs.
    let mut funs = Vec::new();
    if let Some(c) = find(b"FunT") {
        let ctx = ctx_for(c);
        let mut r = Reader::new(c, &ctx);
        let n = r.count(24, "fun")?;
        funs.reserve_exact(n);
        for _ in 0..n {
            let at = r.offset();
            let mut f = [0u32; 6];
            for v in f.iter_mut() {
                *v = r.u32("fun entry")?;
            }
            check_atom(&r, at, f[0], "fun")?;
            check_label(&r, at + 8, f[2])?;
            funs.push(FunDef {
                function: f[0],
                arity: f[1],
                label: f[2],
                index: f[3],
                num_free: f[4],
                old_uniq: f[5],
            });
        }
    }

    let lines = match find(b"Line") {
        Some(c) => parse_lines(c, &ctx_for(c))?,
        None => None,
    };

    // Import, fun and line indices used by the code are in range.
    let line_items = lines.as_ref().map(|l| l.items.len());
    if let Err((index, msg)) = check_table_refs(&code, imports.len(), funs.len(), line_items) {
        let at = instr_offset(&code_chunk.data[code_start..], index);
        return Err(ctx.err(code_chunk.offset + code_start + at, msg));
    }

    // Every label is defined once, and every label referred to is defined.
    let label_refs = exports
        .iter()
        .chain(locals.iter())
        .map(|e| e.label)
        .chain(funs.iter().map(|f| f.label));
    if let Err((index, msg)) = check_labels(&code, label_count, label_refs) {
        let code_bytes = &code_chunk.data[code_start..];
        let at = index.map_or(0, |i| instr_offset(code_bytes, i));
        return Err(ctx.err(code_chunk.offset + code_start + at, msg));
    }

    let strings = find(b"StrT").map(|c| c.data.to_vec()).unwrap_or_default();

    let term_chunk = |id: &[u8; 4]| -> Result<Option<ExtTerm>, LoadError> {
        match find(id) {
            Some(c) => ext_term::decode(c.data)
                .map(Some)
                .map_err(|e| ctx_for(c).err(c.offset, format!("bad term: {e}"))),
            None => Ok(None),
        }
    };
    let attributes = term_chunk(b"Attr")?;
    let compile_info = term_chunk(b"CInf")?;
    let type_chunk = find(b"Type").map(|c| c.data.to_vec());

    let chunks = raw
        .iter()
        .map(|c| (chunk_name(&c.id), c.data.to_vec()))
        .collect();

    Ok(BeamFile {
        module: atoms[0].clone(),
        atoms,
        instruction_set,
        max_opcode,
        label_count,
        function_count,
        code,
        imports,
        exports,
        locals,
        funs,
        literals,
        strings,
        lines,
        attributes,
        compile_info,
        type_chunk,
        chunks,
    })
}

/// Checks label definitions and references. On failure returns the index of the offending
/// instruction (`None` for a table entry) and a message.
fn check_labels(
    code: &[Instr],
    label_count: u32,
    table_refs: impl Iterator<Item = u32>,
) -> Result<(), (Option<usize>, String)> {
    // label_count was checked against the chunk size, so this allocation is bounded.
    let mut defined = vec![false; label_count as usize];
    for (i, ins) in code.iter().enumerate() {
        if ins.op == Opcode::Label {
            let n = match ins.args.first() {
                Some(Operand::Unsigned(n)) if *n > 0 && *n < u64::from(label_count) => *n as usize,
                other => {
                    return Err((
                        Some(i),
                        format!("bad label definition {other:?} ({label_count} labels)"),
                    ))
                }
            };
            if defined[n] {
                return Err((Some(i), format!("label {n} defined twice")));
            }
            defined[n] = true;
        }
    }
    let is_defined = |l: u32| l == 0 || defined.get(l as usize).copied().unwrap_or(false);
    for (i, ins) in code.iter().enumerate() {
        for a in &ins.args {
            let bad = match a {
                Operand::Label(l) => (!is_defined(*l)).then_some(*l),
                Operand::List(items) => items.iter().find_map(|x| match x {
                    Operand::Label(l) if !is_defined(*l) => Some(*l),
                    _ => None,
                }),
                _ => None,
            };
            if let Some(l) = bad {
                return Err((Some(i), format!("reference to undefined label {l}")));
            }
        }
    }
    for l in table_refs {
        if l == 0 || !is_defined(l) {
            return Err((
                None,
                format!("function table entry refers to undefined label {l}"),
            ));
        }
    }
    Ok(())
}

/// Byte offset of instruction `index` within the code (only used to report errors).
fn instr_offset(code: &[u8], index: usize) -> usize {
    let mut d = Decoder::new(code);
    for _ in 0..index {
        if !matches!(d.instr(), Ok(Some(_))) {
            break;
        }
    }
    d.position()
}

fn parse_atoms(c: &RawChunk, ctx: &Ctx, utf8: bool) -> Result<Vec<String>, LoadError> {
    let mut r = Reader::new(c, ctx);
    let at = r.offset();
    let raw_count = r.u32("atom count")? as i32;
    // OTP 28 writes a negated count when atom lengths are compact-encoded.
    let compact_lengths = raw_count < 0;
    let n = raw_count.unsigned_abs() as usize;
    if n == 0 {
        return Err(ctx.err(at, "empty atom table (no module name)"));
    }
    if n > r.remaining() {
        return Err(ctx.err(
            at,
            format!(
                "atom count {n} does not fit in the {} remaining bytes",
                r.remaining()
            ),
        ));
    }
    let mut atoms = Vec::with_capacity(n);
    for _ in 0..n {
        let at = r.offset();
        let len = if compact_lengths {
            let mut d = Decoder::new(&r.data[r.pos..]);
            let len = d
                .unsigned_u32("atom length")
                .map_err(|e| r.compact_err(r.pos, e))?;
            r.pos += d.position();
            len as usize
        } else {
            r.u8("atom length")? as usize
        };
        let bytes = r.take(len, "atom")?;
        let s = if utf8 {
            let s =
                std::str::from_utf8(bytes).map_err(|_| ctx.err(at, "atom is not valid UTF-8"))?;
            if s.chars().count() > MAX_ATOM_CHARS {
                return Err(ctx.err(at, "atom longer than 255 characters"));
            }
            s.to_string()
        } else {
            if len > MAX_ATOM_CHARS {
                return Err(ctx.err(at, "atom longer than 255 characters"));
            }
            bytes.iter().map(|&b| b as char).collect()
        };
        atoms.push(s);
    }
    Ok(atoms)
}

fn parse_literals(c: &RawChunk, ctx: &Ctx) -> Result<Vec<ExtTerm>, LoadError> {
    let mut r = Reader::new(c, ctx);
    let size = r.u32("literal table size")? as usize;
    let inflated;
    // Offsets inside compressed data cannot be mapped to the file; report the start
    // of the compressed data and mention the offset within the uncompressed table.
    let (table, base, compressed): (&[u8], usize, bool) = if size == 0 {
        (&c.data[r.pos..], r.offset(), false)
    } else {
        inflated = ext_term::inflate_exact(&c.data[r.pos..], size)
            .map_err(|e| r.err(format!("bad compressed literal table: {e}")))?;
        (&inflated[..], r.offset(), true)
    };
    let at = |p: usize| if compressed { base } else { base + p };
    let where_ = |p: usize| {
        if compressed {
            format!(" (at offset {p} of the uncompressed table)")
        } else {
            String::new()
        }
    };
    let mut p = 0usize;
    let read_u32 = |p: &mut usize| -> Option<u32> {
        let s = table.get(*p..*p + 4)?;
        *p += 4;
        Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    };
    let n = read_u32(&mut p)
        .ok_or_else(|| ctx.err(at(p), format!("truncated literal count{}", where_(p))))?
        as usize;
    if n.saturating_mul(5) > table.len() - p {
        return Err(ctx.err(
            at(0),
            format!(
                "literal count {n} does not fit in the literal table{}",
                where_(0)
            ),
        ));
    }
    let mut lits = Vec::with_capacity(n);
    for i in 0..n {
        let start = p;
        let len = read_u32(&mut p).ok_or_else(|| {
            ctx.err(
                at(start),
                format!("truncated literal {i} size{}", where_(start)),
            )
        })? as usize;
        let bytes = table.get(p..p.saturating_add(len)).ok_or_else(|| {
            ctx.err(
                at(start),
                format!("literal {i} size {len} exceeds the table{}", where_(start)),
            )
        })?;
        let t = ext_term::decode(bytes)
            .map_err(|e| ctx.err(at(p), format!("bad literal {i}: {e}{}", where_(p))))?;
        p += len;
        lits.push(t);
    }
    Ok(lits)
}

fn parse_lines(c: &RawChunk, ctx: &Ctx) -> Result<Option<LineTable>, LoadError> {
    let mut r = Reader::new(c, ctx);
    let version = r.u32("line table version")?;
    if version != 0 {
        // The runtime ignores line tables of unknown versions.
        return Ok(None);
    }
    let flags = r.u32("line table flags")?;
    let num_line_instrs = r.u32("line instruction count")?;
    let count_at = r.offset();
    let num_items = r.u32("line item count")? as usize;
    let num_files = r.u32("file name count")? as usize;
    if num_items > r.remaining() || num_files.saturating_mul(2) > r.remaining() {
        return Err(ctx.err(count_at, "line item or file name count exceeds the chunk"));
    }
    let mut items = Vec::with_capacity(num_items + 1);
    items.push(LineItem { file: 0, line: 0 });
    let start = r.pos;
    let mut d = Decoder::new(&r.data[start..]);
    let mut file = 0u32;
    while items.len() <= num_items {
        let at = d.position();
        match d.tagged().map_err(|e| r.compact_err(start, e))? {
            (compact::TAG_A, RawValue::Unsigned(f)) if f <= num_files as u64 => file = f as u32,
            (compact::TAG_I, RawValue::Unsigned(line)) if line <= u64::from(u32::MAX) => items
                .push(LineItem {
                    file,
                    line: line as u32,
                }),
            (tag, v) => {
                return Err(ctx.err(
                    r.base + start + at,
                    format!("bad line table item (tag {tag}, value {v:?})"),
                ))
            }
        }
    }
    r.pos = start + d.position();
    let mut files = Vec::with_capacity(num_files);
    for _ in 0..num_files {
        let at = r.offset();
        let len = r.u16("file name length")? as usize;
        let bytes = r.take(len, "file name")?;
        let s =
            std::str::from_utf8(bytes).map_err(|_| ctx.err(at, "file name is not valid UTF-8"))?;
        files.push(s.to_string());
    }
    Ok(Some(LineTable {
        version,
        flags,
        num_line_instrs,
        files,
        items,
    }))
}

/// Index of the operand naming an import (an `ImpT` entry), for instructions that have one.
fn import_operand(op: Opcode) -> Option<usize> {
    match op {
        Opcode::Bif0 => Some(0),
        Opcode::CallExt
        | Opcode::CallExtLast
        | Opcode::CallExtOnly
        | Opcode::Bif1
        | Opcode::Bif2 => Some(1),
        Opcode::GcBif1 | Opcode::GcBif2 | Opcode::GcBif3 => Some(2),
        _ => None,
    }
}

/// Index of the operand naming a `FunT` entry, for instructions that have one
/// (`call_fun2` has one only when its first operand is an integer).
fn fun_operand(op: Opcode) -> Option<usize> {
    match op {
        Opcode::MakeFun2 | Opcode::MakeFun3 | Opcode::CallFun2 => Some(0),
        _ => None,
    }
}

/// Checks that import, fun and line-table indices in the code are in range.
fn check_table_refs(
    code: &[Instr],
    imports: usize,
    funs: usize,
    line_items: Option<usize>,
) -> Result<(), (usize, String)> {
    let index_of = |ins: &Instr, pos: Option<usize>| match pos.and_then(|p| ins.args.get(p)) {
        Some(Operand::Unsigned(n)) => Some(*n),
        _ => None,
    };
    for (i, ins) in code.iter().enumerate() {
        if let Some(pos) = import_operand(ins.op) {
            match index_of(ins, Some(pos)) {
                Some(n) if n < imports as u64 => {}
                Some(n) => {
                    return Err((
                        i,
                        format!("import index {n} out of range ({imports} imports)"),
                    ))
                }
                None => return Err((i, format!("{} without an import index", ins.op.name()))),
            }
        }
        if let Some(n) = index_of(ins, fun_operand(ins.op)) {
            if n >= funs as u64 {
                return Err((i, format!("fun index {n} out of range ({funs} funs)")));
            }
        } else if matches!(ins.op, Opcode::MakeFun2 | Opcode::MakeFun3) {
            return Err((i, format!("{} without a fun index", ins.op.name())));
        }
        if let (Opcode::Line, Some(items)) = (ins.op, line_items) {
            match index_of(ins, Some(0)) {
                Some(n) if n < items as u64 => {}
                _ => {
                    return Err((
                        i,
                        format!("bad line index {:?} ({items} line items)", ins.args),
                    ))
                }
            }
        }
    }
    Ok(())
}

/// A string sink that stops the formatting (with an error) once `max` bytes are written.
struct Limited {
    s: String,
    max: usize,
}

impl std::fmt::Write for Limited {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.s.len() + s.len() > self.max {
            for c in s.chars() {
                if self.s.len() + c.len_utf8() > self.max {
                    break;
                }
                self.s.push(c);
            }
            return Err(std::fmt::Error);
        }
        self.s.push_str(s);
        Ok(())
    }
}

fn write_operand(out: &mut String, b: &BeamFile, op: &Operand) {
    match op {
        Operand::Unsigned(n) => {
            let _ = write!(out, "{n}");
        }
        Operand::Int(n) => {
            let _ = write!(out, "{{integer,{n}}}");
        }
        Operand::BigInt(n) => {
            let _ = write!(out, "{{integer,{n}}}");
        }
        Operand::Atom(a) => {
            out.push_str("{atom,");
            let _ = ext_term::write_atom(out, b.atom(*a));
            out.push('}');
        }
        Operand::Nil => out.push_str("nil"),
        Operand::X(n) => {
            let _ = write!(out, "{{x,{n}}}");
        }
        Operand::Y(n) => {
            let _ = write!(out, "{{y,{n}}}");
        }
        Operand::Label(n) => {
            let _ = write!(out, "{{f,{n}}}");
        }
        Operand::Char(c) => match char::from_u32(*c) {
            Some(ch) if !ch.is_control() => {
                let _ = write!(out, "{{char,${ch}}}");
            }
            _ => {
                let _ = write!(out, "{{char,{c}}}");
            }
        },
        Operand::Literal(i) => match b.literals.get(*i as usize) {
            Some(t) => {
                let mut lim = Limited {
                    s: String::new(),
                    max: 200,
                };
                let truncated = write!(lim, "{t}").is_err();
                let _ = write!(
                    out,
                    "{{literal,{}{}}}",
                    lim.s,
                    if truncated { "..." } else { "" }
                );
            }
            None => {
                let _ = write!(out, "{{literal,#{i}}}");
            }
        },
        Operand::List(items) => {
            out.push_str("{list,[");
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_operand(out, b, it);
            }
            out.push_str("]}");
        }
        Operand::FloatReg(n) => {
            let _ = write!(out, "{{fr,{n}}}");
        }
        Operand::AllocList(items) => {
            out.push_str("{alloc,[");
            for (i, (k, n)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let kind = match k {
                    0 => "words",
                    1 => "floats",
                    _ => "funs",
                };
                let _ = write!(out, "{{{kind},{n}}}");
            }
            out.push_str("]}");
        }
        Operand::TypedReg { reg, type_index } => {
            out.push_str("{tr,");
            write_operand(out, b, reg);
            let _ = write!(out, ",{type_index}}}");
        }
    }
}

/// A human-readable listing of the module, one instruction per line (for debugging).
pub fn disassemble(b: &BeamFile) -> String {
    let mut out = String::new();
    let mfa = |f: u32, a: u32| {
        let mut s = String::new();
        let _ = ext_term::write_atom(&mut s, b.atom(f));
        let _ = write!(s, "/{a}");
        s
    };
    let _ = writeln!(out, "module: {}", b.module);
    let _ = writeln!(
        out,
        "instruction set {}, max opcode {}, {} labels, {} functions, {} atoms, {} literals",
        b.instruction_set,
        b.max_opcode,
        b.label_count,
        b.function_count,
        b.atoms.len(),
        b.literals.len()
    );
    for (title, list) in [("exports", &b.exports), ("locals", &b.locals)] {
        let _ = writeln!(out, "{title}:");
        for e in list {
            let _ = writeln!(out, "    {} at label {}", mfa(e.function, e.arity), e.label);
        }
    }
    let _ = writeln!(out, "imports:");
    for (i, imp) in b.imports.iter().enumerate() {
        let _ = writeln!(
            out,
            "    {i}: {}:{}",
            b.atom(imp.module),
            mfa(imp.function, imp.arity)
        );
    }
    if !b.funs.is_empty() {
        let _ = writeln!(out, "funs:");
        for (i, f) in b.funs.iter().enumerate() {
            let _ = writeln!(
                out,
                "    {i}: {} at label {}, index {}, {} free",
                mfa(f.function, f.arity),
                f.label,
                f.index,
                f.num_free
            );
        }
    }
    let _ = writeln!(out, "code:");
    for ins in &b.code {
        if ins.op == Opcode::Label {
            out.push_str("  ");
        } else {
            out.push_str("    ");
        }
        out.push_str(ins.op.name());
        for a in &ins.args {
            out.push(' ');
            write_operand(&mut out, b, a);
        }
        if let Some(i) = import_operand(ins.op) {
            if let Some(Operand::Unsigned(n)) = ins.args.get(i) {
                if let Some(imp) = b.imports.get(*n as usize) {
                    let _ = write!(
                        out,
                        "    % {}:{}",
                        b.atom(imp.module),
                        mfa(imp.function, imp.arity)
                    );
                }
            }
        }
        if ins.op == Opcode::Line {
            if let Some(Operand::Unsigned(n)) = ins.args.first() {
                if let Some((file, line)) = u32::try_from(*n).ok().and_then(|n| b.location(n)) {
                    let _ = write!(out, "    % {file}:{line}");
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: &str, data: &[u8]) -> Vec<u8> {
        let mut v = id.as_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u32).to_be_bytes());
        v.extend_from_slice(data);
        while !v.len().is_multiple_of(4) {
            v.push(0);
        }
        v
    }

    fn form(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut v = b"FOR1".to_vec();
        v.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        v.extend_from_slice(b"BEAM");
        v.extend(body);
        v
    }

    fn be(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    fn atom_chunk_latin1(atoms: &[&[u8]]) -> Vec<u8> {
        let mut d = be(&[atoms.len() as u32]);
        for a in atoms {
            d.push(a.len() as u8);
            d.extend_from_slice(a);
        }
        chunk("Atom", &d)
    }

    /// `label 1; line 1; func_info m f 0; label 2; return; int_code_end`
    const CODE: &[u8] = &[1, 0x10, 153, 0x10, 2, 0x12, 0x22, 0x00, 1, 0x20, 19, 3];

    fn code_chunk(max_opcode: u32, labels: u32, code: &[u8]) -> Vec<u8> {
        let mut d = be(&[16, 0, max_opcode, labels, 1]);
        d.extend_from_slice(code);
        chunk("Code", &d)
    }

    fn line_chunk() -> Vec<u8> {
        // version 0, flags 0, 1 line instr, 2 items, 1 file name;
        // items: i10, a1, i20; file names: "inc.hrl"
        let mut d = be(&[0, 0, 1, 2, 1]);
        d.extend_from_slice(&[0xA1, 0x12, 0x09, 20]);
        d.extend_from_slice(&[0, 7]);
        d.extend_from_slice(b"inc.hrl");
        chunk("Line", &d)
    }

    fn sample(code: &[u8], max_opcode: u32) -> Vec<u8> {
        form(&[
            atom_chunk_latin1(&[b"m\xe9", b"f"]),
            code_chunk(max_opcode, 3, code),
            chunk("StrT", b"xyz"),
            chunk("ImpT", &be(&[1, 1, 2, 0])),
            chunk("ExpT", &be(&[1, 2, 0, 2])),
            chunk("FunT", &be(&[1, 2, 1, 2, 0, 0, 99])),
            line_chunk(),
            chunk("Dbgi", b"raw"),
        ])
    }

    #[test]
    fn synthetic_module() {
        let b = parse_beam("m.beam", &sample(CODE, 180)).unwrap();
        assert_eq!(b.module, "mé");
        assert_eq!(b.atoms, vec!["mé", "f"]);
        assert_eq!(b.atom(2), "f");
        assert_eq!(b.atom(0), "");
        assert_eq!(b.atom(3), "");
        assert_eq!(b.label_count, 3);
        assert_eq!(b.function_count, 1);
        assert_eq!(b.code.len(), 5);
        assert_eq!(b.code[2].op, Opcode::FuncInfo);
        assert_eq!(
            b.code[2].args,
            vec![Operand::Atom(1), Operand::Atom(2), Operand::Unsigned(0)]
        );
        assert_eq!(b.strings, b"xyz");
        assert_eq!(b.imports.len(), 1);
        assert_eq!(b.exports[0].label, 2);
        assert_eq!(b.funs[0].old_uniq, 99);
        let lines = b.lines.as_ref().unwrap();
        assert_eq!(lines.files, vec!["inc.hrl"]);
        assert_eq!(
            lines.items,
            vec![
                LineItem { file: 0, line: 0 },
                LineItem { file: 0, line: 10 },
                LineItem { file: 1, line: 20 }
            ]
        );
        assert_eq!(b.location(0), None);
        assert_eq!(b.location(1), Some(("mé.erl".to_string(), 10)));
        assert_eq!(b.location(2), Some(("inc.hrl".to_string(), 20)));
        assert_eq!(b.chunk("Dbgi"), Some(&b"raw"[..]));
        assert_eq!(b.chunks.len(), 8);
        assert!(b.literals.is_empty());
        assert!(b.attributes.is_none());
        let text = disassemble(&b);
        assert!(text.contains("func_info {atom,'mé'} {atom,f} 0"), "{text}");
        assert!(
            text.contains("% inc.hrl:20") || text.contains("% mé.erl:10"),
            "{text}"
        );
    }

    #[test]
    fn compact_atom_lengths() {
        // OTP 28 style: negated count, lengths as compact u operands.
        let mut d = (-2i32).to_be_bytes().to_vec();
        d.extend_from_slice(&[0x10, b'm', 0x10, b'f']);
        let bytes = form(&[chunk("AtU8", &d), code_chunk(180, 3, CODE)]);
        let b = parse_beam("m.beam", &bytes).unwrap();
        assert_eq!(b.atoms, vec!["m", "f"]);
    }

    fn err(bytes: &[u8]) -> LoadError {
        parse_beam("m.beam", bytes).unwrap_err()
    }

    #[test]
    fn errors_name_chunk_and_offset() {
        // Code chunk data starts at 12 (form header) + atom chunk (8 + 4 + 3 + 2 -> 20 padded)
        // + 8 (Code chunk header) = 40; the code proper starts after the 20-byte sub-header.
        let code_start = 12 + 20 + 8 + 20;
        let mut bad = CODE.to_vec();
        bad[10] = 181; // unknown opcode instead of `return`
        let e = err(&sample(&bad, 180));
        assert_eq!(e.chunk.as_deref(), Some("Code"));
        assert_eq!(e.offset, code_start + 10);
        assert!(e.message.contains("opcode 181"), "{e}");

        let mut bad = CODE.to_vec();
        bad[6] = 0x32; // atom 3 does not exist
        let e = err(&sample(&bad, 180));
        assert_eq!(e.offset, code_start + 6);
        assert!(e.message.contains("atom index 3"), "{e}");

        let mut bad = CODE.to_vec();
        bad[1] = 0x30; // label 3 with label_count 3 (reported at the instruction)
        let e = err(&sample(&bad, 180));
        assert_eq!(e.offset, code_start);

        let mut bad = CODE.to_vec();
        bad[9] = 0x10; // label 1 defined twice
        let e = err(&sample(&bad, 180));
        assert_eq!(e.offset, code_start + 8);
        assert!(e.message.contains("twice"), "{e}");

        // call_ext of a missing import: `label 1; call_ext 0 5; int_code_end`
        let bytes = form(&[
            atom_chunk_latin1(&[b"m", b"f"]),
            code_chunk(180, 2, &[1, 0x10, 7, 0x00, 0x50, 3]),
            chunk("ImpT", &be(&[1, 1, 2, 0])),
        ]);
        let e = err(&bytes);
        assert!(e.message.contains("import index 5"), "{e}");
        assert_eq!(e.offset, 12 + 16 + 8 + 20 + 2);

        // make_fun2 of a missing fun: `label 1; make_fun2 0; int_code_end`
        let bytes = form(&[
            atom_chunk_latin1(&[b"m", b"f"]),
            code_chunk(180, 2, &[1, 0x10, 103, 0x00, 3]),
        ]);
        assert!(err(&bytes).message.contains("fun index 0"));

        // line index beyond the line table (3 items)
        let mut bad = CODE.to_vec();
        bad[3] = 0x30;
        let e = err(&sample(&bad, 180));
        assert!(e.message.contains("line index"), "{e}");
        assert_eq!(e.offset, code_start + 2);

        // export of an undefined label
        let bytes = form(&[
            atom_chunk_latin1(&[b"m", b"f"]),
            code_chunk(180, 4, CODE),
            chunk("ExpT", &be(&[1, 2, 0, 3])),
        ]);
        assert!(err(&bytes).message.contains("undefined label 3"));

        // a jump to an undefined label: `label 1; jump f2; int_code_end`
        let bytes = form(&[
            atom_chunk_latin1(&[b"m"]),
            code_chunk(180, 3, &[1, 0x10, 61, 0x25, 3]),
        ]);
        let e = err(&bytes);
        assert!(e.message.contains("undefined label 2"), "{e}");
        assert_eq!(e.offset, 12 + 16 + 8 + 20 + 2);

        let e = err(&sample(CODE, 181));
        assert!(e.message.contains("181"), "{e}");

        // truncated code: no int_code_end
        let e = err(&sample(&CODE[..CODE.len() - 1], 180));
        assert_eq!(e.chunk.as_deref(), Some("Code"));

        // import referring to a missing atom
        let bytes = form(&[
            atom_chunk_latin1(&[b"m", b"f"]),
            code_chunk(180, 3, CODE),
            chunk("ImpT", &be(&[1, 1, 7, 0])),
        ]);
        let e = err(&bytes);
        assert_eq!(e.chunk.as_deref(), Some("ImpT"));
        assert!(
            e.to_string().starts_with("m.beam: chunk ImpT at offset "),
            "{e}"
        );

        // absurd counts
        let bytes = form(&[
            atom_chunk_latin1(&[b"m", b"f"]),
            code_chunk(180, 3, CODE),
            chunk("ExpT", &be(&[0x1000_0000])),
        ]);
        assert_eq!(err(&bytes).chunk.as_deref(), Some("ExpT"));
        let bytes = form(&[chunk("AtU8", &be(&[0x7FFF_FFFF])), code_chunk(180, 3, CODE)]);
        assert_eq!(err(&bytes).chunk.as_deref(), Some("AtU8"));
        let bytes = form(&[
            atom_chunk_latin1(&[b"m", b"f"]),
            code_chunk(180, 3, CODE),
            chunk("LitT", &be(&[0, 0xFFFF_FFFF])),
        ]);
        assert_eq!(err(&bytes).chunk.as_deref(), Some("LitT"));

        // missing chunks
        let e = err(&form(&[code_chunk(180, 3, CODE)]));
        assert!(e.message.contains("atom table"), "{e}");
        let e = err(&form(&[atom_chunk_latin1(&[b"m"])]));
        assert!(e.message.contains("Code"), "{e}");

        // chunk size beyond the end of the file
        let mut bytes = sample(CODE, 180);
        bytes[16..20].copy_from_slice(&1000u32.to_be_bytes());
        let e = err(&bytes);
        assert_eq!(e.chunk.as_deref(), Some("Atom"));
        assert_eq!(e.offset, 16);
    }

    #[test]
    fn literal_table_uncompressed_and_compressed() {
        use std::io::Write;
        let lit = [131u8, 104, 2, 97, 1, 100, 0, 1, b'a'];
        let mut table = be(&[1, lit.len() as u32]);
        table.extend_from_slice(&lit);
        // uncompressed
        let mut raw = be(&[0]);
        raw.extend_from_slice(&table);
        // compressed
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&table).unwrap();
        let mut comp = be(&[table.len() as u32]);
        comp.extend(z.finish().unwrap());
        // move {literal,0} {x,0}
        let code = [1, 0x10, 64, 0x47, 0x00, 0x03, 3];
        for litt in [raw, comp] {
            let bytes = form(&[
                atom_chunk_latin1(&[b"m"]),
                code_chunk(180, 2, &code),
                chunk("LitT", &litt),
            ]);
            let b = parse_beam("m.beam", &bytes).unwrap();
            assert_eq!(
                b.literals,
                vec![ExtTerm::Tuple(vec![
                    ExtTerm::Int(1),
                    ExtTerm::Atom("a".into())
                ])]
            );
            assert_eq!(b.code[1].args[0], Operand::Literal(0));
        }
        // literal index out of range
        let bytes = form(&[atom_chunk_latin1(&[b"m"]), code_chunk(180, 2, &code)]);
        assert!(err(&bytes).message.contains("literal index 0"));
    }
}
