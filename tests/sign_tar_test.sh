#!/usr/bin/env bash
# digsig sign-tar on archives GNU tar made: every ELF signed (kernel modules
# in module format), every other byte and all metadata kept, for the GNU
# and pax formats and every compression; output reproducible; the result
# extracts with GNU tar and lists the same with bsdtar; --ima adds
# security.ima signatures that evmctl verifies.
set -euo pipefail
export LC_ALL=C
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test tar

"$digsig" keygen --out key >/dev/null
sign_tar() { "$digsig" sign-tar --key key/key.pem --cert key/cert.pem "$@"; }

# A small root filesystem with the awkward cases.
R=root
mkdir -p $R/usr/bin $R/lib/modules $R/etc $R/dev
cp /bin/ls /bin/true $R/usr/bin/
ln $R/usr/bin/ls $R/usr/bin/ls-hardlink
ln -s ls $R/usr/bin/ls-symlink
echo "not an ELF" >$R/etc/motd
mkfifo $R/etc/fifo
long="$R/$(printf 'long-directory-name-%.0s' {1..8})"
mkdir -p "$long" && cp /bin/true "$long/tool"
printf 'x' >"$R/etc/$(printf 'non-utf8-\xff\xfe')"
chmod 4755 $R/usr/bin/true
setfattr -n user.digsig.test -v 42 $R/etc/motd
touch -d '2020-01-02 03:04:05.123456789' $R/etc/motd
printf 'static const char mi[] __attribute__((section(".modinfo"), used)) = "license=GPL";\n' >mod.c
gcc -c mod.c -o $R/lib/modules/demo.ko
if [[ $(id -u) -eq 0 ]]; then mknod $R/dev/null-copy c 1 3; fi

# The signed manifest's two entries close every output; verify_tar_test
# covers them, the listings compare everything else.
no_manifest() { grep -v ' \./\.digsig/manifest\| \.digsig/manifest' || true; }
listing() { tar --xattrs -tvv -f "$1" 2>/dev/null | no_manifest | sed -E 's/ +[0-9]+ (19|20)/ SIZE \1/'; }
# bsdtar warns and exits 1 when GNU tar's raw non-UTF-8 name cannot be shown
# in the C locale (the output declares hdrcharset=BINARY and is spared); the
# listings themselves are compared, input against output.
bsd_listing() { { bsdtar -tv -f "$1" 2>/dev/null || true; } | no_manifest | sed -E 's/ +[0-9]+ ([A-Z][a-z][a-z] )/ SIZE \1/'; }
same() { diff "$1" "$2" >>"$LOG"; }

for fmt in gnu pax; do
  for z in "" gzip xz zstd bzip2; do
    name="$fmt${z:+.$z}"
    in="in-$name.tar"
    tar --format=$fmt --xattrs ${z:+--$z} -cf "$in" -C $R .
    check "$name: signs" sign_tar "$in" -o "out-$name.tar"
    check "$name: same compression" test "$(file -b "$in" | cut -d, -f1)" = "$(file -b "out-$name.tar" | cut -d, -f1)"
    listing "$in" >a.lst
    listing "out-$name.tar" >b.lst
    check "$name: GNU tar listing identical (sizes aside)" same a.lst b.lst
    bsd_listing "$in" >a.lst
    bsd_listing "out-$name.tar" >b.lst
    check "$name: bsdtar listing identical (sizes aside)" same a.lst b.lst
    sign_tar "$in" -o "again-$name.tar" 2>>"$LOG"
    check "$name: reproducible" cmp "out-$name.tar" "again-$name.tar"
  done
done

# Extract one and look inside.
x=extract
mkdir -p $x
tar --xattrs --xattrs-include='*' -xf out-pax.xz.tar -C $x
check "ELF files verify" "$digsig" verify --cert key/cert.pem $x/usr/bin/ls $x/usr/bin/true "$x/${long#$R/}/tool"
check "kernel module has a module signature" "$digsig" verify --cert key/cert.pem $x/lib/modules/demo.ko
check "module signature is the kernel's format" grep -q "~Module signature appended~" $x/lib/modules/demo.ko
check "signed ls runs" $x/usr/bin/ls -d /
check "hard link kept" test "$(stat -c %i $x/usr/bin/ls)" = "$(stat -c %i $x/usr/bin/ls-hardlink)"
check "symlink kept" test "$(readlink $x/usr/bin/ls-symlink)" = ls
check "setuid kept" test "$(stat -c %a $x/usr/bin/true)" = 4755
check "non-ELF bytes kept" cmp $x/etc/motd $R/etc/motd
mkdir -p fake
printf '\x7fELF but not really' >fake/notes.txt
tar -cf fake.tar -C fake .
rc=0
sign_tar fake.tar -o fake-out.tar 2>fake-err.txt || rc=$?
check "ELF magic in a non-ELF file: exit 1" test "$rc" -eq 1
check "ELF magic in a non-ELF file: the error names the entry" grep -q "notes.txt" fake-err.txt
check "ELF magic in a non-ELF file: no output" test ! -e fake-out.tar
check "xattr kept" bash -c "getfattr -n user.digsig.test --only-values $x/etc/motd | grep -qx 42"
check "nanosecond mtime kept" test "$(stat -c %y $x/etc/motd)" = "2020-01-02 03:04:05.123456789 +0000"

