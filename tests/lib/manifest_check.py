#!/usr/bin/env python3
"""An independent reading of docs/format.md section 10.1: recomputes the
manifest of a signed archive from the archive itself with Python's tarfile
and compares it byte for byte with the .digsig/manifest entry.

  manifest_check.py ARCHIVE      exit 0 when they are identical
"""
import hashlib
import sys
import tarfile

TYPES = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.LNKTYPE: "h",
         tarfile.SYMTYPE: "l", tarfile.DIRTYPE: "d", tarfile.CHRTYPE: "c",
         tarfile.BLKTYPE: "b", tarfile.FIFOTYPE: "p"}
XATTR = "SCHILY.xattr."


def raw(s):
    """tarfile decodes names with surrogateescape; the manifest has bytes."""
    return s.encode("utf-8", "surrogateescape")


def escape(b):
    if not b:
        return "-"
    if b == b"-":
        return "\\x2d"
    return "".join(chr(c) if 0x21 <= c <= 0x7e and c != 0x5c else f"\\x{c:02x}" for c in b)


def xattr_digest(member, algo):
    attrs = sorted((raw(k[len(XATTR):]), raw(v)) for k, v in member.pax_headers.items()
                   if k.startswith(XATTR))
    if not attrs:
        return "-"
    h = hashlib.new(algo)
    for name, value in attrs:
        h.update(name + b"\0" + len(value).to_bytes(4, "big") + value)
    return h.hexdigest()


def main(path, algo="sha256"):
    with tarfile.open(path, "r:*") as t:
        members = t.getmembers()
        manifest = None
        lines = [b"digsig-manifest 1", b"hash " + algo.encode()]
        for m in members:
            name = m.name[2:] if m.name.startswith("./") else m.name
            if name in (".digsig/manifest", ".digsig/manifest.p7s"):
                if name == ".digsig/manifest":
                    manifest = t.extractfile(m).read()
                continue
            kind = TYPES[m.type]
            if kind == "f":
                data = t.extractfile(m).read()
                size, digest = str(len(data)), hashlib.new(algo, data).hexdigest()
            else:
                size, digest = "0", "-"
            # tarfile strips a directory's trailing slash; the archive has it.
            stored = m.name + "/" if m.isdir() and not m.name.endswith("/") else m.name
            target = b""
            if kind in "lh":
                target = raw(m.linkname)
            elif kind in "cb":
                target = f"{m.devmajor},{m.devminor}".encode()
            fields = [kind, f"{m.mode & 0o7777:04o}", str(m.uid), str(m.gid), size, digest,
                      xattr_digest(m, algo), escape(raw(stored)), escape(target)]
            lines.append(" ".join(fields).encode())
    expected = b"\n".join(lines) + b"\n"
    if manifest != expected:
        sys.stdout.buffer.write(b"--- manifest in the archive\n" + (manifest or b"(none)\n") +
                                b"--- recomputed\n" + expected)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
