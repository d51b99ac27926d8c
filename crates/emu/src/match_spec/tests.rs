//! Unit tests of the match specification engine.
