//! `oxbeam bif-coverage [--missing] [--by-module] PATH...`: which of the runtime-provided
//! functions (BIFs and NIFs of the reference VM) that the `.beam` files under the given
//! paths need are implemented by oxbeam.
//!
//! A beam needs the functions it imports, and the native functions it defines itself
//! (the NIF stubs of `prim_file`, `zlib`, `crypto`..., the BIF stubs of `erlang.beam`).
//! A function is native when its body in its module's beam (for an import: the beam in
//! the OTP installation) starts with `nif_start` (a function listed in `-nifs`), calls
//! `erlang:nif_error/1,2` (how OTP writes the Erlang stub of every BIF and NIF), or, in
//! `erlang`, calls itself remotely (`erlang:apply/3` and the like; elsewhere that is a
//! server loop calling its newest version). A function of `erlang` that its beam
//! does not define (a BIF of another OTP release) counts as native too. Imports of other
//! functions (plain Erlang code) are not counted.
//!
//! oxbeam implements a native function when its BIF registry has it or the loader turns
//! calls of it into an instruction of their own.

use oxbeam_loader::{BeamFile, Opcode, Operand};
use oxbeam_term::Atom;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

const USAGE: &str = "usage: oxbeam bif-coverage [--missing] [--by-module] PATH...";

/// `module:function/arity`, ordered by module, function, then arity.
type Mfa = (String, String, u32);

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return;
            }
        };
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if path.extension().map(|e| e == "beam").unwrap_or(false) {
        out.push(path.to_path_buf());
    }
}

/// Parses a beam; a loader panic counts as a parse failure.
fn read_beam(path: &Path) -> Result<BeamFile, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    std::panic::catch_unwind(|| oxbeam_loader::parse_beam(&name, &bytes))
        .map_err(|_| format!("{name}: loader panicked"))?
        .map_err(|e| e.to_string())
}

/// The functions of `beam` (name, arity) whose bodies are native stubs.
fn native_functions(beam: &BeamFile) -> HashSet<(String, u32)> {
    let mut out = HashSet::new();
    let atom = |o: &Operand| match o {
        Operand::Atom(i) => Some(beam.atom(*i)),
        _ => None,
    };
    let uint = |o: &Operand| match o {
        Operand::Unsigned(u) => u32::try_from(*u).ok(),
        _ => None,
    };
    let mut current: Option<(&str, &str, u32)> = None;
    for ins in &beam.code {
        let a = &ins.args;
        match ins.op {
            Opcode::FuncInfo if a.len() == 3 => {
                current = match (atom(&a[0]), atom(&a[1]), uint(&a[2])) {
                    (Some(m), Some(f), Some(n)) => Some((m, f, n)),
                    _ => None,
                };
            }
            Opcode::NifStart => {
                if let Some((_, f, n)) = current {
                    out.insert((f.to_string(), n));
                }
            }
            Opcode::CallExt | Opcode::CallExtLast | Opcode::CallExtOnly if a.len() >= 2 => {
                let (Some((m, f, n)), Some(i)) = (current, uint(&a[1])) else {
                    continue;
                };
                let Some(imp) = beam.imports.get(i as usize) else {
                    continue;
                };
                let (im, ifn, ia) = (beam.atom(imp.module), beam.atom(imp.function), imp.arity);
                let stub = (im == "erlang" && ifn == "nif_error" && (ia == 1 || ia == 2))
                    || (m == "erlang" && im == m && ifn == f && ia == n);
                // Not native in the reference either: a stub left from an older release.
                let leftover = oxbeam_emu::builtin::LEFTOVER_STUBS
                    .iter()
                    .any(|&(sm, sf, sa)| sm == m && sf == f && sa == n);
                if stub && !leftover {
                    out.insert((f.to_string(), n));
                }
            }
            _ => {}
        }
    }
    out
}

/// What the OTP installation's beam of a module says.
enum OtpModule {
    /// Not part of OTP.
    Absent,
    /// Its beam could not be read.
    Unreadable,
    /// Its native functions and all the functions it defines.
    Known {
        native: HashSet<(String, u32)>,
        defined: HashSet<(String, u32)>,
    },
}

struct Otp {
    /// Module name -> its beam in the OTP installation (the first on erl's code path).
    beams: HashMap<String, PathBuf>,
    cache: HashMap<String, OtpModule>,
}

impl Otp {
    fn new(dirs: &[PathBuf]) -> Otp {
        let mut beams = HashMap::new();
        for d in dirs {
            let Ok(rd) = std::fs::read_dir(d) else {
                continue;
            };
            let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for f in files {
                if f.extension().map(|e| e == "beam").unwrap_or(false) {
                    if let Some(stem) = f.file_stem().and_then(|s| s.to_str()) {
                        beams.entry(stem.to_string()).or_insert(f);
                    }
                }
            }
        }
        Otp {
            beams,
            cache: HashMap::new(),
        }
    }

