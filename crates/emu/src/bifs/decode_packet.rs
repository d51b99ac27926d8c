//! `erlang:decode_packet/3`: the packet types of the reference's socket driver (raw,
//! length headers of 1/2/4 bytes, asn1, sunrm, cdr, fcgi, tpkt, line, http and httph
//! with their `_bin` forms, ssl_tls), with `packet_size`, `line_length` and
//! `line_delimiter`. Written from the reference's documented and observed behaviour:
//! the length rules (`packet_length`) decide between `{ok, Packet, Rest}`, `{more,
//! Length}` and `{error, invalid}`; the http rules (`parse_http`) turn a request,
//! status or header line into its tuple, or `{http_error, Line}`.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Raw,
    P1,
    P2,
    P4,
    Asn1,
    SunRm,
    Cdr,
    Fcgi,
    Line,
    Tpkt,
    Http,
    HttpH,
    HttpBin,
    HttpHBin,
    SslTls,
}

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

fn kind(t: Term) -> Option<Kind> {
    if let Some(n) = t.as_small() {
        return match n {
            0 => Some(Kind::Raw),
            1 => Some(Kind::P1),
            2 => Some(Kind::P2),
            4 => Some(Kind::P4),
            _ => None,
        };
    }
    Some(match t.as_atom()?.name() {
        "raw" => Kind::Raw,
        "asn1" => Kind::Asn1,
        "sunrm" => Kind::SunRm,
        "cdr" => Kind::Cdr,
        "fcgi" => Kind::Fcgi,
        "line" => Kind::Line,
        "tpkt" => Kind::Tpkt,
        "http" => Kind::Http,
        "httph" => Kind::HttpH,
        "http_bin" => Kind::HttpBin,
        "httph_bin" => Kind::HttpHBin,
        "ssl_tls" => Kind::SslTls,
        _ => return None,
    })
}

fn is_http(k: Kind) -> bool {
    matches!(k, Kind::Http | Kind::HttpH | Kind::HttpBin | Kind::HttpHBin)
}

