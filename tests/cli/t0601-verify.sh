#!/usr/bin/env bash
# isokit verify against the independent tools: images implanted by
# implantisomd5 (and judged by checkisomd5), images with xorriso's MD5 tags
# (judged by xorriso -check_md5), damaged copies of both, cut and non-ISO files.
. "$(dirname "$0")/lib.sh"
need xorriso
need implantisomd5
need checkisomd5
need genisoimage
need bsdtar
mkdir -p "$T/src/sub"
seq 1 300000 >"$T/src/numbers.txt"
head -c 3000000 /dev/urandom >"$T/src/sub/random.bin"
echo small >"$T/src/sub/small.txt"

flip() { # flip FILE OFFSET: invert one byte, so that it always changes
	python3 -c 'import sys; f=open(sys.argv[1],"r+b"); o=int(sys.argv[2]); f.seek(o); b=f.read(1)[0]; f.seek(o); f.write(bytes([b ^ 0xff]))' "$1" "$2"
}

json() { # json FILE EXPR: print a field of the JSON report in $T/out
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"
}

# --- no checksums: structure only
xorriso -outdev "$T/plain.iso" -map "$T/src" / >/dev/null 2>&1
run "$ISOKIT" verify "$T/plain.iso"; expect_rc 0 "verify an image without checksums"
expect_out 'carries no checksums' "says that file data was not checked"
run "$ISOKIT" verify --json "$T/plain.iso"
[ "$(json 'r["status"], r["isomd5sum"], r["structure"]["entries"]')" = "('intact', None, 4)" ] &&
	ok "JSON: intact, no isomd5sum, 4 entries" || not_ok "JSON report: $(cat "$T/out")"

# --- implantisomd5: we accept what it writes, as checkisomd5 does
cp "$T/plain.iso" "$T/md5.iso"
implantisomd5 "$T/md5.iso" >/dev/null 2>&1
checkisomd5 "$T/md5.iso" >/dev/null 2>&1 && ok "checkisomd5 passes the implanted image" ||
	not_ok "checkisomd5 fails the implanted image"
run "$ISOKIT" verify --json "$T/md5.iso"; expect_rc 0 "verify an implantisomd5 image"
want=$(checkisomd5 --md5sumonly "$T/md5.iso" 2>/dev/null | awk 'NR==1 {print $2}')
[ "$(json 'r["isomd5sum"]["computed"]')" = "$want" ] && ok "computed MD5 is the one implantisomd5 recorded" ||
	not_ok "computed $(json 'r["isomd5sum"]["computed"]'), recorded $want"
[ "$(json 'r["isomd5sum"]["fragment_count"]')" = 20 ] && ok "20 fragment sums read" || not_ok "fragment count"

# --- tiny image: fragments shorter than the 32 KiB reads, so implantisomd5
# writes fewer than 20 sums (and checkisomd5 of isomd5sum 1.2.3 fails it)
mkdir -p "$T/tiny"; echo x >"$T/tiny/x"
xorriso -outdev "$T/tiny.iso" -map "$T/tiny" / >/dev/null 2>&1
implantisomd5 "$T/tiny.iso" >/dev/null 2>&1
run "$ISOKIT" verify "$T/tiny.iso"; expect_rc 0 "verify a tiny implanted image (fragments skipped)"
cp "$T/tiny.iso" "$T/tinybad.iso"
flip "$T/tinybad.iso" $((20 * 2048 + 5))
run "$ISOKIT" verify "$T/tinybad.iso"; expect_rc 4 "a changed byte in the tiny image is found"

# --- one changed byte: both say damaged, and we say where
# the volume (xorriso pads the file past it; the MD5 covers the volume less 15 blocks)
blocks=$(python3 -c 'import struct,sys; f=open(sys.argv[1],"rb"); f.seek(16*2048+80); print(struct.unpack("<I", f.read(4))[0])' "$T/md5.iso")
for b in 40 300 $((blocks / 2)) $((blocks - 20)); do
	cp "$T/md5.iso" "$T/bad.iso"
	flip "$T/bad.iso" $((b * 2048 + 100))
	checkisomd5 "$T/bad.iso" >/dev/null 2>&1; crc=$?
	run "$ISOKIT" verify --json "$T/bad.iso"
	if [ "$rc" -eq 4 ] && [ "$crc" -ne 0 ]; then ok "block $b changed: exit 4, checkisomd5 fails too"
	else not_ok "block $b changed: verify exit $rc, checkisomd5 exit $crc"; fi
	range=$(json 'r["isomd5sum"]["bad_blocks"]')
	python3 -c "import sys; a,b=eval(sys.argv[1]) or (None,None); sys.exit(0 if a is not None and a <= $b <= b else 1)" "$range" &&
		ok "block $b lies in the reported range $range" || not_ok "block $b, reported range $range"
