//! Built-in functions, one file per area. Each file has a `register()` that lists its
//! BIFs with [`reg`]; [`register_all`] runs them all once at start-up.

use crate::bif::BifFn;
use crate::code::{self, Export};
use oxbeam_term::Atom;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::OnceLock;

pub mod arith;
pub mod atomics;
pub mod binary_mod;
pub mod code_bifs;
pub mod convert;
pub mod debug_bifs;
pub mod decode_packet;
pub mod dirty_bifs;
pub mod dt_bifs;
pub mod erlang;
pub mod etf;
pub mod ets_access;
pub mod ets_bifs;
pub mod ets_select;
pub mod funs;
pub mod hash;
pub mod internal_bifs;
pub mod load_nif;
pub mod maps_bifs;
pub mod math;
pub mod ms_bifs;
pub mod node_bifs;
pub mod os_bifs;
pub mod persistent;
pub mod port_bifs;
pub mod prim_buffer;
pub mod prim_file;
pub mod process_info;
pub mod re;
pub mod spawn_bifs;
pub mod sysmon_bifs;
pub mod system;
pub mod time_conv;
pub mod timer_bifs;
pub mod trace_bifs;
pub mod zlib_bifs;

fn by_fn() -> &'static RwLock<HashMap<usize, &'static Export>> {
    static M: OnceLock<RwLock<HashMap<usize, &'static Export>>> = OnceLock::new();
    M.get_or_init(|| RwLock::new(HashMap::new()))
}

/// Registers `module:name/arity` as a BIF.
pub fn reg(module: &str, name: &str, arity: u32, f: BifFn) {
    let (m, n) = (Atom::from_str(module), Atom::from_str(name));
    code::register_bif(m, n, arity, f);
    by_fn()
        .write()
        .entry(f as usize)
        .or_insert_with(|| code::export(m, n, arity));
}

/// Registers `module:name/arity`, a NIF stub of an OTP module, as implemented by `f`
/// (see `code::Export::nif`).
pub fn reg_nif(module: &str, name: &str, arity: u32, f: BifFn) {
    code::register_nif(Atom::from_str(module), Atom::from_str(name), arity, f);
}

/// The export a BIF function was registered under (for stack traces).
pub fn export_of_bif(f: BifFn) -> Option<&'static Export> {
    by_fn().read().get(&(f as usize)).copied()
}

/// Registers every BIF. Idempotent.
pub fn register_all() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        arith::register();
        erlang::register();
        convert::register();
        etf::register();
        binary_mod::register();
        hash::register();
        maps_bifs::register();
        math::register();
        funs::register();
        system::register();
        dirty_bifs::register();
        spawn_bifs::register();
        spawn_bifs::register_dist();
        process_info::register();
        spawn_bifs::register_suspend();
        persistent::register();
        zlib_bifs::register();
        prim_file::register();
        prim_buffer::register();
        load_nif::register();
        timer_bifs::register();
        ets_bifs::register();
        ets_access::register();
        ets_select::register();
        ms_bifs::register();
        node_bifs::register();
        dt_bifs::register();
        atomics::register();
        os_bifs::register();
        time_conv::register();
        re::register();
        trace_bifs::register();
        sysmon_bifs::register();
        code_bifs::register();
        port_bifs::register();
        decode_packet::register();
        debug_bifs::register();
        internal_bifs::register();
    });
}

/// Whether `module:name/arity` is implemented natively.
pub fn is_bif(m: Atom, f: Atom, a: u32) -> bool {
    code::find_export(m, f, a)
        .map(|e| e.bif.get().is_some())
        .unwrap_or(false)
}

/// Whether `module:name/arity` has a native implementation: a BIF, or a NIF that the
/// module's stub calls (registered with `reg_nif`).
pub fn is_native(m: Atom, f: Atom, a: u32) -> bool {
    code::find_export(m, f, a)
        .map(|e| e.bif.get().is_some() || e.nif.get().is_some())
        .unwrap_or(false)
}

/// The bytes of an iodata term (a binary, or a possibly deep list of bytes and binaries
/// whose tails are `[]` or binaries), or None if it is not iodata.
pub fn iodata_bytes(t: oxbeam_term::Term) -> Option<Vec<u8>> {
    use crate::object::*;
    let mut out = Vec::new();
    // (term, whether it sits in element position, where a byte is allowed)
    let mut stack = vec![(t, false)];
    while let Some((t, element)) = stack.pop() {
        if t.is_nil() {
            continue;
        }
        if t.is_list() {
            stack.push((tail(t), false));
            stack.push((head(t), true));
        } else if let Some(c) = t.as_small() {
            if !element || !(0..=255).contains(&c) {
                return None;
            }
            out.push(c as u8);
        } else if is_bitstring(t) {
            out.extend_from_slice(&binary_bytes(t)?);
        } else {
            return None;
        }
    }
    Some(out)
}
