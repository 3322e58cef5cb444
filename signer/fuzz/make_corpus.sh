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

def ehdr_fields(b):
    """Byte order and {field: (offset, struct format)} of an ELF header."""
    is64 = b[4] == 2
    f = {"phoff": (32, "Q") if is64 else (28, "I"),
         "phentsize": (54 if is64 else 42, "H"), "phnum": (56 if is64 else 44, "H"),
         "shoff": (40, "Q") if is64 else (32, "I"), "shentsize": (58 if is64 else 46, "H"),
         "shnum": (60 if is64 else 48, "H"), "shstrndx": (62 if is64 else 50, "H")}
    return (">" if b[5] == 2 else "<"), f

def shdr(b, index):
    """Byte order, offset and fields of section header INDEX: a number,
    "last" or "names" (extended numbering resolved), and the table:
    (shoff, entry size, count, name table index)."""
    e, f = ehdr_fields(b)
    is64 = b[4] == 2
    get = lambda k: struct.unpack_from(e + f[k][1], b, f[k][0])[0]
    fields = {"name": (0, "I"), "type": (4, "I"), "offset": (24, "Q") if is64 else (16, "I"),
              "size": (32, "Q") if is64 else (20, "I"), "link": (40 if is64 else 24, "I")}
    shoff, size = get("shoff"), 64 if is64 else 40
    sh0 = lambda k: struct.unpack_from(e + fields[k][1], b, shoff + fields[k][0])[0]
    count = get("shnum") or sh0("size")
    names = sh0("link") if get("shstrndx") == 0xFFFF else get("shstrndx")
    i = {"last": count - 1, "names": names}.get(index)
    i = int(index) if i is None else i
    return e, shoff + i * size, fields, (shoff, size, count, names)

def phdr(b, index):
    """Byte order, offset and fields of program header INDEX: a number,
    "last", or "interp" (the first PT_INTERP)."""
    e, f = ehdr_fields(b)
    is64 = b[4] == 2
    phoff = struct.unpack_from(e + f["phoff"][1], b, f["phoff"][0])[0]
    n = struct.unpack_from(e + "H", b, f["phnum"][0])[0]
    size = 56 if is64 else 32
    fields = {"type": (0, "I"), "offset": (8, "Q") if is64 else (4, "I"),
              "filesz": (32, "Q") if is64 else (16, "I")}
    if index == "interp":
        at = [phoff + i * size for i in range(n)
              if struct.unpack_from(e + "I", b, phoff + i * size)[0] == 3][0]
    else:
        i = n - 1 if index == "last" else int(index)
        at = phoff + i * size
    return e, at, fields

def rl_split(b):
    """A signed revocation list -> (body, signature + trailer)."""
    assert b[-12:] == b"~digsig-rl1\n", "not a revocation list"
    n = struct.unpack_from(">I", b, len(b) - 16)[0]
    return b[:len(b) - 16 - n], b[len(b) - 16 - n:]

def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")

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
elif cmd == "sh-set":          # IN OUT INDEX FIELD VALUE: section header name, type, offset, size, link
    b = bytearray(rd(args[0])); e, at, fields, _ = shdr(b, args[2])
    off, fmt = fields[args[3]]; struct.pack_into(e + fmt, b, at + off, int(args[4], 0)); wr(args[1], b)
elif cmd == "sh-info":         # SIGNED: prints count, name table index, offset and size, its
    b = rd(args[0])             # sh_name, the last section's sh_name, e_shoff, record length
    e, at, fields, (shoff, size, count, names) = shdr(b, "names")
    get = lambda i, k: struct.unpack_from(e + fields[k][1], b, shoff + i * size + fields[k][0])[0]
    print(count, names, get(names, "offset"), get(names, "size"), get(names, "name"),
          get(count - 1, "name"), shoff, len(record(b)))
elif cmd == "sh-swap":         # IN OUT: the last two section headers swapped (e_shstrndx follows)
    b = bytearray(rd(args[0])); e, at, fields, (shoff, size, count, names) = shdr(b, "last")
    b[at - size:at + size] = b[at:at + size] + b[at - size:at]
    if names == count - 2:
        _, f = ehdr_fields(b); struct.pack_into(e + "H", b, f["shstrndx"][0], count - 1)
    wr(args[1], b)
