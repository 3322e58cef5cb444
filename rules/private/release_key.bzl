"""release_key: the product's release key, configured at build time, with a
loud failure when a release build is asked for without it."""

load(":providers.bzl", "DigsigKeyInfo")

def _release_key_impl(ctx):
    uri = ctx.var.get("DIGSIG_RELEASE_KEY", "")
    cert = ctx.file.cert
    if not uri or not cert:
        fail("\n".join([
            "--config=release needs the release key, and this build has not got it:",
            "  --define=DIGSIG_RELEASE_KEY=pkcs11:... (the token key's URI)" +
            ("" if uri else "   <- missing"),
            "  keys/release.pem (the release certificate, committed)" +
            ("" if cert else "   <- missing"),
            "Without --config=release the build signs with the development key.",
        ]))
    if not uri.startswith("pkcs11:"):
        fail("DIGSIG_RELEASE_KEY must be a pkcs11: URI: release keys stay on a token")
    return [
        DefaultInfo(files = depset([cert])),
        DigsigKeyInfo(
            key = None,
            pkcs11_uri = uri,
            pkcs11_module = ctx.var.get("DIGSIG_PKCS11_MODULE", ""),
            pin_env = "DIGSIG_PKCS11_PIN",
            cert = cert,
            development = False,
        ),
    ]

release_key = rule(
    implementation = _release_key_impl,
    attrs = {
        # Optional so that a missing certificate gets the message above.
        "cert": attr.label(allow_single_file = True),
    },
)
