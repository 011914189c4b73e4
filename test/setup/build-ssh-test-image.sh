#!/usr/bin/env bash
# Builds remote-swarm/test-sshd: the busybox test image (build-test-image.sh) plus Debian's OpenSSH sshd, for tests of
# instances reached over SSH (Remote-SSH connect). It runs sshd on port 22 (root, keys only) and busybox httpd on 8080.
# Its host key is made at build time. Tagged with a hash of this recipe, the base image and sshd's version; cached.
set -euo pipefail

REPO=remote-swarm/test-sshd
SSHD=/usr/sbin/sshd

source "$(dirname "$0")/image-cache.sh"

[ -x "$SSHD" ] || fail "OpenSSH's sshd is missing. Install it with: apt-get install openssh-server openssh-client"
command -v ssh-keygen >/dev/null || fail "ssh-keygen is missing. Install it with: apt-get install openssh-client"
base=$(bash "$(dirname "$0")/build-test-image.sh" | awk '{print $1}')
[ -n "$base" ] || fail "build-test-image.sh printed no image tag"

hash=$( { echo "$base"; dpkg-query -W -f='${Version}' openssh-server; } | recipe_hash)
TAG="$REPO:$hash"
reuse_cached_image "$REPO" "$hash"

rootfs=$(mktemp -d)
container=""
cleanup() {
  rm -rf "$rootfs"
  [ -z "$container" ] || docker rm -f "$container" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# sshd and the shared libraries it links (glibc's own loader included).
mkdir -p "$rootfs/usr/sbin" "$rootfs/etc/ssh" "$rootfs/run/sshd" "$rootfs/root" "$rootfs/var/empty"
cp "$SSHD" "$rootfs/usr/sbin/sshd"
ldd "$SSHD" | grep -o '/[^ ]*' | sort -u | while read -r library; do
  mkdir -p "$rootfs$(dirname "$library")"
  cp -L "$library" "$rootfs$library"
done

ssh-keygen -q -t ed25519 -N '' -C remote-swarm-test-sshd -f "$rootfs/etc/ssh/ssh_host_ed25519_key"
cat >"$rootfs/etc/ssh/sshd_config" <<'EOF'
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PidFile /run/sshd.pid
EOF
# sshd's privilege separation runs as the user "sshd".
printf 'root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
cat >"$rootfs/start-sshd" <<'EOF'
#!/bin/sh
/usr/sbin/sshd -e
exec /start
EOF
chmod 755 "$rootfs/start-sshd"

container=$(docker create "$base")
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . | docker cp - "$container:/"
docker commit --change 'CMD ["/start-sshd"]' --change 'EXPOSE 22 8080' \
  --message "remote-swarm sshd test image (recipe $hash)" "$container" "$TAG" >/dev/null
docker tag "$TAG" "$REPO:latest"
echo "$TAG (built)"
