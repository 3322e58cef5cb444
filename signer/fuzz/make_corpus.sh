#!/usr/bin/env bash
# Regenerates the seed corpora of the fuzz targets in signer/fuzz/corpus/ and
# signer/fuzz/fuzz_cert.inc (the certificate the targets verify against).
#
#   signer/fuzz/make_corpus.sh            # builds //:digsig with Bazel first
#   DIGSIG=/path/to/digsig signer/fuzz/make_corpus.sh
#
# Needs python3 and the Debian cross compilers x86_64-, i686-, aarch64-,
# powerpc-, mips-, s390x- and riscv64-linux-gnu-gcc.
#
# Keys: two development key pairs (rsa-2048, ecdsa-p256) live in
# $DIGSIG_FUZZ_KEYS (default: bazel-fuzz-out/corpus-keys, ignored by git) and
# are reused when present, so a second run on the same machine reproduces the
# corpus byte for byte except the ECDSA signatures, which are randomised.
# With fresh keys every signed seed changes, and so does fuzz_cert.inc; commit
# the corpus and fuzz_cert.inc together. No private key is ever committed.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FUZZ=$REPO/signer/fuzz
CORPUS=$FUZZ/corpus
KEYS=${DIGSIG_FUZZ_KEYS:-$REPO/bazel-fuzz-out/corpus-keys}
# The system interpreter starts in a tenth of the time a version-manager shim takes.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

