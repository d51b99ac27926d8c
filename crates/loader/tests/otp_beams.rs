//! Parses every `.beam` file shipped with the installed OTP 25 and Elixir 1.14, and checks
//! a few modules' tables against what `beam_lib` reports.

use oxbeam_loader::{parse_beam, BeamFile};
use std::path::{Path, PathBuf};

const BEAM_ROOTS: &[&str] = &["/usr/lib/erlang/lib", "/usr/lib/elixir/lib"];

/// All `*/ebin/*.beam` files under the roots; panics if a root or its ebin dirs are missing.
fn all_beams() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in BEAM_ROOTS {
        let apps = std::fs::read_dir(root).unwrap_or_else(|e| {
            panic!("{root} is missing ({e}); OTP 25 and Elixir 1.14 are required")
        });
        let mut ebins = 0;
        for app in apps {
            let ebin = app.unwrap().path().join("ebin");
            let Ok(entries) = std::fs::read_dir(&ebin) else {
                continue;
            };
            ebins += 1;
            for e in entries {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "beam") {
                    out.push(p);
                }
            }
        }
        assert!(ebins > 0, "no */ebin directories under {root}");
    }
    out.sort();
    out
}

fn load(path: &Path) -> BeamFile {
    let bytes = std::fs::read(path).unwrap();
    parse_beam(&path.to_string_lossy(), &bytes).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn parse_every_installed_beam() {
    let files = all_beams();
    assert!(files.len() > 500, "only {} beam files found", files.len());
    let mut failures = Vec::new();
    let mut instrs = 0usize;
    let mut literals = 0usize;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        match parse_beam(&f.to_string_lossy(), &bytes) {
            Ok(b) => {
                let stem = f.file_stem().unwrap().to_string_lossy();
                assert_eq!(b.module, stem, "module name of {}", f.display());
                assert_eq!(b.module, b.atoms[0]);
                assert!(!b.code.is_empty());
                assert_eq!(b.chunks.first().map(|c| c.0.as_str()), Some("AtU8"));
                instrs += b.code.len();
                literals += b.literals.len();
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    println!(
        "parsed {} beam files: {instrs} instructions, {literals} literals",
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Expected counts, obtained with OTP 25.2 by running
/// `erl -noshell -eval 'F = code:which(lists), {ok,{M,[{exports,E},{imports,I}]}} =
///  beam_lib:chunks(F,[exports,imports]), {ok,{_,[{atoms,A}]}} = beam_lib:chunks(F,[atoms]),
///  {ok,{_,[{locals,L}]}} = beam_lib:chunks(F,[locals]),
///  io:format("~p ~p ~p ~p ~p~n",[M,length(E),length(I),length(A),length(L)]), halt().'`
/// for each file below.
const EXPECTED: &[(&str, usize, usize, usize, usize)] = &[
    // (file, exports, imports, atoms, locals)
    (
        "/usr/lib/erlang/lib/stdlib-4.2/ebin/lists.beam",
        88,
        20,
        222,
        134,
    ),
    (
        "/usr/lib/erlang/lib/stdlib-4.2/ebin/maps.beam",
        34,
        13,
        69,
        19,
    ),
    (
        "/usr/lib/erlang/lib/stdlib-4.2/ebin/erl_parse.beam",
        26,
        48,
        826,
        601,
    ),
    (
        "/usr/lib/elixir/lib/elixir/ebin/Elixir.Enum.beam",
        115,
        68,
        536,
        375,
    ),
    (
        "/usr/lib/elixir/lib/elixir/ebin/Elixir.Kernel.beam",
        161,
        152,
        438,
        91,
    ),
];

#[test]
fn tables_match_beam_lib() {
    for &(file, exports, imports, atoms, locals) in EXPECTED {
        let b = load(Path::new(file));
        assert_eq!(b.exports.len(), exports, "exports of {file}");
        assert_eq!(b.imports.len(), imports, "imports of {file}");
        assert_eq!(b.atoms.len(), atoms, "atoms of {file}");
        assert_eq!(b.locals.len(), locals, "locals of {file}");
    }
}

#[test]
fn lists_details() {
    let b = load(Path::new("/usr/lib/erlang/lib/stdlib-4.2/ebin/lists.beam"));
    assert_eq!(b.module, "lists");
    assert_eq!(b.instruction_set, 0);
    let has_export = |name: &str, arity: u32| {
        b.exports
            .iter()
            .any(|e| b.atom(e.function) == name && e.arity == arity)
    };
    assert!(has_export("reverse", 1));
    assert!(has_export("module_info", 0));
    assert!(b
        .imports
        .iter()
        .any(|i| b.atom(i.module) == "erlang" && b.atom(i.function) == "++" && i.arity == 2));
    // The first function is keyfind/3, a NIF stub: label, line, func_info.
    use oxbeam_loader::compact::Operand;
    use oxbeam_loader::opcodes::Opcode;
    assert_eq!(b.code[0].op, Opcode::Label);
    assert_eq!(b.code[1].op, Opcode::Line);
    assert_eq!(b.code[2].op, Opcode::FuncInfo);
    match &b.code[2].args[..] {
        [Operand::Atom(m), Operand::Atom(f), Operand::Unsigned(3)] => {
            assert_eq!(b.atom(*m), "lists");
            assert_eq!(b.atom(*f), "keyfind");
        }
        other => panic!("{other:?}"),
    }
    // line 1 is lists.erl:83 (keyfind/3's head)
    assert_eq!(b.location(1), Some(("lists.erl".to_string(), 83)));
    let lines = b.lines.as_ref().unwrap();
    assert_eq!(lines.items[0], oxbeam_loader::LineItem { file: 0, line: 0 });
    assert!(b.attributes.is_some());
    assert!(b.compile_info.is_some());
    assert!(b.type_chunk.is_some());
    let listing = oxbeam_loader::disassemble(&b);
    assert!(listing.contains("func_info {atom,lists} {atom,keyfind} 3"));
    assert!(listing.contains("% erlang:'++'/2"));
}

#[test]
fn disassemble_a_few() {
    for f in [
        "/usr/lib/erlang/lib/stdlib-4.2/ebin/maps.beam",
        "/usr/lib/elixir/lib/elixir/ebin/Elixir.Enum.beam",
    ] {
        let b = load(Path::new(f));
        let text = oxbeam_loader::disassemble(&b);
        assert!(text.lines().count() > b.code.len());
    }
}

/// Rebuilds an IFF image from chunks (padding each to 4 bytes).
fn build_beam(chunks: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut body = b"BEAM".to_vec();
    for (id, data) in chunks {
        body.extend_from_slice(id.as_bytes());
        body.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
    }
    let mut out = b"FOR1".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend(body);
    out
}

/// The same module with its literal table stored uncompressed (size field 0).
fn with_uncompressed_literals(b: &BeamFile) -> Vec<u8> {
    let chunks: Vec<(String, Vec<u8>)> = b
        .chunks
        .iter()
        .map(|(id, data)| {
            if id != "LitT" {
                return (id.clone(), data.clone());
            }
            let size = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
            let mut table = Vec::with_capacity(size);
            use std::io::Read;
            flate2::read::ZlibDecoder::new(&data[4..])
                .read_to_end(&mut table)
                .unwrap();
            assert_eq!(table.len(), size);
            let mut raw = vec![0, 0, 0, 0];
            raw.extend(table);
            (id.clone(), raw)
        })
        .collect();
    build_beam(&chunks)
}

#[test]
fn uncompressed_literal_table() {
    let b = load(Path::new(
        "/usr/lib/elixir/lib/elixir/ebin/Elixir.Enum.beam",
    ));
    let bytes = with_uncompressed_literals(&b);
    let b2 = parse_beam("Enum-uncompressed.beam", &bytes).unwrap();
    assert_eq!(b.literals, b2.literals);
    assert_eq!(b.code, b2.code);
}

#[test]
fn gzipped_beam() {
    use std::io::Write;
    let path = "/usr/lib/erlang/lib/stdlib-4.2/ebin/maps.beam";
    let bytes = std::fs::read(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    let b = parse_beam("maps.beam.gz", &gz).unwrap();
    assert_eq!(b.code, load(Path::new(path)).code);
}

/// Tiny deterministic PRNG (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn truncated_and_corrupted_beams_never_panic() {
    // A small module that still has LitT, FunT, Line and Type chunks.
    let path = Path::new("/usr/lib/erlang/lib/sasl-4.2/ebin/misc_supp.beam");
    let original = std::fs::read(path).unwrap();
    // Also mutate a variant with an uncompressed literal table, so that corruption reaches
    // the term decoder instead of being caught by zlib's checksum.
    let uncompressed = with_uncompressed_literals(&load(path));
    for bytes in [&original, &uncompressed] {
        assert!(parse_beam("x.beam", bytes).is_ok());
        // Every truncation must fail (the Code chunk ends in int_code_end, and chunk sizes
        // are checked against the file), and must not panic.
        for n in 0..bytes.len() - 3 {
            let r = parse_beam("x.beam", &bytes[..n]);
            assert!(r.is_err(), "truncation at {n} parsed");
        }
        // Single-byte flips at every offset.
        for i in 0..bytes.len() {
            for x in [0x01u8, 0xFF] {
                let mut v = bytes.clone();
                v[i] ^= x;
                if let Err(e) = parse_beam("x.beam", &v) {
                    assert!(e.offset <= v.len(), "{e}");
                }
            }
        }
        // Random multi-byte corruption.
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..2000 {
            let mut v = bytes.clone();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            let _ = parse_beam("x.beam", &v);
        }
    }
}

#[test]
fn not_a_beam() {
    for bad in [
        &b""[..],
        b"FOR1",
        b"FOR1\0\0\0\x04BEAM",
        b"FOR1\0\0\0\x04BEAN",
        b"FOR2\0\0\0\x04BEAM",
        b"FOR1\xff\xff\xff\xffBEAM",
        b"\x1f\x8b garbage",
    ] {
        let e = parse_beam("bad.beam", bad).unwrap_err();
        assert!(e.to_string().starts_with("bad.beam: "), "{e}");
    }
}
