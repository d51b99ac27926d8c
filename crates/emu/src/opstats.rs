//! Instruction statistics for tuning the instruction set (`--features opstats` only):
//! every executed instruction is counted by its address; when the VM halts, the counts
//! are written to the file named by `OXBEAM_OPSTATS` as `count<TAB>address<TAB>module:function/arity<TAB>op` lines
//! (the op printed with `Debug`), so that the commonest instructions, and the commonest
//! statically adjacent pairs (fusion candidates), can be read off.
use crate::ops::Op;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Instruction addresses are unique and 8-aligned: a multiply spreads them well enough.
#[derive(Default)]
struct AddrHasher(u64);
impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only usize keys")
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
type Counts = HashMap<usize, u64, BuildHasherDefault<AddrHasher>>;

thread_local! {
    static LOCAL: RefCell<(Counts, u64)> = RefCell::new((Counts::default(), 0));
}
static GLOBAL: parking_lot::Mutex<Option<Counts>> = parking_lot::Mutex::new(None);

#[inline(always)]
pub(crate) fn count(ip: *const Op) {
    LOCAL.with(|l| {
        let mut l = l.borrow_mut();
        *l.0.entry(ip as usize).or_insert(0) += 1;
        l.1 += 1;
        if l.1 % (1 << 20) == 0 {
            merge(&mut l.0);
        }
    });
}

fn merge(local: &mut Counts) {
    let mut g = GLOBAL.lock();
    let g = g.get_or_insert_with(Counts::default);
    for (ip, n) in local.drain() {
        *g.entry(ip).or_insert(0) += n;
    }
}

/// Writes the counts (this thread's unmerged ones included) to `$OXBEAM_OPSTATS`.
pub fn dump() {
    LOCAL.with(|l| merge(&mut l.borrow_mut().0));
    let Ok(path) = std::env::var("OXBEAM_OPSTATS") else {
        return;
    };
    let g = GLOBAL.lock();
    let Some(g) = g.as_ref() else { return };
    let mut rows: Vec<_> = g.iter().map(|(ip, n)| (*n, *ip)).collect();
    rows.sort_unstable_by(|a, b| b.cmp(a));
    let mut out = String::new();
    for (n, ip) in rows {
        // SAFETY: loaded code is immortal; every counted address held an instruction.
        let op = unsafe { &*(ip as *const Op) };
        let text = format!("{op:?}").replace(['\n', '\t'], " ");
        let mfa = match crate::trace::sysmon::mfa_at(ip as *const Op) {
            Some((m, f, a)) => format!("{}:{}/{a}", m.name(), f.name()),
            None => "?".to_string(),
        };
        out.push_str(&format!("{n}\t{ip:#x}\t{mfa}\t{text}\n"));
    }
    let _ = std::fs::write(path, out);
}
