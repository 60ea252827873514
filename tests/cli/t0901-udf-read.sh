#!/usr/bin/env bash
# isokit reading UDF (issue 8): images made by genisoimage -udf (the UDF
# bridge, with and without Rock Ridge), pycdlib (UDF beside a stub ISO 9660
# tree, with a symlink and names in Vietnamese, Chinese and emoji up to the
# 255-byte limit), and mkudffs (UDF alone; 512-, 2048- and 4096-byte
# blocks; UDF 1.02 to 2.01, sparable partitions). Judges: the source trees
# (diff -r), 7-Zip (which reads UDF first), udfinfo (label, block size,
# revision). Damaged images (a bad tag CRC, an allocation extent that
# points at itself, an extent past the partition) give a clear error.
. "$(dirname "$0")/lib.sh"
need genisoimage
need mkudffs
need udfinfo
need 7z
PY=/usr/bin/python3
"$PY" -c 'import pycdlib' 2>/dev/null || { echo "1..0 # SKIP python3-pycdlib not installed"; exit 0; }
export LC_ALL=C.UTF-8 TZ=UTC

# ---- the source tree ----
S="$T/src"
mkdir -p "$S/sub/deep" "$S/empty"
printf 'hello\n' >"$S/a.txt"
head -c 300000 /dev/urandom >"$S/sub/big.bin"
head -c 100 /dev/zero | tr '\0' x >"$S/sub/deep/c"
printf 'viet\n' >"$S/Tiếng Việt ảnh.txt"
printf 'cjk\n' >"$S/照片.txt"
: >"$S/empty.txt"
touch -d '2001-02-03 04:05:06 UTC' "$S/a.txt"

# ---- genisoimage -udf: UDF 1.02 beside ISO 9660 ----
run genisoimage -quiet -input-charset utf-8 -udf -o "$T/g.iso" "$S"
expect_rc 0 "genisoimage -udf makes an image"
run "$ISOKIT" info --json "$T/g.iso"
expect_out '"namespace": "udf"' "without Rock Ridge, UDF is the namespace chosen"
expect_out '"revision": "1.02"' "info shows the UDF revision"
run "$ISOKIT" extract "$T/g.iso" -C "$T/g-out"
expect_rc 0 "extract of the genisoimage UDF image"
if diff -r "$S" "$T/g-out" >"$T/diff" 2>&1; then ok "the UDF tree equals the source (names, contents)"; else
	not_ok "the UDF tree differs from the source"; sed 's/^/# /' "$T/diff" | head; fi
a_mtime=$(stat -c %Y "$T/g-out/a.txt")
[ "$a_mtime" = "$(stat -c %Y "$S/a.txt")" ] && ok "a file's time comes from its UDF entry" ||
	not_ok "a.txt mtime $a_mtime"

# 7-Zip lists the UDF side: the same names and sizes as isokit ls
7z l -tudf -slt "$T/g.iso" >"$T/7z.txt" 2>&1
awk -F' = ' '/^Path = /{p=$2} /^Size = /{print p" "$2}' "$T/7z.txt" | grep -v '^ ' | sort >"$T/7z-list"
"$ISOKIT" ls -R --json "$T/g.iso" | "$PY" -c '
import json, sys
for e in json.load(sys.stdin)["entries"]:
    print(e["path"].lstrip("/"), e["size"] if e["type"] == "file" else "")
' | sort >"$T/isokit-list"
# 7-Zip gives directories their size too: compare files only
grep -v ' $' "$T/isokit-list" >"$T/isokit-files"
if grep -Fxf "$T/isokit-files" "$T/7z-list" | cmp -s - "$T/isokit-files" && [ -s "$T/isokit-files" ]; then
	ok "7-Zip's UDF listing holds every file isokit lists, with its size"
else
	not_ok "7-Zip and isokit disagree"; diff "$T/7z-list" "$T/isokit-files" | sed 's/^/# /' | head
fi

