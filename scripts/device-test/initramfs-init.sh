#!/bin/sh
# PID 1 of the device-test guest's initramfs (static busybox). Makes the root: the host's / over 9p,
# read-only, under a tmpfs overlay (so the guest runs the host's binaries and may write anywhere),
# mounts the writable results share at /mnt/device-test, then hands over to the guest script named
# by bd.init= on the kernel command line. (Debian's own initramfs cannot mount a 9p root.)
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sys /sys
busybox mount -t devtmpfs dev /dev
for m in $(busybox cat /mods/order); do busybox insmod /mods/$m || echo "insmod $m failed"; done
INIT=
for a in $(busybox cat /proc/cmdline); do case $a in bd.init=*) INIT=${a#bd.init=};; esac; done
fail() { echo "DEVICE-TEST-GUEST-FAILED: $*"; busybox sync; echo o > /proc/sysrq-trigger; busybox sleep 30; }
[ -n "$INIT" ] || fail "no bd.init= on the kernel command line"
busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /lower || fail "9p root mount failed"
busybox mount -t tmpfs -o size=1g,mode=0755 tmpfs /upper
busybox mkdir -p /upper/u /upper/w
busybox mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot || fail "overlay mount failed"
busybox mkdir -p /newroot/mnt/device-test
busybox mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144 results /newroot/mnt/device-test || fail "results share mount failed"
busybox mount --move /proc /newroot/proc
busybox mount --move /sys /newroot/sys
busybox mount --move /dev /newroot/dev
exec busybox switch_root /newroot "$INIT"
