"""What a signing key target hands to the signing rules."""

DigsigKeyInfo = provider(
    doc = "A private key (a file, or a pkcs11: URI on a token) and its certificate.",
    fields = {
        "key": "File: the PEM private key, or None for a token key",
        "pkcs11_uri": "string: the pkcs11: URI of a token key, or \"\"",
        "pkcs11_module": "string: the PKCS#11 module for the token, or \"\"",
        "pin_env": "string: the environment variable that holds the token PIN",
        "cert": "File: the certificate (PEM or DER)",
        "development": "bool: a key that must not sign products",
    },
)