# ---- with Rock Ridge and Joliet: Rock Ridge first, UDF on request ----
ln -s ../a.txt "$S/sub/link"
run genisoimage -quiet -input-charset utf-8 -udf -R -J -o "$T/grj.iso" "$S"
rm "$S/sub/link"
run "$ISOKIT" info --json "$T/grj.iso"
expect_out '"namespace": "rockridge"' "with Rock Ridge too, Rock Ridge is chosen first"
run "$ISOKIT" extract --namespace udf "$T/grj.iso" -C "$T/grj-out"
expect_rc 0 "extract --namespace udf"
# genisoimage records a symlink in UDF as an empty file (PITFALLS 68)
if diff -r "$S" "$T/grj-out" -x link >"$T/diff" 2>&1; then ok "--namespace udf reads the UDF tree"; else
	not_ok "the UDF tree of the bridge image differs"; sed 's/^/# /' "$T/diff" | head; fi
[ -f "$T/grj-out/sub/link" ] && [ ! -s "$T/grj-out/sub/link" ] &&
	ok "genisoimage's UDF symlink stand-in reads as the empty file it is" || not_ok "sub/link"
# 7-Zip, told to read UDF, extracts the same tree
7z x -tudf -y -o"$T/grj-7z" "$T/grj.iso" >/dev/null 2>&1
if diff -r "$T/grj-7z" "$T/grj-out" >"$T/diff" 2>&1; then ok "7-Zip extracts the same UDF tree"; else
	not_ok "7-Zip's UDF tree differs"; sed 's/^/# /' "$T/diff" | head; fi

# ---- pycdlib: long Unicode names, emoji, a symlink ----
long_vi=$("$PY" -c 'print(("Ảnh đẹp Việt Nam " * 8)[:127])')
long_emoji=$("$PY" -c 'print("📷" * 63)')
cat >"$T/mkp.py" <<'EOF'
import io, sys, pycdlib
out, long_vi, long_emoji = sys.argv[1:4]
iso = pycdlib.PyCdlib()
iso.new(udf='2.60', interchange_level=4)
def add(n, udf_path, data):
    iso.add_fp(io.BytesIO(data), len(data), '/F%d.;1' % n, udf_path=udf_path)
iso.add_directory('/SUB', udf_path='/sub')
add(1, '/a.txt', b'hello\n')
add(2, '/sub/big.bin', bytes(range(256)) * 1200)
add(3, '/' + long_vi, b'vi\n')
add(4, '/' + long_emoji, b'emoji\n')
add(5, '/照片.txt', b'cjk\n')
if len(sys.argv) < 5:  # 7-Zip refuses UDF symlinks ("Unsupported feature")
    iso.add_symlink(udf_symlink_path='/sub/link', udf_target='../a.txt')
iso.write(out)
EOF
run "$PY" "$T/mkp.py" "$T/p.iso" "$long_vi" "$long_emoji"
expect_rc 0 "pycdlib makes a UDF image"
run "$ISOKIT" extract "$T/p.iso" -C "$T/p-out"
expect_rc 0 "extract of the pycdlib image"
[ "$(cat "$T/p-out/$long_vi" 2>/dev/null)" = vi ] && ok "a 127-character Vietnamese name (254 bytes of UCS-2)" ||
	not_ok "the long Vietnamese name"
[ "$(cat "$T/p-out/$long_emoji" 2>/dev/null)" = emoji ] && ok "63 emoji (surrogate pairs, 252 bytes)" ||
	not_ok "the emoji name"
[ "$(readlink "$T/p-out/sub/link")" = ../a.txt ] && ok "a UDF symlink's path components" ||
	not_ok "symlink: $(readlink "$T/p-out/sub/link")"
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 1200)' | cmp -s - "$T/p-out/sub/big.bin" &&
	ok "a 300 KiB file's bytes" || not_ok "big.bin differs"
run "$PY" "$T/mkp.py" "$T/p-nolink.iso" "$long_vi" "$long_emoji" nolink
run "$ISOKIT" extract "$T/p-nolink.iso" -C "$T/pn-out"
7z x -tudf -y -o"$T/p-7z" "$T/p-nolink.iso" >/dev/null 2>&1
if [ -f "$T/p-7z/$long_emoji" ] && diff -r "$T/p-7z" "$T/pn-out" >"$T/diff" 2>&1; then
	ok "7-Zip extracts the same names and data"; else
	not_ok "7-Zip's extraction differs"; sed 's/^/# /' "$T/diff" | head; fi

