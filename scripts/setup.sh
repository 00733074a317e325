#!/usr/bin/env bash
# Installs what building and testing PromQL Workbench needs, and only what is missing.
# Idempotent: a second run checks versions and returns in a few seconds.
#
#   scripts/setup.sh build   tools to build and serve the app (wasm target, Trunk, wasm-bindgen, wasm-opt)
#   scripts/setup.sh test    the above plus Chromium, ChromeDriver and Playwright's core library
#
# Every tool comes from a registry (crates.io, npm, Debian): GitHub is unreachable from our
# machines and from many classrooms, so Trunk must never download anything itself.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-build}
TRUNK_VERSION=0.21.14 # trunk 0.22 needs rustc >= 1.96.1 (see ../shared/TOOLCHAIN.md)

say() { printf 'setup: %s\n' "$*"; }

# The wasm-bindgen CLI must equal the wasm-bindgen library version in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 6 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if [ ! -f Cargo.lock ]; then cargo generate-lockfile; fi
wbg=$(wasm_bindgen_version)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
  # Not --locked: the CLI's own lockfile wants a webpki-roots version the registry lacks.
  say "installing wasm-bindgen-cli $wbg (about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$wbg"
fi

# npm's binaryen gives wasm-opt 132. Debian's binaryen (108) is too old for current
# wasm-bindgen output and produces a blank page. package-lock.json pins both packages.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node tools (binaryen, playwright-core) from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Trunk runs cargo with --offline (Trunk.toml), so the registry must be populated first.
cargo fetch --quiet

if [ "$what" = test ]; then
  # Browser tests need Chromium and its WebDriver; integration tests against a real
  # Prometheus need Debian's prometheus (prometheus and promtool). Those tests skip with a
  # message when it cannot be installed; the browser packages are required.
  apt_install() {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  }
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      say "installing ${missing[*]} from Debian"
      # With recommends: they bring the fonts screenshots need (fonts-liberation).
      apt_install "${missing[@]}"
    else
      say "browser tests need the Debian packages: ${missing[*]}"
      say "install them with: sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
  fi
  if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      say "installing prometheus (with promtool) from Debian"
      apt_install --no-install-recommends prometheus || say "could not install prometheus: tests against a real Prometheus will be skipped"
    else
      say "tests against a real Prometheus will be skipped: install Debian's package with: sudo apt-get install -y --no-install-recommends prometheus"
    fi
  fi
fi
say "ok"
