//! Reading `.beam` files into a plain-data [`BeamFile`]: every chunk decoded, the code
//! chunk decoded into generic instructions (see [`opcodes`]), literals decoded into owned
//! [`ExtTerm`] values. Nothing here knows about process heaps or the interpreter: the
//! emulator crate turns a `BeamFile` into executable, pre-decoded code.

pub mod beam;
pub mod compact;
pub mod error;
pub mod ext_term;
pub mod opcodes;

pub use beam::*;
pub use compact::{Instr, Operand};
pub use error::LoadError;
pub use ext_term::ExtTerm;
pub use opcodes::Opcode;
