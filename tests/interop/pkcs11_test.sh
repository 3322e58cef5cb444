#!/usr/bin/env bash
# Signing with a key held by a PKCS#11 token (SoftHSM2 through the OpenSSL
# pkcs11 engine), PIN handling, YAML profiles, and the key-file permission
# rule. The token gets a copy of a key `digsig keygen` made, so the token's
# RSA signatures must equal the file key's byte for byte.
set -euo pipefail

DIGSIG="${TEST_SRCDIR:?}/digsig/signer/tools/digsig"
[[ -x "$DIGSIG" ]] || { echo "digsig binary not found at $DIGSIG"; exit 1; }
W="${TEST_TMPDIR:?}/pkcs11"
rm -rf "$W"
mkdir -p "$W/tokens"
cd "$W"
LOG="$W/log"
: >"$LOG"
TARGET=/bin/true
PIN=1234
SO_PIN=5678
WRONG_PIN=97531
unset DIGSIG_PKCS11_PIN

# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"

# run NAME COMMAND...: runs COMMAND with stdin closed, stdout and stderr to
# NAME.out / NAME.err, exit status to NAME.rc. Never fails.
run() {
  local name=$1 rc=0
  shift
  "$@" <"/dev/null" >"$W/$name.out" 2>"$W/$name.err" || rc=$?
  echo "$rc" >"$W/$name.rc"
  { echo "== $name: exit $rc"; cat "$W/$name.out" "$W/$name.err"; } >>"$LOG"
}
rc_is() { [[ $(<"$W/$1.rc") -eq $2 ]]; }
# no_secret NAME STRING...: none of the strings appears in NAME's output.
no_secret() {
  local name=$1 s
  shift
  for s in "$@"; do
    ! grep -qF -- "$s" "$W/$name.out" "$W/$name.err" || { echo "'$s' leaked"; return 1; }
  done
}
# one_line_error NAME: stdout empty, stderr exactly one "digsig: ..." line.
one_line_error() {
  [[ ! -s "$W/$1.out" && $(wc -l <"$W/$1.err") -eq 1 ]] && grep -q '^digsig: ' "$W/$1.err"
}
err_mentions() { grep -qiE -- "$2" "$W/$1.err"; }

# ---- environment --------------------------------------------------------------

MODULE=""
for c in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
  [[ -f $c ]] && { MODULE=$c; break; }
done
check "SoftHSM2 module present (Debian package softhsm2): ${MODULE:-none}" test -n "$MODULE"
check "softhsm2-util present (Debian package softhsm2)" command -v softhsm2-util
ENGINES_DIR=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
check "OpenSSL pkcs11 engine present (Debian package libengine-pkcs11-openssl)" \
  test -f "$ENGINES_DIR/pkcs11.so"
HAVE_PKCS11_TOOL=0
command -v pkcs11-tool >/dev/null && HAVE_PKCS11_TOOL=1
if [[ $failed -ne 0 ]]; then
  finish
  exit 1
fi

export SOFTHSM2_CONF="$W/softhsm2.conf"
cat >"$SOFTHSM2_CONF" <<EOF
directories.tokendir = $W/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF

check "softhsm2-util --init-token" softhsm2-util --init-token --free --label digsig-test \
  --pin "$PIN" --so-pin "$SO_PIN"

check "digsig keygen rsa-2048" "$DIGSIG" keygen --out "$W/rsa" --algo rsa-2048 --subject "CN=digsig token test"
check "digsig keygen ecdsa-p256" "$DIGSIG" keygen --out "$W/ec" --algo ecdsa-p256 --subject "CN=digsig token test EC"
check "key.pem -> PKCS#8 (openssl pkcs8 -topk8 -nocrypt)" bash -c \
  "openssl pkcs8 -topk8 -nocrypt -in '$W/rsa/key.pem' -out '$W/rsa.p8' &&
   openssl pkcs8 -topk8 -nocrypt -in '$W/ec/key.pem' -out '$W/ec.p8'"
check "softhsm2-util --import RSA key as signkey/01" softhsm2-util --import "$W/rsa.p8" \
  --token digsig-test --label signkey --id 01 --pin "$PIN"
