#!/usr/bin/env bash
# Installs code-server from npm into a cache folder outside the repository (it is not a dependency of the extension):
# ${REMOTE_SWARM_CACHE:-$HOME/.cache/remote-swarm}/code-server-<version>-node<ABI>, once per version and Node ABI.
# Prints the path of that folder's `code-server` launcher. The workbench tests, `npm start` and the IDE image use it.
set -euo pipefail

VERSION=${CODE_SERVER_VERSION:-4.100.3}
CACHE=${REMOTE_SWARM_CACHE:-$HOME/.cache/remote-swarm}
# @vscode/ripgrep (a code-server dependency) downloads rg from GitHub unless its cache already holds this archive.
RIPGREP_CACHE=vscode-ripgrep-cache-1.15.11
RIPGREP_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

fail() {
  echo "install-code-server.sh: $*" >&2
  exit 1
}

command -v node >/dev/null || fail "Node.js is missing; code-server $VERSION needs Node.js 20 (https://nodejs.org or NodeSource)."
[ "$(node -p 'process.versions.node.split(".")[0]')" = 20 ] ||
  fail "code-server $VERSION needs Node.js 20, this is $(node --version)."

TARGET=$CACHE/code-server-$VERSION-node$(node -p process.versions.modules)
LAUNCHER=$TARGET/node_modules/.bin/code-server
if [ -f "$TARGET/.installed" ]; then
  echo "$LAUNCHER"
  exit 0
fi

missing=()
dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'install ok installed' || missing+=(libkrb5-dev)
command -v rg >/dev/null || missing+=(ripgrep)
for tool in make g++ python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] ||
  fail "code-server's native modules need: ${missing[*]}. Install them with: apt-get install libkrb5-dev ripgrep build-essential python3 (or run test/setup/prerequisites.sh as root)"

mkdir -p "$CACHE"
# One install at a time: `npm test` and `npm start` may both get here.
exec 9>"$CACHE/.code-server.lock"
flock 9
if [ -f "$TARGET/.installed" ]; then
  echo "$LAUNCHER"
  exit 0
fi

staging=$(mktemp -d "$CACHE/.code-server-$VERSION.XXXXXX")
trap 'rm -rf "$staging"' EXIT
chmod 755 "$staging"
mkdir -p "$staging/tmp/$RIPGREP_CACHE" "$staging/rg"
cp "$(command -v rg)" "$staging/rg/rg"
tar -C "$staging/rg" -czf "$staging/tmp/$RIPGREP_CACHE/$RIPGREP_ARCHIVE" rg
echo '{ "private": true }' >"$staging/package.json"

echo "Installing code-server $VERSION into $TARGET (about a minute) ..." >&2
# npm 11 warns about (and may be configured to block) dependency install scripts; code-server's postinstall builds its
# native modules, so this one install allows them. unsafe-perm and yes are what older npm needs as root.
if ! (cd "$staging" && TMPDIR=$staging/tmp npm_config_unsafe_perm=true npm_config_yes=true \
  npm_config_dangerously_allow_all_scripts=true npm_config_strict_allow_scripts=false \
  npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$VERSION") >"$staging/install.log" 2>&1; then
  tail -40 "$staging/install.log" >&2
  fail "npm install code-server@$VERSION failed (the log's end is above)."
fi
XDG_CONFIG_HOME=$staging/tmp "$staging/node_modules/.bin/code-server" --version >/dev/null 2>&1 || fail "the installed code-server does not run: $staging/node_modules/.bin/code-server --version"

rm -rf "$staging/tmp" "$staging/rg" "$TARGET"
touch "$staging/.installed"
mv "$staging" "$TARGET"
trap - EXIT
echo "$LAUNCHER"
