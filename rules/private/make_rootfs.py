#!/usr/bin/env python3
"""Writes a root filesystem tarball from a JSON description, deterministically:
entries sorted by path, parent directories added, every time stamp and owner
as described (never the build machine's). digsig_rootfs signs the result.

  make_rootfs.py SPEC.json OUT.tar

SPEC: {"mtime": N, "entries": [{"path": "bin/sh", "type": "file" | "dir" |
"symlink" | "char" | "block" | "fifo", "src": "...", "target": "...",
"mode": "0755", "uid": 0, "gid": 0, "major": 5, "minor": 1}, ...]}
"""
import io
import json
import sys
import tarfile

TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
         "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}


def fail(message):
    sys.exit(f"make_rootfs: {message}")


def main(spec_path, out_path):
    with open(spec_path) as f:
        spec = json.load(f)
    mtime = int(spec.get("mtime", 0))
    entries = {}
    for e in spec["entries"]:
        path = e["path"].strip("/")
        if not path or ".." in path.split("/"):
            fail(f"bad destination path {e['path']!r}")
        if path in entries:
            fail(f"two entries for /{path}")
        if e["type"] not in TYPES:
            fail(f"/{path}: unknown type {e['type']!r}")
        entries[path] = e
    # Parent directories that were not described: root-owned, 0755.
    for path in list(entries):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            entries.setdefault("/".join(parts[:i]), {"type": "dir"})
    with tarfile.open(out_path, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(entries):
            e = entries[path]
            info = tarfile.TarInfo("./" + path)
            info.type = TYPES[e["type"]]
            info.mtime = mtime
            info.uid, info.gid = int(e.get("uid", 0)), int(e.get("gid", 0))
            info.uname = info.gname = "root" if info.uid == 0 else ""
            default_mode = "0755" if e["type"] in ("dir", "symlink") else "0644"
            info.mode = int(e.get("mode", default_mode), 8)
            data = None
            if e["type"] == "file":
                with open(e["src"], "rb") as f:
                    data = f.read()
                info.size = len(data)
            elif e["type"] == "symlink":
                info.linkname = e["target"]
                info.mode = 0o777
            elif e["type"] in ("char", "block"):
                info.devmajor, info.devminor = int(e["major"]), int(e["minor"])
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail("usage: make_rootfs.py SPEC.json OUT.tar")
    main(*sys.argv[1:])
