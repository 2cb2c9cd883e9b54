#!/bin/bash
# lb-agent.sh -- runs INSIDE the QEMU guest (test/vm/run-in-vm.sh), as root.
#
# Two LB "pods" run the real lb-agent (DIST/cli.js, built by the host side
# of the test) with the static backend source and program
# the guest kernel's IPVS through ipvsadm. Address plan ranges only:
#
#   ns cl (client)          guest root ns (the router)              ns lb1 / lb2 (LB pods)
#   eth0 198.51.100.2/24 -- cl0 198.51.100.1/24                     eth0 198.19.1.21/24, .22/24
#                           br0 198.19.1.1/24  ------------------   lb-agent: VIP 203.0.113.10 local,
#                           br1 198.19.2.1/24  ---+                 IPVS mh + mh-port, masquerade (nft)
#                           203.0.113.10 via lb1 or lb2             + one foreign IPVS service
#                                                 |
#                                                 +-- ns be1 / be2 (backends) eth0 198.19.2.11/.12, httpd :8080
#
# The backends' default route is the router, NOT the LB: replies only come
# back through the LB pod because lb-agent's nftables rule masquerades.
#
# Steps: both agents become ready with both real servers healthy; the kernel
# table is the canonical one in both pods (lb2's file lists the backends in
# the other order); a client reaches both backends through the VIP via lb1;
# the same 12 flows (fixed source ports) via lb2 land on the same backends
# (mh); be2 dies -> the health check drains then removes it and traffic goes
# on to be1; every ipvsadm --restore is one reconcile's apply; SIGTERM on
# lb1 exits 0 after the drain and removes its VIP route and nft table.
# Ends with one `PORTLB-VM-RESULT <json>` line.
#
# usage: lb-agent.sh [DIST]   DIST: the built lb-agent (default packages/lb-agent/dist)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
DIST=${1:-packages/lb-agent/dist}
[ -f "$DIST/cli.js" ] || { echo "FAIL no $DIST/cli.js: build lb-agent first"; exit 1; }
W=/run/portlb-vm
mkdir -p "$W" /run/portlb-bin
T0=$(date +%s%N)
declare -A PID=()

cleanup() {
  for p in "${PID[@]}"; do kill "$p" 2>/dev/null || true; done
  for ns in cl lb1 lb2 be1 be2; do ip netns del "$ns" 2>/dev/null || true; done
  ip link del br0 2>/dev/null || true
  ip link del br1 2>/dev/null || true
  ip link del cl0 2>/dev/null || true
}
trap cleanup EXIT

