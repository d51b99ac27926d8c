//! Bit syntax: binary matching and construction instructions.

use crate::interp::Regs;
use crate::ops::Op;
use crate::process::Process;
use oxbeam_term::Term;

/// Executes one bit-syntax instruction; returns the next instruction or an error reason.
pub fn exec(_p: &mut Process, _regs: &mut Regs, _ip: *const Op, _op: &Op) -> Result<*const Op, Term> {
    Err(Term::atom(oxbeam_term::Atom::from_str("bit_syntax_not_implemented")))
}
