#!/usr/bin/env bash
# Repair data (isokit ecc add, create --ecc) and isokit repair, on an image
# of about 160 MB: random single-block flips, a run of 1% of the image,
# zeroed runs and a cut-off tail within the budget of 5% are rebuilt byte
# for byte; beyond it, repair rebuilds what it can, names the damaged files
# (compared with what bsdtar extracts) and makes nothing worse. Readers and
# checkisomd5 ignore the repair data.
. "$(dirname "$0")/lib.sh"
need bsdtar
need checkisomd5
mkdir -p "$T/src/raw" "$T/src/docs"
for i in $(seq 1 32); do head -c $((4800000 + i * 1000)) /dev/urandom >"$T/src/raw/IMG_$i.CR3"; done
for i in $(seq 1 200); do echo "note $i" >"$T/src/docs/n$i.txt"; done

damage() { # damage IMAGE KIND ARG...: change the image in place (python helper)
	python3 - "$@" <<'PY'
import os, random, sys
img, kind, args = sys.argv[1], sys.argv[2], sys.argv[3:]
size = os.path.getsize(img)
blocks = size // 2048
random.seed(int(os.environ.get("SEED", "7")))
with open(img, "r+b") as f:
    def flip(b):
        f.seek(b * 2048 + random.randrange(2048)); c = f.read(1)[0]
        f.seek(-1, 1); f.write(bytes([c ^ 0xFF]))
    if kind == "flips":                 # N random blocks, one byte each
        for b in random.sample(range(blocks), int(args[0])):
            flip(b)
    elif kind == "run":                 # a run of FRACTION of the blocks from START (fraction)
        n = int(blocks * float(args[0])); start = int(blocks * float(args[1]))
        f.seek(start * 2048); f.write(os.urandom(n * 2048))
    elif kind == "zero":                # zeroed run
        n = int(blocks * float(args[0])); start = int(blocks * float(args[1]))
        f.seek(start * 2048); f.write(bytes(n * 2048))
    elif kind == "cut":                 # cut off FRACTION of the file
        f.truncate((blocks - int(blocks * float(args[0]))) * 2048)
PY
}

run "$ISOKIT" create --ecc 5 -o "$T/p.iso" "$T/src"; expect_rc 0 "create --ecc 5"
cp "$T/p.iso" "$T/good.iso"
run "$ISOKIT" ecc info --json "$T/p.iso"; expect_rc 0 "ecc info"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["where"]=="appended" and 5 <= r["percent"] < 6 else 1)' "$T/out" &&
	ok "repair data appended, 5-6% per group" || not_ok "ecc info: $(cat "$T/out")"

# --- other readers do not see it
checkisomd5 "$T/p.iso" >/dev/null 2>&1 && ok "checkisomd5 passes the image with repair data" || not_ok "checkisomd5 fails"
run "$ISOKIT" verify "$T/p.iso"; expect_rc 0 "isokit verify: intact"
bsdtar -xf "$T/p.iso" -C "$T/bx" 2>/dev/null || { mkdir -p "$T/bx" && bsdtar -xf "$T/p.iso" -C "$T/bx"; }
diff -r "$T/src" "$T/bx" >/dev/null && ok "bsdtar extracts exactly the sources" || not_ok "bsdtar's extraction differs"
rm -rf "$T/bx"
if command -v isoinfo >/dev/null; then
	vol=$(isoinfo -d -i "$T/p.iso" | sed -n 's/^Volume size is: //p')
	[ $((vol * 2048)) -lt "$(stat -c %s "$T/p.iso")" ] && ok "isoinfo: the volume ($vol blocks) ends before the repair data" ||
		not_ok "volume size $vol"
fi
run "$ISOKIT" repair "$T/p.iso"; expect_rc 0 "repair of an intact image"
expect_out 'intact' "says it is intact"
cmp -s "$T/p.iso" "$T/good.iso" && ok "and leaves it as it was" || not_ok "repair changed an intact image"

# --- damage within the budget: byte for byte back
within() { # within DESCRIPTION KIND ARG...
	local desc=$1; shift
	cp "$T/good.iso" "$T/d.iso"
	damage "$T/d.iso" "$@"
	if cmp -s "$T/d.iso" "$T/good.iso"; then not_ok "$desc: the damage changed nothing"; return; fi
	"$ISOKIT" verify -q "$T/d.iso"; local v=$?
	run "$ISOKIT" repair "$T/d.iso"
	if [ "$rc" = 0 ] && cmp -s "$T/d.iso" "$T/good.iso"; then ok "$desc: repair gives back the very same image"
	elif [ -n "${KEEP_FAILED:-}" ]; then cp "$T/good.iso" "$KEEP_FAILED.good"; cp "$T/d.iso" "$KEEP_FAILED.after"; not_ok "$desc: kept in $KEEP_FAILED.*"
	else not_ok "$desc: repair exit $rc; $(cmp "$T/d.iso" "$T/good.iso" 2>&1 | head -1)"; sed 's/^/# /' "$T/out" | head -5; fi
	run "$ISOKIT" verify "$T/d.iso"; expect_rc 0 "$desc: verify is clean afterwards (was exit $v)"
}
within "80 random single-block flips" flips 80
within "a run of 1% of the image" run 0.01 0.4
within "a run of 1% at the start (descriptors, directories)" run 0.01 0.0
within "a zeroed run of 2%" zero 0.02 0.7
within "the last 3% of the file cut off (half the repair data)" cut 0.03
for seed in 11 12 13; do SEED=$seed within "150 random flips (seed $seed), the repair data's tables too" flips 150; done

