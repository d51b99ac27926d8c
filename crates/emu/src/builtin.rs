//! Which functions are BIFs of the reference VM (`erlang:is_builtin/3`).
//!
//! oxbeam implements natively many functions that are Erlang code in OTP, so "has a
//! native implementation here" is not the answer. The reference's BIFs are exactly the
//! functions that OTP's own beams define as stubs for the runtime: their body calls
//! `erlang:nif_error/1,2` (or, in `erlang`, calls the function itself remotely, as
//! `erlang:apply/3` does), and they are not NIFs: not marked `nif_start` (a NIF of the
//! `-nifs` attribute), not in a module with an `on_load` function or one that loads a
//! NIF library without a `-nifs` attribute (all its stubs are NIFs), and not one of
//! [`LEFTOVER_STUBS`] or [`UNLISTED_NIFS`]. (Checked against the reference's
//! `is_builtin/3` over every function of OTP 25's beams: the same 508.) The loader records these stubs for every module loaded
//! from the OTP installation ([`bif_stubs`], `Module::bif_stubs`); a module not loaded
//! yet is read from its beam on the code path without loading it.

use crate::code;
use oxbeam_loader::{BeamFile, Opcode, Operand};
use oxbeam_term::atom::am;
use oxbeam_term::Atom;
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Stubs of OTP's beams that the reference has neither as BIFs nor as NIFs, left over
/// from an older release: calling one raises `undefined` from the stub.
pub const LEFTOVER_STUBS: &[(&str, &str, u32)] = &[("erlang", "garbage_collect_message_area", 0)];

/// Stubs of NIFs missing from their module's `-nifs` attribute.
pub const UNLISTED_NIFS: &[(&str, &str, u32)] = &[("prim_socket", "nif_bind", 3)];

/// The functions (name, arity) of `beam` that are stubs of the runtime's BIFs.
pub fn bif_stubs(beam: &BeamFile) -> Vec<(String, u32)> {
    let atom = |o: &Operand| match o {
        Operand::Atom(i) => Some(beam.atom(*i)),
        _ => None,
    };
    let uint = |o: &Operand| match o {
        Operand::Unsigned(u) => u32::try_from(*u).ok(),
        _ => None,
    };
    let mut stubs: Vec<(String, u32)> = Vec::new();
    let mut nifs: HashSet<(String, u32)> = HashSet::new();
    let mut current: Option<(&str, &str, u32)> = None;
    let mut loads_nifs = false;
    for ins in &beam.code {
        let a = &ins.args;
        match ins.op {
            Opcode::OnLoad => return Vec::new(),
            Opcode::FuncInfo if a.len() == 3 => {
                current = match (atom(&a[0]), atom(&a[1]), uint(&a[2])) {
                    (Some(m), Some(f), Some(n)) => Some((m, f, n)),
                    _ => None,
                };
            }
            Opcode::NifStart => {
                if let Some((_, f, n)) = current {
                    nifs.insert((f.to_string(), n));
                }
            }
            Opcode::CallExt | Opcode::CallExtLast | Opcode::CallExtOnly if a.len() >= 2 => {
                let (Some((m, f, n)), Some(i)) = (current, uint(&a[1])) else {
                    continue;
                };
                let Some(imp) = beam.imports.get(i as usize) else {
                    continue;
                };
                let (im, ifn, ia) = (beam.atom(imp.module), beam.atom(imp.function), imp.arity);
                if im == "erlang" && ifn == "load_nif" && ia == 2 {
                    loads_nifs = true;
                }
                let stub = (im == "erlang" && ifn == "nif_error" && (ia == 1 || ia == 2))
                    || (m == "erlang" && im == m && ifn == f && ia == n);
                let listed = LEFTOVER_STUBS
                    .iter()
                    .chain(UNLISTED_NIFS)
                    .any(|&(sm, sf, sa)| sm == m && sf == f && sa == n);
                if stub && !listed && !stubs.iter().any(|(sf, sa)| sf == f && *sa == n) {
                    stubs.push((f.to_string(), n));
                }
            }
            _ => {}
        }
    }
    // A module that loads a NIF library without naming its NIFs (no `-nifs`
    // attribute) has NIF stubs only.
    if loads_nifs && nifs.is_empty() {
        return Vec::new();
    }
    stubs.retain(|s| !nifs.contains(s));
    stubs
}

/// The `lib` directory of the OTP installation: where the code path has `erlang.beam`
/// (`<lib>/erts-<vsn>/ebin/erlang.beam`).
fn otp_lib_dir() -> Option<&'static Path> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    if let Some(d) = DIR.get() {
        return Some(d);
    }
    // Not remembered while not found (the code path may not be set yet).
    let p = crate::loading::find_beam(am::ERLANG)?;
    let p = std::fs::canonicalize(p).ok()?;
    let lib = p.parent()?.parent()?.parent()?.to_path_buf();
    Some(DIR.get_or_init(|| lib))
}

/// Whether the beam at `path` belongs to the OTP installation.
pub fn is_otp_beam(path: &str) -> bool {
    let Some(lib) = otp_lib_dir() else {
        return false;
    };
    std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(lib))
}

type StubSet = Arc<HashSet<(Atom, u32)>>;

/// The BIF stubs of modules not loaded, read from their beams.
fn unloaded_cache() -> &'static Mutex<HashMap<Atom, StubSet>> {
    static C: OnceLock<Mutex<HashMap<Atom, StubSet>>> = OnceLock::new();
    C.get_or_init(Default::default)
}

fn stubs_of_beam_file(m: Atom) -> StubSet {
    if let Some(s) = unloaded_cache().lock().get(&m) {
        return s.clone();
    }
    let set: HashSet<(Atom, u32)> = (|| {
        let path = crate::loading::find_beam(m)?;
        let name = path.display().to_string();
        if !is_otp_beam(&name) {
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        let beam = oxbeam_loader::parse_beam(&name, &bytes).ok()?;
        Some(
            bif_stubs(&beam)
                .into_iter()
                .map(|(f, a)| (Atom::from_str(&f), a))
                .collect(),
        )
    })()
    .unwrap_or_default();
    let set = Arc::new(set);
    unloaded_cache().lock().insert(m, set.clone());
    set
}

/// `erlang:is_builtin(M, F, A)`.
pub fn is_builtin(m: Atom, f: Atom, a: u32) -> bool {
    match code::get_module(m) {
        Some(module) => module.bif_stubs.contains(&(f, a)),
        None => stubs_of_beam_file(m).contains(&(f, a)),
    }
}
