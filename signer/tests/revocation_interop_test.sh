#!/usr/bin/env bash
# Signed revocation lists (docs/format.md section 11) checked WITHOUT digsig:
# the list written by `digsig revoke` is cut apart with coreutils (stat, od,
# head, dd), its body checked with grep and sort, and its signature with the
# openssl CLI. The other way round, a list put together by openssl and
# printf is accepted by `digsig show-revocations`. This pins the on-disk
# format and proves the signature is ordinary detached CMS.
set -euo pipefail

DIGSIG="${TEST_SRCDIR:?}/digsig/signer/tools/digsig"
[[ -x "$DIGSIG" ]] || { echo "digsig binary not found at $DIGSIG"; exit 1; }
# shellcheck source=tests/lib/harness.sh
source "${TEST_SRCDIR:?}/digsig/tests/lib/harness.sh"
begin_test revocation_interop

# ---- stock-tool helpers ------------------------------------------------------

# split LIST PREFIX: PREFIX.body and PREFIX.sig.der by the 16-byte trailer
# (be32 signature length, "~digsig-rl1\n"); fails on a broken trailer.
split() {
  local f=$1 d=$2 size sig_len body_len
  local -a T
  size=$(stat -c %s "$f")
  ((size > 16)) || { echo "$f: too small"; return 1; }
  read -r -d '' -a T < <(od -An -v -tx1 -j $((size - 16)) "$f") || true
  [[ "${T[*]:4:12}" == "7e 64 69 67 73 69 67 2d 72 6c 31 0a" ]] || { echo "$f: no magic"; return 1; }
  sig_len=$((16#${T[0]}${T[1]}${T[2]}${T[3]}))
  ((sig_len >= 1 && sig_len <= 16384 && sig_len <= size - 16)) || { echo "bad sig_len $sig_len"; return 1; }
  body_len=$((size - 16 - sig_len))
  ((body_len <= 1048576)) || { echo "body of $body_len bytes"; return 1; }
  head -c "$body_len" "$f" >"$d.body"
  dd if="$f" of="$d.sig.der" iflag=skip_bytes,count_bytes skip="$body_len" count="$sig_len" status=none
}

# body_is_canonical BODY SEQUENCE COUNT: the header, the sequence, COUNT
# entry lines of the grammar in strictly ascending byte order, nothing else.
body_is_canonical() {
  local b=$1
  [[ $(sed -n 1p "$b") == "digsig-revocations 1" && $(sed -n 2p "$b") == "sequence $2" ]] || return 1
  [[ $(tail -c 1 "$b" | od -An -tx1) == " 0a" ]] || { echo "no final newline"; return 1; }
  ! grep -q $'\r' "$b" || { echo "carriage return"; return 1; }
  [[ $(tail -n +3 "$b" | wc -l) -eq $3 ]] || { echo "not $3 entries"; return 1; }
  tail -n +3 "$b" | grep -Ev '^(key ([0-9a-f]{2}){1,64}|sha256 [0-9a-f]{64}|sha384 [0-9a-f]{96}|sha512 [0-9a-f]{128})$' &&
    { echo "lines outside the grammar"; return 1; }
  tail -n +3 "$b" | LC_ALL=C sort -c -u
}

# cms_verify PREFIX CERT: the signature over the body, the self-signed leaf
# its own trust anchor; cms_verify_noverify: signature check only.
cms_verify() {
  openssl cms -verify -binary -inform DER -in "$1.sig.der" -content "$1.body" \
    -certfile "$2" -CAfile "$2" -purpose any -out /dev/null
}
cms_verify_noverify() {
  openssl cms -verify -binary -inform DER -in "$1.sig.der" -content "$1.body" \
    -certfile "$2" -noverify -out /dev/null
}

# cms_shape PREFIX: detached SignedData, SHA-256, no certificates, no signed
# attributes, one signer by issuer and serial number.
cms_shape() {
  local p
  p=$(openssl cms -cmsout -print -inform DER -in "$1.sig.der") || return 1
  [[ $p == *"eContent: <ABSENT>"* && $p =~ certificates:[[:space:]]+\<ABSENT\> &&
    $p =~ signedAttrs:[[:space:]]+\<ABSENT\> && $p == *d.issuerAndSerialNumber:* &&
    $p != *d.issuerAndSerialNumber:*d.issuerAndSerialNumber:* &&
    $p =~ digestAlgorithm:[[:space:]]+algorithm:\ sha256 ]]
}

# assemble BODY SIG OUT: body || sig || be32(len(sig)) || magic, by printf.
assemble() {
  local n
  n=$(stat -c %s "$2")
  {
    cat "$1" "$2"
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n >> 24 & 255)) $((n >> 16 & 255)) \
      $((n >> 8 & 255)) $((n & 255)))"
    printf '~digsig-rl1\n'
  } >"$3"
}

# show_matches LIST CERT BODY: digsig show-revocations prints the body's
# lines from the sequence on.
show_matches() {
  "$DIGSIG" show-revocations --cert "$2" "$1" >"$1.shown" || return 1
  tail -n +2 "$3" | cmp - "$1.shown"
}

# show_says LIST CERT CODE: digsig show-revocations refuses with CODE.
show_says() {
  local out
  if out=$("$DIGSIG" show-revocations --cert "$2" "$1" 2>&1); then return 1; fi
  echo "$out"
  [[ $out == *": $3: "* ]]
}

hex() { printf "$1%.0s" $(seq "$2"); }  # hex DIGITS COUNT

