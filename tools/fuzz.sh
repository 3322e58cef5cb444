#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read untrusted input, with
# libFuzzer, ASan and UBSan (clang-14 from Debian's clang-14 and
# libclang-rt-14-dev; tools/bootstrap.sh installs both).
#
#   tools/fuzz.sh [SECONDS]     # seconds per target: $FUZZ_SECONDS, else 20
#
# Builds each target of signer/fuzz/ with clang directly (not with Bazel),
# then fuzzes it for SECONDS over a temporary copy of its seed corpus
# signer/fuzz/corpus/<target>/: the repository is never written to. Build
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
LLVM_DIR=/usr/lib/llvm-14
JOBS=$(nproc 2>/dev/null || echo 2)

TARGETS=(elf_reader_fuzzer signature_record_fuzzer pkcs7_fuzzer tar_archive_fuzzer
  elf_interp_fuzzer revocation_list_fuzzer)
FUZZ_TARGETS=(${FUZZ_TARGETS:-${TARGETS[*]}})  # FUZZ_TARGETS="a b": fuzz only those

for tool in "$CC" "$CXX"; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
done
mkdir -p "$OBJ" "$BIN" "$ARTIFACTS" "$LOGS"

SAN=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
COMMON=("${SAN[@]}" -O1 -g -I"$REPO" -I"$LLVM_DIR/include")
CFLAGS=("${COMMON[@]}" -std=c11)
CXXFLAGS=("${COMMON[@]}" -std=c++20)
LIBS=(-L"$LLVM_DIR/lib" -Wl,-rpath,"$LLVM_DIR/lib" -lLLVM-14 -lcrypto -lyaml-cpp -larchive -lpthread)

# Internal: `fuzz.sh --compile LANG SRC OBJ`, run in parallel by xargs below.
if [[ "${1:-}" == --compile ]]; then
  if [[ $2 == c ]]; then exec "$CC" "${CFLAGS[@]}" -c "$3" -o "$4"; fi
  exec "$CXX" "${CXXFLAGS[@]}" -c "$3" -o "$4"
fi

# --- build ------------------------------------------------------------------------
# An object is rebuilt when it is missing or older than its source or than
# any header it could include (coarse, but never stale).
newest_header=$(find "$REPO/signer/lib" "$REPO/signer/format" "$REPO/signer/fuzz" \
  -maxdepth 1 \( -name '*.h' -o -name '*.inc' \) -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2)
jobs_file=$OBJ/jobs.txt
: > "$jobs_file"
queue() {  # queue LANG SRC OBJ
  if [[ ! -f "$3" || "$2" -nt "$3" || "$newest_header" -nt "$3" ]]; then
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$jobs_file"
  fi
}
LIB_OBJS=()
for src in "$REPO"/signer/lib/*.cc; do
  o=$OBJ/lib_$(basename "${src%.cc}").o
  queue c++ "$src" "$o"
  LIB_OBJS+=("$o")
done
# The plain C shared with the kernel module (signer/format/*.c).
FORMAT_OBJS=()
for src in "$REPO"/signer/format/*.c; do
  o=$OBJ/$(basename "${src%.c}").o
  queue c "$src" "$o"
  FORMAT_OBJS+=("$o")
done
for t in "${TARGETS[@]}"; do queue c++ "$REPO/signer/fuzz/$t.cc" "$OBJ/$t.o"; done

n=$(wc -l < "$jobs_file")
if (( n > 0 )); then
  echo "fuzz.sh: compiling $n files with $CXX ($JOBS jobs)"
  tr '\t' '\n' < "$jobs_file" | xargs -d '\n' -n 3 -P "$JOBS" bash "$REPO/tools/fuzz.sh" --compile \
    || { echo "fuzz.sh: compilation failed" >&2; exit 2; }
fi

link() {  # link TARGET OBJS...
  local t=$1; shift
  local out=$BIN/$t
  local stale=0
  for o in "$@"; do [[ -f "$out" && "$o" -nt "$out" ]] && stale=1; done
  if [[ ! -f "$out" || $stale == 1 ]]; then
    "$CXX" "${SAN[@]}" -o "$out" "$@" "${LIBS[@]}"
  fi
}
link elf_reader_fuzzer "$OBJ/elf_reader_fuzzer.o" "${LIB_OBJS[@]}" "${FORMAT_OBJS[@]}"
link pkcs7_fuzzer "$OBJ/pkcs7_fuzzer.o" "${LIB_OBJS[@]}" "${FORMAT_OBJS[@]}"
link signature_record_fuzzer "$OBJ/signature_record_fuzzer.o" "${FORMAT_OBJS[@]}"
link tar_archive_fuzzer "$OBJ/tar_archive_fuzzer.o" "${LIB_OBJS[@]}" "${FORMAT_OBJS[@]}"
link elf_interp_fuzzer "$OBJ/elf_interp_fuzzer.o" "${FORMAT_OBJS[@]}"
link revocation_list_fuzzer "$OBJ/revocation_list_fuzzer.o" "${LIB_OBJS[@]}" "${FORMAT_OBJS[@]}"

# --- fuzz -------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/digsig-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
read -r -a EXTRA <<< "${FUZZ_ARGS:-}"
passed=0
failed=0
for t in "${FUZZ_TARGETS[@]}"; do
  corpus=$WORK/$t
  mkdir -p "$corpus"
  cp "$REPO/signer/fuzz/corpus/$t"/* "$corpus/"
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
