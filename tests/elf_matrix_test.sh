#!/usr/bin/env bash
# Signs real ELF files of eight architectures and checks that signing keeps
# them working: digsig verifies them, inspect names class/endian/machine,
# re-signing is byte-identical, binutils readelf parses them without a word,
# the executables still run (natively or under qemu-user) and a signed shared
# library still loads. Flipping single bytes of a signed file must make
# verify fail with "altered" or "malformed".
#
# A missing cross compiler or qemu is a FAILURE, not a skip: the bootstrap
# installs every row of tools/lib/cross_targets.sh, qemu-user and llvm-14
# (and smoke-tests each target).
#
# digsig starts in ~0.1 s (it loads libLLVM), so sign, verify and re-sign run
# once per architecture over all its files; each file still gets its own
# PASS/FAIL line from that run's per-file output.
set -euo pipefail
export LC_ALL=C

DIGSIG="${TEST_SRCDIR:?run me with bazel test}/digsig/signer/tools/digsig"
WORK="${TEST_TMPDIR:?}/elf_matrix"
export TMPDIR="$TEST_TMPDIR"
PYTHON=/usr/bin/python3
OBJCOPY=llvm-objcopy-14
HELLO_MSG="digsig-matrix-hello"
LIB_MSG="digsig-matrix-shared-library"

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

passed=0
failed=0
LOG="$WORK/check.log"

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $1"
  if [[ -s "$LOG" ]]; then sed -e 's/^/    | /' "$LOG" | head -n 20; fi
}
# check DESCRIPTION COMMAND [ARGS...]: the command's output goes to $LOG and
# is shown only when it fails. Sets ok=1 or ok=0; always returns 0.
ok=1
check() {
  local desc="$1"
  shift
  if "$@" >"$LOG" 2>&1; then
    ok=1
    pass "$desc"
  else
    ok=0
    fail "$desc"
  fi
}

# The architectures (tools/lib/cross_targets.sh, shared with the bootstrap).
# shellcheck source=../tools/lib/cross_targets.sh
source "$TEST_SRCDIR/digsig/tools/lib/cross_targets.sh"

# The files signed per architecture, as name:type-inspect-reports.
#   static     static executable            pie        dynamic PIE executable
#   libdigsigdemo.so  shared library        uselib     PIE linked against it
#   hello.o    relocatable object           stripped   ${triple}-strip'ed PIE
#   nosht      static, no section headers   nosht-dyn  PIE, no section headers
KINDS=(static:executable pie:shared-object libdigsigdemo.so:shared-object
  uselib:shared-object hello.o:relocatable stripped:shared-object nosht:executable
  nosht-dyn:shared-object)

# --- sources, helper script, key --------------------------------------------
cat >hello.c <<EOF
#include <stdio.h>
int main(void) { puts("$HELLO_MSG"); return 0; }
EOF
cat >demo_lib.c <<EOF
const char *digsig_demo_message(void) { return "$LIB_MSG"; }
EOF
cat >use_lib.c <<'EOF'
#include <stdio.h>
const char *digsig_demo_message(void);
int main(void) { puts(digsig_demo_message()); return 0; }
EOF

