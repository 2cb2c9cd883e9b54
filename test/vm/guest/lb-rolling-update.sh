#!/bin/bash
# lb-rolling-update.sh -- runs INSIDE the QEMU guest (test/vm/run-in-vm.sh), as root.
#
# A rolling update of the LB pods with real components only: BIRD 2 as the
# upstream router (ECMP into its namespace's kernel FIB), the real lb-agent
# (DIST/cli.js, static source, mh, IPVS through ipvsadm, BGP to BIRD), busybox
# httpd backends, and a client that sends one new connection after another
# through the router to the VIP the whole time. Address plan ranges only:
#
#   ns cl (client)            ns rt (router: BIRD 2)       ns lb1 / lb2 / lb3 (LB pods = nodes)
#   eth0 198.51.100.2/24 ---- cl0 198.51.100.1/24
#                             eth0 198.18.0.1/24 --brnode---- eth0 198.18.0.11/.12/.13/24  (node network, BGP)
#                             203.0.113.10/32: ECMP over   eth1 198.19.1.11/.12/.13/16 --brovl--+
#                             the agents' next hops         lb-agent: VIP local, IPVS mh,      |
#                                                           nft masquerade, iBGP AS 64512      |
#                                                                ns be1 / be2: eth0 198.19.2.11/.12/16, httpd :8080
#
# BIRD (AS 64512, passive, one iBGP neighbor per LB node) learns
# 203.0.113.10/32 from each agent with NEXT_HOP = that node's address and,
# with `merge paths`, installs one multipath route (hash policy L4, so each
# client connection picks an LB pod by its 5-tuple).
#
# Steps: lb1 + lb2 up, the router's route has both next hops; the client
# starts (a new curl per request, 3 s timeout, every result logged); lb3 (the
# new pod) starts and the route gains its next hop; long downloads start
# (fixed source ports; a CGI script streams a line every 0.3 s until the
# script releases it) until some go through lb1;
# SIGTERM lb1: the route must lose .11 while lb1 still runs (withdraw
# first), lb1 must exit 0 after its drain time (DRAIN_MS) and clean up; the
# client goes on a while, then stops; the downloads are released and end
# (or had failed). Ends
# with one `PORTLB-VM-RESULT <json>` line; the host side asserts.
#
# FORWARDING masq: IPVS -m plus the agent's nftables masquerade; replies go
# back through the LB pod. FORWARDING tunnel: IPVS -i (IPIP); each backend
# holds the VIP on tunl0 and answers the client directly through the router
# (198.19.0.1 on the overlay). Only in tunnel mode can a connection that the
# router moves to another LB pod survive: that pod (sloppy_tcp, mh with the
# same real servers) sends it to the same backend, which sees the same
# client; with masquerade the backend would see another source.
#
# usage: lb-rolling-update.sh [DIST [FORWARDING]]
#   DIST: the built lb-agent (default packages/lb-agent/dist); FORWARDING: masq (default) or tunnel
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
DIST=${1:-packages/lb-agent/dist}
FORWARDING=${2:-masq}
[ -f "$DIST/cli.js" ] || { echo "FAIL no $DIST/cli.js: build lb-agent first"; exit 1; }
case "$FORWARDING" in
  masq) BE_PORT=8080 ;;
  tunnel) BE_PORT=80 ;; # tunnelled packets keep the VIP's port
  *) echo "FAIL FORWARDING must be masq or tunnel, not $FORWARDING"; exit 1 ;;
esac
W=/run/portlb-roll
mkdir -p "$W"
T0=$(date +%s%N)
DRAIN_MS=12000 # margin: a starved guest once took 11 s to see the withdrawal in the router's FIB
VIP=203.0.113.10
declare -A PID=()

