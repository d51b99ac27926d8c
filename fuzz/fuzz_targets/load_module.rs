//! The whole load path short of installing: parse a `.beam`, then translate its code into
//! the interpreter's instructions (operand checks, label resolution, fusion, select
//! tables). Malformed input must give an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(beam) = oxbeam_loader::parse_beam("fuzz.beam", data) {
        if let Err(e) = oxbeam_emu::transform::build_module(&beam) {
            let _ = e.to_string();
        }
    }
});
