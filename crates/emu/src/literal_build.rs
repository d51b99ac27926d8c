//! Turns the loader's owned [`ExtTerm`] values into terms (module literals).

use crate::object::*;
use num_bigint::BigInt;
use oxbeam_loader::ExtTerm;
use oxbeam_term::{Atom, Term};

pub fn build<A: Alloc + ?Sized>(a: &mut A, t: &ExtTerm) -> Term {
    match t {
        ExtTerm::Int(i) => make_i64(a, *i),
        ExtTerm::BigInt(b) => make_integer(a, b),
        ExtTerm::Float(f) => make_float(a, *f),
        ExtTerm::Atom(s) => Term::atom(Atom::from_str(s)),
        ExtTerm::Nil => Term::NIL,
        ExtTerm::String(bytes) => bytes_to_list(a, bytes, Term::NIL),
        ExtTerm::List(items, tl) => {
            let tail = build(a, tl);
            let elems: Vec<Term> = items.iter().map(|e| build(a, e)).collect();
            list_from_iter(a, &elems, tail)
        }
        ExtTerm::Tuple(items) => {
            let elems: Vec<Term> = items.iter().map(|e| build(a, e)).collect();
            make_tuple(a, &elems)
        }
        ExtTerm::Map(pairs) => {
            let ps: Vec<(Term, Term)> = pairs
                .iter()
                .map(|(k, v)| (build(a, k), build(a, v)))
                .collect();
            crate::map::from_pairs(a, &ps)
        }
        ExtTerm::Binary(b) => make_binary(a, b),
        ExtTerm::BitBinary { bytes, bits } => {
            let total = if bytes.is_empty() {
                0
            } else {
                (bytes.len() - 1) * 8 + *bits as usize
            };
            make_bitstring(a, bytes, total)
        }
        ExtTerm::Export {
            module,
            function,
            arity,
        } => {
            let m = atom_of(module);
            let f = atom_of(function);
            let e = crate::code::export(m, f, *arity as u32);
            crate::fun::make_export_fun(a, e)
        }
        // Pids, ports, refs and local funs do not occur in compiled literals; keep
        // something printable rather than failing the load.
        ExtTerm::Pid { .. } | ExtTerm::Port { .. } | ExtTerm::Ref { .. } | ExtTerm::Fun { .. } => {
            Term::atom(oxbeam_term::atom::am::UNDEFINED)
        }
    }
}

fn atom_of(t: &ExtTerm) -> Atom {
    match t {
        ExtTerm::Atom(s) => Atom::from_str(s),
        _ => oxbeam_term::atom::am::UNDEFINED,
    }
}

pub fn bigint_literal(b: &BigInt) -> Term {
    make_integer(&mut crate::literal::LiteralHeap, b)
}
