#!/usr/bin/env bash
# isokit burn and isokit devices. Targets: new and existing files, libburn's
# stdio: pseudo-drives, and (as root) loop devices standing in for USB
# sticks. A target that changes behind our back (faultfs flipping sectors
# after they were written) or fails to write is caught by the read-back.
# Safety: a mounted disk, a disk holding a mounted partition, a partition,
# a read-only and a too small device, and the disk the system runs from
# are all refused, before anything is opened for writing.
. "$(dirname "$0")/lib.sh"
need python3
have() { command -v "$1" >/dev/null; }
skip() { checks=$((checks + 1)); echo "ok $checks # SKIP $*"; }
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }

loops=()
mounts=()
cleanup() {
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# --- the image: a few MiB of files
mkdir -p "$T/src/RAW"
for i in 1 2 3; do head -c $((1500000 + i * 3333)) /dev/urandom >"$T/src/RAW/IMG_000$i.CR3"; done
echo "notes" >"$T/src/notes.txt"
"$ISOKIT" create -q -o "$T/img.iso" "$T/src" || { echo "Bail out! create failed"; exit 1; }
size=$(stat -c %s "$T/img.iso")
sectors=$((size / 2048))

# --- regular files
run "$ISOKIT" burn "$T/img.iso" "$T/new.iso"
expect_rc 0 "burn to a new file"
if cmp -s "$T/img.iso" "$T/new.iso"; then ok "the new file equals the image (cmp)"; else not_ok "the new file differs"; fi
expect_out "the copy is good" "the report says the read-back equals the image"
[ ! -e "$T/new.iso.part" ] && ok "no .part left" || not_ok "new.iso.part left behind"

echo "precious" >"$T/old.iso"
run "$ISOKIT" burn "$T/img.iso" "$T/old.iso" </dev/null
expect_rc 1 "an existing file is not replaced without --yes when there is no terminal to ask"
expect_err "add --yes" "it says how to go on"
[ "$(cat "$T/old.iso")" = precious ] && ok "the existing file is untouched" || not_ok "the existing file changed"

run "$ISOKIT" burn --yes --json "$T/img.iso" "$T/old.iso"
expect_rc 0 "burn --yes replaces an existing file"
cmp -s "$T/img.iso" "$T/old.iso" && ok "the replaced file equals the image" || not_ok "the replaced file differs"
if [ "$(json 'd["kind"], d["bytes"], d["verified"], d["good"], d["differing_sectors"]')" = "file $size True True 0" ]; then
	ok "JSON: kind, bytes, verified, good"; else not_ok "JSON: $(cat "$T/out")"; fi

run "$ISOKIT" burn --no-verify --json "$T/img.iso" "$T/nv.iso"
expect_rc 0 "burn --no-verify"
[ "$(json 'd["verified"], d["good"]')" = "False None" ] && ok "JSON says it was not verified" || not_ok "JSON: $(cat "$T/out")"

run "$ISOKIT" burn --dry-run "$T/img.iso" "$T/dry.iso"
expect_rc 0 "--dry-run"
[ ! -e "$T/dry.iso" ] && [ ! -e "$T/dry.iso.part" ] && ok "--dry-run writes nothing" || not_ok "--dry-run wrote a file"

run "$ISOKIT" burn -y "$T/img.iso" "$T/img.iso"
expect_rc 2 "the image itself as target is refused"
run "$ISOKIT" burn -y "$T/img.iso" "$T/src"
expect_rc 2 "a folder as target is refused"
run "$ISOKIT" burn -y "$T/img.iso" /dev/null
expect_rc 2 "a character device as target is refused"
run "$ISOKIT" burn -y --blank "$T/img.iso" "$T/x.iso"
expect_rc 2 "--blank on a file is a usage error"
run "$ISOKIT" burn -y "$T/missing.iso" "$T/x.iso"
expect_rc 1 "a missing image"

# --- libburn's stdio: pseudo-drive
if "$ISOKIT" devices "stdio:$T/probe.iso" >/dev/null 2>&1; then
	run "$ISOKIT" burn -y --json "$T/img.iso" "stdio:$T/drive.iso"
	expect_rc 0 "burn to a stdio: pseudo-drive through libburn"
	cmp -s "$T/img.iso" "$T/drive.iso" && ok "what libburn wrote equals the image (cmp)" || not_ok "stdio: target differs"
	[ "$(json 'd["kind"], d["media"]["profile"], d["good"]')" = "optical stdio file True" ] &&
		ok "JSON: optical, the media's profile, good" || not_ok "JSON: $(cat "$T/out")"
	: >"$T/dummy.iso"
	run "$ISOKIT" burn -y --dummy --speed 4x "$T/img.iso" "stdio:$T/dummy.iso"
	expect_rc 0 "--dummy --speed 4x"
	[ ! -s "$T/dummy.iso" ] && ok "--dummy writes nothing" || not_ok "--dummy wrote $(stat -c %s "$T/dummy.iso") bytes"
	expect_out "simulated" "the report says it was simulated"
	run "$ISOKIT" burn -y --blank "$T/img.iso" "stdio:$T/drive.iso"
	expect_rc 0 "--blank on media written in place is no error"
	expect_err "no blanking needed" "and says that no blanking was needed"
	run "$ISOKIT" burn -y --multi "$T/img.iso" "stdio:$T/multi.iso"
	expect_rc 1 "--multi where the drive has no sessions (a stdio: file) fails"
	expect_err "multi.session" "with libburn's reason"
	run "$ISOKIT" devices --json "stdio:$T/drive.iso"
	expect_rc 0 "devices on a stdio: pseudo-drive"
	# judged by xorriso: "Media current: stdio file, overwriteable"
	xprof=$(xorriso -outdev "stdio:$T/drive.iso" -toc 2>&1 | sed -n 's/^Media current: \([^,]*\).*/\1/p' | head -1)
	if [ -n "$xprof" ] && [ "$(json 'd["devices"][0]["media"]["profile"]')" = "$xprof" ]; then
		ok "devices reports the media profile xorriso reports ($xprof)"; else
		not_ok "devices profile vs xorriso's '$xprof': $(cat "$T/out")"; fi
else
	skip "built without libburn: no stdio: pseudo-drives"
	run "$ISOKIT" burn -y "$T/img.iso" "stdio:$T/drive.iso"
	expect_rc 1 "optical without libburn fails"
	expect_err "without libburn" "and says the tool was built without libburn"
fi

# --- faultfs: a target that changes behind our back or fails writes
FAULTFS_OK=false
if [ -n "${FAULTFS:-}" ] && [ -x "$FAULTFS" ] && [ -e /dev/fuse ]; then
	truncate -s "$size" "$T/backing"
	: >"$T/faults"
	mkdir -p "$T/ffs"
	if "$FAULTFS" "$T/backing" "$T/faults" "$T/ffs"; then
		mounts+=("$T/ffs")
		for _ in $(seq 50); do [ -e "$T/ffs/disc" ] && break; sleep 0.1; done
		[ -e "$T/ffs/disc" ] && FAULTFS_OK=true
	fi
fi
if $FAULTFS_OK && "$ISOKIT" devices "stdio:$T/probe.iso" >/dev/null 2>&1; then
	echo "flip 20 3" >"$T/faults"
	run "$ISOKIT" burn -y --json "$T/img.iso" "stdio:$T/ffs/disc"
	expect_rc 4 "a target that loses sectors after the write: exit 4"
	[ "$(json 'd["good"], d["differing_sectors"], [(r["first"], r["count"], r["problem"]) for r in d["ranges"]]')" = "False 3 [(20, 3, 'differs')]" ] &&
		ok "the read-back names exactly sectors 20-22" || not_ok "JSON: $(cat "$T/out")"
	expect_err "differs from" "the error says the copy is bad"
	cmp -s "$T/img.iso" "$T/backing" && ok "(the backing file itself was written right: the loss was after the write)" || not_ok "the backing file differs"
	echo "wfail 30 1" >"$T/faults"
	run "$ISOKIT" burn -y "$T/img.iso" "stdio:$T/ffs/disc"
	expect_rc 1 "a failed write: exit 1"
	: >"$T/faults"
else
	skip "no faultfs or no libburn: corruption through stdio: not tested"
fi
if $FAULTFS_OK; then
	# Ctrl-C while burning a slow image into a file: nothing under its name
	echo "slow 200000" >"$T/slowfaults"
	mkdir -p "$T/slow"
	if "$FAULTFS" "$T/img.iso" "$T/slowfaults" "$T/slow"; then
		mounts+=("$T/slow")
		for _ in $(seq 50); do [ -e "$T/slow/disc" ] && break; sleep 0.1; done
		echo "precious" >"$T/keep.iso"
		"$ISOKIT" burn -y "$T/slow/disc" "$T/keep.iso" >"$T/out" 2>"$T/err" &
		pid=$!
		for _ in $(seq 100); do [ -e "$T/keep.iso.part" ] && break; sleep 0.05; done
		sleep 0.3
		kill -INT "$pid"
		wait "$pid"
		rc=$?
		expect_rc 1 "Ctrl-C while burning into a file"
		[ "$(cat "$T/keep.iso")" = precious ] && [ ! -e "$T/keep.iso.part" ] &&
			ok "the file it was replacing is untouched and no .part is left" ||
			not_ok "after Ctrl-C: $(ls -la "$T"/keep.iso*)"
		expect_err "interrupted" "it says it was interrupted"
	else
		skip "second faultfs mount"
	fi
fi

# --- block devices: loop devices stand in for USB sticks (root only)
if [ "$(id -u)" -ne 0 ] || ! have losetup || ! losetup -f >/dev/null 2>&1; then
	skip "not root or no loop devices: block-device burns and refusals not tested"
	finish
fi
newloop() { # newloop FILE [losetup options]: prints the device
	local l
	l=$(losetup -f --show "${@:2}" "$1") || return 1
	loops+=("$l")
	echo "$l"
}
truncate -s 32M "$T/stick.img"
L=$(newloop "$T/stick.img") || { echo "Bail out! losetup failed"; exit 1; }

run "$ISOKIT" burn "$T/img.iso" "$L" </dev/null
expect_rc 1 "a block device is not written without --yes when there is no terminal"
expect_err "add --yes" "and says how to go on"
[ "$(head -c 4096 "$T/stick.img" | tr -d '\0' | wc -c)" -eq 0 ] && ok "the device is untouched" || not_ok "the device was written"
run "$ISOKIT" burn -y --json "$T/img.iso" "$L"
expect_rc 0 "burn to a loop device"
cmp -s -n "$size" "$T/img.iso" "$T/stick.img" && ok "the device holds the image (cmp)" || not_ok "the device differs"
[ "$(json 'd["kind"], d["good"], d["device"]["size"]')" = "block True 33554432" ] && ok "JSON: block, good, device size" || not_ok "JSON: $(cat "$T/out")"
if have bsdtar; then
	if bsdtar -tf "$L" 2>/dev/null | grep -q 'RAW/IMG_0002.CR3'; then ok "bsdtar reads the stick"; else not_ok "bsdtar cannot read the stick"; fi
fi

# the device list, judged by lsblk
run "$ISOKIT" devices --all --json "$L"
expect_rc 0 "devices on a loop device"
lsz=$(lsblk -bdno SIZE "$L" | tr -d ' ')
[ "$(json 'd["devices"][0]["size"], d["devices"][0]["transport"], d["devices"][0]["backing_file"]')" = "$lsz loop $T/stick.img" ] &&
	ok "devices: size (lsblk says $lsz), transport, backing file" || not_ok "devices JSON: $(cat "$T/out")"
# a drive that cannot be opened, then a good device: each reported as itself
run "$ISOKIT" devices --json "stdio:$T/no/such/dir/drive" "$L"
expect_rc 1 "devices: one argument that cannot be opened: exit 1"
[ "$(json '[x["path"] for x in d["devices"]]')" = "['$L']" ] &&
	ok "devices: the failed argument leaves nothing behind in the next one's entry" ||
	not_ok "devices JSON after a failed argument: $(cat "$T/out")"
run "$ISOKIT" devices --all --json
if python3 - "$T/out" "$L" <<'PY'
import json, subprocess, sys
mine = {d["path"]: d for d in json.load(open(sys.argv[1]))["devices"]}
lsblk = json.loads(subprocess.run(["lsblk", "-J", "-b", "-d", "-o", "PATH,SIZE,RO,RM"], capture_output=True, text=True).stdout)
for dev in lsblk["blockdevices"]:
    p = dev["path"]
    if p.startswith("/dev/loop") and p != sys.argv[2] and p not in mine:
        continue  # unattached loops are not listed
    if p.startswith("/dev/ram"):
        continue
    d = mine.get(p)
    if d is None:
        sys.exit("missing " + p)
    if d["size"] != int(dev["size"]) or d["readonly"] != bool(dev["ro"]) or d["removable"] != bool(dev["rm"]):
        sys.exit("%s: %s vs lsblk %s" % (p, d, dev))
PY
then ok "devices --all agrees with lsblk on every disk (size, read-only, removable)"; else not_ok "devices --all disagrees with lsblk"; fi

# a target that changes behind our back, as a block device
if $FAULTFS_OK; then
	LF=$(newloop "$T/ffs/disc")
	echo "flip 7 2" >"$T/faults"
	run "$ISOKIT" burn -y --json "$T/img.iso" "$LF"
	expect_rc 4 "a stick that loses sectors: exit 4"
	[ "$(json '[(r["first"], r["count"]) for r in d["ranges"]]')" = "[(7, 2)]" ] && ok "the read-back names sectors 7-8" || not_ok "JSON: $(cat "$T/out")"
	echo "12 1" >"$T/faults"
	run "$ISOKIT" burn -y --json "$T/img.iso" "$LF"
	expect_rc 4 "a stick that cannot read back a sector: exit 4"
	[ "$(json 'd["unreadable_sectors"], d["differing_sectors"], d["ranges"][0]["first"]')" = "1 0 12" ] && ok "the read-back names sector 12 unreadable" || not_ok "JSON: $(cat "$T/out")"
	: >"$T/faults"
	losetup -d "$LF"
fi

# refusals: mounted, holding a mounted partition, partition, read-only, too small
mkdir -p "$T/m"
if have mkfs.ext2 && mkfs.ext2 -q -F "$L" >/dev/null 2>&1 && mount "$L" "$T/m"; then
	mounts+=("$T/m")
	run "$ISOKIT" burn -y "$T/img.iso" "$L"
	expect_rc 1 "a mounted device is refused"
	expect_err "mounted \\(on $T/m\\)" "the refusal names the mount point"
	run "$ISOKIT" devices --json "$L"
	[ "$(json 'd["devices"][0]["mounts"]')" = "['$T/m']" ] && ok "devices shows where it is mounted" || not_ok "devices JSON: $(cat "$T/out")"
	umount "$T/m"
else
	skip "cannot mount an ext2 loop device"
fi

if have sfdisk && have mkfs.ext2; then
	truncate -s 40M "$T/parted.img"
	printf 'label: dos\n,16M,83\n,,83\n' | sfdisk -q "$T/parted.img" >/dev/null 2>&1
	P=$(newloop "$T/parted.img" -P)
	for _ in $(seq 20); do [ -e "${P}p2" ] && break; sleep 0.1; done
	if [ -e "${P}p2" ] && mkfs.ext2 -q "${P}p2" >/dev/null 2>&1 && mount "${P}p2" "$T/m"; then
		mounts+=("$T/m")
		run "$ISOKIT" burn -y "$T/img.iso" "$P"
		expect_rc 1 "a disk with a mounted partition is refused"
		expect_err "mounted" "the refusal says it is mounted"
		umount "$T/m"
		run "$ISOKIT" burn -y "$T/img.iso" "${P}p1"
		expect_rc 2 "a partition is refused: an image goes onto the whole disk"
		expect_err "partition" "the refusal says why"
	else
		skip "partitions on a loop device"
	fi
fi

truncate -s 32M "$T/ro.img"
R=$(newloop "$T/ro.img" -r)
run "$ISOKIT" burn -y "$T/img.iso" "$R"
expect_rc 1 "a read-only device is refused"
expect_err "read-only" "the refusal says it is read-only"

truncate -s 1M "$T/small.img"
S=$(newloop "$T/small.img")
run "$ISOKIT" burn -y "$T/img.iso" "$S"
expect_rc 1 "a device too small for the image is refused"
expect_err "does not fit" "the refusal says it does not fit"

# the disk the system runs from: asked with --dry-run (refused before any
# open for writing) and without --yes on no terminal (refused before asking)
root=$(findmnt -n -o SOURCE / 2>/dev/null)
disk=
if [ -b "$root" ]; then
	pk=$(lsblk -no PKNAME "$root" 2>/dev/null | head -1)
	disk=/dev/${pk:-$(basename "$root")}
fi
if [ -n "$disk" ] && [ -b "$disk" ]; then
	run "$ISOKIT" burn --dry-run --yes "$T/img.iso" "$disk"
	expect_rc 1 "the system disk $disk is refused (--dry-run --yes)"
	expect_err "system runs from" "the refusal says it is the system disk"
	run "$ISOKIT" burn "$T/img.iso" "$disk" </dev/null
	expect_rc 1 "the system disk is refused without --yes too"
	expect_err "system runs from" "before any question"
	run "$ISOKIT" devices --all --json
	if python3 -c "import json; d={x['path']: x for x in json.load(open('$T/out'))['devices']}; exit(0 if d['$disk']['system'] else 1)"; then
		ok "devices marks $disk as the system disk"; else not_ok "devices does not mark $disk: $(cat "$T/out")"; fi
else
	skip "/ is on no block device here ($root)"
fi

finish
