#![no_main]

use libfuzzer_sys::fuzz_target;
use oxbeam_loader::ext_term::{decode, decode_body};

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = decode(data) {
        let c = t.clone();
        assert_eq!(t, c);
        let _ = t.to_string();
        let _ = format!("{t:?}");
    }
    if let Ok((t, n)) = decode_body(data) {
        assert!(n <= data.len());
        let _ = t.to_string();
    }
});
