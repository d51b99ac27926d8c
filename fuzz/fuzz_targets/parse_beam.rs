#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match oxbeam_loader::parse_beam("fuzz.beam", data) {
        Ok(beam) => {
            // Exercise the listing code too (operand printing, literal display, lines).
            let _ = oxbeam_loader::disassemble(&beam);
            for i in 0..beam.atoms.len() as u32 + 2 {
                let _ = beam.atom(i);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
