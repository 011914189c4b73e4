#!/usr/bin/env bash
# A real multi-node Docker Swarm on this machine, for tests and the swarm benchmark; never the system's dockerd.
#
#   swarm-rig.sh up <state-dir> <run-id> <nodes> <image>...   start the swarm; prints one line per node: <name> <address> <socket>
#   swarm-rig.sh engine <state-dir> <run-id> <image>...         one plain engine (no swarm, a default bridge); prints its line
#   swarm-rig.sh stop <state-dir> <n>                           stop node n's dockerd (its containers stop with it), as an upgrade would
#   swarm-rig.sh start <state-dir> <n>                          start it again; returns once it answers
#   swarm-rig.sh down <state-dir>                               stop it and remove everything `up` or `engine` made
#
# Each node is a dockerd in a network namespace of its own (rs-<run-id>-<n>), with its own data root, exec root, pid
# file, socket and cgroup parent, all under <state-dir>. The namespaces meet on a bridge of the rig's own (rsswarm<slot>,
# 10.231.<slot>.0/24; the host side is .1, node n is .1n), claimed by creating it, so two rigs never share one. The
# swarm's daemons have no bridge, iptables or masquerading: docker0, the system daemon and the host's firewall are
# untouched. A plain engine keeps a default bridge as the Docker provider's containers expect one, but inside its own
# namespace (a docker0 there, on 10.232.<slot>.0/24, which no host network uses), still without iptables or masquerading.
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
  local dir=$1 name=$2 cgroup_parent=$3 bridge_option=$4
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
  '$bridge_option' --iptables=false --ip-masq=false --ip6tables=false --shutdown-timeout=2 --cgroup-parent '$cgroup_parent' --log-level=warn
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

start_node() {
  local state=$1 n=$2 ns
  ns=$(sed -n "${n}p" "$state/namespaces")
  setsid ip netns exec "$ns" unshare --uts "$state/node$n/start.sh" >>"$state/node$n/dockerd.log" 2>&1 </dev/null &
  echo $! >"$state/node$n/launcher.pid"
}

# Starts <nodes> daemons in namespaces of their own on a claimed bridge; a swarm's have no bridge, a plain engine's its own.
up() {
  local state=$1 run=$2 nodes=$3 mode=$4
  shift 4
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
    # The node's own resolv.conf (ip netns exec mounts it): no name server, so a pull from a registry fails at once
    # instead of waiting out DNS timeouts on this machine's closed network.
    mkdir -p "/etc/netns/$ns"
    echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$bridge" up
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "10.231.$slot.1"
    echo "/rs-$run-$n" >>"$state/cgroup-parents"
    local bridge_option=--bridge=none
    [ "$mode" = swarm ] || bridge_option="--bip=10.232.$slot.1/24"
    write_node_script "$dir" "node$n" "/rs-$run-$n" "$bridge_option"
    start_node "$state" "$n"
  done
  for n in $(seq 1 "$nodes"); do wait_for_daemon "$state/node$n"; done

  # The workers join and the images go in at once; each job is waited for by its pid (the daemons are children too).
  local jobs=() image job
  if [ "$mode" = swarm ]; then
    local manager="$state/node1" address="10.231.$slot.11" token
    node_docker "$manager" swarm init --advertise-addr "$address" --listen-addr "$address:2377" >/dev/null
    token=$(node_docker "$manager" swarm join-token -q worker)
    for n in $(seq 2 "$nodes"); do
      node_docker "$state/node$n" swarm join --token "$token" --advertise-addr "10.231.$slot.1$n" --listen-addr "10.231.$slot.1$n:2377" "$address:2377" >/dev/null &
      jobs+=($!)
    done
  fi
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

# Stops node n's dockerd by its pid file and waits until it is gone; `start` starts it again with the same script.
stop_daemon() {
  local state=$1 n=$2 pid
  [ -f "$state/node$n/start.sh" ] || fail "there is no node $n under $state"
  pid=$(cat "$state/node$n/launcher.pid")
  kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "the dockerd of node $n did not stop within 30 s"
    sleep 0.05
  done
}

start_daemon() {
  local state=$1 n=$2
  [ -f "$state/node$n/start.sh" ] || fail "there is no node $n under $state"
  start_node "$state" "$n"
  wait_for_daemon "$state/node$n"
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
  while read -r ns; do
    ip netns delete "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done <"$state/namespaces" 2>/dev/null || true
  ip link delete "$bridge" 2>/dev/null || true
  # Mounts a container left in the data root (overlay layers, netns files) before the folder goes.
  grep -F " $state/" /proc/self/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$state"
}

case "${1:-}" in
  up) shift; [ $# -ge 4 ] || fail "usage: swarm-rig.sh up <state-dir> <run-id> <nodes> <image>..."; up "$1" "$2" "$3" swarm "${@:4}" ;;
  engine) shift; [ $# -ge 3 ] || fail "usage: swarm-rig.sh engine <state-dir> <run-id> <image>..."; up "$1" "$2" 1 plain "${@:3}" ;;
  stop) shift; [ $# -eq 2 ] || fail "usage: swarm-rig.sh stop <state-dir> <n>"; stop_daemon "$1" "$2" ;;
  start) shift; [ $# -eq 2 ] || fail "usage: swarm-rig.sh start <state-dir> <n>"; start_daemon "$1" "$2" ;;
  down) shift; [ $# -eq 1 ] || fail "usage: swarm-rig.sh down <state-dir>"; down "$1" ;;
  *) fail "usage: swarm-rig.sh up <state-dir> <run-id> <nodes> <image>... | engine <state-dir> <run-id> <image>... | stop|start <state-dir> <n> | down <state-dir>" ;;
esac
