#!/usr/bin/env bash
# Verifies ELF files signed by `digsig sign` WITHOUT digsig: only coreutils
# (stat, od, dd, head, tail, cmp), readelf and the openssl CLI. This pins the
# on-disk record format (signer/format/digsig_format.h) and proves that the
# embedded PKCS#7 is ordinary CMS that a third party can check.
# The steps are those of docs/format.md (sections 6 and 7); integers are
# decoded from one `od` dump per record instead of one `od` per field, to
# keep the test fast (every process start counts here).
set -euo pipefail

DIGSIG="${TEST_SRCDIR:?}/digsig/signer/tools/digsig"
[[ -x "$DIGSIG" ]] || { echo "digsig binary not found at $DIGSIG"; exit 1; }
W="${TEST_TMPDIR:?}/openssl_interop"
rm -rf "$W"
mkdir -p "$W/keys"
cd "$W"
LOG="$W/log"
: >"$LOG"
TARGET=/bin/true

# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"

# ---- stock-tool helpers ------------------------------------------------------

# be VAR ARRAY OFFSET LEN: big-endian unsigned integer from an array of hex
# bytes (as printed by `od -An -v -tx1`) into VAR.
be() {
  local -n _bytes=$2
  local i s=""
  for ((i = $3; i < $3 + $4; i++)); do s+=${_bytes[i]:-}; done
  [[ ${#s} -eq $(($4 * 2)) ]] || return 1
  printf -v "$1" '%d' $((16#$s))
}

# flip_byte FILE OFFSET: XOR the byte at OFFSET with 0xff, in place.
flip_byte() {
  local b
  b=$(od -An -tu1 -j "$2" -N 1 "$1")
  printf "\\x$(printf %02x $((b ^ 0xff)))" |
    dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

# cut_bytes FILE OFFSET COUNT OUT: bytes [OFFSET, OFFSET+COUNT) of FILE.
cut_bytes() { dd if="$1" of="$4" iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none; }

# Decoded record fields, by extract() prefix: V[$prefix.covered] etc.
declare -A V

# extract FILE PREFIX: cuts the digsig record apart into PREFIX.payload.bin
# (the signed message) and PREFIX.sig.der (the PKCS#7), and records the
# decoded fields in V[PREFIX.*]. Fails on any broken structural rule.
extract() {
  local f=$1 d=$2 size rec_len rec_off sig_fmt sig_len covered hash_id dlen hash i
  local -a T R
  V[$d.ok]=0
  size=$(stat -c %s "$f")
  ((size >= 136)) || { echo "$f: too small"; return 1; }
  # Trailer: the last 16 bytes, be32 record length + "~digsig-v1~\n".
  read -r -d '' -a T < <(od -An -v -tx1 -j $((size - 16)) "$f") || true
  [[ "${T[*]:4:12}" == "7e 64 69 67 73 69 67 2d 76 31 7e 0a" ]] || { echo "$f: no trailer"; return 1; }
  be rec_len T 0 4
  ((rec_len >= 136 && rec_len <= 65536 && rec_len <= size)) || { echo "bad rec_len $rec_len"; return 1; }
  rec_off=$((size - rec_len))
  read -r -d '' -a R < <(od -An -v -tx1 -j "$rec_off" "$f") || true
  # Payload: "DIGSIGP1", version 1.
  [[ "${R[*]:0:9}" == "44 49 47 53 49 47 50 31 01" ]] || { echo "bad payload magic/version"; return 1; }
  be sig_fmt R 112 1
  [[ $sig_fmt -eq 1 ]] || { echo "sig_format $sig_fmt, expected 1 (PKCS#7)"; return 1; }
  [[ "${R[*]:113:3}" == "00 00 00" ]] || { echo "reserved bytes not zero"; return 1; }
  be sig_len R 116 4
  ((sig_len > 0 && sig_len <= rec_len - 136)) || { echo "bad sig_len $sig_len"; return 1; }
  # Zero padding between the signature and the trailer.
  for ((i = 120 + sig_len; i < rec_len - 16; i++)); do
    [[ ${R[i]} == 00 ]] || { echo "non-zero padding at record offset $i"; return 1; }
  done
  be covered R 16 8
  [[ $covered -eq $rec_off ]] || { echo "covered_len $covered != record offset $rec_off"; return 1; }
  be hash_id R 9 1
  be dlen R 10 1
  case "$hash_id:$dlen" in
    4:32) hash=sha256 ;;
    5:48) hash=sha384 ;;
    6:64) hash=sha512 ;;
    *) echo "unknown hash id $hash_id / digest_len $dlen"; return 1 ;;
  esac
  cut_bytes "$f" "$rec_off" 112 "$d.payload.bin"
  cut_bytes "$f" $((rec_off + 120)) "$sig_len" "$d.sig.der"
  local hex=${R[*]:48:dlen}
  V[$d.rec_len]=$rec_len
  V[$d.rec_off]=$rec_off
  V[$d.sig_len]=$sig_len
  V[$d.covered]=$covered
  V[$d.hash]=$hash
  V[$d.digest_hex]=${hex// /}
  V[$d.ok]=1
}

# digest_matches FILE PREFIX: hash of bytes [0, covered_len) == payload digest.
digest_matches() {
  local out
  [[ ${V[$2.ok]:-0} == 1 ]] || return 1
  out=$(head -c "${V[$2.covered]}" "$1" | openssl dgst "-${V[$2.hash]}" -r) || return 1
  echo "computed ${out%% *}, payload ${V[$2.digest_hex]}"
  [[ ${out%% *} == "${V[$2.digest_hex]}" ]]
}

# cms_verify PREFIX CERT: the PKCS#7 signs the 112 payload bytes; the
# self-signed leaf (CA:FALSE, EKU codeSigning) is its own trust anchor.
cms_verify() {
  openssl cms -verify -binary -inform DER -in "$1.sig.der" -content "$1.payload.bin" \
    -certfile "$2" -CAfile "$2" -purpose any -out /dev/null
}

# cms_verify_noverify PREFIX CERT: signature check only, no certificate checks.
cms_verify_noverify() {
  openssl cms -verify -binary -inform DER -in "$1.sig.der" -content "$1.payload.bin" \
    -certfile "$2" -noverify -out /dev/null
}

hash_is() { [[ ${V[$1.hash]} == "$2" ]]; }

# pkcs7_print DIR: openssl's parse of the PKCS#7, kept for the checks below.
pkcs7_print() { openssl cms -cmsout -print -inform DER -in "$1.sig.der" >"$1.print.txt"; }

# pkcs7_shape DIR: detached SignedData, no certificates, no signed
# attributes, exactly one signer identified by issuer and serial number.
pkcs7_shape() {
  local p
  p=$(<"$1.print.txt")
  [[ $p == *"eContent: <ABSENT>"* && $p =~ certificates:[[:space:]]+\<ABSENT\> &&
    $p =~ signedAttrs:[[:space:]]+\<ABSENT\> && $p == *d.issuerAndSerialNumber:* &&
    $p != *d.issuerAndSerialNumber:*d.issuerAndSerialNumber:* ]]
}

# pkcs7_digest_is DIR HASH: the SignerInfo's digestAlgorithm.
pkcs7_digest_is() {
  local p
  p=$(<"$1.print.txt")
  [[ $p =~ digestAlgorithm:[[:space:]]+algorithm:\ ([a-z0-9]+) && ${BASH_REMATCH[1]} == "$2" ]]
}

# readelf_sees_digsig FILE DIR: the record is the content of the last
# section, .digsig.
readelf_sees_digsig() {
  local line last="" name off size
  while IFS= read -r line; do
    [[ $line =~ ^\ *\[\ *[0-9]+\]\ (.*)$ ]] && last=${BASH_REMATCH[1]}
  done < <(readelf -SW "$1")
  read -r name _ _ off size _ <<<"$last"
  echo "last section: $last"
  [[ $name == .digsig && $((16#$off)) -eq ${V[$2.rec_off]} &&
    $((16#$size)) -eq ${V[$2.rec_len]} ]]
}

# inspect_agrees FILE DIR: digsig's own view of the digest is the same bytes.
inspect_agrees() {
  local j
  j=$("$DIGSIG" inspect --json "$1") || return 1
  [[ $j == *"\"payload_digest\":\"${V[$2.digest_hex]}\""* ]]
}

# verify_said OUTFILE FILE STATUS: `digsig verify` reported STATUS ("ok" or
# an error code such as "altered") for FILE.
verify_said() {
  local out
  out=$(<"$1")
  if [[ $3 == ok ]]; then
    [[ $out == *"$2: ok ("* ]]
  else
    [[ $out == *"digsig: $2: $3: "* ]]
  fi
}

sign() { "$DIGSIG" sign --key "$1/key.pem" --cert "$1/cert.pem" --hash "$2" -o "$3" "$TARGET"; }

# ---- tests --------------------------------------------------------------------

check "$TARGET is an executable ELF file" bash -c "[[ -x '$TARGET' && \"\$(head -c 4 '$TARGET')\" == \$'\\x7fELF' ]]"

other="$W/keys/other-rsa"
check "keygen of an unrelated rsa-2048 key" "$DIGSIG" keygen --out "$other" --algo rsa-2048

for algo in rsa-2048 rsa-3072 rsa-4096 ecdsa-p256 ecdsa-p384 ed25519; do
  k="$W/keys/$algo"
  rc=0
  "$DIGSIG" keygen --out "$k" --algo "$algo" >"$W/keygen-$algo.out" 2>&1 || rc=$?
  cat "$W/keygen-$algo.out" >>"$LOG"
  if [[ $algo != ed25519 ]]; then
    if [[ $rc -ne 0 ]]; then
      fail "$algo: digsig keygen"
      continue
    fi
    pass "$algo: digsig keygen"
  else
    # Ed25519: OpenSSL 3.0's CMS cannot produce an Ed25519 SignerInfo and the
    # 6.1 kernel cannot verify Ed25519, so digsig refuses such keys up front:
    # keygen refuses the algorithm, sign refuses a key made elsewhere.
    check "$algo: keygen refuses with exit 2 and one line" \
      test "$rc" -eq 2 -a "$(wc -l <"$W/keygen-$algo.out")" -eq 1
    mkdir -p "$k"
    openssl req -x509 -newkey ed25519 -nodes -keyout "$k/key.pem" -out "$k/cert.pem" \
      -subj "/CN=ed25519 interop" -days 2 >>"$LOG" 2>&1
    chmod 600 "$k/key.pem"
    rc=0
    sign "$k" sha256 "$W/probe-ed25519" >"$W/ed25519.out" 2>&1 || rc=$?
    check "$algo: sign refuses the key type with exit 2" \
      bash -c "[[ $rc -eq 2 ]] && grep -q 'unsupported key type ed25519' '$W/ed25519.out'"
    check "$algo: refused signing leaves no output file" test ! -e "$W/probe-ed25519"
    continue
  fi

  files=()
  for hash in sha256 sha384 sha512; do
    t="$algo/$hash"
    out="$W/signed-$algo-$hash"
    d="$W/x-$algo-$hash"
    if ! sign "$k" "$hash" "$out" >>"$LOG" 2>&1; then
      fail "$t: digsig sign"
      continue
    fi
    pass "$t: digsig sign"
    check "$t: signed copy still runs" "$out"
    if ! extract "$out" "$d" >>"$LOG" 2>&1; then
      fail "$t: record parses with stock tools (trailer, payload, PKCS#7, padding)"
      continue
    fi
    pass "$t: record parses with stock tools (trailer, payload, PKCS#7, padding)"
    check "$t: payload hash id is $hash" hash_is "$d" "$hash"
    pkcs7_print "$d" >>"$LOG" 2>&1 || true
    check "$t: PKCS#7 digestAlgorithm is $hash" pkcs7_digest_is "$d" "$hash"
    check "$t: PKCS#7 detached, one signer, no certificates, no signed attributes" pkcs7_shape "$d"
    check "$t: readelf: last section .digsig is exactly the record" readelf_sees_digsig "$out" "$d"
    check "$t: openssl dgst of [0,covered_len) == payload digest" digest_matches "$out" "$d"
    check "$t: openssl cms -verify (-CAfile cert -purpose any)" cms_verify "$d" "$k/cert.pem"
    check "$t: openssl cms -verify (-noverify)" cms_verify_noverify "$d" "$k/cert.pem"
    if [[ $hash == sha256 ]]; then
      check_not "$t: openssl cms -verify with another key's cert fails" cms_verify "$d" "$other/cert.pem"
    fi
    if [[ $hash == sha384 ]]; then
      check "$t: digsig inspect reports the same digest" inspect_agrees "$out" "$d"
    fi

    # Negative 1: one flipped byte in the covered content.
    cp "$out" "$out.content-flip"
    flip_byte "$out.content-flip" $((${V[$d.covered]} / 2))
    extract "$out.content-flip" "$d.cf" >>"$LOG" 2>&1 || true
    check_not "$t: content byte flipped -> digest comparison fails" digest_matches "$out.content-flip" "$d.cf"

    # Negative 2: one flipped payload byte (the last byte of orig_len: the
    # layout and the digest stay intact, so only the signature can notice).
    cp "$out" "$out.payload-flip"
    flip_byte "$out.payload-flip" $((${V[$d.rec_off]} + 31))
    extract "$out.payload-flip" "$d.pf" >>"$LOG" 2>&1 || true
    check "$t: payload byte flipped -> digest comparison still passes" digest_matches "$out.payload-flip" "$d.pf"
    check_not "$t: payload byte flipped -> openssl cms -verify fails" cms_verify "$d.pf" "$k/cert.pem"

    # Negative 3: a flipped digest byte inside the payload.
    cp "$out" "$out.digest-flip"
    flip_byte "$out.digest-flip" $((${V[$d.rec_off]} + 50))
    extract "$out.digest-flip" "$d.df" >>"$LOG" 2>&1 || true
    check_not "$t: payload digest flipped -> digest comparison fails" digest_matches "$out.digest-flip" "$d.df"
    check_not "$t: payload digest flipped -> openssl cms -verify fails" cms_verify "$d.df" "$k/cert.pem"

    files+=("$out" "$out.content-flip" "$out.payload-flip" "$out.digest-flip")

    # RSA PKCS#1 v1.5 signatures are deterministic and the PKCS#7 carries no
    # signing time: signing again gives the same bytes. One hash per key
    # size (each digsig run costs ~0.2 s), every hash across the three.
    case $algo/$hash in
      rsa-2048/sha256 | rsa-3072/sha384 | rsa-4096/sha512 | ed25519/*)
        sign "$k" "$hash" "$out.again" >>"$LOG" 2>&1 || true
        check "$t: signing twice gives identical bytes" cmp "$out" "$out.again"
        ;;
    esac
  done

  # digsig itself must agree with openssl on every file (one run per key:
  # each digsig start costs ~0.2 s, libLLVM's relocations).
  if [[ ${#files[@]} -gt 0 ]]; then
    "$DIGSIG" verify --cert "$k/cert.pem" "${files[@]}" >"$W/verify-$algo.out" 2>&1 || true
    for f in "${files[@]}"; do
      case $f in
        *.content-flip | *.digest-flip) want=altered ;;
        *.payload-flip) want=altered ;;
        *) want=ok ;;
      esac
      check "$algo: digsig verify says $want for ${f##*/}" verify_said "$W/verify-$algo.out" "$f" "$want"
    done
  fi

  if [[ $algo == ecdsa-* ]]; then
    # ECDSA signatures vary in DER length; every one must fit its slot.
    mkdir -p "$W/many-$algo/in" "$W/many-$algo/out"
    for i in 1 2 3 4; do cp "$TARGET" "$W/many-$algo/in/true$i"; done
    if "$DIGSIG" sign --key "$k/key.pem" --cert "$k/cert.pem" --out-dir "$W/many-$algo/out" \
      "$W/many-$algo/in/"* >>"$LOG" 2>&1; then
      pass "$algo: signed 4 copies in one run"
    else
      fail "$algo: signed 4 copies in one run"
    fi
    for i in 1 2 3 4; do
      f="$W/many-$algo/out/true$i"
      extract "$f" "$W/many-$algo/x$i" >>"$LOG" 2>&1 || true
      check "$algo: copy $i (sig_len ${V[$W/many-$algo/x$i.sig_len]:-?}) verifies with openssl" \
        cms_verify "$W/many-$algo/x$i" "$k/cert.pem"
    done
  fi
done

finish
