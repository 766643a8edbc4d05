//! `charte audit`'s engine, and the headless Chromium it drives.
//!
//! - [`browser`]: find, launch and drive Chromium over the DevTools protocol (shared by
//!   the audit and every browser test of the workspace).

pub mod browser;