fn u16_at(b: &[u8], i: usize) -> u32 {
    (b[i] as u32) << 8 | b[i + 1] as u32
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// A packet's length as the reference works it out.
enum Length {
    /// The whole packet (header included) is this many bytes.
    Total(i64),
    /// Not enough data to tell.
    Unknown,
    Invalid,
}

/// Header length `hlen` and body length `plen` checked against `max` (0: the largest
/// the reference allows), in its 32-bit arithmetic.
fn remain(hlen: u32, plen: u32, max: u32) -> Length {
    let max = if max == 0 {
        i32::MAX as u32 - hlen
    } else {
        max
    };
    if plen > max {
        return Length::Invalid;
    }
    match hlen.wrapping_add(plen) as i32 {
        t if t < 0 => Length::Invalid,
        0 => Length::Unknown,
        t => Length::Total(t as i64),
    }
}

fn is_sp(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn packet_length(k: Kind, b: &[u8], max: u32, trunc: u32, delim: u8, header_state: bool) -> Length {
    let n = b.len();
    match k {
        Kind::Raw => {
            if n == 0 {
                Length::Unknown
            } else {
                Length::Total(n as i64)
            }
        }
        Kind::P1 | Kind::P2 | Kind::P4 | Kind::SunRm => {
            let hlen = match k {
                Kind::P1 => 1,
                Kind::P2 => 2,
                _ => 4,
            };
            if n < hlen {
                return Length::Unknown;
            }
            let plen = match k {
                Kind::P1 => b[0] as u32,
                Kind::P2 => u16_at(b, 0),
                Kind::P4 => u32_at(b, 0),
                _ => u32_at(b, 0) & 0x7fff_ffff,
            };
            remain(hlen as u32, plen, max)
        }
        Kind::Line => match b.iter().position(|&c| c == delim) {
            None => {
                if max != 0 && n > max as usize {
                    Length::Invalid
                } else if trunc != 0 && n >= trunc as usize {
                    Length::Total(trunc as i64)
                } else {
                    Length::Unknown
                }
            }
            Some(i) => {
                let len = i + 1;
                if max != 0 && len > max as usize {
                    Length::Invalid
                } else if trunc != 0 && len > trunc as usize {
                    Length::Total(trunc as i64)
                } else {
                    Length::Total(len as i64)
                }
            }
        },
        Kind::Asn1 => asn1_length(b, max),
        Kind::Cdr => {
            if n < 12 {
                return Length::Unknown;
            }
            if &b[..4] != b"GIOP" {
                return Length::Invalid;
            }
            let size = [b[8], b[9], b[10], b[11]];
            let plen = if b[6] & 1 != 0 {
                u32::from_le_bytes(size)
            } else {
                u32::from_be_bytes(size)
            };
            remain(12, plen, max)
        }
        Kind::Fcgi => {
            if n < 8 {
                return Length::Unknown;
            }
            if b[0] != 1 {
                return Length::Invalid;
            }
            remain(8, u16_at(b, 4) + b[6] as u32, max)
        }
        Kind::Tpkt => {
            if n < 4 {
                return Length::Unknown;
            }
            if b[0] != 3 {
                return Length::Invalid;
            }
            remain(4, u16_at(b, 2).wrapping_sub(4), max)
        }
        Kind::SslTls => {
            if n < 5 {
                return Length::Unknown;
            }
            let plen = if b[0] & 0x80 != 0 && b[2] == 1 {
                (u16_at(b, 0) & 0x7fff).wrapping_sub(3)
            } else {
                u16_at(b, 3)
            };
            remain(5, plen, max)
        }
        Kind::Http | Kind::HttpH | Kind::HttpBin | Kind::HttpHBin => {
            http_length(b, max, trunc, header_state)
        }
    }
}

fn asn1_length(b: &[u8], max: u32) -> Length {
    let n = b.len();
    if n < 2 {
        return Length::Unknown;
    }
    // `t` indexes the byte looked at; `nn` counts the bytes from `t` on.
    let mut t = 1;
    let mut nn = n - 1;
    if b[0] & 0x1f == 0x1f {
        // Long tag: continuation bytes have the top bit set.
        while nn > 0 && b[t] & 0x80 != 0 {
            t += 1;
            nn -= 1;
        }
        if nn < 2 {
            return Length::Unknown;
        }
        t += 1;
        nn -= 1;
    }
    let length = (b[t] & 0x7f) as usize;
    let plen;
    if b[t] & 0x80 != 0 {
        t += 1;
        nn -= 1;
        if nn < length {
            return Length::Unknown;
        }
        plen = match length {
            0 => 0,
            1..=4 => b[t..t + length]
                .iter()
                .fold(0u32, |acc, &c| acc << 8 | c as u32),
            _ => return Length::Invalid,
        };
        t += length;
    } else {
        t += 1;
        plen = length as u32;
    }
    remain(t as u32, plen, max)
}

/// An http line: up to its newline, or, for a header, on over continuation lines
/// (a newline followed by a space or tab).
fn http_length(b: &[u8], max: u32, trunc: u32, header_state: bool) -> Length {
    let n = b.len();
    if (n == 1 && b[0] == b'\n') || (n == 2 && b == b"\r\n") {
        return Length::Total(n as i64);
    }
    // `line_length` limits http lines when `packet_size` is not given.
    let max = if max == 0 { trunc } else { max } as usize;
    let mut from = 0;
    loop {
        let Some(i) = b[from..].iter().position(|&c| c == b'\n') else {
            if max != 0 && n >= max {
                return Length::Invalid;
            }
            return Length::Unknown;
        };
        let plen = from + i + 1;
        let too_long = max != 0 && plen > max;
        if !header_state {
            return if too_long {
                Length::Invalid
            } else {
                Length::Total(plen as i64)
            };
        }
        if plen < n {
            if is_sp(b[plen]) && plen > 2 {
                from = plen;
                continue;
            }
            return if too_long {
                Length::Invalid
            } else {
                Length::Total(plen as i64)
            };
        }
        return if too_long {
            Length::Invalid
        } else {
            Length::Unknown
        };
    }
}

/// Characters that end an http token (method or header name).
fn is_tspecial(c: u8) -> bool {
    !(33..128).contains(&c) || b"()<>@,;:\\\"/[]?={} \t".contains(&c)
}

const METHODS: [&str; 7] = ["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE"];

const HEADERS: [&str; 52] = [
    "Cache-Control",
    "Connection",
    "Date",
    "Pragma",
    "Transfer-Encoding",
    "Upgrade",
    "Via",
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Authorization",
    "From",
    "Host",
    "If-Modified-Since",
    "If-Match",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Max-Forwards",
    "Proxy-Authorization",
    "Range",
    "Referer",
    "User-Agent",
    "Age",
    "Location",
    "Proxy-Authenticate",
    "Public",
    "Retry-After",
    "Server",
    "Vary",
    "Warning",
    "Www-Authenticate",
    "Allow",
    "Content-Base",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Location",
    "Content-Md5",
    "Content-Range",
    "Content-Type",
    "Etag",
    "Expires",
    "Last-Modified",
    "Accept-Ranges",
    "Set-Cookie",
    "Set-Cookie2",
    "X-Forwarded-For",
    "Cookie",
    "Keep-Alive",
    "Proxy-Connection",
];

/// Header names longer than this are not recognised (nor their case adjusted).
const MAX_NAME: usize = 50;

/// Builds terms for http results: strings as lists, or binaries for the `_bin` types.
struct Http<'a> {
    a: &'a mut dyn Alloc,
    bin: bool,
}

impl Http<'_> {
    fn string(&mut self, s: &[u8]) -> Term {
        if self.bin {
            make_binary(self.a, s)
        } else {
            bytes_to_list(self.a, s, Term::NIL)
        }
    }
    fn tuple(&mut self, items: &[Term]) -> Term {
        make_tuple(self.a, items)
    }
}

