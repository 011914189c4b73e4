# Sourced by the build-*-image.sh scripts: what they share for failing clearly and for reusing an image tagged with
# the hash of its recipe.

fail() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

require_docker() {
  command -v docker >/dev/null || fail "the docker CLI is missing. Install it with: apt-get install docker.io (then start dockerd)"
  docker info >/dev/null 2>&1 ||
    fail "cannot reach the Docker engine. Start it with: dockerd --iptables=false & (or systemctl start docker), and check the socket permissions / DOCKER_HOST"
}

# A 12-character hash of the calling script, this file and whatever else the recipe depends on (read from stdin).
recipe_hash() {
  { cat "$0" "${BASH_SOURCE[0]}"; cat; } | sha256sum | cut -c1-12
}

# When REPO:HASH exists, points REPO:latest at it, prints "<tag> (cached)" and ends the script.
reuse_cached_image() {
  local tag="$1:$2"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    docker tag "$tag" "$1:latest"
    echo "$tag (cached)"
    exit 0
  fi
}
