#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Makes the seed corpora of the fuzz targets (provenance of fuzz/corpus/).
#
#   fuzz/gen-corpus.sh [OUTDIR]      default OUTDIR: fuzz/corpus
#
# probe/ and walk/ get the same small images (each 50-300 KB):
#   plain        genisoimage, ISO 9660 level 1 only
#   rr-joliet    genisoimage -R -J: symlinks, a hard link, a 9-level tree
#                (Rock Ridge relocation to rr_moved), long names (CE areas)
#   joliet       genisoimage -J without Rock Ridge
#   iso1999      genisoimage -iso-level 4 (ISO 9660:1999 enhanced descriptor)
#   xorriso-all  xorriso: RR 1.10 + Joliet + El Torito (BIOS + EFI entries) +
#                a zisofs file + MBR partition table, implantisomd5 tag
#   xorriso-rrip112  xorriso -compliance new_rr (IEEE_1282 ER, PX inode
#                numbers) with --hardlinks
#   builder-multiextent  tests/hostile/isobuild.py: a 3-section file, a zisofs
#                file, a symlink with a long target (several SL entries)
# susp/ gets inputs in fuzz-susp.c's format (flags, lengths, System Use
# bytes), built with tests/hostile/isobuild.py's SUSP entry helpers.
#
# The images hold no timestamps from the build machine where the tool can be
# told (SOURCE_DATE_EPOCH for xorriso, fixed file times); genisoimage still
# writes the current time into its descriptors, so re-running this script
# changes a few bytes of those images. Tools used: genisoimage 1.1.11,
# xorriso 1.5.4, isomd5sum 1.2.3 (Debian 12), python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus}
export SOURCE_DATE_EPOCH=1700000000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$out/probe" "$out/walk" "$out/susp"

# ---- a small source tree
src=$tmp/src
mkdir -p "$src/sub/a/b/c/d/e/f/g/h" "$src/boot"
printf 'hello world\n' >"$src/hello.txt"
seq 1 400 >"$src/sub/inner.txt"
printf 'deep\n' >"$src/sub/a/b/c/d/e/f/g/h/deep.txt"
printf 'unicode\n' >"$src/Ünïcödé ünd a rather long file name that needs a CE area.txt"
printf 'bin\n' >"$src/boot/boot.img"
head -c 4096 /dev/zero >"$src/boot/efi.img"
ln -s sub/inner.txt "$src/link"
ln -s ../../../../hello.txt "$src/sub/a/b/up"
ln "$src/hello.txt" "$src/hard.txt"
seq 1 6000 >"$src/compress.txt"
find "$src" -exec touch -h -d @1700000000 {} +

gen() { genisoimage -quiet -no-pad "$@" 2>/dev/null; }
gen -o "$tmp/plain.iso" "$src"
gen -R -J -o "$tmp/rr-joliet.iso" "$src"
gen -J -o "$tmp/joliet.iso" "$src"
gen -iso-level 4 -o "$tmp/iso1999.iso" "$src"

xorriso -report_about SORRY -outdev "$tmp/xorriso-all.iso" -padding 0 \
	-joliet on -rockridge on -map "$src" / \
	-set_filter_r --zisofs /compress.txt -- \
	-boot_image any bin_path=/boot/boot.img \
	-boot_image any cat_path=/boot/boot.cat \
	-boot_image any next -boot_image any efi_path=/boot/efi.img \
	-boot_image any partition_table=on \
	-commit >/dev/null 2>&1
if command -v implantisomd5 >/dev/null; then
	implantisomd5 "$tmp/xorriso-all.iso" >/dev/null
fi
xorriso -report_about SORRY -outdev "$tmp/xorriso-rrip112.iso" -padding 0 \
	-compliance new_rr -hardlinks on -joliet on -map "$src" / \
	-commit >/dev/null 2>&1

python3 - "$here/../tests/hostile" "$tmp/builder-multiextent.iso" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from isobuild import Builder, Dir, File, Symlink, zisofs_compress
z, zf = zisofs_compress(b''.join(b'line %06d\n' % i for i in range(20000)))
root = Dir('', File('hello.txt', b'hello\n'),
           File('multi', b'', sections=[b'A' * 2048, b'B' * 2048, b'C' * 100]),
           File('z.txt', z, extra_su=[zf]),
           Symlink('long', '/'.join(['component%02d' % k for k in range(30)])),
           Dir('sub', File('x', b'x\n')))
