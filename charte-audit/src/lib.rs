//! `charte audit`'s engine, and the headless Chromium it drives.
//!
//! - [`browser`]: find, launch and drive Chromium over the DevTools protocol (shared by
//!   the audit and every browser test of the workspace);
//! - [`audit`]: the audit itself: visit, compare with the charter, report.

pub mod audit;
pub mod browser;
