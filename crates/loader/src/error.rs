//! The single error type of the loader.

use std::fmt;

/// Why a `.beam` file could not be read. `offset` is a byte offset within the file
/// (for a gzip-compressed file: within the decompressed image).
#[derive(Debug, Clone)]
pub struct LoadError {
    pub file: String,
    pub chunk: Option<String>,
    pub offset: usize,
    pub message: String,
}

impl LoadError {
    pub fn new(file: &str, chunk: Option<&str>, offset: usize, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_string(),
            chunk: chunk.map(str::to_string),
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.chunk {
            Some(chunk) => write!(
                f,
                "{}: chunk {} at offset {}: {}",
                self.file, chunk, self.offset, self.message
            ),
            None => write!(
                f,
                "{}: at offset {}: {}",
                self.file, self.offset, self.message
            ),
        }
    }
}

impl std::error::Error for LoadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        let e = LoadError::new("x.beam", Some("Code"), 42, "bad");
        assert_eq!(e.to_string(), "x.beam: chunk Code at offset 42: bad");
        let e = LoadError::new("x.beam", None, 0, "not a beam file");
        assert_eq!(e.to_string(), "x.beam: at offset 0: not a beam file");
    }
}
