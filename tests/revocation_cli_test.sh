#!/usr/bin/env bash
# digsig revoke and show-revocations from the command line: lists carry what
# was asked, merge earlier lists, verify only with the signer's certificate,
# split into parts stock openssl verifies; bad requests fail with one line,
# a usage or file exit status, and leave no output (or the old one) behind.
set -euo pipefail
digsig="$TEST_SRCDIR/digsig/signer/tools/digsig"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test revocation
exit_is() { local want=$1; shift; local rc=0; "$@" 2>>"$LOG" || rc=$?; echo "exit $rc, want $want"; [[ $rc -eq $want ]]; }

"$digsig" keygen --out owner --subject "CN=owner" >/dev/null
"$digsig" keygen --out gone --subject "CN=gone" >/dev/null
"$digsig" keygen --out stranger --subject "CN=stranger" >/dev/null
K=(--key owner/key.pem --cert owner/cert.pem)
revoke() { "$digsig" revoke "${K[@]}" "$@"; }
show() { "$digsig" show-revocations --cert owner/cert.pem "$@"; }

printf 'int main(void) { return 0; }\n' >prog.c
gcc -o prog prog.c
"$digsig" sign "${K[@]}" -o prog.signed prog 2>>"$LOG"
payload_digest=$("$digsig" inspect --json prog.signed | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_digest"])')
gone_skid=$(openssl x509 -in gone/cert.pem -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :' | tr 'A-F' 'a-f')
zeros=$(printf '%064d' 0)

check "a list with a certificate, a file and a digest" \
  revoke --sequence 5 --revoke-cert gone/cert.pem --revoke-file prog.signed \
  --revoke-digest "sha256:$zeros" -o list-5
show list-5 >shown-5
check "show-revocations prints the sequence" grep -qx 'sequence 5' shown-5
check "the certificate by subject key identifier" grep -qx "key $gone_skid" shown-5
check "the signed file by its payload digest" grep -qx "sha256 $payload_digest" shown-5
check "the digest given" grep -qx "sha256 $zeros" shown-5
check "entries in canonical order" bash -c "tail -n +2 shown-5 | LC_ALL=C sort -c"

check "merge keeps the old entries and adds new" \
  revoke --sequence 6 --merge list-5 --revoke-key-id 0123abcd -o list-6
show list-6 >shown-6
check "merged list has the old digest" grep -qx "sha256 $zeros" shown-6
check "merged list has the new key id" grep -qx "key 0123abcd" shown-6
revoke --sequence 6 --merge list-5 --revoke-key-id 0123abcd -o again-6 >/dev/null
check "same request, same bytes (deterministic RSA)" cmp list-6 again-6

# Stock openssl verifies the signature over the body (docs/format.md section 11).
python3 - list-6 <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[-12:] == b"~digsig-rl1\n"
sig_len = struct.unpack(">I", data[-16:-12])[0]
body_end = len(data) - 16 - sig_len
open("body", "wb").write(data[:body_end])
open("sig.der", "wb").write(data[body_end:-16])
PY
check "openssl cms -verify accepts the list's signature" openssl cms -verify -binary \
  -inform DER -in sig.der -content body -certfile owner/cert.pem -CAfile owner/cert.pem \
  -purpose any -out /dev/null
check_not "show-revocations with another certificate fails" \
  "$digsig" show-revocations --cert stranger/cert.pem list-6
cp list-6 flipped && printf '1' | dd of=flipped bs=1 seek=40 conv=notrunc 2>/dev/null
check "a changed body is refused (exit 1)" exit_is 1 show flipped
check "a truncated list is refused (exit 1)" exit_is 1 show <(head -c 100 list-6)

# Bad requests: usage (2) or file (1) errors, no output left behind.
check "no --sequence: usage error" exit_is 2 revoke --revoke-digest "sha256:$zeros" -o out-a
check "sequence 0: usage error" exit_is 2 revoke --sequence 0 -o out-a
check "a 19-digit sequence: usage error" exit_is 2 revoke --sequence 1000000000000000000 -o out-a
check "an 18-digit sequence is the largest" revoke --sequence 999999999999999999 -o list-max
check "  ... and reads back" bash -c "'$digsig' show-revocations --cert owner/cert.pem list-max | grep -qx 'sequence 999999999999999999'"
check "a short digest: usage error" exit_is 2 revoke --sequence 1 --revoke-digest sha256:00 -o out-a
check "an unknown algorithm: usage error" exit_is 2 revoke --sequence 1 --revoke-digest "md5:$zeros" -o out-a
check "a bad key id: usage error" exit_is 2 revoke --sequence 1 --revoke-key-id xyz -o out-a
check "an unsigned file cannot be revoked by digest (exit 1)" exit_is 1 revoke --sequence 1 --revoke-file prog -o out-a
check "merging a stranger's list fails (exit 1)" exit_is 1 \
  "$digsig" revoke --key stranger/key.pem --cert stranger/cert.pem --sequence 9 --merge list-6 -o out-a
check "merging into a lower sequence: usage error" exit_is 2 revoke --sequence 6 --merge list-6 -o out-a
# A certificate without a subject key identifier cannot name the key it revokes.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout noskid.key \
  -out noskid.pem -subj /CN=noskid -addext subjectKeyIdentifier=none -days 2 2>>"$LOG"
check "revoking a certificate without a subject key identifier fails (exit 1)" exit_is 1 \
  revoke --sequence 1 --revoke-cert noskid.pem -o out-a
check "  ... saying so" grep -q 'noskid.pem: certificate has no subject key identifier' "$LOG"
check "no output was left by any failure" bash -c '! ls out-a* .out-a* 2>/dev/null | grep -q .'
cp list-5 keep && cp list-5 untouched
check "a failed request leaves an existing output as it was" exit_is 1 \
  revoke --sequence 7 --revoke-file prog -o keep
check "  ... byte for byte" cmp keep untouched
"$digsig" revoke --key owner/key.pem --cert owner/cert.pem --sequence 1 --revoke-file prog -o x \
  2>error.txt >/dev/null || true
check "one error line" bash -c "grep -c . error.txt | grep -qx 1"
check "  ... naming the file and the reason" grep -q '^digsig: prog: no digsig signature' error.txt
finish
