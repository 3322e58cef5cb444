#!/usr/bin/env bash
# Feeds digsig sign/verify/inspect hostile inputs: broken ELF headers, tables
# pointing outside the file, absurd counts, damaged signature records, non-ELF
# files and an unprintable file name. For every input each command must fail
# cleanly: exit 1 (not a crash, not a hang past 5 s), exactly one stderr line
# naming the file (sign adds its "digsig: signed ..." summary), the input
# byte-identical afterwards and no output or temporary file left behind.
# Also: --skip-non-elf, a batch with one bad file in the middle, a batch of
# every hostile file, layouts that are odd but legal (overlapping sections),
# and a non-numeric --jobs.
set -euo pipefail
export LC_ALL=C

DIGSIG="${TEST_SRCDIR:?run me with bazel test}/digsig/signer/tools/digsig"
WORK="${TEST_TMPDIR:?}/hostile_elf"
export TMPDIR="$TEST_TMPDIR"
PYTHON=/usr/bin/python3

rm -rf "$WORK"
mkdir -p "$WORK/cases" "$WORK/legal" "$WORK/out"
cd "$WORK"
CASES="$WORK/cases"

passed=0
failed=0
LOG="$WORK/check.log"

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $1"
  if [[ -s "$LOG" ]]; then sed -e 's/^/    | /' "$LOG" | head -n 20; fi
}
# check DESCRIPTION COMMAND [ARGS...]: output to $LOG, shown on failure.
# Always returns 0.
check() {
  local desc="$1"
  shift
  if "$@" >"$LOG" 2>&1; then pass "$desc"; else fail "$desc"; fi
}

# --- the generator ---------------------------------------------------------
# gen.py DIR: writes a small well-formed ELF (good-*.elf) per class/byte
# order and the hostile variants derived from them.
# gen.py --from-signed SIGNED DIR: writes variants of a signed file.
cat >gen.py <<'EOF'
import os, struct, sys