check "softhsm2-util --import ECDSA key as eckey/02" softhsm2-util --import "$W/ec.p8" \
  --token digsig-test --label eckey --id 02 --pin "$PIN"
if [[ $HAVE_PKCS11_TOOL -eq 1 ]]; then
  check "pkcs11-tool lists the private key objects" bash -c \
    "pkcs11-tool --module '$MODULE' --token-label digsig-test --login --pin '$PIN' --list-objects --type privkey |
     grep -c 'label: *\(signkey\|eckey\)\$' | grep -qx 2"
else
  echo "NOTE: pkcs11-tool (Debian package opensc) not installed: object listing skipped"
fi

URI='pkcs11:token=digsig-test;object=signkey;type=private'
URI_EC='pkcs11:token=digsig-test;object=eckey;type=private'

# ---- signing with the token ---------------------------------------------------

run file-key "$DIGSIG" sign --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" -o "$W/file-key.signed" "$TARGET"
check "file key: signs" rc_is file-key 0

run token env DIGSIG_PKCS11_PIN="$PIN" "$DIGSIG" sign --key "$URI" --cert "$W/rsa/cert.pem" \
  --pkcs11-module "$MODULE" -o "$W/token.signed" "$TARGET"
check "token RSA key: signs (exit 0)" rc_is token 0
check "token RSA key: PIN not in stdout/stderr" no_secret token "$PIN"
check "token RSA key: signature == file-key signature, byte for byte" cmp "$W/file-key.signed" "$W/token.signed"
check "token RSA key: digsig verify" "$DIGSIG" verify --cert "$W/rsa/cert.pem" "$W/token.signed"

run token-json env DIGSIG_PKCS11_PIN="$PIN" "$DIGSIG" sign --json --key "$URI" --cert "$W/rsa/cert.pem" \
  --pkcs11-module "$MODULE" --hash sha512 -o "$W/token512.signed" "$TARGET"
check "token RSA key, sha512, --json: signs" rc_is token-json 0
check "token RSA key, --json: PIN not in stdout/stderr" no_secret token-json "$PIN"
"$DIGSIG" sign --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" --hash sha512 -o "$W/file512.signed" \
  "$TARGET" >>"$LOG" 2>&1 || true
check "token RSA key, sha512: == file key, byte for byte" cmp "$W/file512.signed" "$W/token512.signed"

run token-id env DIGSIG_PKCS11_PIN="$PIN" "$DIGSIG" sign --key 'pkcs11:token=digsig-test;id=%01;type=private' \
  --cert "$W/rsa/cert.pem" --pkcs11-module "$MODULE" -o "$W/token-id.signed" "$TARGET"
check "token key by id=%01: same signature" cmp "$W/file-key.signed" "$W/token-id.signed"

# Kernel modules through the token, several files in one run (the token
# session is shared by the worker threads).
printf '%s\n' 'static const char __modinfo[] __attribute__((section(".modinfo"), used)) = "license=GPL\0name=demo";' \
  >"$W/demo.c"
mkdir -p "$W/mods" "$W/mods-token" "$W/mods-file"
if gcc -c -o "$W/mods/demo.ko" "$W/demo.c" >>"$LOG" 2>&1; then
  for i in 1 2 3 4 5; do cp "$W/mods/demo.ko" "$W/mods/demo$i.ko"; done
  run token-mods env DIGSIG_PKCS11_PIN="$PIN" "$DIGSIG" sign-module --jobs 4 --key "$URI" \
    --cert "$W/rsa/cert.pem" --pkcs11-module "$MODULE" --out-dir "$W/mods-token" "$W/mods/"*.ko
  check "token RSA key: sign-module 6 modules, 4 jobs" rc_is token-mods 0
  "$DIGSIG" sign-module --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" --out-dir "$W/mods-file" \
    "$W/mods/"*.ko >>"$LOG" 2>&1 || true
  check "token RSA key: modules == file-key modules, byte for byte" diff -r "$W/mods-file" "$W/mods-token"
else
  fail "gcc builds a module object (Debian package gcc)"
fi

