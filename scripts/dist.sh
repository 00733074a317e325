#!/usr/bin/env bash
# Builds the release site into dist/: size-tuned wasm (the `wasm-release` profile plus
# wasm-opt -Oz, set in index.html) and relative URLs, so dist/ works from any sub-path of any
# static host.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
trunk build --release --public-url ./
