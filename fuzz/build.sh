#!/usr/bin/env bash
# Builds every fuzz target (does not run them): what CI checks. cargo-fuzz needs nightly
# flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# Run one for real with:  RUSTC_BOOTSTRAP=1 cargo fuzz run engine -- -max_total_time=600
# (`read_name` with its dictionary of attribute keys: add -dict=read_name.dict)
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build --dev
cargo fuzz list
