#!/bin/bash
# PID 1 in the device-test guest, after the initramfs: prepares what udev and an init system would
# (no udev here: /dev/fd, devpts, /dev/shm), loads the real drivers, runs the cases and powers off.
# Kernel command line: bd.root=CHECKOUT (the host's checkout, seen read-only through 9p).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8
OUT=/mnt/device-test
finish() { echo "DEVICE-TEST-GUEST-DONE"; sync; echo o > /proc/sysrq-trigger; sleep 30; }
trap finish EXIT
# (Not /tmp: the checkout may live there, and the overlay root is writable already.)
mount -t tmpfs tmpfs /run
ln -sf /proc/self/fd /dev/fd; ln -sf fd/0 /dev/stdin; ln -sf fd/1 /dev/stdout; ln -sf fd/2 /dev/stderr
mkdir -p /dev/shm /dev/pts; mount -t tmpfs tmpfs /dev/shm; mount -t devpts devpts /dev/pts
ROOT=
for a in $(cat /proc/cmdline); do case $a in bd.root=*) ROOT=${a#bd.root=};; esac; done
exec > >(tee "$OUT/guest.log") 2>&1
echo "DEVICE-TEST-GUEST-STARTED kernel $(uname -r), $(nproc) cpus, $(free -m | awk '/Mem/{print $2}') MB, uptime $(cut -d' ' -f1 /proc/uptime) s"
[ -d "$ROOT" ] || { echo "FAIL boot: no checkout at '$ROOT' (bd.root=)" | tee -a "$OUT/results.txt"; exit 1; }
ROOT=$ROOT OUT=$OUT bash "$ROOT/scripts/device-test/cases.sh"
