"""kernel_headers_repository: finds the kernel build directory (kbuild) that
out-of-tree modules are built against, instead of hard-coding a version.

Order: $DIGSIG_KDIR; /lib/modules/$(uname -r)/build; the newest
/usr/src/linux-headers-*-amd64 (Debian's linux-headers-amd64). The
repository exposes :kdir.txt (the directory) and :kernel_stamp.txt (its
kernel release, a digest of its .config and Module.symvers, and the versions
of the gcc and ld kbuild runs), which
kernel_module actions take as inputs: a different kernel rebuilds them.
"""

def _find_kdir(ctx):
    explicit = ctx.os.environ.get("DIGSIG_KDIR", "")
    if explicit:
        if not ctx.path(explicit + "/Makefile").exists:
            fail("DIGSIG_KDIR=%s is not a kernel build directory (no Makefile)" % explicit)
        return explicit
    uname = ctx.execute(["uname", "-r"])
    if uname.return_code == 0:
        running = "/lib/modules/%s/build" % uname.stdout.strip()
        if ctx.path(running + "/Makefile").exists:
            return running
    listing = ctx.execute(["sh", "-c", "ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1"])
    candidate = listing.stdout.strip()
    if candidate and ctx.path(candidate + "/Makefile").exists:
        return candidate
    return ""

def _kernel_headers_impl(ctx):
    kdir = _find_kdir(ctx)
    if not kdir:
        # Fail when a module is built, not when the workspace loads: builds
        # without kernel modules must not need kernel headers.
        ctx.file("BUILD", """
genrule(
    name = "missing",
    outs = ["kdir.txt", "kernel_stamp.txt"],
    cmd = "echo 'kernel_module: no kernel headers found: install linux-headers-amd64 " +
          "or set DIGSIG_KDIR to a kernel build directory' >&2; exit 1",
    visibility = ["//visibility:public"],
)
""")
        return
    # kbuild compiles with the `gcc` and `ld` on PATH: their versions are part
    # of what a cached module was built with.
    stamp = ctx.execute(["sh", "-c", "cd '%s' && { cat include/config/kernel.release 2>/dev/null; " % kdir +
                                     "cat .config Module.symvers 2>/dev/null | sha256sum; " +
                                     "gcc --version 2>&1 | head -1; ld --version 2>&1 | head -1; }"])
    ctx.file("kdir.txt", kdir + "\n")
    ctx.file("kernel_stamp.txt", stamp.stdout)
    ctx.file("BUILD", 'exports_files(["kdir.txt", "kernel_stamp.txt"], visibility = ["//visibility:public"])\n')

kernel_headers_repository = repository_rule(
    implementation = _kernel_headers_impl,
    environ = ["DIGSIG_KDIR"],
    local = True,
)