elif cmd == "sh-append":       # SIGNED OUT: a null section header after .digsig, the record after it
    b = bytearray(rd(args[0])); e, at, fields, (shoff, size, count, names) = shdr(b, "last")
    end = shoff + count * size
    assert end == len(b) - len(record(b)), "the table does not end the covered bytes"
    b[end:end] = bytes(size)
    _, f = ehdr_fields(b)
    if struct.unpack_from(e + "H", b, f["shnum"][0])[0]:
        struct.pack_into(e + "H", b, f["shnum"][0], count + 1)
    else:
        struct.pack_into(e + fields["size"][1], b, shoff + fields["size"][0], count + 1)
    struct.pack_into(e + fields["offset"][1], b, at + fields["offset"][0], end + size)
    wr(args[1], b)
elif cmd == "names-grow":      # IN OUT: the name table grown to the next non-zero byte after it
    b = bytearray(rd(args[0])); e, at, fields, _ = shdr(b, "names")
    off = struct.unpack_from(e + fields["offset"][1], b, at + fields["offset"][0])[0]
    n = struct.unpack_from(e + fields["size"][1], b, at + fields["size"][0])[0]
    while b[off + n] == 0: n += 1
    struct.pack_into(e + fields["size"][1], b, at + fields["size"][0], n + 1); wr(args[1], b)
elif cmd == "eh-set":          # IN OUT FIELD VALUE: ELF header class, data, ph*, sh* fields
    b = bytearray(rd(args[0])); v = int(args[3], 0)
    if args[2] in ("class", "data"):
        b[4 if args[2] == "class" else 5] = v
    else:
        e, f = ehdr_fields(b); at, fmt = f[args[2]]; struct.pack_into(e + fmt, b, at, v)
    wr(args[1], b)
elif cmd == "ph-set":          # IN OUT INDEX FIELD VALUE: program header type, offset, filesz
    b = bytearray(rd(args[0])); e, at, fields = phdr(b, args[2])
    off, fmt = fields[args[3]]; struct.pack_into(e + fmt, b, at + off, int(args[4], 0)); wr(args[1], b)
elif cmd == "interp-at":       # IN: prints the first PT_INTERP's offset and size
    b = rd(args[0]); e, at, fields = phdr(b, "interp")
    print(*(struct.unpack_from(e + fields[k][1], b, at + fields[k][0])[0] for k in ("offset", "filesz")))
elif cmd == "rl-edit":         # LIST OUT OLD NEW: replace OLD in the body (escapes allowed), same signature
    body, rest = rl_split(rd(args[0])); old, new = unescape(args[2]), unescape(args[3])
    assert old in body, "rl-edit: %r not in the body" % old
    wr(args[1], body.replace(old, new, 1) + rest)
elif cmd == "rl-chop":         # LIST OUT: the body without its last byte, same signature
    body, rest = rl_split(rd(args[0])); wr(args[1], body[:-1] + rest)
elif cmd == "rl-body":         # LIST OUT: the body text alone
    wr(args[1], rl_split(rd(args[0]))[0])
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

# Dynamically linked (PIE) ones, for their PT_INTERP: every class and byte
# order (x86_64 64 LE, s390x 64 BE, i686 32 LE, powerpc and mips 32 BE).
DYN_LDFLAGS=(-nostdlib -pie -Wl,-e,_start -Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noseparate-code
  -Wl,-z,max-page-size=0x1000 -Wl,-z,common-page-size=0x10 -Wl,--no-warn-rwx-segments -s)
for arch in x86_64 i686 aarch64 powerpc mips s390x riscv64; do
  "$arch-linux-gnu-gcc" "${CFLAGS[@]/-fno-pic/-fPIE}" "${DYN_LDFLAGS[@]}" -o "dyn-$arch" prog.c
done

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
# The DER says 0x199 content bytes after its 4-byte header, the slot holds
# one more: a byte after the signature that nothing reads.
tool patch "$r" "$R/sig-der-trailing" 123 98
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

