"""Public API of the digsig Bazel rules. Load everything from here:

    load("@digsig//rules:defs.bzl", "digsig_key", "digsig_signed", "digsig_rootfs", "kernel_module",
         "digsig_certificate")

docs/bazel.md shows how a product adopts them.
"""

load("//rules/private:certificate.bzl", _digsig_certificate = "digsig_certificate")
load("//rules/private:kernel_module.bzl", _kernel_module = "kernel_module")
load("//rules/private:key.bzl", _digsig_key = "digsig_key")
load("//rules/private:providers.bzl", _DigsigKeyInfo = "DigsigKeyInfo")
load("//rules/private:rootfs.bzl", _digsig_rootfs = "digsig_rootfs")
load("//rules/private:sign.bzl", _digsig_signed = "digsig_signed")

DigsigKeyInfo = _DigsigKeyInfo
digsig_key = _digsig_key
digsig_signed = _digsig_signed
digsig_rootfs = _digsig_rootfs
kernel_module = _kernel_module
digsig_certificate = _digsig_certificate
