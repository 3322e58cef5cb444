"""bundled_repository: a repository kept inside digsig's own tree (the
offline shims under third_party/), wherever digsig itself is.

local_repository resolves a relative path against the main workspace, which
is the product's when digsig is an external repository; this rule finds the
directory from a label of digsig's instead, so the same call works from
digsig's WORKSPACE and from a product's."""

def _bundled_repository_impl(ctx):
    root = ctx.path(ctx.attr.workspace_file).dirname
    for entry in root.readdir():
        ctx.symlink(entry, entry.basename)

bundled_repository = repository_rule(
    implementation = _bundled_repository_impl,
    attrs = {
        "workspace_file": attr.label(
            mandatory = True,
            doc = "the WORKSPACE file of the directory to expose, as a label of digsig's",
        ),
    },
)