done
run "$ISOKIT" verify "$T/bad.iso"; expect_out 'MISMATCH' "human report says MISMATCH"
expect_out '^result: damaged' "human report ends with the result"

# --- cut short
head -c $(( (blocks - 100) * 2048 )) "$T/md5.iso" >"$T/cut.iso"
run "$ISOKIT" verify "$T/cut.iso"; expect_rc 4 "verify a cut-off image"
expect_err 'cut short' "names the cut"

# --- xorriso's MD5 tags
xorriso -outdev "$T/tags.iso" -md5 on -map "$T/src" / >/dev/null 2>&1
run "$ISOKIT" verify --json "$T/tags.iso"; expect_rc 0 "verify an image with xorriso MD5 tags"
[ "$(json '[t["kind"] for t in r["md5_tags"] if t["intact"]]')" = "['superblock', 'tree', 'session']" ] &&
	ok "superblock, tree and session tags checked" || not_ok "tags: $(cat "$T/out")"
cp "$T/tags.iso" "$T/tagsbad.iso"
tb=$(( $(stat -c %s "$T/tags.iso") / 2048 - 200 ))
flip "$T/tagsbad.iso" $((tb * 2048 + 7))
xorriso -indev "$T/tagsbad.iso" -check_md5 FAILURE -- >"$T/x" 2>&1
run "$ISOKIT" verify --json "$T/tagsbad.iso"
if [ "$rc" -eq 4 ] && grep -q 'MD5 MISMATCH' "$T/x"; then ok "changed data: exit 4, xorriso -check_md5 agrees"
else not_ok "changed data: verify exit $rc; xorriso: $(grep -c MISMATCH "$T/x") mismatch lines"; fi
[ "$(json '[t["kind"] for t in r["md5_tags"] if not t["intact"]]')" = "['session']" ] &&
	ok "only the session tag (which covers file data) fails" || not_ok "tags: $(cat "$T/out")"

# --- path tables: images of every writer are intact; a changed table is damage
mkdir -p "$T/pt/a/b/c" "$T/pt/d"; echo hi >"$T/pt/a/b/c/f"
genisoimage -quiet -R -J -o "$T/pt-genisoimage.iso" "$T/pt" 2>/dev/null
bsdtar -cf "$T/pt-bsdtar.iso" --format iso9660 -C "$T/pt" . 2>/dev/null
xorriso -outdev "$T/pt-xorriso.iso" -joliet on -map "$T/pt" / >/dev/null 2>&1
"$ISOKIT" create -q -o "$T/pt-isokit.iso" "$T/pt"
for w in genisoimage bsdtar xorriso isokit; do
	run "$ISOKIT" verify "$T/pt-$w.iso"; expect_rc 0 "verify the $w image (path tables agree)"
done
pt_poke() { # pt_poke IMAGE OUT le|be: add 1 to the second record's extent in one table
	python3 - "$@" <<'PY'
import struct, sys
src, out, which = sys.argv[1:]
d = bytearray(open(src, "rb").read())
pvd = 16 * 2048
at = struct.unpack("<I", d[pvd + 140:pvd + 144])[0] if which == "le" else \
     struct.unpack(">I", d[pvd + 148:pvd + 152])[0]
pos = at * 2048
pos += 8 + d[pos] + (d[pos] & 1)             # skip the root's record
fmt = "<I" if which == "le" else ">I"
ext = struct.unpack(fmt, d[pos + 2:pos + 6])[0]
d[pos + 2:pos + 6] = struct.pack(fmt, ext + 1)
open(out, "wb").write(d)
PY
}
pt_poke "$T/pt-genisoimage.iso" "$T/pt-le.iso" le
if command -v isoinfo >/dev/null; then
	a=$(isoinfo -p -i "$T/pt-genisoimage.iso" | awk '$1=="2:" {print $3}')
	b=$(isoinfo -p -i "$T/pt-le.iso" | awk '$1=="2:" {print $3}')
	[ -n "$a" ] && [ "$a" != "$b" ] && ok "isoinfo -p sees the changed extent ($a, now $b)" ||
		not_ok "isoinfo -p: extent '$a' then '$b'"
