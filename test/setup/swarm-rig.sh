#!/usr/bin/env bash
# A real multi-node Docker Swarm on this machine, for tests and the swarm benchmark; never the system's dockerd.
#
#   swarm-rig.sh up <state-dir> <run-id> <nodes> <image>...   start the swarm; prints one line per node: <name> <address> <socket>
#   swarm-rig.sh down <state-dir>                               stop it and remove everything `up` made
#
# Each node is a dockerd in a network namespace of its own (rs-<run-id>-<n>), with its own data root, exec root, pid
# file, socket and cgroup parent, all under <state-dir>. The namespaces meet on a bridge of the rig's own (rsswarm<slot>,
# 10.231.<slot>.0/24; the host side is .1, node n is .1n), claimed by creating it, so two rigs never share one. The
# daemons have no bridge, iptables or masquerading: docker0, the system daemon and the host's firewall are untouched.
# Images are copied from the system daemon into every node (`docker save | load`: nothing is pulled).
set -euo pipefail

fail() { echo "swarm-rig: $*" >&2; exit 1; }

require_tools() {
  [ "$(id -u)" = 0 ] || fail "the swarm rig needs root (network namespaces, one dockerd per node); run the tests as root"
  for tool in ip unshare dockerd docker mount; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing: apt-get install iproute2 util-linux docker.io"
  done
}

# The start script of one node, run by `ip netns exec <ns> unshare --uts`: `ip netns exec` mounts a fresh /sys that
# hides the cgroup hierarchies, so they are mounted again (in this mount namespace only) before dockerd starts.
write_node_script() {
  local dir=$1 name=$2 address=$3 cgroup_parent=$4
  cat >"$dir/start.sh" <<EOF
#!/bin/sh
set -e
hostname '$name'
ip link set lo up
mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
awk '\$3 == "cgroup" { print \$2, \$4 }' /proc/1/mounts | while read -r target options; do
  mkdir -p "\$target"
  mount -t cgroup -o "\$options" cgroup "\$target"
done
if grep -q ' cgroup2 ' /proc/1/mounts && ! grep -q ' cgroup ' /proc/1/mounts; then mount -t cgroup2 cgroup2 /sys/fs/cgroup; fi
export DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1
exec dockerd --data-root '$dir/data' --exec-root '$dir/x' --pidfile '$dir/dockerd.pid' -H 'unix://$dir/docker.sock' \\
  --bridge=none --iptables=false --ip-masq=false --ip6tables=false --shutdown-timeout=2 --cgroup-parent '$cgroup_parent' --log-level=warn
EOF
  chmod 755 "$dir/start.sh"
}

node_docker() {
  local dir=$1
  shift
  docker -H "unix://$dir/docker.sock" "$@"
}

wait_for_daemon() {
  local dir=$1 deadline=$((SECONDS + 30))
  until node_docker "$dir" version >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "the dockerd of $dir did not answer within 30 s; its log: $(tail -n 20 "$dir/dockerd.log")"
    kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null || fail "the dockerd of $dir exited; its log: $(tail -n 20 "$dir/dockerd.log")"
    sleep 0.1
  done
}

claim_slot() {
  local slot
  for slot in $(seq 0 99); do
    if ip link add "rsswarm$slot" type bridge 2>/dev/null; then
      echo "$slot"
      return
    fi
  done
  fail "no free rig bridge (rsswarm0..rsswarm99 all exist)"
}

