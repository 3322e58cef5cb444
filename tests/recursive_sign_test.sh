#!/usr/bin/env bash
# sign, sign-module and verify with -r over a staging tree: nested
# directories, symlinks (to files, to directories, dangling), non-ELF files
# and a FIFO. Checks the mirror --out-dir makes, the counts in the summary
# and in --json, --require-elf, in-place signing of a tree, and that the
# input tree is untouched (same bytes, same symlinks) and nothing blocks on
# the FIFO.
set -euo pipefail
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test recursive
exit_is() { local want=$1; shift; local rc=0; "$@" || rc=$?; echo "exit $rc, want $want"; [[ $rc -eq $want ]]; }
K=(--key key/key.pem --cert key/cert.pem)

"$digsig" keygen --out key >/dev/null
printf 'int main(void) { return 0; }\n' >prog.c
gcc -o prog prog.c
printf 'int f(void) { return 1; }\n' >lib.c
gcc -shared -fPIC -o lib.so lib.c

# The staging tree: 4 ELF files, 2 non-ELF files, 3 symlinks, 1 FIFO.
mkdir -p stage/usr/bin stage/usr/lib/deep/er stage/etc stage/empty
cp prog stage/usr/bin/tool
cp prog stage/usr/lib/deep/er/helper
cp lib.so stage/usr/lib/libf.so.1
cp prog stage/init
chmod 0750 stage/usr/lib/deep
printf 'name=demo\n' >stage/etc/conf
printf '#!/bin/sh\necho hi\n' >stage/usr/bin/script
chmod 0755 stage/usr/bin/script
ln -s libf.so.1 stage/usr/lib/libf.so
ln -s ../usr/bin stage/etc/bin-link
ln -s nowhere stage/dangling
mkfifo stage/usr/bin/fifo
snapshot() { (cd stage && find . -printf '%y %m %p %l\n' | sort && find . -type f -exec sha256sum {} + | sort); }
snapshot >before.txt

mkdir OUT
sign_tree() { timeout 60 "$digsig" sign "${K[@]}" -r --out-dir OUT --json stage >sign.json 2>sign.err; }
check "sign -r --out-dir signs the tree without blocking on the FIFO" sign_tree
check "  ... one summary line: 4 signed, 6 skipped" grep -qx 'digsig: signed 4, skipped 6, failed 0 (rsa-2048, sha256, elf)' sign.err
check "  ... and nothing else on stderr" test "$(wc -l <sign.err)" -eq 1
check "the input tree is untouched" bash -c 'diff before.txt <(cd stage && find . -printf "%y %m %p %l\n" | sort && find . -type f -exec sha256sum {} + | sort)'
mirror=$(cd OUT && find . | sort | tr '\n' ' ')
# Directories that hold regular files are made before signing; etc/ holds
# only a non-ELF file, so it stays empty.
check "OUT mirrors the tree's ELF files, nothing else" test "$mirror" = \
  ". ./etc ./init ./usr ./usr/bin ./usr/bin/tool ./usr/lib ./usr/lib/deep ./usr/lib/deep/er ./usr/lib/deep/er/helper ./usr/lib/libf.so.1 "
check "  ... with the directories' modes" test "$(stat -c %a OUT/usr/lib/deep)" = 750
check "every mirrored file verifies" "$digsig" verify --cert key/cert.pem -q OUT/init OUT/usr/bin/tool OUT/usr/lib/deep/er/helper OUT/usr/lib/libf.so.1
check "a signed copy still runs" OUT/usr/lib/deep/er/helper
check "--json lists all 10 entries with their reasons" python3 -c '
import json, sys
items = json.load(open("sign.json"))
by = {i["file"]: i for i in items}
assert len(items) == 10, len(items)
assert sum(i["status"] == "signed" for i in items) == 4
assert by["stage/usr/bin/script"]["reason"] == "not an ELF file", by["stage/usr/bin/script"]
assert by["stage/etc/conf"]["reason"] == "not an ELF file"
for p in ("stage/usr/bin/fifo", "stage/usr/lib/libf.so", "stage/etc/bin-link", "stage/dangling"):
    assert by[p]["status"] == "skipped" and by[p]["reason"] == "not a regular file", by[p]
assert by["stage/usr/lib/deep/er/helper"]["output"] == "OUT/usr/lib/deep/er/helper"
'

check "verify -r over the mirror: 4 verified" bash -c "'$digsig' verify --cert key/cert.pem -r -q OUT 2>verify.err && grep -qx 'digsig: verified 4, skipped 0, failed 0' verify.err"
check "verify -r over the unsigned stage fails (exit 1)" exit_is 1 "$digsig" verify --cert key/cert.pem -r -q stage
"$digsig" verify --cert key/cert.pem -r -q stage 2>stage-verify.err || true
check "  ... 4 unsigned, 6 skipped" grep -qx 'digsig: verified 0, skipped 6, failed 4' stage-verify.err
check "  ... one line per unsigned file" test "$(grep -c ': unsigned: ' stage-verify.err)" -eq 4

check "sign -r --require-elf fails on the non-ELF files (exit 1)" \
  exit_is 1 "$digsig" sign "${K[@]}" -r --require-elf --out-dir OUT stage
"$digsig" sign "${K[@]}" -r --require-elf --out-dir OUT stage 2>require.err || true
check "  ... counting them as failed" grep -qx 'digsig: signed 4, skipped 4, failed 2 (rsa-2048, sha256, elf)' require.err
check "verify -r --require-elf fails on them too" exit_is 1 "$digsig" verify --cert key/cert.pem -r --require-elf -q OUT/../stage/etc

cp -a stage inplace
check "sign -r --in-place signs the tree where it is" "$digsig" sign "${K[@]}" -r --in-place inplace
check "  ... every ELF file verifies" "$digsig" verify --cert key/cert.pem -q inplace/init inplace/usr/bin/tool inplace/usr/lib/deep/er/helper inplace/usr/lib/libf.so.1
check "  ... the symlinks are still symlinks" bash -c 'test -L inplace/usr/lib/libf.so && test -L inplace/etc/bin-link && test -L inplace/dangling'
check "  ... the FIFO is still a FIFO" test -p inplace/usr/bin/fifo
check "  ... the script is unchanged" cmp inplace/usr/bin/script stage/usr/bin/script

printf 'static const char mi[] __attribute__((section(".modinfo"), used)) = "license=GPL";\n' >mod.c
gcc -c -o mod.o mod.c
mkdir -p mods/sub OUTM
cp mod.o mods/a.ko
cp mod.o mods/sub/b.ko
check "sign-module -r --out-dir mirrors too" "$digsig" sign-module "${K[@]}" -r --out-dir OUTM mods
check "  ... module signatures" bash -c "'$digsig' verify --cert key/cert.pem OUTM/sub/b.ko | grep -q 'module signature'"

check "-r with -o is refused: one output for a tree (exit 2)" exit_is 2 "$digsig" sign "${K[@]}" -r -o x stage
check "a directory without -r is still not a file (exit 1)" exit_is 1 "$digsig" sign "${K[@]}" --out-dir OUT stage
finish
