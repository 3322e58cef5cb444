#!/usr/bin/env bash
# A signed object file linked into a program: the linker must drop the
# object's signature (SHF_EXCLUDE), and the program must sign and verify.
set -euo pipefail
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
cd "$TEST_TMPDIR"
LOG="$TEST_TMPDIR/log"
: >"$LOG"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"

no_digsig_section() { ! readelf -S -W "$1" | grep -q '\.digsig'; }
excluded_digsig_section() { readelf -S -W "$1" | grep '\.digsig' | grep -q ' E '; }

"$digsig" keygen --out key >/dev/null
printf 'int answer(void) { return 42; }\n' >lib.c
printf 'int answer(void);\nint main(void) { return answer() == 42 ? 0 : 1; }\n' >main.c
gcc -c lib.c -o lib.o
gcc -c main.c -o main.o
sign() { "$digsig" sign --key key/key.pem --cert key/cert.pem "$@"; }

check "object signs" sign -o lib.signed.o lib.o
check "signed object verifies" "$digsig" verify --cert key/cert.pem lib.signed.o
check "signature section is SHF_EXCLUDE in the object" excluded_digsig_section lib.signed.o
check "program links with the signed object" gcc -o prog main.o lib.signed.o
check "linked program runs" ./prog
check "linker dropped the object's signature" no_digsig_section prog
check "linked program signs" sign -o prog.signed prog
check "linked program verifies" "$digsig" verify --cert key/cert.pem prog.signed
check "signed program runs" ./prog.signed

cp prog.signed prog.appended
printf 'x' >>prog.appended
verdict=$("$digsig" verify --cert key/cert.pem prog.appended 2>&1 || true)
check "bytes appended after a signature are malformed, not unsigned" \
  grep -q ": malformed:" <<<"$verdict"
finish
