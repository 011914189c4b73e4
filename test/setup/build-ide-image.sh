#!/usr/bin/env bash
# Builds remote-swarm/ide: a real IDE image for end-to-end tests, as `docker import` of a Debian bookworm rootfs made by
# debootstrap (--variant=minbase) with openssh-server, this machine's Node.js 20 binary and the code-server install that
# test/setup/install-code-server.sh keeps in its cache. No registry is involved.
# PID 1 starts sshd, then code-server as user "coder" on port 8080 serving the container's working directory, with
# password auth when $PASSWORD is set (as Remote Swarm sets it).
# The tag is a hash of this recipe, the Node.js version and the code-server install, so it is rebuilt only when one
# changes; remote-swarm/ide:latest points at the current build. Prints "<tag> (cached|built)". Building needs root
# (debootstrap, chroot): run by another user, it builds through test/setup/as-root.sh (sudo).
set -euo pipefail

REPO=remote-swarm/ide
SUITE=bookworm

source "$(dirname "$0")/image-cache.sh"

# The Debian mirror apt already uses for $SUITE (one-line or deb822 sources), else deb.debian.org.
debian_mirror() {
  {
    grep -hsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
      sed -E 's/\[[^]]*\]//' | awk -v suite="$SUITE" '$3 == suite { print $2; exit }' || true
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk -v suite="$SUITE" 'BEGIN { RS = "" } $0 ~ ("Suites:[^\n]*[[:space:]]" suite "([[:space:]]|$)") {
        if (match($0, /URIs:[[:space:]]*[^[:space:]]+/)) { uri = substr($0, RSTART, RLENGTH); sub(/URIs:[[:space:]]*/, "", uri); print uri; exit } }'
    echo http://deb.debian.org/debian
  } | awk 'NR == 1'
}

require_docker

launcher=$(bash "$(dirname "$0")/install-code-server.sh")
code_server=$(cd "$(dirname "$launcher")/../.." && pwd)
node_binary=$(readlink -f "$(command -v node)")

hash=$( { "$node_binary" --version; basename "$code_server"; } | recipe_hash)
TAG="$REPO:$hash"
reuse_cached_image "$REPO" "$hash"

command -v debootstrap >/dev/null || fail "debootstrap is missing. Install it with: apt-get install debootstrap (or npm run setup)"
[ "$(id -u)" -eq 0 ] || exec bash "$(dirname "$0")/as-root.sh" bash "$0"

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mirror=$(debian_mirror)
echo "debootstrap $SUITE from $mirror ..." >&2
if ! debootstrap --variant=minbase --include=openssh-server,libstdc++6 "$SUITE" "$rootfs" "$mirror" >"$rootfs.log" 2>&1; then
  tail -30 "$rootfs.log" >&2
  fail "debootstrap failed (the log's end is above; full log: $rootfs.log)"
fi
rm -f "$rootfs.log"

chroot "$rootfs" useradd --create-home --uid 1000 --shell /bin/bash coder
install -d -o 1000 -g 1000 "$rootfs/home/coder/project"
install -m 755 "$node_binary" "$rootfs/usr/local/bin/node"
cp -a "$code_server" "$rootfs/usr/local/lib/code-server"
ln -s ../lib/code-server/node_modules/.bin/code-server "$rootfs/usr/local/bin/code-server"
# Every container makes its own SSH host keys at start.
rm -f "$rootfs"/etc/ssh/ssh_host_*
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc "$rootfs"/usr/share/man

cat >"$rootfs/usr/local/bin/start-ide" <<'EOF'
#!/bin/sh
# PID 1 of a Remote Swarm IDE container: sshd in the background, code-server as "coder" serving the working directory.
set -e
ssh-keygen -A >/dev/null
mkdir -p /run/sshd
/usr/sbin/sshd
auth=none
[ -n "${PASSWORD:-}" ] && auth=password
exec setpriv --reuid=coder --regid=coder --init-groups env HOME=/home/coder USER=coder \
  code-server --bind-addr 0.0.0.0:8080 --auth "$auth" --disable-telemetry --disable-update-check "$PWD"
EOF
chmod 755 "$rootfs/usr/local/bin/start-ide"

tar -C "$rootfs" --numeric-owner -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /home/coder/project' \
    --change 'EXPOSE 8080' \
    --change 'EXPOSE 22' \
    --change 'CMD ["/usr/local/bin/start-ide"]' \
    --message "remote-swarm IDE image (recipe $hash)" \
    - "$TAG" >/dev/null
docker tag "$TAG" "$REPO:latest"
echo "$TAG (built)"
