#!/usr/bin/env bash
# How signing treats the files around it: setuid bits on copies, in-place
# signing through symlinks and other spellings of the same path, FIFOs,
# module-signed input, and the kernel's rules for module signature headers.
set -euo pipefail
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test files

"$digsig" keygen --out key >/dev/null
sign() { "$digsig" sign --key key/key.pem --cert key/cert.pem "$@"; }
verify() { "$digsig" verify --cert key/cert.pem "$@"; }
mode_of() { stat -c %a "$1"; }
exit_is() { local want=$1; shift; local rc=0; "$@" || rc=$?; echo "exit $rc, want $want"; [[ $rc -eq $want ]]; }

printf 'int main(void) { return 0; }\n' >prog.c
gcc -o prog prog.c

# Setuid copies: a copy owned by someone else must not stay setuid.
if [[ $(id -u) -eq 0 ]]; then
  # Needs a real root (BUILD tags this test no-sandbox): in a user namespace
  # chown to another user fails, and the checks below would prove nothing.
  cp prog suid-nobody
  chown nobody:nogroup suid-nobody
  chmod 6755 suid-nobody
  check "copy of a setuid-nobody file signs" sign -o suid-nobody.signed suid-nobody
  check "the root-owned copy is not setuid or setgid" test "$(mode_of suid-nobody.signed)" = 755
  cp prog suid-root && chmod 4755 suid-root
  check "copy of a setuid-root file signs" sign -o suid-root.signed suid-root
  check "the root-owned copy of a root file keeps setuid" test "$(mode_of suid-root.signed)" = 4755
  mkdir -p same
  cp prog same/tool
  chown nobody:nogroup same/tool
  chmod 6755 same/tool
  check "--out-dir onto the input's own directory is in place" sign --out-dir same same/tool
  owner_mode() { echo "$(stat -c '%U %a' "$1"), want $2"; [[ "$(stat -c '%U %a' "$1")" == "$2" ]]; }
  check "in place keeps owner and setuid" owner_mode same/tool "nobody 6755"
else
  echo "NOTE: not root: setuid checks need chown"
fi

# In place through a symlink signs the target and keeps the link.
mkdir -p lib
cp prog lib/libx.so.1
ln -s libx.so.1 lib/libx.so
check "sign --in-place through a symlink" sign --in-place lib/libx.so
check "the link is still a link" test -L lib/libx.so
check "the target is signed" verify lib/libx.so.1

# A FIFO is refused at once instead of blocking the open.
mkfifo fifo
check "verify refuses a FIFO without hanging" exit_is 1 timeout 5 "$digsig" verify --cert key/cert.pem fifo
check "sign refuses a FIFO without hanging" exit_is 1 timeout 5 "$digsig" sign --key key/key.pem --cert key/cert.pem -o fifo.out fifo

# An absurd validity is an error, not an unreadable certificate.
check "keygen --days out of range exits 2" exit_is 2 "$digsig" keygen --out bad-days --days 999999999

# Module-signed input: an embedded signature would bury the module signature.
printf 'static const char mi[] __attribute__((section(".modinfo"), used)) = "license=GPL";\n' >mod.c
gcc -c mod.c -o mod.ko
"$digsig" sign-module --key key/key.pem --cert key/cert.pem -o mod.signed.ko mod.ko 2>>"$LOG"
check "module signature verifies" verify mod.signed.ko
check "embedded signing of a module-signed file is refused" exit_is 1 sign -o mod.both.ko mod.signed.ko
check "nothing written for the refused file" test ! -e mod.both.ko
# struct module_signature: every field but id_type and sig_len must be zero.
cp mod.signed.ko mod.hdr.ko
size=$(stat -c %s mod.hdr.ko)
printf '\x01' | dd of=mod.hdr.ko bs=1 seek=$((size - 40)) conv=notrunc status=none
check "non-zero module signature header fields are refused" exit_is 1 verify mod.hdr.ko
finish
