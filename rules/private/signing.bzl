"""What every signing action shares: the tool, the key arguments, and where
the action may run (token keys never leave the machine or reach a cache)."""

load(":providers.bzl", "DigsigKeyInfo")

SIGNING_ATTRS = {
    "key": attr.label(
        default = "//rules:default_key",
        providers = [DigsigKeyInfo],
        doc = "The digsig_key to sign with (default: the development key, or the " +
              "release key under --config=release).",
    ),
    "hash": attr.string(default = "sha256", values = ["sha256", "sha384", "sha512"]),
    "_digsig": attr.label(
        default = "//signer/tools:digsig",
        executable = True,
        cfg = "exec",
    ),
}

def key_info(ctx):
    return ctx.attr.key[DigsigKeyInfo]

def key_arguments(key):
    """The digsig flags that select `key`."""
    args = ["--cert", key.cert.path]
    if key.key:
        args += ["--key", key.key.path]
    else:
        args += ["--key", key.pkcs11_uri]
        if key.pkcs11_module:
            args += ["--pkcs11-module", key.pkcs11_module]
    if key.development:
        # A checkout does not keep mode 0600; the development key is public anyway.
        args.append("--allow-insecure-key")
    return args

def key_inputs(key):
    return [key.cert] + ([key.key] if key.key else [])

def execution_requirements(key):
    """A token is attached to this machine and its signatures must come from
    it: such actions run locally and are never cached remotely or on disk."""
    if key.pkcs11_uri:
        return {"no-remote": "1", "no-cache": "1", "local": "1"}
    return {}

def uses_shell_env(key):
    """Token keys need their PIN variable, which reaches the action only
    through --action_env=NAME (inherited from the client, never in a BUILD
    file); file keys need nothing from the environment."""
    return bool(key.pkcs11_uri)

def run_digsig(ctx, command, flags, src, out, mnemonic, progress_message):
    """One signing action: `digsig COMMAND FLAGS <key flags> -o OUT SRC`,
    with the key as an input and the key's execution requirements."""
    key = key_info(ctx)
    ctx.actions.run(
        executable = ctx.executable._digsig,
        arguments = [command, "--hash", ctx.attr.hash] + flags + key_arguments(key) +
                    ["-o", out.path, src.path],
        inputs = [src] + key_inputs(key),
        outputs = [out],
        mnemonic = mnemonic,
        progress_message = progress_message,
        execution_requirements = execution_requirements(key),
        use_default_shell_env = uses_shell_env(key),
    )