class Elf:
    """A small, well-formed executable: ELF header, one PT_LOAD, .text,
    .shstrtab, section header table at the end."""
    def __init__(self, is64, be):
        self.is64, self.e = is64, ">" if be else "<"
        self.eh, self.ph, self.sh = (64, 56, 64) if is64 else (52, 32, 40)
        self.text_off = 128
        self.names = b"\0.text\0.shstrtab\0"
        self.names_off = self.text_off + 16
        self.sh_off = (self.names_off + len(self.names) + 7) & ~7
        self.size = self.sh_off + 3 * self.sh

    def sections(self):
        return [(0, 0, 0, 0, 0), (1, 1, 6, self.text_off, 16),
                (7, 3, 0, self.names_off, len(self.names))]

    def shdr(self, name, typ, flags, off, size, link=0):
        if self.is64:
            return struct.pack(self.e + "IIQQQQIIQQ", name, typ, flags, 0, off, size, link, 0, 1, 0)
        return struct.pack(self.e + "IIIIIIIIII", name, typ, flags, 0, off, size, link, 0, 1, 0)

    def build(self, sections=None, ident=None, **kw):
        h = dict(e_type=2, e_machine=62 if self.is64 else 3, e_version=1, e_entry=0x400080,
                 e_phoff=self.eh, e_shoff=self.sh_off, e_flags=0, e_ehsize=self.eh,
                 e_phentsize=self.ph, e_phnum=1, e_shentsize=self.sh, e_shnum=3, e_shstrndx=2)
        h.update(kw)
        secs = sections if sections is not None else self.sections()
        ident = ident or (b"\x7fELF" + bytes([2 if self.is64 else 1, 2 if self.e == ">" else 1, 1]))
        ident = ident + bytes(16 - len(ident))
        w = "Q" if self.is64 else "I"
        hdr = ident + struct.pack(self.e + "HHI" + w * 3 + "IHHHHHH", h["e_type"], h["e_machine"],
            h["e_version"], h["e_entry"], h["e_phoff"], h["e_shoff"], h["e_flags"], h["e_ehsize"],
            h["e_phentsize"], h["e_phnum"], h["e_shentsize"], h["e_shnum"], h["e_shstrndx"])
        if self.is64:
            ph = struct.pack(self.e + "IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, self.size, self.size, 0x1000)
        else:
            ph = struct.pack(self.e + "IIIIIIII", 1, 0, 0x400000, 0x400000, self.size, self.size, 5, 0x1000)
        b = bytearray(hdr + ph)
        b += bytes(self.text_off - len(b)) + b"\x90" * 16 + self.names
        b += bytes(self.sh_off - len(b))
        b += b"".join(self.shdr(*s) for s in secs)
        return bytes(b)

def write(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def main(d):
    e64, e32 = Elf(True, False), Elf(False, True)  # ELF64 LE, ELF32 BE
    good64, good32 = e64.build(), e32.build()
    write(d, "good-64le.elf", good64)
    write(d, "good-32be.elf", good32)
    h = os.path.join(d, "hostile")
    os.makedirs(h)
    cases = {
        "empty": b"",
        "three-bytes": b"\x7fEL",
        "text-file": b"#!/bin/sh\necho this is not an ELF file\n",
        "bad-class": b"\x7fELF" + bytes([7, 1, 1]) + good64[7:],
        "bad-data": b"\x7fELF" + bytes([2, 9, 1]) + good64[7:],
        "class-and-data-zero": b"\x7fELF" + bytes([0, 0, 1]) + good64[7:],
        "ident-only": good64[:16],
        "truncated-header-64": good64[:40],
        "truncated-header-32": good32[:50],
        "shoff-past-eof-64": e64.build(e_shoff=e64.size + 4096),
        "shoff-past-eof-32": e32.build(e_shoff=e32.size + 4096),
        "shoff-huge": e64.build(e_shoff=0xFFFFFFFFFFFFFFC0),
        "shoff-misaligned": e64.build(e_shoff=e64.sh_off - 4),
        "shnum-65535-64": e64.build(e_shnum=65535),
        "shnum-65535-32": e32.build(e_shnum=65535),
        "shnum-extended-huge": e64.build(e_shnum=0, sections=[(0, 0, 0, 0, 0x03FFFFFFFFFFFFFF)] + e64.sections()[1:]),
        "shentsize-wrong-64": e64.build(e_shentsize=40),
        "shentsize-wrong-32": e32.build(e_shentsize=64),
        "shentsize-zero": e64.build(e_shentsize=0),
        "shstrndx-out-of-range": e64.build(e_shstrndx=7),
        "shstrndx-65279": e32.build(e_shstrndx=0xFEFF),
        "shstrndx-not-strtab": e64.build(e_shstrndx=1),
        "section-counts-without-table": e64.build(e_shoff=0),
        "section-offset-past-eof": e64.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 1 << 20, 16), (7, 3, 0, e64.names_off, 17)]),
        "section-size-past-eof": e32.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 1 << 20), (7, 3, 0, e32.names_off, 17)]),
        "section-end-wraps": e64.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 0xFFFFFFFFFFFFFF90), (7, 3, 0, e64.names_off, 17)]),
        "section-end-wraps-32": e32.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 0xFFFFFF90), (7, 3, 0, e32.names_off, 17)]),
        "shstrtab-past-eof": e64.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 16), (7, 3, 0, 1 << 30, 17)]),
        "shstrtab-overlaps-past-eof": e64.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 16), (7, 3, 0, e64.names_off, e64.size)]),
        "shstrtab-empty": e64.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 16), (7, 3, 0, e64.names_off, 0)]),
        "shstrtab-unterminated": e64.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 16), (7, 3, 0, e64.names_off, 16)]),
        "section-name-out-of-range": e64.build(sections=[(0, 0, 0, 0, 0), (4000, 1, 6, 128, 16), (7, 3, 0, e64.names_off, 17)]),
        "phoff-past-eof": e64.build(e_phoff=1 << 20),
        "phoff-huge": e64.build(e_phoff=0xFFFFFFFFFFFFFFF0),
        "phnum-huge-64": e64.build(e_phnum=0xFFFF),
        "phnum-huge-32": e32.build(e_phnum=0xFFFF),
        "phentsize-wrong": e64.build(e_phentsize=7),
        # A file name with spaces and bytes that are not UTF-8.
        b"bad name \xff\xfe with spaces.elf": e64.build(e_shoff=e64.size + 4096),
    }
    for name, data in cases.items():
        with open(os.path.join(os.fsencode(h), name if isinstance(name, bytes) else name.encode()), "wb") as f:
            f.write(data)
    # Odd but legal: sections overlapping each other or the tables. Every
    # byte stays inside the file and the whole file is hashed anyway.
    g = os.path.join(d, "legal")
    os.makedirs(g)
    write(g, "sections-overlap", e64.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 33), (7, 3, 0, e64.names_off, 17)]))
    write(g, "shstrtab-covers-section-table", e64.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 16), (7, 3, 0, e64.names_off, e64.size - e64.names_off)]))
    write(g, "shstrtab-is-whole-file", e32.build(sections=[(0, 0, 0, 0, 0), (1, 1, 6, 128, 16), (7, 3, 0, 0, e32.size)]))

