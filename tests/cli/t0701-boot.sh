#!/usr/bin/env bash
# Bootable images made by isokit create: El Torito entries (--boot, --efi,
# emulation, boot-info-table, GRUB 2 boot info, the catalog) and hybrid
# system areas (--hybrid, --system-area, --grub2-mbr). The images are booted
# in qemu (SeaBIOS and OVMF; as CD and as disk) and judged by other tools:
# xorriso's reports, isoinfo, fdisk, sgdisk, checkisomd5, bsdtar, and byte
# checks computed here in python3 from the source files.
#
# Each VM prints a marker on its serial line when the boot loader ran (the
# isolinux SAY, a GRUB echo, a boot sector's int 10h) and then powers off or
# resets; -no-reboot makes qemu exit. A VM that has nothing to boot resets
# at once under SeaBIOS (reboot-timeout=0), and OVMF's giving up is watched
# for, so only a hanging boot loader waits for the time limit.
. "$(dirname "$0")/lib.sh"
need qemu-system-x86_64
need xorriso
need python3
need_file() { [ -e "$1" ] || { echo "1..0 # SKIP $1 not installed"; exit 0; }; }
ISOLINUX=/usr/lib/ISOLINUX/isolinux.bin
ISOHDPFX=/usr/lib/ISOLINUX/isohdpfx.bin
MODS=/usr/lib/syslinux/modules/bios
for f in "$ISOLINUX" "$ISOHDPFX" "$MODS"/{ldlinux,poweroff,libcom32,libutil}.c32; do need_file "$f"; done
OVMF=
for f in /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF.fd /usr/share/qemu/OVMF.fd; do
	[ -e "$f" ] && { OVMF=$f; break; }
done
GRUBPC=/usr/lib/grub/i386-pc
GRUBEFI=/usr/lib/grub/x86_64-efi
export MTOOLS_SKIP_CHECK=1

have() { command -v "$1" >/dev/null; }
skip() { checks=$((checks + 1)); echo "ok $checks # SKIP $*"; }

# --- the VMs

# boot NAME SECONDS MARKER QEMU-ARGS...: a VM whose serial line goes to
# $T/NAME.log; stopped when MARKER shows (or $STOP_AT, when set: the
# firmware gave up), when it ends, or after SECONDS. Succeeds when MARKER showed.
STOP_AT=
boot() {
	local name=$1 secs=$2 marker=$3
	shift 3
	timeout "$secs" qemu-system-x86_64 -nographic -no-reboot -nic none -serial mon:stdio "$@" \
		</dev/null >"$T/$name.log" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null && ! seen "$T/$name.log" "$marker" &&
		! { [ -n "$STOP_AT" ] && seen "$T/$name.log" "$STOP_AT"; }; do sleep 0.2; done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	seen "$T/$name.log" "$marker"
}
# seen LOG MARKER: MARKER is on the serial line, once the terminal escape
# sequences are out (SeaBIOS's serial console puts cursor moves between the
# letters a boot loader writes both to the port and through int 10h)
seen() {
	LC_ALL=C sed 's/\x1b\[[0-9;?=]*[A-Za-z]//g; s/\x1b[c78]//g' "$1" | tr -d '\r' | grep -aq -- "$2"
}
bios_cd() { boot "$1" 60 "$2" -m 256 -boot order=d,reboot-timeout=0 -cdrom "$3"; }
bios_disk() { boot "$1" 60 "$2" -m 256 -boot order=c,reboot-timeout=0 -drive "file=$3,format=raw,if=ide,snapshot=on"; }
efi_cd() { boot "$1" 120 "$2" -m 512 -bios "$OVMF" -boot d -cdrom "$3"; }
efi_disk() { boot "$1" 120 "$2" -m 512 -bios "$OVMF" -drive "file=$3,format=raw,if=ide,snapshot=on"; }
show_log() { # the end of a VM's serial line, printable, as TAP comments
	tail -c 600 "$T/$1.log" | tr -c '[:print:]\n' ' ' | grep -v '^ *$' | tail -6 | sed 's/^/# vm: /'
}
# expect_boot HOW MARKER IMAGE DESCRIPTION: HOW is bios_cd, bios_disk, efi_cd, efi_disk
vm=0
expect_boot() {
	vm=$((vm + 1))
	local name="vm$vm-$1" t0=$SECONDS
	if [ ! -s "$3" ]; then not_ok "$4: there is no image to boot"; return; fi
	if "$1" "$name" "$2" "$3"; then ok "$4 ($((SECONDS - t0)) s)"; else
		not_ok "$4: no '$2' on the serial line ($((SECONDS - t0)) s)"; show_log "$name"; fi
}

# --- judges

