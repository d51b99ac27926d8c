//! System BIFs: time, system_info, statistics, process_info, and the small BIFs of
//! other runtime modules (net_kernel, erts_internal, os) that OTP's libraries call.

use super::reg;
use crate::bif::{BifFn, BifResult, BADARG};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

fn dflag_unicode_io(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::TRUE)
}

pub fn register() {
    let list: &[(&str, &str, u32, BifFn)] = &[("net_kernel", "dflag_unicode_io", 1, dflag_unicode_io)];
    for &(m, f, a, fun) in list {
        reg(m, f, a, fun);
    }
    let _ = (BADARG, am::OK, Atom::from_str, make_tuple::<crate::heap::Heap>);
}