/// Leading decimal digits of `s` from `*i` (their value; the reference's `int`).
fn digits(s: &[u8], i: &mut usize) -> (i64, usize) {
    let start = *i;
    let mut v: i64 = 0;
    while *i < s.len() && s[*i].is_ascii_digit() {
        v = (v.wrapping_mul(10).wrapping_add((s[*i] - b'0') as i64)) as i32 as i64;
        *i += 1;
    }
    (v, *i - start)
}

fn skip_sp(s: &[u8], i: &mut usize) -> usize {
    let start = *i;
    while *i < s.len() && is_sp(s[*i]) {
        *i += 1;
    }
    *i - start
}

/// `Major.Minor` after "HTTP/" at `*i`.
fn version(s: &[u8], i: &mut usize) -> Option<(i64, i64)> {
    let (major, n) = digits(s, i);
    if n == 0 || *i >= s.len() || s[*i] != b'.' {
        return None;
    }
    *i += 1;
    let (minor, n) = digits(s, i);
    (n > 0).then_some((major, minor))
}

fn uri(h: &mut Http, u: &[u8]) -> Term {
    if u == b"*" {
        return atom("*");
    }
    if u.len() <= 1 || u[0] == b'/' {
        let s = h.string(u);
        return h.tuple(&[atom("abs_path"), s]);
    }
    for (prefix, scheme) in [(&b"http://"[..], "http"), (&b"https://"[..], "https")] {
        if u.len() >= prefix.len() && u[..prefix.len()].eq_ignore_ascii_case(prefix) {
            let rest = &u[prefix.len()..];
            let (hostport, path): (&[u8], &[u8]) = match rest.iter().position(|&c| c == b'/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, b"/"),
            };
            let (host, port) = match hostport.iter().position(|&c| c == b':') {
                None => (hostport, 0),
                Some(i) => {
                    let digits_part = &hostport[i + 1..];
                    let mut j = 0;
                    let (v, _) = digits(digits_part, &mut j);
                    let port = if j == digits_part.len() { v } else { 0 };
                    (&hostport[..i], port)
                }
            };
            let host = h.string(host);
            let port = if port != 0 {
                Term::small(port)
            } else {
                Term::atom(am::UNDEFINED)
            };
            let path = h.string(path);
            return h.tuple(&[atom("absoluteURI"), atom(scheme), host, port, path]);
        }
    }
    match u.iter().position(|&c| c == b':') {
        None => h.string(u),
        Some(i) => {
            let s1 = h.string(&u[..i]);
            let s2 = h.string(&u[i + 1..]);
            h.tuple(&[atom("scheme"), s1, s2])
        }
    }
}

