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
# interrupted IMG SRC DELAY...: extract -j2 IMG, Ctrl-C after each DELAY;
# counts in $bad the files left behind that differ from SRC's, and in $cut
# the runs the signal really stopped (a run that finished first proves
# nothing).
interrupted() {
	local img=$1 src=$2 delay f pid
	shift 2
	bad=0
	cut=0
	for delay in "$@"; do
		rm -rf "$T/ix" && mkdir "$T/ix"
		"$ISOKIT" extract -j2 "$img" -C "$T/ix" >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -INT "$pid" 2>/dev/null
		wait "$pid" || cut=$((cut + 1))
		for f in "$T/ix"/*; do
			[ -e "$f" ] || continue
			cmp -s "$f" "$src/$(basename "$f")" ||
				{ bad=$((bad + 1)); echo "# after ${delay}s: $(basename "$f") is $(stat -c %s "$f") bytes"; }
		done
	done
}
interrupted "$T/big.iso" "$T/big" 0.005 0.02 0.05 0.1
[ "$cut" -gt 0 ] && ok "Ctrl-C stopped $cut of 4 large-file runs" || not_ok "no run was interrupted"
[ "$bad" -eq 0 ] && ok "Ctrl-C during extract -j2 leaves only complete files" || not_ok "Ctrl-C left $bad incomplete files"

# Small files are created by the main thread and written, finished and
# closed by the workers: a write that fails there (here: over the file-size
# limit, EFBIG) must name the file, remove it and leave the others whole.
mkdir -p "$T/small"
for i in $(seq -w 1 150); do
	head -c 4000 /dev/urandom >"$T/small/ok$i.bin"
	head -c 20000 /dev/urandom >"$T/small/big$i.bin"
done
xorriso -outdev "$T/small.iso" -map "$T/small" / >/dev/null 2>&1
mkdir -p "$T/sx"
(trap '' XFSZ; ulimit -f 16; exec "$ISOKIT" extract -j2 "$T/small.iso" -C "$T/sx") >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] && ok "write failures in the workers give exit 1" || not_ok "exit $rc for failed writes"
[ "$(grep -c 'big[0-9]*\.bin.*cannot write: File too large' "$T/err")" -eq 150 ] &&
	ok "every failed file named" || { not_ok "failed files not all named"; head -3 "$T/err" | sed 's/^/# /'; }
[ -z "$(find "$T/sx" -name 'big*')" ] && ok "failed files removed" || not_ok "failed files left behind"
good=0
for f in "$T/small"/ok*; do cmp -s "$f" "$T/sx/$(basename "$f")" && good=$((good + 1)); done
[ "$good" -eq 150 ] && ok "the other small files are whole" || not_ok "only $good of 150 small files whole"

# Ctrl-C among many small files in the workers' hands.
for i in $(seq -w 1 3000); do printf 'file %s\n' "$i" >"$T/small/s$i.txt"; done
xorriso -outdev "$T/many.iso" -map "$T/small" / >/dev/null 2>&1
interrupted "$T/many.iso" "$T/small" 0.01 0.03 0.08
[ "$cut" -gt 0 ] && ok "Ctrl-C stopped $cut of 3 small-file runs" || not_ok "no run was interrupted"
[ "$bad" -eq 0 ] && ok "Ctrl-C among small files leaves only complete files" || not_ok "Ctrl-C left $bad incomplete small files"
finish
