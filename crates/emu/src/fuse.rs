//! Load-time specialisation and fusion of instructions.
//!
//! Every instruction the interpreter runs costs one dispatch (an indirect jump that may
//! mispredict), so the loader picks, for the hottest generic instructions, a variant
//! whose operand kinds are fixed (`move` from X to Y needs no register-kind tests) and
//! merges pairs that the compiler emits back to back (`move; move`, `deallocate;
//! return`) into one instruction. The reference's loader does the same with its
//! `ops.tab` rules (`move_shift`, `move2_par`, `deallocate_return`, `jump_on_val`).
//!
//! Fusion never crosses a label: the builder only asks to fuse when no label points at
//! the second instruction.

use crate::ops::*;
use oxbeam_term::Term;

/// The most specific instruction for `move Src Dst`.
pub fn move_op(src: Src, dst: Dst) -> Op {
    // X indices were range-checked by the builder; Y indices against the frame size.
    match (src.as_term(), src.is_y(), dst.is_y()) {
        (Some(value), _, false) => Op::MoveCX {
            value,
            dst: dst.index() as u32,
        },
        (None, false, false) => Op::MoveXX {
            src: src.reg_index() as u32,
            dst: dst.index() as u32,
        },
        (None, false, true) => Op::MoveXY {
            src: src.reg_index() as u32,
            dst: dst.index() as u32,
        },
        (None, true, false) => Op::MoveYX {
            src: src.reg_index() as u32,
            dst: dst.index() as u32,
        },
        _ => Op::Move { src, dst },
    }
}

/// The operands of any single-move instruction.
fn as_move(op: &Op) -> Option<(Src, Dst)> {
    Some(match *op {
        Op::Move { src, dst } => (src, dst),
        Op::MoveXX { src, dst } => (Src::x(src), Dst::x(dst)),
        Op::MoveXY { src, dst } => (Src::x(src), Dst::y(dst)),
        Op::MoveYX { src, dst } => (Src::y(src), Dst::x(dst)),
        Op::MoveCX { value, dst } => (Src::term(value), Dst::x(dst)),
        _ => return None,
    })
}

/// One instruction doing `first` then `second`, where that is cheaper than two.
pub fn fuse(first: &Op, second: &Op) -> Option<Op> {
    if let (Some((s1, d1)), Some((s2, d2))) = (as_move(first), as_move(second)) {
        return Some(Op::Move2 { s1, s2, d1, d2 });
    }
    match (first, second) {
        (Op::Deallocate { n }, Op::Return) => Some(Op::DeallocateReturn { n: *n }),
        (&Op::CallFun { arity }, Op::DeallocateReturn { n }) => {
            Some(Op::CallFunLast { arity, dealloc: *n })
        }
        (&Op::CallFun { arity }, Op::Return) => Some(Op::CallFunLast { arity, dealloc: 0 }),
        (&Op::CallFun2 { func, arity }, Op::DeallocateReturn { n }) => Some(Op::CallFun2Last {
            func,
            arity,
            dealloc: *n,
        }),
        (&Op::CallFun2 { func, arity }, Op::Return) => Some(Op::CallFun2Last {
            func,
            arity,
            dealloc: 0,
        }),
        (&Op::Move2 { s1, s2, d1, d2 }, &Op::Call { arity, target }) => Some(Op::Move2Call {
            s1,
            s2,
            d1,
            d2,
            arity,
            target,
        }),
        (_, &Op::Call { arity, target }) => {
            let (src, dst) = as_move(first)?;
            Some(Op::MoveCall {
                src,
                dst,
                arity,
                target,
            })
        }
        _ => None,
    }
}

/// Tables at most this much larger than their number of entries become jump tables.
const JUMP_TABLE_SLACK: usize = 8;