if [[ -z "${DIGSIG:-}" ]]; then
  (cd "$REPO" && bazel build //:digsig >&2)
  DIGSIG=$REPO/bazel-bin/signer/tools/digsig
fi
DIGSIG=$(realpath "$DIGSIG")
[[ -x "$DIGSIG" ]] || { echo "make_corpus: $DIGSIG is not executable" >&2; exit 1; }

# --- keys and signing -----------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/digsig-corpus.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# run CMD...: runs a digsig command quietly, showing its output only on failure.
run() {
  local out
  out=$("$@" 2>&1) || { printf 'make_corpus: %s failed:\n%s\n' "$*" "$out" >&2; exit 1; }
}
mkdir -p "$KEYS"
for algo in rsa-2048 ecdsa-p256; do
  if [[ ! -f "$KEYS/$algo/key.pem" ]]; then
    run "$DIGSIG" keygen --out "$KEYS/$algo" --algo "$algo" \
      --subject "CN=digsig fuzz corpus $algo" --days 36500
  fi
done
sign() {  # sign ALGO HASH IN OUT
  run "$DIGSIG" sign --key "$KEYS/$1/key.pem" --cert "$KEYS/$1/cert.pem" --hash "$2" -o "$4" "$3"
}
sign_module() {  # sign_module ALGO HASH IN OUT
  run "$DIGSIG" sign-module --key "$KEYS/$1/key.pem" --cert "$KEYS/$1/cert.pem" --hash "$2" -o "$4" "$3"
}

# --- byte surgery -------------------------------------------------------------
# tool CMD ARGS...: small ELF / record / PKCS#7 manipulations (see the table).
tool() {
  "$PYTHON" - "$@" <<'PY'
import struct, sys

cmd, args = sys.argv[1], sys.argv[2:]
rd = lambda p: open(p, "rb").read()
def wr(p, b):
    with open(p, "wb") as f:
        f.write(b)

class Elf:
    def __init__(self, b):
        self.b = bytearray(b)
        self.is64 = b[4] == 2
        self.e = ">" if b[5] == 2 else "<"
        if self.is64:
            self.shoff_at, self.shoff_fmt, self.shentsize_at = 40, "Q", 58
            self.sh_size_at, self.sh_link_at = 32, 40
        else:
            self.shoff_at, self.shoff_fmt, self.shentsize_at = 32, "I", 46
            self.sh_size_at, self.sh_link_at = 20, 24
    def get(self, fmt, at):
        return struct.unpack_from(self.e + fmt, self.b, at)[0]
    def put(self, fmt, at, v):
        struct.pack_into(self.e + fmt, self.b, at, v)
    shoff = property(lambda s: s.get(s.shoff_fmt, s.shoff_at))
    shnum = property(lambda s: s.get("H", s.shentsize_at + 2))
    shstrndx = property(lambda s: s.get("H", s.shentsize_at + 4))
    def set_sht(self, shoff, shnum, shstrndx):
        self.put(self.shoff_fmt, self.shoff_at, shoff)
        self.put("H", self.shentsize_at + 2, shnum)
        self.put("H", self.shentsize_at + 4, shstrndx)

def record(b):
    n = struct.unpack_from(">I", b, len(b) - 16)[0]
    assert b[-12:] == b"~digsig-v1~\n", "not signed"
    return b[len(b) - n:]

def record_sig(rec):
    n = struct.unpack_from(">I", rec, 116)[0]
    return rec[120:120 + n]

def module_sig(b):
    assert b.endswith(b"~Module signature appended~\n"), "not module-signed"
    info = b[-40:-28]
    n = struct.unpack_from(">I", info, 8)[0]
    end = len(b) - 40
    return b[end - n:end], b[:end - n]

def with_content(der, content):
    # pkcs7_fuzzer's split form: DER | content | be32(len(content)) | "DGFZ"
    return der + content + struct.pack(">I", len(content)) + b"DGFZ"

def der_parse(b, off=0, end=None):
    """DER bytes -> list of [tag, children-or-bytes] (definite lengths only)."""
    end = len(b) if end is None else end
    out = []
    while off < end:
        tag = b[off]; n = b[off + 1]; off += 2
        if n & 0x80:
            k = n & 0x7F; n = int.from_bytes(b[off:off + k], "big"); off += k
        body = b[off:off + n]
        out.append([tag, der_parse(b, off, off + n) if tag & 0x20 else bytes(body)])
        off += n
    return out

def der_encode(nodes):
    out = b""
    for tag, body in nodes:
        body = der_encode(body) if isinstance(body, list) else body
        n = len(body)
        ln = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
        out += bytes([tag]) + ln + body
    return out

if cmd == "no-sht":            # IN OUT: drop the section header table
    e = Elf(rd(args[0])); e.set_sht(0, 0, 0); wr(args[1], e.b)
elif cmd == "extended":        # IN OUT: move e_shnum/e_shstrndx into section 0
    e = Elf(rd(args[0])); sh0 = e.shoff
    e.put(e.shoff_fmt, sh0 + e.sh_size_at, e.shnum)
    e.put("I", sh0 + e.sh_link_at, e.shstrndx)
    e.set_sht(sh0, 0, 0xFFFF); wr(args[1], e.b)
elif cmd == "record":          # SIGNED OUT: the record (last record_len bytes)
    wr(args[1], record(rd(args[0])))
elif cmd == "payload":         # SIGNED OUT: the 112-byte signed payload
    wr(args[1], record(rd(args[0]))[:112])
elif cmd == "sig":             # SIGNED OUT: the PKCS#7 DER of the record
    wr(args[1], record_sig(record(rd(args[0]))))
elif cmd == "sig+content":     # SIGNED OUT: DER + payload in the split form
    rec = record(rd(args[0])); wr(args[1], with_content(record_sig(rec), rec[:112]))
elif cmd == "modsig":          # MODULE OUT: the module signature's DER
    wr(args[1], module_sig(rd(args[0]))[0])
elif cmd == "modsig+content":  # MODULE OUT: DER + module content, split form
    der, content = module_sig(rd(args[0])); wr(args[1], with_content(der, content))
elif cmd == "patch":           # IN OUT OFFSET HEXBYTES: overwrite (OFFSET<0: from end)
    b = bytearray(rd(args[0])); off = int(args[2], 0); v = bytes.fromhex(args[3])
    if off < 0: off += len(b)
    b[off:off + len(v)] = v; wr(args[1], b)
elif cmd == "xor":             # IN OUT OFFSET MASK: flip bits of one byte
    b = bytearray(rd(args[0])); off = int(args[2], 0)
    if off < 0: off += len(b)
    b[off] ^= int(args[3], 0); wr(args[1], b)
elif cmd == "append":          # IN OUT HEXBYTES
    wr(args[1], rd(args[0]) + bytes.fromhex(args[2]))
elif cmd == "empty-digest-set":  # DER OUT: SignedData with an empty digestAlgorithms SET
    t = der_parse(rd(args[0]))
    signed_data = t[0][1][1][1][0][1]  # ContentInfo > [0] > SignedData > fields
    assert signed_data[1][0] == 0x31, "second SignedData field is not a SET"
    signed_data[1][1] = []
    wr(args[1], der_encode(t))
elif cmd == "set-sig":           # SIGNED DER OUT: put another signature into the record
    b = bytearray(rd(args[0])); der = rd(args[1])
    rec_len = struct.unpack_from(">I", b, len(b) - 16)[0]
    rec = len(b) - rec_len
    slot = rec_len - 136
    assert len(der) <= slot, "signature does not fit the record"
    struct.pack_into(">I", b, rec + 116, len(der))
    b[rec + 120:rec + 120 + slot] = der + bytes(slot - len(der))
    wr(args[2], b)
elif cmd == "cert-inc":        # PEM OUT: the C++ raw string fuzz_cert.inc
    pem = rd(args[0]).decode().strip()
    wr(args[1], ("// Generated by signer/fuzz/make_corpus.sh: the certificate of the\n"
                 "// rsa-2048 key that signed the seed corpus. Public data only.\n"
                 'R"PEM(' + pem + '\n)PEM"\n').encode())
else:
    sys.exit("tool: unknown command " + cmd)
PY
}

# --- tiny ELF files -------------------------------------------------------------
cd "$WORK"
cat > prog.c <<'EOF'
int counter;
void _start(void) { for (;;) counter++; }
EOF
cat > mod.c <<'EOF'
static const char modinfo[] __attribute__((used, section(".modinfo"))) =
    "license=GPL\0description=digsig fuzz seed";
int init_module(void) { return 0; }
void cleanup_module(void) {}
EOF
CFLAGS=(-Os -fno-asynchronous-unwind-tables -fno-ident -fno-pic)
LDFLAGS=(-nostdlib -static -Wl,-e,_start -Wl,--build-id=none -Wl,-N -Wl,--no-warn-rwx-segments -s)
for arch in x86_64 i686 aarch64 powerpc mips s390x riscv64; do
  extra=()
  [[ $arch == mips ]] && extra=(-mno-abicalls)
  "$arch-linux-gnu-gcc" "${CFLAGS[@]}" "${extra[@]}" "${LDFLAGS[@]}" -o "exec-$arch" prog.c
  "$arch-linux-gnu-gcc" "${CFLAGS[@]}" "${extra[@]}" -c -o "rel-$arch.o" prog.c
done
x86_64-linux-gnu-gcc "${CFLAGS[@]}" -c -o mod-x86_64.o mod.c
powerpc-linux-gnu-gcc "${CFLAGS[@]}" -c -o mod-powerpc.o mod.c
s390x-linux-gnu-gcc "${CFLAGS[@]}" -c -o mod-s390x.o mod.c

tool no-sht exec-x86_64 nosht-x86_64
tool no-sht exec-powerpc nosht-powerpc
tool extended rel-x86_64.o extnum-x86_64.o
tool extended rel-mips.o extnum-mips.o

# Signed variants: every class and byte order, every hash, every key type.
for arch in x86_64 i686 powerpc mips riscv64; do
  sign rsa-2048 sha256 "exec-$arch" "exec-$arch.signed"
done
sign rsa-2048 sha384 exec-aarch64 exec-aarch64.sha384.signed
sign rsa-2048 sha512 exec-s390x exec-s390x.sha512.signed
sign ecdsa-p256 sha256 exec-x86_64 exec-x86_64.ecdsa.signed
sign ecdsa-p256 sha384 exec-powerpc exec-powerpc.ecdsa.signed
sign rsa-2048 sha256 rel-x86_64.o rel-x86_64.o.signed
sign rsa-2048 sha256 nosht-x86_64 nosht-x86_64.signed
sign rsa-2048 sha256 nosht-powerpc nosht-powerpc.signed
sign rsa-2048 sha256 extnum-x86_64.o extnum-x86_64.o.signed
sign_module rsa-2048 sha256 mod-x86_64.o mod-x86_64.ko
sign_module rsa-2048 sha512 mod-powerpc.o mod-powerpc.ko
sign_module ecdsa-p256 sha256 mod-s390x.o mod-s390x.ko

# --- elf_reader_fuzzer ----------------------------------------------------------
E=$WORK/elf_reader_fuzzer
mkdir -p "$E"
cp exec-* rel-x86_64.o rel-x86_64.o.signed mod-x86_64.o mod-*.ko nosht-* extnum-* "$E/"
S=exec-x86_64.signed
size=$(stat -c %s $S)
rec=$((size - $(tool record $S /dev/stdout | wc -c)))  # record offset
head -c $((size - 1)) $S > "$E/trunc-last-byte.signed"
head -c $((size / 2)) $S > "$E/trunc-half.signed"
head -c 64 $S > "$E/trunc-ehdr-only"
tool xor $S "$E/altered-body.signed" 0x80 0x01            # digest mismatch
tool xor $S "$E/altered-digest.signed" $((rec + 60)) 0x01  # payload digest, so the signature
tool xor $S "$E/altered-sig.signed" $((rec + 200)) 0x01    # inside the PKCS#7
tool patch $S "$E/trailer-len-huge.signed" -16 00ffffff
tool patch $S "$E/trailer-len-small.signed" -16 00000010
tool patch mod-x86_64.ko "$E/modsig-len-huge.ko" -32 7fffffff
tool patch mod-x86_64.ko "$E/modsig-not-pkcs7.ko" -38 01
# Regression: an empty digestAlgorithms SET made Pkcs7VerifyDetached read
# through a null pointer (fixed in signer/lib/pkcs7.cc CheckCanonical).
tool sig $S empty-set.in
tool empty-digest-set empty-set.in empty-set.der
tool set-sig $S empty-set.der "$E/regress-empty-digest-set.signed"

# --- signature_record_fuzzer -------------------------------------------------------
R=$WORK/signature_record_fuzzer
mkdir -p "$R"
tool record exec-x86_64.signed "$R/rsa-sha256"
tool record exec-aarch64.sha384.signed "$R/rsa-sha384"
tool record exec-s390x.sha512.signed "$R/rsa-sha512"
tool record exec-x86_64.ecdsa.signed "$R/ecdsa-sha256"
tool record exec-powerpc.ecdsa.signed "$R/ecdsa-sha384"
tool record nosht-powerpc.signed "$R/nosht-powerpc"
tool payload exec-x86_64.signed "$R/payload-only"
r=$R/rsa-sha256
rl=$(stat -c %s "$r")
tool patch "$r" "$R/bad-magic" 0 58
tool patch "$r" "$R/version-2" 8 02
tool patch "$r" "$R/hash-unknown" 9 07
tool patch "$r" "$R/hash-len-mismatch" 10 30
tool patch "$r" "$R/reserved-11" 11 01
tool patch "$r" "$R/flags-set" 12 00000001
tool patch "$r" "$R/orig-len-gt-covered" 24 ffffffffffffffff
tool patch "$r" "$R/reserved-46" 46 0001
tool patch "$r" "$R/digest-tail-nonzero" 111 01
tool patch "$r" "$R/sig-format-2" 112 02
tool patch "$r" "$R/sig-format-pad" 113 01
tool patch "$r" "$R/sig-len-zero" 116 00000000
tool patch "$r" "$R/sig-len-max" 116 "$(printf %08x $((rl - 136)))"
tool patch "$r" "$R/sig-len-over" 116 "$(printf %08x $((rl - 135)))"
tool patch "$r" "$R/pad-nonzero" -17 01
tool patch "$r" "$R/trailer-len-mismatch" -16 "$(printf %08x $((rl - 1)))"
tool patch "$r" "$R/trailer-bad-magic" -1 00
tail -c 16 "$r" > "$R/trailer-only"
head -c 136 "$r" > "$R/trunc-136"
tool patch "$r" "$R/covered-zero" 16 0000000000000000

# --- pkcs7_fuzzer ------------------------------------------------------------------
P=$WORK/pkcs7_fuzzer
mkdir -p "$P"
tool sig exec-x86_64.signed "$P/rsa-sha256.der"
tool sig exec-aarch64.sha384.signed "$P/rsa-sha384.der"
tool sig exec-s390x.sha512.signed "$P/rsa-sha512.der"
tool sig exec-x86_64.ecdsa.signed "$P/ecdsa-sha256.der"
tool sig exec-powerpc.ecdsa.signed "$P/ecdsa-sha384.der"
tool modsig mod-x86_64.ko "$P/module-rsa-sha256.der"
tool sig+content exec-x86_64.signed "$P/rsa-sha256.split"
tool sig+content exec-aarch64.sha384.signed "$P/rsa-sha384.split"
tool sig+content exec-s390x.sha512.signed "$P/rsa-sha512.split"
tool sig+content exec-x86_64.ecdsa.signed "$P/ecdsa-sha256.split"
tool sig+content exec-powerpc.ecdsa.signed "$P/ecdsa-sha384.split"
tool modsig+content mod-x86_64.ko "$P/module-rsa-sha256.split"
tool modsig+content mod-powerpc.ko "$P/module-rsa-sha512.split"
tool xor "$P/rsa-sha256.split" "$P/rsa-sha256-altered.split" -20 0x01
tool xor "$P/rsa-sha256.der" "$P/rsa-sha256-badsig.der" -3 0x01
d=$P/rsa-sha256.der
head -c $(($(stat -c %s "$d") - 1)) "$d" > "$P/trunc-last-byte.der"
head -c 64 "$d" > "$P/trunc-64.der"
tool append "$d" "$P/trailing-byte.der" 00
cp "$KEYS/rsa-2048/cert.der" "$P/not-cms-cert.der"
cp empty-set.der "$P/regress-empty-digest-set.der"
tool sig+content "$E/regress-empty-digest-set.signed" "$P/regress-empty-digest-set.split"

# --- tar_archive_fuzzer ---------------------------------------------------------------
# Small archives in every dialect and compression, with the awkward entry
# kinds, one signed by the corpus key (so verify-tar gets to the manifest)
# and hostile variants. Times and owners are fixed: reruns give the same bytes.
T=$WORK/tar_archive_fuzzer
mkdir -p "$T"
rootfs=$WORK/tar-root
mkdir -p "$rootfs/bin" "$rootfs/lib/modules" "$rootfs/etc"
cp exec-x86_64 "$rootfs/bin/prog"
cp mod-x86_64.o "$rootfs/lib/modules/demo.ko"
printf 'hello\n' > "$rootfs/etc/motd"
ln -s prog "$rootfs/bin/link"
ln "$rootfs/bin/prog" "$rootfs/bin/hard"
printf '#!/bin/sh\n' > "$rootfs/bin/script"
printf 'x' > "$rootfs/etc/$(printf 'name-\xff')"
mkdir -p "$rootfs/$(printf 'd%.0s' {1..120})" && printf 'deep\n' > "$rootfs/$(printf 'd%.0s' {1..120})/f"
truncate -s 70000 "$rootfs/etc/sparse" && printf 'end' >> "$rootfs/etc/sparse"
setfattr -n user.fuzz -v 1 "$rootfs/etc/motd" 2>/dev/null || true
find "$rootfs" -exec touch -h -d @1700000000 {} +
tarc() {  # tarc OUT ARGS...: GNU tar with fixed owners and order
  local out=$1; shift
  tar --sort=name --owner=0 --group=0 --numeric-owner -C "$rootfs" "$@" -cf "$out" .
}
tarc "$T/ustar.tar" --format=ustar --exclude='./d*' --exclude="./etc/name-*"
tarc "$T/gnu-sparse-long.tar" --format=gnu -S
tarc "$T/pax-xattrs.tar" --format=pax --xattrs
gzip -9n < "$T/ustar.tar" > "$T/ustar.tar.gz"
xz -9 < "$T/ustar.tar" > "$T/ustar.tar.xz"
zstd -q -19 < "$T/ustar.tar" > "$T/ustar.tar.zst"
bzip2 -9 < "$T/ustar.tar" > "$T/ustar.tar.bz2"
run "$DIGSIG" sign-tar --key "$KEYS/rsa-2048/key.pem" --cert "$KEYS/rsa-2048/cert.pem" --ima \
  "$T/pax-xattrs.tar" -o "$T/signed-ima.tar"
run "$DIGSIG" sign-tar --key "$KEYS/rsa-2048/key.pem" --cert "$KEYS/rsa-2048/cert.pem" \
  "$T/ustar.tar" -o "$T/signed-ustar.tar"
"$PYTHON" - "$T" <<'PY'
import io, sys, tarfile
out = sys.argv[1]
def entry(name, data=b"", kind=tarfile.REGTYPE, **kw):
    info = tarfile.TarInfo(name)
    info.type, info.size, info.mtime = kind, len(data), 1700000000
    for k, v in kw.items():
        setattr(info, k, v)
    return info, data
def write(name, entries, fmt=tarfile.USTAR_FORMAT):
    with tarfile.open(f"{out}/{name}", "w", format=fmt) as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data) if info.isreg() else None)
