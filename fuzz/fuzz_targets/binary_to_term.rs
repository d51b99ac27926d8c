//! binary_to_term on the process heap: any input either fails cleanly or decodes to a
//! term that re-encodes and decodes to an equal term. Never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = oxbeam_emu::bifs::etf::fuzz_round_trip(data);
});
