#!/usr/bin/env bash
# Signing benchmark: every ELF under /usr/bin and /usr/lib/x86_64-linux-gnu,
# signed by digsig (one process, every core), by `evmctl ima_sign` once per
# file and by the kernel's `sign-file` once per file, all in this run, plus
# the physical limit (SHA-256 throughput and RSA signatures/s, x cores).
#
#   bazel run //tools/bench:sign_bench [-- --algo rsa-2048] [-- --limit N]
#
# Corpus and outputs live on tmpfs (/dev/shm) so the disk is not measured.
set -euo pipefail

algo=rsa-2048
limit=0
while [ $# -gt 0 ]; do
  case "$1" in
    --algo) algo="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    *) echo "usage: sign_bench [--algo ALGO] [--limit FILES]" >&2; exit 2 ;;
  esac
done

digsig="${DIGSIG:-}"
if [ -z "$digsig" ]; then
  for c in "${RUNFILES_DIR:-$0.runfiles}/digsig/signer/tools/digsig" "$(dirname "$0")/../../bazel-bin/signer/tools/digsig"; do
    [ -x "$c" ] && digsig="$c" && break
  done
fi
[ -x "$digsig" ] || { echo "sign_bench: digsig binary not found" >&2; exit 2; }
sign_file=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -1)
command -v evmctl >/dev/null || { echo "sign_bench: evmctl missing (ima-evm-utils)" >&2; exit 2; }
[ -n "$sign_file" ] || { echo "sign_bench: sign-file missing (linux-kbuild)" >&2; exit 2; }

work=$(mktemp -d /dev/shm/digsig-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)
now() { date +%s.%N; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$@"; }

echo "== corpus"
mkdir -p "$work/in"
python3 - "$work/in" "$limit" <<'PY'
import os, shutil, sys
dst, limit = sys.argv[1], int(sys.argv[2])
n = 0
for d in ("/usr/bin", "/usr/lib/x86_64-linux-gnu"):
    for root, _, files in os.walk(d):
        for f in sorted(files):
            p = os.path.join(root, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            try:
                with open(p, "rb") as fh:
                    if fh.read(4) != b"\x7fELF":
                        continue
            except OSError:
                continue
            shutil.copyfile(p, os.path.join(dst, f"{n:05d}-{f}"))
            n += 1
            if limit and n >= limit:
                sys.exit(0)
PY
files=$(ls "$work/in" | wc -l)
bytes=$(du -sb "$work/in" | cut -f1)
mb=$(python3 -c "print(f'{$bytes/1e6:.1f}')")
echo "files: $files  size: $mb MB  cores: $cores  key: $algo"

"$digsig" keygen --out "$work/key" --algo "$algo" >/dev/null
key="$work/key/key.pem"; cert="$work/key/cert.pem"

echo "== physical limit (openssl speed, one core, times $cores cores)"
sha_bps=$(openssl speed -seconds 2 -bytes 1048576 -evp sha256 2>/dev/null |
  awk '/^sha256/ {v=$NF; sub(/k$/,"",v); print v*1000}')
case "$algo" in
  rsa-*) sign_ps=$(openssl speed -seconds 2 "rsa${algo#rsa-}" 2>/dev/null | awk '/^rsa/ {print $(NF-1)}') ;;
  ecdsa-p256) sign_ps=$(openssl speed -seconds 2 ecdsap256 2>/dev/null | awk '/256 bits ecdsa/ {print $(NF-1)}') ;;
  ecdsa-p384) sign_ps=$(openssl speed -seconds 2 ecdsap384 2>/dev/null | awk '/384 bits ecdsa/ {print $(NF-1)}') ;;
  *) sign_ps=$(openssl speed -seconds 2 ed25519 2>/dev/null | awk '/Ed25519/ {print $(NF-1)}') ;;
esac
limit_s=$(python3 -c "print($bytes/($sha_bps*$cores) + $files/($sign_ps*$cores))")
# The limit leaves out writing the output, which signing must do: for scale,
# time a plain copy of the corpus with cat (one core) to the same filesystem.
t0=$(now); cat "$work"/in/* >"$work/copy.bin"; copy_s=$(python3 -c "print($(now)-$t0)")
rm -f "$work/copy.bin"
printf 'sha256: %.0f MB/s per core; %s: %.0f signatures/s per core\n' \
  "$(python3 -c "print($sha_bps/1e6)")" "$algo" "$sign_ps"
printf 'limit (hash + sign): %.3f s for the corpus (%.0f files/s)\n' "$limit_s" "$(python3 -c "print($files/$limit_s)")"
printf 'for scale: copying the corpus with cat takes %.3f s\n' "$copy_s"

echo "== digsig sign (one process, $cores jobs), best of 3"
best=""
for run in 1 2 3; do
  rm -rf "$work/out"; mkdir "$work/out"
  t0=$(now)
  "$digsig" sign --key "$key" --cert "$cert" --out-dir "$work/out" "$work"/in/* 2>"$work/digsig.log" ||
    { cat "$work/digsig.log" >&2; exit 1; }
  t=$(python3 -c "print($(now)-$t0)")
  best=$(python3 -c "print(min(float('${best:-1e9}'), $t))")
done
"$digsig" verify --quiet --cert "$cert" "$work"/out/* >/dev/null
t0=$(now); "$digsig" verify --quiet --cert "$cert" "$work"/out/* >/dev/null; verify_s=$(python3 -c "print($(now)-$t0)")
printf 'digsig sign:   %.3f s  %.0f files/s  %.0f MB/s\n' "$best" \
  "$(python3 -c "print($files/$best)")" "$(python3 -c "print($bytes/1e6/$best)")"
printf 'digsig verify: %.3f s  %.0f files/s\n' "$verify_s" "$(python3 -c "print($files/$verify_s)")"

echo "== evmctl ima_sign, one process per file"
t0=$(now)
for f in "$work"/in/*; do evmctl ima_sign --key "$key" -a sha256 --sigfile "$f" >/dev/null 2>&1; done
evm_s=$(python3 -c "print($(now)-$t0)")
printf 'evmctl:        %.3f s  %.0f files/s\n' "$evm_s" "$(python3 -c "print($files/$evm_s)")"

echo "== kernel sign-file, one process per file"
mkdir -p "$work/sf"
t0=$(now)
for f in "$work"/in/*; do "$sign_file" sha256 "$key" "$cert" "$f" "$work/sf/$(basename "$f")"; done
sf_s=$(python3 -c "print($(now)-$t0)")
printf 'sign-file:     %.3f s  %.0f files/s\n' "$sf_s" "$(python3 -c "print($files/$sf_s)")"

echo "== ratios (higher is better for digsig)"
echo "digsig vs evmctl per file:    $(ratio "$evm_s" "$best")x faster"
echo "digsig vs sign-file per file: $(ratio "$sf_s" "$best")x faster"
echo "digsig vs physical limit:     $(python3 -c "print(f'{100*$limit_s/$best:.0f}')")% of the hash+sign limit"
echo "digsig vs a cat copy:         $(ratio "$copy_s" "$best")x (signing every file vs only copying it)"
