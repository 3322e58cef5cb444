#!/usr/bin/env bash
# `digsig sign-module` against the kernel's own tooling: kmod's modinfo must
# read the signature, the kernel's scripts/sign-file must produce the very
# same bytes for RSA keys, openssl must verify the PKCS#7, and digsig must
# verify sign-file's output. Modules: a tiny object with a .modinfo section
# and, when kernel headers are installed, a real kbuild hello-world module.
set -euo pipefail

DIGSIG="${TEST_SRCDIR:?}/digsig/signer/tools/digsig"
[[ -x "$DIGSIG" ]] || { echo "digsig binary not found at $DIGSIG"; exit 1; }
export PATH="$PATH:/usr/sbin:/sbin" # modinfo lives in /usr/sbin
# shellcheck source=tests/lib/harness.sh
source "${TEST_SRCDIR:?}/digsig/tests/lib/harness.sh"
begin_test module_sign

# equals WHAT GOT WANT
equals() {
  echo "$1: got '$2', want '$3'"
  [[ "$2" == "$3" ]]
}

# exit_code_is WANT COMMAND...: COMMAND exits with status WANT.
exit_code_is() {
  local want=$1 rc=0
  shift
  "$@" || rc=$?
  echo "exit status $rc (want $want)"
  [[ $rc -eq $want ]]
}

