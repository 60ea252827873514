#!/usr/bin/env bash
# isokit rip from a medium whose chosen sectors fail with EIO (faultfs, a
# FUSE file): the image is whole but those sectors, which are zeros; the
# map (ddrescue's format, judged by ddrescuelog and by ddrescue itself)
# names exactly them; the report names the files they fall in; a second
# run with the scratches gone reads only what is missing and the result
# equals the original byte for byte. Also: the size comes from the file
# system (a longer or shorter medium), repair data rebuilds what cannot be
# read, Ctrl-C keeps what was read, and refusals.
. "$(dirname "$0")/lib.sh"
need python3
[ -n "${FAULTFS:-}" ] && [ -x "$FAULTFS" ] || { echo "1..0 # SKIP built without FUSE (no faultfs)"; exit 0; }
[ -e /dev/fuse ] || { echo "1..0 # SKIP no /dev/fuse"; exit 0; }
have() { command -v "$1" >/dev/null; }
skip() { checks=$((checks + 1)); echo "ok $checks # SKIP $*"; }

mounts=()
cleanup() {
	for m in "${mounts[@]}"; do fusermount3 -u "$m" 2>/dev/null || fusermount -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
# serve BACKING FAULTS MNT: MNT/disc is BACKING with FAULTS' sectors failing
serve() {
	mkdir -p "$3"
	"$FAULTFS" "$1" "$2" "$3" || return 1
	mounts+=("$3")
	for _ in $(seq 50); do [ -e "$3/disc" ] && return 0; sleep 0.1; done
	return 1
}
sector_of() { # sector_of IMAGE PATH: the first block of a file
	"$ISOKIT" ls -l --json "$1" "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"][0]["lba"])'
}
# compare ORIG GOT BADLIST: equal outside the bad sectors ("a-b,c-d"), zeros inside
compare() {
	python3 - "$@" <<'PY'
import sys
orig, got = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
bad = set()
for r in filter(None, sys.argv[3].split(",")):
    a, b = map(int, r.split("-")); bad.update(range(a, b + 1))
if len(orig) != len(got):
    print("sizes %d and %d" % (len(orig), len(got))); sys.exit(1)
for s in range(len(orig) // 2048):
    o, g = orig[s*2048:(s+1)*2048], got[s*2048:(s+1)*2048]
    if s in bad and g != bytes(2048):
        print("sector %d should be zeros" % s); sys.exit(1)
    if s not in bad and g != o:
        print("sector %d differs" % s); sys.exit(1)
print("ok")
PY
}

# --- the original: files of a photo shoot, with checksums
mkdir -p "$T/src/RAW" "$T/src/docs"
for i in 1 2 3 4; do head -c $((3000000 + i * 7777)) /dev/urandom >"$T/src/RAW/IMG_000$i.CR3"; done
for i in $(seq 1 30); do echo "note $i" >"$T/src/docs/n$i.txt"; done
"$ISOKIT" create -q -o "$T/orig.iso" "$T/src" || { echo "Bail out! create failed"; exit 1; }
S2=$(sector_of "$T/orig.iso" /RAW/IMG_0002.CR3)
S4=$(sector_of "$T/orig.iso" /RAW/IMG_0004.CR3)
B1=$((S2 + 100)) B2=$((S4 + 700)) # 3 sectors in IMG_0002, 40 in IMG_0004
printf '%s 3\n%s 40\n' "$B1" "$B2" >"$T/faults"
BAD="$B1-$((B1 + 2)),$B2-$((B2 + 39))"
serve "$T/orig.iso" "$T/faults" "$T/m" || { echo "Bail out! faultfs did not mount"; exit 1; }
cmp -s "$T/m/disc" "$T/orig.iso" 2>/dev/null && not_ok "control: the faulty medium reads whole" ||
	ok "control: reading the faulty medium fails somewhere"

# --- first run: sectors missing
run "$ISOKIT" rip --json "$T/m/disc" -o "$T/r.iso"
expect_rc 4 "rip of a scratched medium: exit 4 (sectors missing)"
r=$(compare "$T/orig.iso" "$T/r.iso" "$BAD" 2>&1)
[ "$r" = ok ] && ok "the image equals the original but for the 43 bad sectors, which are zeros" ||
	not_ok "image: $r"
python3 - "$T/out" "$B1" "$B2" <<'PY' && ok "JSON: missing ranges [$B1-$((B1 + 2))] and [$B2-$((B2 + 39))], 88064 bytes" || not_ok "JSON: $(head -c 600 "$T/out")"
import json, sys
j = json.load(open(sys.argv[1])); b1, b2 = int(sys.argv[2]), int(sys.argv[3])
assert j["missing_ranges"] == [[b1, b1 + 2], [b2, b2 + 39]], j["missing_ranges"]
assert j["missing_bytes"] == 43 * 2048 and j["status"] == "sectors missing"
PY
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["damaged_files"] != ["/RAW/IMG_0002.CR3", "/RAW/IMG_0004.CR3"])' "$T/out" &&
	ok "the report names the two damaged files" || not_ok "damaged files: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["damaged_files"])' "$T/out")"
