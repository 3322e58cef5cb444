#!/usr/bin/env bash
# Rootfs tarball signing benchmark, on a real Debian bookworm minbase tarball
# (tools/rootfs/debian_rootfs.sh, cached), all measured in this run:
#   a) digsig sign-tar --ima: one streaming pass;
#   b) the way embedded build systems do it today: extract, `evmctl ima_sign`
#      once per ELF file (sequential, and xargs -P cores), repack;
#   c) the physical limit: SHA-256 and RSA signatures/s, times cores;
#   d) memory: a multi-GB archive holding a ~1 GB ELF file (--no-large skips).
#
#   bazel run //tools/bench:tar_bench [-- --no-large] [-- --large-mb N]
#
# Everything lives on tmpfs (/dev/shm) so the disk is not measured.
set -euo pipefail
export LC_ALL=C

large=1
large_mb=1024
while [ $# -gt 0 ]; do
  case "$1" in
    --no-large) large=0; shift ;;
    --large-mb) large_mb="$2"; shift 2 ;;
    *) echo "usage: tar_bench [--no-large] [--large-mb N]" >&2; exit 2 ;;
  esac
done

runfiles="${RUNFILES_DIR:-$0.runfiles}/digsig"
digsig="${DIGSIG:-}"
if [ -z "$digsig" ]; then
  for c in "$runfiles/signer/tools/digsig" "$(dirname "$0")/../../bazel-bin/signer/tools/digsig"; do
    [ -x "$c" ] && digsig="$c" && break
  done