# cert_serial_colon CERT: the serial as modinfo prints sig_key: the DER
# INTEGER's content bytes, upper-case hex, colon separated.
cert_serial_colon() {
  local s
  s=$(openssl x509 -in "$1" -noout -serial)
  s=${s#serial=}
  ((${#s} % 2 == 0)) || s=0$s
  [[ ${s:0:1} == [89A-F] ]] && s=00$s
  s=$(sed 's/../&:/g; s/:$//' <<<"$s")
  echo "$s"
}

# modinfo_is MODULE FIELD WANT
modinfo_is() {
  local got
  got=$(modinfo -F "$2" "$1") || return 1
  equals "modinfo -F $2" "$got" "$3"
}

# openssl_verifies_module MODULE CERT: cut the kernel module signature apart
# (PKCS#7, 12-byte struct module_signature, 28-byte marker) with stock tools
# and let openssl check the PKCS#7 over the module content.
openssl_verifies_module() {
  local f=$1 size sig_len id_type content_len
  local -a info
  size=$(stat -c %s "$f")
  printf '~Module signature appended~\n' | cmp -s - <(tail -c 28 "$f") || { echo "no marker"; return 1; }
  read -r -d '' -a info < <(od -An -v -tx1 -j $((size - 40)) -N 12 "$f") || true
  id_type=$((16#${info[2]}))
  [[ $id_type -eq 2 ]] || { echo "id_type $id_type, want 2 (PKEY_ID_PKCS7)"; return 1; }
  sig_len=$((16#${info[8]}${info[9]}${info[10]}${info[11]}))
  content_len=$((size - 40 - sig_len))
  head -c "$content_len" "$f" >"$f.content"
  dd if="$f" of="$f.p7s" iflag=skip_bytes,count_bytes skip="$content_len" count="$sig_len" status=none
  openssl cms -verify -binary -inform DER -in "$f.p7s" -content "$f.content" \
    -certfile "$2" -CAfile "$2" -purpose any -out /dev/null
}

# flip_byte FILE OFFSET: XOR the byte at OFFSET with 0xff, in place.
flip_byte() {
  local b
  b=$(od -An -tu1 -j "$2" -N 1 "$1")
  printf "\\x$(printf %02x $((b ^ 0xff)))" |
    dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

# ---- tools --------------------------------------------------------------------

missing=0
for tool in gcc modinfo openssl; do
  if command -v "$tool" >/dev/null; then
    pass "tool available: $tool"
  else
    fail "tool available: $tool (Debian packages: gcc, kmod, openssl)"
    missing=1
  fi
done
# The kernel's sign-file: from linux-kbuild-X.Y (or inside the headers).
SIGN_FILE=""
for c in /usr/lib/linux-kbuild-*/scripts/sign-file /usr/src/linux-headers-*/scripts/sign-file \
  /lib/modules/*/build/scripts/sign-file; do
  if [[ -x $c ]]; then
    SIGN_FILE=$c
    break
  fi
done
if [[ -n $SIGN_FILE ]]; then
  pass "kernel sign-file found: $SIGN_FILE"
else
  fail "kernel sign-file found (Debian package linux-kbuild-X.Y, pulled in by linux-headers-amd64)"
fi
[[ $missing -eq 0 ]] || { finish; exit 1; }

# ---- keys ---------------------------------------------------------------------

CN="digsig module interop"
check "keygen rsa-2048" "$DIGSIG" keygen --out "$W/rsa" --algo rsa-2048 --subject "CN=$CN,O=digsig tests"
check "keygen ecdsa-p384" "$DIGSIG" keygen --out "$W/ec" --algo ecdsa-p384 --subject "CN=$CN EC"

# ---- modules ------------------------------------------------------------------

modules=()
mkdir -p "$W/tiny"
cat >"$W/tiny/demo.c" <<'EOF'
static const char __modinfo[] __attribute__((section(".modinfo"), used)) = "license=GPL\0name=demo";
int demo_value(void) { return 42; }
EOF
# modinfo takes a path only when it ends in .ko.
if gcc -c -o "$W/tiny/demo.ko" "$W/tiny/demo.c" >>"$LOG" 2>&1; then
  pass "tiny module: gcc -c object with a .modinfo section"
  modules+=("$W/tiny/demo.ko")
else
  fail "tiny module: gcc -c object with a .modinfo section"
fi

# A real out-of-tree module, built with the installed headers (newest first;
# the ABI number comes from what is installed, never from this script).
KDIR=""
for c in $(ls -d /usr/src/linux-headers-*-amd64 /lib/modules/*/build 2>/dev/null | sort -rV); do
  if [[ -f $c/Makefile ]]; then
    KDIR=$c
    break
  fi
done
if [[ -z $KDIR ]]; then
  echo "NOTE: no kernel headers installed (Debian package linux-headers-amd64): kbuild module not tested"
else
  mkdir -p "$W/kbuild"
  cat >"$W/kbuild/hello.c" <<'EOF'
#include <linux/init.h>
#include <linux/module.h>
static int __init hello_init(void) { pr_info("hello from digsig tests\n"); return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("digsig interop test module");
EOF
  echo 'obj-m := hello.o' >"$W/kbuild/Kbuild"
  if make -C "$KDIR" M="$W/kbuild" modules >>"$LOG" 2>&1 && [[ -f "$W/kbuild/hello.ko" ]]; then
    pass "kbuild module: make -C $KDIR M=... modules"
    modules+=("$W/kbuild/hello.ko")
    check "kbuild module: modinfo reads it (description)" \
      modinfo_is "$W/kbuild/hello.ko" description "digsig interop test module"
  else
    fail "kbuild module: make -C $KDIR M=... modules"
  fi
fi

SERIAL_RSA=$(cert_serial_colon "$W/rsa/cert.pem")
SERIAL_EC=$(cert_serial_colon "$W/ec/cert.pem")

for m in "${modules[@]}"; do
  name=$(basename "$m" .ko)
  check "$name: unsigned module has no signer" bash -c "[[ -z \"\$(modinfo -F signer '$m')\" ]]"
  to_verify=()
  for hash in sha256 sha384 sha512; do
    t="$name/rsa-2048/$hash"
    out="$W/$name-rsa-$hash.ko"
    if ! "$DIGSIG" sign-module --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" --hash "$hash" \
      -o "$out" "$m" >>"$LOG" 2>&1; then
      fail "$t: digsig sign-module"
      continue
    fi
    pass "$t: digsig sign-module"
    check "$t: modinfo sig_id is PKCS#7" modinfo_is "$out" sig_id "PKCS#7"
    check "$t: modinfo signer is the certificate CN" modinfo_is "$out" signer "$CN"
    check "$t: modinfo sig_key is the certificate serial" modinfo_is "$out" sig_key "$SERIAL_RSA"
    check "$t: modinfo sig_hashalgo is $hash" modinfo_is "$out" sig_hashalgo "$hash"
    check "$t: signed module still carries its own modinfo (license)" modinfo_is "$out" license GPL
    check "$t: openssl cms -verify of the cut-out PKCS#7" openssl_verifies_module "$out" "$W/rsa/cert.pem"

    # The kernel's sign-file on the same module, key and hash.
    cp "$m" "$out.sign-file"
    if "$SIGN_FILE" "$hash" "$W/rsa/key.pem" "$W/rsa/cert.pem" "$out.sign-file" >>"$LOG" 2>&1; then
      pass "$t: kernel sign-file signs"
      check "$t: digsig output == sign-file output, byte for byte" cmp "$out" "$out.sign-file"
      to_verify+=("$out.sign-file")
    else
      fail "$t: kernel sign-file signs"
    fi

    # Re-signing replaces the signature instead of stacking a second one.
    cp "$out" "$out.resigned"
    "$DIGSIG" sign-module --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" --hash "$hash" \
      --in-place "$out.resigned" >>"$LOG" 2>&1 || true
    check "$t: re-signing in place gives the bytes of signing once" cmp "$out" "$out.resigned"
    to_verify+=("$out")
  done

  t="$name/rsa-2048"
  base="$W/$name-rsa-sha256.ko"
  # Replacing a signature made with another hash, and one made by sign-file.
  "$DIGSIG" sign-module --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" --hash sha256 \
    -o "$base.from512" "$W/$name-rsa-sha512.ko" >>"$LOG" 2>&1 || true
  check "$t: re-signing a sha512-signed module with sha256 == signing once" cmp "$base" "$base.from512"
  "$DIGSIG" sign-module --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" --hash sha256 \
    -o "$base.from-sign-file" "$W/$name-rsa-sha384.ko.sign-file" >>"$LOG" 2>&1 || true
  check "$t: re-signing a sign-file-signed module == signing once" cmp "$base" "$base.from-sign-file"

  # ECDSA: randomised signatures, so no byte comparison; modinfo and both
  # verifiers must still agree, for digsig's and for sign-file's output.
  t="$name/ecdsa-p384"
  out="$W/$name-ec.ko"
  if "$DIGSIG" sign-module --key "$W/ec/key.pem" --cert "$W/ec/cert.pem" --hash sha384 \
    -o "$out" "$m" >>"$LOG" 2>&1; then
    pass "$t: digsig sign-module"
    check "$t: modinfo signer" modinfo_is "$out" signer "$CN EC"
    check "$t: modinfo sig_key" modinfo_is "$out" sig_key "$SERIAL_EC"
    check "$t: modinfo sig_hashalgo" modinfo_is "$out" sig_hashalgo sha384
    check "$t: openssl cms -verify of the cut-out PKCS#7" openssl_verifies_module "$out" "$W/ec/cert.pem"
  else
    fail "$t: digsig sign-module"
  fi
  cp "$m" "$out.sign-file"
  check "$t: kernel sign-file signs" "$SIGN_FILE" sha384 "$W/ec/key.pem" "$W/ec/cert.pem" "$out.sign-file"

  # One digsig verify run per certificate (each digsig start costs ~0.2 s).
  "$DIGSIG" verify --cert "$W/rsa/cert.pem" "${to_verify[@]}" >"$W/verify-$name.out" 2>&1 || true
  for f in "${to_verify[@]}"; do
    check "$name: digsig verify ok: ${f##*/}" grep -qF "$f: ok (module signature" "$W/verify-$name.out"
  done
  check "$t: digsig verify ok for digsig and sign-file output" \
    "$DIGSIG" verify --cert "$W/ec/cert.pem" "$out" "$out.sign-file"

  # Tampering: one flipped byte in the signed content.
  bad="$W/$name-flipped.ko"
  cp "$W/$name-rsa-sha256.ko" "$bad"
  flip_byte "$bad" $(($(stat -c %s "$m") / 2))
  rc=0
  "$DIGSIG" verify --cert "$W/rsa/cert.pem" "$bad" >"$W/verify-bad.out" 2>&1 || rc=$?
  check "$name: one flipped content byte -> digsig verify exits 1" test "$rc" -eq 1
  check "$name: ... and reports it as altered" grep -qF "$bad: altered:" "$W/verify-bad.out"
  check_not "$name: ... and openssl cms -verify fails too" openssl_verifies_module "$bad" "$W/rsa/cert.pem"
  check "$name: wrong certificate -> digsig verify exits 1" exit_code_is 1 \
    "$DIGSIG" verify --cert "$W/ec/cert.pem" "$W/$name-rsa-sha256.ko"
done

# ---- what sign-module must refuse ----------------------------------------------

cp /bin/true "$W/true.ko"
check "sign-module refuses a non-relocatable ELF (exit 1)" exit_code_is 1 \
  "$DIGSIG" sign-module --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" -o "$W/true-signed.ko" "$W/true.ko"
echo 'int f(void) { return 1; }' >"$W/plain.c"
gcc -c -o "$W/plain.ko" "$W/plain.c" >>"$LOG" 2>&1
check "sign-module refuses an object without .modinfo (exit 1)" exit_code_is 1 \
  "$DIGSIG" sign-module --key "$W/rsa/key.pem" --cert "$W/rsa/cert.pem" -o "$W/plain-signed.ko" "$W/plain.ko"
check "refused inputs leave no output files" bash -c "[[ ! -e '$W/true-signed.ko' && ! -e '$W/plain-signed.ko' ]]"

finish
