//! This node's identity: its name (`nonode@nohost` until `erlang:setnode/2` makes it
//! alive, as `net_kernel` does for `-sname`/`-name`) and creation. Identifiers of this
//! node carry them in the external term format and in term order.

use oxbeam_term::atom::am;
use oxbeam_term::Atom;
use parking_lot::RwLock;

static THIS: RwLock<(Option<Atom>, u32)> = RwLock::new((None, 0));

/// This node's name.
pub fn name() -> Atom {
    THIS.read().0.unwrap_or(am::NONODE)
}

/// This node's creation (0 while not alive).
pub fn creation() -> u32 {
    THIS.read().1
}

/// Whether `node` with `creation` is this node (identifiers from another incarnation
/// of the same name are not).
pub fn is_this(node: Atom, creation: u32) -> bool {
    let (n, c) = *THIS.read();
    node == n.unwrap_or(am::NONODE) && creation == c
}

/// Makes this node alive as `name` with `creation`.
pub fn set(name: Atom, creation: u32) {
    *THIS.write() = (Some(name), creation);
}

/// Whether `name` is a node name the reference accepts: `Name@Host`, both parts
/// non-empty.
pub fn is_valid_name(name: &str) -> bool {
    match name.split_once('@') {
        Some((a, b)) => !a.is_empty() && !b.is_empty() && !b.contains('@'),
        None => false,
    }
}
