#!/usr/bin/env bash
# make release-check: what a Registry release needs, checked offline.
#
#  1. actionlint on .github/workflows/*.yml
#  2. goreleaser check on .goreleaser.yml
#  3. the goreleaser version that release.yml runs is the one pinned here
#  4. go mod tidy -diff, with the module proxy (see below for why)
#  5. a snapshot release for this host only (no publishing, no network:
#     GOPROXY=off, GOTOOLCHAIN=local), signed with a throwaway GPG key made in
#     the temp dir (never the release key: that lives only in the release
#     workflow's secrets), then the names the Registry expects, checked one
#     by one:
#       terraform-provider-stackone_{VERSION}_{os}_{arch}.zip
#         holding the binary terraform-provider-stackone_v{VERSION}
#       terraform-provider-stackone_{VERSION}_SHA256SUMS
#         listing the zip and terraform-provider-stackone_{VERSION}_manifest.json
#         (the manifest's sum being that of terraform-registry-manifest.json)
#         and nothing else
#       terraform-provider-stackone_{VERSION}_SHA256SUMS.sig
#         a detached signature that verifies against the final SHA256SUMS
#     (goreleaser v2.15.0-v2.15.1 rewrote SHA256SUMS after signing it, adding
#     the .sig to it, which broke every signature: this is the check for that.)
#     and, outside that file set, the test commands for the same platform:
#       stackone-sandbox_{VERSION}_{os}_{arch}.tar.gz (.zip on windows)
#         holding stackone-sandbox, which runs (-h)
#       stackone-link_{VERSION}_{os}_{arch}.tar.gz, likewise
#       each with a .sha256 that sha256sum -c accepts and a .sig that verifies
#  5. go install MODULE/cmd/stackone-sandbox@VERSION (and stackone-link) works
#     as users run it: the checkout served as a module version from a local
#     file proxy (the other modules from the local module cache), into a
#     throwaway module cache, so a replace directive or a command that is not
#     a main package fails here rather than for users
#
# Run through make (it installs the pinned tools and passes their paths in
# GORELEASER and ACTIONLINT). Output goes to a temp dir, removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${GORELEASER:?run through make release-check}"
: "${ACTIONLINT:?run through make release-check}"
: "${GORELEASER_VERSION:?run through make release-check}"

project=terraform-provider-stackone
fail() { echo "release-check: FAIL: $*" >&2; exit 1; }

echo "--- actionlint $("$ACTIONLINT" -version | head -1)"
# shellcheck and pyflakes integrations off, so the result does not depend on
# what else happens to be installed on the machine.
"$ACTIONLINT" -no-color -shellcheck= -pyflakes= || fail "actionlint found problems in .github/workflows"

echo "--- goreleaser check"
"$GORELEASER" check --config .goreleaser.yml || fail ".goreleaser.yml does not pass goreleaser check"

echo "--- release.yml runs goreleaser $GORELEASER_VERSION"
grep -Eq "^[[:space:]]+version:[[:space:]]*['\"]?${GORELEASER_VERSION}['\"]?[[:space:]]*(#.*)?$" .github/workflows/release.yml ||
	fail ".github/workflows/release.yml does not pin goreleaser ${GORELEASER_VERSION} (GORELEASER_VERSION in GNUmakefile)"

echo "--- registry manifest"
grep -Eq '"protocol_versions"[[:space:]]*:[[:space:]]*\[[[:space:]]*"6\.0"[[:space:]]*\]' terraform-registry-manifest.json ||
	fail "terraform-registry-manifest.json does not declare protocol_versions [\"6.0\"] (the provider serves protocol 6)"