up() {
  local state=$1 run=$2 nodes=$3
  shift 3
  require_tools
  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  local slot bridge
  slot=$(claim_slot)
  bridge="rsswarm$slot"
  {
    echo "bridge=$bridge"
    echo "run=$run"
    echo "nodes=$nodes"
  } >"$state/rig.env"
  ip addr add "10.231.$slot.1/24" dev "$bridge"
  ip link set "$bridge" up

  local n
  for n in $(seq 1 "$nodes"); do
    local ns="rs-$run-$n" dir="$state/node$n" address="10.231.$slot.1$n" veth="rsv$slot-$n"
    mkdir -p "$dir"
    echo "$ns" >>"$state/namespaces"
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$bridge" up
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "10.231.$slot.1"
    echo "/rs-$run-$n" >>"$state/cgroup-parents"
    write_node_script "$dir" "node$n" "$address" "/rs-$run-$n"
    setsid ip netns exec "$ns" unshare --uts "$dir/start.sh" >"$dir/dockerd.log" 2>&1 </dev/null &
    echo $! >"$dir/launcher.pid"
  done
  for n in $(seq 1 "$nodes"); do wait_for_daemon "$state/node$n"; done

  local manager="$state/node1" address="10.231.$slot.11"
  node_docker "$manager" swarm init --advertise-addr "$address" --listen-addr "$address:2377" >/dev/null
  local token
  token=$(node_docker "$manager" swarm join-token -q worker)
  # The workers join and the images go in at once; each job is waited for by its pid (the daemons are children too).
  local jobs=() image job
  for n in $(seq 2 "$nodes"); do
    node_docker "$state/node$n" swarm join --token "$token" --advertise-addr "10.231.$slot.1$n" --listen-addr "10.231.$slot.1$n:2377" "$address:2377" >/dev/null &
    jobs+=($!)
  done
  for image in "$@"; do
    docker save "$image" >"$state/image.tar"
    for n in $(seq 1 "$nodes"); do
      node_docker "$state/node$n" load -i "$state/image.tar" >/dev/null &
      jobs+=($!)
    done
    for job in "${jobs[@]}"; do wait "$job" || fail "joining the swarm or loading $image failed"; done
    jobs=()
    rm -f "$state/image.tar"
  done
  for job in "${jobs[@]}"; do wait "$job" || fail "joining the swarm failed"; done
  for n in $(seq 1 "$nodes"); do
    echo "node$n 10.231.$slot.1$n unix://$state/node$n/docker.sock"
  done
}

down() {
  local state=$1
  [ -f "$state/rig.env" ] || return 0
  # shellcheck disable=SC1091
  source "$state/rig.env"
  local dir pid
  for dir in "$state"/node*; do
    [ -d "$dir" ] || continue
    pid=$(cat "$dir/dockerd.pid" 2>/dev/null || cat "$dir/launcher.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for dir in "$state"/node*; do
    [ -d "$dir" ] || continue
    pid=$(cat "$dir/launcher.pid" 2>/dev/null || true)
    local deadline=$((SECONDS + 20))
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then kill -9 "$pid" 2>/dev/null || true; fi
      sleep 0.1
    done
  done
  # Container processes a killed daemon left behind, found by the cgroups the rig gave them.
  local parent controller
  while read -r parent; do
    for controller in /sys/fs/cgroup/*/; do
      [ -d "$controller${parent#/}" ] || continue
      find "$controller${parent#/}" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null || true
      find "$controller${parent#/}" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
  done <"$state/cgroup-parents" 2>/dev/null || true
  local ns
  while read -r ns; do ip netns delete "$ns" 2>/dev/null || true; done <"$state/namespaces" 2>/dev/null || true
  ip link delete "$bridge" 2>/dev/null || true
  # Mounts a container left in the data root (overlay layers, netns files) before the folder goes.
  grep -F " $state/" /proc/self/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$state"
}

case "${1:-}" in
  up) shift; [ $# -ge 4 ] || fail "usage: swarm-rig.sh up <state-dir> <run-id> <nodes> <image>..."; up "$@" ;;
  down) shift; [ $# -eq 1 ] || fail "usage: swarm-rig.sh down <state-dir>"; down "$1" ;;
  *) fail "usage: swarm-rig.sh up <state-dir> <run-id> <nodes> <image>... | down <state-dir>" ;;
esac
