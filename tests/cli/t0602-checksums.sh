#!/usr/bin/env bash
# The checksums isokit create writes by default: the isomd5sum record
# (judged by checkisomd5, and by implantisomd5 writing the same bytes) and
# the SHA-256 of every file (docs/format/file-sums.md), which verify uses to
# name exactly the files whose bytes changed. Other readers must not see them.
. "$(dirname "$0")/lib.sh"
need implantisomd5
need checkisomd5
need xorriso
need bsdtar
mkdir -p "$T/src/photos/2024" "$T/src/docs"
for i in 1 2 3 4 5 6; do head -c $((i * 170000 + 77)) /dev/urandom >"$T/src/photos/2024/IMG_$i.CR3"; done
seq 1 200000 >"$T/src/docs/numbers.txt"
echo "Ảnh cưới" >"$T/src/docs/ghi chú.txt"
ln "$T/src/photos/2024/IMG_2.CR3" "$T/src/photos/IMG_2-link.CR3"
: >"$T/src/docs/empty"
ln -s docs/numbers.txt "$T/src/link"

flip() { # flip FILE OFFSET: invert one byte, so that it always changes
	python3 -c 'import sys; f=open(sys.argv[1],"r+b"); o=int(sys.argv[2]); f.seek(o); b=f.read(1)[0]; f.seek(o); f.write(bytes([b ^ 0xff]))' "$1" "$2"
}
json() { # json EXPR: a field of the JSON report in $T/out
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"
}
lba() { # lba IMAGE PATH: first block of a file's data
	"$ISOKIT" ls -l --json "$1" "$2" | sed -n 's/.*"lba": \([0-9]*\).*/\1/p'
}
blank_record() { # blank_record IMAGE: the isomd5sum field back to spaces
	printf '%512s' '' | dd of="$1" bs=1 seek=$((16 * 2048 + 883)) conv=notrunc status=none
}

run "$ISOKIT" create -o "$T/a.iso" "$T/src"; expect_rc 0 "create with checksums (the default)"

# --- isomd5sum: checkisomd5 passes, and implantisomd5 writes the very same record
checkisomd5 "$T/a.iso" >/dev/null 2>&1 && ok "checkisomd5 passes the image" || not_ok "checkisomd5 fails the image"
cp "$T/a.iso" "$T/re.iso"; blank_record "$T/re.iso"
implantisomd5 "$T/re.iso" >/dev/null 2>&1
cmp -s "$T/a.iso" "$T/re.iso" && ok "implantisomd5 on a blanked copy writes byte for byte the same record" ||
	not_ok "implantisomd5 writes another record: $(cmp "$T/a.iso" "$T/re.iso" | head -1)"
cp "$T/a.iso" "$T/one.iso"; flip "$T/one.iso" $(( $(lba "$T/a.iso" /docs/numbers.txt) * 2048 + 10 ))
checkisomd5 "$T/one.iso" >/dev/null 2>&1 && not_ok "checkisomd5 passes a changed image" ||
	ok "checkisomd5 fails after one byte changed"

# a tiny tree: the image is padded so that checkisomd5's fragments work
mkdir -p "$T/tiny"; echo x >"$T/tiny/x"
"$ISOKIT" create -q -o "$T/tiny.iso" "$T/tiny"
checkisomd5 "$T/tiny.iso" >/dev/null 2>&1 && ok "checkisomd5 passes a tiny image" || not_ok "checkisomd5 fails a tiny image"
run "$ISOKIT" verify "$T/tiny.iso"; expect_rc 0 "verify a tiny image"

# --- verify: intact
run "$ISOKIT" verify --json "$T/a.iso"; expect_rc 0 "verify: intact"
[ "$(json 'r["status"], r["file_sums"]["files_checked"], r["file_sums"]["files_bad"], r["isomd5sum"]["intact"]')" = "('intact', 8, 0, True)" ] &&
	ok "JSON: 8 files with data checked (hard links once), isomd5sum intact" || not_ok "JSON: $(cat "$T/out")"

