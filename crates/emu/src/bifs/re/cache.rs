//! Compiled patterns by their source: the binary inside `{re_pattern, ...}` is our own
//! encoding of (options, newline, bsr, pattern text), so any process — after a copy,
//! `term_to_binary` or a restart of the VM — can find the PCRE2 code for it here, or
//! recompile it. A per-thread map in front of a global one keeps the common lookup free
//! of shared atomics.

use super::engine::{self, Code, CompileError, CompileOpts};
use parking_lot::RwLock;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

/// Tag and format version at the start of an encoded pattern.
const MAGIC: &[u8; 5] = b"OXRE\x01";
/// MAGIC, options (u32 LE), newline, bsr.
pub const HEADER_LEN: usize = MAGIC.len() + 4 + 2;

/// Entries kept per thread and globally before the map is emptied (patterns are
/// recompiled from their encoding on the next use, so dropping them is always safe).
const LOCAL_MAX: usize = 256;
const GLOBAL_MAX: usize = 1024;

/// The encoding of a pattern compiled with `o`, appended to `out`.
pub fn encode(out: &mut Vec<u8>, o: CompileOpts, pattern: &[u8]) {
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&o.options.to_le_bytes());
    out.push(o.newline as u8);
    out.push(o.bsr as u8);
    out.extend_from_slice(pattern);
}

/// The options and pattern text of an encoded pattern, if it is one.
pub fn decode(enc: &[u8]) -> Option<(CompileOpts, &[u8])> {
    if enc.len() < HEADER_LEN || &enc[..MAGIC.len()] != MAGIC {
        return None;
    }
    let m = MAGIC.len();
    let options = u32::from_le_bytes(enc[m..m + 4].try_into().ok()?);
    let (newline, bsr) = (enc[m + 4] as u32, enc[m + 5] as u32);
    if options & !engine::ALLOWED_COMPILE_OPTIONS != 0 || newline > 7 || bsr > 3 {
        return None;
    }
    Some((
        CompileOpts {
            options,
            newline,
            bsr,
        },
        &enc[HEADER_LEN..],
    ))
}

/// FxHash: the keys are short byte strings looked up on every `re:run`.
#[derive(Default)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
        self.0 = h;
    }
}

type Map = HashMap<Box<[u8]>, Arc<Code>, BuildHasherDefault<Fx>>;

fn global() -> &'static RwLock<Map> {
    static G: OnceLock<RwLock<Map>> = OnceLock::new();
    G.get_or_init(|| RwLock::new(Map::default()))
}

struct Local {
    map: Map,
    /// The last pattern looked up: a loop over one pattern costs a compare, no hash.
    last: Option<(Box<[u8]>, Arc<Code>)>,
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local {
        map: Map::default(),
        last: None,
    });
}

/// The compiled code for an encoded pattern (`enc` must decode), compiling it on first
/// use.
pub fn get(enc: &[u8]) -> Result<Arc<Code>, CompileError> {
    let hit = LOCAL.with(|l| {
        let mut l = l.borrow_mut();
        if let Some((k, c)) = &l.last {
            if &k[..] == enc {
                return Some(c.clone());
            }
        }
        let c = l.map.get(enc).cloned()?;
        l.last = Some((enc.into(), c.clone()));
        Some(c)
    });
    if let Some(c) = hit {
        return Ok(c);
    }
    let found = global().read().get(enc).cloned();
    let code = match found {
        Some(c) => c,
        None => {
            let Some((o, pattern)) = decode(enc) else {
                return Err(CompileError {
                    text: String::new(),
                    offset: 0,
                });
            };
            let c = Arc::new(engine::compile(pattern, o)?);
            let mut g = global().write();
            if g.len() >= GLOBAL_MAX {
                g.clear();
            }
            g.entry(enc.into()).or_insert(c).clone()
        }
    };
    LOCAL.with(|l| {
        let mut l = l.borrow_mut();
        if l.map.len() >= LOCAL_MAX {
            l.map.clear();
        }
        l.map.insert(enc.into(), code.clone());
        l.last = Some((enc.into(), code.clone()));
    });
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_and_cache() {
        let mut e = Vec::new();
        let o = CompileOpts {
            options: pcre2_sys::PCRE2_CASELESS,
            newline: 3,
            bsr: 0,
        };
        encode(&mut e, o, b"a+b");
        let (o2, p) = decode(&e).unwrap();
        assert_eq!((o2, p), (o, &b"a+b"[..]));
        let a = get(&e).unwrap();
        let b = get(&e).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(decode(b"junk").is_none());
        e[5] = 0xff;
        assert!(decode(&e).is_none());
    }
}
