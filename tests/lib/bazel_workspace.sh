# shellcheck shell=bash
# Shared by the tests that run Bazel themselves (tests/bazel_*_test.sh, run
# by tools/test.sh, not by `bazel test`): a copy of this checkout's tracked
# files in a scratch directory, with an output base of its own, so a test can
# clean it and edit it freely; the Bazel server stops and the directory goes
# when the test exits.
#
#   source tests/lib/bazel_workspace.sh NAME   # with REPO set
#
# Brings in harness.sh (check, finish...), sets LC_ALL=C, W (scratch
# directory), LOG, WS (the copy, made the current directory) and OB (output
# base), and defines bz (bazel with that output base).
export LC_ALL=C
# shellcheck source=tests/lib/harness.sh
source "$REPO/tests/lib/harness.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/digsig-$1.XXXXXX")
LOG="$W/log"
: >"$LOG"
WS="$W/ws"
OB="$W/output_base"
mkdir -p "$WS"
(cd "$REPO" && git ls-files -z | xargs -0 tar -cf - --) | tar -xf - -C "$WS"
cd "$WS" || exit 1
bz() { bazel --output_base="$OB" "$@"; }
cleanup_workspace() {
  bz shutdown >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup_workspace EXIT
