"""digsig_signed: the signed form of what other targets produce."""

load(":signing.bzl", "SIGNING_ATTRS", "run_digsig")

def _files_of(target, with_runfiles):
    files = target[DefaultInfo].files.to_list()
    if with_runfiles:
        runfiles = target[DefaultInfo].default_runfiles
        if runfiles:
            files = files + runfiles.files.to_list()
    return files

def _digsig_signed_impl(ctx):
    outputs = []
    seen = {}
    for target in ctx.attr.srcs:
        for f in _files_of(target, ctx.attr.include_runfiles):
            if f.short_path in seen:
                continue
            seen[f.short_path] = True

            # One action per file: changing one input re-signs one file.
            # Files of other repositories (short_path "../repo/...") go under
            # NAME/external/repo/..., never outside NAME/.
            path = f.short_path
            if path.startswith("../"):
                path = "external/" + path[3:]
            out = ctx.actions.declare_file(ctx.attr.name + "/" + path)
            flags = ["--auto"] + (["--require-elf"] if ctx.attr.require_elf else [])
            run_digsig(ctx, "sign", flags, f, out, "DigsigSign", "Signing %s" % f.short_path)
            outputs.append(out)
    return [DefaultInfo(files = depset(outputs), runfiles = ctx.runfiles(files = outputs))]

digsig_signed = rule(
    implementation = _digsig_signed_impl,
    doc = """Signs every file the srcs targets provide (cc_binary, cc_shared_library,
genrule outputs, filegroups, prebuilt ELF files, kernel modules), each in its
own action. ELF files get an embedded signature, kernel modules a module
signature, other files are copied unchanged. Outputs keep their package
paths under NAME/ (e.g. NAME/images/demo/hello).""",
    attrs = dict(SIGNING_ATTRS, **{
        "srcs": attr.label_list(allow_files = True, mandatory = True),
        "require_elf": attr.bool(
            default = False,
            doc = "Fail on a file that is not ELF instead of copying it.",
        ),
        "include_runfiles": attr.bool(
            default = False,
            doc = "Also sign the targets' runfiles (shared libraries they load, data).",
        ),
    }),
)