# ---- mkudffs: UDF alone, several block sizes and media ----
for spec in "512 hd 1.02" "2048 hd 2.01" "4096 hd 2.01" "2048 cdrw 1.50" "2048 dvdrw 2.01"; do
	set -- $spec
	img="$T/m-$1-$2.udf"
	truncate -s 64M "$img"
	if ! mkudffs -b "$1" --media-type="$2" --udfrev="$3" -l "Lbl$1$2" "$img" >/dev/null 2>&1; then
		not_ok "mkudffs $spec"; continue; fi
	run "$ISOKIT" info --json "$img"
	if [ "$rc" -ne 0 ]; then not_ok "mkudffs $spec: isokit info: $(head -1 "$T/err")"; continue; fi
	want_label=$(udfinfo "$img" 2>/dev/null | sed -n 's/^lvid=//p')
	want_rev=$(udfinfo "$img" 2>/dev/null | sed -n 's/^udfrev=//p')
	"$PY" -c '
import json, sys
u = json.load(open(sys.argv[1]))["udf"]
ok = (u["volume_id"], u["block_size"], u["revision"]) == (sys.argv[2], int(sys.argv[3]), sys.argv[4])
sys.exit(0 if ok else 1)' "$T/out" "$want_label" "$1" "$want_rev" &&
		ok "mkudffs $spec: label, block size and revision as udfinfo reads them" ||
		not_ok "mkudffs $spec: $(grep -o '"udf": {[^}]*' "$T/out")"
	run "$ISOKIT" ls "$img"
	expect_rc 0 "mkudffs $spec: the empty root lists"
done

# ---- damage: a clear error, never a crash or a hang ----
cp "$T/g.iso" "$T/bad-crc.iso"
# the file set descriptor of a genisoimage image: partition start 257, FSD at 0
"$PY" - "$T/bad-crc.iso" <<'EOF'
import sys
f = open(sys.argv[1], 'r+b')
f.seek(257 * 2048 + 100); b = f.read(1); f.seek(257 * 2048 + 100); f.write(bytes([b[0] ^ 0xFF]))
EOF
run "$ISOKIT" ls --namespace udf "$T/bad-crc.iso"
expect_rc 1 "a bad CRC in the file set descriptor"
expect_err 'bad-crc.iso: UDF: bad descriptor CRC' "the message names the image and the damage"
run "$ISOKIT" ls "$T/bad-crc.iso"
expect_out '^A.TXT$' "automatic choice falls back to ISO 9660 when UDF is damaged"
expect_rc 1 "and still says the image is damaged"

# an allocation descriptor of big.bin turned into a pointer to an
# allocation extent at the file entry's own block (a loop)
"$PY" - "$T/g.iso" "$T/loop.iso" "$T/past.iso" "$(dirname "$0")/../hostile" "$T/badfe.iso" "$T/badroot.iso" <<'EOF'
import struct, sys
sys.path.insert(0, sys.argv[4])
from udfbuild import crc16 as crc
data = bytearray(open(sys.argv[1], 'rb').read())
bs, start = 2048, 257
def retag(off):
    ln = struct.unpack_from('<H', data, off + 10)[0]
    struct.pack_into('<H', data, off + 8, crc(data[off + 16:off + 16 + ln]))
    data[off + 4] = (sum(data[off:off + 4]) + sum(data[off + 5:off + 16])) & 0xFF