goos=$(go env GOOS)
goarch=$(go env GOARCH)
tmp=$(mktemp -d -t release-check-XXXXXX)
export GNUPGHOME=$tmp/gnupg
cleanup() {
	gpgconf --kill gpg-agent >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# Host-only copy of .goreleaser.yml: the goos/goarch lists replaced by this
# host's, the output directory moved to the temp dir. Everything else (names,
# checksum, manifest, flags) is the release configuration as it is.
# The commands' builds reuse the lists through YAML anchors ("goos: &goos
# [...]", then "goos: *goos"), so one line per key sets every build.
replace_once() { # key value: the one line "    key: [&anchor] [...]" becomes "    key: [&anchor] [value]"
	local n
	n=$(grep -Ec "^[[:space:]]+$1:[[:space:]]*(&[[:alnum:]_]+[[:space:]]+)?\[.*\][[:space:]]*$" "$tmp/goreleaser.yml" || true)
	[ "$n" = 1 ] || fail "host-only override: expected one flow-style '$1: [...]' line in .goreleaser.yml, found $n"
	sed -E -i "s/^([[:space:]]+$1:[[:space:]]*(&[[:alnum:]_]+[[:space:]]+)?)\[.*\][[:space:]]*$/\1[$2]/" "$tmp/goreleaser.yml"
}
grep -Eq '^dist:' .goreleaser.yml && fail "host-only override: .goreleaser.yml sets dist:, which the check needs to set"
cp .goreleaser.yml "$tmp/goreleaser.yml"
replace_once goos "$goos"
replace_once goarch "\"$goarch\""
printf '\ndist: %s\n' "$tmp/dist" >>"$tmp/goreleaser.yml"

echo "--- throwaway signing key"
command -v gpg >/dev/null || fail "gpg is not installed (Debian package gpg): the check signs the snapshot with a throwaway key"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "release-check throwaway key <release-check@example.invalid>" ed25519 sign 1d \
	>"$tmp/gpg.log" 2>&1 || {
	cat "$tmp/gpg.log"
	fail "could not make a throwaway GPG key"
}
fingerprint=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')
[ -n "$fingerprint" ] || fail "no fingerprint for the throwaway GPG key"
echo "  $fingerprint (in $GNUPGHOME, removed afterwards)"

# .goreleaser.yml's before hook runs `go mod tidy -diff`. Tidy loads the tests
# of every package the provider imports, so it needs modules that only those
# tests use, which `go mod download` never fetches: offline, on an empty module
# cache, the hook fails with "module lookup disabled by GOPROXY=off". Running
# the same check here first, with the module proxy the build uses anyway,
# fetches them into the cache and fails with tidy's own diff when go.mod or
# go.sum is not tidy. The snapshot below then runs the hook offline.
echo "--- go mod tidy -diff (online: fetches what tidy reads into the module cache)"
go mod tidy -diff || fail "go mod tidy -diff failed: go.mod or go.sum is not tidy (run go mod tidy and commit the result), or the modules it reads could not be fetched (above)"

echo "--- goreleaser release --snapshot for ${goos}_${goarch} (throwaway key, no publishing, offline)"
GOPROXY=off GOTOOLCHAIN=local GPG_FINGERPRINT=$fingerprint \
	"$GORELEASER" release --snapshot --clean --skip=publish,announce,validate \
	--config "$tmp/goreleaser.yml" >"$tmp/goreleaser.log" 2>&1 || {
	cat "$tmp/goreleaser.log"
	fail "goreleaser snapshot build failed"
}
grep -E 'building|archiving|signing|release succeeded|snapshot' "$tmp/goreleaser.log" | sed 's/^/  /' || true

dist=$tmp/dist
version=$(jq -r .version "$dist/metadata.json")
[ -n "$version" ] && [ "$version" != null ] || fail "no version in dist/metadata.json"

echo "--- names the Registry expects (VERSION=$version)"
zip=${project}_${version}_${goos}_${goarch}.zip
sums=${project}_${version}_SHA256SUMS
manifest=${project}_${version}_manifest.json
binary=${project}_v${version}

echo "  produced:"
(cd "$dist" && find . -maxdepth 1 -type f ! -name '*.json' ! -name '*.yaml' | sort | sed 's|^\./|    |')

[ -f "$dist/$zip" ] || fail "no $zip in the snapshot (zips: $(cd "$dist" && ls ./*.zip 2>/dev/null | tr '\n' ' '))"
nzips=$(find "$dist" -maxdepth 1 -name "${project}_*.zip" | wc -l)
[ "$nzips" = 1 ] || fail "expected one provider zip for ${goos}_${goarch}, found $nzips"
echo "  ok  $zip"

unzip -Z1 "$dist/$zip" | grep -qx "$binary" || fail "$zip does not hold $binary (it holds: $(unzip -Z1 "$dist/$zip" | tr '\n' ' '))"
echo "  ok  $zip holds $binary"

[ -f "$dist/$sums" ] || fail "no $sums in the snapshot (found: $(cd "$dist" && ls | grep -i sum | tr '\n' ' '))"
echo "  ok  $sums:"
sed 's/^/        /' "$dist/$sums"

zip_sum=$(sha256sum "$dist/$zip" | cut -d' ' -f1)
grep -Eq "^${zip_sum}[[:space:]]+${zip}$" "$dist/$sums" || fail "$sums has no line '$zip_sum  $zip'"
echo "  ok  $sums lists $zip with its sha256"

manifest_sum=$(sha256sum terraform-registry-manifest.json | cut -d' ' -f1)
grep -Eq "^${manifest_sum}[[:space:]]+${manifest}$" "$dist/$sums" ||
	fail "$sums has no line '$manifest_sum  $manifest' (the sum of terraform-registry-manifest.json)"
echo "  ok  $sums lists $manifest with the sha256 of terraform-registry-manifest.json"

extra=$(grep -Ev "[[:space:]](${zip}|${manifest})$" "$dist/$sums" || true)
[ -z "$extra" ] || fail "$sums lists files the Registry does not expect: $extra"
echo "  ok  $sums lists nothing else"

sig=${sums}.sig
[ -f "$dist/$sig" ] || fail "no $sig in the snapshot (found: $(cd "$dist" && ls | grep -i sig | tr '\n' ' '))"
gpg --batch --verify "$dist/$sig" "$dist/$sums" >"$tmp/verify.log" 2>&1 || {
	cat "$tmp/verify.log"
	fail "$sig does not verify against $sums (was $sums changed after it was signed?)"
}
echo "  ok  $sig verifies against $sums"

echo "--- the test commands, beside the Registry's files"
ext=tar.gz
[ "$goos" = windows ] && ext=zip
for cmd in stackone-sandbox stackone-link; do
	archive=${cmd}_${version}_${goos}_${goarch}.${ext}
	[ -f "$dist/$archive" ] || fail "no $archive in the snapshot"
	if [ "$ext" = zip ]; then
		unzip -o -q "$dist/$archive" -d "$tmp/$cmd" || fail "cannot unpack $archive"
	else
		mkdir -p "$tmp/$cmd" && tar -xzf "$dist/$archive" -C "$tmp/$cmd" || fail "cannot unpack $archive"
	fi
	bin=$tmp/$cmd/$cmd
	[ "$goos" = windows ] && bin=$bin.exe
	[ -x "$bin" ] || fail "$archive does not hold $cmd (it holds: $(ls "$tmp/$cmd" | tr '\n' ' '))"
	"$bin" -h >"$tmp/$cmd.help" 2>&1 || true
	grep -q "^Usage" "$tmp/$cmd.help" || grep -q "^  -" "$tmp/$cmd.help" || fail "$cmd from $archive does not run: $(head -3 "$tmp/$cmd.help")"
	echo "  ok  $archive holds $cmd, which runs"
	[ -f "$dist/$archive.sha256" ] || fail "no $archive.sha256 in the snapshot"
	(cd "$dist" && sha256sum -c --status "$archive.sha256") || fail "$archive.sha256 does not match $archive: $(cat "$dist/$archive.sha256")"
	echo "  ok  $archive.sha256 matches"
	gpg --batch --verify "$dist/$archive.sig" "$dist/$archive" >"$tmp/verify.log" 2>&1 || {
		cat "$tmp/verify.log"
		fail "$archive.sig does not verify against $archive"
	}
	echo "  ok  $archive.sig verifies"
	grep -q "$cmd" "$dist/$sums" && fail "$sums lists $cmd's files: the Registry's checksum file must hold only the provider's"
done

echo "--- go install MODULE/cmd/...@VERSION, as users install the commands"
module=$(go list -m)
modversion=v0.0.0-releasecheck
proxy=$tmp/goproxy/$module/@v
mkdir -p "$proxy" "$tmp/modsrc/$module@$modversion"
# The files a module zip holds: tracked (and new, unignored) files outside
# folders that are modules of their own.
nested=$(git ls-files '*/go.mod' | xargs -r -n1 dirname)
git ls-files -co --exclude-standard | while read -r f; do
	for d in $nested; do case $f in "$d"/*) continue 2 ;; esac; done
	[ -f "$f" ] && printf '%s\n' "$f"
done >"$tmp/modfiles"
tar -cf - -T "$tmp/modfiles" | tar -xf - -C "$tmp/modsrc/$module@$modversion"
(cd "$tmp/modsrc" && zip -qr "$proxy/$modversion.zip" "$module@$modversion") || fail "cannot zip the module"
cp go.mod "$proxy/$modversion.mod"
printf '{"Version":"%s","Time":"2026-01-01T00:00:00Z"}\n' "$modversion" >"$proxy/$modversion.info"
echo "$modversion" >"$proxy/list"
modcache=$(go env GOMODCACHE)
for cmd in stackone-sandbox stackone-link; do
	GOMODCACHE=$tmp/modcache GOFLAGS=-modcacherw GOBIN=$tmp/gobin GOTOOLCHAIN=local GOSUMDB=off GONOSUMDB=$module \
		GOPROXY="file://$tmp/goproxy,file://$modcache/cache/download" \
		go install "$module/cmd/$cmd@$modversion" >"$tmp/goinstall.log" 2>&1 || {
		cat "$tmp/goinstall.log"
		fail "go install $module/cmd/$cmd@$modversion failed"
	}
	[ -x "$tmp/gobin/$cmd" ] || fail "go install $module/cmd/$cmd@$modversion installed no $cmd"
	echo "  ok  go install $module/cmd/$cmd@VERSION"
done

echo "release-check: ok"