/// Parses one http packet (`line`, its line ending included); None if it is not
/// valid (the caller then gives `{http_error, Line}`).
fn parse_http(h: &mut Http, line: &[u8], header_state: bool) -> Option<Term> {
    let mut n = line.len();
    if n >= 2 && line[n - 2] == b'\r' {
        n -= 2;
    } else if n >= 1 && line[n - 1] == b'\n' {
        n -= 1;
    }
    let s = &line[..n];
    if !header_state {
        let mut i;
        if s.starts_with(b"HTTP/") {
            i = 5;
            let (major, minor) = version(s, &mut i)?;
            if skip_sp(s, &mut i) == 0 {
                return None;
            }
            let (status, _) = digits(s, &mut i);
            if skip_sp(s, &mut i) == 0 && i < s.len() {
                return None;
            }
            let v = h.tuple(&[Term::small(major), Term::small(minor)]);
            let phrase = h.string(&s[i..]);
            return Some(h.tuple(&[atom("http_response"), v, Term::small(status), phrase]));
        }
        i = 0;
        while i < s.len() && !is_tspecial(s[i]) {
            i += 1;
        }
        let method = &s[..i];
        if i == s.len() || method.is_empty() || !is_sp(s[i]) {
            return None;
        }
        skip_sp(s, &mut i);
        let u0 = i;
        while i < s.len() && !is_sp(s[i]) {
            i += 1;
        }
        let u = &s[u0..i];
        if u.is_empty() {
            return None;
        }
        skip_sp(s, &mut i);
        let (major, minor) = if i == s.len() {
            (0, 9)
        } else {
            if s.len() - i < 8 || !s[i..].starts_with(b"HTTP/") {
                return None;
            }
            i += 5;
            version(s, &mut i)?
        };
        let m = match METHODS.iter().find(|m| m.as_bytes() == method) {
            Some(m) => atom(m),
            None => h.string(method),
        };
        let u = uri(h, u);
        let v = h.tuple(&[Term::small(major), Term::small(minor)]);
        return Some(h.tuple(&[atom("http_request"), m, u, v]));
    }
    if s.is_empty() {
        return Some(atom("http_eoh"));
    }
    // The header name, with its case adjusted: upper case first and after '-'.
    let mut name = Vec::new();
    let mut up = true;
    let mut i = 0;
    while !is_tspecial(s[i]) {
        let mut c = s[i];
        if up {
            c = c.to_ascii_uppercase();
            up = false;
        } else {
            c = c.to_ascii_lowercase();
            up = c == b'-';
        }
        name.push(c);
        i += 1;
        if i == s.len() {
            return None;
        }
    }
    if s[i] != b':' {
        return None;
    }
    let original = &s[..i];
    let known = if name.len() <= MAX_NAME {
        HEADERS
            .iter()
            .position(|hd| hd.as_bytes() == name.as_slice())
    } else {
        None
    };
    let (bit, name_term) = match known {
        Some(ix) => (ix as i64 + 1, atom(HEADERS[ix])),
        None if name.len() <= MAX_NAME => (0, h.string(&name)),
        None => (0, h.string(original)),
    };
    i += 1;
    skip_sp(s, &mut i);
    let oname = h.string(original);
    let value = h.string(&s[i..]);
    Some(h.tuple(&[
        atom("http_header"),
        Term::small(bit),
        name_term,
        oname,
        value,
    ]))
}