# --- --check and -o: nothing changed in place
cp "$T/good.iso" "$T/d.iso"; damage "$T/d.iso" run 0.01 0.5; cp "$T/d.iso" "$T/d-before.iso"
run "$ISOKIT" repair --check "$T/d.iso"; expect_rc 4 "repair --check of a damaged image: exit 4"
expect_out 'can be rebuilt' "says it can be rebuilt"
cmp -s "$T/d.iso" "$T/d-before.iso" && ok "--check writes nothing" || not_ok "--check changed the image"
run "$ISOKIT" repair -o "$T/fixed.iso" "$T/d.iso"; expect_rc 0 "repair -o OUT"
cmp -s "$T/fixed.iso" "$T/good.iso" && cmp -s "$T/d.iso" "$T/d-before.iso" &&
	ok "OUT is the original, IMAGE untouched" || not_ok "repair -o"

# --- beyond the budget: what can be rebuilt is, the rest is named, nothing worse
cp "$T/good.iso" "$T/d.iso"; SEED=3 damage "$T/d.iso" run 0.12 0.3; cp "$T/d.iso" "$T/d-before.iso"
run "$ISOKIT" repair --json "$T/d.iso"; expect_rc 4 "12% in one run: exit 4"
python3 - "$T/good.iso" "$T/d-before.iso" "$T/d.iso" <<'PY' && ok "no block is worse than before: each is the original or as damaged" || not_ok "a block got worse"
import sys
a, b, c = (open(p, "rb").read() for p in sys.argv[1:])
n = len(a) // 2048
bad = [i for i in range(n) if c[i*2048:(i+1)*2048] not in (a[i*2048:(i+1)*2048], b[i*2048:(i+1)*2048])]
sys.exit(1 if bad or len(c) != len(a) else 0)
PY
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("\n".join(sorted(p.lstrip("/") for p in r["damaged_files"])))' "$T/out" >"$T/named.txt"
mkdir -p "$T/bx"; bsdtar -xf "$T/d.iso" -C "$T/bx" 2>/dev/null
(cd "$T/src" && find . -type f | sed 's|^\./||' | sort | while read -r f; do cmp -s "$f" "$T/bx/$f" || echo "$f"; done) >"$T/differ.txt"
if [ -s "$T/differ.txt" ] && cmp -s "$T/named.txt" "$T/differ.txt"; then
	ok "the files named are exactly those bsdtar extracts wrong ($(wc -l <"$T/differ.txt"))"
else
	not_ok "named: $(tr '\n' ' ' <"$T/named.txt" | head -c 300); differ: $(tr '\n' ' ' <"$T/differ.txt" | head -c 300)"
fi
rm -rf "$T/bx"
run "$ISOKIT" verify "$T/d.iso"; expect_rc 4 "verify still finds the damage"

# --- a sidecar, for images from any tool
if command -v xorriso >/dev/null; then
	xorriso -outdev "$T/x.iso" -map "$T/src" / >/dev/null 2>&1
	cp "$T/x.iso" "$T/x-good.iso"
	run "$ISOKIT" ecc add --sidecar --percent 8 "$T/x.iso"; expect_rc 0 "ecc add --sidecar on a xorriso image"
	cmp -s "$T/x.iso" "$T/x-good.iso" && [ -s "$T/x.iso.ecc" ] && ok "the image is unchanged, IMAGE.ecc written" ||
		not_ok "sidecar: image changed or no .ecc"
	damage "$T/x.iso" run 0.015 0.2
	run "$ISOKIT" repair "$T/x.iso"; expect_rc 0 "repair from the sidecar"
	cmp -s "$T/x.iso" "$T/x-good.iso" && ok "the xorriso image is whole again" || not_ok "sidecar repair differs"
	# with the repair data beside it, even the tail of the image itself can go
	cp "$T/x-good.iso" "$T/x.iso"; damage "$T/x.iso" cut 0.04
	run "$ISOKIT" repair "$T/x.iso"; expect_rc 0 "repair of an image whose last 4% was cut off (sidecar)"
	cmp -s "$T/x.iso" "$T/x-good.iso" && ok "the cut image is whole again" || not_ok "cut image: $(cmp "$T/x.iso" "$T/x-good.iso" 2>&1 | head -1)"
	run "$ISOKIT" ecc add "$T/x.iso"; expect_rc 1 "ecc add on an image that has repair data"
	expect_err 'has repair data already' "says so"