# --- elf_interp_fuzzer ---------------------------------------------------------------
# Executables with and without PT_INTERP in every class and byte order, and
# each way the header, the program header table or the PT_INTERP entry can
# point outside the file or break the loader's limits.
I=$WORK/elf_interp_fuzzer
mkdir -p "$I"
cp dyn-* exec-x86_64 exec-powerpc rel-x86_64.o "$I/"
printf '#!/bin/sh\necho not ELF\n' > "$I/script"
for arch in x86_64 s390x i686 powerpc; do
  d=dyn-$arch
  o=$I/$arch
  size=$(stat -c %s "$d")
  read -r ioff isize < <(tool interp-at "$d")
  # (bash arithmetic is signed 64-bit: spell the large values out)
  if [[ $arch == x86_64 || $arch == s390x ]]; then
    max=0xffffffffffffffff max1=0xfffffffffffffffe
  else
    max=0xffffffff max1=0xfffffffe
  fi
  tool ph-set "$d" "$o-interp-offset-max" interp offset "$max"
  tool ph-set "$d" "$WORK/wrap" interp offset "$max1"
  tool ph-set "$WORK/wrap" "$o-interp-offset-wrap" interp filesz 4      # offset + size wraps to 2
  tool ph-set "$d" "$o-interp-offset-eof" interp offset "$size"
  tool ph-set "$d" "$o-interp-size-1" interp filesz 1
  tool ph-set "$d" "$o-interp-size-4097" interp filesz 4097
  tool ph-set "$d" "$o-interp-size-max" interp filesz "$max"
  [[ $max == 0xffffffff ]] || tool ph-set "$d" "$o-interp-size-2p32" interp filesz 0x100000010
  head -c $((ioff + isize)) "$d" > "$o-interp-ends-at-eof"
  head -c $((ioff + isize - 1)) "$d" > "$o-interp-past-eof"
  tool patch "$d" "$o-interp-no-nul" $((ioff + isize - 1)) 78
  tool patch "$d" "$o-interp-empty" "$ioff" 00
  tool ph-set "$d" "$o-first-interp-is-phdr" 0 type 3                   # PT_PHDR made PT_INTERP
  tool ph-set "$d" "$o-second-interp" last type 3
  tool eh-set "$d" "$o-phentsize-wrong" phentsize "$([[ $max == 0xffffffff ]] && echo 56 || echo 32)"
  tool eh-set "$d" "$o-phoff-eof" phoff "$size"
  tool eh-set "$d" "$o-phoff-max" phoff "$max"
  tool eh-set "$d" "$o-phnum-0" phnum 0
  tool eh-set "$d" "$o-phnum-ffff" phnum 0xffff
  tool eh-set "$d" "$o-phnum-over-64k" phnum "$([[ $max == 0xffffffff ]] && echo 2049 || echo 1171)"
  tool eh-set "$d" "$o-bad-class" class 3
  tool eh-set "$d" "$o-bad-data" data 0
  head -c "$([[ $max == 0xffffffff ]] && echo 51 || echo 63)" "$d" > "$o-trunc-ehdr"
  head -c $((ioff - 1)) "$d" > "$o-trunc-table"
done

# --- elf_sections_fuzzer --------------------------------------------------------------
# Signed files of each class and byte order, one with extended numbering
# before signing, one whose section table the signer made, an object; and
# each way step 4 (docs/format.md section 5) can fail on them: the section
# header table outside the file or with the other class's entry size,
# extended numbering whose count in section 0 lies, SHN_XINDEX to a bad
# index, a name table that is no string table, empty, past the end, not
# NUL-terminated or whose end wraps, the last section's name outside the
# table, another's or not terminated, its offset or size not the record's,
# .digsig not last; and program headers libObject refuses.
X=$WORK/elf_sections_fuzzer
mkdir -p "$X"
cp exec-x86_64.signed exec-s390x.sha512.signed exec-i686.signed exec-powerpc.signed \
  extnum-x86_64.o.signed nosht-powerpc.signed rel-x86_64.o.signed "$X/"