# flip.py OUTDIR SIGNED...: for each signed file writes copies with one byte
# flipped (XOR 0xff) at: the ELF header (e_entry, and EI_DATA), a middle byte
# of the signed content, a byte of the section header table (sh_flags of
# section 1), and the .digsig record (a digest byte, the covered_len field,
# a byte of the PKCS#7 signature). Prints the copies' paths.
cat >flip.py <<'EOF'
import os, struct, sys
outdir = sys.argv[1]
for src in sys.argv[2:]:
    data = open(src, "rb").read()
    is64, end = data[4] == 2, ">" if data[5] == 2 else "<"
    shoff = struct.unpack_from(end + ("Q" if is64 else "I"), data, 40 if is64 else 32)[0]
    shentsize = 64 if is64 else 40
    record_len = struct.unpack_from(">I", data, len(data) - 16)[0]
    record = len(data) - record_len
    sig_len = struct.unpack_from(">I", data, record + 116)[0]
    places = {
        "header-entry": 24,
        "header-data": 5,
        "middle": record // 2,
        "section-table": shoff + shentsize + 8,
        "digsig-digest": record + 48,
        "digsig-covered-len": record + 23,
        "digsig-pkcs7": record + 120 + sig_len - 20,
    }
    for name, off in places.items():
        assert 0 <= off < len(data), (src, name, off, len(data))
        b = bytearray(data)
        b[off] ^= 0xFF
        path = os.path.join(outdir, "%s.%s" % (os.path.basename(src), name))
        open(path, "wb").write(bytes(b))
        print(path)
EOF

# RSA (PKCS#1 v1.5) signatures are deterministic, so re-signing can be
# compared byte for byte; ECDSA signatures are randomised.
check "digsig keygen (rsa-2048)" "$DIGSIG" keygen --algo rsa-2048 --out "$WORK/key"
KEY="$WORK/key/key.pem"
CERT="$WORK/key/cert.pem"

# --- helpers used through check ----------------------------------------------
# line_with_prefix FILE PREFIX: FILE has exactly one line starting with PREFIX.
line_with_prefix() {
  local n=0 l
  while IFS= read -r l; do [[ "$l" == "$2"* ]] && n=$((n + 1)); done <"$1"
  [[ $n -eq 1 ]] || { echo "$n lines start with '$2' in:"; cat "$1"; return 1; }
}

# exit_was WANT GOT NAME
exit_was() { [[ "$2" -eq "$1" ]] || { echo "$3 exited $2, expected $1"; return 1; }; }

# inspect_fields FILE CLASS ENDIAN MACHINE TYPE
inspect_fields() {
  local json want
  json="$("$DIGSIG" inspect --json "$1")"
  echo "$json"
  for want in "\"class\":\"$2\"" "\"endian\":\"$3\"" "\"machine\":\"$4\"" "\"type\":\"$5\"" \
    '"signature":"elf"' '"section":".digsig"'; do
    [[ "$json" == *"$want"* ]] || { echo "missing $want"; return 1; }
  done
}

# readelf must exit 0, print nothing on stderr and list .digsig. $2, when
# given, is one diagnostic that is tolerated (see the nosht-dyn case).
readelf_clean() {
  local errs out="$WORK/readelf.out" err="$WORK/readelf.err"
  readelf -h -S "$1" >"$out" 2>"$err" || { cat "$err"; return 1; }
  errs="$(cat "$err")"
  if [[ -n "${2:-}" && "$errs" == "$2" ]]; then
    echo "tolerated readelf diagnostic: $errs"
    errs=""
  fi
  [[ -z "$errs" ]] || { echo "$errs"; return 1; }
  grep -q '\.digsig' "$out" || { echo "readelf does not list .digsig"; return 1; }
}

no_section_headers() {
  readelf -h "$1" >"$1.hdr"
  if ! grep -Eq 'Number of section headers:[[:space:]]+0$' "$1.hdr" ||
    ! grep -Eq 'Start of section headers:[[:space:]]+0 ' "$1.hdr"; then
    cat "$1.hdr"
    return 1
  fi
}

# runs_and_prints EXPECTED COMMAND...: exit 0 and stdout exactly EXPECTED.
runs_and_prints() {
  local want="$1" got
  shift
  got="$(timeout 20 "$@")" || { echo "exit status $? from: $*"; return 1; }
  echo "stdout: $got"
  [[ "$got" == "$want" ]]
}

fails_to_run() { ! timeout 20 "$@"; }