open(sys.argv[2], 'wb').write(Builder(root, boot=b'\xeb\xfe' + bytes(2046)).build().bytes())
EOF

# ---- boot/: images with boot setups (each 60-200 KB)
#   xorriso-gpt-basdat  xorrisofs: isolinux-style MBR code (isohdpfx.bin),
#                BIOS + EFI entries, -isohybrid-gpt-basdat (MBR partitions
#                0x00 + 0xEF and a GPT), boot-info-table
#   xorriso-grub2       xorrisofs: GRUB 2 boot_hybrid.img, --grub2-boot-info,
#                --protective-msdos-label (MBR partition from sector 1)
#   isokit-hybrid       isokit create --hybrid: protective MBR + GPT with an
#                EFI system partition, backup GPT appended (no checksums:
#                with them the image is padded to 700 KB)
#   isokit-mbr-hd       isokit create --partition-table mbr, a hard-disk
#                emulation entry (a small disk image with an MBR partition)
# They need isohdpfx.bin (isolinux), boot_hybrid.img (grub-pc-bin) and an
# isokit build ($ISOKIT, default build/tools/isokit/isokit).
mkdir -p "$out/boot"
isokit=${ISOKIT:-$here/../build/tools/isokit/isokit}
bsrc=$tmp/bootsrc
mkdir -p "$bsrc/boot" "$bsrc/docs"
head -c 4096 /dev/zero | tr '\0' '\220' >"$bsrc/boot/loader.bin" # x86 NOPs
mformat -i "$bsrc/boot/efi.img" -C -T 64 -h 1 -s 64 :: 2>/dev/null ||
	head -c 32768 /dev/zero >"$bsrc/boot/efi.img"
python3 - "$bsrc/boot/disk.img" <<'EOF2'
import struct, sys
d = bytearray(16 * 1024)           # a 32-sector disk: MBR, one partition from 1
d[446:462] = bytes([0x80, 0, 2, 0, 0x01, 0, 32, 0]) + struct.pack('<II', 1, 31)
d[510:512] = b'\x55\xaa'
open(sys.argv[1], 'wb').write(d)
EOF2
printf 'readme\n' >"$bsrc/docs/readme.txt"
find "$bsrc" -exec touch -h -d @1700000000 {} +
xorrisofs -quiet -o "$tmp/boot-xorriso-gpt-basdat.iso" -no-pad -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
	-b boot/loader.bin -no-emul-boot -boot-load-size 4 -boot-info-table -c boot/boot.cat -partition_cyl_align off \
	-eltorito-alt-boot -e boot/efi.img -no-emul-boot -isohybrid-gpt-basdat "$bsrc" 2>/dev/null
xorrisofs -quiet -o "$tmp/boot-xorriso-grub2.iso" -no-pad --grub2-mbr /usr/lib/grub/i386-pc/boot_hybrid.img \
	--protective-msdos-label -b boot/loader.bin -no-emul-boot -boot-load-size 4 -boot-info-table \
	--grub2-boot-info "$bsrc" 2>/dev/null
"$isokit" create -q -o "$tmp/boot-isokit-hybrid.iso" --no-checksums --boot /boot/loader.bin --boot-info-table \
	--efi /boot/efi.img --boot-catalog /boot/boot.cat --hybrid --system-area /usr/lib/ISOLINUX/isohdpfx.bin "$bsrc"
"$isokit" create -q -o "$tmp/boot-isokit-mbr-hd.iso" --no-checksums --boot /boot/loader.bin \
	--boot /boot/disk.img --boot-emul hard-disk --efi /boot/efi.img \
	--hybrid --partition-table mbr --system-area /usr/lib/ISOLINUX/isohdpfx.bin "$bsrc"
for f in "$tmp"/boot-*.iso; do
	b=$(basename "$f" .iso)
	cp "$f" "$out/boot/${b#boot-}"
	rm "$f"
done

