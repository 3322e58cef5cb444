#!/usr/bin/env python3
"""Lists every ELF file under DIR once (hard links share an inode), found by
its first four bytes as a build system's signing step would pick them,
NUL-separated for xargs -0.

  find_elfs.py DIR
"""
import os
import sys

seen = set()
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(d, f)
        st = os.lstat(p)
        if not os.path.isfile(p) or os.path.islink(p) or (st.st_dev, st.st_ino) in seen:
            continue
        with open(p, "rb") as fh:
            if fh.read(4) == b"\x7fELF":
                seen.add((st.st_dev, st.st_ino))
                sys.stdout.write(p + "\0")
