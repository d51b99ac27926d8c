//! This node's identity: its name (`nonode@nohost` until `erlang:setnode/2` makes it
//! alive, as `net_kernel` does for `-sname`/`-name`) and creation. Identifiers of this
//! node carry them in the external term format and in term order.

use oxbeam_term::atom::am;
use oxbeam_term::Atom;
use std::sync::atomic::{AtomicU64, Ordering};

/// The name's atom index in the high half, the creation in the low half: one load
/// for readers (term order compares pids by node, the external format writes it).
static THIS: AtomicU64 = AtomicU64::new((am::NONODE.0 as u64) << 32);

fn this() -> (Atom, u32) {
    let v = THIS.load(Ordering::Acquire);
    (Atom((v >> 32) as u32), v as u32)
}

/// This node's name.
pub fn name() -> Atom {
    this().0
}

/// This node's creation (0 while not alive).
pub fn creation() -> u32 {
    this().1
}

/// Whether `node` with `creation` is this node (identifiers from another incarnation
/// of the same name are not).
pub fn is_this(node: Atom, creation: u32) -> bool {
    this() == (node, creation)
}

/// Makes this node alive as `name` with `creation`.
pub fn set(name: Atom, creation: u32) {
    THIS.store((name.0 as u64) << 32 | creation as u64, Ordering::Release);
}

/// Whether `name` is a node name the reference accepts: `Name@Host`, both parts
/// non-empty.
pub fn is_valid_name(name: &str) -> bool {
    match name.split_once('@') {
        Some((a, b)) => !a.is_empty() && !b.is_empty() && !b.contains('@'),
        None => false,
    }
}
