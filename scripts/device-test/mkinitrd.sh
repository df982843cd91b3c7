#!/usr/bin/env bash
# Builds the guest's initramfs: static busybox (from Debian's busybox-static .deb, unpacked rather
# than installed, which would conflict with `busybox`) plus kernel $1's virtio, 9p and overlay modules.
# Usage: mkinitrd.sh KERNEL_VERSION OUTPUT.cpio.gz WORK_FOLDER
set -euo pipefail
K=$1 OUT=$2 WORK=$3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BB=$WORK/busybox-static/bin/busybox
if [ ! -x "$BB" ]; then
  mkdir -p "$WORK/debs"
  (cd "$WORK/debs" && apt-get download -q busybox-static 2>/dev/null)
  dpkg-deb -x "$WORK"/debs/busybox-static_*.deb "$WORK/busybox-static"
fi
TREE=$(mktemp -d "$WORK/initrd.XXXX")
trap 'rm -rf "$TREE"' EXIT
mkdir -p "$TREE"/{bin,dev,proc,sys,newroot,lower,upper,mods}
cp "$BB" "$TREE/bin/busybox"
ln -s busybox "$TREE/bin/sh"
: > "$TREE/mods/order"
for m in virtio_pci 9pnet_virtio 9p overlay; do
  modprobe -S "$K" --show-depends "$m" | awk '$1=="insmod"{print $2}'
done | awk '!seen[$0]++' | while read -r f; do
  cp "$f" "$TREE/mods/"; basename "$f" >> "$TREE/mods/order"
done
cp "$HERE/initramfs-init.sh" "$TREE/init"; chmod +x "$TREE/init"
(cd "$TREE" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT"
