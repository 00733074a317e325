# PromQL Workbench. Two commands matter: `make serve` and `make test` (see README.md).
# Each installs what is missing first (scripts/setup.sh), so a fresh clone needs only rustup.

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: serve test dist setup fmt clippy bench

## Build the app and serve it on http://127.0.0.1:8080 (rebuilds on change).
serve:
	@scripts/setup.sh build
	@echo "PromQL Workbench: http://127.0.0.1:8080/"
	trunk serve --address 127.0.0.1 --port 8080

## Run every check and test; the last line is `N passed, N failed`.
test:
	@scripts/test.sh

## Build the release site into dist/ (relative URLs: host it from any sub-path).
dist:
	@scripts/setup.sh build
	@scripts/dist.sh

setup:
	@scripts/setup.sh test

fmt:
	cargo fmt --all

clippy:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --all-targets --target wasm32-unknown-unknown --no-default-features -- -D warnings

## Criterion benchmarks of the engine and the simulator.
bench:
	cargo bench -p simulator
