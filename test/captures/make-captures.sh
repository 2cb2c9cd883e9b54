#!/usr/bin/env bash
# make-captures.sh — record real BGP sessions between BIRD 2, FRR, GoBGP and
# ExaBGP into test/vectors/captures/<pair>.pcap.
#
# Usage (as root, or with CAP_NET_ADMIN + CAP_SYS_ADMIN for `ip netns`):
#
#     test/captures/make-captures.sh               # all pairs
#     PAIRS="bird-frr" test/captures/make-captures.sh
#     OUT=/tmp/caps KEEP=1 test/captures/make-captures.sh   # other output dir, keep temp dir + logs
#
# Needs: ip (iproute2), tcpdump, bird + birdc (BIRD 2), FRR's bgpd + vtysh,
# gobgpd + gobgp, exabgp. None of them has to run as a service: every daemon
# here is a PRIVATE instance with its own config, control socket and pid file
# in a temp dir, started inside a network namespace this script creates.
#
# Re-runnable: each run starts from scratch and overwrites the .pcap files.
# A trap removes every namespace (and with it its veth) and ends every
# process this script started — by PID, never by name — also on failure or
# Ctrl-C.
#
# Addresses (DESIGN.md "Test address plan"): peering only on 198.18.0.0/24
# and 2001:db8::/32; announced prefixes only from 203.0.113.0/24,
# 100.64.0.0/10 and 2001:db8::/32. (The kernel also gives each veth an
# fe80:: link-local address; daemons may put it in MP_REACH as the IPv6
# link-local next hop, RFC 2545 §3.)
#
# Pairs (one veth between two namespaces "a" and "b" per pair; tcpdump runs in "a"):
#
#   bird-frr      iBGP, AS 4200000001 (4-octet: AS_TRANS in the OPEN), IPv4
#                 session carrying IPv4 + IPv6 unicast; ADD-PATH, GR, extended
#                 message, extended next hop, enhanced route refresh;
#                 LOCAL_PREF/MED/communities/ext + large communities; route
#                 refresh both ways; IPv4 + MP_UNREACH withdrawals; BIRD
#                 disables the session with an RFC 9003 shutdown message.
#   gobgp-exabgp  eBGP, GoBGP AS 64512 <-> ExaBGP AS 4200000002 over IPv4,
#                 IPv4 + IPv6 unicast, ADD-PATH both ways, GR; ExaBGP sends
#                 NO_EXPORT, extended and large communities, MED, then
#                 withdraws; GoBGP announces/withdraws via its CLI and sends a
#                 ROUTE-REFRESH (softresetin).
#   frr-gobgp     eBGP, FRR AS 65001 <-> GoBGP AS 4200000003 over IPv6
#                 (2001:db8:3::/64), IPv4 + IPv6 unicast; captured on
#                 `-i any` so the file is Linux cooked v2 (SLL2); FRR sends a
#                 ROUTE-REFRESH and finally a Cease/Administrative Shutdown
#                 with a shutdown communication.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$here/../vectors/captures}
PAIRS=${PAIRS:-"bird-frr gobgp-exabgp frr-gobgp bird-exabgp"}
KEEP=${KEEP:-}
FRR_BIN=${FRR_BIN:-/usr/lib/frr}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d /tmp/portlb-captures.XXXXXX)
chmod 755 "$WORK"
TAG=plb$$

PIDS=()
NSES=()

log() { printf '[make-captures] %s\n' "$*" >&2; }