def from_signed(src, d, prefix):
    s = open(src, "rb").read()
    rec_len = struct.unpack(">I", s[-16:-12])[0]
    tail = s[-12:]
    cases = {
        "truncated-1": s[:-1],
        "truncated-100": s[:-100],
        "record-len-ffffffff": s[:-16] + struct.pack(">I", 0xFFFFFFFF) + tail,
        "record-len-10": s[:-16] + struct.pack(">I", 10) + tail,
        "record-len-0": s[:-16] + struct.pack(">I", 0) + tail,
        "record-len-file-size": s[:-16] + struct.pack(">I", len(s)) + tail,
        "record-len-minus-8": s[:-16] + struct.pack(">I", rec_len - 8) + tail,
        "record-len-65536": s[:-16] + struct.pack(">I", 65536) + tail,
        "byte-appended": s + b"x",
        "elf-header-plus-trailer": s[:64] + s[-16:],
    }
    for name, data in cases.items():
        write(d, prefix + name, data)

if sys.argv[1] == "--from-signed":
    from_signed(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    main(sys.argv[1])
EOF

# RSA signatures are deterministic: the legal-layout re-sign check compares bytes.
check "digsig keygen (rsa-2048)" "$DIGSIG" keygen --algo rsa-2048 --out "$WORK/key"
KEY="$WORK/key/key.pem"
CERT="$WORK/key/cert.pem"
SIGN=("$DIGSIG" sign --key "$KEY" --cert "$CERT")

check "generate the hostile inputs" $PYTHON gen.py "$CASES"
for g in good-64le.elf good-32be.elf; do
  check "control: $g signs" "${SIGN[@]}" -o "$WORK/$g.signed" "$CASES/$g"
  check "control: signed $g verifies" "$DIGSIG" verify --cert "$CERT" "$WORK/$g.signed"
done
check "generate the damaged signed files (from good-64le.elf)" \
  $PYTHON gen.py --from-signed "$WORK/good-64le.elf.signed" "$CASES/hostile" signed-64le-
check "generate the damaged signed files (from good-32be.elf)" \
  $PYTHON gen.py --from-signed "$WORK/good-32be.elf.signed" "$CASES/hostile" signed-32be-

# --- helpers ---------------------------------------------------------------
# run_cmd NAME OUTPREFIX COMMAND...: runs under `timeout 5`, stdout/stderr to
# OUTPREFIX.out/.err, exit status to $rc.
rc=0
run_cmd() {
  local prefix="$1"
  shift
  rc=0
  timeout 5 "$@" >"$prefix.out" 2>"$prefix.err" || rc=$?
}

# The helpers below avoid forks: digsig itself takes ~0.1 s to start and the
# per-input loop runs it three times for each of ~60 inputs.
slurp() { content=""; IFS= read -r -d '' content <"$1" || true; }

# clean_exit WANT ERRFILE: $rc is WANT; not a timeout, signal or crash report.
clean_exit() {
  local content
  slurp "$2"
  printf '%s' "$content"
  if [[ $rc -eq 124 ]]; then echo "timed out after 5 s"; return 1; fi
  if [[ $rc -ge 128 ]]; then echo "killed by signal $((rc - 128))"; return 1; fi
  if [[ "$content" == *Sanitizer* || "$content" == *Segmentation* || "$content" == *"terminate called"* ]]; then
    echo "crash report on stderr"
    return 1
  fi
  [[ $rc -eq $1 ]] || { echo "exit status $rc, expected $1"; return 1; }
}

# stderr_lines ERRFILE PATH [SUMMARY-PREFIX]: exactly one line, and it starts
# with "digsig: PATH: "; with SUMMARY-PREFIX, a second line starting with it.
stderr_lines() {
  local -a lines
  mapfile -t lines <"$1"
  printf '%s\n' "${lines[@]}"
  local want=1
  [[ -n "${3:-}" ]] && want=2
  [[ ${#lines[@]} -eq $want ]] || { echo "${#lines[@]} stderr lines, expected $want"; return 1; }
  [[ "${lines[0]}" == "digsig: $2: "* ]] || { echo "first line does not name the file"; return 1; }
  [[ -z "${3:-}" || "${lines[1]}" == "$3"* ]] || { echo "second line is not the summary '$3...'"; return 1; }
}

dir_empty() {
  local -a entries
  shopt -s nullglob dotglob
  entries=("$1"/*)
  shopt -u nullglob dotglob
  [[ ${#entries[@]} -eq 0 ]] || { printf '%s\n' "${entries[@]}"; return 1; }
}

no_temp_files() {
  local found
  found="$(find "$@" -name '*.digsig-tmp-*')"
  [[ -z "$found" ]] || { echo "$found"; return 1; }
}

same_hash() { [[ "$(sha256sum <"$2" | cut -d' ' -f1)" == "$1" ]] || { echo "content changed"; return 1; }; }

# --- every hostile input alone -----------------------------------------------
mapfile -d '' hostile < <(find "$CASES/hostile" -type f -print0 | sort -z)
check "found ${#hostile[@]} hostile inputs (expected 58)" test "${#hostile[@]}" -eq 58
# Hashes of every input, checked again after all the commands ran.
(cd "$CASES/hostile" && sha256sum -- *) >"$WORK/hostile.sha256"

OUT="$WORK/out/signed-here"  # sign -o target; the directory must stay empty
R="$WORK/results"            # stdout/stderr of the commands
mkdir -p "$WORK/out/signed-here" "$R"
for f in "${hostile[@]}"; do
  printf -v name '%q' "${f#"$CASES"/}"  # the file name has unprintable bytes

  run_cmd "$R/sign" "${SIGN[@]}" -o "$OUT/signed" "$f"
  check "$name: sign -o exits 1 cleanly" clean_exit 1 "$R/sign.err"
  check "$name: sign prints one line naming the file + summary" \
    stderr_lines "$R/sign.err" "$f" "digsig: signed 0, skipped 0, failed 1 "
  check "$name: sign -o leaves no output or temporary file" dir_empty "$OUT"

  run_cmd "$R/verify" "$DIGSIG" verify --cert "$CERT" "$f"
  check "$name: verify exits 1 cleanly" clean_exit 1 "$R/verify.err"
  check "$name: verify prints one line naming the file" stderr_lines "$R/verify.err" "$f"

  run_cmd "$R/inspect" "$DIGSIG" inspect --json "$f"
  check "$name: inspect exits 1 cleanly" clean_exit 1 "$R/inspect.err"
done

# --in-place over all of them at once: every file fails, none is touched.
run_cmd "$R/inplace" "${SIGN[@]}" --in-place "${hostile[@]}"
check "sign --in-place of all hostile inputs: exits 1 cleanly" clean_exit 1 "$R/inplace.err"
check "sign --in-place of all hostile inputs: one line per input + summary" \
  test "$(wc -l <"$R/inplace.err")" -eq $((${#hostile[@]} + 1))

(cd "$CASES/hostile" && sha256sum -c "$WORK/hostile.sha256") >"$R/sha256-check" 2>&1 || true
for f in "${hostile[@]}"; do
  printf -v name '%q' "${f#"$CASES"/}"
  check "$name: input is byte-identical afterwards" \
    grep -Fxq -- "${f##*/}: OK" "$R/sha256-check"
done
check "no temporary files next to the inputs" no_temp_files "$CASES" "$WORK/out"

# --- all hostile inputs in one batch -------------------------------------------
mkdir -p "$WORK/batch-all"
run_cmd "$WORK/batch-all.log" "${SIGN[@]}" --out-dir "$WORK/batch-all" "${hostile[@]}"
check "batch of all hostile inputs: sign exits 1 cleanly" clean_exit 1 "$WORK/batch-all.log.err"
check "batch of all hostile inputs: one line per input + summary" \
  test "$(wc -l <"$WORK/batch-all.log.err")" -eq $((${#hostile[@]} + 1))
check "batch of all hostile inputs: summary counts them all as failed" \
  grep -q "^digsig: signed 0, skipped 0, failed ${#hostile[@]} " "$WORK/batch-all.log.err"
check "batch of all hostile inputs: nothing written" dir_empty "$WORK/batch-all"
run_cmd "$WORK/batch-all-verify" "$DIGSIG" verify --cert "$CERT" "${hostile[@]}"
check "batch of all hostile inputs: verify exits 1 cleanly" clean_exit 1 "$WORK/batch-all-verify.err"
check "batch of all hostile inputs: verify prints one line per input" \
  test "$(wc -l <"$WORK/batch-all-verify.err")" -eq "${#hostile[@]}"

# --- --skip-non-elf ------------------------------------------------------------
text="$CASES/hostile/text-file"
text_hash="$(sha256sum <"$text" | cut -d' ' -f1)"
mkdir -p "$WORK/skip"
run_cmd "$WORK/skip/sign" "${SIGN[@]}" --skip-non-elf -o "$WORK/skip/out" "$text"
check "--skip-non-elf: sign skips the text file, exit 0" clean_exit 0 "$WORK/skip/sign.err"
check "--skip-non-elf: sign summary says skipped 1" \
  grep -q '^digsig: signed 0, skipped 1, failed 0 ' "$WORK/skip/sign.err"
check "--skip-non-elf: no output written" test ! -e "$WORK/skip/out"
run_cmd "$WORK/skip/verify" "$DIGSIG" verify --cert "$CERT" --skip-non-elf "$text"
check "--skip-non-elf: verify skips the text file, exit 0" clean_exit 0 "$WORK/skip/verify.err"
run_cmd "$WORK/skip/sign-elf" "${SIGN[@]}" --skip-non-elf -o "$WORK/skip/out2" "$CASES/hostile/truncated-header-64"
check "--skip-non-elf: a broken ELF file still fails sign (exit 1)" clean_exit 1 "$WORK/skip/sign-elf.err"
run_cmd "$WORK/skip/verify-elf" "$DIGSIG" verify --cert "$CERT" --skip-non-elf "$CASES/hostile/truncated-header-64"
check "--skip-non-elf: a broken ELF file still fails verify (exit 1)" clean_exit 1 "$WORK/skip/verify-elf.err"
check "--skip-non-elf: text file unchanged" same_hash "$text_hash" "$text"

# --- a batch with a bad file between two good ones -----------------------------------
mkdir -p "$WORK/batch/in" "$WORK/batch/out"
cp "$CASES/good-64le.elf" "$WORK/batch/in/a-good.elf"
cp "$CASES/hostile/shoff-past-eof-64" "$WORK/batch/in/b-bad.elf"
cp "$CASES/good-32be.elf" "$WORK/batch/in/c-good.elf"
run_cmd "$WORK/batch/sign" "${SIGN[@]}" --out-dir "$WORK/batch/out" \
  "$WORK/batch/in/a-good.elf" "$WORK/batch/in/b-bad.elf" "$WORK/batch/in/c-good.elf"
check "batch good,bad,good: sign exits 1" clean_exit 1 "$WORK/batch/sign.err"
check "batch good,bad,good: one line for the bad file + summary 'signed 2, failed 1'" \
  stderr_lines "$WORK/batch/sign.err" "$WORK/batch/in/b-bad.elf" "digsig: signed 2, skipped 0, failed 1 "
check "batch good,bad,good: first good output exists" test -f "$WORK/batch/out/a-good.elf"
check "batch good,bad,good: last good output exists" test -f "$WORK/batch/out/c-good.elf"
check "batch good,bad,good: no output for the bad file" test ! -e "$WORK/batch/out/b-bad.elf"
check "batch good,bad,good: both good outputs verify" \
  "$DIGSIG" verify --cert "$CERT" "$WORK/batch/out/a-good.elf" "$WORK/batch/out/c-good.elf"
check "batch good,bad,good: no temporary files" no_temp_files "$WORK/batch"
written=("$WORK"/batch/out/*)
check "batch good,bad,good: exactly two files written" test "${#written[@]}" -eq 2

# --- odd but legal layouts: signed, and the result is sound -------------------------
for f in "$CASES"/legal/*; do
  name="legal/${f##*/}"
  before="$(sha256sum <"$f" | cut -d' ' -f1)"
  run_cmd "$WORK/legal/v0" "$DIGSIG" verify --cert "$CERT" "$f"
  check "$name: unsigned input: verify exits 1" clean_exit 1 "$WORK/legal/v0.err"
  check "$name: unsigned input: verify says unsigned" stderr_lines "$WORK/legal/v0.err" "$f: unsigned"
  run_cmd "$WORK/legal/s1" "${SIGN[@]}" -o "$WORK/legal/${f##*/}.signed" "$f"
  check "$name: sign exits 0" clean_exit 0 "$WORK/legal/s1.err"
  check "$name: signed output verifies" "$DIGSIG" verify --cert "$CERT" "$WORK/legal/${f##*/}.signed"
  check "$name: readelf -h -S parses the signed output without warnings" \
    bash -c "readelf -h -S '$WORK/legal/${f##*/}.signed' 2>&1 >/dev/null | (! grep .)"
  run_cmd "$WORK/legal/s2" "${SIGN[@]}" -o "$WORK/legal/${f##*/}.again" "$WORK/legal/${f##*/}.signed"
  check "$name: re-signing is byte-identical" cmp "$WORK/legal/${f##*/}.signed" "$WORK/legal/${f##*/}.again"
  check "$name: input is byte-identical afterwards" same_hash "$before" "$f"
done

# --- hostile arguments ---------------------------------------------------------
mkdir -p "$WORK/args"
run_cmd "$WORK/args/sign" "${SIGN[@]}" --jobs abc -o "$WORK/args/out" "$CASES/good-64le.elf"
check "sign --jobs abc: usage error (exit 2), no crash" clean_exit 2 "$WORK/args/sign.err"
check "sign --jobs abc: no output written" test ! -e "$WORK/args/out"
run_cmd "$WORK/args/verify" "$DIGSIG" verify --cert "$CERT" --jobs abc "$WORK/good-64le.elf.signed"
check "verify --jobs abc: usage error (exit 2), no crash" clean_exit 2 "$WORK/args/verify.err"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
