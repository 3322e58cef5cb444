"""make_rootfs.py: what digsig_rootfs promises about the tarball before it is
signed (order, parents, owners, dates, modes, links, devices, refusals)."""
import json
import os
import tarfile
import tempfile
import unittest

import make_rootfs


class MakeRootfsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.src = os.path.join(self.dir, "payload")
        with open(self.src, "wb") as f:
            f.write(b"\x7fELF not really")

    def build(self, entries, mtime=1234, name="out.tar"):
        spec = os.path.join(self.dir, "spec.json")
        with open(spec, "w") as f:
            json.dump({"mtime": mtime, "entries": entries}, f)
        out = os.path.join(self.dir, name)
        make_rootfs.main(spec, out)
        return out

    def members(self, out):
        with tarfile.open(out) as tar:
            return {m.name: m for m in tar.getmembers()}

    def test_entries_sorted_with_parents_root_owned(self):
        out = self.build([
            {"path": "/usr/bin/tool", "type": "file", "src": self.src, "mode": "0750"},
            {"path": "/etc/motd", "type": "file", "src": self.src},
        ])
        with tarfile.open(out) as tar:
            self.assertEqual(tar.getnames(), ["./etc", "./etc/motd", "./usr", "./usr/bin",
                                              "./usr/bin/tool"])
            self.assertEqual(tar.extractfile("./usr/bin/tool").read(), b"\x7fELF not really")
            self.assertEqual(tar.pax_headers, {})
        m = self.members(out)
        self.assertEqual(m["./usr/bin/tool"].mode, 0o750)
        self.assertEqual(m["./etc/motd"].mode, 0o644)
        self.assertTrue(m["./usr/bin"].isdir())
        self.assertEqual(m["./usr/bin"].mode, 0o755)
        for member in m.values():
            self.assertEqual((member.uid, member.gid, member.uname, member.gname, member.mtime),
                             (0, 0, "root", "root", 1234))

    def test_owners_links_devices(self):
        m = self.members(self.build([
            {"path": "/home/user", "type": "dir", "uid": 1000, "gid": 100, "mode": "0700"},
            {"path": "/bin/sh", "type": "symlink", "target": "busybox"},
            {"path": "/dev/console", "type": "char", "major": 5, "minor": 1, "mode": "0600"},
            {"path": "/dev/sda", "type": "block", "major": 8, "minor": 0, "mode": "0660"},
            {"path": "/run/fifo", "type": "fifo"},
        ]))
        home = m["./home/user"]
        self.assertEqual((home.uid, home.gid, home.uname, home.mode), (1000, 100, "", 0o700))
        self.assertTrue(m["./bin/sh"].issym())
        self.assertEqual((m["./bin/sh"].linkname, m["./bin/sh"].mode), ("busybox", 0o777))
        console = m["./dev/console"]
        self.assertTrue(console.ischr())
        self.assertEqual((console.devmajor, console.devminor, console.mode), (5, 1, 0o600))
        self.assertTrue(m["./dev/sda"].isblk())
        self.assertTrue(m["./run/fifo"].isfifo())

    def test_same_spec_same_bytes(self):
        entries = [{"path": "/a/b", "type": "file", "src": self.src}, {"path": "/c", "type": "dir"}]
        first = self.build(entries, name="first.tar")
        os.utime(self.src, (1, 1))  # the source's own date must not matter
        second = self.build(list(reversed(entries)), name="second.tar")
        with open(first, "rb") as a, open(second, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_refusals(self):
        cases = {
            "bad destination path": [{"path": "/a/../etc/passwd", "type": "dir"}],
            "two entries for /x": [{"path": "/x", "type": "dir"}, {"path": "x/", "type": "dir"}],
            "unknown type 'socket'": [{"path": "/s", "type": "socket"}],
        }
        for message, entries in cases.items():
            with self.subTest(message), self.assertRaises(SystemExit) as raised:
                self.build(entries)
            self.assertIn(message, str(raised.exception))
        with self.assertRaises(SystemExit):
            self.build([{"path": "/", "type": "dir"}])


if __name__ == "__main__":
    unittest.main()
