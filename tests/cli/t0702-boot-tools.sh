#!/usr/bin/env bash
# What isokit reads of bootable images, judged by other tools: `isokit info`
# (boot entries, the boot images' files and sizes, patches found, the
# catalog's path, the GPT) against xorriso's reports and sgdisk;
# `extract --boot-images` against xorriso's -extract_boot_images; and
# `create --boot-like` (remastering) against the original as xorriso reports
# it, on images isokit did not make (xorrisofs's, and the grub-rescue image
# Debian ships). Booting the remastered image is t0701's.
. "$(dirname "$0")/lib.sh"
need xorriso
need xorrisofs
need python3
need mformat
need sgdisk
ISOLINUX=/usr/lib/ISOLINUX/isolinux.bin
ISOHDPFX=/usr/lib/ISOLINUX/isohdpfx.bin
for f in "$ISOLINUX" "$ISOHDPFX"; do [ -e "$f" ] || { echo "1..0 # SKIP $f not installed"; exit 0; }; done
export MTOOLS_SKIP_CHECK=1

json() { # json FILE EXPR: a value of isokit's JSON report in FILE
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# xorriso's boot entries: "N platform bootable emulation ldseg hdpt ldsiz lba" a line
et_imgs() { xorriso -indev "$1" -report_el_torito plain 2>/dev/null | sed -n 's/^El Torito boot img : *//p' | tr -s ' '; }
et_path() { xorriso -indev "$1" -report_el_torito plain 2>/dev/null | sed -n "s/^El Torito img path : *$2 *//p"; }
# "start size" of each GPT partition, as xorriso reports them
gpt_parts() { xorriso -indev "$1" -report_system_area plain 2>/dev/null | sed -n 's/^GPT start and size : *[0-9]* *//p' | tr -s ' '; }

# --- a hybrid BIOS + UEFI image made by xorrisofs, the EFI image hidden
mkdir -p "$T/tree/isolinux" "$T/tree/boot"
cp "$ISOLINUX" "$T/tree/isolinux/"
echo "DEFAULT x" >"$T/tree/isolinux/isolinux.cfg"
mformat -i "$T/tree/boot/efi.img" -C -f 1440 :: 2>/dev/null
echo "a file" >"$T/tree/readme.txt"
xorrisofs -o "$T/x.iso" -J -R -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot \
	-boot-load-size 4 -boot-info-table -eltorito-alt-boot -e boot/efi.img -no-emul-boot \
	-isohybrid-mbr "$ISOHDPFX" -isohybrid-gpt-basdat -hide efi.img -hide-joliet efi.img \
	"$T/tree" >/dev/null 2>&1 || { echo "# xorrisofs failed"; exit 1; }

# --- info: the entries as xorriso reports them
run "$ISOKIT" info --json "$T/x.iso"; expect_rc 0 "info --json on xorrisofs's hybrid image"
cp "$T/out" "$T/x.json"
mine=$(json "$T/x.json" '"\n".join("%d %s %d %d" % (i + 1, "BIOS" if e["platform"] == 0 else "UEFI" if e["platform"] == 239 else "?", e["sectors"], e["load_lba"]) for i, e in enumerate(d["eltorito"]["entries"]))')
theirs=$(et_imgs "$T/x.iso" | awk '{print $1, $2, $7, $8}')
[ -n "$theirs" ] && [ "$mine" = "$theirs" ] && ok "entries (platform, load size, block) as xorriso reports them" ||
	not_ok "entries: isokit '$mine', xorriso '$theirs'"
[ "$(json "$T/x.json" 'd["eltorito"]["entries"][0]["path"]')" = "$(et_path "$T/x.iso" 1)" ] &&
	ok "BIOS image's path as xorriso names it ($(et_path "$T/x.iso" 1))" ||
	not_ok "BIOS image path: $(json "$T/x.json" 'd["eltorito"]["entries"][0]["path"]')"
[ "$(json "$T/x.json" 'd["eltorito"]["entries"][0]["image_bytes"]')" = "$(stat -c %s "$ISOLINUX")" ] &&
	ok "BIOS image's size is isolinux.bin's" || not_ok "BIOS image size $(json "$T/x.json" 'd["eltorito"]["entries"][0]["image_bytes"]')"
xorriso -indev "$T/x.iso" -report_el_torito plain 2>/dev/null | grep -q 'img opts :   1  boot-info-table' &&
	[ "$(json "$T/x.json" 'd["eltorito"]["entries"][0]["boot_info_table"]')" = True ] &&
	[ "$(json "$T/x.json" 'd["eltorito"]["entries"][1]["boot_info_table"]')" = False ] &&
	ok "boot-info-table found where xorriso finds it, and only there" || not_ok "boot-info-table flags"
# the hidden EFI image: no path, its size from the partition over it
[ "$(json "$T/x.json" 'd["eltorito"]["entries"][1]["path"]')" = None ] &&
	[ "$(json "$T/x.json" 'd["eltorito"]["entries"][1]["image_bytes"]')" = "$(stat -c %s "$T/tree/boot/efi.img")" ] &&
	ok "hidden EFI image: no path, its size known ($(json "$T/x.json" 'd["eltorito"]["entries"][1]["size_from"]'))" ||
	not_ok "hidden EFI image: $(json "$T/x.json" 'd["eltorito"]["entries"][1]')"
[ "$(json "$T/x.json" 'd["eltorito"]["catalog_path"]')" = "$(xorriso -indev "$T/x.iso" -report_el_torito plain 2>/dev/null | sed -n 's/^El Torito cat path : *//p')" ] &&
	ok "catalog path as xorriso reports it" || not_ok "catalog path: $(json "$T/x.json" 'd["eltorito"]["catalog_path"]')"
# the GPT: every partition's start and size as xorriso decodes them
mine=$(json "$T/x.json" '"\n".join("%d %d" % (p["first_sector"], p["last_sector"] - p["first_sector"] + 1) for p in d["gpt"]["partitions"])')
[ -n "$mine" ] && [ "$mine" = "$(gpt_parts "$T/x.iso")" ] && ok "GPT partitions as xorriso decodes them" ||
	not_ok "GPT partitions: isokit '$mine', xorriso '$(gpt_parts "$T/x.iso")'"
[ "$(json "$T/x.json" 'd["gpt"]["header_ok"] and d["gpt"]["entries_ok"] and d["gpt"]["backup_ok"]')" = True ] &&
	ok "GPT header, entries and backup good" || not_ok "GPT flags: $(json "$T/x.json" 'd["gpt"]')"
# a damaged entry array: sgdisk sees it, and so does info
cp "$T/x.iso" "$T/bad.iso"
printf '\x55' | dd of="$T/bad.iso" bs=1 seek=$((2 * 512 + 40)) conv=notrunc status=none
sgdisk -v "$T/bad.iso" 2>&1 | grep -qi 'problem\|mismatch\|corrupt\|invalid' && judge=1 || judge=0
run "$ISOKIT" info --json "$T/bad.iso"
[ "$judge" = 1 ] && [ "$(json "$T/out" 'd["gpt"]["entries_ok"]')" = False ] &&
	ok "a changed GPT entry: sgdisk complains and info says entries_ok false" ||
	not_ok "damaged GPT entries: sgdisk judge $judge, isokit $(json "$T/out" 'd["gpt"]["entries_ok"]')"

# --- extract --boot-images against xorriso -extract_boot_images
mkdir -p "$T/xb"
xorriso -osirrox on -indev "$T/x.iso" -extract_boot_images "$T/xb/" >/dev/null 2>&1
run "$ISOKIT" extract "$T/x.iso" --boot-images "$T/mb"; expect_rc 0 "extract --boot-images"
prefix_same() { # prefix_same MINE THEIRS: MINE is THEIRS, whose tail (block padding) is zeros
	python3 -c '
import sys
a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
sys.exit(0 if a and b[:len(a)] == a and not b[len(a):].strip(b"\0") and len(b) - len(a) < 2048 else 1)' "$1" "$2"
}
prefix_same "$T/mb/boot-1-bios.img" "$T/xb/eltorito_img1_bios.img" && ok "BIOS image as xorriso extracts it" ||
	not_ok "BIOS image differs from xorriso's"
prefix_same "$T/mb/boot-2-uefi.img" "$T/xb/eltorito_img2_uefi.img" && cmp -s "$T/mb/boot-2-uefi.img" "$T/tree/boot/efi.img" &&
	ok "hidden EFI image as xorriso extracts it, and as it went in" || not_ok "EFI image differs"
cmp -s "$T/mb/system-area.img" "$T/xb/systemarea.img" && ok "system area as xorriso extracts it" ||
	not_ok "system area differs from xorriso's"
[ -z "$(ls -A "$T" | grep -v '^\(tree\|x.iso\|x.json\|bad.iso\|xb\|mb\|out\|err\)$')" ] &&
	[ "$(ls -A "$T/mb" | wc -l)" = 3 ] && ok "only the boot images written, no temporary files left" ||
	not_ok "left behind: $(ls -A "$T" "$T/mb" | tr '\n' ' ')"
echo changed >"$T/mb/boot-1-bios.img"
run "$ISOKIT" extract "$T/x.iso" --boot-images "$T/mb"; expect_rc 1 "an existing boot image is not replaced"
expect_err 'exists \(--overwrite' "the message says how to replace it"
[ "$(cat "$T/mb/boot-1-bios.img")" = changed ] && ok "the existing file is kept" || not_ok "existing file replaced"
run "$ISOKIT" extract "$T/x.iso" --boot-images "$T/mb" --overwrite; expect_rc 0 "--overwrite replaces them"
prefix_same "$T/mb/boot-1-bios.img" "$T/xb/eltorito_img1_bios.img" && ok "replaced with the image's copy" || not_ok "not replaced"

# --- --boot-like: remaster xorrisofs's image from its unpacked tree
run "$ISOKIT" extract "$T/x.iso" -C "$T/unpacked"; expect_rc 0 "unpack the original"
[ ! -e "$T/unpacked/boot/efi.img" ] && ok "the hidden EFI image is not among the unpacked files" || not_ok "efi.img was unpacked"
echo "added" >"$T/unpacked/ADDED.TXT"
run "$ISOKIT" create -o "$T/re.iso" --boot-like "$T/x.iso" "$T/unpacked"; expect_rc 0 "create --boot-like"
# the same entries but for their blocks, and the same options
strip_lba() { et_imgs "$1" | awk '{$8 = ""; print}'; }
[ "$(strip_lba "$T/re.iso")" = "$(strip_lba "$T/x.iso")" ] && ok "xorriso reports the same entries (blocks aside)" ||
	not_ok "entries: '$(strip_lba "$T/re.iso")' vs '$(strip_lba "$T/x.iso")'"
xorriso -indev "$T/re.iso" -report_el_torito plain 2>/dev/null | grep -q 'img opts :   1  boot-info-table' &&
	ok "boot-info-table made again (xorriso)" || not_ok "no boot-info-table in the remaster"
[ "$(et_path "$T/re.iso" 1)" = /isolinux/isolinux.bin ] && ok "BIOS image is the tree's file" || not_ok "BIOS path $(et_path "$T/re.iso" 1)"
mkdir -p "$T/rb"
xorriso -osirrox on -indev "$T/re.iso" -extract_boot_images "$T/rb/" >/dev/null 2>&1
prefix_same "$T/tree/boot/efi.img" "$T/rb/eltorito_img2_uefi.img" && ok "EFI image carried over from the original (not a file of the tree)" ||
	not_ok "EFI image of the remaster differs from the original's"
B=$(et_imgs "$T/re.iso" | awk 'NR==1{print $8}')
cmp -s <(head -c 432 "$T/re.iso") <(head -c 432 "$ISOHDPFX") &&
	[ "$(od -An -tu4 -j432 -N4 "$T/re.iso" | tr -d ' ')" = $((B * 4)) ] &&
	ok "MBR: isohdpfx's code, pointer at 432 moved to the new block ($((B * 4)))" || not_ok "MBR code or pointer"
sgdisk -v "$T/re.iso" 2>&1 | grep -q 'No problems found' && ok "sgdisk -v: no problems" || not_ok "sgdisk: $(sgdisk -v "$T/re.iso" 2>&1 | head -3)"
bsdtar -xOf "$T/re.iso" ADDED.TXT 2>/dev/null | grep -q added && ok "the added file is there (bsdtar)" || not_ok "ADDED.TXT missing"
[ "$(bsdtar -tf "$T/re.iso" | grep -c 'boot.cat')" = 1 ] && ok "one boot.cat: the old one replaced by the new catalog" ||
	not_ok "boot.cat entries: $(bsdtar -tf "$T/re.iso" | grep boot.cat | tr '\n' ' ')"
Cn=$(xorriso -indev "$T/re.iso" -report_el_torito plain 2>/dev/null | sed -n 's/^El Torito catalog *: *\([0-9]*\).*/\1/p')
[ "$("$ISOKIT" ls -l --json "$T/re.iso" /isolinux/boot.cat | sed -n 's/.*"lba": \([0-9]*\).*/\1/p')" = "$Cn" ] &&
	ok "/isolinux/boot.cat is the catalog's block ($Cn)" || not_ok "boot.cat is not the catalog"

# --- --boot-like on the grub-rescue image Debian ships (GRUB 2 patches)
GR=/usr/lib/grub-rescue/grub-rescue-cdrom.iso
if [ -e "$GR" ]; then
	run "$ISOKIT" extract "$GR" -C "$T/gr"; expect_rc 0 "unpack grub-rescue-cdrom.iso"
	run "$ISOKIT" create -o "$T/gr.iso" --boot-like "$GR" "$T/gr"; expect_rc 0 "remaster it"
	opts() { xorriso -indev "$1" -report_el_torito plain 2>/dev/null | grep 'img opts'; }
	[ "$(opts "$T/gr.iso")" = "$(opts "$GR")" ] && [ -n "$(opts "$GR")" ] &&
		ok "xorriso finds the same patches: $(opts "$GR" | tr -s ' ')" || not_ok "patches: '$(opts "$T/gr.iso")' vs '$(opts "$GR")'"
	G=$(et_imgs "$T/gr.iso" | awk 'NR==1{print $8}')
	xorriso -indev "$T/gr.iso" -report_system_area plain 2>/dev/null | grep -q 'summary.*grub2-mbr' &&
		[ "$(python3 -c 'import struct,sys; f=open(sys.argv[1],"rb"); f.seek(432); print(struct.unpack("<Q",f.read(8))[0])' "$T/gr.iso")" = $((G * 4 + 4)) ] &&
		ok "GRUB 2 MBR kept, its pointer moved to the new block" || not_ok "GRUB 2 MBR"
	# the original has an MBR partition and no GPT; so has the remaster
	layout() { sfdisk -d "$1" 2>/dev/null | sed -n 's/^[^:]*[0-9] : start= *\([0-9]*\), size= *\([0-9]*\), \(.*\)/\1 \2 \3/p' | tr -d ' '; }
	n512=$(($(stat -c %s "$T/gr.iso") / 512))
	[ "$(layout "$GR")" = "1$(($(stat -c %s "$GR") / 512 - 1))type=cd,bootable" ] &&
		[ "$(layout "$T/gr.iso")" = "1$((n512 - 1))type=cd,bootable" ] &&
		[ "$(sfdisk -d "$T/gr.iso" 2>/dev/null | sed -n 's/^label: //p')" = dos ] &&
		ok "sfdisk: the same dos label as the original (active 0xCD from sector 1), over the new size" ||
		not_ok "sfdisk: remaster '$(layout "$T/gr.iso")', original '$(layout "$GR")'"
else
	checks=$((checks + 1)); echo "ok $checks # SKIP $GR not installed"
fi
finish