elf = open("exec-x86_64", "rb").read()
write("hostile-paths.tar", [entry("../escape", b"a"), entry("/abs/path", b"b"),
                            entry("./dup", elf), entry("./dup", b"again")])
write("elf-magic-text.tar", [entry("notes.txt", b"\x7fELF but not really")])
write("devices.tar", [entry("dev/null", kind=tarfile.CHRTYPE, devmajor=1, devminor=3),
                      entry("dev/sda", kind=tarfile.BLKTYPE, devmajor=8, devminor=0),
                      entry("run/fifo", kind=tarfile.FIFOTYPE),
                      entry("bin/prog", elf), entry("bin/again", kind=tarfile.LNKTYPE,
                                                    linkname="bin/prog")])
write("pax-binary-name.tar", [entry("bin/\udcff\udcfe", elf)], tarfile.PAX_FORMAT)
signed = bytearray(open(f"{out}/signed-ustar.tar", "rb").read())
signed[len(signed) // 3] ^= 1
open(f"{out}/signed-flipped.tar", "wb").write(signed)
PY
head -c 1500 "$T/ustar.tar" > "$T/truncated.tar"
head -c 100 "$T/ustar.tar.gz" > "$T/truncated.tar.gz"

# --- install ----------------------------------------------------------------------
for t in elf_reader_fuzzer signature_record_fuzzer pkcs7_fuzzer tar_archive_fuzzer; do
  # Regression inputs added by hand (crash-*) stay; everything else is ours.
  mkdir -p "$CORPUS/$t"
  find "$CORPUS/$t" -type f ! -name 'crash-*' -delete
  cp "$WORK/$t"/* "$CORPUS/$t/"
  chmod 0644 "$CORPUS/$t"/*
  printf '%s: %d files, %d bytes\n' "$t" "$(ls "$CORPUS/$t" | wc -l)" \
    "$(cat "$CORPUS/$t"/* | wc -c)"
done
tool cert-inc "$KEYS/rsa-2048/cert.pem" "$FUZZ/fuzz_cert.inc"
echo "wrote $FUZZ/fuzz_cert.inc"
