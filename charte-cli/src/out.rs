//! Writing to stdout when the reader may leave early (`charte check *.toml | head -1`).
//!
//! `print!` panics when stdout is a pipe whose reader has gone (exit 101, "failed
//! printing to stdout: Broken pipe"): Rust ignores `SIGPIPE`, so the write fails with
//! `EPIPE` instead of ending the process quietly as it ends `ls | head`. Restoring the
//! signal needs `unsafe` and `libc`; instead every subcommand that prints goes through
//! [`print`], which treats a closed pipe as the reader's choice: the rest of the output
//! is dropped, without a message, and the command ends with the status it would have had.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdout's reader has gone: nothing more is written.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout's reader has gone (a long output, such as an export, can stop early).
pub(crate) fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Whether a failed write only means the reader has gone; when so, further output is
/// dropped. Other errors are the caller's to report.
pub(crate) fn reader_gone(error: &io::Error) -> bool {
    let gone = error.kind() == io::ErrorKind::BrokenPipe;
    if gone {
        CLOSED.store(true, Ordering::Relaxed);
    }
    gone
}

/// Writes to stdout, as `print!` does, and flushes. A closed pipe drops the rest of the
/// output quietly; any other failure (a full disk) is reported on stderr and ends the
/// process with status 2 (`print!` would panic).
pub(crate) fn print(args: std::fmt::Arguments<'_>) {
    if closed() {
        return;
    }
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if !reader_gone(&e) {
            eprintln!("error: cannot write to stdout: {e}");
            std::process::exit(2);
        }
    }
}

/// `print!` through [`print`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::print(format_args!($($arg)*))
    };
}

/// `println!` through [`print`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};
