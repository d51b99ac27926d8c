//! The `udp_inet` side of the driver: datagrams are read one at a time when they are
//! wanted (an active socket, a pending `recvfrom`), never buffered in the driver, and
//! sent at once. Messages: `{udp, S, IP, Port, Data}` and `{udp_passive, S}` in the
//! active modes; a passive `recvfrom` answers `{inet_async, S, Ref, {ok, [Family,
//! PortHi, PortLo | IP bytes ++ Data]}}`, the form `prim_inet:recvfrom/3` decodes.

use super::sys::Addr;
use super::*;

/// The largest datagram read (the reference's default `recbuf`-sized buffer grows
/// to this at most).
const MAX_DATAGRAM: usize = 65_535;

impl Socket {
    /// `PACKET_REQ_RECV`: a passive `recvfrom`.
    pub(super) fn recv_datagram(
        &self,
        st: &mut State,
        caller: u64,
        data: &[u8],
    ) -> Result<Vec<u8>, Errno> {
        if data.len() < 8 {
            return Err(libc::EINVAL);
        }
        let time = u32::from_be_bytes(data[..4].try_into().unwrap());
        if st.opts.active != Active::Passive {
            return Err(libc::EINVAL);
        }
        if st.recv.is_some() {
            return Err(libc::EALREADY);
        }
        st.fd()?;
        let reference = st.new_ref();
        st.recv = Some(Pending {
            caller,
            reference,
            len: 0,
        });
        self.read_datagrams(st);
        if st.recv.is_some() {
            self.wait_for(st, caller, reference, time, |st, _| st.recv = None);
        }
        Ok(reference.to_be_bytes().to_vec())
    }

    /// Reads datagrams while someone wants them: the pending `recvfrom`, or the
    /// owner of an active socket (`read_packets` at a time at most).
    pub(super) fn read_datagrams(&self, st: &mut State) {
        let mut budget = st.opts.read_packets.max(1);
        while budget > 0 && (st.recv.is_some() || st.opts.active != Active::Passive) {
            budget -= 1;
            let Some(fd) = st.fd.as_ref() else { return };
            let mut buf = vec![0u8; (st.opts.buffer as usize).clamp(1, MAX_DATAGRAM)];
            let (n, from) = match fd.recv_from(&mut buf) {
                Ok((n, Some(from))) => (n, from),
                Ok((_, None)) => continue,
                Err(libc::EAGAIN) | Err(libc::EINTR) => return,
                Err(e) => {
                    if let Some(p) = st.recv.take() {
                        self.async_error(p.caller, p.reference, errno_atom(e));
                    }
                    return;
                }
            };
            buf.truncate(n);
            st.stats.recv_oct += n as u64;
            Self::count_packet(st, n);
            match st.recv.take() {
                Some(p) => self.datagram_reply(st, p, from, &buf),
                None => self.datagram_message(st, from, &buf),
            }
        }
    }

    fn datagram_reply(&self, st: &State, p: Pending, from: Addr, data: &[u8]) {
        let mut header = Vec::new();
        from.encode(&mut header);
        let binary = st.opts.binary;
        let me = self.term();
        let words = 8 + 2 * header.len() + data_words(data, binary);
        send(p.caller, words, |f| {
            let tail = data_term(f, data, binary);
            let d = bytes_to_list(f, &header, tail);
            let ok = make_tuple(f, &[atom("ok"), d]);
            make_tuple(
                f,
                &[atom("inet_async"), me, Term::small(p.reference as i64), ok],
            )
        });
    }

    fn datagram_message(&self, st: &mut State, from: Addr, data: &[u8]) {
        let binary = st.opts.binary;
        let me = self.term();
        let (ip, port) = match from {
            Addr::V4(ip, port) => (ip.iter().map(|&b| b as u16).collect::<Vec<_>>(), port),
            Addr::V6(ip, port, _, _) => (
                ip.chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect(),
                port,
            ),
        };
        self.to_owner(6 + 9 + data_words(data, binary), |f| {
            let parts: Vec<Term> = ip.iter().map(|&x| Term::small(x as i64)).collect();
            let ip = make_tuple(f, &parts);
            let d = data_term(f, data, binary);
            make_tuple(f, &[atom("udp"), me, ip, Term::small(port as i64), d])
        });
        self.count_delivered(st, "udp_passive");
    }

    /// `port_command` on a UDP socket: `[Address, AncillaryLength:32, Ancillary,
    /// Data]` as `prim_inet:sendto/4` builds it; sent at once.
    pub(super) fn send_datagram(&self, st: &mut State, data: &[u8]) -> Result<(), Term> {
        let einval = || atom("einval");
        let (to, rest) = Addr::decode(data, st.v6).ok_or_else(einval)?;
        let anc = rest.get(..4).ok_or_else(einval)?;
        let anc_len = u32::from_be_bytes(anc.try_into().unwrap()) as usize;
        let payload = rest.get(4 + anc_len..).ok_or_else(einval)?;
        let fd = st.fd().map_err(errno_atom)?;
        fd.send_to(payload, to).map_err(errno_atom)?;
        st.stats.send_cnt += 1;
        st.stats.send_max = st.stats.send_max.max(payload.len() as u64);
        st.stats.send_oct += payload.len() as u64;
        Ok(())
    }
}