run token-ec env DIGSIG_PKCS11_PIN="$PIN" "$DIGSIG" sign --key "$URI_EC" --cert "$W/ec/cert.pem" \
  --pkcs11-module "$MODULE" --hash sha384 -o "$W/token-ec.signed" "$TARGET"
check "token ECDSA key: signs" rc_is token-ec 0
check "token ECDSA key: digsig verify" "$DIGSIG" verify --cert "$W/ec/cert.pem" "$W/token-ec.signed"

# ---- PIN and token errors -----------------------------------------------------

run wrong-pin env DIGSIG_PKCS11_PIN="$WRONG_PIN" "$DIGSIG" sign --key "$URI" --cert "$W/rsa/cert.pem" \
  --pkcs11-module "$MODULE" -o "$W/wrong-pin.signed" "$TARGET"
check "wrong PIN: exit 2" rc_is wrong-pin 2
check "wrong PIN: exactly one error line, nothing on stdout" one_line_error wrong-pin
check "wrong PIN: the error mentions the PIN" err_mentions wrong-pin 'PIN'
check "wrong PIN: neither PIN appears in the output" no_secret wrong-pin "$PIN" "$WRONG_PIN"
check "wrong PIN: no output file" test ! -e "$W/wrong-pin.signed"

# A pin-value inside the URI must not be echoed either (libp11 prints the
# URI of a key it cannot load unless told to be quiet).
run uri-pin "$DIGSIG" sign --key "$URI;pin-value=$WRONG_PIN" --cert "$W/rsa/cert.pem" \
  --pkcs11-module "$MODULE" -o "$W/uri-pin.signed" "$TARGET"
check "wrong pin-value in the URI: exit 2" rc_is uri-pin 2
check "wrong pin-value in the URI: one error line" one_line_error uri-pin
check "wrong pin-value in the URI: PIN not echoed" no_secret uri-pin "$WRONG_PIN" "$PIN"
run uri-pin-ok "$DIGSIG" sign --key "$URI;pin-value=$PIN" --cert "$W/rsa/cert.pem" \
  --pkcs11-module "$MODULE" -o "$W/uri-pin-ok.signed" "$TARGET"
check "right pin-value in the URI: signs, PIN not echoed" bash -c \
  "[[ \$(<'$W/uri-pin-ok.rc') -eq 0 ]] && ! grep -qF '$PIN' '$W/uri-pin-ok.out' '$W/uri-pin-ok.err'"

# No PIN at all: must fail, not wait for one (stdin is closed here).
run no-pin timeout 30 "$DIGSIG" sign --key "$URI" --cert "$W/rsa/cert.pem" \
  --pkcs11-module "$MODULE" -o "$W/no-pin.signed" "$TARGET"
check "no PIN given, stdin closed: exit 2 (no hang)" rc_is no-pin 2
# Unattended builds must never be asked for a PIN on the terminal.
check "no PIN given: no prompt" bash -c "! grep -q 'Enter PKCS#11 token PIN' '$W/no-pin.err'"

run wrong-object env DIGSIG_PKCS11_PIN="$PIN" "$DIGSIG" sign \
  --key 'pkcs11:token=digsig-test;object=nosuchkey;type=private' --cert "$W/rsa/cert.pem" \
  --pkcs11-module "$MODULE" -o "$W/wrong-object.signed" "$TARGET"
check "unknown token object: exit 2, one error line" bash -c \
  "[[ \$(<'$W/wrong-object.rc') -eq 2 && ! -s '$W/wrong-object.out' && \$(wc -l <'$W/wrong-object.err') -eq 1 ]]"

run wrong-cert env DIGSIG_PKCS11_PIN="$PIN" "$DIGSIG" sign --key "$URI" --cert "$W/ec/cert.pem" \
  --pkcs11-module "$MODULE" -o "$W/wrong-cert.signed" "$TARGET"
check "token key with another key's certificate: exit 2" rc_is wrong-cert 2
check "... message says the certificate does not belong to the key" err_mentions wrong-cert 'does not belong'

# ---- YAML profile -------------------------------------------------------------

