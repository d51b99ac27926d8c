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
        (&Op::Move2 { s1, s2, d1, d2 }, _) => {
            let (s3, d3) = as_move(second)?;
            Some(Op::Move3 {
                s: [s1, s2, s3],
                d: [d1, d2, d3],
            })
        }
        _ => fuse_test_and_use(first, second)
            .or_else(|| fuse_tuple_reads(first, second))
            .or_else(|| fuse_build(first, second)),
    }
}

/// A type test and the instruction using what it tested (tuple arity, list cells).
fn fuse_test_and_use(first: &Op, second: &Op) -> Option<Op> {
    match (first, second) {
        (
            &Op::IsTuple { fail, src },
            &Op::TestArity {
                fail: f2,
                src: s2,
                arity,
            },
        ) if s2 == src && f2 == fail => Some(Op::IsTupleArity { fail, src, arity }),
        (
            &Op::IsTuple { fail, src },
            Op::SelectTupleArity {
                src: s2,
                fail: f2,
                table,
            },
        ) if *s2 == src => Some(Op::IsTupleSelectArity {
            src,
            not_tuple: fail,
            fail: *f2,
            table: table.clone(),
        }),
        (&Op::IsNonemptyList { fail, src }, &Op::GetList { src: s2, hd, tl }) if s2 == src => {
            Some(Op::IsNonemptyListGet { fail, src, hd, tl })
        }
        _ => None,
    }
}

/// Consecutive `get_tuple_element`s of one tuple, as long as none overwrites it.
fn fuse_tuple_reads(first: &Op, second: &Op) -> Option<Op> {
    let &Op::GetTupleElement { src, index, dst } = second else {
        return None;
    };
    match *first {
        Op::GetTupleElement {
            src: s1,
            index: i1,
            dst: d1,
        } if s1 == src && d1.as_src() != src => Some(Op::GetTupleElement2 {
            src,
            i1,
            d1,
            i2: index,
            d2: dst,
        }),
        Op::GetTupleElement2 {
            src: s1,
            i1,
            d1,
            i2,
            d2,
        } if s1 == src && d2.as_src() != src => Some(Op::GetTupleElement3 {
            src,
            i: [i1, i2, index],
            d: [d1, d2, dst],
        }),
        _ => None,
    }
}

/// A heap test and the construction after it; a construction and the return after it.
fn fuse_build(first: &Op, second: &Op) -> Option<Op> {
    let dealloc = match *second {
        Op::Return => Some(0),
        Op::DeallocateReturn { n } => Some(n),
        _ => None,
    };
    match (first, second, dealloc) {
        (&Op::TestHeap { need, live }, &Op::PutList { hd, tl, dst }, _) => {
            Some(Op::TestHeapPutList {
                need,
                live,
                hd,
                tl,
                dst,
            })
        }
        (&Op::TestHeap { need, live }, Op::PutTuple2 { dst, elems }, _) => {
            Some(Op::TestHeapPutTuple2 {
                need,
                live,
                dst: *dst,
                elems: elems.clone(),
            })
        }
        (&Op::PutList { hd, tl, dst }, _, Some(dealloc)) => Some(Op::PutListReturn {
            hd,
            tl,
            dst,
            dealloc,
        }),
        (Op::PutTuple2 { dst, elems }, _, Some(dealloc)) => Some(Op::PutTuple2Return {
            dst: *dst,
            dealloc,
            elems: elems.clone(),
        }),
        (&Op::MoveCX { value, dst }, _, Some(dealloc)) => Some(Op::MoveCXReturn {
            value,
            dst,
            dealloc,
        }),
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

    fn gte(src: Src, index: u32, dst: Dst) -> Op {
        Op::GetTupleElement { src, index, dst }
    }

    #[test]
    fn tuple_reads_fuse_until_one_overwrites_the_tuple() {
        let two = fuse(&gte(Src::x(0), 1, Dst::x(1)), &gte(Src::x(0), 2, Dst::x(2))).unwrap();
        assert!(matches!(two, Op::GetTupleElement2 { i1: 1, i2: 2, .. }));
        let three = fuse(&two, &gte(Src::x(0), 3, Dst::y(0))).unwrap();
        assert!(matches!(three, Op::GetTupleElement3 { i: [1, 2, 3], .. }));
        // x0 is overwritten by the first read: the second must read the new x0.
        assert!(fuse(&gte(Src::x(0), 1, Dst::x(0)), &gte(Src::x(0), 2, Dst::x(1))).is_none());
        // Different tuples.
        assert!(fuse(&gte(Src::x(0), 1, Dst::x(2)), &gte(Src::x(1), 1, Dst::x(3))).is_none());
    }

    #[test]
    fn type_tests_fuse_only_on_the_same_register_and_label() {
        let is_tuple = Op::IsTuple {
            fail: Label(4),
            src: Src::x(0),
        };
        let arity = |fail, src| Op::TestArity {
            fail: Label(fail),
            src,
            arity: 2,
        };
        assert!(matches!(
            fuse(&is_tuple, &arity(4, Src::x(0))),
            Some(Op::IsTupleArity { arity: 2, .. })
        ));
        assert!(fuse(&is_tuple, &arity(5, Src::x(0))).is_none());
        assert!(fuse(&is_tuple, &arity(4, Src::x(1))).is_none());
        let list = Op::IsNonemptyList {
            fail: Label(4),
            src: Src::y(1),
        };
        let get = |src| Op::GetList {
            src,
            hd: Dst::x(0),
            tl: Dst::y(1),
        };
        assert!(matches!(
            fuse(&list, &get(Src::y(1))),
            Some(Op::IsNonemptyListGet { .. })
        ));
        assert!(fuse(&list, &get(Src::x(1))).is_none());
    }

    #[test]
    fn constructions_fuse_with_the_heap_test_before_and_the_return_after() {
        let put = Op::PutList {
            hd: Src::x(0),
            tl: Src::term(Term::NIL),
            dst: Dst::x(0),
        };
        let th = Op::TestHeap { need: 2, live: 1 };
        assert!(matches!(
            fuse(&th, &put),
            Some(Op::TestHeapPutList { need: 2, .. })
        ));
        assert!(matches!(
            fuse(&put, &Op::DeallocateReturn { n: 3 }),
            Some(Op::PutListReturn { dealloc: 3, .. })
        ));
        assert!(matches!(
            fuse(&put, &Op::Return),
            Some(Op::PutListReturn { dealloc: 0, .. })
        ));
        assert!(fuse(&put, &Op::Deallocate { n: 1 }).is_none());
    }
}
