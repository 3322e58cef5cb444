#!/usr/bin/env bash
# A signed object file linked into a program: the linker must drop the
# object's signature (SHF_EXCLUDE), and the program must sign and verify.
set -euo pipefail
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
cd "$TEST_TMPDIR"
passed=0 failed=0
check() {
  if eval "$2"; then echo "PASS: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi
}
"$digsig" keygen --out key >/dev/null
printf 'int answer(void) { return 42; }\n' >lib.c
printf 'int answer(void);\nint main(void) { return answer() == 42 ? 0 : 1; }\n' >main.c
gcc -c lib.c -o lib.o
gcc -c main.c -o main.o
"$digsig" sign --key key/key.pem --cert key/cert.pem -o lib.signed.o lib.o 2>/dev/null
check "signed object verifies" '"$digsig" verify -q --cert key/cert.pem lib.signed.o'
check "signature section is SHF_EXCLUDE in the object" \
  'readelf -S -W lib.signed.o | grep "\.digsig" | grep -q " E "'
gcc -o prog main.o lib.signed.o
check "linked program runs" './prog'
check "linker dropped the object signature" '! readelf -S -W prog | grep -q "\.digsig"'
check "linked program signs" '"$digsig" sign --key key/key.pem --cert key/cert.pem -o prog.signed prog 2>/dev/null'
check "linked program verifies" '"$digsig" verify -q --cert key/cert.pem prog.signed'
check "signed program runs" './prog.signed'
cp prog.signed prog.appended
printf 'x' >>prog.appended
verdict=$("$digsig" verify --cert key/cert.pem prog.appended 2>&1 || true)
check "bytes appended after a signature are malformed, not unsigned" \
  'grep -q ": malformed:" <<<"$verdict"'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
