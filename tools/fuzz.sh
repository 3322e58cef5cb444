#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read untrusted input, with
# libFuzzer, ASan and UBSan (clang-14 from Debian's clang-14 and
# libclang-rt-14-dev; tools/bootstrap.sh installs both).
#
#   tools/fuzz.sh [SECONDS]     # seconds per target: $FUZZ_SECONDS, else 20
#
# The targets are the table in tools/fuzz_targets.bzl, which Bazel reads too
# (the replay tests //signer/fuzz:*_test, //aem/tests:event_decoder_fuzzer_test).
# Each target is compiled with clang directly, from the sources and libraries
# Bazel's graph gives its replay test (`bazel query`, less the replay driver):
# the same code and the same static LLVM archives the test links. Then it is
# fuzzed for SECONDS over a temporary copy of its seed corpus
# PACKAGE/corpus/<target>/: the repository is never written to. Build
# outputs, logs and any crashing input go to $FUZZ_OUT (default
# bazel-fuzz-out/, ignored by git). Exits non-zero when a target crashes,
# leaks, times out on one input or runs out of memory; a crashing input is
# then in $FUZZ_OUT/artifacts/ (add it to the corpus with the fix).
# Extra libFuzzer flags: FUZZ_ARGS="-use_value_profile=1 ...". A subset of
# the targets: FUZZ_TARGETS="tar_archive_fuzzer".
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
if [[ $# -gt 0 && "$1" != --compile ]]; then SECONDS_PER_TARGET=$1; fi
[[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || { echo "usage: tools/fuzz.sh [seconds]" >&2; exit 2; }
OUT=${FUZZ_OUT:-$REPO/bazel-fuzz-out}
OBJ=$OUT/obj
BIN=$OUT/bin
ARTIFACTS=$OUT/artifacts
LOGS=$OUT/logs
CC=${CC_FUZZ:-clang-14}
CXX=${CXX_FUZZ:-clang++-14}
JOBS=$(nproc 2>/dev/null || echo 2)

SAN=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
# -I as Bazel gives them: the workspace root, LLVM's headers (@llvm's
# includes) and the AEM ABI header (//aem:aem_uapi strips include/).
COMMON=("${SAN[@]}" -O1 -g -I"$REPO" -I/usr/lib/llvm-14/include -I"$REPO/aem/include")
CFLAGS=("${COMMON[@]}" -std=c11)
CXXFLAGS=("${COMMON[@]}" -std=c++20)

# Internal: `fuzz.sh --compile LANG SRC OBJ`, run in parallel by xargs below.
if [[ "${1:-}" == --compile ]]; then
  if [[ $2 == c ]]; then exec "$CC" "${CFLAGS[@]}" -c "$3" -o "$4"; fi
  # clang 14 cannot assemble UBSan's function-type check in coroutines
  # ("Cannot represent a difference across sections"), which libaem is made of.
  if [[ $3 == "$REPO"/aem/* ]]; then exec "$CXX" "${CXXFLAGS[@]}" -fno-sanitize=function -c "$3" -o "$4"; fi
  exec "$CXX" "${CXXFLAGS[@]}" -c "$3" -o "$4"
fi

for tool in "$CC" "$CXX" bazel python3; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found (tools/bootstrap.sh installs it)" >&2; exit 2; }
done
mkdir -p "$OBJ" "$BIN" "$ARTIFACTS" "$LOGS"

declare -A PACKAGE
TARGETS=()
while read -r name package; do
  TARGETS+=("$name")
  PACKAGE[$name]=$package
done < <(python3 "$REPO/tools/lib/fuzz_targets.py" "$REPO/tools/fuzz_targets.bzl")
FUZZ_TARGETS=(${FUZZ_TARGETS:-${TARGETS[*]}})  # FUZZ_TARGETS="a b": fuzz only those
for t in "${FUZZ_TARGETS[@]}"; do
  [[ -n "${PACKAGE[$t]:-}" ]] || { echo "fuzz.sh: $t is not in tools/fuzz_targets.bzl" >&2; exit 2; }
done

# --- what to build: Bazel's graph -------------------------------------------------
cd "$REPO"
EXTERNAL=$(bazel info output_base 2>/dev/null)/external
query() { bazel query --noshow_progress "$@" 2>/dev/null; }
declare -A SOURCES LIBS
for t in "${FUZZ_TARGETS[@]}"; do
  test_label="//${PACKAGE[$t]}:${t}_test"
  files=$(query "kind('source file', deps($test_label))") \
    || { echo "fuzz.sh: bazel query $test_label failed" >&2; exit 2; }
  # Our C and C++ sources, less the replay driver libFuzzer replaces.
  SOURCES[$t]=$(sed -n 's#^//\([^:]*\):\(.*\.cc\?\)$#\1/\2#p' <<<"$files" | sed 's#^/##' \
    | grep -vx 'base/fuzz_replay_main.cc' || true)
  # System libraries as declared (@repo//:path): the static archive when the
  # repository has one, as the linkstatic replay test links.
  libs=()
  while read -r lib; do
    [[ -z "$lib" ]] && continue
    path=$EXTERNAL/$(sed 's#^@\([^/]*\)//:#\1/#' <<<"$lib")
    if [[ $path == *.so ]] && grep -qx "${lib%.so}.a" <<<"$files"; then continue; fi
    libs+=("$path")
  done < <(grep -E '^@[a-z_]+//:.*\.(a|so)$' <<<"$files" | grep -v '^@bazel_tools\|^@local_config' || true)
  # Their linkopts (-lz, -ldl...).
  opts=$(query --output=build "kind(cc_library, deps($test_label))" \
    | sed -n 's/^ *linkopts = \[\(.*\)\],$/\1/p' | tr -d '",' | tr ' ' '\n' | sort -u | tr '\n' ' ')
  # A group: bazel query lists the archives in no particular order.
  LIBS[$t]="-Wl,--start-group ${libs[*]} -Wl,--end-group $opts"
done

# --- build ------------------------------------------------------------------------
# An object is rebuilt when it is missing or older than its source or than
# any header it could include (coarse, but never stale).
newest_header=$(find "$REPO/base" "$REPO/signer" "$REPO/aem" \( -name '*.h' -o -name '*.inc' \) \
  -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2)
jobs_file=$OBJ/jobs.txt
: > "$jobs_file"
object_of() { echo "$OBJ/$(tr '/' '_' <<<"${1%.*}").o"; }
declare -A QUEUED
for t in "${FUZZ_TARGETS[@]}"; do
  for src in ${SOURCES[$t]}; do
    o=$(object_of "$src")
    [[ -n "${QUEUED[$o]:-}" ]] && continue
    QUEUED[$o]=1
    lang=c++; [[ $src == *.c ]] && lang=c
    if [[ ! -f "$o" || "$REPO/$src" -nt "$o" || "$newest_header" -nt "$o" ]]; then
      printf '%s\t%s\t%s\n' "$lang" "$REPO/$src" "$o" >> "$jobs_file"
    fi
  done
done

n=$(wc -l < "$jobs_file")
if (( n > 0 )); then
  echo "fuzz.sh: compiling $n files with $CXX ($JOBS jobs)"
  tr '\t' '\n' < "$jobs_file" | xargs -d '\n' -n 3 -P "$JOBS" bash "$REPO/tools/fuzz.sh" --compile \
    || { echo "fuzz.sh: compilation failed" >&2; exit 2; }
fi

for t in "${FUZZ_TARGETS[@]}"; do
  objs=()
  for src in ${SOURCES[$t]}; do objs+=("$(object_of "$src")"); done
  out=$BIN/$t
  stale=0
  for o in "${objs[@]}"; do [[ -f "$out" && "$o" -nt "$out" ]] && stale=1; done
  if [[ ! -f "$out" || $stale == 1 ]]; then
    # shellcheck disable=SC2086  # LIBS[$t] is a list of words
    "$CXX" "${SAN[@]}" -o "$out" "${objs[@]}" ${LIBS[$t]} \
      || { echo "fuzz.sh: linking $t failed" >&2; exit 2; }
  fi
done

# --- fuzz -------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/digsig-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
read -r -a EXTRA <<< "${FUZZ_ARGS:-}"
passed=0
failed=0
for t in "${FUZZ_TARGETS[@]}"; do
  corpus=$WORK/$t
  mkdir -p "$corpus"
  cp "$REPO/${PACKAGE[$t]}/corpus/$t"/* "$corpus/"
  seeds=$(ls "$corpus" | wc -l)
  log=$LOGS/$t.log
  start=$(date +%s)
  set +e
  "$BIN/$t" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=5 \
    -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$t-" "${EXTRA[@]}" "$corpus" > "$log" 2>&1
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  grown=$(ls "$corpus" | wc -l)
  summary="${execs:-?} execs in ${elapsed} s, coverage ${cov:-?} edges, corpus $seeds -> $grown inputs"
  if (( rc == 0 )); then
    passed=$((passed + 1))
    echo "$t: PASS, $summary"
  else
    failed=$((failed + 1))
    echo "$t: FAIL (exit $rc), $summary"
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|invariant violated|SUMMARY|Test unit written to' \
      "$log" | head -20 | sed 's/^/  /'
    echo "  full log: $log"
  fi
done
echo "$passed passed, $failed failed"
(( failed == 0 ))
