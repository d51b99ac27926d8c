//! `erlang:load_nif/2`. oxbeam has no C NIF interface yet; the NIFs of the modules the
//! reference links statically (`prim_file`, `prim_buffer`, `zlib`, `erl_tracer`) are
//! native here (`bifs::reg_nif`: the loader puts them in place of the modules' stubs),
//! so for those modules `load_nif/2` has nothing left to do and returns `ok`, which
//! their `on_load` functions expect. For any other module it fails as the reference
//! does when the library is missing: `{error, {load_failed, Text}}`.
//!
//! As in the reference, the module is the caller's (`load_nif/2` must be called from
//! the module's own code, not through `apply/3`), the path is not looked at for a
//! statically linked library, and a version of a module loads its NIFs once: a second
//! call from it gets `{error, {reload, _}}`. (The reference's boot calls the on_load
//! functions of `prim_file` & co. first thing; oxbeam's built-in start-up does not, so
//! there the first call a program makes returns `ok`.)

use super::reg;
use crate::bif::{BifResult, BADARG};
use crate::code;
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, Weak};

/// For each module with native NIFs, the version of it that loaded them. (A weak
/// reference: its address is not reused while this holds it.)
fn loaded() -> &'static Mutex<HashMap<Atom, Weak<code::Module>>> {
    static L: std::sync::OnceLock<Mutex<HashMap<Atom, Weak<code::Module>>>> =
        std::sync::OnceLock::new();
    L.get_or_init(|| Mutex::new(HashMap::new()))
}

fn load_error(p: &mut Process, kind: &str, text: &str) -> BifResult {
    let text = string_to_list(&mut p.heap, text);
    let reason = make_tuple(&mut p.heap, &[Term::atom(Atom::from_str(kind)), text]);
    Ok(make_tuple(&mut p.heap, &[Term::atom(am::ERROR), reason]))
}

fn load_nif(p: &mut Process, a: &[Term]) -> BifResult {
    // A BIF called from Erlang code runs with `ip` on the calling instruction; through
    // apply/3 or a fun, on the BIF's own stub, which is in no module.
    let Some(caller) = code::module_of_addr(p.ip) else {
        return load_error(
            p,
            "bad_lib",
            "load_nif/2 must be explicitly called from the NIF module. \
             It cannot be called through apply/3.",
        );
    };
    let mut path = Vec::new();
    let t = a[0];
    if is_bitstring(t) {
        path = binary_bytes(t).ok_or(BADARG)?.into_owned();
    } else if !((t.is_list() || t.is_nil()) && super::prim_file::encode_chars(t, &mut path)) {
        return Err(BADARG);
    }
    if code::module_has_nifs(caller.name) {
        let mut l = loaded().lock();
        let again = l
            .get(&caller.name)
            .and_then(Weak::upgrade)
            .is_some_and(|m| Arc::ptr_eq(&m, &caller));
        if again {
            drop(l);
            return load_error(
                p,
                "reload",
                "NIF library already loaded (reload disallowed since OTP 20).",
            );
        }
        l.insert(caller.name, Arc::downgrade(&caller));
        return Ok(Term::atom(am::OK));
    }
    let lib = format!("{}.so", String::from_utf8_lossy(&path));
    let text = if lib.contains('/') && std::path::Path::new(&lib).exists() {
        format!(
            "Failed to load NIF library {}: 'oxbeam cannot load NIF libraries written in C yet'",
            String::from_utf8_lossy(&path)
        )
    } else {
        format!(
            "Failed to load NIF library: '{lib}: cannot open shared object file: No such file or directory'"
        )
    };
    load_error(p, "load_failed", &text)
}

pub fn register() {
    reg("erlang", "load_nif", 2, load_nif);
}
