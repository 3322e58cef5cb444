"""The enforce profile's part of a board image, for digsig_rootfs.

An image adds the profile's files and modes to its own and links the busybox
applets it runs; its init script sources ENFORCE_PROFILE and calls
`digsig_enforce_profile MODULE.ko...` (images/common/enforce-profile.sh,
docs/runtime.md "The board's enforce profile"):

    files = enforce_profile_files({...}),
    modes = enforce_profile_modes({...}),
    symlinks = {"/bin/" + a: "busybox" for a in APPLETS + ENFORCE_PROFILE_APPLETS},
"""

# Where the image's init script finds the profile.
ENFORCE_PROFILE = "/lib/digsig/enforce-profile.sh"

# The profile and the module it loads first (the path it expects).
_FILES = {
    "//images/common:enforce-profile.sh": ENFORCE_PROFILE,
    "//kmod:digsig": "/lib/modules/digsig/digsig.ko",
}

# Read, not exec'd: neither is a program.
_MODES = {
    ENFORCE_PROFILE: "0644",
    "/lib/modules/digsig/digsig.ko": "0644",
}

# The busybox applets the profile runs (echo and read are shell builtins).
ENFORCE_PROFILE_APPLETS = ["sh", "mount", "cat", "insmod", "sysctl"]

def _merged(profile, image):
    merged = dict(profile)
    merged.update(image)
    return merged

def enforce_profile_files(files):
    """An image's digsig_rootfs `files` and the profile's."""
    return _merged(_FILES, files)

def enforce_profile_modes(modes):
    """An image's digsig_rootfs `modes` and the profile's."""
    return _merged(_MODES, modes)