now_ms() { echo $((($(date +%s%N) - T0) / 1000000)); }
cleanup() {
  touch "$W/stop-client"
  for p in "${PID[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PID[@]}"; do wait "$p" 2>/dev/null || true; done
  for ns in cl rt lb1 lb2 lb3 be1 be2; do ip netns del "$ns" 2>/dev/null || true; done
  ip link del brnode 2>/dev/null || true
  ip link del brovl 2>/dev/null || true
}
trap cleanup EXIT

step() { echo "STEP $1 +$(now_ms)ms ${2:-}"; }
fail() {
  echo "FAIL $*"
  for f in "$W"/lb1.log "$W"/lb2.log "$W"/lb3.log "$W"/bird.log "$W"/client.log; do
    echo "----- $f"
    tail -n 25 "$f" 2>/dev/null || true
  done
  ip -n rt route show 2>/dev/null || true
  birdc -s "$W/bird.ctl" show protocols 2>/dev/null || true
  exit 1
}
# wait_for SECONDS WHAT COMMAND...
wait_for() {
  local deadline=$(($(date +%s) + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timeout waiting for $what"
    sleep 0.2
  done
}

# --- topology ---------------------------------------------------------------
modprobe -a nf_tables nft_ct nft_masq nft_chain_nat nf_nat 2>/dev/null || true
[ "$FORWARDING" = tunnel ] && { modprobe ipip || fail "no ipip module in the guest"; }
for br in brnode brovl; do
  ip link add name "$br" type bridge
  ip link set "$br" up
done
# port NS IFNAME BRIDGE ADDR/LEN
port() {
  ip link add "v-$1-$2" type veth peer name "$2" netns "$1"
  ip link set "v-$1-$2" master "$3" up
  ip -n "$1" addr add "$4" dev "$2"
  ip -n "$1" link set "$2" up
}
for ns in cl rt lb1 lb2 lb3 be1 be2; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add cl0 type veth peer name eth0 netns cl
ip link set cl0 netns rt
ip -n rt addr add 198.51.100.1/24 dev cl0
ip -n rt link set cl0 up
ip -n cl addr add 198.51.100.2/24 dev eth0
ip -n cl link set eth0 up
ip -n cl route add default via 198.51.100.1
port rt eth0 brnode 198.18.0.1/24
# the overlay's gateway: tunnel-mode backends answer the client directly through it (their replies
# come from the VIP, which the router routes to the LB pods: no reverse-path filter here)
ip netns exec rt sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
port rt eth1 brovl 198.19.0.1/16
ip netns exec rt sysctl -qw net.ipv4.ip_forward=1
# ECMP by the L4 hash: each new client connection (new source port) may take another LB pod
ip netns exec rt sysctl -qw net.ipv4.fib_multipath_hash_policy=1
for i in 1 2 3; do
  port "lb$i" eth0 brnode "198.18.0.1$i/24"
  port "lb$i" eth1 brovl "198.19.1.1$i/16"
  ip -n "lb$i" route add default via 198.18.0.1
  ip netns exec "lb$i" sysctl -qw net.ipv4.ip_forward=1
done
for i in 1 2; do
  port "be$i" eth0 brovl "198.19.2.1$i/16"
  ip -n "be$i" route add default via 198.19.0.1
  if [ "$FORWARDING" = tunnel ]; then
    # decapsulate IPIP from any LB pod; the VIP is local; the inner source (the client) is not
    # reachable through tunl0, so no reverse-path filter
    ip netns exec "be$i" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    ip -n "be$i" link set tunl0 up
    ip netns exec "be$i" sysctl -qw net.ipv4.conf.tunl0.rp_filter=0
    ip -n "be$i" addr add "$VIP/32" dev tunl0
  fi
  mkdir -p "$W/www-be$i"
  echo "be$i" >"$W/www-be$i/index.html"
  # a download that lasts until $W/release-downloads exists (at most 3 min)
  mkdir -p "$W/www-be$i/cgi-bin"
  cat >"$W/www-be$i/cgi-bin/slow" <<EOF_CGI
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
n=0
while [ ! -e $W/release-downloads ] && [ \$n -lt 600 ]; do
  echo "be$i tick \$n"
  n=\$((n + 1))
  sleep 0.3
done
echo done
EOF_CGI
  chmod +x "$W/www-be$i/cgi-bin/slow"
  ip netns exec "be$i" busybox httpd -f -p "$BE_PORT" -h "$W/www-be$i" &
  PID[be$i]=$!
done

# --- the router: BIRD 2, its own config, socket and pid file -----------------
{
  cat <<EOF_BIRD
router id 198.18.0.1;
log "$W/bird.log" all;
protocol device { }
# iBGP next hops resolve (recursively, BIRD's default) through the connected node network
protocol direct { ipv4; interface "eth0"; }
protocol kernel {
  ipv4 { import none; export where source = RTS_BGP; };
  merge paths on;
}
EOF_BIRD
  for i in 1 2 3; do
    cat <<EOF_BIRD
protocol bgp lb$i {
  local 198.18.0.1 as 64512;
  neighbor 198.18.0.1$i as 64512;
  passive on;
  hold time 30;
  ipv4 { import all; export none; };
}
EOF_BIRD
  done
} >"$W/bird.conf"
ip netns exec rt bird -c "$W/bird.conf" -s "$W/bird.ctl" -P "$W/bird.pid"
PID[bird]=$(cat "$W/bird.pid")

# --- the LB pods' agents ------------------------------------------------------
cat >"$W/backends.yaml" <<EOF_BE
services:
  - name: shop/web
    vips: [$VIP]
    ports: [{ name: http, port: 80, targetPort: $BE_PORT }]
    backends: [{ address: 198.19.2.11 }, { address: 198.19.2.12 }]
EOF_BE
start_agent() {
  local i=$1
  cat >"$W/lb$i.yaml" <<EOF_CFG
source: { static: { path: $W/backends.yaml, pollIntervalMs: 2000 } }
defaults:
  scheduler: mh
  schedulerFlags: [mh-port]
  forwarding: $FORWARDING
  healthCheck: { type: tcp, intervalMs: 1000, timeoutMs: 800, rise: 1, fall: 3, drainTimeoutMs: 5000 }
reconcile: { debounceMs: 50, backoff: { initialMs: 200, maxMs: 2000 } }
shutdown: { drainMs: $DRAIN_MS }
nodeIP: 198.18.0.1$i
bgp:
  localAS: 64512
  holdTimeSeconds: 30
  routeReflectors: [{ address: 198.18.0.1, as: 64512 }]
logLevel: info
EOF_CFG
  ip netns exec "lb$i" node "$DIST/cli.js" run --config "$W/lb$i.yaml" >"$W/lb$i.log" 2>&1 &
  PID[lb$i]=$!
}
start_agent 1
start_agent 2
step topology

# the next hops of the router's kernel route to the VIP, sorted: "198.18.0.11 198.18.0.12"
hops() { ip -n rt route show "$VIP/32" | grep -o 'via 198\.18\.0\.[0-9]*' | cut -d' ' -f2 | sort | tr '\n' ' ' | sed 's/ $//'; }
hops_are() { [ "$(hops)" = "$1" ]; }
wait_for 200 "the router's route via lb1 and lb2" hops_are "198.18.0.11 198.18.0.12"
step ecmp-2 "$(ip -n rt route show "$VIP/32" | tr -s ' \n' ' ')"

# --- every change of the router's route for the VIP, timestamped ---------------
: >"$W/routes.log"
(
  ip -n rt monitor route 2>/dev/null | while read -r line; do
    case "$line" in *"$VIP"*) echo "$(now_ms) $line" ;; esac
  done >>"$W/routes.log"
) &
PID[monitor]=$!

# --- the client: one new connection after another, every result logged --------
# "<start ms> <end ms> ok|fail ..."; one request at a time, so at most one is in flight.
: >"$W/client.log"
(
  while [ ! -e "$W/stop-client" ]; do
    t=$(now_ms)
    if out=$(ip netns exec cl curl -s --max-time 3 "http://$VIP/" 2>&1); then
      echo "$t $(now_ms) ok $out"
    else
      rc=$?
      echo "$t $(now_ms) fail rc=$rc $out"
    fi
    sleep 0.1
  done >>"$W/client.log"
) &
PID[client]=$!
count() { grep -c " $1" "$W/client.log" || true; }
wait_for 60 "the client's first 8 answers" eval '[ "$(count ok)" -ge 8 ]'
step client "ok=$(count ok) fail=$(count fail)"

# --- rolling update: the new pod first ----------------------------------------
start_agent 3
wait_for 200 "the router's route via lb3 too" hops_are "198.18.0.11 198.18.0.12 198.18.0.13"
OK_AT_LB3=$(count ok)
step ecmp-3 "ok=$OK_AT_LB3 fail=$(count fail)"
wait_for 60 "8 more answers with three LB pods" eval '[ "$(count ok)" -ge $((OK_AT_LB3 + 8)) ]'
conns() { ip netns exec "$1" ipvsadm -L -n --stats -t "$VIP:80" | awk '$1 == "TCP" {print $3}'; }

# --- long downloads, some through lb1, running across its withdrawal ----------
# "<port> <curl rc> <last line> <end ms>" in $W/dl-<port>; the fixed source ports 41001.. name the
# downloads in the pods' IPVS connection tables
download() {
  local p=$1
  (
    if ip netns exec cl curl -s -o "$W/dl-body-$p" --local-port "$p" --max-time 240 \
      "http://$VIP/cgi-bin/slow"; then rc=0; else rc=$?; fi
    echo "$p $rc $(tail -n 1 "$W/dl-body-$p" 2>/dev/null | tr -c 'a-z0-9\n' _ || true) $(now_ms)" >"$W/dl-$p"
  ) &
  PID[dl$p]=$!
}
# the download ports in POD's IPVS connection table, established
ports_in() {
  ip netns exec "$1" ipvsadm -L -n -c |
    awk '$3 == "ESTABLISHED" {n = split($4, a, ":"); if (a[n] >= 41001 && a[n] <= 41099) print a[n]}' |
    sort -n | tr '\n' ' ' | sed 's/ $//'
}
DL_PORTS=()
for p in $(seq 41001 41012); do
  download "$p"
  DL_PORTS+=("$p")
  sleep 1.5
  via=$(ports_in lb1)
  [ "${#DL_PORTS[@]}" -ge 4 ] && [ "$(wc -w <<<"$via")" -ge 2 ] && break
done
DL_VIA_LB1=$(ports_in lb1)
step downloads "started=${#DL_PORTS[@]} via-lb1=[$DL_VIA_LB1] via-lb2=[$(ports_in lb2)] via-lb3=[$(ports_in lb3)]"
CONNS_LB1=$(conns lb1)
step before-term "ok=$(count ok) fail=$(count fail) lb1-conns=$CONNS_LB1"

# --- then the old pod goes: SIGTERM lb1 ---------------------------------------
T_TERM=$(now_ms)
T_TERM_EPOCH=$(date +%s%3N)
kill -TERM "${PID[lb1]}"
WITHDRAWN_MS=-1
WITHDRAWN_ALIVE=false
WITHDRAWN_EPOCH=-1
CONNS_LB1_WITHDRAWN=-1
EXIT_MS=-1
while :; do
  alive=false
  kill -0 "${PID[lb1]}" 2>/dev/null && alive=true
  if [ "$WITHDRAWN_MS" -lt 0 ] && hops_are "198.18.0.12 198.18.0.13"; then
    WITHDRAWN_MS=$(($(now_ms) - T_TERM))
    WITHDRAWN_EPOCH=$(date +%s%3N)
    WITHDRAWN_ALIVE=$alive
    # connections lb1 has taken so far; none may follow now that the router has no route to it
    # (counted after 1 s: a SYN the router forwarded just before its FIB changed may still be in
    # the emulated links)
    sleep 1
    CONNS_LB1_WITHDRAWN=$(conns lb1)
  fi
  if [ "$alive" = false ]; then
    EXIT_MS=$(($(now_ms) - T_TERM))
    break
  fi
  [ $(($(now_ms) - T_TERM)) -lt 120000 ] || fail "lb1 did not exit within 120 s of SIGTERM"
  sleep 0.1
done
set +e
wait "${PID[lb1]}"
RC1=$?
set -e
unset 'PID[lb1]'
HOPS_AFTER=$(hops)
CONNS_LB1_EXIT=$(conns lb1) # the agent leaves its IPVS services in place (they go with the pod)
# answers the client got while lb1 drained (between SIGTERM and its exit)
OK_DRAINING=$(awk -v a="$T_TERM" -v b="$((T_TERM + EXIT_MS))" '$3 == "ok" && $1 >= a && $1 <= b' "$W/client.log" | wc -l)
step lb1-exited "rc=$RC1 router-withdrawn=+${WITHDRAWN_MS}ms (alive=$WITHDRAWN_ALIVE) exit=+${EXIT_MS}ms hops=$HOPS_AFTER"
OK_AT_EXIT=$(count ok)
wait_for 60 "8 answers after lb1 left" eval '[ "$(count ok)" -ge $((OK_AT_EXIT + 8)) ]'
touch "$W/stop-client"
wait "${PID[client]}" || true
unset 'PID[client]'
step client-stopped "ok=$(count ok) fail=$(count fail)"
T_RELEASE=$(now_ms)
touch "$W/release-downloads"
for p in "${DL_PORTS[@]}"; do
  wait "${PID[dl$p]}" || true
  unset "PID[dl$p]"
done
DOWNLOADS=$(for p in "${DL_PORTS[@]}"; do cat "$W/dl-$p" 2>/dev/null || echo "$p 125 none -1"; done |
  jq -Rsc --arg via "$DL_VIA_LB1" '
    ($via | split(" ") | map(select(. != ""))) as $lb1 |
    [split("\n")[] | select(. != "") | split(" ") |
      {port: .[0], rc: (.[1] | tonumber), last: .[2], endMs: (.[3] | tonumber)} |
      . + {viaLb1: (.port as $p | $lb1 | any(. == $p)), ok: (.rc == 0 and .last == "done")}]')
step downloads-done "$(jq -rc 'map("\(.port):\(if .viaLb1 then "lb1," else "" end)rc=\(.rc),\(.last)") | join(" ")' <<<"$DOWNLOADS")"

ROUTES_LEFT1=$(ip -n lb1 route show table local proto 245 | wc -l)
NFT_LEFT1=$(ip netns exec lb1 nft list tables | wc -l)
# when lb1 withdrew, began its drain and had cleaned up (pino's epoch-ms `time`, the guest's clock)
event_time() { jq -r --arg e "$1" 'select(.event == $e) | .time' "$W/lb1.log" | head -n 1; }
AGENT_WITHDREW=$(event_time announce.stopped)
AGENT_DRAINING=$(event_time agent.draining)
AGENT_CLEANUP=$(event_time node.cleanup)
EVENTS1=$(jq -rc 'select(.event != null) | .event' "$W/lb1.log" | grep -E '^(announce\.|agent\.|node\.cleanup)' | tr '\n' ' ')
BIRD_LB1=$(birdc -s "$W/bird.ctl" show protocols lb1 | awk '$1 == "lb1" {print $4}')
BIRD_LB3=$(birdc -s "$W/bird.ctl" show protocols lb3 | awk '$1 == "lb3" {print $4}')
CONNS_LB2=$(conns lb2)
CONNS_LB3=$(conns lb3)
FAILS=$(grep ' fail' "$W/client.log" | head -n 5 | tr '\n' ';' || true)
# With masquerade, a connection in flight at the instant the router's next-hop set changes is
# re-hashed to another LB pod, which does not know it (the backend sees another source): it fails.
# Every failed request must have been in flight across such a change (+300 ms for the monitor).
ROUTE_CHANGES=$(wc -l <"$W/routes.log")
UNEXPLAINED=$(awk 'NR == FNR { change[NR] = $1; n = NR; next }
  $3 == "fail" { hit = 0; for (i = 1; i <= n; i++) if (change[i] >= $1 && change[i] <= $2 + 300) hit = 1; if (!hit) bad++ }
  END { print bad + 0 }' "$W/routes.log" "$W/client.log")

jq -nc \
  --argjson ok "$(count ok)" --argjson failed "$(count fail)" --arg fails "$FAILS" \
  --argjson routeChanges "$ROUTE_CHANGES" --argjson unexplained "$UNEXPLAINED" \
  --argjson okAtLb3 "$OK_AT_LB3" --argjson okAtExit "$OK_AT_EXIT" --argjson okDraining "$OK_DRAINING" \
  --argjson conns1Withdrawn "${CONNS_LB1_WITHDRAWN:--1}" --argjson conns1Exit "${CONNS_LB1_EXIT:--1}" \
  --argjson conns1 "${CONNS_LB1:-0}" --argjson conns2 "${CONNS_LB2:-0}" --argjson conns3 "${CONNS_LB3:-0}" \
  --argjson rc1 "$RC1" --argjson withdrawnMs "$WITHDRAWN_MS" --argjson withdrawnAlive "$WITHDRAWN_ALIVE" \
  --argjson exitMs "$EXIT_MS" --argjson drainMs "$DRAIN_MS" --arg hopsAfter "$HOPS_AFTER" \
  --argjson routesLeft "$ROUTES_LEFT1" --argjson nftLeft "$NFT_LEFT1" --arg events1 "$EVENTS1" \
  --argjson agentWithdrewMs "$((${AGENT_WITHDREW:-0} - T_TERM_EPOCH))" \
  --argjson drainedMs "$((${AGENT_CLEANUP:-0} - ${AGENT_DRAINING:-0}))" \
  --argjson routeGoneBeforeDrainEndMs "$((${AGENT_DRAINING:-0} + DRAIN_MS - WITHDRAWN_EPOCH))" \
  --arg birdLb1 "$BIRD_LB1" --arg birdLb3 "$BIRD_LB3" \
  --arg forwarding "$FORWARDING" --argjson downloads "$DOWNLOADS" \
  --argjson withdrawnAtMs "$((T_TERM + WITHDRAWN_MS))" --argjson releasedAtMs "$T_RELEASE" \
  --argjson ms "$(now_ms)" \
  '{ok: true, client: {ok: $ok, failed: $failed, fails: $fails, okAtLb3: $okAtLb3, okAtExit: $okAtExit,
            okDraining: $okDraining, routeChanges: $routeChanges, unexplained: $unexplained},
    conns: {lb1: $conns1, lb2: $conns2, lb3: $conns3, lb1AtWithdrawal: $conns1Withdrawn, lb1AtExit: $conns1Exit},
    sigterm: {rc: $rc1, withdrawnMs: $withdrawnMs, withdrawnWhileAlive: $withdrawnAlive, exitMs: $exitMs,
              drainMs: $drainMs, hopsAfter: $hopsAfter, routesLeft: $routesLeft, nftTablesLeft: $nftLeft,
              events: $events1, agentWithdrewMs: $agentWithdrewMs, drainedMs: $drainedMs,
              routeGoneBeforeDrainEndMs: $routeGoneBeforeDrainEndMs},
    bird: {lb1: $birdLb1, lb3: $birdLb3}, forwarding: $forwarding,
    downloads: {all: $downloads, withdrawnAtMs: $withdrawnAtMs, releasedAtMs: $releasedAtMs}, ms: $ms}' | sed 's/^/PORTLB-VM-RESULT /'
