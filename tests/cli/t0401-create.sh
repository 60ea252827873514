#!/usr/bin/env bash
# create: usage errors, options (--map, --exclude, --no-rock, --no-joliet,
# --iso-level, --anonymous, volume fields), checked with isoinfo and isokit,
# and the library example program.
. "$(dirname "$0")/lib.sh"
need isoinfo
mkdir -p "$T/src/dir/sub" "$T/other"
printf 'hello\n' >"$T/src/dir/hello.txt"
printf 'skip me\n' >"$T/src/dir/junk.tmp"
printf 'data\n' >"$T/src/dir/sub/a-rather-long-file-name.jpeg"
chmod 0640 "$T/src/dir/hello.txt"
printf 'mapped\n' >"$T/other/m.txt"

run "$ISOKIT" create "$T/src"; expect_rc 2 "no -o"
expect_err "-o OUT.iso is required" "missing -o explained"
run "$ISOKIT" create -o "$T/x.iso"; expect_rc 2 "no SOURCE"
run "$ISOKIT" create -o "$T/x.iso" --iso-level 4 "$T/src"; expect_rc 2 "--iso-level 4 refused"
run "$ISOKIT" create -o "$T/x.iso" --map nothing "$T/src"; expect_rc 2 "--map without '=' refused"
run "$ISOKIT" create -o "$T/x.iso" "$T/missing"; expect_rc 1 "missing SOURCE"
expect_err "missing: No such file" "missing SOURCE named"
[ ! -e "$T/x.iso" ] && ok "nothing left after a failure" || not_ok "output left after a failure"
ls -a "$T" | grep -q isokit- && not_ok "temporary file left" || ok "no temporary file left"

run "$ISOKIT" create -o "$T/a.iso" -V 'My Photos 2026' --publisher 'Studio X' \
	--exclude '*.tmp' --map extra/m.txt="$T/other/m.txt" "$T/src"
expect_rc 0 "create with options"
isoinfo -d -i "$T/a.iso" >"$T/out" 2>&1
expect_out "Volume id: MY_PHOTOS_2026" "label mapped to d-characters"
expect_out "Publisher id: STUDIO X" "publisher recorded"
expect_out "^Rock Ridge signatures" "Rock Ridge present"
expect_out "^Joliet with UCS level 3" "Joliet present"
[ "$(stat -c %a "$T/a.iso")" = "$(printf '%o' $((0666 & ~$(umask))))" ] && ok "image mode follows the umask" || not_ok "image mode $(stat -c %a "$T/a.iso")"
run "$ISOKIT" ls -R "$T/a.iso"
expect_out "^dir/hello.txt$" "file listed"
expect_out "^extra/m.txt$" "--map target placed"
grep -q junk.tmp "$T/out" && not_ok "--exclude ignored" || ok "--exclude left the file out"
run "$ISOKIT" cat "$T/a.iso" /extra/m.txt; expect_out "^mapped$" "mapped file content"
run "$ISOKIT" ls -l "$T/a.iso" dir; expect_out "^-rw-r-----" "mode kept"
run "$ISOKIT" info --json "$T/a.iso"
expect_out '"label": "My Photos 2026"' "Joliet label keeps spaces and case"

run "$ISOKIT" create -o "$T/b.iso" --no-rock --no-joliet --iso-level 1 "$T/src"; expect_rc 0 "plain level 1"
isoinfo -d -i "$T/b.iso" >"$T/out" 2>&1
grep -q "^Rock Ridge signatures" "$T/out" && not_ok "--no-rock wrote Rock Ridge" || ok "no Rock Ridge"
grep -q "^Joliet with UCS" "$T/out" && not_ok "--no-joliet wrote Joliet" || ok "no Joliet"
isoinfo -f -i "$T/b.iso" >"$T/out" 2>&1
expect_out "^/DIR/SUB/A_RATHER.JPE;1$" "level 1 name is 8.3"

run "$ISOKIT" create -o "$T/c.iso" --anonymous "$T/src"; expect_rc 0 "--anonymous"
run "$ISOKIT" ls -l "$T/c.iso" dir; expect_out "^-r--r--r-- +1 +0 +0 " "--anonymous: read-only for all, owner 0"

run "$ISOKIT" create -o - "$T/src"; expect_rc 0 "-o - to a file"
isoinfo -d -i "$T/out" >/dev/null 2>&1 && ok "streamed image is readable" || not_ok "streamed image unreadable"

truncate -s 5G "$T/big.bin"
run "$ISOKIT" create -o "$T/d.iso" --iso-level 2 "$T/big.bin"; expect_rc 1 "a 5 GiB file at level 2"
expect_err "need ISO level 3" "level 3 suggested"
rm -f "$T/big.bin"

if [ -n "${BUILDDIR:-}" ] && [ -x "$BUILDDIR/examples/make-iso" ]; then
	run "$BUILDDIR/examples/make-iso" "$T/e.iso" EXAMPLE "$T/src"; expect_rc 0 "example program"
	isoinfo -d -i "$T/e.iso" >"$T/out" 2>&1; expect_out "Volume id: EXAMPLE" "example image readable"
else
	echo "ok $((checks + 1)) # SKIP examples/make-iso not built"; checks=$((checks + 1))
fi
finish
