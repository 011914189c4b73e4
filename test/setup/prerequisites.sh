#!/usr/bin/env bash
# Installs and starts what the test suite needs on Debian/Ubuntu: Docker Engine (docker.io), busybox-static
# (for the local test image), OpenSSH (server and client, for the SSH tests), iproute2 (the swarm rig's network
# namespaces), moto (pip; the backup tests' S3 server), and for the workbench tests Chromium, debootstrap and
# code-server's build needs. Idempotent. Run as root, or as a user with sudo: it asks for root only when something
# is missing or dockerd must be started, then checks that this user reaches the engine.
set -euo pipefail

fail() {
  echo "prerequisites.sh: $*" >&2
  exit 1
}

need_packages=()
command -v dockerd >/dev/null 2>&1 || need_packages+=(docker.io)
# grep reads the whole list: with pipefail, grep -q quitting early would fail the pipe whenever busybox is still writing.
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -x httpd >/dev/null || need_packages+=(busybox-static)
# The SSH tests start their own sshd on a loopback port and drive the real ssh client and ssh-keygen.
[ -x /usr/sbin/sshd ] || need_packages+=(openssh-server)
command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 || need_packages+=(openssh-client)
# The swarm tests' rig (test/setup/swarm-rig.sh) puts one dockerd per network namespace, joined over a bridge.
command -v ip >/dev/null 2>&1 || need_packages+=(iproute2)
command -v unshare >/dev/null 2>&1 || need_packages+=(util-linux)
# The workbench tests (test/e2e): Debian's Chromium, debootstrap for the IDE image, and what code-server's npm install
# (test/setup/install-code-server.sh) needs to build its native modules and seed ripgrep.
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)
command -v debootstrap >/dev/null 2>&1 || need_packages+=(debootstrap)
command -v rg >/dev/null 2>&1 || need_packages+=(ripgrep)
dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'install ok installed' || need_packages+=(libkrb5-dev)
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || need_packages+=(build-essential)
command -v python3 >/dev/null 2>&1 || need_packages+=(python3)
# The backup tests start moto's S3 server; without moto, pip installs it below (Debian has no package of it).
moto_missing() { ! python3 -c 'import moto.server' >/dev/null 2>&1; }
if moto_missing && ! python3 -m pip --version >/dev/null 2>&1; then need_packages+=(python3-pip); fi

docker_denied() { [[ $(docker info 2>&1) == *'permission denied'* ]]; }

if [ "$(id -u)" -ne 0 ]; then
  # What needs root (installing, starting dockerd) is done by this script again as root; this user must then reach
  # the engine itself.
  if [ ${#need_packages[@]} -gt 0 ] || { ! docker info >/dev/null 2>&1 && ! docker_denied; }; then
    [ ${#need_packages[@]} -eq 0 ] || echo "Missing packages: ${need_packages[*]}." >&2
    bash "$(dirname "$0")/as-root.sh" bash "$0"
  fi
  ! docker_denied ||
    fail "Docker Engine runs, but $(id -un) may not use its socket. Add yourself to the docker group (sudo usermod -aG docker $(id -un)), log in again and run this again."
  docker info >/dev/null 2>&1 || fail "Docker Engine does not answer $(id -un) (docker info); check DOCKER_HOST."
else
  if [ ${#need_packages[@]} -gt 0 ]; then
    echo "Installing ${need_packages[*]} ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
  fi

  if ! docker info >/dev/null 2>&1; then
    log=${DOCKERD_LOG:-/tmp/remote-swarm-dockerd.log}
    echo "Starting dockerd (log: $log) ..."
    if command -v systemctl >/dev/null 2>&1 && systemctl start docker 2>/dev/null; then
      :
    else
      # Containers here need no NAT: ports are published on loopback. --iptables=false lets dockerd start where
      # the kernel offers no iptables (as in many sandboxes and CI containers).
      nohup dockerd --iptables=false >"$log" 2>&1 &
    fi
    deadline=$((SECONDS + 60))
    until docker info >/dev/null 2>&1; do
      if [ $SECONDS -ge $deadline ]; then
        tail -20 "$log" >&2 || true
        fail "dockerd did not answer within 60 s; see $log"
      fi
      sleep 0.5
    done
  fi
fi
echo "Docker Engine $(docker version --format '{{.Server.Version}}') is running."

# moto, as the user who runs the tests, for their python3; sudo's root pass for another user leaves it to that user's
# own pass. A Python that Debian manages refuses plain pip (PEP 668): --user --break-system-packages puts moto in
# this user's site folder and leaves Debian's packages alone.
if { [ -z "${SUDO_USER:-}" ] || [ "$SUDO_USER" = root ]; } && moto_missing; then
  echo "Installing moto's S3 server for the backup tests (python3 -m pip install 'moto[server]') ..."
  python3 -m pip install -q 'moto[server]' 2>/dev/null ||
    python3 -m pip install -q --user --break-system-packages 'moto[server]' || true
  if moto_missing; then
    echo "prerequisites.sh: WARNING: moto could not be installed (is PyPI reachable?). Everything else is ready, but the" >&2
    echo "  backup tests (test/integration/backup-s3.test.ts) fail until python3 -c 'import moto.server' works: install" >&2
    echo "  it with python3 -m pip install 'moto[server]' where PyPI is reachable, then run npm test again." >&2
  else
    echo "moto $(python3 -c 'import moto; print(moto.__version__)') is installed: the backup tests start its S3 server."
  fi
fi
