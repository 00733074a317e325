#!/usr/bin/env bash
# Runs every check and test of PromQL Workbench in a fixed order and ends with one summary
# line, `N passed, N failed`. A failing stage does not stop the later ones, so one run shows
# everything that is wrong; the exit status is non-zero if anything failed.
#
# Counting: a check (fmt, clippy, a build) counts as one; a test stage counts its tests as
# reported by cargo's "test result:" lines, node's test runner, or our own runners' summaries.
set -uo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=never
logdir=target/test-logs
mkdir -p "$logdir"

passed=0
failed=0
failed_stages=()

# Adds the counts of tests a stage reported, or one for a check, to the totals.
tally() {
  local name=$1 status=$2 log=$3 p f
  p=$( { grep -hoE 'test result: [A-Za-z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+';
         grep -hoE '^ℹ pass [0-9]+' "$log" | grep -oE '[0-9]+';
         grep -hoE '^SUMMARY [0-9]+ passed' "$log" | grep -oE '[0-9]+'; } | awk '{s+=$1} END {print s+0}')
  f=$( { grep -hoE 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$log" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+';
         grep -hoE '^ℹ fail [0-9]+' "$log" | grep -oE '[0-9]+';
         grep -hoE '^SUMMARY [0-9]+ passed, [0-9]+ failed' "$log" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+'; } | awk '{s+=$1} END {print s+0}')
  if [ "$p" = 0 ] && [ "$f" = 0 ]; then
    # A check, or a test stage that died before reporting: count the stage itself.
    if [ "$status" = 0 ]; then p=1; else f=1; fi
  elif [ "$status" != 0 ] && [ "$f" = 0 ]; then
    f=1 # The stage failed outside any single test (a build error after some tests ran).
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$status" != 0 ]; then failed_stages+=("$name"); fi
}

stage() {
  local name=$1; shift
  local log="$logdir/$name.log"
  printf '\n==> %s: %s\n' "$name" "$*"
  local start=$SECONDS
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  printf '<== %s: %s in %ss\n' "$name" "$([ "$status" = 0 ] && echo ok || echo "FAILED ($status)")" $((SECONDS - start))
  tally "$name" "$status" "$log"
}

stage setup scripts/setup.sh test
stage fmt cargo fmt --all -- --check
stage clippy cargo clippy --workspace --all-targets --locked -- -D warnings
# The browser build: the library crates without their `cli` feature, as the app uses them.
stage clippy-wasm cargo clippy --workspace --all-targets --locked --target wasm32-unknown-unknown --no-default-features -- -D warnings
# The cargo tests include those against a real Prometheus (simulator: backfill, scrape, the
# engine side by side, the seed queries; exercises: grading on a server). They pass without
# running when Debian's prometheus is missing, and cargo hides a passing test's output, so
# the skip is announced here.
if ! { [ -x /usr/bin/prometheus ] || command -v prometheus >/dev/null; } ||
   ! { [ -x /usr/bin/promtool ] || command -v promtool >/dev/null; }; then
  printf '\n!!! SKIPPING the tests against a real Prometheus: prometheus and promtool are missing (apt-get install -y --no-install-recommends prometheus).\n'
fi
stage cargo-test cargo test --workspace --locked
# Every exercise pack: each reference returns data on every seed, each listed wrong answer is
# rejected, each prompt and hint renders. Prints `SUMMARY N passed, N failed` (one per exercise).
stage exercises-check cargo run --release --locked -p exercises -- check exercises/packs

# Prometheus' PromQL test scripts, found as the tests find them. No script may pass fewer
# evals than simulator/promqltest-baseline.toml records; the runner prints `SUMMARY N passed,
# N failed`, where the failures are evals lost against the baseline and stale skip entries.
promqltest() {
  local dir
  for dir in "${PROMQLTEST_DIR:-}" ../shared/promqltest /work/shared/promqltest; do
    if [ -n "$dir" ] && [ -d "$dir" ]; then
      cargo run --release --locked -q -p simulator -- promqltest --check-baseline --quiet "$dir"
      return
    fi
  done
  echo "!!! SKIPPING: Prometheus' promqltest scripts were not found (set PROMQLTEST_DIR or put them in ../shared/promqltest)."
}
stage promqltest promqltest
# The simulator's determinism tests inside wasm32 (node): the same checksums as the native run.
stage wasm-determinism env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --locked --target wasm32-unknown-unknown -p simulator --no-default-features --test determinism
stage wasm-test env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/app/webdriver.json" \
  cargo test --locked --target wasm32-unknown-unknown -p app
stage dist scripts/dist.sh
stage e2e node --test --test-reporter=spec e2e/

printf '\n'
if [ ${#failed_stages[@]} -gt 0 ]; then
  printf 'failed stages: %s (logs in %s/)\n' "${failed_stages[*]}" "$logdir"
fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