step() { echo "STEP $1 +$((($(date +%s%N) - T0) / 1000000))ms ${2:-}"; }
fail() {
  echo "FAIL $*"
  for f in "$W"/lb1.log "$W"/lb2.log; do
    echo "----- $f"
    tail -n 30 "$f" 2>/dev/null || true
  done
  exit 1
}
# wait_for SECONDS WHAT COMMAND...
wait_for() {
  local deadline=$(($(date +%s) + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timeout waiting for $what"
    sleep 0.3
  done
}

# --- topology ---------------------------------------------------------------
modprobe -a nf_tables nft_ct nft_masq nft_chain_nat nf_nat 2>/dev/null || true
sysctl -qw net.ipv4.ip_forward=1
ip netns add cl
ip link add cl0 type veth peer name eth0 netns cl
ip addr add 198.51.100.1/24 dev cl0
ip link set cl0 up
ip -n cl link set lo up
ip -n cl addr add 198.51.100.2/24 dev eth0
ip -n cl link set eth0 up
ip -n cl route add default via 198.51.100.1
# the flows reuse fixed source ports (40001-40012) through lb2 right after lb1: a client socket left
# in TIME_WAIT would make that bind fail (curl exit 45), so the client keeps none
ip netns exec cl sysctl -qw net.ipv4.tcp_max_tw_buckets=0

for br in br0 br1; do ip link add "$br" type bridge; done
ip addr add 198.19.1.1/24 dev br0
ip addr add 198.19.2.1/24 dev br1
ip link set br0 up
ip link set br1 up
# attach NS ADDR BRIDGE GATEWAY
attach() {
  ip netns add "$1"
  ip link add "v-$1" type veth peer name eth0 netns "$1"
  ip link set "v-$1" master "$3" up
  ip -n "$1" link set lo up
  ip -n "$1" addr add "$2/24" dev eth0
  ip -n "$1" link set eth0 up
  ip -n "$1" route add default via "$4"
}
attach lb1 198.19.1.21 br0 198.19.1.1
attach lb2 198.19.1.22 br0 198.19.1.1
for lb in lb1 lb2; do ip netns exec "$lb" sysctl -qw net.ipv4.ip_forward=1; done
# the agents start now (node takes long under TCG); the backends appear while they boot
# every ipvsadm process the agents start is logged, with the pod it ran in
for tool in ipvsadm ipvsadm-save; do
  printf '#!/bin/sh\necho "${LB_POD:-?} %s $*" >>%s/ipvsadm.calls\nexec /usr/sbin/%s "$@"\n' \
    "$tool" "$W" "$tool" >"/run/portlb-bin/$tool"
  chmod 755 "/run/portlb-bin/$tool"
done
: >"$W/ipvsadm.calls"
# lb_config POD BACKEND... : the static backend file and the agent config of one pod
lb_config() {
  local pod=$1
  shift
  {
    echo "services:"
    echo "  - name: shop/web"
    echo "    vips: [203.0.113.10]"
    echo "    ports: [{ name: http, port: 80, targetPort: 8080 }]"
    echo "    backends:"
    for b in "$@"; do echo "      - { address: $b }"; done
  } >"$W/$pod-backends.yaml"
  cat >"$W/$pod.yaml" <<EOF_CFG
source: { static: { path: $W/$pod-backends.yaml, pollIntervalMs: 1000 } }
defaults:
  scheduler: mh
  schedulerFlags: [mh-port]
  healthCheck: { type: tcp, intervalMs: 1000, timeoutMs: 800, rise: 1, fall: 2, drainTimeoutMs: 15000 }
reconcile: { debounceMs: 50, backoff: { initialMs: 200, maxMs: 2000 } }
shutdown: { drainMs: 1000 }
logLevel: info
EOF_CFG
}
lb_config lb1 198.19.2.11 198.19.2.12
lb_config lb2 198.19.2.12 198.19.2.11 # the other order on purpose: the kernel order must not follow it
for pod in lb1 lb2; do
  ip netns exec "$pod" env PATH="/run/portlb-bin:$PATH" LB_POD="$pod" \
    node "$DIST/cli.js" run --config "$W/$pod.yaml" >"$W/$pod.log" 2>&1 &
  PID[$pod]=$!
done
attach be1 198.19.2.11 br1 198.19.2.1
attach be2 198.19.2.12 br1 198.19.2.1
for i in 1 2; do
  mkdir -p "/run/www-be$i"
  echo "be$i" >"/run/www-be$i/index.html"
  ip netns exec "be$i" busybox httpd -f -p 8080 -h "/run/www-be$i" &
  PID[be$i]=$!
done
ip route add 203.0.113.10/32 via 198.19.1.21
# an operator's IPVS service in lb1, not the agent's
ip netns exec lb1 ipvsadm -A -t 203.0.113.99:80 -s rr
ip netns exec lb1 ipvsadm -a -t 203.0.113.99:80 -r 198.19.2.11:8080 -m -w 1
FOREIGN_BEFORE=$(ip netns exec lb1 ipvsadm-save -n | grep 203.0.113.99)
step topology

# weights POD -> "198.19.2.11:8080=1 198.19.2.12:8080=1 " from ipvsadm-save (sorted)
weights() {
  ip netns exec "$1" ipvsadm-save -n | grep -- '-a -t 203.0.113.10:80' |
    sed 's/.*-r \([^ ]*\) .*-w \([0-9]*\).*/\1=\2/' | tr '\n' ' '
}
both_up() { [ "$(weights "$1")" = "198.19.2.11:8080=1 198.19.2.12:8080=1 " ]; }
ready() { [ "$(ip netns exec "$1" curl -s --max-time 2 http://127.0.0.1:9470/readyz)" = ready ]; }
for pod in lb1 lb2; do
  wait_for 150 "$pod ready with both real servers" eval "ready $pod && both_up $pod"
done
step agents-ready

# --- the kernel's table -----------------------------------------------------
SAVED1=$(ip netns exec lb1 ipvsadm-save -n | grep 203.0.113.10)
SAVED2=$(ip netns exec lb2 ipvsadm-save -n | grep 203.0.113.10)
EXPECTED='-A -t 203.0.113.10:80 -s mh -b mh-fallback,mh-port
-a -t 203.0.113.10:80 -r 198.19.2.11:8080 -m -w 1
-a -t 203.0.113.10:80 -r 198.19.2.12:8080 -m -w 1'
[ "$SAVED1" = "$EXPECTED" ] || fail "lb1 table: $SAVED1"
[ "$SAVED2" = "$EXPECTED" ] || fail "lb2 table: $SAVED2"
# the real servers of the VIP's service in the kernel's own order (--nosort), the order mh hashes over
kernel_order() {
  ip netns exec "$1" ipvsadm -L -n --nosort |
    awk '$1 == "TCP" || $1 == "UDP" {mine = ($2 == "203.0.113.10:80")} mine && $1 == "->" && $2 ~ /^198/ {print $2}' |
    tr '\n' ' '
}
ORDER1=$(kernel_order lb1)
ORDER2=$(kernel_order lb2)
[ "$ORDER1" = "$ORDER2" ] || fail "kernel order differs: lb1 $ORDER1 lb2 $ORDER2"
ip -n lb1 route show table local proto 245 | grep -q '203.0.113.10' || fail "no VIP route in lb1"
ip netns exec lb1 nft list set inet portlb vips4 | grep -q 203.0.113.10 || fail "no nft masquerade set in lb1"
step table "$ORDER1"

# --- traffic, and the same flows through both LB pods (mh) --------------------
# flows -> "40001=be1 40002=be2 ..." (fixed client source ports)
flows() {
  local out="" p jobs=()
  rm -f "$W"/flow-*
  for p in $(seq 40001 40012); do # in parallel: each curl process costs ~1 s under TCG
    (ip netns exec cl curl -s --max-time 15 --local-port "$p" http://203.0.113.10/ >"$W/flow-$p" || echo "ERR$?" >"$W/flow-$p") &
    jobs+=($!)
  done
  wait "${jobs[@]}"
  for p in $(seq 40001 40012); do out+="$p=$(cat "$W/flow-$p") "; done
  echo "${out% }"
}
FLOWS1=$(flows)
step flows-lb1 "$FLOWS1"
ip route replace 203.0.113.10/32 via 198.19.1.22
FLOWS2=$(flows)
step flows-lb2 "$FLOWS2"

# --- a backend dies ---------------------------------------------------------
kill "${PID[be2]}"
unset 'PID[be2]'
be2_out() { ! weights "$1" | grep -q '198.19.2.12:8080=1'; }
wait_for 60 "lb2 takes be2 out" be2_out lb2
wait_for 60 "lb1 takes be2 out" be2_out lb1
AFTER_KILL_WEIGHTS=$(weights lb2)
JOBS=()
for i in $(seq 8); do
  (ip netns exec cl curl -s --max-time 5 http://203.0.113.10/ >"$W/after-$i" || echo ERR >"$W/after-$i") &
  JOBS+=($!)
done
wait "${JOBS[@]}"
AFTER=$(for i in $(seq 8); do cat "$W/after-$i"; done | tr '\n' ' ')
AFTER=${AFTER% }
step after-kill "$AFTER_KILL_WEIGHTS | $AFTER"
be2_gone() { [ "$(weights "$1")" = "198.19.2.11:8080=1 " ]; }
wait_for 60 "lb1 removes be2 after the drain timeout" be2_gone lb1
STATUS1=$(ip netns exec lb1 curl -s http://127.0.0.1:9470/status)
FOREIGN_AFTER=$(ip netns exec lb1 ipvsadm-save -n | grep 203.0.113.99)
step drained

# --- SIGTERM: withdraw, drain, clean up, exit 0 -------------------------------
T_TERM=$(date +%s%N)
kill -TERM "${PID[lb1]}"
set +e
wait "${PID[lb1]}"
RC1=$?
set -e
unset 'PID[lb1]'
TERM_MS=$((($(date +%s%N) - T_TERM) / 1000000))
ROUTES_LEFT=$(ip -n lb1 route show table local proto 245 | wc -l)
NFT_LEFT=$(ip netns exec lb1 nft list tables | wc -l)
EVENTS1=$(jq -rc 'select(.event != null) | .event' "$W/lb1.log" | grep -E '^(announce\.|agent\.|node\.cleanup)' | tr '\n' ' ')
RESTORES1=$(grep -c '^lb1 ipvsadm --restore$' "$W/ipvsadm.calls" || true)
step sigterm "rc=$RC1 ${TERM_MS}ms"

jq -nc \
  --arg flows1 "$FLOWS1" --arg flows2 "$FLOWS2" --arg after "$AFTER" --arg afterWeights "$AFTER_KILL_WEIGHTS" \
  --arg order1 "$ORDER1" --arg order2 "$ORDER2" --argjson status1 "$STATUS1" \
  --arg foreignBefore "$FOREIGN_BEFORE" --arg foreignAfter "$FOREIGN_AFTER" \
  --argjson rc1 "$RC1" --argjson termMs "$TERM_MS" --argjson routesLeft "$ROUTES_LEFT" --argjson nftLeft "$NFT_LEFT" \
  --arg events1 "$EVENTS1" --argjson restores1 "$RESTORES1" \
  --argjson ms "$((($(date +%s%N) - T0) / 1000000))" \
  '{ok: true, flows1: $flows1, flows2: $flows2, after: $after, afterWeights: $afterWeights,
    order1: $order1, order2: $order2,
    status1: {services: [$status1.services[] | {name, total, healthy, draining, eligible}],
              applies: $status1.counters.ipvsadmApplies, reconciles: $status1.counters.reconciles,
              failures: $status1.counters.failures},
    restores1: $restores1, foreignUntouched: ($foreignBefore == $foreignAfter),
    sigterm: {rc: $rc1, ms: $termMs, routesLeft: $routesLeft, nftTablesLeft: $nftLeft, events: $events1},
    ms: $ms}' | sed 's/^/PORTLB-VM-RESULT /'