for f in "$tmp"/*.iso; do
	cp "$f" "$out/probe/$(basename "$f" .iso)"
	cp "$f" "$out/walk/$(basename "$f" .iso)"
done

# ---- fuzz-susp inputs: [flags, len A, len B, split/8] A B C
python3 - "$here/../tests/hostile" "$out/susp" <<'EOF'
import os, sys
sys.path.insert(0, sys.argv[1])
from isobuild import (ER, PX, TF, NM, SL, CE, PD, PN, RR, ZF, CL, PL, RE, ST, SP, su_entry,
                      both32, S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR)
out = sys.argv[2]

def seed(name, flags, a, b, c_root=b'', c_file=b''):
    assert len(a) <= 184 and len(b) <= 186, name
    pad = (-len(c_root)) % 8
    c_root += PD(pad - 4) if pad >= 4 else (PD(pad + 4) if pad else b'')
    assert len(c_root) % 8 == 0 and len(c_root) // 8 < 256, name
    data = bytes([flags, len(a), len(b), len(c_root) // 8]) + a + b + c_root + c_file
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)

DIRPX = PX(S_IFDIR | 0o755, 2)
seed('rrip-basic', 0x03, DIRPX + TF(), PX(S_IFREG | 0o644) + TF() + NM(b'hello.txt'), ER())
seed('rrip112-er', 0x03, DIRPX + TF(),
     PX(S_IFREG | 0o600, 1, 1000, 1000, 77) + TF() + NM(b'file'),
     ER(b'IEEE_P1282', b'THE IEEE P1282 PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS.',
        b'PLEASE CONTACT THE IEEE STANDARDS DEPARTMENT'))
seed('rrip109-rr', 0x03, RR(0x89) + DIRPX + TF(), RR(0x89) + PX(S_IFCHR | 0o600) + PN(0, 0x103) + NM(b'null'),
     ER(b'RRIP_1991A', b'ROCK RIDGE 1.09', b'SRC'))
seed('symlink', 0x03, DIRPX, PX(S_IFLNK | 0o777) + NM(b'link') + TF(),
     ER(), SL('/usr/../lib/./x/' + 'y' * 60) + SL('../z', flags=0))
seed('symlink-continued', 0x02, DIRPX, PX(S_IFLNK | 0o777) + NM(b'l') + SL('a/b' + 'c' * 100, flags=1),
     b'', SL('d/e/f') + ST())
seed('nm-continued', 0x03, DIRPX, PX(S_IFREG | 0o644) + NM(b'first-part-', 1), ER(),
     NM(b'second-part-', 1) + NM(b'end.txt'))
seed('zisofs-zf', 0x03, DIRPX, PX(S_IFREG | 0o644) + NM(b'z') + ZF(1 << 20, 15), ER())
seed('relocated-dir', 0x07, DIRPX + TF(), PX(S_IFDIR | 0o755, 2) + NM(b'moved') + RE(), ER())
seed('cl-placeholder', 0x03, DIRPX, PX(S_IFDIR | 0o755, 2) + NM(b'deep') + CL(20), ER())
seed('pl-parent', 0x05, DIRPX + PL(18), PX(S_IFDIR | 0o755, 2) + NM(b'd'), b'')
seed('tf-long-form', 0x0B, DIRPX, PX(S_IFREG | 0o644) + NM(b'times') +
     su_entry(b'TF', bytes([0x8F]) + b'2024010203040500\x00' * 4), ER())
seed('unknown-entries', 0x03, DIRPX + su_entry(b'AL', b'\x00\x01\x02') + su_entry(b'Z2', b'12345678'),
     PX(S_IFREG | 0o644) + su_entry(b'XY', b'vendor') + NM(b'u') + ST() + NM(b'after-st'), ER())
# flags bit 4: SP LEN_SKP = (split & 7); ER (237) + PD (11) = 248 bytes, split 31 -> skip 7
seed('sp-skip', 0x13, DIRPX, b'\xAA' * 7 + PX(S_IFREG | 0o644) + NM(b'skipped'), ER())
seed('ce-self', 0x03, DIRPX, PX(S_IFREG | 0o644) + NM(b'loop', 1), ER(),
     NM(b'again', 1) + CE(19, 0, 64))
seed('empty', 0x00, b'', b'')
EOF

du -sh "$out"/* >&2
