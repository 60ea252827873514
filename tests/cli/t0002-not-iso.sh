#!/usr/bin/env bash
# Files that are not ISO images, or are cut short, are errors (exit 1) with
# a message naming the image, never an empty listing.
. "$(dirname "$0")/lib.sh"

run "$ISOKIT" ls "$T/missing.iso"; expect_rc 1 "missing file"
expect_err "^isokit: $T/missing.iso: cannot open: no such file" "missing file message"

head -c 100 /dev/zero >"$T/tiny.iso"
run "$ISOKIT" ls "$T/tiny.iso"; expect_rc 1 "tiny file"
expect_err "not an ISO 9660 image" "tiny file message"

head -c 200000 /dev/urandom >"$T/random.iso"
run "$ISOKIT" info "$T/random.iso"; expect_rc 1 "random bytes"
expect_err "^isokit: $T/random.iso: not an ISO 9660 image \(no CD001 at sector 16\)" "random bytes message"

run "$ISOKIT" ls "$T"; expect_rc 1 "a directory"
expect_err "is a directory" "directory message"

make_fixture
need isoinfo
# The volume size (from the PVD, read here by isoinfo, an independent
# reader) says where the image must reach; xorriso pads the file beyond it.
blocks=$(isoinfo -d -i "$T/img.iso" | sed -n 's/^Volume size is: //p')
size=$((blocks * 2048))
head -c 20000 "$T/img.iso" >"$T/cut.iso"
run "$ISOKIT" ls -R "$T/cut.iso"; expect_rc 1 "image cut inside the system area"
expect_err "not an ISO 9660 image: too small" "cut inside the system area: too small"
for cut in 34816 40000 $((size / 2)) $((size - 2048)); do
	head -c "$cut" "$T/img.iso" >"$T/cut.iso"
	run "$ISOKIT" ls -R "$T/cut.iso"; expect_rc 1 "image cut at $cut bytes"
	expect_err "cut short" "cut at $cut: says cut short"
	[ -s "$T/out" ] && not_ok "cut at $cut: no listing expected" || ok "cut at $cut: no listing"
done
finish
