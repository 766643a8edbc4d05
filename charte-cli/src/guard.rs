//! `charte guard FILE`: print the client guard of a declaration.

use std::path::Path;
use std::process::ExitCode;

use crate::out::out;

/// Prints the guard script of a valid declaration to stdout (the bytes
/// `Charter::guard_script` gives); a declaration with errors prints them, as `check`
/// does, and nothing else.
pub(crate) fn guard(file: &Path) -> ExitCode {
    match charte_core::check(&super::origin(file)).charter {
        Ok(charter) => {
            out!("{}", charter.guard_script());
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            super::print_diagnostics(&diagnostics);
            let n = diagnostics.0.len();
            eprintln!(
                "error: {n} problem{} found: no guard written",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}
