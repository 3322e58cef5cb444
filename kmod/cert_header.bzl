"""digsig_cert_header: the certificate of the build's signing key as the C
header digsig.ko compiles in, so the module trusts exactly the key the
build signs with (the development key, or the release key under
--config=release)."""

load("//rules:defs.bzl", "DigsigKeyInfo")

def _digsig_cert_header_impl(ctx):
    out = ctx.actions.declare_file("digsig_certs.h")
    ctx.actions.run(
        executable = "python3",
        arguments = [ctx.file._script.path, ctx.attr.key[DigsigKeyInfo].cert.path, out.path],
        inputs = [ctx.file._script, ctx.attr.key[DigsigKeyInfo].cert],
        outputs = [out],
        mnemonic = "DigsigCertHeader",
        use_default_shell_env = True,  # python3 from PATH
    )
    return [DefaultInfo(files = depset([out]))]

digsig_cert_header = rule(
    implementation = _digsig_cert_header_impl,
    attrs = {
        "key": attr.label(default = "//rules:default_key", providers = [DigsigKeyInfo]),
        "_script": attr.label(default = "cert_header.py", allow_single_file = True),
    },
)