    fn module(&mut self, m: &str) -> &OtpModule {
        if !self.cache.contains_key(m) {
            let info = match self.beams.get(m) {
                None => OtpModule::Absent,
                Some(path) => match read_beam(path) {
                    Ok(beam) => OtpModule::Known {
                        native: native_functions(&beam),
                        defined: beam
                            .exports
                            .iter()
                            .chain(&beam.locals)
                            .map(|e| (beam.atom(e.function).to_string(), e.arity))
                            .collect(),
                    },
                    Err(e) => {
                        eprintln!("oxbeam bif-coverage: cannot read OTP's {m}: {e}");
                        OtpModule::Unreadable
                    }
                },
            };
            self.cache.insert(m.to_string(), info);
        }
        &self.cache[m]
    }

    /// Whether the reference VM provides `m:f/a` natively.
    fn is_native(&mut self, m: &str, f: &str, a: u32) -> bool {
        let key = (f.to_string(), a);
        match self.module(m) {
            OtpModule::Known { native, defined } => {
                native.contains(&key) || (m == "erlang" && !defined.contains(&key))
            }
            // Without erlang.beam, everything of `erlang` is taken to be a BIF.
            OtpModule::Absent | OtpModule::Unreadable => m == "erlang",
        }
    }
}

/// Whether oxbeam implements `m:f/a` natively.
fn implemented(m: &str, f: &str, a: u32) -> bool {
    let (m, f) = (Atom::from_str(m), Atom::from_str(f));
    oxbeam_emu::bifs::is_native(m, f, a) || oxbeam_emu::transform::handled_by_interpreter(m, f, a)
}

fn quote_atom(s: &str) -> String {
    if oxbeam_emu::print::atom_needs_quotes(s) {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    } else {
        s.to_string()
    }
}

fn show_fa(f: &str, a: u32) -> String {
    format!("{}/{a}", quote_atom(f))
}

pub fn run(args: &[String]) -> i32 {
    let (mut only_missing, mut by_module) = (false, false);
    let mut paths = Vec::new();
    for a in args {
        match a.as_str() {
            "--missing" => only_missing = true,
            "--by-module" => by_module = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return 0;
            }
            s if s.starts_with("--") => {
                eprintln!("oxbeam bif-coverage: unknown option {s}\n{USAGE}");
                return 2;
            }
            _ => paths.push(PathBuf::from(a)),
        }
    }
    if paths.is_empty() {
        eprintln!("oxbeam bif-coverage: no paths given\n{USAGE}");
        return 2;
    }
    let bad: Vec<&PathBuf> = paths.iter().filter(|p| !p.exists()).collect();
    if !bad.is_empty() {
        for p in bad {
            eprintln!(
                "oxbeam bif-coverage: {}: no such file or directory",
                p.display()
            );
        }
        return 2;
    }
    let mut files = Vec::new();
    for p in &paths {
        collect(p, &mut files);
    }

    oxbeam_emu::bifs::register_all();
    let root = crate::otp::otp_root();
    let mut otp = Otp::new(&crate::otp::otp_library_dirs(&root));
    if !otp.beams.contains_key("erlang") {
        eprintln!(
            "oxbeam bif-coverage: no erlang.beam under {}/lib (set OTP_ROOT); \
             counting every function of erlang as a BIF",
            root.display()
        );
    }

    let mut native: BTreeSet<Mfa> = BTreeSet::new();
    for file in &files {
        let beam = match read_beam(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{e} (skipped)");
                continue;
            }
        };
        for (f, a) in native_functions(&beam) {
            native.insert((beam.module.clone(), f, a));
        }
        for imp in &beam.imports {
            let (m, f, a) = (beam.atom(imp.module), beam.atom(imp.function), imp.arity);
            if otp.is_native(m, f, a) {
                native.insert((m.to_string(), f.to_string(), a));
            }
        }
    }

    let rows: Vec<(&Mfa, bool)> = native
        .iter()
        .map(|mfa| (mfa, implemented(&mfa.0, &mfa.1, mfa.2)))
        .collect();
    let done = rows.iter().filter(|r| r.1).count();
    if by_module {
        // module -> (implemented count, total, missing functions)
        let mut mods: BTreeMap<&str, (usize, usize, Vec<String>)> = BTreeMap::new();
        for ((m, f, a), ok) in &rows {
            let e = mods.entry(m.as_str()).or_default();
            e.1 += 1;
            if *ok {
                e.0 += 1;
            } else {
                e.2.push(show_fa(f, *a));
            }
        }
        for (m, (n, total, missing)) in mods {
            if only_missing && missing.is_empty() {
                continue;
            }
            let mut line = format!("{}: {n} of {total}", quote_atom(m));
            if !missing.is_empty() {
                line.push_str("; missing: ");
                line.push_str(&missing.join(" "));
            }
            println!("{line}");
        }
    } else {
        for ((m, f, a), ok) in &rows {
            if *ok && only_missing {
                continue;
            }
            let tag = if *ok { "implemented" } else { "missing" };
            println!("{tag:<11}  {}:{}", quote_atom(m), show_fa(f, *a));
        }
    }
    println!("coverage: {done} of {}", rows.len());
    0
}
