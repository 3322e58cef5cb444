#!/usr/bin/env bash
# sign-tar on archives like those of libarchive's test suite that it used to
# get wrong: IMA signatures of another key (re-signed vendor images), damaged
# headers (a real offset in the message), sparse entries with a large
# apparent size (bounded memory, holes kept), non-ASCII pax names (byte for
# byte). Every round trip is listed with GNU tar and bsdtar.
set -euo pipefail
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test fidelity

"$digsig" keygen --out vendor >/dev/null
"$digsig" keygen --out product >/dev/null
sign_tar() { local k=$1; shift; "$digsig" sign-tar --key "$k/key.pem" --cert "$k/cert.pem" "$@"; }
verify_tar() { "$digsig" verify-tar --cert "$1/cert.pem" "$2"; }

# listing TOOL ARCHIVE [RESIGNED]: the verbose listing without the
# manifest; the size of entries whose name matches the regex RESIGNED is
# left out (an ELF file re-signed by another key: its signature record's
# length follows the signer's issuer and serial number, whose DER length
# varies from key to key).
listing() {
  local column=3
  [ "$1" = bsdtar ] && column=5
  "$1" -tvf "$2" 2>/dev/null | grep -v '\.digsig/manifest' |
    awk -v re="${3:-^$}" -v c="$column" '$NF ~ re { $c = "SIZE" } { print }'
}
# same_listing IN OUT [RESIGNED]: GNU tar's and bsdtar's listings agree,
# the manifest entries aside.
same_listing() {
  local tool
  for tool in tar bsdtar; do
    diff <(listing "$tool" "$1" "${3:-}") <(listing "$tool" "$2" "${3:-}") || return 1
  done
}

printf 'int main(void) { return 0; }\n' >prog.c
gcc -o prog prog.c
mkdir -p root/etc root/bin
echo 'welcome' >root/etc/motd
cp prog root/bin/prog
tar --format=pax -cf base.tar -C root ./etc ./bin

# A vendor image signed --ima-all, re-signed --ima by the product's key.
check "vendor signs --ima-all" sign_tar vendor --ima-all base.tar -o vendor.tar
rc=0
sign_tar product --ima vendor.tar -o product.tar 2>summary.txt || rc=$?
cat summary.txt >>"$LOG"
check "product re-signs --ima" test $rc -eq 0
check "the re-signed image verifies with the product's certificate" verify_tar product product.tar
check_not "and no longer with the vendor's" verify_tar vendor product.tar
check "the summary counts the replaced signatures" grep -q "2 IMA signatures (2 replacing another key's)" summary.txt
check "unchanged listing (but the re-signed ELF file's size)" \
  same_listing vendor.tar product.tar '^\./bin/prog$'
check "re-signing with the same key is byte for byte the same" bash -c \
  "'$digsig' sign-tar --key product/key.pem --cert product/cert.pem --ima product.tar -o again.tar && cmp product.tar again.tar"

