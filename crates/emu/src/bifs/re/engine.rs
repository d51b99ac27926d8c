//! A safe layer over PCRE2 (the `pcre2-sys` bindings, PCRE2 10.42 built from source):
//! compiling with the reference's character tables and option set, matching with JIT
//! where it gives the same answer, the name table, and the reference's (PCRE 8.44)
//! compile error texts.

use pcre2_sys::*;
use std::cell::RefCell;
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// What a pattern is compiled with: PCRE2 option bits, and the newline and `\R`
/// conventions (0 for PCRE2's default; 7 and 3 for conflicting ones given together,
/// which fail to compile as with the reference).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CompileOpts {
    pub options: u32,
    pub newline: u32,
    pub bsr: u32,
}

/// The compile options `re` can set (anything else in a decoded pattern is refused).
pub const ALLOWED_COMPILE_OPTIONS: u32 = PCRE2_ANCHORED
    | PCRE2_CASELESS
    | PCRE2_DOLLAR_ENDONLY
    | PCRE2_DOTALL
    | PCRE2_EXTENDED
    | PCRE2_FIRSTLINE
    | PCRE2_MULTILINE
    | PCRE2_NO_AUTO_CAPTURE
    | PCRE2_DUPNAMES
    | PCRE2_UNGREEDY
    | PCRE2_UCP
    | PCRE2_NEVER_UTF
    | PCRE2_NO_START_OPTIMIZE
    | PCRE2_UTF;

/// Matches with a pattern before it is JIT compiled: compiling for the JIT costs more
/// than a few matches with a pattern used once gain from it.
const JIT_AFTER: u32 = 8;

/// A compiled pattern. PCRE2 code is read-only once compiled, so one `Code` serves every
/// scheduler thread at once; the JIT-compiled version is a separate copy, made once.
pub struct Code {
    raw: *mut pcre2_code_8,
    pub capture_count: u32,
    /// (name, group number) in the pattern's name-table order (sorted by name).
    pub names: Vec<(Box<[u8]>, u32)>,
    /// Names may repeat (the `dupnames` option, or `(?J)`).
    pub dupnames: bool,
    /// The newline convention in force (PCRE2_NEWLINE_*), after `(*CRLF)` and friends.
    pub newline: u32,
    /// The subject must be valid UTF-8 (the `unicode` option, or `(*UTF)`).
    pub utf: bool,
    /// JIT matching gives the interpreter's answers for this pattern (see `compile`).
    jit_ok: bool,
    /// Matches so far (counted until the JIT copy is made).
    uses: AtomicU32,
    /// The JIT-compiled copy (None if the JIT refused the pattern).
    jit: OnceLock<Option<Jit>>,
}

// SAFETY: the pcre2_code is never written after compile finished (the JIT compiles a
// copy, published through the OnceLock); PCRE2 documents concurrent matching with one
// code as safe.
unsafe impl Send for Code {}
// SAFETY: as above.
unsafe impl Sync for Code {}

/// A JIT-compiled copy of a pattern's code.
struct Jit(*mut pcre2_code_8);

// SAFETY: as for `Code`: read-only once made.
unsafe impl Send for Jit {}
// SAFETY: as above.
unsafe impl Sync for Jit {}

impl Drop for Jit {
    fn drop(&mut self) {
        // SAFETY: the copy came from pcre2_code_copy and is freed once, here.
        unsafe { pcre2_code_free_8(self.0) }
    }
}

impl Code {
    /// The JIT-compiled code to match with, once the pattern has been used enough.
    fn jit_code(&self) -> Option<*const pcre2_code_8> {
        if !self.jit_ok {
            return None;
        }
        if let Some(j) = self.jit.get() {
            return j.as_ref().map(|j| j.0 as *const _);
        }
        if self.uses.fetch_add(1, Ordering::Relaxed) < JIT_AFTER {
            return None;
        }
        self.jit
            .get_or_init(|| {
                // SAFETY: `raw` is live and only read by the copy; the copy is ours until
                // published.
                unsafe {
                    let copy = pcre2_code_copy_8(self.raw);
                    if copy.is_null() {
                        return None;
                    }
                    if pcre2_jit_compile_8(copy, PCRE2_JIT_COMPLETE) != 0 {
                        pcre2_code_free_8(copy);
                        return None;
                    }
                    Some(Jit(copy))
                }
            })
            .as_ref()
            .map(|j| j.0 as *const _)
    }
}

impl Drop for Code {
    fn drop(&mut self) {
        // SAFETY: `raw` came from pcre2_compile and is freed once, here.
        unsafe { pcre2_code_free_8(self.raw) }
    }
}

