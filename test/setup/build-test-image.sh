#!/usr/bin/env bash
# Builds remote-swarm/test-busybox: a tiny image from Debian's busybox-static, for fast Docker lifecycle tests.
# It runs busybox httpd on port 8080 serving GET /healthz -> {"status":"alive","lastHeartbeat":0}, like code-server.
# The image is tagged with a hash of this recipe and busybox-static's version, so a rebuild happens only when either changes;
# remote-swarm/test-busybox:latest always points at the current build.
set -euo pipefail

REPO=remote-swarm/test-busybox
BUSYBOX=/bin/busybox

source "$(dirname "$0")/image-cache.sh"
require_docker
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' ||
  fail "Debian's busybox-static is missing (a static $BUSYBOX is needed inside the image). Install it with: apt-get install busybox-static"

hash=$(dpkg-query -W -f='${Version}' busybox-static | recipe_hash)
TAG="$REPO:$hash"
reuse_cached_image "$REPO" "$hash"

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,www}
chmod 1777 "$rootfs/tmp"
cp "$BUSYBOX" "$rootfs/bin/busybox"
# The equivalent of `busybox --install -s`, without running anything as root in a chroot.
"$BUSYBOX" --list-full | while read -r applet; do
  [ "$applet" = bin/busybox ] || ln -s /bin/busybox "$rootfs/$applet"
done

echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
printf '{"status":"alive","lastHeartbeat":0}' >"$rootfs/www/healthz"

# PID 1 ignores SIGTERM unless it traps it, so `docker stop` would wait for its timeout without the trap.
# The container outlives httpd, so a test can make the server stop answering (pkill httpd) while the instance runs,
# and can set what /healthz says by writing /www/healthz.
cat >"$rootfs/start" <<'EOF'
#!/bin/sh
trap 'exit 0' TERM INT
echo "remote-swarm test image: busybox httpd serving /healthz on port 8080"
httpd -f -p 8080 -h /www &
while :; do
  sleep 3600 &
  wait $!
done
EOF
chmod 755 "$rootfs/start"

tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . |
  docker import \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'EXPOSE 8080' \
    --change 'CMD ["/start"]' \
    --message "remote-swarm test image (recipe $hash)" \
    - "$TAG" >/dev/null
docker tag "$TAG" "$REPO:latest"
echo "$TAG (built)"
