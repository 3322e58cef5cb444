"""The external repositories digsig's rules and tools need. A product's
WORKSPACE, after declaring @digsig, calls the one macro (digsig's own
WORKSPACE calls it too, so the list lives here only):

    load("@digsig//rules:deps.bzl", "digsig_dependencies")

    digsig_dependencies()

docs/bazel.md shows the whole product WORKSPACE.
"""

load("//rules/private:bundled_repository.bzl", "bundled_repository")
load("//rules/private:kernel_headers.bzl", "kernel_headers_repository")

# @bazel_tools loads @rules_cc and @rules_java, and `bazel test` references
# @remote_coverage_tools; without these shims Bazel would download them.
_SHIMS = ["rules_cc", "rules_java", "remote_coverage_tools"]

# What the digsig tool links against (Debian 12 packages), by repository
# name -> the prefix its BUILD file's paths are relative to.
_SYSTEM_LIBRARIES = {
    "libarchive": "/usr",
    "llvm": "/usr/lib/llvm-14",
    "openssl": "/usr",
    "yaml_cpp": "/usr",
}

def _maybe(repository_rule, name, **kwargs):
    # A repository the workspace already declared wins: a product may bring
    # its own rules_cc or OpenSSL.
    if not native.existing_rule(name):
        repository_rule(name = name, **kwargs)

def digsig_dependencies():
    """Declares every repository digsig's rules need and the workspace has not declared."""
    for name in _SHIMS:
        _maybe(bundled_repository, name, workspace_file = Label("//third_party/%s:WORKSPACE" % name))
    for name, prefix in _SYSTEM_LIBRARIES.items():
        # Resolved here, in digsig's repository ("@digsig//third_party/..."
        # from a product): a bare "//third_party/..." would name the product's
        # package. The native rule takes the label as a string.
        _maybe(
            native.new_local_repository,
            name,
            path = prefix,
            build_file = str(Label("//third_party/system:%s.BUILD" % name)),
        )

    # Python tools (make_rootfs, cert_file) need an interpreter Debian 12
    # has; toolchains registered earlier take precedence.
    native.register_toolchains(str(Label("//third_party/python:toolchain")))

    # The kernel build directory kernel_module builds against, found on this
    # machine (rules/private/kernel_headers.bzl says where it looks).
    _maybe(kernel_headers_repository, "kernel_headers")
