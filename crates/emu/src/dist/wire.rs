//! The distribution protocol's packets as oxbeam sends and reads them: without the atom
//! cache (`DFLAG_DIST_HDR_ATOM_CACHE` is not offered), a packet is the pass-through
//! byte 112 followed by the control message and, for some operations, a payload term,
//! each in the external term format with its own version byte. An empty packet is a
//! tick. Operation codes are those of OTP's distribution protocol documentation.

use crate::bifs::etf::{self, EncodeOptions};
use crate::heap::Heap;
use crate::object::*;
use oxbeam_term::Term;

pub const PASS_THROUGH: u8 = 112;

pub const LINK: i64 = 1;
pub const SEND: i64 = 2;
pub const EXIT: i64 = 3;
pub const UNLINK: i64 = 4;
pub const REG_SEND: i64 = 6;
pub const GROUP_LEADER: i64 = 7;
pub const EXIT2: i64 = 8;
pub const SEND_TT: i64 = 12;
pub const EXIT_TT: i64 = 13;
pub const REG_SEND_TT: i64 = 16;
pub const EXIT2_TT: i64 = 18;
pub const MONITOR_P: i64 = 19;
pub const DEMONITOR_P: i64 = 20;
pub const MONITOR_P_EXIT: i64 = 21;
pub const SEND_SENDER: i64 = 22;
pub const SEND_SENDER_TT: i64 = 23;
pub const PAYLOAD_EXIT: i64 = 24;
pub const PAYLOAD_EXIT_TT: i64 = 25;
pub const PAYLOAD_EXIT2: i64 = 26;
pub const PAYLOAD_EXIT2_TT: i64 = 27;
pub const PAYLOAD_MONITOR_P_EXIT: i64 = 28;
pub const SPAWN_REQUEST: i64 = 29;
pub const SPAWN_REQUEST_TT: i64 = 30;
pub const SPAWN_REPLY: i64 = 31;
pub const SPAWN_REPLY_TT: i64 = 32;
pub const ALIAS_SEND: i64 = 33;
pub const ALIAS_SEND_TT: i64 = 34;
pub const UNLINK_ID: i64 = 35;
pub const UNLINK_ID_ACK: i64 = 36;

/// `SPAWN_REPLY` flags.
pub const SPAWN_FLAG_LINK: i64 = 1;
pub const SPAWN_FLAG_MONITOR: i64 = 2;

/// Whether operation `op` has a payload term after the control message.
pub fn has_payload(op: i64) -> bool {
    matches!(
        op,
        SEND | REG_SEND
            | SEND_TT
            | REG_SEND_TT
            | SEND_SENDER
            | SEND_SENDER_TT
            | PAYLOAD_EXIT
            | PAYLOAD_EXIT_TT
            | PAYLOAD_EXIT2
            | PAYLOAD_EXIT2_TT
            | PAYLOAD_MONITOR_P_EXIT
            | SPAWN_REQUEST
            | SPAWN_REQUEST_TT
            | ALIAS_SEND
            | ALIAS_SEND_TT
    )
}

fn encode(out: &mut Vec<u8>, t: Term, self_pid: Term) {
    let opts = EncodeOptions {
        minor_version: 2,
        ..EncodeOptions::default()
    };
    out.extend_from_slice(&etf::term_to_bytes(t, opts, self_pid));
}

/// A packet: the control message built by `control` on a scratch heap, then `payload`.
/// `self_pid`: a local pid standing in as the creator of funs in the payload.
pub fn packet(
    control: impl FnOnce(&mut Heap) -> Term,
    payload: Option<Term>,
    self_pid: Term,
) -> Vec<u8> {
    let mut h = Heap::new(0);
    let c = control(&mut h);
    let mut out = vec![PASS_THROUGH];
    encode(&mut out, c, self_pid);
    if let Some(p) = payload {
        encode(&mut out, p, self_pid);
    }
    out
}

/// A packet whose control message is the tuple `{Op, Elements...}`.
pub fn op_packet(
    op: i64,
    elements: impl FnOnce(&mut Heap) -> Vec<Term>,
    payload: Option<Term>,
    self_pid: Term,
) -> Vec<u8> {
    packet(
        |h| {
            let mut v = vec![Term::small(op)];
            v.extend(elements(h));
            make_tuple(h, &v)
        },
        payload,
        self_pid,
    )
}

/// A packet read: its control message and payload, decoded onto `heap`.
pub struct Decoded {
    pub control: Term,
    pub payload: Option<Term>,
}

/// Decodes a (non-empty) packet; None if it is malformed.
pub fn decode(heap: &mut Heap, bytes: &[u8]) -> Option<Decoded> {
    if bytes.first() != Some(&PASS_THROUGH) {
        return None;
    }
    let (control, used) = etf::decode_on(heap, &bytes[1..], false).ok()?;
    if !is_tuple(control) || tuple_arity(control) == 0 {
        return None;
    }
    let op = tuple_get(control, 0).as_small()?;
    let rest = &bytes[1 + used..];
    let payload = if has_payload(op) {
        let (p, n) = etf::decode_on(heap, rest, false).ok()?;
        if n != rest.len() {
            return None;
        }
        Some(p)
    } else {
        if !rest.is_empty() {
            return None;
        }
        None
    };
    Some(Decoded { control, payload })
}