# --- other readers see only the user's files
bsdtar -tf "$T/a.iso" | sed 's|^\./||; s|/$||' | grep -v '^\.$' | sort >"$T/bsdtar.txt"
(cd "$T/src" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$T/want.txt"
cmp -s "$T/bsdtar.txt" "$T/want.txt" && ok "bsdtar lists exactly the source tree" ||
	not_ok "bsdtar lists: $(diff "$T/want.txt" "$T/bsdtar.txt" | head -5)"
xorriso -indev "$T/a.iso" -find / -type f 2>/dev/null | tr -d "'" | sort >"$T/xfiles.txt"
nfiles=$(find "$T/src" -type f | wc -l)
[ "$(wc -l <"$T/xfiles.txt")" = "$nfiles" ] && ok "xorriso finds the $nfiles files" ||
	not_ok "xorriso finds $(wc -l <"$T/xfiles.txt") files, not $nfiles"
if command -v isovfy >/dev/null; then
	isovfy "$T/a.iso" >"$T/vfy" 2>&1
	grep -q '^No errors found' "$T/vfy" && ok "isovfy finds nothing wrong" ||
		not_ok "isovfy: $(tail -3 "$T/vfy")"
fi

# --- one byte in each of several files: exactly those are named
# damage IMAGE OUT N...: invert the last byte of the Nth, ... file with data
# (in listing order) in a copy; print the paths that share the changed data
damage() {
	python3 - "$@" <<'PY'
import json, os, shutil, subprocess, sys
img, out, picks = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]
r = json.loads(subprocess.run([os.environ["ISOKIT"], "ls", "-l", "-R", "--json", img],
                              capture_output=True, check=True).stdout)
files = [e for e in r["entries"] if e["type"] == "file" and e["size"] > 0]
shutil.copyfile(img, out)
hit = {files[n % len(files)]["lba"]: files[n % len(files)] for n in picks}
with open(out, "r+b") as f:
    for e in hit.values():  # hard links share data: change it once
        at = e["lba"] * 2048 + e["size"] - 1
        f.seek(at); b = f.read(1)[0]; f.seek(at); f.write(bytes([b ^ 0xFF]))
for e in files:
    if e["lba"] in hit:
        print("/" + e["path"])
PY
}
for pick in "0" "3" "1 5" "2 4 6 7"; do
	# shellcheck disable=SC2086
	damage "$T/a.iso" "$T/bad.iso" $pick | sort >"$T/expect.txt"
	run "$ISOKIT" verify --json "$T/bad.iso"
	json '"\n".join(d["path"] for d in r["file_sums"]["damaged"])' | sort >"$T/named.txt"
	if [ "$rc" = 4 ] && [ -s "$T/expect.txt" ] && cmp -s "$T/expect.txt" "$T/named.txt"; then
		ok "changed $(tr '\n' ' ' <"$T/expect.txt"): exit 4, exactly those named"
	else
		not_ok "changed $(tr '\n' ' ' <"$T/expect.txt"): exit $rc, named $(tr '\n' ' ' <"$T/named.txt")"
	fi
done
# a hard-linked file changed: the human report names both of its paths
damage "$T/a.iso" "$T/bad.iso" "$(python3 -c 'import json,os,subprocess,sys
r=json.loads(subprocess.run([os.environ["ISOKIT"],"ls","-l","-R","--json",sys.argv[1]],capture_output=True).stdout)
f=[e for e in r["entries"] if e["type"]=="file" and e["size"]>0]
print([i for i,e in enumerate(f) if e["nlink"]==2][0])' "$T/a.iso")" >/dev/null
run "$ISOKIT" verify "$T/bad.iso"
expect_out '1 of 8 files DAMAGED' "the human report counts the damaged files"
expect_out '^ +/photos/IMG_2-link.CR3 \(blocks [0-9]+-[0-9]+\)' "and names each with its blocks"

# --- extract --verify: each file's SHA-256 as it is written
for j in 0 2; do
	run "$ISOKIT" extract --verify -j $j "$T/a.iso" -C "$T/xv$j"; expect_rc 0 "extract --verify -j $j of an intact image"
	diff -r "$T/src" "$T/xv$j" >/dev/null && ok "and the files are the sources" || not_ok "extracted tree differs"
	damage "$T/a.iso" "$T/xbad.iso" 3 >"$T/expect.txt"
	run "$ISOKIT" extract --verify -j $j "$T/xbad.iso" -C "$T/xb$j"; expect_rc 1 "extract --verify -j $j of a damaged image: exit 1"
	expect_err "$(sed 's|^/||' "$T/expect.txt" | head -1): SHA-256 differs" "names the damaged file"
	[ "$(grep -c 'SHA-256 differs' "$T/err")" = 1 ] && ok "and no other" || not_ok "$(cat "$T/err")"
done
xorriso -outdev "$T/plain-xorriso.iso" -map "$T/src" / >/dev/null 2>&1
run "$ISOKIT" extract --verify "$T/plain-xorriso.iso" -C "$T/xp"; expect_rc 1 "extract --verify of an image without file sums: exit 1"
expect_err 'has no file sums' "says why"
[ ! -e "$T/xp/docs" ] && ok "and extracts nothing" || not_ok "files were extracted"

# --- damage to the table or its trailer is damage, not silence
tb=$(python3 -c 'import struct,sys; f=open(sys.argv[1],"rb"); f.seek(16*2048+80); print(struct.unpack("<I", f.read(4))[0] - 16)' "$T/a.iso")
cp "$T/a.iso" "$T/trailer.iso"; flip "$T/trailer.iso" $((tb * 2048 + 30))
run "$ISOKIT" verify "$T/trailer.iso"; expect_rc 4 "a damaged trailer: exit 4"
expect_err 'trailer of the file sums is damaged' "says so"
table=$(python3 -c 'import struct,sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2])*2048+24); print(struct.unpack("<I", f.read(4))[0])' "$T/a.iso" "$tb")
cp "$T/a.iso" "$T/table.iso"; flip "$T/table.iso" $((table * 2048 + 60))
run "$ISOKIT" verify --json "$T/table.iso"; expect_rc 4 "a damaged table: exit 4"
[ "$(json 'r["file_sums"]["table_intact"]')" = False ] && ok "JSON: table_intact false" || not_ok "JSON: $(cat "$T/out")"