# An archive with a foreign security.ima (and the security.evm over it) on
# a plain file, signed without --ima: replaced, EVM dropped, verifies.
python3 - <<'PY'
import tarfile, io
with tarfile.open("foreign.tar", "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("notes.txt", b"notes\n"), ("plain.txt", b"plain\n")):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        if name == "notes.txt":
            info.pax_headers = {
                "SCHILY.xattr.security.ima": "\x03\x02\x04\xde\xad\xbe\xef\x00\x02\x12\x34",
                "SCHILY.xattr.security.evm": "\x05\x02opaque",
            }
        t.addfile(info, io.BytesIO(data))
PY
rc=0
sign_tar product foreign.tar -o foreign-out.tar 2>summary.txt || rc=$?
cat summary.txt >>"$LOG"
check "foreign IMA archive signs" test $rc -eq 0
check "its output verifies" verify_tar product foreign-out.tar
check "the summary says 1 replaced, 1 EVM dropped" \
  grep -q "1 IMA signatures (1 replacing another key's), 1 EVM signatures dropped" summary.txt
has_ima() { python3 -c "import sys, tarfile
sys.exit('SCHILY.xattr.security.ima' not in tarfile.open('$1').getmember('$2').pax_headers)"; }
check "the foreign one now carries the product's" has_ima foreign-out.tar notes.txt
check_not "the other file got none (no --ima-all)" has_ima foreign-out.tar plain.txt
check "unchanged listing" same_listing foreign.tar foreign-out.tar

# Damaged headers: the error gives the entry's real offset, never
# libarchive's status code.
python3 - <<'PY'
# A pax size record that overflows to a negative size on the second entry.
import io
def header(name, size, typ):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\0"; h[108:116] = b"0000000\0"; h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size; h[136:148] = b"00000000000\0"
    h[156:157] = typ; h[257:265] = b"ustar\x0000"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)
def pad(b): return b + b"\0" * (-len(b) % 512)
record = b"30 size=-19769411113659727436\n"
out = header(b"first", 3, b"0") + pad(b"abc")
out += header(b"PaxHeader/second", len(record), b"x") + pad(record) + header(b"second", 3, b"0")
out += pad(b"abc") + b"\0" * 1024
open("negative-size.tar", "wb").write(out)
PY
rc=0
sign_tar product negative-size.tar -o neg-out.tar 2>err.txt || rc=$?
cat err.txt >>"$LOG"
check "a negative pax size is refused" test $rc -eq 1
check "naming the entry at its real offset" grep -q "entry 1 at offset 1024:" err.txt
check "never a negative offset" bash -c "! grep -q 'offset -' err.txt"

# Sparse: 8 GiB apparent, two data blocks: bounded memory, holes kept.
truncate -s 8G sparse.img
printf 'start' | dd of=sparse.img conv=notrunc status=none
printf 'middle' | dd of=sparse.img bs=1 seek=$((4 << 30)) conv=notrunc status=none
tar --format=pax -S -cf sparse-pax.tar sparse.img
tar --format=gnu -S -cf sparse-gnu.tar sparse.img
rm sparse.img
# Under a 4 GiB address-space limit: the entry must not be mapped whole.
check "8 GiB sparse pax entry signs in 4 GiB of address space" bash -c \
  "ulimit -v 4194304 && exec /usr/bin/time -f %M -o rss.txt '$digsig' sign-tar \
   --key product/key.pem --cert product/cert.pem sparse-pax.tar -o sparse-out.tar"
echo "sparse sign-tar peak RSS: $(cat rss.txt) KB" >>"$LOG"
check "in under 64 MB of memory" test "$(cat rss.txt)" -lt 65536
check "the holes stay holes (output under 1 MB)" test "$(stat -c %s sparse-out.tar)" -lt 1000000
check "it verifies, in 4 GiB of address space too" bash -c \
  "ulimit -v 4194304 && exec '$digsig' verify-tar --cert product/cert.pem sparse-out.tar"
check "unchanged listing" same_listing sparse-pax.tar sparse-out.tar
rc=0
sign_tar product sparse-gnu.tar -o sparse-gnu-out.tar 2>err.txt || rc=$?
cat err.txt >>"$LOG"
check "GNU output of the sparse entry is refused at once" test $rc -eq 1
check "pointing to --format pax" grep -q "too-large: .*--format pax" err.txt
check "which keeps the holes" bash -c \
  "'$digsig' sign-tar --key product/key.pem --cert product/cert.pem --format pax sparse-gnu.tar -o sparse-gnu-pax.tar && test \$(stat -c %s sparse-gnu-pax.tar) -lt 1000000"

# Names: UTF-8 pax paths byte for byte, with no hdrcharset added.
mkdir -p names && echo hi >"names/café" && echo ho >"names/日本"
LC_ALL=C.UTF-8 tar --format=pax -cf utf8.tar -C names .
check "UTF-8 names sign" sign_tar product utf8.tar -o utf8-out.tar
check "no hdrcharset record added" bash -c "! grep -aq hdrcharset utf8-out.tar"
check "the pax path records are the input's" bash -c \
  "diff <(grep -ao '[0-9]* path=[^[:cntrl:]]*' utf8.tar) <(grep -ao '[0-9]* path=[^[:cntrl:]]*' utf8-out.tar | grep -v digsig)"
check "GNU tar lists it without a warning" bash -c "tar -tvf utf8-out.tar 2>&1 >/dev/null | (! grep -q .)"
check "unchanged listing" same_listing utf8.tar utf8-out.tar

# What cannot be kept is normalized as docs/format.md 9.1 says: a V7 header
# becomes ustar with the same meaning (hard link stays a hard link), a
# directory's size field becomes 0.
python3 - <<'PY'
def header(name, size, typ, link=b"", magic=b"\0" * 8):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\0"; h[108:116] = b"0000000\0"; h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size; h[136:148] = b"00000000000\0"
    h[156:157] = typ; h[157:157 + len(link)] = link; h[257:265] = magic
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)
out = header(b"a", 2, b"\0") + b"hi".ljust(512, b"\0") + header(b"b", 0, b"1", b"a")
out += header(b"d/", 7, b"5", magic=b"ustar\x0000") + b"\0" * 1024
open("v7.tar", "wb").write(out.ljust(10240, b"\0"))
PY
check "a V7 archive signs" sign_tar product v7.tar -o v7-out.tar
for tool in tar bsdtar; do
  check "$tool: the listing differs only by the directory's size" bash -c \
    "diff <($tool -tvf v7.tar | sed '/ d\/$/s/ 7 / 0 /') <($tool -tvf v7-out.tar | grep -v digsig/manifest)"
done

finish