for s in exec-x86_64.signed exec-s390x.sha512.signed exec-i686.signed exec-powerpc.signed; do
  o=$X/${s%%.*}
  size=$(stat -c %s "$s")
  read -r count names names_off names_size names_name last_name shoff rl < <(tool sh-info "$s")
  covered=$((size - rl))
  # (bash arithmetic is signed 64-bit: spell the large values out)
  if [[ $s == exec-x86_64* || $s == exec-s390x* ]]; then
    max=0xffffffffffffffff max15=0xfffffffffffffff0 entsize=64 other=40
  else
    max=0xffffffff max15=0xfffffff0 entsize=40 other=64
  fi
  tool eh-set "$s" "$o-shoff-0" shoff 0
  tool eh-set "$s" "$o-shoff-eof" shoff "$size"
  tool eh-set "$s" "$o-shoff-last-entry-past-eof" shoff $((size - entsize + 1))
  tool eh-set "$s" "$o-shoff-max" shoff "$max"
  tool eh-set "$s" "$o-shentsize-other-class" shentsize "$other"
  tool eh-set "$s" "$o-shentsize-plus-1" shentsize $((entsize + 1))
  tool eh-set "$s" "$o-shnum-past-eof" shnum $(((size - shoff) / entsize + 1))
  tool eh-set "$s" "$o-shnum-minus-1" shnum $((count - 1))
  tool eh-set "$s" "$o-shstrndx-0" shstrndx 0
  tool eh-set "$s" "$o-shstrndx-count" shstrndx "$count"
  tool eh-set "$s" "$o-shstrndx-loreserve" shstrndx 0xff00
  tool eh-set "$s" "$WORK/shnum0" shnum 0
  tool sh-set "$WORK/shnum0" "$o-extnum" 0 size "$count"
  tool sh-set "$WORK/shnum0" "$o-extnum-size-minus-1" 0 size $((count - 1))
  tool sh-set "$WORK/shnum0" "$o-extnum-size-plus-1" 0 size $((count + 1))
  tool sh-set "$WORK/shnum0" "$o-extnum-size-0" 0 size 0
  tool sh-set "$WORK/shnum0" "$o-extnum-size-max" 0 size "$max"
  [[ $entsize == 40 ]] || tool sh-set "$WORK/shnum0" "$o-extnum-size-wraps" 0 size $(((1 << 58) + count))
  tool eh-set "$s" "$WORK/xindex" shstrndx 0xffff
  tool sh-set "$WORK/xindex" "$o-xindex" 0 link "$names"
  tool sh-set "$WORK/xindex" "$o-xindex-link-0" 0 link 0
  tool sh-set "$WORK/xindex" "$o-xindex-link-count" 0 link "$count"
  tool sh-set "$WORK/xindex" "$o-xindex-link-digsig" 0 link $((count - 1))
  tool eh-set "$o-extnum" "$WORK/both" shstrndx 0xffff
  tool sh-set "$WORK/both" "$o-extnum-xindex" 0 link "$names"
  tool sh-set "$s" "$o-names-progbits" names type 1
  tool sh-set "$s" "$o-names-size-0" names size 0
  tool sh-set "$s" "$o-names-past-eof" names size $((size - names_off + 1))
  tool sh-set "$s" "$o-names-offset-eof" names offset "$size"
  tool sh-set "$s" "$WORK/wrap" names offset "$max15"
  tool sh-set "$WORK/wrap" "$o-names-end-wraps" names size 0x20
  tool names-grow "$s" "$o-names-no-nul"
  tool sh-set "$s" "$o-names-name-past-table" names name "$names_size"
  tool sh-set "$s" "$o-section0-progbits-past-eof" 0 type 1
  tool sh-set "$o-section0-progbits-past-eof" "$o-section0-progbits-past-eof" 0 offset "$size"
  tool sh-set "$o-section0-progbits-past-eof" "$o-section0-progbits-past-eof" 0 size 1
  tool sh-set "$s" "$o-name-0" last name 0
  tool sh-set "$s" "$o-name-past-table" last name "$names_size"
  tool sh-set "$s" "$o-name-last-byte" last name $((names_size - 1))
  tool sh-set "$s" "$o-name-tail" last name $((last_name + 1))
  tool sh-set "$s" "$o-name-shstrtab" last name "$names_name"
  tool sh-set "$s" "$o-name-wraps-32" last name 0xfffffff9
  tool patch "$s" "$o-name-no-nul" $((names_off + last_name + 7)) 58
  tool sh-set "$s" "$o-digsig-offset-minus-1" last offset $((covered - 1))
  tool sh-set "$s" "$o-digsig-offset-plus-1" last offset $((covered + 1))
  tool sh-set "$s" "$o-digsig-size-minus-1" last size $((rl - 1))
  tool sh-set "$s" "$o-digsig-size-plus-1" last size $((rl + 1))
  tool sh-set "$s" "$o-digsig-nobits" last type 8
  tool sh-swap "$s" "$o-digsig-not-last"
  tool sh-append "$s" "$o-section-after-digsig"
  tool eh-set "$s" "$o-phoff-eof" phoff "$size"
  tool eh-set "$o-phoff-eof" "$o-phoff-eof-phnum-0" phnum 0
  # Section 1 with data past the end: digsig verify refuses it (ParseElf
  # reads every header), the check never reads that header.
  [[ $names == 1 ]] && { echo "make_corpus: $s names its name table 1" >&2; exit 1; }
  tool sh-set "$s" "$WORK/other" 1 type 1
  tool sh-set "$WORK/other" "$o-other-section-past-eof" 1 offset "$size"
done

# --- revocation_list_fuzzer ---------------------------------------------------------
# Lists signed by the corpus key (so VerifyRevocationList gets to succeed),
# one by the other key, every grammar violation re-wrapped with a real
# signature, broken trailers, and plain bodies (the target also parses its
# input as a body with a dummy signature appended).
L=$WORK/revocation_list_fuzzer
mkdir -p "$L"
revoke() {  # revoke ALGO OUT ARGS...
  local algo=$1 out=$2; shift 2
  run "$DIGSIG" revoke --key "$KEYS/$algo/key.pem" --cert "$KEYS/$algo/cert.pem" -o "$out" "$@"
}
hex() { printf "$1%.0s" $(seq "$2"); }  # hex DIGITS COUNT
revoke rsa-2048 "$L/list-1" --sequence 1 --revoke-key-id abcd --revoke-digest "sha256:$(hex ab 32)"
revoke rsa-2048 "$L/list-2-merged" --sequence 2 --merge "$L/list-1" \
  --revoke-cert "$KEYS/ecdsa-p256/cert.pem" --revoke-file exec-aarch64.sha384.signed \
  --revoke-file exec-s390x.sha512.signed --revoke-digest "sha256:$(hex 01 32)"
