#!/usr/bin/env bash
# digsig sign-tar --ima on a real distribution: a Debian bookworm minbase root
# filesystem (~8,700 entries, ~750 ELF files) from tools/rootfs. Every entry
# and all metadata come out as they went in, every ELF carries an embedded
# signature and a security.ima that evmctl accepts, every other byte is kept,
# verify-tar accepts the archive and refuses a one-byte change,
# and the signed binaries run in a chroot.
set -euo pipefail
export LC_ALL=C
# Bazel's strict environment leaves /usr/sbin (chroot) out of PATH.
export PATH="$PATH:/usr/sbin:/sbin"
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
rootfs_sh="$TEST_SRCDIR/digsig/tools/rootfs/debian_rootfs.sh"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test debian
# Hundreds of MB of tarballs and an extracted tree: keep only the log.
trap 'rm -rf "$W/root" "$W"/*.tar' EXIT

# Cached after the first run (a cold build downloads ~50 MB of packages).
if ! rootfs=$(bash "$rootfs_sh" 2>>"$LOG"); then
  fail "build the Debian rootfs tarball (needs root and deb.debian.org)"
  finish
  exit 1
fi
cp "$rootfs" in.tar
"$digsig" keygen --out key --algo rsa-2048 >/dev/null
sign_tar() { "$digsig" sign-tar --key key/key.pem --cert key/cert.pem "$@"; }

t0=$(date +%s.%N)
check "sign-tar --ima signs the rootfs" sign_tar --ima in.tar -o signed.tar
echo "sign-tar: $(python3 -c "print(f'{$(date +%s.%N)-$t0:.2f}')") s" >>"$LOG"
sign_tar --ima in.tar -o again.tar 2>>"$LOG"
check "output is reproducible" cmp signed.tar again.tar
rm -f again.tar

# One pass over both archives in step: same entries in the same order, same
# metadata; ELF payloads changed and carrying security.ima, all other payloads
# byte-identical and without it; digsig's own entries (.digsig/*) only at the
# end. Prints the input's entries and ELF files, and the .digsig entries.
cat >compare.py <<'PY'
import sys, tarfile

def digsig_entry(m):
    name = m.name[2:] if m.name.startswith("./") else m.name
    return name == ".digsig" or name.startswith(".digsig/")

errors = []
def err(msg):
    errors.append(msg)

with tarfile.open(sys.argv[1]) as a, tarfile.open(sys.argv[2]) as b:
    ins, outs = a.getmembers(), b.getmembers()
    tail = len(outs)
    while tail and digsig_entry(outs[tail - 1]):
        tail -= 1
    if any(digsig_entry(m) for m in outs[:tail]):
        err(".digsig entries before the end of the archive")
    if len(ins) != tail:
        err(f"{len(ins)} entries in, {tail} out (plus {len(outs) - tail} .digsig)")
    elf = 0
    for x, y in zip(ins, outs[:tail]):
        if x.name != y.name:
            err(f"order: {x.name} vs {y.name}")
            break
        for f in ("type", "mode", "uid", "gid", "uname", "gname", "linkname", "devmajor", "devminor"):
            if getattr(x, f) != getattr(y, f):
                err(f"{x.name}: {f} {getattr(x, f)!r} -> {getattr(y, f)!r}")
        if float(x.mtime) != float(y.mtime):
            err(f"{x.name}: mtime {x.mtime} -> {y.mtime}")
        ima = "SCHILY.xattr.security.ima" in y.pax_headers
        if not x.isreg():
            if ima:
                err(f"{x.name}: security.ima on a non-file")
            continue
        dx, dy = a.extractfile(x).read(), b.extractfile(y).read()
        if dx[:4] == b"\x7fELF":
            elf += 1
            if dx == dy or dy[:4] != b"\x7fELF":
                err(f"{x.name}: ELF not signed")
            if not ima:
                err(f"{x.name}: ELF without security.ima")
        else:
            if dx != dy:
                err(f"{x.name}: non-ELF payload changed")
            if ima:
                err(f"{x.name}: non-ELF file got security.ima")
for e in errors[:20]:
    print(e, file=sys.stderr)
print(len(ins), elf, len(outs) - tail)
sys.exit(1 if errors else 0)
PY
counts=$(python3 compare.py in.tar signed.tar 2>>"$LOG") && rc=0 || rc=$?
read -r entries elfs digsig_entries <<<"${counts:-0 0 0}"
echo "input: $entries entries, $elfs ELF files" >>"$LOG"
check "entries, order and metadata kept; ELF payloads signed; every other byte kept" test "$rc" -eq 0
check "a real rootfs: thousands of entries, hundreds of ELF files ($entries, $elfs)" \
  test "$entries" -gt 5000 -a "$elfs" -gt 300