/// The instruction for `select_val` with `table` (sorted in term order).
pub fn select_op(src: Src, fail: Label, table: Box<SelectTable>) -> Op {
    if let ([v1, v2], [l1, l2]) = (&*table.values, &*table.labels) {
        if v1.is_immed() && v2.is_immed() {
            return Op::SelectVal2 {
                src,
                fail,
                v1: *v1,
                v2: *v2,
                l1: *l1,
                l2: *l2,
            };
        }
    }
    if let Some(op) = jump_on_val(src, fail, &table) {
        return op;
    }
    if table.values.iter().all(|v| v.is_immed()) {
        let mut pairs: Vec<(Term, Label)> = table
            .values
            .iter()
            .copied()
            .zip(table.labels.iter().copied())
            .collect();
        pairs.sort_by_key(|(v, _)| v.0);
        return Op::SelectImm {
            src,
            fail,
            table: Box::new(SelectTable {
                values: pairs.iter().map(|p| p.0).collect(),
                labels: pairs.iter().map(|p| p.1).collect(),
            }),
        };
    }
    Op::SelectVal { src, fail, table }
}

/// A jump table when every value is a small integer and the range is dense.
fn jump_on_val(src: Src, fail: Label, table: &SelectTable) -> Option<Op> {
    let ints: Option<Vec<i64>> = table
        .values
        .iter()
        .map(|v| v.is_small().then(|| v.small_value()))
        .collect();
    let ints = ints?;
    let (&lo, &hi) = (ints.iter().min()?, ints.iter().max()?);
    let base = i32::try_from(lo).ok()?;
    let span = usize::try_from(hi.checked_sub(lo)?).ok()?.checked_add(1)?;
    if span > ints.len() * 2 + JUMP_TABLE_SLACK {
        return None;
    }
    let mut targets = vec![fail; span];
    for (&v, &l) in ints.iter().zip(table.labels.iter()) {
        targets[(v - lo) as usize] = l;
    }
    Some(Op::JumpOnVal {
        src,
        fail,
        base,
        targets: targets.into_boxed_slice(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxbeam_term::atom::am;

    fn table(vals: &[Term]) -> Box<SelectTable> {
        Box::new(SelectTable {
            values: vals.to_vec().into_boxed_slice(),
            labels: (0..vals.len() as i32).map(Label).collect(),
        })
    }

    #[test]
    fn dense_integers_become_a_jump_table() {
        let t = table(&[Term::small(0), Term::small(1)]);
        assert!(matches!(
            select_op(Src::x(0), Label(9), t),
            Op::SelectVal2 { .. }
        ));
        let t = table(&[Term::small(-1), Term::small(0), Term::small(2)]);
        match select_op(Src::x(0), Label(99), t) {
            Op::JumpOnVal { base, targets, .. } => {
                assert_eq!(base, -1);
                assert_eq!(&*targets, &[Label(0), Label(1), Label(99), Label(2)]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sparse_integers_and_atoms_become_word_tables() {
        let t = table(&[Term::small(1), Term::small(7), Term::small(1_000_000)]);
        assert!(matches!(
            select_op(Src::x(0), Label(9), t),
            Op::SelectImm { .. }
        ));
        let t = table(&[
            Term::atom(am::OK),
            Term::atom(am::ERROR),
            Term::atom(am::UNDEFINED),
        ]);
        assert!(matches!(
            select_op(Src::x(0), Label(9), t),
            Op::SelectImm { .. }
        ));
    }

    #[test]
    fn moves_fuse_in_order() {
        let a = move_op(Src::x(0), Dst::y(0));
        let b = move_op(Src::x(1), Dst::x(0));
        assert!(matches!(a, Op::MoveXY { src: 0, dst: 0 }));
        match fuse(&a, &b) {
            Some(Op::Move2 { s1, s2, d1, d2 }) => {
                assert_eq!(
                    (s1, d1, s2, d2),
                    (Src::x(0), Dst::y(0), Src::x(1), Dst::x(0))
                )
            }
            other => panic!("{other:?}"),
        }
        let call = Op::Call {
            arity: 1,
            target: Label(7),
        };
        let m2 = fuse(&a, &b).unwrap();
        assert!(matches!(
            fuse(&m2, &call),
            Some(Op::Move2Call {
                arity: 1,
                target: Label(7),
                ..
            })
        ));
        assert!(matches!(fuse(&b, &call), Some(Op::MoveCall { .. })));
        assert!(fuse(&Op::Deallocate { n: 2 }, &Op::Return).is_some());
        assert!(fuse(&Op::Return, &Op::Return).is_none());
    }
}