revoke rsa-2048 "$L/list-empty" --sequence 999999999  # the CLI takes up to 9 digits
revoke rsa-2048 "$L/list-key-64-bytes" --sequence 3 --revoke-key-id "$(hex fe 64)" --revoke-key-id 00
revoke ecdsa-p256 "$L/list-ecdsa-signer" --sequence 5 --revoke-file exec-x86_64.signed
l=$L/list-2-merged
tool rl-edit "$l" "$L/altered-sequence" 'sequence 2\n' 'sequence 3\n'
tool rl-edit "$l" "$L/altered-digest" "sha256 $(hex 01 2)" "sha256 $(hex 01 1)02"
tool rl-edit "$l" "$L/upper-hex" 'key abcd' 'key ABCD'
tool rl-edit "$l" "$L/odd-hex" 'key abcd\n' 'key abc\n'
tool rl-edit "$l" "$L/crlf" 'sequence 2\n' 'sequence 2\r\n'
tool rl-edit "$l" "$L/header-crlf" 'revocations 1\n' 'revocations 1\r\n'
tool rl-edit "$l" "$L/header-v2" 'revocations 1' 'revocations 2'
tool rl-edit "$l" "$L/seq-zero" 'sequence 2' 'sequence 0'
tool rl-edit "$l" "$L/seq-leading-zero" 'sequence 2' 'sequence 02'
tool rl-edit "$l" "$L/seq-19-digits" 'sequence 2' 'sequence 1000000000000000000'
tool rl-edit "$l" "$L/seq-sign" 'sequence 2' 'sequence +2'
tool rl-edit "$l" "$L/unknown-kind" 'key abcd' 'kez abcd'
tool rl-edit "$l" "$L/sha1-kind" "sha256 $(hex 01 32)" "sha1 $(hex 01 20)"
tool rl-edit "$l" "$L/digest-short" "sha256 $(hex 01 2)" 'sha256 '
tool rl-edit "$l" "$L/digest-long" "sha256 $(hex 01 2)" "sha256 $(hex 01 3)"
tool rl-edit "$l" "$L/descending" 'key abcd' 'key fbcd'
tool rl-edit "$l" "$L/duplicate" 'key abcd\n' 'key abcd\nkey abcd\n'
tool rl-edit "$l" "$L/empty-line" 'sequence 2\n' 'sequence 2\n\n'
tool rl-edit "$l" "$L/nul-byte" 'key abcd' 'key ab\0d'
tool rl-chop "$l" "$L/no-final-newline"
size=$(stat -c %s "$l")
tool patch "$l" "$L/sig-len-zero" -16 00000000
tool patch "$l" "$L/sig-len-16385" -16 00004001
tool patch "$l" "$L/sig-len-max" -16 ffffffff
tool patch "$l" "$L/sig-len-whole-file" -16 "$(printf %08x $((size - 16)))"
tool patch "$l" "$L/sig-len-past-file" -16 "$(printf %08x $((size - 15)))"
tool patch "$l" "$L/bad-magic" -1 00
tool xor "$l" "$L/altered-signature" -40 0x01
head -c $((size - 1)) "$l" > "$L/trunc-last-byte"
head -c $((size / 2)) "$l" > "$L/trunc-half"
tail -c 16 "$l" > "$L/trailer-only"
tool rl-body "$l" "$L/body-merged.txt"
printf 'digsig-revocations 1\nsequence 1\n' > "$L/body-minimal.txt"
printf 'digsig-revocations 1\nsequence 999999999999999999\n' > "$L/body-max-sequence.txt"
printf 'digsig-revocations 1\nsequence 7\nkey 0a\nkey 0a00\nkey a0\nsha384 %s\nsha512 %s\n' \
  "$(hex 38 48)" "$(hex 51 64)" > "$L/body-prefixes.txt"

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
for t in elf_reader_fuzzer signature_record_fuzzer pkcs7_fuzzer tar_archive_fuzzer \
  elf_interp_fuzzer elf_sections_fuzzer revocation_list_fuzzer; do
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
