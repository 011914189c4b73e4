#!/usr/bin/env bash
# Runs a command as root: as it is when this user is root, else through sudo. Through sudo it keeps the caller's PATH
# (their Node.js), DOCKER_HOST and the cache folder of install-code-server.sh (sudo points HOME at root's; same default
# as there). Fails with what to do when neither works.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 command [argument...]" >&2; exit 2; }
command_line=$(printf '%q ' "$@")
command_line=${command_line% }

if [ "$(id -u)" -eq 0 ]; then
  exec "$@"
fi

if command -v sudo >/dev/null 2>&1; then
  echo "Running as root through sudo: $command_line" >&2
  exec sudo -- env "PATH=$PATH" "REMOTE_SWARM_CACHE=${REMOTE_SWARM_CACHE:-$HOME/.cache/remote-swarm}" \
    ${DOCKER_HOST:+"DOCKER_HOST=$DOCKER_HOST"} "$@"
fi

user=$(id -un)
cat >&2 <<MESSAGE
This step needs root, and $user is not root and this machine has no sudo. Either run it as root:
  su -c "$command_line"
or, as root, install sudo and let $user use it (apt-get install sudo && usermod -aG sudo $user), log in again and
run it again.
MESSAGE
exit 1
