//! The one-shot functions of the `zlib` module (`compress`, `uncompress`, `zip`,
//! `unzip`, `gzip`, `gunzip`) as native functions, using zlib itself (through flate2's
//! zlib backend) so the bytes are identical to the reference's. The streaming API
//! (`zlib:open/0`, `deflate/2`, ...) is a later issue.

use super::reg;
use crate::bif::{BifFn, BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use oxbeam_term::{Atom, Term};

fn data_error() -> Fault {
    Fault::Error(Term::atom(Atom::from_str("data_error")))
}

/// Deflates `input` in one go. `window_bits` as zlib's deflateInit2: 15 zlib, -15 raw,
/// 31 gzip.
fn deflate(input: &[u8], format: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    match format {
        31 => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
            use std::io::Write;
            let _ = e.write_all(input);
            return e.finish().unwrap_or_default();
        }
        _ => {
            let mut c = Compress::new(Compression::default(), format > 0);
            loop {
                out.reserve(input.len() / 2 + 1024);
                let consumed = c.total_in() as usize;
                match c.compress_vec(&input[consumed..], &mut out, FlushCompress::Finish) {
                    Ok(Status::StreamEnd) => break,
                    Ok(_) => continue,
                    Err(_) => break,
                }
            }
        }
    }
    out
}

fn inflate(input: &[u8], format: i32) -> Result<Vec<u8>, Fault> {
    if format == 31 {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(input)
            .read_to_end(&mut out)
            .map_err(|_| data_error())?;
        return Ok(out);
    }
    let mut d = Decompress::new(format > 0);
    let mut out = Vec::with_capacity(input.len() * 3 + 64);
    loop {
        out.reserve(input.len() * 2 + 1024);
        let consumed = d.total_in() as usize;
        match d.decompress_vec(&input[consumed..], &mut out, FlushDecompress::Finish) {
            Ok(Status::StreamEnd) => return Ok(out),
            Ok(Status::Ok) | Ok(Status::BufError) => {
                if d.total_in() as usize >= input.len() && out.len() < out.capacity() {
                    // Ran out of input before the end of the stream.
                    return Err(data_error());
                }
            }
            Err(_) => return Err(data_error()),
        }
    }
}

fn one_shot(p: &mut Process, data: Term, f: impl Fn(&[u8]) -> Result<Vec<u8>, Fault>) -> BifResult {
    let bytes = super::iodata_bytes(data).ok_or(BADARG)?;
    let out = f(&bytes)?;
    Ok(make_binary(&mut p.heap, &out))
}

fn compress(p: &mut Process, a: &[Term]) -> BifResult {
    // zlib's default level, as zlib:compress/1.
    one_shot(p, a[0], |b| Ok(super::etf::zlib_compress(b, 6)))
}
fn uncompress(p: &mut Process, a: &[Term]) -> BifResult {
    one_shot(p, a[0], |b| inflate(b, 15))
}
fn zip(p: &mut Process, a: &[Term]) -> BifResult {
    one_shot(p, a[0], |b| Ok(deflate(b, -15)))
}
fn unzip(p: &mut Process, a: &[Term]) -> BifResult {
    one_shot(p, a[0], |b| inflate(b, -15))
}
fn gzip(p: &mut Process, a: &[Term]) -> BifResult {
    one_shot(p, a[0], |b| Ok(deflate(b, 31)))
}
fn gunzip(p: &mut Process, a: &[Term]) -> BifResult {
    one_shot(p, a[0], |b| inflate(b, 31))
}

pub fn register() {
    let list: &[(&str, BifFn)] = &[
        ("compress", compress),
        ("uncompress", uncompress),
        ("zip", zip),
        ("unzip", unzip),
        ("gzip", gzip),
        ("gunzip", gunzip),
    ];
    for &(f, fun) in list {
        reg("zlib", f, 1, fun);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_zlib_bytes() {
        // zlib:compress(<<"hello hello hello">>) on erl 25.
        let expected = [
            120, 156, 203, 72, 205, 201, 201, 87, 200, 64, 144, 0, 58, 46, 6, 125,
        ];
        let c = deflate(b"hello hello hello", 15);
        assert_eq!(c, expected);
        assert_eq!(inflate(&c, 15).unwrap(), b"hello hello hello");
        let z = deflate(b"abcabcabc", -15);
        assert_eq!(inflate(&z, -15).unwrap(), b"abcabcabc");
        let g = deflate(b"gz", 31);
        assert_eq!(inflate(&g, 31).unwrap(), b"gz");
        assert!(inflate(&[1, 2, 3], 15).is_err());
    }
}