[ -s "$T/r.iso.map" ] && [ ! -e "$T/r.iso.part" ] && ok "the map r.iso.map is kept; the image has its name" ||
	not_ok "files: $(ls "$T")"
if have ddrescuelog; then
	ddrescuelog -b2048 -l- "$T/r.iso.map" >"$T/bad.txt" 2>"$T/err"
	python3 -c 'import sys; print("\n".join(str(s) for s in list(range(int(sys.argv[1]), int(sys.argv[1]) + 3)) + list(range(int(sys.argv[2]), int(sys.argv[2]) + 40))))' "$B1" "$B2" >"$T/want.txt"
	cmp -s "$T/want.txt" "$T/bad.txt" && ok "ddrescuelog -l- lists exactly the 43 bad sectors" ||
		not_ok "ddrescuelog: $(head -3 "$T/bad.txt" | tr '\n' ' ') $(head -2 "$T/err")"
	ddrescuelog -D "$T/r.iso.map" >/dev/null 2>&1 && not_ok "ddrescuelog -D says the rescue is done" ||
		ok "ddrescuelog -D: the rescue is not done"
else skip "ddrescuelog not installed"; skip "ddrescuelog not installed"; fi
"$ISOKIT" verify "$T/r.iso" >/dev/null 2>&1; [ $? -ne 0 ] && ok "isokit verify finds the damage in the result" ||
	not_ok "verify passes an image with zeroed sectors"

