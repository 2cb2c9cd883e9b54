#!/bin/bash
# run-in-vm.sh -- portlb's harness for tests that need a real Linux kernel with
# IPVS (the kernels of our dev/CI machines are built without CONFIG_IP_VS).
#
# It boots Debian 12's stock kernel in a throw-away QEMU guest. The guest sees
# the host's root filesystem read-only over virtio-9p with a tmpfs overlay on
# top (so node, tsx, ipvsadm, iproute2, curl and the checkout are all usable,
# and nothing is written back), has NO network device to the outside
# (`-nic none`), and runs one command as root in the caller's working
# directory. Everything the command creates (namespaces, veths, IPVS services)
# dies with the guest.
#
#   usage: test/vm/run-in-vm.sh check          # exit 0 if host prerequisites are present
#          test/vm/run-in-vm.sh prepare        # fetch kernel + build initramfs into the cache
#          test/vm/run-in-vm.sh run CMD [ARGS...]   # (prepares if needed) run CMD in a guest
#
# `run` streams the command's stdout+stderr (the guest's first serial port) to
# this script's stdout and exits with the command's exit status, or 125 when
# the guest never reported one (boot failure, crash, timeout).
#
# Host packages (Debian 12): qemu-system-x86 busybox-static kmod cpio xz-utils ipvsadm
# (plus iproute2 and curl, which the guest scripts use from the host root).
#
# Environment:
#   PORTLB_VM_CACHE  cache dir for the kernel and initramfs
#                    (default ${XDG_CACHE_HOME:-$HOME/.cache}/portlb-vm)
#   PORTLB_VM_MEM    guest RAM (default 1G)   PORTLB_VM_CPUS  vCPUs (default 2)
#   PORTLB_VM_TIMEOUT seconds before qemu is killed (default 300)
#   PORTLB_VM_ACCEL  auto | kvm | tcg (auto: kvm only with kvm_intel/kvm_amd;
#                    a PVM-backed /dev/kvm cannot run a stock kernel usefully)
#   PORTLB_VM_KERNEL_PKG  kernel package (default: what linux-image-amd64 depends on)
#   PORTLB_VM_DEBUG=1  print the guest kernel log at the end
set -euo pipefail

CACHE=${PORTLB_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portlb-vm}
MEM=${PORTLB_VM_MEM:-1G}
CPUS=${PORTLB_VM_CPUS:-2}
TIMEOUT=${PORTLB_VM_TIMEOUT:-300}
DEBUG=${PORTLB_VM_DEBUG:-0}
ACCEL=${PORTLB_VM_ACCEL:-auto}
HOST_PACKAGES="qemu-system-x86 busybox-static kmod cpio xz-utils ipvsadm"
# Bumped whenever the initramfs layout below changes, so caches rebuild.
INITRAMFS_VERSION=2

# Modules the initramfs loads (their dependencies are resolved with modprobe):
# the 9p root + overlay, then what portlb's IPVS tests use.
BOOT_MODULES="virtio_pci 9pnet_virtio 9p overlay"
TEST_MODULES="nf_conntrack ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh ip_vs_mh veth bridge"

die() {
  echo "run-in-vm: $*" >&2
  exit 125
}

check() {
  local missing=()
  command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
  command -v depmod >/dev/null && command -v modprobe >/dev/null || missing+=(kmod)
  command -v cpio >/dev/null || missing+=(cpio)
  command -v xz >/dev/null || missing+=(xz-utils)
  command -v ipvsadm >/dev/null || [ -x /usr/sbin/ipvsadm ] || missing+=(ipvsadm)
  # the initramfs needs a STATIC busybox (it runs before any libc is mounted)
  if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then missing+=(busybox-static); fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "run-in-vm: missing host packages: ${missing[*]}" >&2
    echo "run-in-vm: apt-get install -y --no-install-recommends $HOST_PACKAGES" >&2
    return 1
  fi
}

