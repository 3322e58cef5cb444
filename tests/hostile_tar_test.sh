#!/usr/bin/env bash
# sign-tar and verify-tar on broken and hostile archives: corrupt
# compression, bad header checksums, absurd sizes, truncation, a non-ELF
# file with the ELF magic. Each is refused with one error line naming the
# archive (and, where there is one, the entry and its offset), exit 1, the
# input untouched and no output or temporary file left behind. Hostile but
# well-formed archives (duplicate entries, "..", absolute paths) are signed
# with their names kept exactly: the signer never extracts anything.
set -euo pipefail
export LC_ALL=C
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test hostile-tar

"$digsig" keygen --out key >/dev/null
mkdir -p in out
python3 - in <<'PY'
import io, sys, tarfile
d = sys.argv[1]
elf = open("/bin/true", "rb").read()

def entry(name, data=b"", kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.size, info.mtime = kind, len(data), 1700000000
    return info, data

def write(name, entries):
    with tarfile.open(f"{d}/{name}", "w", format=tarfile.GNU_FORMAT) as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data))
    return open(f"{d}/{name}", "rb").read()

good = write("good.tar", [entry("bin/a", elf), entry("etc/motd", b"hello\n")])
# Header checksum wrong in the second header.
b = bytearray(good)
second = 512 + ((len(elf) + 511) // 512) * 512
b[second + 148:second + 156] = b"0000001\0"
open(f"{d}/bad-checksum.tar", "wb").write(b)
# A size field claiming 8 GiB (octal) for a file whose data is not there.
b = bytearray(good)
b[124:136] = b"77777777777\0"
open(f"{d}/absurd-size.tar", "wb").write(b)
# A GNU base-256 size of 2^62 bytes.
b = bytearray(good)
b[124:136] = bytes([0x80] + [0] * 3 + [0x40] + [0] * 7)
open(f"{d}/base256-size.tar", "wb").write(b)
# Cut inside the first file's data.
open(f"{d}/truncated.tar", "wb").write(good[:2000])
# Hostile but well-formed.
write("hostile-names.tar", [entry("../escape", elf), entry("/abs/path", b"x"),
                            entry("dup", elf), entry("dup", b"second copy")])
PY
gzip -9n <in/good.tar >in/good.tar.gz
python3 -c "
import sys; b = bytearray(open('in/good.tar.gz', 'rb').read())
for i in range(40, 60): b[i] ^= 0x5a
open('in/corrupt.tar.gz', 'wb').write(b)"
xz <in/good.tar >good.tar.xz && head -c 3000 good.tar.xz >in/truncated.tar.xz
# A sparse file claiming 100 GB: every byte of it would be hashed.
truncate -s 100G huge && tar --format=pax -S -cf in/sparse-100g.tar huge && rm huge
printf '\x7fELF, but only text' >notes.txt
tar -cf in/elf-magic-text.tar notes.txt
(cd in && sha256sum ./* >../inputs.sha256)

for bad in bad-checksum.tar absurd-size.tar base256-size.tar truncated.tar corrupt.tar.gz \
  truncated.tar.xz elf-magic-text.tar sparse-100g.tar; do
  rc=0
  "$digsig" sign-tar --key key/key.pem --cert key/cert.pem "in/$bad" -o "out/$bad" \
    2>err.txt || rc=$?
  cat err.txt >>"$LOG"
  check "$bad: sign-tar exits 1" test "$rc" -eq 1
  check "$bad: one error line naming the archive" \
    bash -c "test \$(wc -l <err.txt) -eq 1 && grep -q 'in/$bad' err.txt"
  check "$bad: nothing left in the output directory" bash -c "test -z \"\$(ls -A out)\""
  rc=0
  "$digsig" verify-tar --cert key/cert.pem "in/$bad" >/dev/null 2>err.txt || rc=$?
  cat err.txt >>"$LOG"
  check "$bad: verify-tar exits 1" test "$rc" -eq 1
done
"$digsig" sign-tar --key key/key.pem --cert key/cert.pem in/bad-checksum.tar -o out/x 2>err.txt || true
check "a bad header names the entry's index and offset" grep -q "entry 1 at offset" err.txt
"$digsig" sign-tar --key key/key.pem --cert key/cert.pem in/elf-magic-text.tar -o out/x \
  2>err.txt || true
check "the fake ELF is named with its offset" grep -q "entry 0 'notes.txt' at offset 0" err.txt
check "the 100 GB claim is refused as too large" grep -q "too-large: entry 0 'huge'" "$LOG"
check "inputs untouched" bash -c "cd in && sha256sum -c --quiet ../inputs.sha256"

check "hostile names: signs" "$digsig" sign-tar --key key/key.pem --cert key/cert.pem \
  in/hostile-names.tar -o hostile-out.tar
check "hostile names: kept exactly, duplicates included" bash -c \
  "python3 -c \"import tarfile; print('\n'.join(m.name for m in tarfile.open('hostile-out.tar')))\" \
   | head -4 | tr '\n' ' ' | grep -qx '../escape /abs/path dup dup '"
check "hostile names: verify-tar accepts the signed archive" \
  "$digsig" verify-tar --cert key/cert.pem hostile-out.tar
check "nothing was written outside the working directory" test ! -e ../escape -a ! -e /abs/path
finish
