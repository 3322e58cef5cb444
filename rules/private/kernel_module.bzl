"""kernel_module: an out-of-tree Linux module built with kbuild against the
kernel headers the workspace found (@kernel_headers), signed in module format."""

load(":signing.bzl", "SIGNING_ATTRS", "run_digsig")

def _kernel_module_impl(ctx):
    unsigned = ctx.actions.declare_file(ctx.attr.name + ".unsigned.ko")
    srcs = ctx.files.srcs
    ctx.actions.run(
        executable = ctx.file._build_module,
        arguments = [ctx.file._kdir.path, ctx.attr.module_name, unsigned.path] +
                    [f.path for f in srcs],
        inputs = srcs + [ctx.file._kdir, ctx.file._kernel_stamp],
        outputs = [unsigned],
        mnemonic = "KernelModule",
        progress_message = "Building kernel module %s" % ctx.label,
        # kbuild reads the kernel's build directory outside the workspace, so
        # the action runs here, unsandboxed; the stamp input stands for that
        # directory in the cache key, so the module may be cached (disk or
        # remote cache). Not "no-remote": in Bazel 4 that also turns off the
        # disk cache, and every clean build would rebuild every module.
        execution_requirements = {"no-sandbox": "1", "no-remote-exec": "1"},
        # make, gcc and kbuild's helpers come from PATH (--incompatible_strict_action_env
        # keeps it fixed, so the cache key does not follow the user's shell).
        use_default_shell_env = True,
    )
    out = ctx.actions.declare_file(ctx.attr.module_name + ".ko")
    run_digsig(ctx, "sign-module", [], unsigned, out, "DigsigSignModule",
               "Signing kernel module %s" % ctx.label)
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

kernel_module = rule(
    implementation = _kernel_module_impl,
    doc = """Builds MODULE_NAME.ko from srcs (C files and headers, and a Kbuild file
if the module needs one: otherwise `obj-m := MODULE_NAME.o` with every .c
file as an object) with `make -C KDIR M=...`, then signs it in module format.""",
    attrs = dict(SIGNING_ATTRS, **{
        "srcs": attr.label_list(allow_files = [".c", ".h", "Kbuild"], mandatory = True),
        "module_name": attr.string(mandatory = True),
        "_build_module": attr.label(
            default = "//rules/private:build_module.sh",
            allow_single_file = True,
        ),
        "_kdir": attr.label(default = "@kernel_headers//:kdir.txt", allow_single_file = True),
        "_kernel_stamp": attr.label(
            default = "@kernel_headers//:kernel_stamp.txt",
            allow_single_file = True,
        ),
    }),
)
