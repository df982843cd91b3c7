#!/usr/bin/env bash
# The device tests: Backdrop on a real V4L2 camera driver (vivid) into real virtual cameras
# (v4l2loopback), in a Debian kernel booted under qemu, for machines that cannot load kernel
# modules themselves. Prints one PASS/FAIL line per case and "N passed, N failed"; exits 1 when a
# case fails or the guest does not boot. Run as root on Debian 12 (it installs what it needs):
#
#   scripts/device-test.sh
#
# How: the guest's root is this machine's own / shared read-only over 9p under a tmpfs overlay, so
# it runs the backdrop built here (release) unchanged; results come back through a second, writable
# share. qemu runs with TCG (software emulation): /dev/kvm, where there is one, may be a nested
# paravirtual one on which a stock kernel crawls. Everything in the guest is emulated, so its
# figures are emulated ones. The cases are in scripts/device-test/cases.sh.
#
# Environment: DEVICE_TEST_TIMEOUT (seconds for the guest, default 1080), DEVICE_TEST_ACCEL (qemu
# accelerator options, default "-accel tcg,thread=multi -cpu max").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
HERE=$ROOT/scripts/device-test
WORK=$ROOT/.build/device-test
RESULTS=$WORK/results
TIMEOUT=${DEVICE_TEST_TIMEOUT:-1080}
say() { printf '[device-test] %s\n' "$*"; }
die() { printf '[device-test] FAIL boot: %s\n[device-test] 0 passed, 1 failed\n' "$*" >&2; exit 1; }
started=$(date +%s)

# 1. What the guest needs, from Debian: qemu, a kernel with vivid, v4l2loopback built for it by dkms.
PACKAGES=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 dkms v4l2loopback-dkms v4l-utils ffmpeg bc cpio kmod)
missing=()
for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run as root or install them"
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
K=$(ls /lib/modules | sort -V | tail -1)
[ -f "/boot/vmlinuz-$K" ] || die "no kernel image /boot/vmlinuz-$K"
find "/lib/modules/$K" -name 'v4l2loopback.ko*' | grep -q . || die "dkms built no v4l2loopback for $K (see /var/lib/dkms)"
find "/lib/modules/$K" -name 'vivid.ko*' | grep -q . || die "kernel $K has no vivid module"

# 2. Backdrop itself (optimized: the guest is slow enough), its runtime, models and test media.
bash "$ROOT/scripts/setup.sh" --no-build | sed 's/^/[device-test] /'
say "building backdrop (release)"
(cd "$ROOT" && swift build -c release --product backdrop 2>&1 | tail -1)

# 3. The guest's initramfs, then the guest.
mkdir -p "$WORK"
INITRD=$WORK/initrd-$K.cpio.gz
[ "$INITRD" -nt "$HERE/initramfs-init.sh" ] || bash "$HERE/mkinitrd.sh" "$K" "$INITRD" "$WORK"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
say "booting $K under qemu (emulated; ends within $TIMEOUT s)"
set +e
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
  ${DEVICE_TEST_ACCEL:--accel tcg,thread=multi -cpu max} -smp 2 -m 3G \
  -machine q35 -nodefaults -no-user-config -display none -no-reboot -serial stdio \
  -kernel "/boot/vmlinuz-$K" -initrd "$INITRD" \
  -append "console=ttyS0 panic=-1 quiet loglevel=4 bd.init=$HERE/guest-init.sh bd.root=$ROOT" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=results,path="$RESULTS",security_model=none \
  -device virtio-9p-pci,fsdev=results,mount_tag=results \
  < /dev/null > "$WORK/console.log" 2>&1
qemu=$?
set -e

# 4. The verdict.
grep -a -q "DEVICE-TEST-GUEST-STARTED" "$WORK/console.log" || {
  tail -20 "$WORK/console.log" >&2; die "the guest did not boot (qemu exit $qemu; console in $WORK/console.log)"; }
grep -a "DEVICE-TEST-GUEST-STARTED" "$WORK/console.log" | sed 's/^/[device-test] guest: /'
[ -s "$RESULTS/results.txt" ] || die "the guest booted but recorded no results (console in $WORK/console.log)"
grep -a -q "DEVICE-TEST-GUEST-DONE" "$WORK/console.log" || echo "FAIL finished: the guest did not finish within $TIMEOUT s (qemu exit $qemu)" >> "$RESULTS/results.txt"
cat "$RESULTS/results.txt"
passed=$(grep -c '^PASS ' "$RESULTS/results.txt" || true)
failed=$(grep -c '^FAIL ' "$RESULTS/results.txt" || true)
say "logs: $RESULTS (guest.log, cases/); wall time $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