fi
run "$ISOKIT" verify "$T/pt-le.iso"; expect_rc 4 "a path table pointing beside a directory is damage"
expect_err 'primary path table: record 2 differs' "the two byte orders disagree"
expect_err 'record 2 points to block [0-9]+, whose parent is at block' "the wrong block is named"
pt_poke "$T/pt-genisoimage.iso" "$T/pt-be.iso" be
run "$ISOKIT" verify "$T/pt-be.iso"; expect_rc 4 "a changed big-endian path table is damage"
run "$ISOKIT" ls -R "$T/pt-be.iso"; expect_rc 0 "the files still list (the reader does not use path tables)"

# --- overlapping file data: hard links and shared content are fine, a
# record pointing into another file's data is damage
mkdir -p "$T/ov"
seq 1 3000 >"$T/ov/a.txt"; seq 5001 8000 >"$T/ov/b.txt"
cp "$T/ov/a.txt" "$T/ov/same.txt"; ln "$T/ov/a.txt" "$T/ov/link.txt"
xorriso -outdev "$T/ov.iso" -map "$T/ov" / >/dev/null 2>&1   # shares a.txt's extent 3 ways
run "$ISOKIT" verify "$T/ov.iso"; expect_rc 0 "files sharing one extent are intact"
python3 - "$T/ov.iso" "$T/ov-bad.iso" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
pvd = 16 * 2048
root = struct.unpack("<I", d[pvd + 156 + 2:pvd + 156 + 6])[0] * 2048
def record(name):
    p = root
    while d[p]:
        n = d[p + 32]
        if d[p + 33:p + 33 + n].split(b";")[0] == name:
            return p
        p += d[p]
    sys.exit("no record " + name.decode())
a, b = record(b"A.TXT"), record(b"B.TXT")
ext = struct.unpack("<I", d[a + 2:a + 6])[0] + 1   # b now starts in a's second block
d[b + 2:b + 10] = struct.pack("<I", ext) + struct.pack(">I", ext)
open(sys.argv[2], "wb").write(d)
PY
if command -v isoinfo >/dev/null; then
	isoinfo -R -i "$T/ov-bad.iso" -x /b.txt 2>/dev/null | head -c 100 >"$T/b-now"
	tail -c +2049 "$T/ov/a.txt" | head -c 100 | cmp -s - "$T/b-now" &&
		ok "isoinfo reads a.txt's bytes as b.txt now" || not_ok "isoinfo does not see the overlap"
fi
run "$ISOKIT" verify "$T/ov-bad.iso"; expect_rc 4 "overlapping file data is damage"
expect_err 'file data overlaps that of /(a|same|link)\.txt.*path /b\.txt' "the overlap names both files"

# --- Rock Ridge and Joliet trees must hold the same files
genisoimage -quiet -R -J -o "$T/rj.iso" "$T/src" 2>/dev/null
run "$ISOKIT" verify "$T/rj.iso"; expect_rc 0 "genisoimage -R -J: both trees hold the same files"
genisoimage -quiet -R -J -hide-joliet small.txt -o "$T/rj-hidden.iso" "$T/src" 2>/dev/null
if command -v isoinfo >/dev/null; then
	isoinfo -J -f -i "$T/rj-hidden.iso" | grep -q small.txt && not_ok "isoinfo -J still lists small.txt" ||
		ok "isoinfo -J does not list the hidden small.txt"
fi
run "$ISOKIT" verify "$T/rj-hidden.iso"; expect_rc 4 "a file missing from the Joliet tree is damage"
expect_err 'Rock Ridge tree that the Joliet tree does not have \(sector [0-9]+, path /sub/small.txt\)' "names it"

# --- libcrypto is loaded by verify only, not by every command
if ldd "$ISOKIT" | grep -q libcrypto; then not_ok "isokit links libcrypto (1.6 MiB more for every command)"
else ok "isokit does not link libcrypto (verify loads it)"; fi

# --- not an image, usage
head -c 100000 /dev/zero >"$T/zero.iso"
run "$ISOKIT" verify "$T/zero.iso"; expect_rc 1 "a file that is not an ISO image cannot be checked"
run "$ISOKIT" verify; expect_rc 2 "no IMAGE is a usage error"
finish
