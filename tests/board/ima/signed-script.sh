#!/bin/sh
# Shipped in the IMA board image, which signs every regular file
# (ima = "all"): exec'd directly, the kernel appraises this script as well.
echo "ima-script: a signed script runs"