# Download + unpack the kernel .deb (never installed into the host's /boot),
# extract an uncompressed vmlinux (QEMU boots it through the PVH entry point,
# skipping the in-guest decompressor, which is slow under TCG), and build the
# initramfs. Idempotent; serialised with a lock so parallel runs are safe.
prepare() {
  check || exit 125
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
  if [ ! -s "$CACHE/kernel/.kver" ]; then
    local pkg
    pkg=${PORTLB_VM_KERNEL_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')}
    [ -n "$pkg" ] || die "cannot resolve the kernel package (run apt-get update first)"
    echo "run-in-vm: downloading $pkg" >&2
    rm -rf "$CACHE/debs" "$CACHE/kernel"
    mkdir -p "$CACHE/debs"
    (cd "$CACHE/debs" && apt-get download "$pkg" >&2) || die "apt-get download $pkg failed"
    dpkg -x "$CACHE"/debs/"$pkg"_*.deb "$CACHE/kernel"
    rm -rf "$CACHE/debs"
    local kver
    kver=$(ls "$CACHE/kernel/lib/modules")
    depmod -b "$CACHE/kernel" "$kver" # the .deb ships no modules.dep
    echo "$kver" >"$CACHE/kernel/.kver"
  fi
  local kver kmods vmlinuz
  kver=$(cat "$CACHE/kernel/.kver")
  kmods=$CACHE/kernel/lib/modules/$kver
  vmlinuz=$CACHE/kernel/boot/vmlinuz-$kver
  if [ ! -s "$CACHE/vmlinux" ]; then
    local off
    off=$(LC_ALL=C grep -obUaP -m1 '\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
    [ -n "$off" ] || die "no xz payload in $vmlinuz"
    # xz complains about the trailing data after the payload; the ELF check below decides
    tail -c +$((off + 1)) "$vmlinuz" | xz -dc >"$CACHE/vmlinux.tmp" 2>/dev/null || true
    [ "$(head -c 4 "$CACHE/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || die "vmlinux extraction failed"
    mv "$CACHE/vmlinux.tmp" "$CACHE/vmlinux"
  fi
  local initrd=$CACHE/initramfs-v$INITRAMFS_VERSION.cpio.gz
  if [ ! -s "$initrd" ]; then
    echo "run-in-vm: building $initrd" >&2
    local ir
    ir=$(mktemp -d "$CACHE/initramfs.XXXXXX")
    mkdir -p "$ir"/{bin,dev,proc,sys,lib/modules,newroot,ro,rw}
    cp /bin/busybox "$ir/bin/busybox"
    ln -s busybox "$ir/bin/sh"
    : >"$ir/modules.load"
    for m in $BOOT_MODULES $TEST_MODULES; do
      modprobe -d "$CACHE/kernel" -S "$kver" --show-depends "$m" | awk '$1=="insmod"{print $2}'
    done | awk '!seen[$0]++' | while read -r ko; do
      local rel=${ko#"$kmods"/}
      mkdir -p "$ir/lib/modules/$(dirname "$rel")"
      cp "$ko" "$ir/lib/modules/$rel"
      echo "$rel" >>"$ir/modules.load"
    done
    write_init >"$ir/init"
    chmod 755 "$ir/init"
    (cd "$ir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
    rm -rf "$ir"
  fi
  flock -u 9
}

# PID 1 of the initramfs: load modules, mount host root (9p, ro) under a tmpfs
# overlay, mount the per-run share, switch_root and run the run's stage2.
write_init() {
  cat <<'EOF_INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
grep -q 'portlb.debug=1' /proc/cmdline && set -x
fail() { echo "vm-init: $*" >/dev/ttyS0; echo o >/proc/sysrq-trigger; sleep 10; }
while read -r ko; do
  insmod "/lib/modules/$ko" || echo "vm-init: insmod $ko failed" >/dev/ttyS1
done </modules.load
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /ro || fail "mount hostroot"
mount -t tmpfs -o mode=0755 rw /rw || fail "mount tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || fail "mount overlay"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 shm /newroot/dev/shm
mount -t tmpfs -o mode=0755 run /newroot/run
mkdir -p /newroot/run/vm /newroot/run/vm-out /newroot/run/netns /newroot/run/lock
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmout /newroot/run/vm-out || fail "mount vmout"
cp /bin/busybox /newroot/run/vm/busybox
umount /proc /sys /dev 2>/dev/null
exec switch_root /newroot /run/vm/busybox sh /run/vm-out/stage2
EOF_INIT
}

run() {
  [ $# -ge 1 ] || die "usage: $0 run COMMAND [ARGS...]"
  prepare
  local kver accel cpu
  kver=$(cat "$CACHE/kernel/.kver")
  if [ "$ACCEL" = auto ]; then
    if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then ACCEL=kvm; else ACCEL=tcg; fi
  fi
  if [ "$ACCEL" = kvm ]; then accel=kvm cpu=host; else accel=tcg,thread=multi cpu=max; fi

  RUN=$(mktemp -d "${TMPDIR:-/tmp}/portlb-vm.XXXXXX")
  trap 'cleanup_run' EXIT
  {
    printf 'cd %q || exit 125\n' "$PWD"
    printf 'exec'
    printf ' %q' "$@"
    printf '\n'
  } >"$RUN/cmd.sh"
  {
    printf 'B=/run/vm/busybox\nKMODS=%q\n' "$CACHE/kernel/lib/modules/$kver"
    cat <<'EOF_STAGE2'
grep -q 'portlb.debug=1' /proc/cmdline && set -x
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8
$B hostname portlb-vm
$B ip link set lo up
# let the host's modprobe (through the shared root) find the guest's modules
KVER=$($B uname -r)
$B mkdir -p /usr/lib/modules/$KVER && $B mount --bind "$KMODS" /usr/lib/modules/$KVER
$B stty -F /dev/ttyS0 raw -echo 2>/dev/null
/bin/bash /run/vm-out/cmd.sh </dev/null >/dev/ttyS0 2>&1
echo "$?" >/run/vm-out/rc
$B sync
$B poweroff -f
EOF_STAGE2
  } >"$RUN/stage2"

  local append="console=ttyS1 panic=-1 rdinit=/init tsc=reliable i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd"
  if [ "$DEBUG" = 1 ]; then append+=" portlb.debug=1 loglevel=7"; else append+=" quiet loglevel=1"; fi

  set +e
  timeout --foreground -k 5 "$TIMEOUT" \
    qemu-system-x86_64 \
    -name portlb-vm -machine q35 -accel "$accel" -cpu "$cpu" -m "$MEM" -smp "$CPUS" \
    -nodefaults -no-user-config -no-reboot -display none -vga none \
    -chardev stdio,id=out,mux=off -serial chardev:out \
    -chardev file,id=klog,path="$RUN/kernel.log" -serial chardev:klog \
    -nic none \
    -kernel "$CACHE/vmlinux" -initrd "$CACHE/initramfs-v$INITRAMFS_VERSION.cpio.gz" -append "$append" \
    -fsdev local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=fsroot,mount_tag=hostroot \
    -fsdev local,id=fsout,path="$RUN",security_model=none \
    -device virtio-9p-pci,fsdev=fsout,mount_tag=vmout </dev/null &
  QPID=$!
  # if we are killed, take qemu down with us (timeout forwards the signal)
  trap 'kill -TERM $QPID 2>/dev/null' TERM INT HUP
  local qrc
  wait $QPID
  qrc=$?
  while kill -0 $QPID 2>/dev/null; do
    wait $QPID
    qrc=$?
  done
  set -e
  [ $qrc -ne 124 ] || echo "run-in-vm: timed out after ${TIMEOUT}s" >&2
  if [ -s "$RUN/rc" ]; then exit "$(cat "$RUN/rc")"; fi
  echo "run-in-vm: guest did not report an exit status (qemu rc=$qrc); last kernel messages:" >&2
  tail -n 40 "$RUN/kernel.log" >&2 2>/dev/null || true
  exit 125
}

cleanup_run() {
  if [ "$DEBUG" = 1 ] && [ -e "$RUN/kernel.log" ]; then
    echo "----- guest kernel log ($RUN/kernel.log) -----" >&2
    cat "$RUN/kernel.log" >&2
  fi
  rm -rf "$RUN"
}

case "${1:-}" in
check) check ;;
prepare) prepare ;;
run)
  shift
  run "$@"
  ;;
*) die "usage: $0 check | prepare | run COMMAND [ARGS...]" ;;
esac
