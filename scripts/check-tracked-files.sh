#!/usr/bin/env bash
# Fails when git tracks a compiled program or a file over 1 MiB.
#
# A `go build` in a command's folder leaves a binary named after the folder,
# and one `git add .` puts tens of megabytes into every clone for good
# (.gitignore covers cmd/*/*, but not a build elsewhere). What is checked is
# the content git tracks (the index), not the work tree:
#   - size: over 1 MiB (1048576 bytes);
#   - a compiled program, by its first bytes: ELF (7f 45 4c 46), Mach-O
#     (fe ed fa ce / fe ed fa cf, either byte order, and the fat ca fe ba be),
#     PE (MZ with "PE\0\0" where the MZ header points);
#   - a file with the executable bit that is not a script (no "#!" first).
# Needs only git and od, so it runs on any CI image without `file`. Only the
# files git itself finds binary (a NUL byte in the first 8000) or executable
# are read: a compiled program always has NUL bytes in its header.
set -euo pipefail
cd "$(dirname "$0")/.."

max=$((1024 * 1024))
problems=()

# hex N OFFSET FILE: N bytes of FILE from OFFSET, as lower-case hex.
hex() { od -An -tx1 -j "$2" -N "$1" -- "$3" | tr -d ' \n'; }

kind_of() { # file -> the kind of compiled program it is, or nothing
	local file=$1 magic pe_offset
	magic=$(hex 4 0 "$file")
	case "$magic" in
	7f454c46) echo "an ELF executable or library" ;;
	feedface | feedfacf | cefaedfe | cffaedfe) echo "a Mach-O executable or library" ;;
	cafebabe) echo "a fat Mach-O binary (or a Java class file)" ;;
	4d5a*)
		# MZ: a PE file has "PE\0\0" at the 32-bit little-endian offset at 0x3c.
		pe_offset=$(od -An -tu4 -j 60 -N 4 --endian=little -- "$file" | tr -d ' \n')
		if [ -n "$pe_offset" ] && [ "$(hex 4 "$pe_offset" "$file")" = 50450000 ]; then
			echo "a Windows PE executable or DLL"
		fi
		;;
	esac
}

tmp=$(mktemp -d -t check-tracked-files-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The index once: "mode blob stage<TAB>path", and git's own text/binary verdict
# on the indexed content ("i/-text" for binary) per path.
mapfile -d '' -t entries < <(git ls-files -s -z)
declare -A binary=()
while IFS= read -r -d '' line; do
	[[ $line == i/-text* ]] && binary[${line#*$'\t'}]=1
done < <(git ls-files --eol -z)
mapfile -t sizes < <(for entry in "${entries[@]}"; do
	read -r _ blob _ <<<"${entry%%$'\t'*}"
	echo "$blob"
done | git cat-file --batch-check='%(objectsize)')

for i in "${!entries[@]}"; do
	entry=${entries[$i]}
	path=${entry#*$'\t'}
	read -r mode blob _ <<<"${entry%%$'\t'*}"
	[ "$mode" = 160000 ] && continue # a submodule: no blob here
	[ "$mode" = 120000 ] && continue # a symlink: its blob is the target's name
	if [ "${sizes[$i]}" -gt "$max" ]; then
		problems+=("$path: ${sizes[$i]} bytes, over the 1 MiB limit for a tracked file")
	fi
	[ -n "${binary[$path]:-}" ] || [ "$mode" = 100755 ] || continue
	file=$tmp/blob
	git cat-file blob "$blob" >"$file"
	kind=$(kind_of "$file")
	if [ -n "$kind" ]; then
		problems+=("$path: $kind (a build output: git rm --cached it and let .gitignore cover it)")
	elif [ "$mode" = 100755 ] && [ "$(hex 2 0 "$file")" != 2321 ]; then
		problems+=("$path: executable bit set but not a script (no #! line): chmod -x it, or it is a build output")
	fi
done

if [ "${#problems[@]}" -gt 0 ]; then
	echo "check-tracked-files: FAIL: tracked files that do not belong in the repository:" >&2
	printf '  %s\n' "${problems[@]}" >&2
	exit 1
fi
echo "check-tracked-files: ok (${#entries[@]} files: none compiled, none over 1 MiB)"