/// `{ssl_tls, [], Type, {Major, Minor}, Data}` (an SSL 2 client hello becomes a
/// handshake record with its length in front).
fn parse_ssl(p: &mut Process, b: &[u8]) -> Term {
    let (ty, major, minor, data) = if b[0] & 0x80 != 0 && b[2] == 1 {
        let body = &b[3..];
        let len = body.len() as u32;
        let mut d = vec![1, (len >> 16) as u8, (len >> 8) as u8, len as u8];
        d.extend_from_slice(body);
        (22, b[3], b[4], d)
    } else {
        (b[0], b[1], b[2], b[5..].to_vec())
    };
    let bin = make_binary(&mut p.heap, &data);
    let v = make_tuple(
        &mut p.heap,
        &[Term::small(major as i64), Term::small(minor as i64)],
    );
    make_tuple(
        &mut p.heap,
        &[atom("ssl_tls"), Term::NIL, Term::small(ty as i64), v, bin],
    )
}

/// An option value: a non-negative integer that fits 32 bits.
fn option_value(t: Term) -> Option<u32> {
    t.as_small().and_then(|v| u32::try_from(v).ok())
}

/// For the inet driver: the first complete packet of type `code` (its `TCP_PB_*`
/// number; not the http types) in `b`, as (its whole length, the range of its body:
/// what is delivered). Ok(None) when more data is needed, Err when it is invalid.
pub(crate) fn driver_packet(
    code: u32,
    b: &[u8],
    max: u32,
    delim: u8,
    header_state: bool,
) -> Result<Option<(usize, std::ops::Range<usize>)>, ()> {
    let k = match code {
        0 => Kind::Raw,
        1 => Kind::P1,
        2 => Kind::P2,
        3 => Kind::P4,
        4 => Kind::Asn1,
        5 => Kind::SunRm,
        6 => Kind::Cdr,
        7 => Kind::Fcgi,
        8 => Kind::Line,
        9 => Kind::Tpkt,
        10 | 13 if header_state => Kind::HttpH,
        10 | 13 => Kind::Http,
        11 | 14 => Kind::HttpH,
        12 => Kind::SslTls,
        _ => return Err(()),
    };
    match packet_length(k, b, max, 0, delim, header_state) {
        Length::Invalid => Err(()),
        Length::Unknown => Ok(None),
        Length::Total(t) if t as usize > b.len() => Ok(None),
        Length::Total(t) => {
            let size = t as usize;
            let body = match k {
                Kind::P1 => 1..size,
                Kind::P2 => 2..size,
                Kind::P4 => 4..size,
                Kind::Fcgi => 0..size - b[6] as usize,
                _ => 0..size,
            };
            Ok(Some((size, body)))
        }
    }
}

/// For the inet driver's http packet types (`TCP_PB_HTTP*` codes 10, 11, 13, 14): the
/// term for one line (`driver_packet` cut it), built with `a`: what `decode_packet`
/// would give, or `{http_error, Line}`. At most `http_term_words(line)` words.
pub(crate) fn driver_http_term(
    code: u32,
    line: &[u8],
    header_state: bool,
    a: &mut dyn Alloc,
) -> Term {
    let mut h = Http { a, bin: code >= 13 };
    match parse_http(&mut h, line, header_state || code == 11 || code == 14) {
        Some(t) => t,
        None => {
            let l = h.string(line);
            h.tuple(&[atom("http_error"), l])
        }
    }
}

/// An upper bound of the words `driver_http_term` uses for `line`: every byte in one
/// string at most (two words a character as a list), and the tuples around them.
pub(crate) fn http_term_words(line: &[u8]) -> usize {
    2 * line.len() + 64
}

