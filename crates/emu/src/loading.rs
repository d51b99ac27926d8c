//! Finding and loading modules: the code path, on-demand loading (erl's interactive
//! mode), and loading from a binary (`code:load_binary`, `erlang:load_module`).

use crate::code::{self, Module};
use oxbeam_loader::BeamFile;
use oxbeam_term::Atom;
use parking_lot::{Mutex, RwLock};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn code_path() -> &'static RwLock<Vec<PathBuf>> {
    static P: OnceLock<RwLock<Vec<PathBuf>>> = OnceLock::new();
    P.get_or_init(|| RwLock::new(Vec::new()))
}

/// Serialises loading so two processes never load the same module twice at once.
fn load_lock() -> &'static Mutex<()> {
    static L: Mutex<()> = Mutex::new(());
    &L
}

/// Whether a call to a function of a module that is not loaded loads it from the code
/// path right there (oxbeam's built-in start-up), or goes to the process's error
/// handler (`error_handler:undefined_function/3`, which asks OTP's code server), as in
/// erl once OTP is booted.
static AUTOLOAD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

pub fn set_autoload(on: bool) {
    AUTOLOAD.store(on, std::sync::atomic::Ordering::Relaxed);
}

pub fn autoload() -> bool {
    AUTOLOAD.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether a call into `module`, not loaded, loads it right there: always before OTP
/// is booted, and afterwards only for the reference's preloaded modules (always loaded
/// there; here they load on first use). Any other module is the error handler's to
/// load through OTP's code server, as in erl.
pub fn loads_on_call(module: Atom) -> bool {
    autoload() || crate::bifs::code_bifs::is_pre_loaded(module)
}

pub fn set_code_path(dirs: Vec<PathBuf>) {
    *code_path().write() = dirs;
}
pub fn add_path_front(dir: PathBuf) {
    code_path().write().insert(0, dir);
}
pub fn add_path_back(dir: PathBuf) {
    code_path().write().push(dir);
}
pub fn get_code_path() -> Vec<PathBuf> {
    code_path().read().clone()
}

/// Why a module could not be loaded.
#[derive(Debug, Clone)]
pub enum LoadFailure {
    NotFound,
    BadFile(String),
    /// The module is loaded but its `-on_load` function has not succeeded yet: the
    /// caller must have it run (see `oxbeam_code.erl`) and wait for it.
    OnLoadPending,
    /// Once OTP is booted (no autoload), a module with an `-on_load` function is left
    /// to the process's error handler (OTP's code server loads it and runs that
    /// function, logging its failure as erl does): nothing was installed.
    HasOnLoad,
}

impl std::fmt::Display for LoadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadFailure::NotFound => write!(f, "not found in the code path"),
            LoadFailure::BadFile(m) => write!(f, "{m}"),
            LoadFailure::OnLoadPending => write!(f, "its on_load function has not run yet"),
            LoadFailure::HasOnLoad => write!(f, "it has an on_load function"),
        }
    }
}

/// Finds `<module>.beam` in the code path.
pub fn find_beam(module: Atom) -> Option<PathBuf> {
    let file = format!("{}.beam", module.name());
    code_path()
        .read()
        .iter()
        .map(|d| d.join(&file))
        .find(|p| p.is_file())
}

/// Loads `module` from the code path unless it is loaded already. A module with an
/// `-on_load` function is loaded as `erlang:load_module` does it: it waits for that
/// function (`LoadFailure::OnLoadPending`), its exports still undefined.
pub fn ensure_loaded(module: Atom) -> Result<Arc<Module>, LoadFailure> {
    if let Some(m) = code::get_module(module) {
        return Ok(m);
    }
    if code::on_demand_on_load_pending(module) {
        return Err(LoadFailure::OnLoadPending);
    }
    let _g = load_lock().lock();
    if let Some(m) = code::get_module(module) {
        return Ok(m);
    }
    if code::on_demand_on_load_pending(module) {
        return Err(LoadFailure::OnLoadPending);
    }
    let path = find_beam(module).ok_or(LoadFailure::NotFound)?;
    let bytes = std::fs::read(&path)
        .map_err(|e| LoadFailure::BadFile(format!("{}: {e}", path.display())))?;
    let name = path.display().to_string();
    let m = prepare(&name, &bytes)?;
    if m.name != module {
        return Err(LoadFailure::BadFile(format!(
            "{name}: module name in object code is {}",
            m.name
        )));
    }
    if m.on_load.is_some() && !autoload() {
        return Err(LoadFailure::HasOnLoad);
    }
    if m.on_load.is_some() {
        code::load_on_demand_with_on_load(Arc::new(m));
        return Err(LoadFailure::OnLoadPending);
    }
    Ok(code::install_module(m))
}

/// Parses and builds a module without installing it (`erlang:prepare_loading/2`,
/// check-load).
pub fn prepare(file_name: &str, bytes: &[u8]) -> Result<Module, LoadFailure> {
    let beam = oxbeam_loader::parse_beam(file_name, bytes)
        .map_err(|e| LoadFailure::BadFile(e.to_string()))?;
    let mut m = crate::transform::build_module(&beam)
        .map_err(|e| LoadFailure::BadFile(format!("{file_name}: {e}")))?;
    // Only OTP's own modules define the reference's BIFs: one loaded from its file in
    // the installation, or from a binary (the code server's way) by a name whose file
    // there is.
    if !m.bif_stubs.is_empty()
        && !crate::builtin::is_otp_beam(file_name)
        && !find_beam(m.name).is_some_and(|p| crate::builtin::is_otp_beam(&p.display().to_string()))
    {
        m.bif_stubs.clear();
    }
    Ok(m)
}

/// Loads a module from the bytes of a `.beam` file and makes it current.
pub fn load_bytes(
    file_name: &str,
    bytes: &[u8],
    expect: Option<Atom>,
) -> Result<Arc<Module>, LoadFailure> {
    let m = prepare(file_name, bytes)?;
    if let Some(e) = expect {
        if m.name != e {
            return Err(LoadFailure::BadFile(format!(
                "{file_name}: module name in object code is {}",
                m.name
            )));
        }
    }
    Ok(code::install_module(m))
}

/// The MD5 that `Module:module_info(md5)` reports: over the chunks that define the
/// module, in beam_lib's fixed order (each chunk's stored bytes, fun entries without
/// their old uniq), as `beam_lib:md5/1` computes it.
pub fn module_md5(beam: &BeamFile) -> [u8; 16] {
    use md5::{Digest, Md5};
    let mut h = Md5::new();
    for id in [
        "Atom", "AtU8", "Code", "StrT", "ImpT", "ExpT", "FunT", "LitT", "Meta",
    ] {
        for (cid, data) in &beam.chunks {
            if cid != id {
                continue;
            }
            if id == "FunT" && data.len() >= 4 {
                // Each 24-byte fun entry is hashed with its old-uniq word zeroed.
                h.update(&data[..4]);
                let mut entries = data[4..].chunks_exact(24);
                for e in entries.by_ref() {
                    h.update(&e[..20]);
                    h.update([0u8; 4]);
                }
                h.update(entries.remainder());
            } else {
                h.update(data);
            }
        }
    }
    h.finalize().into()
}
