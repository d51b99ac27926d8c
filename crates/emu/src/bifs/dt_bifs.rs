//! Functions of a runtime built without dynamic tracing (DTrace/SystemTap), as the
//! reference's default build: the `dt_*` tag functions answer as if no tag were ever
//! set; plus `error_logger:warning_map/0` (`+W w`, the default).

use super::reg;
use crate::bif::BifResult;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

fn undefined(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::atom(am::UNDEFINED))
}

fn always_true(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::TRUE)
}

fn identity(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(a[0])
}

fn warning_map(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::atom(Atom::from_str("warning")))
}

pub fn register() {
    reg("erlang", "dt_get_tag", 0, undefined);
    reg("erlang", "dt_get_tag_data", 0, undefined);
    reg("erlang", "dt_put_tag", 1, undefined);
    reg("erlang", "dt_spread_tag", 1, always_true);
    reg("erlang", "dt_restore_tag", 1, always_true);
    reg("erlang", "dt_prepend_vm_tag_data", 1, identity);
    reg("erlang", "dt_append_vm_tag_data", 1, identity);
    reg("error_logger", "warning_map", 0, warning_map);
}