/// Whether a driver packet type is one of the http ones.
pub(crate) fn is_http_code(code: u32) -> bool {
    matches!(code, 10 | 11 | 13 | 14)
}

fn decode_packet(p: &mut Process, a: &[Term]) -> BifResult {
    let Some(k) = kind(a[0]) else {
        return Err(Fault::ErrorCause(Term::atom(am::BADARG), atom("badopt")));
    };
    let Some(view) = bit_view(a[1]) else {
        return Err(BADARG);
    };
    if !a[2].is_list() && !a[2].is_nil() {
        return Err(BADARG);
    }
    let (mut max, mut trunc, mut delim) = (0u32, 0u32, b'\n');
    let mut l = a[2];
    while !l.is_nil() {
        if !l.is_list() {
            return Err(BADARG);
        }
        let o = head(l);
        let ok = is_tuple(o) && tuple_arity(o) == 2 && {
            let v = option_value(tuple_get(o, 1));
            match (tuple_get(o, 0).as_atom().map(|x| x.name()), v) {
                (Some("packet_size"), Some(v)) => {
                    max = v;
                    true
                }
                (Some("line_length"), Some(v)) => {
                    trunc = v;
                    true
                }
                (Some("line_delimiter"), Some(v)) if k == Kind::Line && v <= 255 => {
                    delim = v as u8;
                    true
                }
                _ => false,
            }
        };
        if !ok {
            return Err(BADARG);
        }
        l = tail(l);
    }
    let bytes_len = view.bit_size / 8;
    // The whole bytes (trailing bits stay in the rest), borrowed when aligned: a
    // caller cutting a large buffer into many packets then pays for each packet only.
    let bytes: std::borrow::Cow<[u8]> = if view.bit_offset.is_multiple_of(8) {
        let s = view.bit_offset / 8;
        std::borrow::Cow::Borrowed(&view.data[s..s + bytes_len])
    } else {
        let mut v = vec![0u8; bytes_len];
        crate::bits::copy_bits(view.data, view.bit_offset, &mut v, 0, bytes_len * 8);
        std::borrow::Cow::Owned(v)
    };
    let header_state = matches!(k, Kind::HttpH | Kind::HttpHBin);
    let size = match packet_length(k, &bytes, max, trunc, delim, header_state) {
        Length::Invalid => {
            return Ok(make_tuple(
                &mut p.heap,
                &[Term::atom(am::ERROR), atom("invalid")],
            ));
        }
        Length::Total(t) if (t as usize) <= bytes_len => t as usize,
        Length::Total(t) => {
            let n = make_i64(&mut p.heap, t);
            return Ok(make_tuple(&mut p.heap, &[atom("more"), n]));
        }
        Length::Unknown => {
            return Ok(make_tuple(
                &mut p.heap,
                &[atom("more"), Term::atom(am::UNDEFINED)],
            ));
        }
    };
    let packet = &bytes[..size];
    let result = if is_http(k) {
        let bin = matches!(k, Kind::HttpBin | Kind::HttpHBin);
        let mut h = Http {
            a: &mut p.heap,
            bin,
        };
        match parse_http(&mut h, packet, header_state) {
            Some(t) => t,
            None => {
                let line = h.string(packet);
                h.tuple(&[atom("http_error"), line])
            }
        }
    } else if k == Kind::SslTls {
        parse_ssl(p, packet)
    } else {
        let (start, len) = match k {
            Kind::P1 => (1, size - 1),
            Kind::P2 => (2, size - 2),
            Kind::P4 => (4, size - 4),
            Kind::Fcgi => (0, size - packet[6] as usize),
            _ => (0, size),
        };
        make_sub_binary(&mut p.heap, a[1], start * 8, len * 8)
    };
    let rest = make_sub_binary(&mut p.heap, a[1], size * 8, view.bit_size - size * 8);
    Ok(make_tuple(&mut p.heap, &[atom("ok"), result, rest]))
}

pub fn register() {
    reg("erlang", "decode_packet", 3, decode_packet);
}
