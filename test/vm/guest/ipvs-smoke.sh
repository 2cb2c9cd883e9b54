#!/bin/bash
# ipvs-smoke.sh -- runs INSIDE the QEMU guest (test/vm/run-in-vm.sh), as root.
#
# Builds a small LB topology in network namespaces of the guest, using only
# the test address plan:
#
#   ns cl (client)            guest root ns (the LB)                 ns be1 / be2 (backends)
#   eth0 198.51.100.2/24 --- cl0 198.51.100.1/24                     eth0 198.18.0.11/24, .12/24
#                             lo: VIP 203.0.113.10/32                busybox httpd :8080
#                             br0 198.18.0.1/24  --- veth ---------- (default route via 198.18.0.1,
#                                                                     so masqueraded replies return
#                                                                     through the LB)
#
# plus one "foreign" IPVS service (203.0.113.99:80) that the agent must never
# touch. Then ipvs-smoke.ts drives the kernel through OUR IpvsadmCli adapter
# and checks table + traffic. Every ipvsadm process is logged by a wrapper so
# the test can count `ipvsadm --restore` runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in cl be1 be2; do ip netns del "$ns" 2>/dev/null || true; done
  ip link del br0 2>/dev/null || true
  ip link del cl0 2>/dev/null || true
  ipvsadm -C 2>/dev/null || true # the guest's own table; it dies with the guest anyway
}
trap cleanup EXIT

ip netns add cl
ip link add cl0 type veth peer name eth0 netns cl
ip addr add 198.51.100.1/24 dev cl0
ip link set cl0 up
ip -n cl link set lo up
ip -n cl addr add 198.51.100.2/24 dev eth0
ip -n cl link set eth0 up
ip -n cl route add default via 198.51.100.1

ip link add br0 type bridge
ip addr add 198.18.0.1/24 dev br0
ip link set br0 up
for i in 1 2; do
  ip netns add "be$i"
  ip link add "be${i}0" type veth peer name eth0 netns "be$i"
  ip link set "be${i}0" master br0 up
  ip -n "be$i" link set lo up
  ip -n "be$i" addr add "198.18.0.1$i/24" dev eth0
  ip -n "be$i" link set eth0 up
  ip -n "be$i" route add default via 198.18.0.1
  mkdir -p "/run/www-be$i"
  echo "be$i" >"/run/www-be$i/index.html"
  ip netns exec "be$i" busybox httpd -f -p 8080 -h "/run/www-be$i" &
  PIDS+=($!)
done

sysctl -qw net.ipv4.ip_forward=1
ip addr add 203.0.113.10/32 dev lo # the VIP is local on the LB (the paper's `ip route add local`)

# an operator's service, not ours
ipvsadm -A -t 203.0.113.99:80 -s rr
ipvsadm -a -t 203.0.113.99:80 -r 198.18.0.11:8080 -m -w 1

# every ipvsadm process the adapter starts is logged here
mkdir -p /run/portlb-bin
cat >/run/portlb-bin/ipvsadm <<'EOF_WRAP'
#!/bin/sh
echo "$*" >>/run/portlb-ipvsadm.calls
exec /usr/sbin/ipvsadm "$@"
EOF_WRAP
chmod 755 /run/portlb-bin/ipvsadm
: >/run/portlb-ipvsadm.calls

# backends up?
for i in 1 2; do
  for _ in $(seq 50); do # checked from the LB itself
    curl -s --max-time 1 "http://198.18.0.1$i:8080/" >/dev/null && break
    sleep 0.1
  done
done

# `node --import tsx` rather than the tsx CLI: under TCG the CLI's extra
# process costs ~7 s more (measured: 11.8 s vs 4.7 s to run nothing)
IPVSADM=/run/portlb-bin/ipvsadm IPVSADM_CALLS=/run/portlb-ipvsadm.calls \
  node --import tsx test/vm/guest/ipvs-smoke.ts