# --- the matrix ---------------------------------------------------------------
for entry in "${CROSS_TARGETS[@]}"; do
  IFS='|' read -r triple qemu class endian machine _ _ <<<"$entry"
  echo "=== $triple ==="
  cc="$triple-gcc"
  strip="$triple-strip"
  sysroot="/usr/$triple"
  if ! command -v "$cc" >/dev/null || ! command -v "$strip" >/dev/null; then
    : >"$LOG"
    fail "$triple: cross compiler $cc / $strip is not installed"
    continue
  fi
  if [[ -n "$qemu" ]] && ! command -v "$qemu" >/dev/null; then
    : >"$LOG"
    fail "$triple: $qemu is not installed"
    continue
  fi

  b="$WORK/$triple/build"     # unsigned inputs
  s="$WORK/$triple/signed"    # signed outputs
  a="$WORK/$triple/again"     # the signed outputs signed once more
  t="$WORK/$triple/tampered"  # byte-flipped copies of the signed outputs
  mkdir -p "$b" "$s" "$a" "$t"

  # --- build ---
  check "$triple: build static executable" "$cc" -O1 -static -o "$b/static" hello.c
  check "$triple: build dynamic PIE executable" "$cc" -O1 -fPIE -pie -o "$b/pie" hello.c
  check "$triple: build shared library" "$cc" -O1 -fPIC -shared -o "$b/libdigsigdemo.so" demo_lib.c
  check "$triple: build PIE that calls the shared library" \
    "$cc" -O1 -fPIE -pie -o "$b/uselib" use_lib.c -L"$b" -ldigsigdemo
  check "$triple: build relocatable object (-c)" "$cc" -O1 -c -o "$b/hello.o" hello.c
  check "$triple: $strip the PIE" "$strip" -o "$b/stripped" "$b/pie"
  # llvm-objcopy refuses a static binary's IRELATIVE relocation sections
  # while their symbol table is still there, so strip first.
  check "$triple: strip + $OBJCOPY --strip-sections the static executable" \
    bash -c "'$strip' -o '$b/static.tmp' '$b/static' && $OBJCOPY --strip-sections '$b/static.tmp' '$b/nosht'"
  check "$triple: $OBJCOPY --strip-sections the PIE" $OBJCOPY --strip-sections "$b/pie" "$b/nosht-dyn"
  check "$triple: readelf -h: nosht has 0 section headers at offset 0" no_section_headers "$b/nosht"
  check "$triple: readelf -h: nosht-dyn has 0 section headers at offset 0" no_section_headers "$b/nosht-dyn"

  inputs=()
  for kt in "${KINDS[@]}"; do
    k="${kt%%:*}"
    if [[ -f "$b/$k" ]]; then inputs+=("$b/$k"); else
      : >"$LOG"
      fail "$triple/$k: input was not built"
    fi
  done
  [[ ${#inputs[@]} -gt 0 ]] || continue

  # --- sign, verify, re-sign: one digsig run each ---
  rc=0
  "$DIGSIG" sign --key "$KEY" --cert "$CERT" --out-dir "$s" "${inputs[@]}" \
    >"$s.sign-out" 2>"$s.sign-err" || rc=$?
  cp "$s.sign-err" "$LOG"
  check "$triple: digsig sign of ${#inputs[@]} files exits 0" exit_was 0 "$rc" sign
  rc=0
  "$DIGSIG" verify --cert "$CERT" "$s"/* >"$s.verify-out" 2>"$s.verify-err" || rc=$?
  cat "$s.verify-out" "$s.verify-err" >"$LOG"
  check "$triple: digsig verify of the signed files exits 0" exit_was 0 "$rc" verify
  rc=0
  "$DIGSIG" sign --key "$KEY" --cert "$CERT" --out-dir "$a" "$s"/* \
    >"$a.sign-out" 2>"$a.sign-err" || rc=$?
  cp "$a.sign-err" "$LOG"
  check "$triple: digsig sign of the signed files exits 0" exit_was 0 "$rc" sign

  signed=()
  for kt in "${KINDS[@]}"; do
    k="${kt%%:*}"
    type="${kt#*:}"
    f="$s/$k"
    [[ -f "$b/$k" ]] || continue
    check "$triple/$k: signed output exists" test -f "$f"
    [[ $ok -eq 1 ]] || continue
    signed+=("$f")
    check "$triple/$k: verify says ok" line_with_prefix "$s.verify-out" "$f: ok (elf signature, sha256,"
    check "$triple/$k: inspect --json says $class $endian $machine $type" \
      inspect_fields "$f" "$class" "$endian" "$machine" "$type"
    check "$triple/$k: signing the signed file again is byte-identical" cmp "$f" "$a/$k"
    if [[ "$k" == nosht-dyn ]]; then
      # readelf looks for a .dynamic section header once a file has a section
      # table; the one digsig adds to this file has none (see the report).
      check "$triple/$k: readelf -h -S parses it (one known diagnostic tolerated)" \
        readelf_clean "$f" "readelf: Error: no .dynamic section in the dynamic segment"
    else
      check "$triple/$k: readelf -h -S parses it without warnings" readelf_clean "$f"
    fi
  done
  [[ ${#signed[@]} -gt 0 ]] || continue

  # --- byte flips: every copy must fail verification on its own line ---
  check "$triple: make byte-flipped copies" $PYTHON flip.py "$t" "${signed[@]}"
  if [[ $ok -eq 1 ]]; then
    mapfile -t flipped <"$LOG"
    rc=0
    "$DIGSIG" verify --cert "$CERT" "${flipped[@]}" >"$t.verify-out" 2>"$t.verify-err" || rc=$?
    cp "$t.verify-err" "$LOG"
    check "$triple: verify of ${#flipped[@]} byte-flipped files exits 1" exit_was 1 "$rc" verify
    for f in "${flipped[@]}"; do
      name="${f##*/}"
      what="$triple/${name%.*}: one flipped byte (${name##*.})"
      if line_with_prefix "$t.verify-err" "digsig: $f: altered: " >"$LOG" 2>&1; then
        pass "$what -> verify says altered"
      elif line_with_prefix "$t.verify-err" "digsig: $f: malformed: " >"$LOG" 2>&1; then
        pass "$what -> verify says malformed"
      else
        cp "$t.verify-err" "$LOG"
        fail "$what -> verify does not say altered or malformed (once)"
      fi
    done
  fi

  # --- run the signed executables ---
  run=()
  dyn=()
  if [[ -n "$qemu" ]]; then
    run=("$qemu")
    dyn=("$qemu" -L "$sysroot")
  fi
  for k in static nosht; do
    check "$triple/$k: signed static executable runs${qemu:+ under $qemu}" \
      runs_and_prints "$HELLO_MSG" "${run[@]}" "$s/$k"
  done
  for k in pie stripped nosht-dyn; do
    check "$triple/$k: signed dynamic executable runs${qemu:+ under $qemu -L $sysroot}" \
      runs_and_prints "$HELLO_MSG" "${dyn[@]}" "$s/$k"
  done
  # The unsigned library stays in build/; only the signed copy in signed/ is
  # on the library path, and without that path the program cannot start.
  if [[ -n "$qemu" ]]; then
    check "$triple/uselib: signed PIE runs with the signed libdigsigdemo.so" \
      runs_and_prints "$LIB_MSG" "${dyn[@]}" -E "LD_LIBRARY_PATH=$s" "$s/uselib"
    check "$triple/uselib: without LD_LIBRARY_PATH it cannot start" fails_to_run "${dyn[@]}" "$s/uselib"
  else
    check "$triple/uselib: signed PIE runs with the signed libdigsigdemo.so" \
      runs_and_prints "$LIB_MSG" env "LD_LIBRARY_PATH=$s" "$s/uselib"
    check "$triple/uselib: without LD_LIBRARY_PATH it cannot start" fails_to_run "$s/uselib"
  fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