# --- cut short: the table went with the tail; the structure check names
# the files that end past the cut, the isomd5sum the files in its bad range
size=$(stat -c %s "$T/a.iso")
head -c $((size - 400 * 2048)) "$T/a.iso" >"$T/cut.iso"
run "$ISOKIT" verify --json "$T/cut.iso"; expect_rc 4 "a cut image: exit 4"
[ "$(json 'r["file_sums"], "/photos/2024/IMG_6.CR3" in r["isomd5sum"]["files_in_bad_blocks"]')" = "(None, True)" ] &&
	ok "the last file is named in the isomd5sum's bad range" || not_ok "JSON: $(cat "$T/out")"
expect_err 'IMG_6.CR3' "the structure check names the file past the cut"

# --- --no-checksums: a blank field, where implantisomd5 implants without --force
run "$ISOKIT" create --no-checksums -o "$T/nock.iso" "$T/src"; expect_rc 0 "create --no-checksums"
run "$ISOKIT" verify --json "$T/nock.iso"
[ "$(json 'r["file_sums"], r["isomd5sum"]')" = "(None, None)" ] && ok "--no-checksums: no file sums, no isomd5sum" ||
	not_ok "JSON: $(cat "$T/out")"
implantisomd5 "$T/nock.iso" >/dev/null 2>&1 && checkisomd5 "$T/nock.iso" >/dev/null 2>&1 &&
	ok "implantisomd5 (without --force) and checkisomd5 work on a --no-checksums image" ||
	not_ok "implantisomd5 refuses the --no-checksums image"
[ $(( $(stat -c %s "$T/a.iso") - $(stat -c %s "$T/nock.iso") )) -le $(( 20 * 2048 )) ] &&
	ok "the checksums cost at most 20 blocks here" ||
	not_ok "checksums cost $(( $(stat -c %s "$T/a.iso") - $(stat -c %s "$T/nock.iso") )) bytes"

# --- --manifest: SHA256SUMS at the root, checked by sha256sum -c in a tree
# that bsdtar (not isokit) extracted
mkdir -p "$T/src/odd"; printf 'x' >"$T/src/odd/back\\slash"; printf 'y' >"$T/src/odd/$(printf 'cr\rlf')"
run "$ISOKIT" create --manifest -o "$T/m.iso" "$T/src"; expect_rc 0 "create --manifest"
mkdir -p "$T/mx"; bsdtar -xf "$T/m.iso" -C "$T/mx"
(cd "$T/mx" && sha256sum --strict -c SHA256SUMS) >"$T/sumc" 2>&1 &&
	ok "sha256sum -c accepts SHA256SUMS in bsdtar's extraction ($(grep -c ': OK$' "$T/sumc") files)" ||
	not_ok "sha256sum -c: $(grep -v ': OK$' "$T/sumc" | head -5)"
[ "$(grep -c ': OK$' "$T/sumc")" = "$(find "$T/src" -type f | wc -l)" ] && ok "every file is listed" ||
	not_ok "$(grep -c ': OK$' "$T/sumc") lines for $(find "$T/src" -type f | wc -l) files"
run "$ISOKIT" verify "$T/m.iso"; expect_rc 0 "verify a --manifest image (the manifest has a sum too)"
checkisomd5 "$T/m.iso" >/dev/null 2>&1 && ok "checkisomd5 passes it" || not_ok "checkisomd5 fails the --manifest image"
run "$ISOKIT" create --manifest --no-checksums -o "$T/x.iso" "$T/src"; expect_rc 2 "--manifest with --no-checksums is a usage error"
cp "$T/mx/SHA256SUMS" "$T/src/SHA256SUMS"
run "$ISOKIT" create --manifest -o "$T/x.iso" "$T/src"; expect_rc 1 "--manifest when the sources have a SHA256SUMS at the root"
expect_err 'SHA256SUMS: the sources have a file of this name' "says why"
[ ! -e "$T/x.iso" ] && ok "and leaves no image" || not_ok "an image was left"
rm -rf "$T/src/SHA256SUMS" "$T/src/odd"

# --- a pipe cannot seek back: file sums yes, isomd5sum no, and a warning
"$ISOKIT" create -o - "$T/src" 2>"$T/err" | cat >"$T/pipe.iso"
grep -q 'no isomd5sum record' "$T/err" && ok "create into a pipe warns that it writes no isomd5sum record" ||
	not_ok "no warning: $(cat "$T/err")"
run "$ISOKIT" verify --json "$T/pipe.iso"; expect_rc 0 "the piped image verifies"
[ "$(json 'r["isomd5sum"], r["file_sums"]["files_checked"]')" = "(None, 8)" ] && ok "piped image: file sums, no isomd5sum" ||
	not_ok "JSON: $(cat "$T/out")"
finish