# IMA: security.ima signatures that stock evmctl verifies.
ima_of() { getfattr -n security.ima --only-values "$1" >/dev/null 2>&1; }
check "--ima signs (GNU input)" sign_tar --ima in-gnu.gzip.tar -o ima.tar
check "--ima output carries pax SCHILY.xattr.security.ima records" \
  bash -c "zcat ima.tar | grep -qa 'SCHILY.xattr.security.ima='"
mkdir -p xi && tar --xattrs --xattrs-include='*' -xf ima.tar -C xi
check "--ima: signed ELF carries a verifying security.ima" evmctl ima_verify --key key/cert.der xi/usr/bin/ls
check "--ima: the kernel module too" evmctl ima_verify --key key/cert.der xi/lib/modules/demo.ko
check "--ima: non-ELF files get none" bash -c "! getfattr -n security.ima xi/etc/motd 2>/dev/null | grep -q ima"
check "--ima: other xattrs kept" bash -c "getfattr -n user.digsig.test --only-values xi/etc/motd | grep -qx 42"
check "--ima-all signs" sign_tar --ima-all in-pax.tar -o ima-all.tar
mkdir -p xa && tar --xattrs --xattrs-include='*' -xf ima-all.tar -C xa
check "--ima-all: every regular file verifies with evmctl" \
  evmctl ima_verify --key key/cert.der xa/usr/bin/ls xa/usr/bin/true xa/etc/motd xa/lib/modules/demo.ko
printf 'changed' >>xa/etc/motd
check_not "--ima-all: a changed file fails evmctl" evmctl ima_verify --key key/cert.der xa/etc/motd
sign_tar --ima-all in-pax.tar -o ima-all-again.tar 2>>"$LOG"
check "--ima-all output is reproducible (RSA)" cmp ima-all.tar ima-all-again.tar

# Told otherwise: another format and compression.
check "--format gnu --compression xz" sign_tar --format gnu --compression xz in-pax.gzip.tar -o fx.tar
check "the output is xz" bash -c "file -b fx.tar | grep -q '^XZ compressed'"
check "the output is GNU tar" bash -c "xz -dc fx.tar | file -b - | grep -q '(GNU)'"
check "--compression zstd keeps pax" sign_tar --compression zstd in-pax.gzip.tar -o fz.tar
check "the output is zstd" bash -c "file -b fz.tar | grep -q '^Zstandard'"
listing in-pax.gzip.tar >a.lst
listing fz.tar >b.lst
check "recompressed archive lists the same" same a.lst b.lst
rc=0
sign_tar --ima --format gnu in-pax.tar -o never.tar 2>err.txt || rc=$?
check "--ima with --format gnu is a usage error" test "$rc" -eq 2 -a ! -e never.tar

# Sparse files: holes stay holes in pax output (GNU format output, which
# libarchive cannot write sparse, keeps the content with the holes filled).
mkdir -p sp
truncate -s 8M sp/data.img && printf 'middle' | dd of=sp/data.img bs=1 seek=4000000 conv=notrunc status=none
head -c 4M /dev/zero >zeros
objcopy --add-section .zeros=zeros --set-section-flags .zeros=readonly /bin/true sp/sparse-elf
fallocate --dig-holes sp/sparse-elf
tar --format=pax -S -cf sparse.tar -C sp .
check "sparse pax archive signs" sign_tar sparse.tar -o sparse-out.tar
check "holes stay holes (output under 1 MB)" test "$(stat -c %s sparse-out.tar)" -lt 1000000
mkdir -p xs && tar -xf sparse-out.tar -C xs
check "sparse non-ELF content kept" cmp xs/data.img sp/data.img
check "sparse ELF signed and verifies" "$digsig" verify --cert key/cert.pem xs/sparse-elf
check "sparse ELF still runs" xs/sparse-elf

# Streaming: stdin to stdout.
check "stdin to stdout" bash -c "'$digsig' sign-tar --key key/key.pem --cert key/cert.pem - -o - <in-gnu.gzip.tar >piped.tar 2>>'$LOG' && cmp piped.tar out-gnu.gzip.tar"

# Broken input: clear error, no output file.
head -c 5000 in-gnu.tar >truncated.tar
rc=0
sign_tar truncated.tar -o bad-out.tar 2>err.txt || rc=$?
check "truncated archive exits 1" test "$rc" -eq 1
check "the error names the archive" grep -q "truncated.tar" err.txt
check "no output left behind" bash -c "! ls bad-out.tar* 2>/dev/null"
finish
