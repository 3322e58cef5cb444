"""digsig_certificate: the certificate of a signing key (by default the
build's, //rules:default_key, so the release key under --config=release) in
a form the board takes: DER (for the _ima keyring or digsig.ko's keys file)
or the C header digsig.ko compiles in."""

load(":providers.bzl", "DigsigKeyInfo")

_FORMS = {
    "der": ("der", "{name}.der"),
    "c_header": ("c-header", "digsig_certs.h"),
}

def _digsig_certificate_impl(ctx):
    form, out_name = _FORMS[ctx.attr.format]
    cert = ctx.attr.key[DigsigKeyInfo].cert
    out = ctx.actions.declare_file(out_name.format(name = ctx.attr.name))
    ctx.actions.run(
        executable = ctx.executable._cert_file,
        arguments = [form, cert.path, out.path],
        inputs = [cert],
        outputs = [out],
        mnemonic = "DigsigCertificate",
    )
    return [DefaultInfo(files = depset([out]))]

digsig_certificate = rule(
    implementation = _digsig_certificate_impl,
    doc = "The key's certificate as DER (NAME.der) or as digsig_certs.h.",
    attrs = {
        "format": attr.string(values = _FORMS.keys(), default = "der"),
        "key": attr.label(default = "//rules:default_key", providers = [DigsigKeyInfo]),
        "_cert_file": attr.label(
            default = "//rules/private:cert_file",
            executable = True,
            cfg = "exec",
        ),
    },
)