# --- second run, scratches gone: only what is missing is read
: >"$T/faults.reads"
echo "# healed" >"$T/faults"
run "$ISOKIT" rip "$T/m/disc" -o "$T/r.iso"
expect_rc 0 "the same command again with the medium healed: exit 0"
cmp -s "$T/orig.iso" "$T/r.iso" && ok "the result equals the original byte for byte" || not_ok "the result differs"
expect_out 'isomd5sum MD5: intact' "and its isomd5sum MD5 is checked"
[ ! -e "$T/r.iso.map" ] && ok "the map is removed once nothing is missing" || not_ok "the map is still there"
# reads past the first 40 sectors (the descriptors, looked at for the size) are the missing ones
python3 - "$T/faults.reads" "$B1" "$B2" $(($(stat -c %s "$T/orig.iso") / 2048)) <<'PY' && ok "the second run read only the missing sectors (besides the volume descriptors)" || not_ok "second run's reads: $(sort -n "$T/faults.reads" | tr '\n' ' ' | head -c 300)"
import sys
b1, b2, vol = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
want = set(range(b1, b1 + 3)) | set(range(b2, b2 + 40))
for line in open(sys.argv[1]):
    off, n = map(int, line.split())
    secs = set(range(off // 2048, (off + n + 2047) // 2048))
    if max(secs) < 40 or min(secs) == vol:  # the descriptors; repair data after the volume?
        continue
    assert secs <= want, (off, n)
PY

# --- ddrescue reads our map, and we read ddrescue's
if have ddrescue; then
	printf '%s 3\n%s 40\n' "$B1" "$B2" >"$T/faults"
	run "$ISOKIT" rip "$T/m/disc" -o "$T/d1.iso" --map "$T/d1.map"; expect_rc 4 "rip with --map"
	echo "# healed" >"$T/faults"
	# our bad sectors are ddrescue's: it retries them with -r
	ddrescue -b2048 -r1 "$T/m/disc" "$T/d1.iso" "$T/d1.map" >/dev/null 2>&1
	cmp -s "$T/orig.iso" "$T/d1.iso" && ddrescuelog -D "$T/d1.map" >/dev/null 2>&1 &&
		ok "ddrescue -r1 goes on from our map and completes the image" || not_ok "ddrescue with our map"
	printf '%s 3\n%s 40\n' "$B1" "$B2" >"$T/faults"
	ddrescue -b2048 -n "$T/m/disc" "$T/d2.iso" "$T/d2.map" >/dev/null 2>&1
	echo "# healed" >"$T/faults"
	: >"$T/faults.reads"
	run "$ISOKIT" rip "$T/m/disc" -o "$T/d2.iso" --map "$T/d2.map"
	expect_rc 0 "isokit rip goes on from ddrescue's map"
	cmp -s "$T/orig.iso" "$T/d2.iso" && ok "and completes ddrescue's image byte for byte" || not_ok "ddrescue's image completed wrongly"
else for _ in 1 2 3 4; do skip "ddrescue not installed"; done; fi

# --- repair data rebuilds what cannot be read
"$ISOKIT" create -q --ecc 5 -o "$T/ecc.iso" "$T/src"
serve "$T/ecc.iso" "$T/faults" "$T/me" || not_ok "faultfs on the ecc image"
printf '%s 3\n%s 40\n' "$B1" "$B2" >"$T/faults"
run "$ISOKIT" rip --json "$T/me/disc" -o "$T/e.iso"
expect_rc 0 "rip of an image with repair data: the 43 sectors are rebuilt, exit 0"
cmp -s "$T/ecc.iso" "$T/e.iso" && ok "the result equals the original, repair data included" ||
	not_ok "the repaired result differs ($(stat -c %s "$T/e.iso") vs $(stat -c %s "$T/ecc.iso") bytes)"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (j["repaired_blocks"] == 43 and j["status"] == "whole"))' "$T/out" &&
	ok "the report says 43 blocks were rebuilt" || not_ok "JSON: $(head -c 400 "$T/out")"

# --- the size comes from the file system
cp "$T/orig.iso" "$T/long.img" && head -c 5000000 /dev/zero >>"$T/long.img"
run "$ISOKIT" rip "$T/long.img" -o "$T/l.iso"; expect_rc 0 "rip of a medium longer than its image"
cmp -s "$T/orig.iso" "$T/l.iso" && ok "only the volume is copied ($(stat -c %s "$T/orig.iso") bytes, not $(stat -c %s "$T/long.img"))" ||
	not_ok "l.iso has $(stat -c %s "$T/l.iso") bytes"
head -c $(($(stat -c %s "$T/orig.iso") - 20 * 2048)) "$T/orig.iso" >"$T/short.img"
run "$ISOKIT" rip --json "$T/short.img" -o "$T/s.iso"; expect_rc 4 "rip of a medium shorter than its image: exit 4"
expect_err 'shorter than its image' "warns that the medium is shorter"
n=$(($(stat -c %s "$T/orig.iso") / 2048))
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(j["missing_ranges"] != [[int(sys.argv[2]) - 20, int(sys.argv[2]) - 1]])' "$T/out" "$n" &&
	[ "$(stat -c %s "$T/s.iso")" = "$(stat -c %s "$T/orig.iso")" ] &&
	ok "the 20 sectors past the medium's end are missing; the image has the volume's size" ||
	not_ok "short medium: $(head -c 300 "$T/out")"

# --- Ctrl-C keeps what was read; the same command goes on
printf 'slow 20000\n' >"$T/faults"
"$ISOKIT" rip -q --read-size 64K "$T/m/disc" -o "$T/c.iso" 2>"$T/err" &
pid=$!
for _ in $(seq 100); do [ -s "$T/c.iso.map" ] || [ -e "$T/c.iso.part" ] && break; sleep 0.1; done
sleep 1
kill -INT "$pid"; wait "$pid"; rc=$?
[ "$rc" = 1 ] && [ -e "$T/c.iso.part" ] && [ -s "$T/c.iso.map" ] && [ ! -e "$T/c.iso" ] &&
	grep -q 'interrupted' "$T/err" && ok "Ctrl-C: exit 1, c.iso.part and the map kept, no c.iso" ||
	not_ok "Ctrl-C: exit $rc, files: $(cd "$T" && ls c.iso* 2>&1 | tr '\n' ' '), $(head -2 "$T/err")"
echo "# healed" >"$T/faults"
run "$ISOKIT" rip "$T/m/disc" -o "$T/c.iso"; expect_rc 0 "the same command finishes the interrupted rip"
cmp -s "$T/orig.iso" "$T/c.iso" && [ ! -e "$T/c.iso.part" ] && ok "and the result equals the original" ||
	not_ok "after the interrupted rip: $(cd "$T" && ls c.iso* | tr '\n' ' ')"

# --- refusals
run "$ISOKIT" rip "$T/orig.iso"; expect_rc 2 "no -o: usage error"
echo keep >"$T/exists.iso"
run "$ISOKIT" rip "$T/orig.iso" -o "$T/exists.iso"; expect_rc 1 "an existing OUT without a map is not replaced"
[ "$(cat "$T/exists.iso")" = keep ] && ok "and is left as it was" || not_ok "exists.iso was changed"
run "$ISOKIT" rip "$T/src/docs/n1.txt" -o "$T/x.iso"; expect_rc 1 "a medium without an ISO file system"
expect_err 'not an ISO image.*--size' "says so and points to --size"
[ ! -e "$T/x.iso" ] && [ ! -e "$T/x.iso.part" ] && ok "and leaves nothing" || not_ok "left $(ls "$T"/x.iso*)"
printf 'garbage\n' >"$T/bad.map"
run "$ISOKIT" rip "$T/orig.iso" -o "$T/y.iso" --map "$T/bad.map"; expect_rc 1 "a map that is no mapfile"
expect_err 'bad.map: not a rescue map: line 1' "names the map and the line"
finish
