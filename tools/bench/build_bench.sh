#!/usr/bin/env bash
# What signing adds to the demo product's build: a clean build and an
# incremental one (hello.cc changed) of //images/demo:rootfs on a copy of the
# workspace, timed, with the time of the signing actions taken from Bazel's
# JSON profile (its critical path).
#
#   bash tools/bench/build_bench.sh
#
# Prints, for each build: wall time, the part of Bazel's critical path spent
# in signing actions and in building the digsig tool, and the ratio of the
# build with signing to the same build without those parts.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/digsig-build-bench.XXXXXX")
mkdir -p "$W/ws"
(cd "$REPO" && git ls-files -z | xargs -0 tar -cf - --) | tar -xf - -C "$W/ws"
cd "$W/ws"
OB="$W/output_base"
bz() { bazel --output_base="$OB" "$@"; }
trap 'bz shutdown >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
now() { date +%s.%N; }
py() { python3 -c "print($1)"; }

# critical PROFILE: seconds of the critical path spent signing, and spent
# building the digsig tool (both are what a build without signing would not
# pay; the tool comes from a cache in a product build with a shared cache).
critical() {
  python3 - "$1" <<'PY'
import gzip, json, sys
raw = open(sys.argv[1], "rb").read()
if raw[:2] == b"\x1f\x8b":
    raw = gzip.decompress(raw)
events = json.loads(raw)
events = events["traceEvents"] if isinstance(events, dict) else events
path = [e for e in events if e.get("cat") == "critical path component"]
sign = sum(e.get("dur", 0) for e in path if "Signing" in str(e.get("name")))
tool = sum(e.get("dur", 0) for e in path if "signer/" in str(e.get("name")))
print(f"{sign / 1e6:.3f} {tool / 1e6:.3f}")
PY
}

measure() {  # measure NAME: build the image, print wall time and shares
  local t0 t1 profile="$W/$1.profile.json"
  t0=$(now)
  bz build --profile="$profile" //images/demo:rootfs >/dev/null 2>&1
  t1=$(now)
  local wall sign tool
  wall=$(py "$t1 - $t0")
  read -r sign tool < <(critical "$profile")
  printf '%-12s build %7.2f s  critical path: signing %6.2f s, digsig tool build %6.2f s\n' \
    "$1" "$wall" "$sign" "$tool"
  printf '%-12s with signing / without: %.2fx (tool from a cache), %.2fx (tool built too)\n' \
    "" "$(py "($wall - $tool) / max($wall - $tool - $sign, 1e-3)")" \
    "$(py "$wall / max($wall - $tool - $sign, 1e-3)")"
}

bz build //images/demo:rootfs >/dev/null 2>&1  # fetch and analyse once
bz clean >/dev/null 2>&1
echo "== demo product (busybox, digsig-hello, demo_hello.ko -> rootfs.tar.gz), $(nproc) cores"
measure clean
sed -i 's/a signed program runs/a signed program (changed) runs/' images/demo/hello.cc
measure incremental
