//! Session stores (in progress).
#![forbid(unsafe_code)]
