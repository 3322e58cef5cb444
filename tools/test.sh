#!/usr/bin/env bash
# The whole test suite: installs what it needs, runs every Bazel test, the
# Bazel rules and product tests, then a short coverage-guided fuzz run of
# every parser of untrusted bytes.
# Ends with one "tests: N passed, M failed" line; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
bazel test //... 2>&1 | tee "$log" | grep -E '^//|^Executed|^INFO: Build completed|^ERROR' || true
bazel_rc=${PIPESTATUS[0]}
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log")
failed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|FLAKY|INCOMPLETE)' "$log")
if [ "$bazel_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build itself failed
  grep -E '^ERROR' "$log" >&2 || true
fi

# The tests that need the source tree or run Bazel themselves, so they are
# not bazel tests: signer/lib's internal headers stay internal; the rules on
# a copy of the workspace (clean builds, disk cache, incremental re-signing);
# an out-of-tree product that takes digsig as an external repository.
for script in tests/internal_headers_test.sh tests/bazel_rules_test.sh tests/bazel_product_test.sh; do
  echo "$script:"
  if bash "$script"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done

# 13 s for each of the 8 targets of tools/fuzz_targets.bzl: about 105 s (the
# 6 signer targets had 90 s at 15 s before the event decoder and the section
# table check joined them).
if [ -x tools/fuzz.sh ]; then
  if bash tools/fuzz.sh "${FUZZ_SECONDS:-13}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