# GNU tar's own view. --xattrs-include='*' shows security.* (plain --xattrs
# lists user.* only); --ima adds exactly one xattr, and its '*' mode marker,
# to every ELF entry, so those are taken out before comparing.
listing() {
  tar --xattrs --xattrs-include='*' -tvv -f "$1" 2>>"$LOG" |
    grep -vE '^  x: [0-9]+ security\.ima$' |
    grep -vE ' (\./)?\.digsig(/|$)' |
    sed -E 's/^([^ ]{10})\*/\1 /; s/ +[0-9]+ (19|20)/ SIZE \1/'
}
listing in.tar >in.lst
listing signed.tar >out.lst
check "GNU tar listing identical (sizes and security.ima aside)" diff in.lst out.lst
ima_lines=$(tar --xattrs --xattrs-include='*' -tvv -f signed.tar 2>/dev/null | grep -cE '^  x: [0-9]+ security\.ima$' || true)
check "GNU tar lists one security.ima per ELF file ($ima_lines)" test "$ima_lines" -eq "$elfs"

# A one-byte change inside /usr/bin/ls, written at the entry's data offset so
# that nothing else in the archive moves.
cp signed.tar tampered.tar
python3 - tampered.tar <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    m = t.getmember("./usr/bin/ls")
with open(sys.argv[1], "r+b") as f:
    f.seek(m.offset_data + m.size // 2)
    b = f.read(1)
    f.seek(-1, 1)
    f.write(bytes([b[0] ^ 0x01]))
PY
tar -xOf tampered.tar ./usr/bin/ls >ls.tampered
check_not "the tampered ls fails digsig verify" "$digsig" verify --cert key/cert.pem ls.tampered
check "the signed manifest closes the archive ($digsig_entries .digsig entries)" test "$digsig_entries" -eq 2
check "verify-tar accepts the signed rootfs" "$digsig" verify-tar --cert key/cert.pem signed.tar
rc=0
"$digsig" verify-tar --cert key/cert.pem tampered.tar >verify-tampered.txt 2>&1 || rc=$?
cat verify-tampered.txt >>"$LOG"
check "verify-tar: one byte changed in /usr/bin/ls exits 1" test "$rc" -eq 1
check "verify-tar: names usr/bin/ls as altered" grep -q "usr/bin/ls.*: altered" verify-tampered.txt
rc=0
"$digsig" verify-tar --cert key/cert.pem in.tar >>"$LOG" 2>&1 || rc=$?
check "verify-tar: the unsigned rootfs exits 1" test "$rc" -eq 1
rm -f tampered.tar ls.tampered

# Extract as an image builder would, then look at every file.
mkdir root
check "GNU tar extracts the signed rootfs" \
  tar --xattrs --xattrs-include='*' --numeric-owner -p -xf signed.tar -C root
python3 "$TEST_SRCDIR/digsig/tests/lib/find_elfs.py" root >elfs.lst
found=$(tr -cd '\0' <elfs.lst | wc -c)
check "every ELF file is on disk ($found of $elfs)" test "$found" -eq "$elfs"
check "digsig verify accepts all $found extracted ELF files" \
  xargs -0 "$digsig" verify --quiet --cert key/cert.pem <elfs.lst
# evmctl at ~7 ms a process: every ELF file costs ~5 s, cheap enough.
evm_bad=0
while IFS= read -r -d '' f; do
  evmctl ima_verify --key key/cert.der "$f" >/dev/null 2>&1 || { evm_bad=$((evm_bad + 1)); echo "evmctl refuses $f" >>"$LOG"; }
done <elfs.lst
check "evmctl ima_verify accepts the security.ima of all $found ELF files" test "$evm_bad" -eq 0
for f in usr/bin/ls usr/bin/dpkg usr/lib/x86_64-linux-gnu/libc.so.6 usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
  check "$f: signed, and evmctl verifies it" \
    bash -c "'$digsig' verify --cert key/cert.pem root/$f && evmctl ima_verify --key key/cert.der root/$f"
done

# The signed binaries, their loader and libraries, run.
check "chroot: signed /bin/ls lists /" bash -c "chroot root /bin/ls / | grep -qx usr"
check "chroot: signed /bin/sh runs a command" bash -c "test \"\$(chroot root /bin/sh -c 'echo ok')\" = ok"
check "chroot: signed dpkg runs" bash -c "chroot root /usr/bin/dpkg --version | grep -q 'Debian'"
finish