/// The character tables of the reference: its PCRE classifies bytes 128-255 as
/// ISO 8859-1 (Latin-1) does, so `\w` and `[[:alpha:]]` match `é` and caseless `É`
/// matches `é` without the `unicode` option. Same layout as `pcre2_maketables`.
fn tables() -> *const u8 {
    static T: OnceLock<Box<[u8]>> = OnceLock::new();
    T.get_or_init(|| {
        let lower = |c: u8| {
            c.is_ascii_lowercase()
                || matches!(c, 0xAA | 0xB5 | 0xBA)
                || (0xDF..=0xFF).contains(&c) && c != 0xF7
        };
        let upper = |c: u8| c.is_ascii_uppercase() || (0xC0..=0xDE).contains(&c) && c != 0xD7;
        let alpha = |c: u8| lower(c) || upper(c);
        let digit = |c: u8| c.is_ascii_digit();
        let alnum = |c: u8| alpha(c) || digit(c);
        let space = |c: u8| matches!(c, 9..=13 | 32);
        let xdigit = |c: u8| c.is_ascii_hexdigit();
        let graph = |c: u8| (33..=126).contains(&c) || c >= 160;
        let print = |c: u8| (32..=126).contains(&c) || c >= 160;
        let punct = |c: u8| graph(c) && !alnum(c);
        let cntrl = |c: u8| c < 32 || (127..160).contains(&c);
        let tolower = |c: u8| if upper(c) { c + 32 } else { c };
        let toupper = |c: u8| {
            if c.is_ascii_lowercase() || (0xE0..=0xFE).contains(&c) && c != 0xF7 {
                c - 32
            } else {
                c
            }
        };
        let mut t = vec![0u8; 256 * 2 + 320 + 256];
        for i in 0..256usize {
            let c = i as u8;
            t[i] = tolower(c);
            t[256 + i] = if lower(c) { toupper(c) } else { tolower(c) };
            let bits = &mut t[512..512 + 320];
            let mut set = |base: usize, yes: bool| {
                if yes {
                    bits[base + i / 8] |= 1 << (i & 7);
                }
            };
            set(0, space(c));
            set(32, xdigit(c));
            set(64, digit(c));
            set(96, upper(c));
            set(128, lower(c));
            set(160, alnum(c) || c == b'_');
            set(192, graph(c));
            set(224, print(c));
            set(256, punct(c));
            set(288, cntrl(c));
            let mut x = 0;
            if space(c) {
                x |= 0x01;
            }
            if alpha(c) {
                x |= 0x02;
            }
            if lower(c) {
                x |= 0x04;
            }
            if digit(c) {
                x |= 0x08;
            }
            if alnum(c) || c == b'_' {
                x |= 0x10;
            }
            t[832 + i] = x;
        }
        t.into_boxed_slice()
    })
    .as_ptr()
}

/// A pointer to `s`'s bytes that PCRE2 may do arithmetic on: an empty slice's pointer
/// can be dangling (0x1), and PCRE2 computes `end - n` before comparing, which must not
/// wrap around.
fn nonempty_ptr(s: &[u8]) -> *const u8 {
    static EMPTY: [u8; 16] = [0; 16];
    if s.is_empty() {
        EMPTY[8..].as_ptr()
    } else {
        s.as_ptr()
    }
}

/// A compile error as the reference reports it: PCRE 8.44's message and offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub text: String,
    pub offset: usize,
}

fn info_u32(raw: *const pcre2_code_8, what: u32) -> u32 {
    let mut v: u32 = 0;
    // SAFETY: `raw` is a live compiled pattern; these items write a uint32_t.
    unsafe { pcre2_pattern_info_8(raw, what, &mut v as *mut u32 as *mut CVoid) };
    v
}

type CVoid = std::ffi::c_void;

/// Compiles `pattern` as the reference's PCRE would. Three things PCRE2 refuses are
/// rewritten and the pattern compiled again: a range that starts with a class, such as
/// `[\w-.]` (PCRE 8.44 takes the `-` literally: it is escaped), `\8` or `\9` with
/// fewer groups, and escapes like `\A` or `\R` inside a class (literal characters for
/// PCRE 8.44: the backslash goes). Errors get PCRE 8.44's message and offset.
pub fn compile(pattern: &[u8], o: CompileOpts) -> Result<Code, CompileError> {
    if o.newline > PCRE2_NEWLINE_ANYCRLF || o.bsr > PCRE2_BSR_ANYCRLF {
        return Err(CompileError {
            text: "inconsistent NEWLINE options".to_string(),
            offset: 0,
        });
    }
    let newer = newer_group_syntax(pattern);
    let reject_newer = |r: Result<Code, CompileError>| match (newer, r) {
        (Some(at), Ok(_)) => Err(CompileError {
            text: pcre1_text(111).to_string(),
            offset: at,
        }),
        (Some(at), Err(e)) if e.offset > at => Err(CompileError {
            text: pcre1_text(111).to_string(),
            offset: at,
        }),
        (_, r) => r,
    };
    reject_newer(compile_compat(pattern, o))
}

