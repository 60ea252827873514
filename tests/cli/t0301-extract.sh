#!/usr/bin/env bash
# extract: whole image, parts, existing files, --overwrite.
. "$(dirname "$0")/lib.sh"
make_fixture
img=$T/img.iso

run "$ISOKIT" extract "$img" -C "$T/out1"; expect_rc 0 "extract all"
if diff -r --no-dereference "$T/src" "$T/out1" >"$T/diff"; then ok "content and links equal"; else not_ok "trees differ"; sed 's/^/# /' "$T/diff" | head; fi
[ "$(stat -c %i "$T/out1/hard.txt")" = "$(stat -c %i "$T/out1/dir/hello.txt")" ] && ok "hard link kept" || not_ok "hard link lost"
[ "$(stat -c %Y "$T/out1/dir/hello.txt")" = "$(stat -c %Y "$T/src/dir/hello.txt")" ] && ok "mtime kept" || not_ok "mtime differs"
[ "$(readlink "$T/out1/link")" = dir/hello.txt ] && ok "symlink target kept" || not_ok "symlink target"

run "$ISOKIT" extract "$img" -C "$T/out1"; expect_rc 1 "extract over existing files"
expect_err "already exists \(use --overwrite to replace it\)" "existing files refused"
echo changed >"$T/out1/dir/hello.txt.new"
printf 'local edit\n' >"$T/out1/empty.txt"
run "$ISOKIT" extract --overwrite "$img" -C "$T/out1"; expect_rc 0 "extract --overwrite"
[ ! -s "$T/out1/empty.txt" ] && ok "--overwrite replaced the file" || not_ok "--overwrite did not replace"
ls -a "$T/out1" | grep -q isokit-tmp && not_ok "temporary files left" || ok "no temporary files left"

run "$ISOKIT" extract "$img" -C "$T/out2" dir/sub /empty.txt; expect_rc 0 "extract some paths"
[ -f "$T/out2/dir/sub/data.bin" ] && [ -f "$T/out2/empty.txt" ] && [ ! -e "$T/out2/hard.txt" ] &&
	ok "only the named paths" || not_ok "named paths"
cmp -s "$T/out2/dir/sub/data.bin" "$T/src/dir/sub/data.bin" && ok "named file content" || not_ok "named file content"

run "$ISOKIT" extract "$img" -C "$T/out3" /missing; expect_rc 1 "extract of a missing path"
expect_err "no such file or directory in the image" "missing path named"

# A symlink already in the destination is never followed.
mkdir -p "$T/out4" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/out4/dir"
run "$ISOKIT" extract "$img" -C "$T/out4"; expect_rc 1 "destination holds a symlink named like a folder"
[ -z "$(ls -A "$T/elsewhere")" ] && ok "nothing written through the symlink" || not_ok "wrote through a symlink"
expect_err "not followed" "symlink refusal explained"

# Ctrl-C while worker threads copy large files: whatever is left in the
# destination must be complete. Files waiting in the workers' queue are
# already created, so they too must be removed. Interrupted at a few
# moments; each must leave only whole files.
mkdir -p "$T/big"
for i in $(seq -w 1 40); do head -c 2097152 /dev/urandom >"$T/big/f$i.bin"; done
xorriso -outdev "$T/big.iso" -map "$T/big" / >/dev/null 2>&1
bad=0
for delay in 0.005 0.02 0.05 0.1; do
	rm -rf "$T/bx" && mkdir "$T/bx"
	"$ISOKIT" extract -j2 "$T/big.iso" -C "$T/bx" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	for f in "$T/bx"/*; do
		[ -e "$f" ] || continue
		cmp -s "$f" "$T/big/$(basename "$f")" || { bad=$((bad + 1)); echo "# after ${delay}s: $(basename "$f") is $(stat -c %s "$f") bytes"; }
	done
done
[ "$bad" -eq 0 ] && ok "Ctrl-C during extract -j2 leaves only complete files" || not_ok "Ctrl-C left $bad incomplete files"
finish