cleanup() {
  local rc=$?
  set +e
  # Newest first: daemons before the tcpdump that records them.
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM "${PIDS[i]}" 2>/dev/null
  done
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    local n=0
    while kill -0 "${PIDS[i]}" 2>/dev/null && ((n < 50)); do
      sleep 0.1
      n=$((n + 1))
    done
    kill -KILL "${PIDS[i]}" 2>/dev/null
    wait "${PIDS[i]}" 2>/dev/null
  done
  PIDS=()
  for ns in "${NSES[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  NSES=()
  if [[ -n $KEEP ]]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME NS CMD... — runs CMD in namespace NS in the background, logs to $WORK/NAME.log.
start() {
  local name=$1 ns=$2
  shift 2
  ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  eval "PID_${name//-/_}=$!"
}

# stop_pid PID — ends one process we started and waits for it.
stop_pid() {
  local pid=$1 n=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((n < 50)); do
    sleep 0.1
    n=$((n + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_for SECONDS CMD... — polls CMD until it succeeds.
wait_for() {
  local limit=$1 n=0
  shift
  until "$@" >/dev/null 2>&1; do
    n=$((n + 1))
    if ((n > limit * 5)); then
      log "timed out waiting for: $*"
      return 1
    fi
    sleep 0.2
  done
}

# make_pair PAIR A_V4 B_V4 A_V6 B_V6 [no-link-local] — two namespaces joined by one veth.
make_pair() {
  local pair=$1
  NS_A=$TAG-${pair}-a
  NS_B=$TAG-${pair}-b
  ip netns add "$NS_A"
  NSES+=("$NS_A")
  ip netns add "$NS_B"
  NSES+=("$NS_B")
  ip -n "$NS_A" link set lo up
  ip -n "$NS_B" link set lo up
  ip -n "$NS_A" link add veth-a type veth peer name veth-b netns "$NS_B"
  if [[ ${6:-} == no-link-local ]]; then
    # No fe80:: address at all, so what BIRD puts in MP_REACH does not depend
    # on whether DAD finished before the session came up (see pair 1).
    ip -n "$NS_A" link set veth-a addrgenmode none
    ip -n "$NS_B" link set veth-b addrgenmode none
  fi
  ip -n "$NS_A" addr add "$2/24" dev veth-a
  ip -n "$NS_B" addr add "$3/24" dev veth-b
  ip -n "$NS_A" addr add "$4/64" dev veth-a nodad
  ip -n "$NS_B" addr add "$5/64" dev veth-b nodad
  ip -n "$NS_A" link set veth-a up
  ip -n "$NS_B" link set veth-b up
  wait_for 10 sh -c "ip -n $NS_A link show veth-a | grep -q LOWER_UP"
}

# capture PAIR IFACE — tcpdump of BGP in namespace a, until stop_capture.
capture() {
  local pair=$1 iface=$2
  rm -f "$OUT/$pair.pcap"
  start "tcpdump-$pair" "$NS_A" tcpdump -i "$iface" -U -s 0 -n -w "$OUT/$pair.pcap" "tcp port 179"
  eval "CAP_PID=\$PID_tcpdump_${pair//-/_}"
  wait_for 10 grep -q "listening on" "$WORK/tcpdump-$pair.log"
}

stop_capture() {
  sleep 1
  stop_pid "$CAP_PID"
  chown --reference="$OUT" "$OUT/$1.pcap" # tcpdump wrote it as its own user
  log "$1: $(stat -c %s "$OUT/$1.pcap") bytes"
}

teardown_pair() {
  local pid
  for pid in "$@"; do stop_pid "$pid"; done
  ip netns del "$NS_A"
  ip netns del "$NS_B"
}

# --- daemons ---------------------------------------------------------------

bird_start() { # NAME NS CONFIG-TEXT
  local name=$1 ns=$2 dir=$WORK/$1
  mkdir -p "$dir"
  printf '%s\n' "$3" >"$dir/bird.conf"
  start "$name" "$ns" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
  wait_for 10 test -S "$dir/bird.ctl"
}
birdc_() { # NAME CMD...
  local name=$1
  shift
  birdc -s "$WORK/$name/bird.ctl" "$@"
}

frr_start() { # NAME NS CONFIG-TEXT
  local name=$1 ns=$2 dir=$WORK/$1
  mkdir -p "$dir"
  printf '%s\n' "$3" >"$dir/bgpd.conf"
  # No zebra: -Z (no zebra), -n (no kernel routes), -S (no setuid); own
  # pid file, vty socket dir and zserv path; no vty TCP port.
  start "$name" "$ns" "$FRR_BIN/bgpd" -Z -n -S -u root -g root -f "$dir/bgpd.conf" -i "$dir/bgpd.pid" \
    --vty_socket "$dir" -z "$dir/zserv.api" -P 0 --log stdout
  wait_for 10 test -S "$dir/bgpd.vty"
}
vtysh_() { # NAME -c CMD ...
  local name=$1
  shift
  vtysh --vty_socket "$WORK/$name" -d bgpd "$@"
}

gobgp_start() { # NAME NS CONFIG-TEXT API-PORT
  local name=$1 ns=$2 dir=$WORK/$1
  mkdir -p "$dir"
  printf '%s\n' "$3" >"$dir/gobgpd.toml"
  start "$name" "$ns" gobgpd -f "$dir/gobgpd.toml" --api-hosts "127.0.0.1:$4" --pprof-disable -p
  eval "GOBGP_PORT_${name//-/_}=$4"
}
gobgp_() { # NAME NS ARGS...
  local name=$1 ns=$2 port
  shift 2
  eval "port=\$GOBGP_PORT_${name//-/_}"
  ip netns exec "$ns" gobgp -p "$port" "$@"
}

exabgp_start() { # NAME NS CONFIG-TEXT
  local name=$1 ns=$2 dir=$WORK/$1
  mkdir -p "$dir"
  printf '%s\n' "$3" >"$dir/exabgp.conf"
  start "$name" "$ns" env exabgp.daemon.user=root exabgp.daemon.drop=false \
    exabgp.daemon.pid="$dir/exabgp.pid" exabgp.api.cli=false exabgp.log.destination=stdout \
    exabgp.log.level=INFO exabgp "$dir/exabgp.conf"
}

# --- pair 1: BIRD <-> FRR, iBGP -----------------------------------------------

pair_bird_frr() {
  local pair=bird-frr
  # Without link-local addresses: FRR 8.4.4 answers BIRD's IPv6 MP_REACH with a
  # 32-octet (global + link-local) next hop on this ADD-PATH session with
  # NOTIFICATION UPDATE Message Error/Invalid Network Field, and whether BIRD
  # has a link-local address yet when the session comes up is a race.
  make_pair $pair 198.18.0.1 198.18.0.2 2001:db8:1::1 2001:db8:1::2 no-link-local
  capture $pair veth-a
  bird_start bird1 "$NS_A" "
router id 198.18.0.1;
log stderr all;
protocol device { }
protocol static static4 { ipv4; route 203.0.113.0/25 blackhole; route 100.64.1.0/24 blackhole; }
protocol static static4w { ipv4; route 100.64.2.0/24 blackhole; route 100.64.3.0/24 blackhole; }
protocol static static6 { ipv6; route 2001:db8:100::/48 blackhole; route 2001:db8:101::/48 blackhole; }
filter out4 {
  bgp_med = 50;
  bgp_local_pref = 200;
  bgp_community.add((65000, 100));
  bgp_community.add((65535, 65281));
  bgp_ext_community.add((rt, 65000, 7));
  bgp_large_community.add((4200000001, 1, 2));
  accept;
}
filter out6 {
  bgp_local_pref = 120;
  bgp_large_community.add((4200000001, 6, 6));
  accept;
}
protocol bgp frr {
  local 198.18.0.1 as 4200000001;
  neighbor 198.18.0.2 as 4200000001;
  direct;
  hold time 30;
  keepalive time 10;
  enable extended messages on;
  graceful restart on;
  ipv4 { import all; export filter out4; add paths on; extended next hop on; };
  ipv6 { import all; export filter out6; add paths on; next hop address 2001:db8:1::1; };
}"
  frr_start frr1 "$NS_B" "
frr defaults traditional
hostname frr1
log stdout informational
!
router bgp 4200000001
 bgp router-id 198.18.0.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 bgp graceful-restart
 neighbor 198.18.0.1 remote-as internal
 neighbor 198.18.0.1 timers 10 30
 neighbor 198.18.0.1 capability extended-nexthop
 !
 address-family ipv4 unicast
  network 203.0.113.128/25 route-map TAG4
  network 100.64.8.0/24 route-map TAG4
  neighbor 198.18.0.1 activate
  neighbor 198.18.0.1 addpath-tx-all-paths
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:200::/48
  neighbor 198.18.0.1 activate
  neighbor 198.18.0.1 addpath-tx-all-paths
  neighbor 198.18.0.1 route-map NH6 out
 exit-address-family
!
route-map TAG4 permit 10
 set local-preference 150
 set metric 20
 set community 65001:200 no-export
 set large-community 4200000001:2:3
 set extcommunity rt 65001:7
!
route-map NH6 permit 10
 set ipv6 next-hop global 2001:db8:1::2
!"
  wait_for 30 sh -c "birdc -s '$WORK/bird1/bird.ctl' show protocols frr | grep -q Established"
  sleep 2
  birdc_ bird1 reload in frr
  sleep 1
  vtysh_ frr1 -c "clear bgp ipv4 unicast 198.18.0.1 soft in"
  sleep 1
  birdc_ bird1 disable static4w
  birdc_ bird1 disable static6
  vtysh_ frr1 -c "configure terminal" -c "router bgp 4200000001" -c "address-family ipv4 unicast" \
    -c "no network 100.64.8.0/24"
  sleep 2
  birdc_ bird1 disable frr '"portlb capture: maintenance"'
  sleep 1
  stop_capture $pair
  teardown_pair "$PID_bird1" "$PID_frr1"
}

# --- pair 2: GoBGP <-> ExaBGP, eBGP -------------------------------------------

pair_gobgp_exabgp() {
  local pair=gobgp-exabgp dir=$WORK/exabgp2
  make_pair $pair 198.18.0.3 198.18.0.4 2001:db8:2::3 2001:db8:2::4
  capture $pair veth-a
  mkdir -p "$dir"
  # ExaBGP's API process: announces at once, withdraws when $dir/withdraw appears.
  cat >"$dir/feed.sh" <<FEED
#!/bin/sh
echo "announce route 203.0.113.64/26 next-hop 198.18.0.4 origin igp med 10 community [65002:1 no-export] extended-community [target:65002:7] large-community [4200000002:1:1]"
echo "announce route 100.64.20.0/24 next-hop 198.18.0.4 origin incomplete as-path [ 65020 ] community [65002:20]"
echo "announce route 2001:db8:300::/48 next-hop 2001:db8:2::4 large-community [4200000002:6:1]"
while [ ! -e "$dir/withdraw" ]; do kill -0 \$PPID 2>/dev/null || exit 0; sleep 0.2; done
echo "withdraw route 100.64.20.0/24 next-hop 198.18.0.4"
echo "withdraw route 2001:db8:300::/48 next-hop 2001:db8:2::4"
while kill -0 \$PPID 2>/dev/null; do sleep 0.5; done
FEED
  chmod 755 "$dir/feed.sh"
  gobgp_start gobgp2 "$NS_A" '
[global.config]
  as = 64512
  router-id = "198.18.0.3"
  local-address-list = ["198.18.0.3"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.0.4"
    peer-as = 4200000002
  [neighbors.timers.config]
    hold-time = 30
    keepalive-interval = 10
  [neighbors.transport.config]
    local-address = "198.18.0.3"
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      receive = true
      send-max = 4
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true' 50051
  exabgp_start exabgp2 "$NS_B" "
process feed {
  run $dir/feed.sh;
  encoder text;
}
neighbor 198.18.0.3 {
  router-id 198.18.0.4;
  local-address 198.18.0.4;
  local-as 4200000002;
  peer-as 64512;
  hold-time 30;
  family {
    ipv4 unicast;
    ipv6 unicast;
  }
  capability {
    route-refresh;
    graceful-restart 120;
    add-path send/receive;
    asn4 enable;
  }
  api {
    processes [ feed ];
  }
}"
  wait_for 30 sh -c "ip netns exec $NS_A gobgp -p 50051 neighbor 198.18.0.4 | grep -qi 'BGP state = established'"
  gobgp_ gobgp2 "$NS_A" global rib -a ipv4 add 203.0.113.32/27 origin igp med 5 community 64512:32,no-advertise large-community 64512:1:2
  gobgp_ gobgp2 "$NS_A" global rib -a ipv4 add 100.64.40.0/22 origin egp
  gobgp_ gobgp2 "$NS_A" global rib -a ipv6 add 2001:db8:400::/48 community 64512:6
  sleep 2
  touch "$dir/withdraw"
  gobgp_ gobgp2 "$NS_A" global rib -a ipv4 del 100.64.40.0/22
  gobgp_ gobgp2 "$NS_A" global rib -a ipv6 del 2001:db8:400::/48
  sleep 2
  stop_capture $pair
  teardown_pair "$PID_exabgp2" "$PID_gobgp2"
}

# --- pair 3: FRR <-> GoBGP, eBGP over IPv6 ------------------------------------

pair_frr_gobgp() {
  local pair=frr-gobgp
  make_pair $pair 198.18.0.5 198.18.0.6 2001:db8:3::5 2001:db8:3::6
  capture $pair any
  frr_start frr3 "$NS_A" "
frr defaults traditional
hostname frr3
log stdout informational
!
router bgp 65001
 bgp router-id 198.18.0.5
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor 2001:db8:3::6 remote-as 4200000003
 neighbor 2001:db8:3::6 disable-connected-check
 neighbor 2001:db8:3::6 timers 10 30
 neighbor 2001:db8:3::6 advertisement-interval 0
 !
 address-family ipv4 unicast
  network 203.0.113.192/27
  network 100.64.50.0/24
  neighbor 2001:db8:3::6 activate
  neighbor 2001:db8:3::6 route-map NH4 out
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:500::/48
  network 2001:db8:501::/48
  neighbor 2001:db8:3::6 activate
  neighbor 2001:db8:3::6 route-map NH6 out
 exit-address-family
!
route-map NH4 permit 10
 set ip next-hop 198.18.0.5
 set community 65001:4 additive
!
route-map NH6 permit 10
 set ipv6 next-hop global 2001:db8:3::5
 set large-community 65001:6:6
!"
  gobgp_start gobgp3 "$NS_B" '
[global.config]
  as = 4200000003
  router-id = "198.18.0.6"
  local-address-list = ["2001:db8:3::6"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:db8:3::5"
    peer-as = 65001
  [neighbors.timers.config]
    hold-time = 30
    keepalive-interval = 10
  [neighbors.transport.config]
    local-address = "2001:db8:3::6"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"' 50052
  wait_for 30 sh -c "ip netns exec $NS_B gobgp -p 50052 neighbor 2001:db8:3::5 | grep -qi 'BGP state = established'"
  gobgp_ gobgp3 "$NS_B" global rib -a ipv6 add 2001:db8:600::/48 large-community 4200000003:0:1
  gobgp_ gobgp3 "$NS_B" global rib -a ipv4 add 100.64.60.0/24 nexthop 198.18.0.6
  # FRR holds its first UPDATEs back for a few seconds after Established.
  sleep 5
  vtysh_ frr3 -c "clear bgp ipv6 unicast 2001:db8:3::6 soft in"
  sleep 1
  vtysh_ frr3 -c "configure terminal" -c "router bgp 65001" -c "address-family ipv6 unicast" \
    -c "no network 2001:db8:501::/48"
  gobgp_ gobgp3 "$NS_B" global rib -a ipv6 del 2001:db8:600::/48
  sleep 2
  vtysh_ frr3 -c "configure terminal" -c "router bgp 65001" \
    -c "neighbor 2001:db8:3::6 shutdown message portlb capture: planned maintenance"
  sleep 1
  stop_capture $pair
  teardown_pair "$PID_gobgp3" "$PID_frr3"
}

# --- pair 4: BIRD <-> ExaBGP, eBGP over IPv6 with extended next hop ------------

pair_bird_exabgp() {
  local pair=bird-exabgp dir=$WORK/exabgp4
  make_pair $pair 198.18.0.7 198.18.0.8 2001:db8:4::7 2001:db8:4::8
  # BIRD puts the veth's link-local address in MP_REACH: wait until it is usable.
  wait_for 10 sh -c "ip -n $NS_A -6 addr show dev veth-a scope link | grep -v tentative | grep -q fe80"
  wait_for 10 sh -c "ip -n $NS_B -6 addr show dev veth-b scope link | grep -v tentative | grep -q fe80"
  capture $pair veth-a
  mkdir -p "$dir"
  cat >"$dir/feed.sh" <<FEED
#!/bin/sh
echo "announce route 203.0.113.240/28 next-hop 2001:db8:4::8 community [4200:4 no-peer] large-community [4200000004:4:4]"
echo "announce route 2001:db8:800::/48 next-hop 2001:db8:4::8 origin egp med 40"
while [ ! -e "$dir/withdraw" ]; do kill -0 \$PPID 2>/dev/null || exit 0; sleep 0.2; done
echo "withdraw route 203.0.113.240/28 next-hop 2001:db8:4::8"
while kill -0 \$PPID 2>/dev/null; do sleep 0.5; done
FEED
  chmod 755 "$dir/feed.sh"
  bird_start bird4 "$NS_A" "
router id 198.18.0.7;
log stderr all;
protocol device { }
protocol static static4 { ipv4; route 203.0.113.160/27 blackhole; }
protocol static static6 { ipv6; route 2001:db8:700::/48 blackhole; route 2001:db8:701::/48 blackhole; }
protocol bgp exa {
  local 2001:db8:4::7 as 65010;
  neighbor 2001:db8:4::8 as 4200000004;
  interface \"veth-a\";
  hold time 30;
  ipv4 { import all; export all; extended next hop on; };
  ipv6 { import all; export all; };
}"
  exabgp_start exabgp4 "$NS_B" "
process feed {
  run $dir/feed.sh;
  encoder text;
}
neighbor 2001:db8:4::7 {
  router-id 198.18.0.8;
  local-address 2001:db8:4::8;
  local-as 4200000004;
  peer-as 65010;
  hold-time 30;
  family {
    ipv4 unicast;
    ipv6 unicast;
  }
  nexthop {
    ipv4 unicast ipv6;
  }
  capability {
    route-refresh;
    asn4 enable;
  }
  api {
    processes [ feed ];
  }
}"
  wait_for 30 sh -c "birdc -s '$WORK/bird4/bird.ctl' show protocols exa | grep -q Established"
  sleep 2
  birdc_ bird4 disable static6
  touch "$dir/withdraw"
  sleep 2
  birdc_ bird4 reload in exa
  sleep 1
  stop_pid "$PID_exabgp4"
  sleep 1
  stop_capture $pair
  teardown_pair "$PID_bird4"
}

for pair in $PAIRS; do
  log "pair $pair"
  "pair_${pair//-/_}"
done
log "done: $(cd "$OUT" && ls -- *.pcap | tr '\n' ' ')"