/// Where `p` first uses group syntax PCRE2 has and PCRE 8.44 refuses ("unrecognized
/// character after (? or (?-" there): `(?*` (non-atomic lookahead), and the option
/// letters `^` and `n`. Escapes, `\Q...\E` and classes are skipped.
fn newer_group_syntax(p: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'\\' if p.get(i + 1) == Some(&b'Q') => {
                i += 2;
                while i < p.len() && !(p[i] == b'\\' && p.get(i + 1) == Some(&b'E')) {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' => {
                i += 1;
                if p.get(i) == Some(&b'^') {
                    i += 1;
                }
                if p.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < p.len() && p[i] != b']' {
                    if p[i] == b'\\' {
                        i += 1;
                    } else if p[i] == b'[' && p.get(i + 1) == Some(&b':') {
                        if let Some(k) = p[i + 2..].windows(2).position(|w| w == b":]") {
                            i += k + 3;
                        }
                    }
                    i += 1;
                }
            }
            b'(' if p.get(i + 1) == Some(&b'?') => {
                let mut j = i + 2;
                if p.get(j) == Some(&b'*') {
                    return Some(j);
                }
                while j < p.len() && b"imsxJUX-".contains(&p[j]) {
                    j += 1;
                }
                if matches!(p.get(j), Some(b'^' | b'n')) {
                    return Some(j);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// [`compile`] without the check for newer group syntax.
fn compile_compat(pattern: &[u8], o: CompileOpts) -> Result<Code, CompileError> {
    let mut pat = std::borrow::Cow::Borrowed(pattern);
    // The edits so far: (position in `pat`, +1 for a byte inserted, -1 for one removed).
    let mut edits: Vec<(usize, isize)> = Vec::new();
    // A back reference by number to a group that does not exist: PCRE 8.44 finds those
    // only at the end of the pattern (after any other error), PCRE2 in pattern order.
    let mut deferred: Option<CompileError> = None;
    // An unmatched `)`: PCRE2 finds it before checking references, PCRE 8.44 in pattern
    // order. The `)` is escaped to look for an earlier error.
    let mut unmatched: Option<CompileError> = None;
    loop {
        let err = match compile_raw(&pat, o) {
            Ok(c) => {
                return match unmatched.or(deferred) {
                    Some(e) => Err(e),
                    None => Ok(c),
                }
            }
            Err(e) => e,
        };
        let (code, off) = err;
        let original = |edits: &[(usize, isize)], off: usize| {
            let shift: isize = edits
                .iter()
                .filter(|&&(i, _)| i < off)
                .map(|&(_, d)| d)
                .sum();
            (off as isize - shift).max(0) as usize
        };
        let odd_backslashes =
            |p: &[u8], i: usize| p[..i].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1;
        if edits.len() < 4096 {
            if code == 122 && pat.get(off) == Some(&b')') {
                if unmatched.is_none() {
                    unmatched = Some(pcre1_error(code, original(&edits, off), pattern));
                }
                pat.to_mut().insert(off, b'\\');
                edits.push((off, 1));
                continue;
            }
            if code == 150 && pat.get(off) == Some(&b'-') {
                pat.to_mut().insert(off, b'\\');
                edits.push((off, 1));
                continue;
            }
            if code == 107
                && pat.get(off).is_some_and(|c| c.is_ascii_alphabetic())
                && odd_backslashes(&pat, off)
            {
                pat.to_mut().remove(off - 1);
                edits.push((off - 1, -1));
                continue;
            }
            // PCRE2 points at the last digit of the reference.
            let end = (off + 1).min(pat.len());
            let digits = pat[..end]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let d = end - digits;
            if code == 115
                && digits > 0
                && matches!(pat[d], b'8' | b'9')
                && odd_backslashes(&pat, d)
            {
                pat.to_mut().remove(d - 1);
                edits.push((d - 1, -1));
                continue;
            }
            if code == 115 && digits > 0 && odd_backslashes(&pat, d) {
                // Compile on with an empty group in its place, to find other errors.
                deferred.get_or_insert(CompileError {
                    text: pcre1_text(115).to_string(),
                    offset: pattern.len(),
                });
                pat.to_mut()
                    .splice(d - 1..d + digits, b"(?:)".iter().copied());
                edits.push((d - 1, 3 - digits as isize));
                continue;
            }
        }
        let e = pcre1_error(code, original(&edits, off), pattern);
        return Err(match unmatched {
            Some(u) if u.offset <= e.offset => u,
            _ => e,
        });
    }
}

/// The position of the first `\N{` in `p` (outside `\Q...\E`), if any.
fn find_n_brace(p: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 1 < p.len() {
        if p[i] == b'\\' {
            match p[i + 1] {
                b'Q' => {
                    i += 2;
                    while i + 1 < p.len() && !(p[i] == b'\\' && p[i + 1] == b'E') {
                        i += 1;
                    }
                }
                b'N' if p.get(i + 2) == Some(&b'{') => return Some(i + 1),
                _ => {}
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

/// Whether `p` may have a possessive quantifier on a group: a `)` followed by `*+`,
/// `++`, `?+` or `{...}+` (a textual over-approximation).
fn possessive_group(p: &[u8]) -> bool {
    p.iter().enumerate().any(|(i, &c)| {
        if c != b')' {
            return false;
        }
        match p.get(i + 1) {
            Some(b'*' | b'+' | b'?') => p.get(i + 2) == Some(&b'+'),
            Some(b'{') => p[i + 1..]
                .iter()
                .position(|&c| c == b'}')
                .is_some_and(|k| p.get(i + 1 + k + 1) == Some(&b'+')),
            _ => false,
        }
    })
}

/// Compiles `pattern` with PCRE2: the code, or PCRE2's error code and offset.
fn compile_raw(pattern: &[u8], o: CompileOpts) -> Result<Code, (i32, usize)> {
    let mut errcode: i32 = 0;
    let mut erroffset: usize = 0;
    // SAFETY: a fresh compile context (default allocator) used only here and freed below;
    // the tables live for the whole program; `pattern` is valid for its length.
    let raw = unsafe {
        let ctx = pcre2_compile_context_create_8(ptr::null_mut());
        if ctx.is_null() {
            return Err((121, 0));
        }
        pcre2_set_character_tables_8(ctx, tables());
        // The reference's PCRE 8.44 allowed \K in lookarounds; PCRE2 10.38+ needs this.
        pcre2_set_compile_extra_options_8(ctx, PCRE2_EXTRA_ALLOW_LOOKAROUND_BSK);
        // The reference nests groups deeper than PCRE2's default of 250.
        pcre2_set_parens_nest_limit_8(ctx, 1000);
        if o.newline != 0 {
            pcre2_set_newline_8(ctx, o.newline);
        }
        if o.bsr != 0 {
            pcre2_set_bsr_8(ctx, o.bsr);
        }
        let raw = pcre2_compile_8(
            nonempty_ptr(pattern),
            pattern.len(),
            o.options,
            &mut errcode,
            &mut erroffset,
            ctx,
        );
        pcre2_compile_context_free_8(ctx);
        raw
    };
    if raw.is_null() {
        return Err((errcode, erroffset));
    }
    let capture_count = info_u32(raw, PCRE2_INFO_CAPTURECOUNT);
    let newline = info_u32(raw, PCRE2_INFO_NEWLINE);
    let all = info_u32(raw, PCRE2_INFO_ALLOPTIONS);
    let count = info_u32(raw, PCRE2_INFO_NAMECOUNT) as usize;
    let mut names = Vec::with_capacity(count);
    if count > 0 {
        let entry = info_u32(raw, PCRE2_INFO_NAMEENTRYSIZE) as usize;
        let mut table: *const u8 = ptr::null();
        // SAFETY: NAMETABLE writes a pointer to `count` entries of `entry` bytes each:
        // a big-endian group number, then the NUL-terminated name.
        unsafe {
            pcre2_pattern_info_8(
                raw,
                PCRE2_INFO_NAMETABLE,
                &mut table as *mut *const u8 as *mut CVoid,
            );
            let all = std::slice::from_raw_parts(table, count * entry);
            for e in all.chunks_exact(entry) {
                let n = (e[0] as u32) << 8 | e[1] as u32;
                let name = &e[2..];
                let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
                names.push((name[..end].into(), n));
            }
        }
    }
    let dupnames = all & PCRE2_DUPNAMES != 0;
    let utf = all & PCRE2_UTF != 0;
    if utf {
        // PCRE 8.44 had no `\N{U+hhhh}` (PCRE2 has it in UTF mode only).
        if let Some(at) = find_n_brace(pattern) {
            // SAFETY: `raw` came from pcre2_compile and is not used after this.
            unsafe { pcre2_code_free_8(raw) };
            return Err((137, at + 1));
        }
    }
    if utf {
        let mut map: *mut u8 = ptr::null_mut();
        // SAFETY: FIRSTBITMAP writes a pointer to the 32-byte start bitmap inside the
        // code, or null. The code was just made and is not shared yet, and the bitmap is
        // in its heap block, so it may be written before the JIT compile reads it.
        //
        // PCRE2 (up to 10.46 at least) fills the bitmap for `\w`-like types in UTF-8 mode
        // from the wrong table row for characters 128-255, harmless with its default
        // ASCII tables but not with the reference's Latin-1 ones: `\w` would never find an
        // unanchored `é`. Allowing the lead bytes of U+0080-U+00FF (0xC2, 0xC3) as start
        // bytes is always safe (the bitmap only filters start positions).
        unsafe {
            pcre2_pattern_info_8(
                raw,
                PCRE2_INFO_FIRSTBITMAP,
                &mut map as *mut *mut u8 as *mut CVoid,
            );
            if !map.is_null() {
                *map.add(0xC2 / 8) |= 1 << (0xC2 % 8);
                *map.add(0xC3 / 8) |= 1 << (0xC3 % 8);
            }
        }
    }
    // JIT only where it gives the interpreter's answers. Not in UTF-8 mode: there PCRE2's
    // JIT treats characters 128-255 as the Latin-1 tables say in places where its
    // interpreter (and the reference's PCRE) only look the tables up below 128 (`\w+`
    // against `é`, say). Not with a possessive quantifier on a group: `(b)*+` keeps
    // the group's capture from an earlier, failed start position (PCRE2 10.42 JIT).
    let jit_ok = !utf && !possessive_group(pattern);
    Ok(Code {
        raw,
        capture_count,
        names,
        dupnames,
        newline,
        utf,
        jit_ok,
        uses: AtomicU32::new(0),
        jit: OnceLock::new(),
    })
}

/// Why a match did not succeed (beyond "no match").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchFail {
    NoMatch,
    MatchLimit,
    DepthLimit,
    /// Anything else (bad offset, ...): the caller raises badarg.
    Other,
}

/// Per-thread match state: a match-data block (its ovector) and the JIT stack.
struct State {
    md: *mut pcre2_match_data_8,
    pairs: u32,
    jit_ctx: *mut pcre2_match_context_8,
    jit_stack: *mut pcre2_jit_stack_8,
    limit_ctx: *mut pcre2_match_context_8,
}

impl Drop for State {
    fn drop(&mut self) {
        // SAFETY: each pointer is null or owned by this state, freed once.
        unsafe {
            if !self.md.is_null() {
                pcre2_match_data_free_8(self.md);
            }
            if !self.jit_ctx.is_null() {
                pcre2_match_context_free_8(self.jit_ctx);
            }
            if !self.jit_stack.is_null() {
                pcre2_jit_stack_free_8(self.jit_stack);
            }
            if !self.limit_ctx.is_null() {
                pcre2_match_context_free_8(self.limit_ctx);
            }
        }
    }
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State {
        md: ptr::null_mut(),
        pairs: 0,
        jit_ctx: ptr::null_mut(),
        jit_stack: ptr::null_mut(),
        limit_ctx: ptr::null_mut(),
    }) };
}

/// Limits given with `match_limit` / `match_limit_recursion`.
#[derive(Clone, Copy, Default)]
pub struct Limits {
    pub match_limit: Option<u32>,
    pub depth_limit: Option<u32>,
}

/// Matches `code` against `subject` from `offset` with the PCRE2 match `options`. The
/// subject must already be known valid UTF-8 when the code is UTF (the match never
/// checks it). On success `ov` holds `rc` (start, end) pairs, unset ones as
/// `(usize::MAX, usize::MAX)`, and the result is `rc` (1 + the highest group set).
pub fn run(
    code: &Code,
    subject: &[u8],
    offset: usize,
    options: u32,
    limits: Limits,
    ov: &mut Vec<(usize, usize)>,
) -> Result<usize, MatchFail> {
    if offset > subject.len() {
        return Err(MatchFail::Other);
    }
    let options = if code.utf {
        options | PCRE2_NO_UTF_CHECK
    } else {
        options
    };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let need = code.capture_count + 1;
        // SAFETY: all pointers are created here (default allocators) and owned by the
        // thread's state; `code.raw` is live; `subject` is valid for its length (PCRE2
        // reads nothing past it); the ovector has `pairs` pairs.
        unsafe {
            if s.pairs < need {
                if !s.md.is_null() {
                    pcre2_match_data_free_8(s.md);
                }
                let pairs = need.max(16);
                s.md = pcre2_match_data_create_8(pairs, ptr::null_mut());
                if s.md.is_null() {
                    s.pairs = 0;
                    return Err(MatchFail::Other);
                }
                s.pairs = pairs;
            }
            let subj = nonempty_ptr(subject);
            let limited = limits.match_limit.is_some() || limits.depth_limit.is_some();
            let mut rc;
            let jit = if limited { None } else { code.jit_code() };
            if let Some(jit) = jit {
                if s.jit_ctx.is_null() {
                    s.jit_ctx = pcre2_match_context_create_8(ptr::null_mut());
                    s.jit_stack =
                        pcre2_jit_stack_create_8(32 * 1024, 8 * 1024 * 1024, ptr::null_mut());
                    if !s.jit_ctx.is_null() && !s.jit_stack.is_null() {
                        pcre2_jit_stack_assign_8(s.jit_ctx, None, s.jit_stack as *mut CVoid);
                    }
                }
                rc = pcre2_match_8(jit, subj, subject.len(), offset, options, s.md, s.jit_ctx);
                if rc == PCRE2_ERROR_JIT_STACKLIMIT {
                    rc = pcre2_match_8(
                        code.raw,
                        subj,
                        subject.len(),
                        offset,
                        options | PCRE2_NO_JIT,
                        s.md,
                        ptr::null_mut(),
                    );
                }
            } else {
                let mut ctx = ptr::null_mut();
                if limited {
                    if s.limit_ctx.is_null() {
                        s.limit_ctx = pcre2_match_context_create_8(ptr::null_mut());
                    }
                    ctx = s.limit_ctx;
                    if !ctx.is_null() {
                        pcre2_set_match_limit_8(ctx, limits.match_limit.unwrap_or(10_000_000));
                        pcre2_set_depth_limit_8(ctx, limits.depth_limit.unwrap_or(10_000_000));
                    }
                }
                rc = pcre2_match_8(
                    code.raw,
                    subj,
                    subject.len(),
                    offset,
                    options | PCRE2_NO_JIT,
                    s.md,
                    ctx,
                );
            }
            if rc > 0 {
                let p = pcre2_get_ovector_pointer_8(s.md);
                let v = std::slice::from_raw_parts(p, rc as usize * 2);
                ov.clear();
                ov.extend(v.chunks_exact(2).map(|c| (c[0], c[1])));
                return Ok(rc as usize);
            }
            Err(match rc {
                PCRE2_ERROR_NOMATCH | PCRE2_ERROR_RECURSELOOP => MatchFail::NoMatch,
                PCRE2_ERROR_MATCHLIMIT => MatchFail::MatchLimit,
                PCRE2_ERROR_DEPTHLIMIT | PCRE2_ERROR_HEAPLIMIT => MatchFail::DepthLimit,
                _ => MatchFail::Other,
            })
        }
    })
}

/// PCRE 8.44's message for a PCRE2 compile error code ("" where it has none).
fn pcre1_text(code: i32) -> &'static str {
    match code - 100 {
        1 => "\\ at end of pattern",
        2 => "\\c at end of pattern",
        3 => "unrecognized character follows \\",
        4 => "numbers out of order in {} quantifier",
        5 => "number too big in {} quantifier",
        6 => "missing terminating ] for character class",
        7 => "invalid escape sequence in character class",
        8 => "range out of order in character class",
        9 => "nothing to repeat",
        10 => "internal error: unexpected repeat",
        11 => "unrecognized character after (? or (?-",
        12 => "POSIX named classes are supported only within a class",
        13 => "POSIX collating elements are not supported",
        14 => "missing )",
        15 => "reference to non-existent subpattern",
        18 => "missing ) after comment",
        19 => "parentheses are too deeply nested",
        20 => "regular expression is too large",
        21 => "failed to get memory",
        22 => "unmatched parentheses",
        23 => "internal error: code overflow",
        24 => "malformed number or name after (?(",
        25 => "lookbehind assertion is not fixed length",
        26 => "a numbered reference must not be zero",
        27 => "conditional group contains more than two branches",
        28 => "assertion expected after (?( or (?(?C)",
        29 => "digit expected after (?+",
        30 => "unknown POSIX class name",
        32 => "this version of PCRE is compiled without UTF support",
        33 => "parentheses are too deeply nested (stack check)",
        34 => "character value in \\x{} or \\o{} is too large",
        35 => "lookbehind assertion is not fixed length",
        36 => "\\C not allowed in lookbehind assertion",
        37 => "PCRE does not support \\L, \\l, \\N{name}, \\U, or \\u",
        38 => "number after (?C is > 255",
        39 => "closing ) for (?C expected",
        41 => "unrecognized character after (?P",
        42 => "syntax error in subpattern name (missing terminator)",
        43 => "two named subpatterns have the same name",
        44 => "group name must start with a non-digit",
        45 => "support for \\P, \\p, and \\X has not been compiled",
        46 => "malformed \\P or \\p sequence",
        47 => "unknown property name after \\P or \\p",
        48 => "subpattern name is too long (maximum 32 characters)",
        49 => "too many named subpatterns (maximum 10000)",
        50 => "invalid range in character class",
        51 => "octal value is greater than \\377 in 8-bit non-UTF-8 mode",
        52 => "internal error: overran compiling workspace",
        53 => "internal error: previously-checked referenced subpattern not found",
        54 => "DEFINE group contains more than one branch",
        55 => "missing opening brace after \\o",
        57 => "\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number",
        58 => "(?R or (?[+-]digits must be followed by )",
        60 => "(*VERB) not recognized or malformed",
        61 => "number is too big",
        62 => "subpattern name expected",
        64 => "non-octal character in \\o{} (closing brace missing?)",
        65 => "different names for subpatterns of the same number are not allowed",
        66 => "(*MARK) must have an argument",
        67 => "non-hex character in \\x{} (closing brace missing?)",
        68 => "\\c must be followed by an ASCII character",
        69 => "\\k is not followed by a braced, angle-bracketed, or quoted name",
        71 => "\\N is not supported in a class",
        73 => "disallowed Unicode code point (>= 0xd800 && <= 0xdfff)",
        74 => "setting UTF is disabled by the application",
        76 => "name is too long in (*MARK), (*PRUNE), (*SKIP), or (*THEN)",
        77 => "character value in \\u.... sequence is too large",
        78 => "digits missing in \\x{} or \\o{}",
        84 => "parentheses are too deeply nested",
        81 => "closing ) for (?C expected",
        86 => "regular expression is too complicated",
        95 => "(*VERB) not recognized or malformed",
        93 => "PCRE does not support \\L, \\l, \\N{name}, \\U, or \\u",
        _ => "",
    }
}

/// Whether `c` can be part of a group name.
fn name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The index of the `)` closing the group that opens at `start`, skipping escapes,
/// `\Q...\E`, character classes and `(?#...)` comments.
fn closing_paren(p: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < p.len() {
        match p[i] {
            b'\\' => {
                if p.get(i + 1) == Some(&b'Q') {
                    i += 2;
                    while i < p.len() && !(p[i] == b'\\' && p.get(i + 1) == Some(&b'E')) {
                        i += 1;
                    }
                }
                i += 2;
                continue;
            }
            b'[' => {
                i += 1;
                if p.get(i) == Some(&b'^') {
                    i += 1;
                }
                if p.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < p.len() && p[i] != b']' {
                    if p[i] == b'\\' {
                        i += 1;
                    } else if p[i] == b'[' && p.get(i + 1) == Some(&b':') {
                        if let Some(k) = p[i + 2..].windows(2).position(|w| w == b":]") {
                            i += k + 3;
                        }
                    }
                    i += 1;
                }
            }
            b'(' if p[i..].starts_with(b"(?#") => {
                while i < p.len() && p[i] != b')' {
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// PCRE 8.44's message and offset for PCRE2's error `code` at `off` in `p`: the
/// messages are the old ones, and for the errors whose position PCRE2 reports
/// differently, the old position is worked out from the pattern.
fn pcre1_error(code: i32, off: usize, p: &[u8]) -> CompileError {
    let n = p.len();
    let off = off.min(n);
    let at = |i: usize| p.get(i).copied().unwrap_or(0);
    let before = |s: &[u8]| p[..off].ends_with(s);
    let mut text = pcre1_text(code);
    if (PCRE2_ERROR_UTF8_ERR21..=PCRE2_ERROR_UTF8_ERR1).contains(&code) {
        text = "invalid UTF-8 string";
    }
    let offset = match code {
        // A reference to a group that does not exist.
        115 => {
            let in_condition = p[..(off + 1).min(n)]
                .windows(3)
                .rposition(|w| w == b"(?(")
                .is_some_and(|s| !p[(s + 3).min(off)..off].contains(&b')'));
            if in_condition {
                // After the condition's `)`.
                p[off..]
                    .iter()
                    .position(|&c| c == b')')
                    .map_or(n, |k| off + k + 1)
            } else if at(off) == b'{' && before(b"\\g") {
                p[off..]
                    .iter()
                    .position(|&c| c == b'}')
                    .map_or(n, |k| off + k)
            } else if at(off).is_ascii_digit() && before(b"\\") {
                // A numbered back reference: checked at the end of the pattern.
                n
            } else if name_char(at(off)) {
                off + p[off..].iter().take_while(|&&c| name_char(c)).count()
            } else {
                off
            }
        }
        // Lookbehind not of fixed length, DEFINE with two branches: at the group's `)`.
        125 => closing_paren(p, off).unwrap_or(off),
        154 => closing_paren(p, off.saturating_sub(3)).unwrap_or(off),
        137 | 143 | 150 | 151 | 165 | 169 | 171 | 193 => off.saturating_sub(1),
        147 if off >= 1 && at(off - 1) == b'}' => off - 1,
        128 | 129 => off + 1,
        174 => 0,
        114 if off == n => {
            // An unterminated `(?` or `(?i`: the old message is about the `(?`.
            match p.windows(2).rposition(|w| w == b"(?") {
                _ if p.ends_with(b"(?(") => {
                    text = "assertion expected after (?( or (?(?C)";
                    off
                }
                Some(s) if p.get(s + 2) == Some(&b'*') => {
                    // PCRE2's `(?*` (non-atomic lookahead) is unknown to PCRE 8.44.
                    text = "unrecognized character after (? or (?-";
                    s + 2
                }
                Some(s) if p[s + 2..].iter().all(|c| b"imsxJUX-".contains(c)) => {
                    text = "unrecognized character after (? or (?-";
                    off
                }
                _ => off,
            }
        }
        162 if off == n && before(b"(?'") => {
            text = "syntax error in subpattern name (missing terminator)";
            off
        }
        142 if p[..off]
            .windows(3)
            .rposition(|w| w == b"(?(")
            .is_some_and(|s| p[s + 3..off].iter().all(|&c| name_char(c))) =>
        {
            text = "malformed number or name after (?(";
            off
        }
        162 if before(b"(?(") && matches!(at(off), b'+' | b'-') => {
            text = "malformed number or name after (?(";
            off + 1
        }
        162 if before(b"(?(") => {
            text = "assertion expected after (?( or (?(?C)";
            off
        }
        162 if before(b"(?<") => {
            text = "unrecognized character after (?<";
            off
        }
        // `(*` not starting a verb: for PCRE 8.44 a group starting with a quantifier.
        160 if before(b"(*") && !at(off).is_ascii_alphabetic() && at(off) != b':' => {
            text = "nothing to repeat";
            off - 1
        }
        157 if off == n && before(b"\\g") => {
            text = "a numbered reference must not be zero";
            off - 1
        }
        _ => off,
    };
    CompileError {
        text: if text.is_empty() {
            pcre2_message(code)
        } else {
            text.to_string()
        },
        offset,
    }
}

/// PCRE2's own message for an error code.
fn pcre2_message(code: i32) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is writable for its length; PCRE2 NUL-terminates within it.
    let n = unsafe { pcre2_get_error_message_8(code, buf.as_mut_ptr(), buf.len()) };
    if n < 0 {
        return format!("Unknown error ({code})");
    }
    String::from_utf8_lossy(&buf[..n as usize]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_matches() {
        let c = compile(b"(a)(?<n>b)?", CompileOpts::default()).unwrap();
        assert_eq!(c.capture_count, 2);
        assert_eq!(c.names.len(), 1);
        let mut ov = Vec::new();
        assert_eq!(run(&c, b"xa", 0, 0, Limits::default(), &mut ov), Ok(2));
        assert_eq!(ov, vec![(1, 2), (1, 2)]);
        assert_eq!(
            run(&c, b"xx", 0, 0, Limits::default(), &mut ov),
            Err(MatchFail::NoMatch)
        );
        let e = compile(b"(", CompileOpts::default()).err().unwrap();
        assert_eq!(e.text, "missing )");
        let e = compile(b"(?<=a+)b", CompileOpts::default()).err().unwrap();
        assert_eq!(e.offset, 6);
        assert!(compile(b"[\\w-.]", CompileOpts::default()).is_ok());
    }

    /// Random patterns from regex-heavy bytes: compiling (errors included) and matching
    /// never panic.
    #[test]
    fn random_patterns_do_not_panic() {
        let alphabet = b"()[]{}?*+|^$.\\-:<>=!'PRCKkgQEx0189,aAbwdsN#&pu";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut ov = Vec::new();
        for _ in 0..20000 {
            let len = (next() % 12) as usize;
            let p: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let options = match next() % 4 {
                0 => 0,
                1 => PCRE2_UTF,
                2 => PCRE2_EXTENDED | PCRE2_CASELESS,
                _ => PCRE2_DUPNAMES | PCRE2_MULTILINE,
            };
            let o = CompileOpts {
                options,
                newline: (next() % 8) as u32,
                bsr: (next() % 4) as u32,
            };
            if let Ok(c) = compile(&p, o) {
                for subject in [&b""[..], b"abc(x)[y]", b"aaaaab\r\n12"] {
                    let _ = run(&c, subject, 0, 0, Limits::default(), &mut ov);
                }
            }
        }
    }

    #[test]
    fn latin1_tables() {
        let c = compile(b"^\\w$", CompileOpts::default()).unwrap();
        let mut ov = Vec::new();
        assert!(run(&c, &[0xE9], 0, 0, Limits::default(), &mut ov).is_ok());
        assert!(run(&c, &[0xF7], 0, 0, Limits::default(), &mut ov).is_err());
        let c = compile(
            &[0xC9],
            CompileOpts {
                options: PCRE2_CASELESS,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(run(&c, &[0xE9], 0, 0, Limits::default(), &mut ov).is_ok());
    }
}
