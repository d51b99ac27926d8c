//! Copying bit ranges between byte buffers (MSB-first bit order, as Erlang binaries).

/// Copies `nbits` bits from `src` starting at bit `src_off` into `dst` at bit `dst_off`.
pub fn copy_bits(src: &[u8], src_off: usize, dst: &mut [u8], dst_off: usize, nbits: usize) {
    if src_off.is_multiple_of(8) && dst_off.is_multiple_of(8) {
        let whole = nbits / 8;
        let (s, d) = (src_off / 8, dst_off / 8);
        dst[d..d + whole].copy_from_slice(&src[s..s + whole]);
        let rem = nbits % 8;
        if rem > 0 {
            let mask = 0xffu8 << (8 - rem);
            dst[d + whole] = (dst[d + whole] & !mask) | (src[s + whole] & mask);
        }
        return;
    }
    for i in 0..nbits {
        let sb = src_off + i;
        let bit = (src[sb / 8] >> (7 - sb % 8)) & 1;
        let db = dst_off + i;
        let mask = 1u8 << (7 - db % 8);
        if bit == 1 {
            dst[db / 8] |= mask;
        } else {
            dst[db / 8] &= !mask;
        }
    }
}