lba() { # lba IMAGE PATH: the first block of a file's data, as isokit ls reports it
	"$ISOKIT" ls -l --json "$1" "$2" 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"][0]["lba"])' 2>/dev/null
}
et_imgs() { # et_imgs IMAGE: xorriso's boot entries, one per line, single spaces
	xorriso -indev "$1" -report_el_torito plain 2>/dev/null | sed -n 's/^El Torito boot img : *//p' | tr -s ' '
}
et_line() { # et_line IMAGE FIELD: the rest of xorriso's "El Torito FIELD :" lines
	xorriso -indev "$1" -report_el_torito plain 2>/dev/null | sed -n "s/^El Torito $2 *: *//p" | tr -s ' '
}
sa_report() { xorriso -indev "$1" -report_system_area plain 2>/dev/null; }
ceil512() { echo $((($(stat -c %s "$1") + 511) / 512)); }
sectors() { echo $(($(stat -c %s "$1") / 512)); }
# infotable IMAGE SOURCE LBA [grub2]: the boot-info-table of the copy of SOURCE
# at block LBA of IMAGE, against the values computed here from SOURCE (with
# GRUB 2's boot info patched in first, when asked: the sum covers it)
infotable() {
	python3 - "$@" <<'PY'
import struct, sys
img, src, lba = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = bytearray(open(src, "rb").read())
if len(sys.argv) > 4:
    s[2548:2556] = struct.pack("<Q", lba * 4 + 5)
with open(img, "rb") as f:
    f.seek(lba * 2048)
    c = f.read(len(s))
rest = bytes(s[64:]) + bytes(-(len(s) - 64) % 4)
total = sum(struct.unpack("<%dI" % (len(rest) // 4), rest)) & 0xFFFFFFFF
want = (16, lba, len(s), total)
got = struct.unpack("<4I", c[8:24])
bad = []
if got != want: bad.append("table %s, expected %s" % (got, want))
if c[24:64] != bytes(40): bad.append("bytes 24-63 not zero")
if c[:8] != s[:8] or c[64:] != s[64:]: bad.append("bytes outside the table differ from the source")
print("; ".join(bad) if bad else "ok (PVD 16, LBA %d, %d bytes, sum 0x%08x)" % want[1:])
PY
}
et_record() { # et_record IMAGE: the catalog's block, from the boot record volume descriptor
	python3 - "$1" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb")
for n in range(16, 64):
    f.seek(n * 2048)
    d = f.read(2048)
    if d[0] == 0 and d[1:6] == b"CD001" and d[7:30] == b"EL TORITO SPECIFICATION":
        print(struct.unpack("<I", d[71:75])[0]); break
    if d[0] == 255: break
PY
}
u64at() { python3 -c 'import struct,sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2])); print(struct.unpack("<Q", f.read(8))[0])' "$1" "$2"; }
same_bytes() { # same_bytes FILE1 OFF1 FILE2 OFF2 N
	cmp -s <(dd if="$1" bs=1 skip="$2" count="$5" status=none) <(dd if="$3" bs=1 skip="$4" count="$5" status=none)
}
# gpt_efi IMAGE: "start size" of each GPT partition of the EFI system type
# (xorriso's report), one per line
gpt_efi() {
	sa_report "$1" | python3 -c '
import re, sys
types, where = {}, {}
for l in sys.stdin:
    m = re.match(r"GPT type GUID *: *(\d+) +(\S+)", l)
    if m: types[m[1]] = m[2]
    m = re.match(r"GPT start and size *: *(\d+) +(\d+) +(\d+)", l)
    if m: where[m[1]] = m[2] + " " + m[3]
for n, t in types.items():
    if t == "28732ac11ff8d211ba4b00a0c93ec93b": print(where.get(n, "?"))'
}

# --- the trees
mkdir -p "$T/iso/isolinux" "$T/iso/docs"
cp "$ISOLINUX" "$MODS"/{ldlinux,poweroff,libcom32,libutil}.c32 "$T/iso/isolinux/"
printf 'SERIAL 0 115200\nCONSOLE 0\nSAY ISOKIT-BIOS-BOOT-OK\nPROMPT 0\nDEFAULT x\nLABEL x\n  COM32 poweroff.c32\n' \
	>"$T/iso/isolinux/isolinux.cfg"
seq 1 40000 >"$T/iso/docs/numbers.txt"
head -c 300000 /dev/urandom >"$T/iso/docs/random.bin"
BIOS_OK=ISOKIT-BIOS-BOOT # the last letters may be lost to the power-off
BOOT=(--boot /isolinux/isolinux.bin --boot-load-size 4 --boot-info-table)

# =====================================================================
# a. isolinux: as CD; hybrid as disk and CD; non-hybrid as disk must fail
run "$ISOKIT" create -o "$T/bios.iso" "${BOOT[@]}" "$T/iso"; expect_rc 0 "create an isolinux CD image"
run "$ISOKIT" create -o "$T/hyb.iso" "${BOOT[@]}" --hybrid --system-area "$ISOHDPFX" "$T/iso"
expect_rc 0 "create it --hybrid --system-area isohdpfx.bin"
expect_boot bios_cd "$BIOS_OK" "$T/bios.iso" "SeaBIOS boots the isolinux image as CD"
expect_boot bios_disk "$BIOS_OK" "$T/hyb.iso" "SeaBIOS boots the hybrid image as disk"
expect_boot bios_cd "$BIOS_OK" "$T/hyb.iso" "SeaBIOS boots the hybrid image as CD"
run "$ISOKIT" create -o "$T/hyb-mbr.iso" "${BOOT[@]}" --hybrid --partition-table mbr --system-area "$ISOHDPFX" "$T/iso"
expect_rc 0 "create it --hybrid --partition-table mbr"
expect_boot bios_disk "$BIOS_OK" "$T/hyb-mbr.iso" "SeaBIOS boots the MBR-only hybrid image as disk"
[ "$(sa_report "$T/hyb-mbr.iso" | grep -E '^(MBR partition  |System area summary)' | tr -s ' ')" = "System area summary: MBR isohybrid cyl-align-off
MBR partition : 1 0x80 0x17 0 $(sectors "$T/hyb-mbr.iso")" ] &&
	ok "xorriso: MBR isohybrid, no GPT, one partition: active, 0x17, the whole image (isohybrid's layout)" ||
	not_ok "xorriso: $(sa_report "$T/hyb-mbr.iso" | grep -E '^(MBR partition  |System area summary)' | tr '\n' '|')"
vm=$((vm + 1))
if bios_disk "vm$vm-neg" "$BIOS_OK" "$T/bios.iso"; then
	not_ok "negative control: the non-hybrid image booted as a disk"
elif grep -aq 'No bootable device' "$T/vm$vm-neg.log"; then
	ok "negative control: the non-hybrid image does not boot as disk (SeaBIOS: No bootable device)"
else
	not_ok "negative control: the VM did not get to 'No bootable device'"; show_log "vm$vm-neg"
fi

# the judges of the BIOS images
L=$(lba "$T/bios.iso" /isolinux/isolinux.bin)
[ "$(et_imgs "$T/bios.iso")" = "1 BIOS y none 0x0000 0x00 4 $L" ] &&
	ok "xorriso: exactly one entry: BIOS, no emulation, 4 sectors, at isolinux.bin's block $L" ||
	not_ok "xorriso's entries: $(et_imgs "$T/bios.iso" | tr '\n' '|')"
et_line "$T/bios.iso" 'img opts' | grep -Eq '^1 (.* )?boot-info-table( |$)' && ok "xorriso: img opts boot-info-table" ||
	not_ok "xorriso img opts: $(et_line "$T/bios.iso" 'img opts')"
[ -z "$(et_line "$T/bios.iso" 'cat path')" ] && ok "xorriso: no catalog path (hidden by default)" ||
	not_ok "catalog path: $(et_line "$T/bios.iso" 'cat path')"
[ -z "$(sa_report "$T/bios.iso" | grep '^System area summary')" ] &&
	python3 -c 'import sys; sys.exit(open(sys.argv[1],"rb").read(32768) != bytes(32768))' "$T/bios.iso" &&
	ok "no --hybrid: the system area is 32 KiB of zeros" || not_ok "the system area of a non-hybrid image is not blank"
r=$(infotable "$T/bios.iso" "$ISOLINUX" "$L")
[ "${r%% *}" = ok ] && ok "boot-info-table in the image's isolinux.bin: $r" || not_ok "boot-info-table: $r"
if have xorrisofs; then # the judge itself, on the reference's image
	xorrisofs -o "$T/bios-xorriso.iso" -b isolinux/isolinux.bin -no-emul-boot -boot-load-size 4 -boot-info-table \
		"$T/iso" >/dev/null 2>&1
	r=$(infotable "$T/bios-xorriso.iso" "$ISOLINUX" "$(lba "$T/bios-xorriso.iso" /isolinux/isolinux.bin)")
	[ "${r%% *}" = ok ] && ok "control: xorrisofs's boot-info-table is what this test expects" || not_ok "control: xorrisofs: $r"
else skip "xorrisofs not installed"; fi
cmp -s "$T/iso/isolinux/isolinux.bin" "$ISOLINUX" && ok "the source isolinux.bin is unchanged" ||
	not_ok "create changed the source isolinux.bin"
if have isoinfo; then
	isoinfo -d -i "$T/bios.iso" >"$T/isoinfo" 2>&1
	cat_lba=$(et_record "$T/bios.iso")
	grep -q "^El Torito VD version 1 found, boot catalog is in sector $cat_lba\$" "$T/isoinfo" &&
		grep -q "Bootoff [0-9A-F]* $L\$" "$T/isoinfo" && grep -q 'Nsect 4$' "$T/isoinfo" &&
		grep -q 'Boot media 0 (No Emulation Boot)' "$T/isoinfo" &&
		ok "isoinfo: El Torito record, catalog in sector $cat_lba, default entry at $L, 4 sectors" ||
		not_ok "isoinfo: $(grep -iA12 torito "$T/isoinfo" | tr '\n' '|')"
	[ "$(et_line "$T/bios.iso" catalog)" = "$cat_lba 1" ] && ok "xorriso sees the catalog in the same block" ||
		not_ok "xorriso's catalog: $(et_line "$T/bios.iso" catalog)"
else skip "isoinfo not installed"; skip "isoinfo not installed"; fi

L=$(lba "$T/hyb.iso" /isolinux/isolinux.bin)
sa_report "$T/hyb.iso" >"$T/sa"
grep -q '^System area summary: MBR isohybrid .*GPT' "$T/sa" && ok "xorriso: MBR isohybrid and GPT" ||
	not_ok "xorriso: $(grep summary "$T/sa")"
[ -z "$(gpt_efi "$T/hyb.iso")" ] && ok "no EFI partition without --efi" || not_ok "EFI partition: $(gpt_efi "$T/hyb.iso")"
same_bytes "$T/hyb.iso" 0 "$ISOHDPFX" 0 432 && [ "$(u64at "$T/hyb.iso" 432)" = $((L * 4)) ] &&
	ok "MBR: isohdpfx.bin's code, byte 432 = isolinux.bin's 512-byte sector $((L * 4))" ||
	not_ok "MBR: code differs from isohdpfx.bin or byte 432 holds $(u64at "$T/hyb.iso" 432), not $((L * 4))"
r=$(infotable "$T/hyb.iso" "$ISOLINUX" "$L")
[ "${r%% *}" = ok ] && ok "hybrid: boot-info-table $r" || not_ok "hybrid: boot-info-table: $r"

# =====================================================================
# b. GRUB for UEFI and isolinux for BIOS in one hybrid image
EFI_OK=ISOKIT-EFI-BOOT-OK
efi_ready=
if have grub-mkimage && [ -d "$GRUBEFI" ] && have mformat && have mmd && have mcopy; then
	printf 'serial --unit=0 --speed=115200\nterminal_output serial console\necho %s\nhalt\n' "$EFI_OK" >"$T/early.cfg"
	if grub-mkimage -O x86_64-efi -o "$T/BOOTX64.EFI" -c "$T/early.cfg" -p /EFI/BOOT \
		serial terminal echo halt normal 2>"$T/err" &&
		mformat -i "$T/efi.img" -C -f 1440 :: 2>>"$T/err" && mmd -i "$T/efi.img" ::/EFI ::/EFI/BOOT 2>>"$T/err" &&
		mcopy -i "$T/efi.img" "$T/BOOTX64.EFI" ::/EFI/BOOT/ 2>>"$T/err"; then
		efi_ready=1
	else
		echo "# could not make the EFI image: $(head -3 "$T/err")"
	fi
fi
mkdir -p "$T/both/boot"
cp -a "$T/iso/." "$T/both/"
if [ -n "$efi_ready" ]; then
	cp "$T/efi.img" "$T/both/boot/efi.img"
else # a FAT image nobody boots: the judges below still apply
	head -c 1474560 /dev/zero >"$T/both/boot/efi.img"
fi
HYB=(--efi /boot/efi.img --boot-catalog /isolinux/boot.cat --hybrid --system-area "$ISOHDPFX")
run "$ISOKIT" create -o "$T/both.iso" "${BOOT[@]}" "${HYB[@]}" "$T/both"
expect_rc 0 "create BIOS + EFI hybrid with checksums"
blank_catalog() { # blank_catalog IMAGE COPY: a copy whose boot catalog is zeros
	cp "$1" "$2"
	dd if=/dev/zero of="$2" bs=2048 seek="$(et_record "$1")" count=1 conv=notrunc status=none
}
if [ -n "$efi_ready" ] && [ -n "$OVMF" ]; then
	expect_boot efi_cd "$EFI_OK" "$T/both.iso" "OVMF boots GRUB from the EFI entry, as CD"
	expect_boot efi_disk "$EFI_OK" "$T/both.iso" "OVMF boots GRUB from the image as disk"
	# OVMF reads El Torito from disks too: only without it does a disk
	# boot show that the GPT's EFI system partition works
	blank_catalog "$T/both.iso" "$T/both-noet.iso"
	expect_boot efi_disk "$EFI_OK" "$T/both-noet.iso" "OVMF boots GRUB from the GPT alone (a copy without catalog), as disk"
	run "$ISOKIT" create -o "$T/efi-plain.iso" --efi /boot/efi.img "$T/both"; expect_rc 0 "create --efi without --hybrid"
	blank_catalog "$T/efi-plain.iso" "$T/efi-plain-noet.iso"
	vm=$((vm + 1))
	STOP_AT='Shell>\|No bootable option'
	if efi_disk "vm$vm-efineg" "$EFI_OK" "$T/efi-plain-noet.iso"; then
		not_ok "negative control: a non-hybrid image without catalog booted under OVMF as disk"
	elif seen "$T/vm$vm-efineg.log" "$STOP_AT"; then
		ok "negative control: without --hybrid (and catalog) OVMF finds nothing to boot on the disk"
	else
		not_ok "negative control: OVMF did not get to its shell or 'No bootable option'"; show_log "vm$vm-efineg"
	fi
	STOP_AT=
else
	for _ in 1 2 3 4 5; do skip "no OVMF, grub-mkimage for x86_64-efi or mtools"; done
fi
expect_boot bios_cd "$BIOS_OK" "$T/both.iso" "SeaBIOS boots isolinux from the same image as CD"
expect_boot bios_disk "$BIOS_OK" "$T/both.iso" "SeaBIOS boots isolinux from the same image as disk"

# =====================================================================
# b2. the same with --partition-table mbr: an MBR alone (isohybrid's layout:
# partition 1 active, 0x00, from sector 0; partition 2, 0xEF, the EFI image)
run "$ISOKIT" create -o "$T/both-mbr.iso" "${BOOT[@]}" "${HYB[@]}" --partition-table mbr "$T/both"
expect_rc 0 "create BIOS + EFI hybrid --partition-table mbr"
expect_boot bios_disk "$BIOS_OK" "$T/both-mbr.iso" "SeaBIOS boots isolinux from the MBR-only hybrid as disk"
if [ -n "$efi_ready" ] && [ -n "$OVMF" ]; then
	blank_catalog "$T/both-mbr.iso" "$T/both-mbr-noet.iso"
	expect_boot efi_disk "$EFI_OK" "$T/both-mbr-noet.iso" "OVMF boots GRUB from the MBR's 0xEF partition alone (no catalog), as disk"
else
	skip "no OVMF, grub-mkimage for x86_64-efi or mtools"
fi
if [ -s "$T/both-mbr.iso" ]; then
	E=$(lba "$T/both-mbr.iso" /boot/efi.img)
	esz=$(ceil512 "$T/both/boot/efi.img")
	n512=$(sectors "$T/both-mbr.iso")
	sa_report "$T/both-mbr.iso" >"$T/sa"
	printf 'MBR partition : 1 0x80 0x00 0 %s\nMBR partition : 2 0x00 0xef %s %s\n' "$n512" "$((E * 4))" "$esz" >"$T/want"
	grep '^MBR partition  ' "$T/sa" | tr -s ' ' >"$T/got"
	cmp -s "$T/want" "$T/got" && ! grep -q GPT "$T/sa" &&
		ok "xorriso: MBR partitions 1 (active, 0x00, 0-$((n512 - 1))) and 2 (0xEF over the EFI image), no GPT" ||
		not_ok "xorriso: $(tr '\n' '|' <"$T/got") $(grep summary "$T/sa"), expected $(tr '\n' '|' <"$T/want")"
	"$ISOKIT" info --json "$T/both-mbr.iso" 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin)["partitions"]:
    print("MBR partition : %d 0x%02x 0x%02x %d %d" % (p["index"], 0x80 if p["bootable"] else 0, p["type"], p["start_sector"], p["sectors"]))' >"$T/got2"
	cmp -s "$T/want" "$T/got2" && ok "isokit info --json lists the same two partitions as xorriso" ||
		not_ok "isokit info: $(tr '\n' '|' <"$T/got2")"
	if have sfdisk; then
		sfdisk -d "$T/both-mbr.iso" 2>/dev/null | grep -E '^label:|start=' | sed 's/.*: *//; s/ //g' >"$T/got"
		printf 'dos\nstart=0,size=%s,type=0,bootable\nstart=%s,size=%s,type=ef\n' "$n512" "$((E * 4))" "$esz" >"$T/want"
		cmp -s "$T/want" "$T/got" && ok "sfdisk reads the same dos label" || not_ok "sfdisk -d: $(tr '\n' '|' <"$T/got")"
	else skip "sfdisk not installed"; fi
	if ! have checkisomd5; then skip "checkisomd5 not installed"; elif checkisomd5 "$T/both-mbr.iso" >/dev/null 2>&1; then ok "checkisomd5 passes"; else
		not_ok "checkisomd5: $(checkisomd5 "$T/both-mbr.iso" 2>&1 | tail -1)"; fi
else
	for _ in 1 2 3; do not_ok "MBR-only judges: no image"; done
fi
run "$ISOKIT" create -o "$T/mbr-nohyb.iso" "${BOOT[@]}" --partition-table mbr "$T/iso"
expect_rc 2 "--partition-table without --hybrid is a usage error"

# =====================================================================
# c. judges of the BIOS + EFI hybrid image
L=$(lba "$T/both.iso" /isolinux/isolinux.bin)
E=$(lba "$T/both.iso" /boot/efi.img)
C=$(lba "$T/both.iso" /isolinux/boot.cat)
esz=$(ceil512 "$T/both/boot/efi.img")
n512=$(sectors "$T/both.iso")
printf '1 BIOS y none 0x0000 0x00 4 %s\n2 UEFI y none 0x0000 0x00 %s %s\n' "$L" "$esz" "$E" >"$T/want"
et_imgs "$T/both.iso" >"$T/got"
cmp -s "$T/want" "$T/got" && ok "xorriso: exactly the BIOS entry (4 sectors at $L) and the UEFI entry ($esz sectors at $E)" ||
	not_ok "xorriso's entries: $(tr '\n' '|' <"$T/got"), expected $(tr '\n' '|' <"$T/want")"
[ "$(et_line "$T/both.iso" 'img opts' | grep -c boot-info-table)" = 1 ] &&
	et_line "$T/both.iso" 'img opts' | grep -Eq '^1 (.* )?boot-info-table( |$)' &&
	ok "xorriso: boot-info-table on the isolinux entry only" || not_ok "img opts: $(et_line "$T/both.iso" 'img opts' | tr '\n' '|')"
[ "$(et_line "$T/both.iso" 'cat path')" = /isolinux/boot.cat ] && [ "$(et_line "$T/both.iso" catalog)" = "$C 1" ] &&
	ok "xorriso: the catalog at block $C, path /isolinux/boot.cat" ||
	not_ok "catalog: $(et_line "$T/both.iso" catalog) path $(et_line "$T/both.iso" 'cat path'), file at $C"
sa_report "$T/both.iso" >"$T/sa"
[ "$(gpt_efi "$T/both.iso")" = "$((E * 4)) $esz" ] &&
	ok "GPT: one EFI system partition, sectors $((E * 4)) + $esz = the EFI image" ||
	not_ok "GPT EFI partitions: $(gpt_efi "$T/both.iso" | tr '\n' '|'), expected $((E * 4)) $esz"
if have mdir; then
	mdir -b -i "$T/both.iso@@$((E * 4 * 512))" ::/EFI/BOOT 2>&1 | grep -qi 'BOOTX64.EFI' &&
		ok "mtools reads /EFI/BOOT/BOOTX64.EFI in the FAT at the partition's offset" ||
		not_ok "mdir at the EFI partition: $(mdir -i "$T/both.iso@@$((E * 4 * 512))" ::/ 2>&1 | head -3)"
else skip "mtools not installed"; fi
grep -Eq "^MBR partition +: +1 +0x00 +0xee +1 +$((n512 - 1))\$" "$T/sa" &&
	[ "$(grep -c '^MBR partition  ' "$T/sa")" = 1 ] &&
	ok "MBR: one protective 0xEE partition over sectors 1-$((n512 - 1))" ||
	not_ok "MBR: $(grep '^MBR partition' "$T/sa" | tr '\n' '|')"
grep -Eq "^GPT lba range +: +[0-9]+ +[0-9]+ +$((n512 - 1))\$" "$T/sa" &&
	ok "GPT: the backup header in the image's last sector $((n512 - 1))" || not_ok "GPT range: $(grep 'lba range' "$T/sa")"
same_bytes "$T/both.iso" 0 "$ISOHDPFX" 0 432 && [ "$(u64at "$T/both.iso" 432)" = $((L * 4)) ] &&
	ok "MBR: isohdpfx.bin's code, pointer to isolinux.bin's sector $((L * 4))" ||
	not_ok "MBR code or pointer ($(u64at "$T/both.iso" 432), expected $((L * 4)))"
r=$(infotable "$T/both.iso" "$ISOLINUX" "$L")
[ "${r%% *}" = ok ] && ok "boot-info-table: $r" || not_ok "boot-info-table: $r"
if have isoinfo; then
	isoinfo -d -i "$T/both.iso" >"$T/isoinfo" 2>&1
	grep -q "^El Torito VD version 1 found, boot catalog is in sector $C\$" "$T/isoinfo" &&
		grep -q "Bootoff [0-9A-F]* $L\$" "$T/isoinfo" && grep -q 'Arch 0 (x86)' "$T/isoinfo" &&
		ok "isoinfo: El Torito record, catalog in sector $C, default entry x86 at $L" ||
		not_ok "isoinfo: $(grep -iA12 torito "$T/isoinfo" | tr '\n' '|')"
else skip "isoinfo not installed"; fi
if have fdisk; then
	fdisk -l "$T/both.iso" >"$T/fdisk" 2>&1
	grep -q '^Disklabel type: gpt' "$T/fdisk" &&
		grep -Eq "^[^ ]*both\.iso[0-9]+ +$((E * 4)) +$((E * 4 + esz - 1)) +$esz +[^ ]+ +EFI System\$" "$T/fdisk" &&
		ok "fdisk -l: GPT with the EFI System partition $((E * 4))-$((E * 4 + esz - 1))" ||
		not_ok "fdisk -l: $(grep -E 'type|both.iso[0-9]' "$T/fdisk" | tr '\n' '|')"
else skip "fdisk not installed"; fi
if have sgdisk; then
	sgdisk -v "$T/both.iso" >"$T/sgdisk" 2>&1
	grep -q '^No problems found' "$T/sgdisk" && ok "sgdisk -v: No problems found" ||
		not_ok "sgdisk -v: $(grep -v '^$' "$T/sgdisk" | head -5 | tr '\n' '|')"
else skip "sgdisk not installed"; fi
if have checkisomd5; then
	checkisomd5 "$T/both.iso" >/dev/null 2>&1 && ok "checkisomd5 passes the hybrid image" ||
		not_ok "checkisomd5 fails the hybrid image"
else skip "checkisomd5 not installed"; fi
run "$ISOKIT" verify "$T/both.iso"; expect_rc 0 "isokit verify the hybrid image"
expect_out '^result: intact' "verify: intact (the patched isolinux.bin's sum included)"

run "$ISOKIT" create --no-checksums -o "$T/nock.iso" "${BOOT[@]}" "${HYB[@]}" "$T/both"
expect_rc 0 "create the same --no-checksums"
if have sgdisk; then
	sgdisk -v "$T/nock.iso" >"$T/sgdisk" 2>&1
	grep -q '^No problems found' "$T/sgdisk" && ok "--no-checksums --hybrid: sgdisk -v: No problems found" ||
		not_ok "--no-checksums: sgdisk -v: $(grep -v '^$' "$T/sgdisk" | head -5 | tr '\n' '|')"
else skip "sgdisk not installed"; fi
Ln=$(lba "$T/nock.iso" /boot/efi.img)
[ "$(gpt_efi "$T/nock.iso")" = "$((Ln * 4)) $esz" ] && ok "--no-checksums: the EFI partition over the EFI image" ||
	not_ok "--no-checksums: EFI partitions $(gpt_efi "$T/nock.iso" | tr '\n' '|')"

# an EFI image whose size is no multiple of 512: the partition and the
# entry round up; EFI alone needs no MBR code
mkdir -p "$T/odd/boot"; echo x >"$T/odd/x"
cp "$T/both/boot/efi.img" "$T/odd/boot/efi.img"; head -c 100 /dev/urandom >>"$T/odd/boot/efi.img"
osz=$(ceil512 "$T/odd/boot/efi.img")
run "$ISOKIT" create -o "$T/odd.iso" --efi /boot/efi.img --hybrid "$T/odd"; expect_rc 0 "create --efi --hybrid, EFI image of 1474660 bytes"
Eo=$(lba "$T/odd.iso" /boot/efi.img)
[ "$osz" = 2881 ] && [ "$(gpt_efi "$T/odd.iso")" = "$((Eo * 4)) 2881" ] &&
	[ "$(et_imgs "$T/odd.iso")" = "1 UEFI y none 0x0000 0x00 2881 $Eo" ] &&
	ok "1474660 bytes: EFI partition and entry of 2881 sectors at $((Eo * 4))" ||
	not_ok "odd size: partitions $(gpt_efi "$T/odd.iso" | tr '\n' '|') entries $(et_imgs "$T/odd.iso" | tr '\n' '|')"
if have sgdisk; then
	sgdisk -v "$T/odd.iso" 2>&1 | grep -q '^No problems found' && ok "sgdisk -v: No problems found" ||
		not_ok "sgdisk -v: $(sgdisk -v "$T/odd.iso" 2>&1 | grep -v '^$' | head -3 | tr '\n' '|')"
else skip "sgdisk not installed"; fi

# =====================================================================
# e. emulation: a 1.44 MB floppy and a hard disk, each a boot sector that
# prints a marker with the BIOS drive it was started from (DL: 00 floppy,
# 80 hard disk; printed as DL0 / DL8) and resets the machine
mkboot() { # mkboot OUT SIZE MARKER [hd]
	python3 - "$@" <<'PY'
import sys
out, size, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# cli; xor ax,ax; mov ds,ax; mov ss,ax; mov sp,7C00; sti
# mov al,dl; shr al,4; add al,'0'; mov [7C31],al      (the '?' of "DL?")
# mov si,7C2D; print: lodsb; test al,al; jz end; mov ah,0E; mov bx,7; int 10; jmp print
# end: mov al,FE; out 64,al (keyboard controller: reset); hlt; jmp $-1
code = bytes.fromhex("FA31C08ED88ED0BC007CFB" "88D0C0E8040430A2317C" "BE2D7C" "AC84C07409B40EBB0700CD10EBF2"
                     "B0FEE664F4EBFD")
assert len(code) == 0x2D
s = bytearray(512)
s[:0x2D] = code
# the reset can cut the last letters off the serial line: a tail of dashes
msg = b"\r\nDL?-" + marker.encode() + b"-OK" + b"-" * 24 + b"\r\n\0"
assert msg[4:5] == b"?" and 0x2D + 4 == 0x31
s[0x2D:0x2D + len(msg)] = msg
if len(sys.argv) > 4:  # one FAT16 partition from sector 63 to the end, CHS of 16 heads x 63 sectors
    H, S = 16, 63
    total = size // 512
    def chs(l):
        c, h, x = l // (H * S), (l // S) % H, l % S + 1
        return bytes([h, x | ((c >> 2) & 0xC0), c & 0xFF])
    s[446:462] = (b"\x80" + chs(63) + b"\x06" + chs(total - 1) +
                  (63).to_bytes(4, "little") + (total - 63).to_bytes(4, "little"))
s[510:512] = b"\x55\xaa"
open(out, "wb").write(bytes(s) + bytes(size - 512))
PY
}
mkdir -p "$T/emu"
mkboot "$T/emu/floppy.img" 1474560 ISOKIT-FLOPPY-BOOT
mkboot "$T/emu/hd.img" $((16 * 63 * 2 * 512)) ISOKIT-HDEMU-BOOT hd
head -c 1000000 /dev/zero >"$T/emu/wrong.img"
run "$ISOKIT" create -o "$T/fd.iso" --boot /floppy.img --boot-emul floppy "$T/emu"; expect_rc 0 "create --boot-emul floppy"
F=$(lba "$T/fd.iso" /floppy.img)
[ "$(et_imgs "$T/fd.iso")" = "1 BIOS y fd1.4 0x0000 0x00 1 $F" ] && ok "xorriso: one entry, 1.44M floppy emulation (fd1.4), at $F" ||
	not_ok "xorriso's entries: $(et_imgs "$T/fd.iso" | tr '\n' '|')"
if have isoinfo; then
	isoinfo -d -i "$T/fd.iso" 2>&1 | grep -q 'Boot media 2 (1.44MB Floppy)' && ok "isoinfo: Boot media 2 (1.44MB Floppy)" ||
		not_ok "isoinfo: $(isoinfo -d -i "$T/fd.iso" 2>&1 | grep 'Boot media')"
else skip "isoinfo not installed"; fi
expect_boot bios_cd DL0-ISOKIT-FLOPPY-BOOT-OK "$T/fd.iso" "SeaBIOS boots the floppy emulation from drive 00"
run "$ISOKIT" create -o "$T/hd.iso" --boot /hd.img --boot-emul hard-disk "$T/emu"; expect_rc 0 "create --boot-emul hard-disk"
H=$(lba "$T/hd.iso" /hd.img)
[ "$(et_imgs "$T/hd.iso")" = "1 BIOS y hd 0x0000 0x06 1 $H" ] &&
	ok "xorriso: one entry, hard-disk emulation (hd), Hdpt 0x06 = the image's partition type, at $H" ||
	not_ok "xorriso's entries: $(et_imgs "$T/hd.iso" | tr '\n' '|')"
expect_boot bios_cd DL8-ISOKIT-HDEMU-BOOT-OK "$T/hd.iso" "SeaBIOS boots the hard-disk emulation from drive 80"

# errors: non-zero, a message that says what is wrong, and no file left
mkdir -p "$T/errs"
expect_nothing_left() {
	[ -z "$(ls -A "$T/errs")" ] && ok "$1: no output file left" || not_ok "$1: left $(ls -A "$T/errs")"
}
run "$ISOKIT" create -o "$T/errs/x.iso" --boot /wrong.img --boot-emul floppy "$T/emu"
expect_rc 1 "a floppy of 1000000 bytes"
expect_err 'floppy boot image must be 1228800, 1474560 or 2949120 bytes' "says which sizes a floppy may have"
expect_nothing_left "floppy of a wrong size"
run "$ISOKIT" create -o "$T/errs/x.iso" --boot /wrong.img --boot-emul hard-disk "$T/emu"
expect_rc 1 "hard-disk emulation of an image without MBR"
expect_err 'must start with an MBR' "says it needs an MBR"
expect_nothing_left "hard disk without MBR"
run "$ISOKIT" create -o "$T/errs/x.iso" --boot /isolinux/nope.bin "$T/iso"
expect_rc 1 "--boot of a path not in the image"
expect_err '/isolinux/nope.bin: no such file in the image' "names the missing path"
expect_nothing_left "missing boot image"
run "$ISOKIT" create -o "$T/errs/x.iso" --boot-load-size 4 --boot /isolinux/isolinux.bin "$T/iso"
expect_rc 2 "--boot-load-size before any --boot: usage error"
expect_err 'boot-load-size.*give --boot FILE or --efi FILE first' "says the entry must come first"
expect_nothing_left "--boot-load-size first"
run "$ISOKIT" create -o "$T/errs/x.iso" --boot /isolinux/isolinux.bin --hybrid "$T/iso"
expect_rc 2 "--hybrid --boot without --system-area: usage error"
expect_err 'system-area' "points to --system-area"
expect_nothing_left "--hybrid without MBR code"
run "$ISOKIT" create -o "$T/errs/x.iso" --boot /wrong.img --boot-emul floppy --boot-load-size 4 "$T/emu"
expect_rc 1 "--boot-load-size with emulation"
expect_err 'load size is for images without emulation' "says a load size needs no emulation"
expect_nothing_left "--boot-load-size with emulation"
run "$ISOKIT" create -o "$T/errs/x.iso" --boot /isolinux/isolinux.bin --boot-catalog /isolinux/ "$T/iso"
expect_rc 1 "--boot-catalog naming a folder"
expect_err 'a folder of the sources.*e\.g\. /isolinux/boot\.cat' "says it needs a file name, and suggests one"
expect_nothing_left "--boot-catalog of a folder"
run "$ISOKIT" create -o "$T/nofat.iso" --efi /docs/random.bin "$T/iso"
expect_rc 0 "--efi of a file that is no FAT still makes the image"
expect_err '/docs/random.bin: .*no FAT file system' "and warns that UEFI firmware boots only FAT images"
run "$ISOKIT" create -o "$T/fat.iso" --efi /boot/efi.img "$T/both"
[ -n "$efi_ready" ] && { [ ! -s "$T/err" ] && ok "no warning for a FAT EFI image" || not_ok "warned: $(head -2 "$T/err")"; } ||
	skip "no FAT EFI image made"

# =====================================================================
# f. the catalog: visible where asked, hidden otherwise
run "$ISOKIT" ls "$T/both.iso" /isolinux; expect_out '^boot\.cat$' "isokit ls lists /isolinux/boot.cat"
"$ISOKIT" cat "$T/both.iso" /isolinux/boot.cat >"$T/cat.bin"
same_bytes "$T/cat.bin" 0 "$T/both.iso" $((C * 2048)) 2048 && [ "$(stat -c %s "$T/cat.bin")" = 2048 ] &&
	ok "its contents are the catalog's block $C" || not_ok "boot.cat is not the catalog's block"
if have bsdtar; then
	bsdtar -tf "$T/both.iso" | grep -qx 'isolinux/boot.cat' && ok "bsdtar lists isolinux/boot.cat" ||
		not_ok "bsdtar: $(bsdtar -tf "$T/both.iso" | tr '\n' ' ')"
	[ -z "$(bsdtar -tf "$T/bios.iso" | grep -Ei '\.cat$')" ] && ok "without --boot-catalog bsdtar lists no catalog" ||
		not_ok "bsdtar lists $(bsdtar -tf "$T/bios.iso" | grep -Ei '\.cat$')"
else skip "bsdtar not installed"; skip "bsdtar not installed"; fi
if have isoinfo; then
	[ -z "$( (isoinfo -f -i "$T/bios.iso"; isoinfo -f -R -i "$T/bios.iso"; isoinfo -f -J -i "$T/bios.iso") 2>&1 | grep -Ei '\.cat(;1)?$')" ] &&
		ok "without --boot-catalog isoinfo -f (ISO 9660, Rock Ridge, Joliet) lists no catalog" ||
		not_ok "isoinfo lists $(isoinfo -f -i "$T/bios.iso" | grep -Ei '\.cat(;1)?$')"
else skip "isoinfo not installed"; fi
run "$ISOKIT" ls "$T/bios.iso" /isolinux
! grep -Eqi '\.cat$' "$T/out" && [ -s "$T/out" ] && ok "nor does isokit ls" || not_ok "isokit ls: $(tr '\n' ' ' <"$T/out")"

# =====================================================================
# g. GRUB for BIOS, as grub-mkrescue makes it: cdboot.img + core image,
# with the boot-info-table and GRUB's boot info; hybrid with boot_hybrid.img
GRUB_OK=ISOKIT-GRUB-BIOS-BOOT
if have grub-mkimage && [ -e "$GRUBPC/cdboot.img" ] && [ -e "$GRUBPC/boot_hybrid.img" ]; then
	mkdir -p "$T/grub/boot/grub"
	printf 'serial --unit=0 --speed=115200\nterminal_output serial console\necho %s-OK\nhalt\n' "$GRUB_OK" >"$T/early-bios.cfg"
	grub-mkimage -O i386-pc-eltorito -o "$T/grub/boot/grub/eltorito.img" -c "$T/early-bios.cfg" -p /boot/grub \
		biosdisk iso9660 serial terminal echo halt normal
	GIMG=$T/grub/boot/grub/eltorito.img
	GB=(--boot /boot/grub/eltorito.img --boot-load-size 4 --boot-info-table --grub2-boot-info)
	run "$ISOKIT" create -o "$T/grub-cd.iso" "${GB[@]}" "$T/grub"
	[ "$rc" = 0 ] && [ -s "$T/grub-cd.iso" ] && ok "create with --grub2-boot-info" ||
		not_ok "create with --grub2-boot-info: exit $rc, $( [ -e "$T/grub-cd.iso" ] && echo image || echo no image), stdout: $(head -1 "$T/out")"
	expect_boot bios_cd "$GRUB_OK" "$T/grub-cd.iso" "SeaBIOS boots GRUB's El Torito image as CD"
	run "$ISOKIT" create -o "$T/grub-hyb.iso" "${GB[@]}" --hybrid --grub2-mbr "$GRUBPC/boot_hybrid.img" "$T/grub"
	[ "$rc" = 0 ] && [ -s "$T/grub-hyb.iso" ] && ok "create --hybrid --grub2-mbr boot_hybrid.img" ||
		not_ok "create --hybrid --grub2-mbr: exit $rc, $( [ -e "$T/grub-hyb.iso" ] && echo image || echo no image), stdout: $(head -1 "$T/out")"
	expect_boot bios_disk "$GRUB_OK" "$T/grub-hyb.iso" "SeaBIOS boots the GRUB hybrid as disk"
	expect_boot bios_cd "$GRUB_OK" "$T/grub-hyb.iso" "SeaBIOS boots the GRUB hybrid as CD"
	if [ -s "$T/grub-hyb.iso" ]; then
		G=$(lba "$T/grub-hyb.iso" /boot/grub/eltorito.img)
		[ "$(et_imgs "$T/grub-hyb.iso")" = "1 BIOS y none 0x0000 0x00 4 $G" ] &&
			[ "$(et_line "$T/grub-hyb.iso" 'img opts')" = "1 boot-info-table grub2-boot-info" ] &&
			ok "xorriso: one BIOS entry at $G, img opts boot-info-table grub2-boot-info" ||
			not_ok "xorriso: $(et_imgs "$T/grub-hyb.iso") opts $(et_line "$T/grub-hyb.iso" 'img opts')"
		sa_report "$T/grub-hyb.iso" | grep -q '^System area summary:.* grub2-mbr' && ok "xorriso: system area grub2-mbr" ||
			not_ok "xorriso: $(sa_report "$T/grub-hyb.iso" | grep summary)"
		same_bytes "$T/grub-hyb.iso" 0 "$GRUBPC/boot_hybrid.img" 0 432 && [ "$(u64at "$T/grub-hyb.iso" 432)" = $((G * 4 + 4)) ] &&
			ok "MBR: boot_hybrid.img's code, byte 432 = the core's sector $((G * 4 + 4)) (64 bits)" ||
			not_ok "MBR code or pointer ($(u64at "$T/grub-hyb.iso" 432), expected $((G * 4 + 4)))"
		[ "$(u64at "$T/grub-hyb.iso" $((G * 2048 + 2548)))" = $((G * 4 + 5)) ] &&
			ok "eltorito.img byte 2548 = $((G * 4 + 5)) (GRUB's boot info)" ||
			not_ok "eltorito.img byte 2548 = $(u64at "$T/grub-hyb.iso" $((G * 2048 + 2548))), expected $((G * 4 + 5))"
		r=$(infotable "$T/grub-hyb.iso" "$GIMG" "$G" grub2)
		[ "${r%% *}" = ok ] && ok "boot-info-table over the GRUB-patched image ($(stat -c %s "$GIMG") bytes): $r" ||
			not_ok "boot-info-table: $r"
	else
		for _ in 1 2 3 4 5; do not_ok "GRUB hybrid judges: no image"; done
	fi
	# control: xorrisofs on the same tree, as grub-mkrescue calls it
	if have xorrisofs; then
		xorrisofs -o "$T/grub-xorriso.iso" -b boot/grub/eltorito.img -no-emul-boot -boot-load-size 4 \
			-boot-info-table --grub2-boot-info --grub2-mbr "$GRUBPC/boot_hybrid.img" "$T/grub" >/dev/null 2>&1
		expect_boot bios_disk "$GRUB_OK" "$T/grub-xorriso.iso" "control: xorrisofs's image of the same tree boots as disk"
		# and the judge of the patches agrees with xorrisofs's
		Gx=$(lba "$T/grub-xorriso.iso" /boot/grub/eltorito.img)
		r=$(infotable "$T/grub-xorriso.iso" "$GIMG" "$Gx" grub2)
		[ "${r%% *}" = ok ] && [ "$(u64at "$T/grub-xorriso.iso" 432)" = $((Gx * 4 + 4)) ] &&
			ok "control: xorrisofs's patches are what this test expects" || not_ok "control: xorrisofs's image: $r"
	else skip "xorrisofs not installed"; fi
else
	skip "no grub-mkimage or GRUB i386-pc images"
fi

# --- a remaster of an image no one here made: Debian's grub-rescue CD with
# a file added, unpacked and made again with --boot-like, boots as the
# original does from a CD (its menu shows); t0702 judges its structure
GR=/usr/lib/grub-rescue/grub-rescue-cdrom.iso
if [ -e "$GR" ]; then
	"$ISOKIT" extract -q "$GR" -C "$T/gr" && echo "added by the test" >"$T/gr/ADDED.TXT"
	run "$ISOKIT" create -o "$T/gr-re.iso" --boot-like "$GR" "$T/gr"; expect_rc 0 "remaster grub-rescue-cdrom.iso with a file added"
	expect_boot bios_cd "GNU GRUB" "$GR" "control: the original grub-rescue image boots as CD"
	expect_boot bios_cd "GNU GRUB" "$T/gr-re.iso" "the remastered grub-rescue image boots as CD"
	expect_boot bios_disk "GNU GRUB" "$GR" "control: the original grub-rescue image boots as disk"
	expect_boot bios_disk "GNU GRUB" "$T/gr-re.iso" "the remastered grub-rescue image boots as disk"
	bsdtar -xOf "$T/gr-re.iso" ADDED.TXT 2>/dev/null | grep -q "added by the test" &&
		ok "the added file is in the remaster (bsdtar)" || not_ok "ADDED.TXT missing from the remaster"
else
	skip "$GR not installed"
fi

# --- a remaster of an image that boots BIOS and UEFI, CD and disk, as
# grub-mkrescue makes it (GRUB's core images, a FAT EFI image, protective
# MBR + GPT + APM, HFS+): the remaster's changed grub.cfg must be what
# boots, in all four ways, and through the GPT's EFI partition alone
GM_OLD=ISOKIT-GRUB-MKRESCUE-ORIGINAL GM_NEW=ISOKIT-GRUB-MKRESCUE-REMASTERED
if have grub-mkrescue && have xorriso && [ -d "$GRUBEFI" ] && [ -d "$GRUBPC" ] && [ -n "$OVMF" ] && have mformat; then
	mkdir -p "$T/gm/boot/grub"
	printf 'serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\necho %s\nhalt\n' \
		"$GM_OLD" >"$T/gm/boot/grub/grub.cfg"
	grub-mkrescue -o "$T/gm.iso" "$T/gm" >"$T/err" 2>&1 || echo "# grub-mkrescue: $(tail -2 "$T/err")"
	"$ISOKIT" extract -q "$T/gm.iso" -C "$T/gmx" && sed -i "s/$GM_OLD/$GM_NEW/" "$T/gmx/boot/grub/grub.cfg" &&
		echo "added by the test" >"$T/gmx/ADDED.TXT"
	run "$ISOKIT" create -o "$T/gm-re.iso" --boot-like "$T/gm.iso" "$T/gmx"
	expect_rc 0 "remaster grub-mkrescue's BIOS + UEFI image with grub.cfg changed and a file added"
	for how in bios_cd bios_disk efi_cd efi_disk; do
		expect_boot "$how" "$GM_OLD" "$T/gm.iso" "control: grub-mkrescue's image boots ($how)"
		expect_boot "$how" "$GM_NEW" "$T/gm-re.iso" "the remaster boots its new grub.cfg ($how)"
	done
	if [ -s "$T/gm-re.iso" ]; then
		blank_catalog "$T/gm-re.iso" "$T/gm-re-noet.iso"
		expect_boot efi_disk "$GM_NEW" "$T/gm-re-noet.iso" "the remaster boots UEFI from its GPT's EFI partition alone (no catalog)"
	else not_ok "no remaster to blank"; fi
	if have sgdisk && [ -s "$T/gm-re.iso" ]; then
		sgdisk -v "$T/gm-re.iso" 2>&1 | grep -q '^No problems found' && ok "sgdisk -v: no problems in the remaster's GPT" ||
			not_ok "sgdisk -v: $(sgdisk -v "$T/gm-re.iso" 2>&1 | grep -i problem)"
	else skip "sgdisk not installed"; fi
	bsdtar -xOf "$T/gm-re.iso" ADDED.TXT 2>/dev/null | grep -q "added by the test" &&
		ok "the added file is in the remaster (bsdtar)" || not_ok "ADDED.TXT missing from the grub-mkrescue remaster"
else
	skip "no grub-mkrescue, xorriso, GRUB for both platforms, OVMF or mtools"
fi

# =====================================================================
# UDF beside El Torito and a hybrid GPT (as Windows install media carry
# UDF): it still boots as CD and as disk, 7-Zip reads the UDF tree, the
# GPT and the UDF anchors keep out of each other's way.
run "$ISOKIT" create --udf -o "$T/udf-hyb.iso" "${BOOT[@]}" "${HYB[@]}" "$T/both"
expect_rc 0 "create --udf BIOS + EFI hybrid"
expect_boot bios_cd "$BIOS_OK" "$T/udf-hyb.iso" "SeaBIOS boots the UDF bridge hybrid as CD"
expect_boot bios_disk "$BIOS_OK" "$T/udf-hyb.iso" "SeaBIOS boots the UDF bridge hybrid as disk"
SZ=$(command -v 7zz || command -v 7z)
if [ -n "$SZ" ]; then
	"$SZ" l -tudf "$T/udf-hyb.iso" >"$T/out" 2>&1
	rc=$?
	[ $rc = 0 ] && grep -q 'isolinux/isolinux.cfg' "$T/out" && grep -q 'Type = Udf' "$T/out" &&
		! grep -q -i 'error' "$T/out" && ok "7-Zip lists the UDF tree of the bootable hybrid" ||
		not_ok "7-Zip -tudf (exit $rc): $(grep -i -m3 'error\|warn' "$T/out")"
else skip "7-Zip not installed"; fi
if have udfinfo; then
	# the backup GPT holds the last blocks, so the second anchor is the
	# block before it, where udfinfo does not look (isokit-create(1), UDF)
	udfinfo "$T/udf-hyb.iso" >"$T/out" 2>&1
	rc=$?
	[ $rc = 0 ] && ! grep -i 'warning\|error' "$T/out" | grep -qv 'Second and third Anchor' &&
		grep -q 'type=RVDS' "$T/out" && grep -q 'udfrev=1.02' "$T/out" &&
		ok "udfinfo: UDF 1.02, main and reserve sequences found (one anchor, at 256, where it looks)" ||
		not_ok "udfinfo (exit $rc): $(grep -i -m3 'warn\|error' "$T/out")"
else skip "udfinfo not installed"; fi
if have sgdisk; then
	sgdisk -v "$T/udf-hyb.iso" 2>&1 | grep -q '^No problems found' && ok "sgdisk -v: no problems in the UDF hybrid's GPT" ||
		not_ok "sgdisk -v: $(sgdisk -v "$T/udf-hyb.iso" 2>&1 | grep -i problem)"
else skip "sgdisk not installed"; fi
"$ISOKIT" info "$T/udf-hyb.iso" >"$T/out" 2>&1
grep -q '^  UDF  *yes, revision 1.02' "$T/out" && grep -q '^  El Torito  *yes' "$T/out" &&
	ok "isokit info: UDF 1.02 and El Torito" || not_ok "isokit info: $(grep -E 'UDF|El Torito' "$T/out")"
run "$ISOKIT" create --udf-only -o "$T/udf-only-boot.iso" "${BOOT[@]}" "$T/iso"
expect_rc 2 "--udf-only with --boot is a usage error"
expect_err 'cannot boot' "it says a UDF-only image cannot boot"
[ ! -e "$T/udf-only-boot.iso" ] && ok "and writes nothing" || not_ok "an image was written"

echo "# $SECONDS s, $vm VM runs"
finish
