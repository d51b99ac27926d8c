//! A socket's received bytes not delivered yet. Packets are taken off the front by
//! moving an offset, and the vector is compacted only once that offset passes half of
//! it, so cutting a large read into many small packets does not move the rest of the
//! buffer for each one.

use super::sys::{Errno, Fd};
use std::ops::Range;

#[derive(Default)]
pub struct InBuf {
    data: Vec<u8>,
    start: usize,
}

impl InBuf {
    pub fn bytes(&self) -> &[u8] {
        &self.data[self.start..]
    }

    pub fn len(&self) -> usize {
        self.data.len() - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.start = 0;
    }

    /// Removes the first `n` bytes; returns the `body` part of them.
    pub fn take(&mut self, n: usize, body: Range<usize>) -> Vec<u8> {
        let v = self.bytes()[body].to_vec();
        self.start += n;
        if self.start == self.data.len() {
            self.clear();
        }
        v
    }

    /// Puts `front` before what is buffered (`unrecv`).
    pub fn prepend(&mut self, front: &[u8]) {
        let mut v = Vec::with_capacity(front.len() + self.len());
        v.extend_from_slice(front);
        v.extend_from_slice(self.bytes());
        self.data = v;
        self.start = 0;
    }

    /// Appends at most `n` bytes read from `fd`; returns the count read.
    pub fn read_from(&mut self, fd: &Fd, n: usize) -> Result<usize, Errno> {
        if self.start > 0 && self.start >= self.data.len() / 2 {
            self.data.drain(..self.start);
            self.start = 0;
        }
        fd.read_append(&mut self.data, n)
    }
}