mkdir -p "$W/conf/certs"
cp "$W/rsa/cert.pem" "$W/conf/certs/release.pem"
cat >"$W/conf/digsig.yaml" <<EOF
default_profile: file
profiles:
  token:
    key: "$URI"
    cert: certs/release.pem          # relative to this file
    pkcs11_module: $MODULE
    algorithm: rsa-2048
    hash: sha256
  token-custom-env:
    key: "$URI"
    cert: certs/release.pem
    pkcs11_module: $MODULE
    pkcs11_pin_env: RELEASE_TOKEN_PIN
  file:
    key: $W/rsa/key.pem
    cert: certs/release.pem
EOF
run profile-token env DIGSIG_PKCS11_PIN="$PIN" "$DIGSIG" sign --config "$W/conf/digsig.yaml" --profile token \
  -o "$W/profile-token.signed" "$TARGET"
check "--config --profile token: signs" rc_is profile-token 0
check "--config --profile token: == file-key signature" cmp "$W/file-key.signed" "$W/profile-token.signed"
check "--config --profile token: PIN not in output" no_secret profile-token "$PIN"
run profile-env env RELEASE_TOKEN_PIN="$PIN" "$DIGSIG" sign --config "$W/conf/digsig.yaml" \
  --profile token-custom-env -o "$W/profile-env.signed" "$TARGET"
check "profile with pkcs11_pin_env: RELEASE_TOKEN_PIN: signs" cmp "$W/file-key.signed" "$W/profile-env.signed"
run profile-wrong env DIGSIG_PKCS11_PIN="$WRONG_PIN" "$DIGSIG" sign --config "$W/conf/digsig.yaml" \
  --profile token -o "$W/profile-wrong.signed" "$TARGET"
check "--config --profile token, wrong PIN: exit 2, one line, no PIN" bash -c \
  "[[ \$(<'$W/profile-wrong.rc') -eq 2 && \$(wc -l <'$W/profile-wrong.err') -eq 1 ]] &&
   ! grep -qF -e '$PIN' -e '$WRONG_PIN' '$W/profile-wrong.out' '$W/profile-wrong.err'"
check "digsig verify --config --profile token (cert from the profile)" \
  "$DIGSIG" verify --config "$W/conf/digsig.yaml" --profile token "$W/profile-token.signed"

# ---- key file permissions ------------------------------------------------------

cp "$W/rsa/key.pem" "$W/loose.pem"
chmod 0644 "$W/loose.pem"
run loose "$DIGSIG" sign --key "$W/loose.pem" --cert "$W/rsa/cert.pem" -o "$W/loose.signed" "$TARGET"
check "PEM key mode 0644: refused with exit 2" rc_is loose 2
check "PEM key mode 0644: one error line mentioning group or others" bash -c \
  "[[ \$(wc -l <'$W/loose.err') -eq 1 ]] && grep -qiE 'group|others' '$W/loose.err'"
check "PEM key mode 0644: no output file" test ! -e "$W/loose.signed"
chmod 0640 "$W/loose.pem"
run loose-group "$DIGSIG" sign --key "$W/loose.pem" --cert "$W/rsa/cert.pem" -o "$W/loose.signed" "$TARGET"
check "PEM key mode 0640: refused with exit 2" rc_is loose-group 2
chmod 0644 "$W/loose.pem"
run loose-allowed "$DIGSIG" sign --allow-insecure-key --key "$W/loose.pem" --cert "$W/rsa/cert.pem" \
  -o "$W/loose-allowed.signed" "$TARGET"
check "PEM key mode 0644 with --allow-insecure-key: signs" rc_is loose-allowed 0
check "... same bytes as with the 0600 key" cmp "$W/file-key.signed" "$W/loose-allowed.signed"
cat >"$W/conf/loose.yaml" <<EOF
profiles:
  loose:
    key: $W/loose.pem
    cert: certs/release.pem
    allow_insecure_key: true
EOF
run loose-config "$DIGSIG" sign --config "$W/conf/loose.yaml" -o "$W/loose-config.signed" "$TARGET"
check "PEM key mode 0644 with profile allow_insecure_key: true: signs" rc_is loose-config 0
check "PEM key mode 0600 (digsig keygen's): accepted" test "$(stat -c %a "$W/rsa/key.pem")" = 600

finish
