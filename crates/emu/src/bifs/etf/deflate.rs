//! zlib compression for `term_to_binary(T, [compressed])`, through flate2's zlib
//! backend (the system's or a bundled zlib), so the bytes are the reference's: it calls
//! zlib's `compress2` too.

use flate2::{Compress, Compression, FlushCompress, Status};

/// `compress2(data, level)` for levels 1..=9: the complete zlib stream.
pub fn zlib_compress(data: &[u8], level: u32) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(level.clamp(1, 9)), true);
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        out.reserve(data.len() / 4 + 1024);
        let consumed = c.total_in() as usize;
        match c.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return out,
            Ok(_) => {}
            // Compressing an in-memory buffer cannot fail; keep what was produced.
            Err(_) => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inflate(z: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(z)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn round_trips_at_every_level() {
        let mut data = Vec::new();
        let mut x: u32 = 12345;
        for i in 0..200_000u32 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            // Compressible but not trivial: a small alphabet with repeats.
            data.push(if i % 7 == 0 {
                (x >> 16) as u8
            } else {
                b"abcabcabd"[(x >> 20) as usize % 9]
            });
        }
        for level in 1..=9 {
            let z = zlib_compress(&data, level);
            assert_eq!(inflate(&z), data, "level {level}");
        }
        for small in [&b"a"[..], b"ab", b"abc", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"] {
            assert_eq!(inflate(&zlib_compress(small, 6)), small);
        }
    }

    /// Text-like data with some random bytes, long enough to slide the window and
    /// span many blocks.
    fn sample_input(n: usize) -> Vec<u8> {
        let words: [&[u8]; 8] = [
            b"erlang",
            b"beam",
            b"term",
            b"binary",
            b"the",
            b"of",
            b"compress",
            b"zlib ",
        ];
        let mut x: u32 = 12345;
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            if (x >> 16).is_multiple_of(11) {
                out.push((x >> 8) as u8);
            } else {
                out.extend_from_slice(words[((x >> 20) % 8) as usize]);
            }
        }
        out.truncate(n);
        out
    }

    #[test]
    fn matches_stock_zlib_at_every_level() {
        // (level, length, crc32) of zlib 1.2.13's compress2 output for sample_input(300000).
        let expected = [
            (1, 75204, 2191347671u32),
            (2, 71100, 1124240744),
            (3, 64804, 585184485),
            (4, 62728, 3486560132),
            (5, 59794, 1978417647),
            (6, 55816, 3680819799),
            (7, 54290, 3100196906),
            (8, 52452, 2765917567),
            (9, 52452, 2765917567),
        ];
        let data = sample_input(300_000);
        for (level, len, crc) in expected {
            let z = zlib_compress(&data, level);
            let mut c = flate2::Crc::new();
            c.update(&z);
            assert_eq!((z.len(), c.sum()), (len, crc), "level {level}");
        }
    }

    #[test]
    fn matches_zlib_output() {
        // zlib.compress(b"hello hello hello hello", 6) from a stock zlib.
        let z = zlib_compress(b"hello hello hello hello", 6);
        assert_eq!(
            z,
            [120, 156, 203, 72, 205, 201, 201, 87, 200, 64, 39, 1, 104, 3, 8, 177]
        );
    }
}