fi
run "$ISOKIT" ecc add --replace --percent 10 "$T/good.iso"; expect_rc 0 "ecc add --replace"
run "$ISOKIT" ecc info --json "$T/good.iso"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["percent"] >= 10 else 1)' "$T/out" &&
	ok "the new repair data is 10%" || not_ok "ecc info: $(cat "$T/out")"
cmp -s <(head -c "$(( $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data_blocks"])' "$T/out") * 2048 ))" "$T/good.iso") \
	<(head -c "$(( $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data_blocks"])' "$T/out") * 2048 ))" "$T/p.iso") &&
	ok "--replace left the image's own blocks alone" || not_ok "--replace changed the image"

# --- forged repair data: a header with a valid SHA-256 and absurd sizes
# must be refused without allocating what it claims
python3 - "$T/forged.ecc" <<'PY'
import hashlib, struct, sys
h = bytearray(2048)
h[0:16] = b"ISOKIT REPAIR V1"
D, k, m = 1 << 39, 1, 1
G = D; T_ = -(-(D + m * G) // 511); E = 2 + 2 * T_ + m * G
struct.pack_into("<IIQQIIQQQIIII", h, 16, 1, 2048, D, D, k, m, G, T_, E, 1, 1, 1, 0)
h[120:152] = hashlib.sha256(bytes(h[0:120])).digest()
open(sys.argv[1], "wb").write(bytes(h))
PY
cp "$T/x-good.iso" "$T/f.iso" 2>/dev/null || cp "$T/good.iso" "$T/f.iso"
# (a sanitizer build reserves terabytes of address space: no limit there)
lim=400000; (ulimit -v $lim; "$ISOKIT" --version) >/dev/null 2>&1 || lim=unlimited
(ulimit -v $lim; "$ISOKIT" repair --sidecar-file "$T/forged.ecc" "$T/f.iso" >"$T/out" 2>"$T/err"); rc=$?
[ "$rc" = 1 ] && grep -q 'not isokit repair data' "$T/err" && ok "a forged sidecar claiming 2^39 blocks is refused (exit 1, address space $lim KiB)" ||
	not_ok "forged sidecar: exit $rc: $(cat "$T/err")"

# --- mutations anywhere, the repair data included: never a crash; when
# repair says the image is whole, it is the original byte for byte
mkdir -p "$T/small"; for i in 1 2 3 4; do head -c 700000 /dev/urandom >"$T/small/f$i"; done
"$ISOKIT" create -q --ecc 10 -o "$T/s.iso" "$T/small"
python3 - "$T/s.iso" "$ISOKIT" <<'PY' >"$T/mut.txt"
import os, random, shutil, subprocess, sys, tempfile
img, isokit = sys.argv[1], sys.argv[2]
good = open(img, "rb").read()
size = len(good)
vol = int.from_bytes(good[16 * 2048 + 80:16 * 2048 + 84], "little")
work = tempfile.mkdtemp(dir=os.path.dirname(img))
bad = []
for seed in range(40):
    r = random.Random(seed)
    d = bytearray(good)
    kind = seed % 4
    if kind == 0:    # bytes anywhere
        for _ in range(r.randint(1, 40)):
            d[r.randrange(size)] ^= 1 << r.randrange(8)
    elif kind == 1:  # bytes in the repair data only
        for _ in range(r.randint(1, 200)):
            d[r.randrange(vol * 2048, size)] = r.randrange(256)
    elif kind == 2:  # whole blocks of noise
        for _ in range(r.randint(1, 30)):
            b = r.randrange(size // 2048)
            d[b * 2048:(b + 1) * 2048] = os.urandom(2048)
    else:            # cut somewhere past the volume
        d = d[:r.randrange(vol * 2048, size)]
    m = os.path.join(work, "m.iso")
    out = os.path.join(work, "out.iso")
    open(m, "wb").write(bytes(d))
    for args in (["repair", "--check", m], ["repair", "-o", out, m]):
        p = subprocess.run([isokit] + args, capture_output=True, timeout=120)
        if p.returncode not in (0, 1, 4):
            bad.append("seed %d %s: exit %d %s" % (seed, args[1], p.returncode, p.stderr[-300:]))
    if p.returncode == 0 and open(out, "rb").read() != good:
        bad.append("seed %d: repair said whole, the result differs from the original" % seed)
    for f in (out,):
        if os.path.exists(f):
            os.unlink(f)
shutil.rmtree(work)
if bad:
    print("\n".join(bad))
PY
[ ! -s "$T/mut.txt" ] && ok "40 mutations (bytes, the repair data, noise blocks, cuts): no crash, 'whole' is always the original" ||
	not_ok "mutations: $(head -5 "$T/mut.txt")"

# --- usage and refusals
run "$ISOKIT" ecc add --percent 0 "$T/p.iso"; expect_rc 2 "--percent 0 is a usage error"
head -c 100000 /dev/zero >"$T/zero.bin"
run "$ISOKIT" ecc add "$T/zero.bin"; expect_rc 1 "ecc add on something that is not an ISO image"
run "$ISOKIT" repair "$T/zero.bin"; expect_rc 1 "repair without repair data"
expect_err 'no repair data' "says there is none"
finish
