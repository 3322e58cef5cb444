"""digsig_rootfs: a root filesystem tarball, assembled and signed in one pass."""

load(":signing.bzl", "SIGNING_ATTRS", "run_digsig")

_EXTENSIONS = {"none": ".tar", "gzip": ".tar.gz", "xz": ".tar.xz", "zstd": ".tar.zst", "bzip2": ".tar.bz2"}

def _file_entries(ctx):
    entries = []
    inputs = []
    for target, dest in ctx.attr.files.items():
        files = target[DefaultInfo].files.to_list()
        if not files:
            fail("%s: %s provides no files for %s" % (ctx.label, target.label, dest))
        if len(files) > 1 and not dest.endswith("/"):
            fail("%s: %s provides %d files; give a directory ending in '/' as its destination" %
                 (ctx.label, target.label, len(files)))
        for f in files:
            path = dest + f.basename if dest.endswith("/") else dest
            entry = {"path": path, "type": "file", "src": f.path}
            entry["mode"] = ctx.attr.modes.get(path, "0755")
            entries.append(entry)
            inputs.append(f)
    return entries, inputs

def _device_entry(path, spec):
    # "c 5 1 0600": type, major, minor, mode.
    fields = spec.split(" ")
    if len(fields) != 4 or fields[0] not in ["c", "b"]:
        fail("device %s: write 'c|b MAJOR MINOR MODE', not %r" % (path, spec))
    return {
        "path": path,
        "type": "char" if fields[0] == "c" else "block",
        "major": int(fields[1]),
        "minor": int(fields[2]),
        "mode": fields[3],
    }

def _digsig_rootfs_impl(ctx):
    entries, inputs = _file_entries(ctx)
    for path, target in ctx.attr.symlinks.items():
        entries.append({"path": path, "type": "symlink", "target": target})
    for path in ctx.attr.directories:
        entries.append({"path": path, "type": "dir", "mode": ctx.attr.modes.get(path, "0755")})
    for path, spec in ctx.attr.devices.items():
        entries.append(_device_entry(path, spec))
    owners = ctx.attr.owners
    for e in entries:
        if e["path"] in owners:
            uid, gid = owners[e["path"]].split(":")
            e["uid"], e["gid"] = int(uid), int(gid)

    spec = ctx.actions.declare_file(ctx.attr.name + ".rootfs.json")
    ctx.actions.write(spec, json.encode({"mtime": ctx.attr.mtime, "entries": entries}))
    unsigned = ctx.actions.declare_file(ctx.attr.name + ".unsigned.tar")
    ctx.actions.run(
        executable = ctx.executable._make_rootfs,
        arguments = [spec.path, unsigned.path],
        inputs = [spec] + inputs,
        outputs = [unsigned],
        mnemonic = "DigsigRootfs",
        progress_message = "Assembling root filesystem %s" % ctx.label,
    )

    out = ctx.actions.declare_file(ctx.attr.name + _EXTENSIONS[ctx.attr.compression])
    flags = ["--compression", ctx.attr.compression, "--jobs", "1"]
    if ctx.attr.ima == "signed":
        flags.append("--ima")
    elif ctx.attr.ima == "all":
        flags.append("--ima-all")
    if not ctx.attr.manifest:
        flags.append("--no-manifest")
    run_digsig(ctx, "sign-tar", flags, unsigned, out, "DigsigSignTar",
               "Signing root filesystem %s" % ctx.label)
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

digsig_rootfs = rule(
    implementation = _digsig_rootfs_impl,
    doc = """A root filesystem tarball (pax) built from targets placed at
destination paths, with directories, symlinks and device nodes, every owner
root unless `owners` says otherwise and every time stamp `mtime`; then signed
in one streaming pass by `digsig sign-tar` (ELF files, kernel modules,
security.ima when asked, the signed manifest).""",
    attrs = dict(SIGNING_ATTRS, **{
        "files": attr.label_keyed_string_dict(
            allow_files = True,
            doc = "target -> destination path ('dir/' for targets with several files)",
        ),
        "symlinks": attr.string_dict(doc = "path -> link target"),
        "directories": attr.string_list(doc = "empty directories to create"),
        "devices": attr.string_dict(doc = "path -> 'c|b MAJOR MINOR MODE'"),
        "modes": attr.string_dict(doc = "path -> octal mode (default 0755)"),
        "owners": attr.string_dict(doc = "path -> 'UID:GID' (default 0:0)"),
        "mtime": attr.int(default = 0, doc = "every entry's time stamp"),
        "ima": attr.string(default = "signed", values = ["none", "signed", "all"]),
        "manifest": attr.bool(default = True),
        "compression": attr.string(default = "gzip", values = _EXTENSIONS.keys()),
        "_make_rootfs": attr.label(
            default = "//rules/private:make_rootfs",
            executable = True,
            cfg = "exec",
        ),
    }),
)