# the file entry of the 300000-byte file: tag 261, information length 300000
for blk in range(start, len(data) // bs):
    off = blk * bs
    if struct.unpack_from('<H', data, off)[0] == 261 and struct.unpack_from('<Q', data, off + 56)[0] == 300000:
        break
else:
    sys.exit("no file entry for big.bin")
lea = struct.unpack_from('<I', data, off + 168)[0]
ad = off + 176 + lea
loc = struct.unpack_from('<I', data, off + 12)[0]
orig = bytes(data)
struct.pack_into('<II', data, ad, (3 << 30) | bs, loc)   # short_ad: next extent = itself
retag(off)
open(sys.argv[2], 'wb').write(data)
data = bytearray(orig)
struct.pack_into('<II', data, ad, 300000, 10**9)        # an extent far past the partition
retag(off)
open(sys.argv[3], 'wb').write(data)
data = bytearray(orig)
data[off + 100] ^= 0xFF                                 # big.bin's entry fails its CRC
open(sys.argv[5], 'wb').write(data)
data = bytearray(orig)
fsd = start * bs                                        # the file set descriptor
root = (start + struct.unpack_from('<I', data, fsd + 404)[0]) * bs
data[root + 100] ^= 0xFF                                # the root's entry fails its CRC
open(sys.argv[6], 'wb').write(data)
EOF
run timeout 20 "$ISOKIT" cat "$T/loop.iso" /sub/big.bin
expect_rc 1 "allocation descriptors pointing at their own entry: an error, no hang"
expect_err 'loop.iso: UDF: descriptor 261 where 258 was expected|loop' "the message says what is wrong"
run timeout 20 "$ISOKIT" extract "$T/past.iso" -C "$T/past-out"
expect_rc 1 "an extent past the partition: extract fails"
expect_err 'past.iso: UDF: block [0-9]+ is past the end of partition 0.*sub/big.bin' \
	"the message names the block, the partition and the file"
[ -z "$(find "$T/past-out" -name 'big.bin*' 2>/dev/null)" ] && ok "no half-written file is left" ||
	not_ok "a partial big.bin was left"

# one damaged entry: named, left out, and every other file still comes out
run "$ISOKIT" extract "$T/badfe.iso" -C "$T/badfe-out"
expect_rc 1 "a file entry failing its CRC: extract exits 1"
expect_err 'badfe.iso: UDF: bad descriptor CRC.*sub/big.bin' "the message names the entry"
if diff -r -x big.bin "$S" "$T/badfe-out" >"$T/diff" 2>&1 && [ ! -e "$T/badfe-out/sub/big.bin" ]; then
	ok "its neighbours are extracted equal to the source"; else
	not_ok "after one bad entry"; sed 's/^/# /' "$T/diff" | head; fi
# a damaged UDF root on a bridge image: the ISO 9660 side is read instead
run "$ISOKIT" ls "$T/badroot.iso"
expect_out '^A.TXT$' "a UDF root that fails its CRC: the ISO 9660 names are listed"
expect_rc 1 "and the damage still sets the exit status"
run "$ISOKIT" ls --namespace udf "$T/badroot.iso"
expect_rc 1 "--namespace udf on it fails"
expect_err 'badroot.iso: UDF: bad descriptor CRC' "saying why"

# ---- built like Windows install media: the tree in UDF, a README in ISO 9660 ----
cat >"$T/mkwin.py" <<'PYEOF'
import io, sys, pycdlib
iso = pycdlib.PyCdlib()
iso.new(udf='2.60', interchange_level=4)
readme = b'This disc holds its files in UDF.\n'
iso.add_fp(io.BytesIO(readme), len(readme), '/README.TXT;1')
iso.add_directory(udf_path='/sources')
for path, data in (('/setup.exe', b'MZ setup\n'), ('/sources/install.wim', bytes(range(256)) * 900),
                   ('/sources/Ảnh.txt', b'vi\n')):
    iso.add_fp(io.BytesIO(data), len(data), udf_path=path)
iso.write(sys.argv[1])
PYEOF
run "$PY" "$T/mkwin.py" "$T/win.iso"
expect_rc 0 "pycdlib makes a Windows-style bridge (UDF tree, ISO 9660 README)"
run "$ISOKIT" ls --namespace iso9660 "$T/win.iso"
[ "$(cat "$T/out")" = README.TXT ] && ok "its ISO 9660 side holds only README.TXT" || not_ok "ISO 9660 side: $(cat "$T/out")"
run "$ISOKIT" extract "$T/win.iso" -C "$T/win-out"
expect_rc 0 "extract (automatic namespace) of the Windows-style bridge"
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 900)' | cmp -s - "$T/win-out/sources/install.wim" &&
	[ "$(cat "$T/win-out/setup.exe")" = "MZ setup" ] && [ "$(cat "$T/win-out/sources/Ảnh.txt")" = vi ] &&
	[ ! -e "$T/win-out/README.TXT" ] && ok "the UDF tree is extracted, not the README side" ||
	not_ok "the Windows-style bridge: $(cd "$T/win-out" 2>/dev/null && find . | sort | tr '\n' ' ')"
7z x -tudf -y -o"$T/win-7z" "$T/win.iso" >/dev/null 2>&1
if diff -r "$T/win-7z" "$T/win-out" >"$T/diff" 2>&1; then ok "7-Zip extracts the same tree"; else
	not_ok "7-Zip's tree of the Windows-style bridge differs"; sed 's/^/# /' "$T/diff" | head; fi

finish