# ---- tests --------------------------------------------------------------------

check "keygen of an unrelated key" "$DIGSIG" keygen --out other --algo rsa-2048

for algo in rsa-2048 ecdsa-p256 ecdsa-p384; do
  k=$W/$algo
  if ! "$DIGSIG" keygen --out "$k" --algo "$algo" >>"$LOG" 2>&1; then
    fail "$algo: keygen"
    continue
  fi
  l=$W/list-$algo
  # Entries given out of order and twice; the list holds each once, sorted.
  if ! "$DIGSIG" revoke --key "$k/key.pem" --cert "$k/cert.pem" --sequence 123456789 \
    --revoke-digest "sha512:$(hex 5a 64)" --revoke-digest "sha256:$(hex 01 32)" \
    --revoke-digest "sha384:$(hex ee 48)" --revoke-digest "sha256:$(hex 01 32)" \
    --revoke-key-id 0000 --revoke-key-id "$(hex ff 64)" --revoke-key-id 0000 \
    --revoke-key-id 00 --revoke-cert other/cert.pem -o "$l" >>"$LOG" 2>&1; then
    fail "$algo: digsig revoke"
    continue
  fi
  pass "$algo: digsig revoke"
  if ! split "$l" "$l" >>"$LOG" 2>&1; then
    fail "$algo: list splits by its trailer with stock tools"
    continue
  fi
  pass "$algo: list splits by its trailer with stock tools"
  check "$algo: body is canonical (grammar, order, no duplicates, 7 entries)" \
    body_is_canonical "$l.body" 123456789 7
  check "$algo: key lines first, shorter id before longer" \
    bash -c "[[ \$(sed -n 3,4p '$l.body' | tr '\n' ' ') == 'key 00 key 0000 ' ]]"
  check "$algo: PKCS#7 detached, SHA-256, one signer, no certificates, no attributes" cms_shape "$l"
  check "$algo: openssl cms -verify (-CAfile cert -purpose any)" cms_verify "$l" "$k/cert.pem"
  check "$algo: openssl cms -verify (-noverify)" cms_verify_noverify "$l" "$k/cert.pem"
  check_not "$algo: openssl cms -verify with another key's cert fails" \
    cms_verify_noverify "$l" other/cert.pem
  check "$algo: digsig show-revocations prints the body's entries" show_matches "$l" "$k/cert.pem" "$l.body"

  # One changed hex digit: still well formed and sorted, no longer signed.
  sed 's/^key 0000$/key 0001/' "$l.body" >"$l.altered.body"
  cp "$l.sig.der" "$l.altered.sig.der"
  assemble "$l.altered.body" "$l.sig.der" "$l.altered"
  check "$algo: altered body still canonical" body_is_canonical "$l.altered.body" 123456789 7
  check_not "$algo: altered body -> openssl cms -verify fails" cms_verify_noverify "$l.altered" "$k/cert.pem"
  check "$algo: altered body -> digsig says altered" show_says "$l.altered" "$k/cert.pem" altered
  check "$algo: another key's cert -> digsig says unknown-signer" \
    show_says "$l" other/cert.pem unknown-signer
  # Stock tools can break the grammar in ways a signature cannot excuse.
  tr '\n' '\r' <"$l.body" | sed 's/\r/\r\n/g' >"$l.crlf.body"
  assemble "$l.crlf.body" "$l.sig.der" "$l.crlf"
  check "$algo: CRLF body -> digsig says malformed" show_says "$l.crlf" "$k/cert.pem" malformed

  # A list put together by openssl and printf alone is a digsig list. (RSA
  # only: digsig accepts only low-S ECDSA signatures, which openssl makes
  # half of the time.)
  [[ $algo == rsa-* ]] || continue
  if openssl cms -sign -binary -noattr -nocerts -md sha256 -outform DER -signer "$k/cert.pem" \
    -inkey "$k/key.pem" -in "$l.body" -out "$l.openssl.sig.der" >>"$LOG" 2>&1; then
    assemble "$l.body" "$l.openssl.sig.der" "$l.openssl"
    check "$algo: list signed by openssl cms -sign -> digsig show-revocations accepts it" \
      show_matches "$l.openssl" "$k/cert.pem" "$l.body"
    # RSA PKCS#1 v1.5 is deterministic: the very same bytes as digsig's.
    check "$algo: openssl's list is byte for byte digsig's" cmp "$l" "$l.openssl"
  else
    fail "$algo: openssl cms -sign"
  fi
done

# --merge keeps the old entries; the merged list verifies with openssl too.
k=$W/rsa-2048
m=$W/merged
if "$DIGSIG" revoke --key "$k/key.pem" --cert "$k/cert.pem" --sequence 123456790 \
  --merge "$W/list-rsa-2048" --revoke-key-id 0b -o "$m" >>"$LOG" 2>&1; then
  pass "merge: digsig revoke --merge"
  split "$m" "$m" >>"$LOG" 2>&1 || true
  check "merge: 8 entries, canonical" body_is_canonical "$m.body" 123456790 8
  check "merge: openssl cms -verify" cms_verify "$m" "$k/cert.pem"
else
  fail "merge: digsig revoke --merge"
fi
check_not "merge: a sequence that does not increase is refused" "$DIGSIG" revoke \
  --key "$k/key.pem" --cert "$k/cert.pem" --sequence 123456789 --merge "$W/list-rsa-2048" \
  -o "$W/not-increasing"

finish
