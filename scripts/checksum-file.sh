#!/bin/sh
# checksum-file.sh ARCHIVE OUT: writes "SHA256  ARCHIVE-NAME" for ARCHIVE to
# OUT, the line sha256sum -c reads in the folder the archive is downloaded
# to. .goreleaser.yml runs it (as a "signature") for the commands' archives,
# whose checksums stay out of the Registry's SHA256SUMS.
set -eu
out_dir=$(cd "$(dirname "$2")" && pwd)
out=$out_dir/$(basename "$2")
cd "$(dirname "$1")"
sha256sum "$(basename "$1")" >"$out"
