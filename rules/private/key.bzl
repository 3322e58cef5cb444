"""digsig_key: a signing key configuration."""

load(":providers.bzl", "DigsigKeyInfo")

def _digsig_key_impl(ctx):
    if bool(ctx.file.key) == bool(ctx.attr.pkcs11_uri):
        fail("%s: give exactly one of key (a PEM file) or pkcs11_uri" % ctx.label)
    if ctx.attr.pkcs11_uri and not ctx.attr.pkcs11_uri.startswith("pkcs11:"):
        fail("%s: pkcs11_uri must start with 'pkcs11:'" % ctx.label)
    files = [ctx.file.cert] + ([ctx.file.key] if ctx.file.key else [])
    return [
        DefaultInfo(files = depset(files)),
        DigsigKeyInfo(
            key = ctx.file.key,
            pkcs11_uri = ctx.attr.pkcs11_uri,
            pkcs11_module = ctx.attr.pkcs11_module,
            pin_env = ctx.attr.pin_env,
            cert = ctx.file.cert,
            development = ctx.attr.development,
        ),
    ]

digsig_key = rule(
    implementation = _digsig_key_impl,
    doc = """A key the signing rules sign with: a PEM private key in the workspace,
or a key on a PKCS#11 token named by a pkcs11: URI (its PIN comes from the
environment variable pin_env at build time, never from a BUILD file).""",
    attrs = {
        "key": attr.label(allow_single_file = True, doc = "PEM private key file"),
        "pkcs11_uri": attr.string(doc = "pkcs11: URI of a token key"),
        "pkcs11_module": attr.string(doc = "PKCS#11 module (.so) for the token"),
        "pin_env": attr.string(default = "DIGSIG_PKCS11_PIN"),
        "cert": attr.label(allow_single_file = True, mandatory = True),
        "development": attr.bool(
            default = False,
            doc = "A development key: signs, but is marked as not for production.",
        ),
    },
    provides = [DigsigKeyInfo],
)
