#!/usr/bin/env bash
# `npm run setup`: prepares this Debian/Ubuntu machine for `npm start` and `npm test`. Idempotent, and quick once done.
# Run it as root or as a user with sudo; sudo is asked for only by the steps that need root, and only when they must.
set -euo pipefail
here=$(dirname "$0")
start=$SECONDS
step() { echo "== $1 (t+$((SECONDS - start))s)"; }

step "Debian packages and a running Docker Engine (test/setup/prerequisites.sh)"
bash "$here/prerequisites.sh"

step "code-server, into ${REMOTE_SWARM_CACHE:-~/.cache/remote-swarm} (test/setup/install-code-server.sh)"
bash "$here/install-code-server.sh" >/dev/null

step "the local IDE image, remote-swarm/ide (test/setup/build-ide-image.sh)"
bash "$here/build-ide-image.sh"

step "done: npm start and npm test have what they need"