fi
[ -x "$digsig" ] || { echo "tar_bench: digsig binary not found" >&2; exit 2; }
rootfs_sh="$runfiles/tools/rootfs/debian_rootfs.sh"
[ -f "$rootfs_sh" ] || rootfs_sh="$(dirname "$0")/../rootfs/debian_rootfs.sh"
command -v evmctl >/dev/null || { echo "tar_bench: evmctl missing (ima-evm-utils)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "tar_bench: /usr/bin/time missing (package time)" >&2; exit 2; }

work=$(mktemp -d /dev/shm/digsig-tarbench.XXXXXX)
big=""
trap 'rm -rf "$work" ${big:+"$big"}' EXIT
cores=$(nproc)
now() { date +%s.%N; }
py() { python3 -c "print($1)"; }
# timed OUTFILE CMD...: runs CMD under /usr/bin/time; OUTFILE gets "seconds peak-KB".
timed() { local o=$1; shift; /usr/bin/time -f '%e %M' -o "$o" "$@"; }

echo "== corpus"
rootfs=$(bash "$rootfs_sh")
cp "$rootfs" "$work/rootfs.tar"
in="$work/rootfs.tar"
# Entries, ELF files and their bytes, all regular files' bytes, in one pass.
read -r entries elfs elf_bytes reg_bytes < <(python3 - "$in" <<'PY'
import sys, tarfile
n = elf = size = reg = 0
with tarfile.open(sys.argv[1]) as t:
    for m in t:
        n += 1
        if m.isreg():
            reg += m.size
            if t.extractfile(m).read(4) == b"\x7fELF":
                elf += 1
                size += m.size
print(n, elf, size, reg)
PY
)
in_bytes=$(stat -c %s "$in")
printf '%s: %d entries, %d ELF files (%.1f MB of %.1f MB), cores: %d\n' \
  "$(basename "$rootfs")" "$entries" "$elfs" "$(py "$elf_bytes/1e6")" "$(py "$in_bytes/1e6")" "$cores"

"$digsig" keygen --out "$work/key" --algo rsa-2048 >/dev/null
key="$work/key/key.pem"; cert="$work/key/cert.pem"

echo "== a) digsig sign-tar --ima (one process, every core), best of 3"
best=1e9; rss=0
for _ in 1 2 3; do
  timed "$work/t" "$digsig" sign-tar --ima --key "$key" --cert "$cert" "$in" -o "$work/signed.tar" 2>"$work/digsig.log" ||
    { cat "$work/digsig.log" >&2; exit 1; }
  read -r t kb <"$work/t"
  best=$(py "min($best, $t)"); rss=$(py "max($rss, $kb)")
done
printf 'digsig sign-tar: %.2f s  %.0f entries/s  %.0f MB/s  peak RSS %.1f MB\n' \
  "$best" "$(py "$entries/$best")" "$(py "$in_bytes/1e6/$best")" "$(py "$rss/1024")"
# /usr/bin/time has 10 ms resolution; keep the ratios below finite.
best=$(py "max($best, 0.01)")

echo "== b) baseline: extract, evmctl ima_sign per ELF file, repack"
# find_elfs DIR: every ELF file once, NUL-separated (tests/lib/find_elfs.py).
find_elfs_py="$runfiles/tests/lib/find_elfs.py"
[ -f "$find_elfs_py" ] || find_elfs_py="$(dirname "$0")/../../tests/lib/find_elfs.py"
find_elfs() { python3 "$find_elfs_py" "$1"; }
# baseline NAME SIGNER...: extract, list, sign with SIGNER (reads the NUL list
# on stdin), repack; prints phase times; leaves the total in $work/NAME.s.
baseline() {
  local name=$1; shift
  local x="$work/x-$name" t0 t1 t2 t3 t4
  rm -rf "$x"; mkdir "$x"
  t0=$(now)
  tar --xattrs --xattrs-include='*' --numeric-owner -xpf "$in" -C "$x"
  t1=$(now)
  find_elfs "$x" >"$work/elfs-$name"
  t2=$(now)
  "$@" <"$work/elfs-$name" >"$work/evmctl.log" 2>&1 || { tail "$work/evmctl.log" >&2; exit 1; }
  t3=$(now)
  tar --xattrs --xattrs-include='*' --numeric-owner -cpf "$work/baseline-$name.tar" -C "$x" .
  t4=$(now)
  printf '%-10s extract %.2f s  find ELF %.2f s  evmctl %.2f s  repack %.2f s  total %.2f s\n' \
    "$name:" "$(py "$t1-$t0")" "$(py "$t2-$t1")" "$(py "$t3-$t2")" "$(py "$t4-$t3")" "$(py "$t4-$t0")"
  py "$t4-$t0" >"$work/$name.s"
  rm -rf "$x" "$work/baseline-$name.tar"
}
# (errexit is off inside `cmd || ...`, hence the explicit return.)
sequential() { while IFS= read -r -d '' f; do evmctl ima_sign --key "$key" -a sha256 "$f" || return 1; done; }
parallel() { xargs -0 -P "$cores" -n 1 evmctl ima_sign --key "$key" -a sha256; }
baseline sequential sequential
baseline parallel parallel
seq_s=$(cat "$work/sequential.s"); par_s=$(cat "$work/parallel.s")
# The baseline signs less: an IMA signature only, no signature inside the ELF.
echo "(the baseline makes 1 signature per ELF file, digsig 2: embedded + security.ima)"

echo "== c) physical limit (openssl speed, one core, times $cores cores)"
sha_bps=$(openssl speed -seconds 2 -bytes 1048576 -evp sha256 2>/dev/null |
  awk '/^sha256/ {v=$NF; sub(/k$/,"",v); print v*1000}')
rsa_ps=$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa/ {print $(NF-1)}')
limit_s=$(py "$elf_bytes/($sha_bps*$cores) + 2*$elfs/($rsa_ps*$cores)")
# For scale: what merely copying the archive costs on the same filesystem.
t0=$(now); cat "$in" >"$work/copy.tar"; copy_s=$(py "$(now)-$t0"); rm -f "$work/copy.tar"
printf 'sha256: %.0f MB/s per core; rsa-2048: %.0f signatures/s per core\n' "$(py "$sha_bps/1e6")" "$rsa_ps"
printf 'limit: %.3f s = %.1f MB ELF / (sha256 x %d) + %d signatures / (rsa x %d)\n' \
  "$limit_s" "$(py "$elf_bytes/1e6")" "$cores" "$((2 * elfs))" "$cores"
# digsig hashes more than that: every other regular file too, for the
# manifest (each ELF file is hashed once: the digest of the signed content,
# for security.ima and the manifest, continues the signature's hash), plus
# the manifest's signature.
work_s=$(py "$reg_bytes/($sha_bps*$cores) + (2*$elfs+1)/($rsa_ps*$cores)")
printf 'limit for all the hashing and signing digsig does (every file once): %.3f s\n' "$work_s"
printf 'for scale: copying the archive with cat takes %.3f s\n' "$copy_s"

echo "== ratios (higher is better for digsig)"
printf 'sequential baseline / digsig: %.1fx\n' "$(py "$seq_s/$best")"
printf 'parallel baseline / digsig:   %.1fx\n' "$(py "$par_s/$best")"
printf 'digsig vs physical limit:     %.0f%% of the hash+sign limit (%.0f%% of the all-hashing one)\n' \
  "$(py "100*$limit_s/$best")" "$(py "100*$work_s/$best")"

[ "$large" -eq 1 ] || exit 0
echo "== d) large entries: a ${large_mb} MB ELF file + ${large_mb} MB of other files"
# Peak space: the ELF and other files, their archive, the signed archive.
need_kb=$((4 * large_mb * 1024 + 262144))
if [ "$(df --output=avail -k /dev/shm | tail -1)" -ge "$need_kb" ]; then big=$(mktemp -d /dev/shm/digsig-tarbench-big.XXXXXX)
elif [ "$(df --output=avail -k /tmp | tail -1)" -ge "$need_kb" ]; then big=$(mktemp -d /tmp/digsig-tarbench-big.XXXXXX)
else echo "not enough space for $((need_kb / 1024)) MB on /dev/shm or /tmp: skipped"; exit 0; fi
mkdir "$big/root"
# A valid ELF that libObject parses, grown by one big non-loaded section of
# random bytes (incompressible, nothing to deduplicate).
printf 'int main(void) { return 0; }\n' >"$big/tiny.c"
gcc -O2 -o "$big/tiny" "$big/tiny.c"
head -c "${large_mb}M" /dev/urandom >"$big/blob"
objcopy --add-section .bigdata="$big/blob" --set-section-flags .bigdata=noload,readonly \
  "$big/tiny" "$big/root/big.elf"
rm -f "$big/blob"
for i in 1 2 3 4; do head -c "$((large_mb / 4))M" /dev/urandom >"$big/root/data-$i.bin"; done
tar -cf "$big/in.tar" -C "$big/root" .
rm -rf "$big/root"
big_bytes=$(stat -c %s "$big/in.tar")
rc=0
timed "$big/t" "$digsig" sign-tar --ima --key "$key" --cert "$cert" "$big/in.tar" -o "$big/out.tar" 2>"$big/log" || rc=$?
# /usr/bin/time writes "Command exited with non-zero status N" first on failure.
read -r t kb < <(tail -1 "$big/t")
printf 'digsig sign-tar: %.1f GB archive in %.2f s  %.0f MB/s  peak RSS %.0f MB (target < 128 MB)\n' \
  "$(py "$big_bytes/1e9")" "$t" "$(py "$big_bytes/1e6/max($t, 0.01)")" "$(py "$kb/1024")"
[ "$rc" -eq 0 ] || { echo "FAILED (exit $rc): $(cat "$big/log")"; exit 1; }
