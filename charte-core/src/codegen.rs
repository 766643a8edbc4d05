//! Code generation for `charter!`.
