//! The library half of the `charte` command line: what only the command line needs, kept
//! out of `charte-core` so that servers do not link it.

#![warn(missing_docs)]

pub mod import;
