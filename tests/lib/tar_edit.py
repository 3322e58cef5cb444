#!/usr/bin/env python3
"""Rewrites a tar archive with one deliberate change, the way an attacker or
a careless re-pack would: tests use it to prove that verify-tar notices.

  tar_edit.py IN OUT flip PATH          flip one byte in the middle of PATH
  tar_edit.py IN OUT replace PATH FILE  PATH gets FILE's content
  tar_edit.py IN OUT add PATH FILE      a new regular file at the end
  tar_edit.py IN OUT remove PATH        drop PATH
  tar_edit.py IN OUT chmod PATH MODE    octal mode
  tar_edit.py IN OUT chown PATH UID
  tar_edit.py IN OUT relink PATH TARGET new symlink target
  tar_edit.py IN OUT xattr PATH NAME HEXVALUE   set an extended attribute
  tar_edit.py IN OUT copy-ima FROM TO   TO gets FROM's security.ima

Paths are matched with or without a leading "./". The output is pax, which
keeps every xattr (SCHILY.xattr.*) the input had.
"""
import io
import sys
import tarfile

IMA = "SCHILY.xattr.security.ima"


def norm(p):
    while p.startswith("./"):
        p = p[2:]
    return p


def main(argv):
    src, dst, op, *args = argv[1:]
    target = norm(args[0]) if args else None
    with tarfile.open(src, "r:*") as tin:
        members = [(m, tin.extractfile(m).read() if m.isreg() else None) for m in tin]
    # The security.ima value to copy, found before anything is rewritten.
    ima = None
    if op == "copy-ima":
        ima = next(m.pax_headers[IMA] for m, _ in members if norm(m.name) == target)
        target = norm(args[1])
    out = []
    found = False
    for m, data in members:
        if norm(m.name) != target:
            out.append((m, data))
            continue
        found = True
        if op == "flip":
            b = bytearray(data)
            b[len(b) // 2] ^= 0x01
            data = bytes(b)
        elif op == "replace":
            data = open(args[1], "rb").read()
            m.size = len(data)
        elif op == "remove":
            continue
        elif op == "chmod":
            m.mode = int(args[1], 8)
        elif op == "chown":
            m.uid = int(args[1])
        elif op == "relink":
            m.linkname = args[1]
        elif op == "xattr":
            m.pax_headers["SCHILY.xattr." + args[1]] = bytes.fromhex(args[2]).decode(
                "utf-8", "surrogateescape")
        elif op == "copy-ima":
            m.pax_headers[IMA] = ima
        out.append((m, data))
    if op == "add":
        data = open(args[1], "rb").read()
        info = tarfile.TarInfo(args[0])
        info.size = len(data)
        info.mode = 0o755
        out.append((info, data))
    elif not found:
        sys.exit(f"tar_edit: {args[0]} not in {src}")
    # The manifest entries stay last, as sign-tar writes them.
    out.sort(key=lambda md: norm(md[0].name).startswith(".digsig/"))
    with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as tout:
        for m, data in out:
            tout.addfile(m, io.BytesIO(data) if data is not None else None)


if __name__ == "__main__":
    main(sys.argv)
