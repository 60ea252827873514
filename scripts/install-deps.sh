#!/usr/bin/env bash
# Installs every Debian package that building and testing isokit needs.
# Run as root (or with sudo) on Debian 12. Safe to run again: apt skips what is there.
set -euo pipefail

packages=(
	# build
	meson ninja-build pkg-config gcc clang libclang-rt-14-dev llvm
	# libraries
	zlib1g-dev libssl-dev libfuse3-dev libburn-dev
	# repair data: ISA-L, loaded at run time (lib/integrity/isal.h)
	libisal2
	# isokit mount: fusermount3; and the mount benchmark's peers
	fuse3 fuseiso archivemount
	# test oracles and helpers
	xorriso genisoimage libarchive-tools 7zip p7zip-full isomd5sum
	python3 attr time
	# the repair benchmark's peer
	dvdisaster
	# boot tests: qemu with SeaBIOS and OVMF, boot loaders to boot, and the
	# partition-table judges; grub-rescue-pc ships an image no one here made
	qemu-system-x86 ovmf isolinux syslinux-common grub-efi-amd64-bin grub-pc-bin
	grub-common mtools fdisk gdisk grub-rescue-pc
	# rip: GNU ddrescue, the peer whose map format we share and a judge of it
	gddrescue
	# UDF: mkudffs and udfinfo make and judge UDF images, pycdlib writes and
	# reads them (Debian's python3, /usr/bin/python3)
	udftools python3-pycdlib
)

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
	echo "install-deps: all packages present"
fi
