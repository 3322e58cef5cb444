"""host_files_repository: files from the host's Debian packages (prebuilt
ELF files such as busybox) as workspace inputs. Each file is copied, so its
content, not its path, is what the cache sees."""

def _host_files_impl(ctx):
    for name, path in ctx.attr.files.items():
        if not ctx.path(path).exists:
            fail("%s: %s does not exist (install the Debian package that ships it)" % (ctx.name, path))
        ctx.execute(["cp", "--dereference", path, name])
    ctx.file("BUILD", "exports_files(%r, visibility = [\"//visibility:public\"])\n" %
                      sorted(ctx.attr.files.keys()))

host_files_repository = repository_rule(
    implementation = _host_files_impl,
    attrs = {"files": attr.string_dict(doc = "name in the repository -> absolute host path")},
    local = True,
)
