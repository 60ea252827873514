#!/usr/bin/env bash
# ls, cat and info on an image written by xorriso, judged against the tree.
. "$(dirname "$0")/lib.sh"
make_fixture
img=$T/img.iso

run "$ISOKIT" ls --sort "$img"; expect_rc 0 "ls --sort root"
printf '%s\n' dir empty empty.txt hard.txt link >"$T/want"
if diff -u "$T/want" "$T/out" >"$T/diff"; then ok "ls root names, sorted"; else not_ok "ls root names"; sed 's/^/# /' "$T/diff"; fi

run "$ISOKIT" ls -R "$img"; expect_rc 0 "ls -R"
(cd "$T/src" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort) >"$T/want"
LC_ALL=C sort "$T/out" >"$T/got"
if diff -u "$T/want" "$T/got" >"$T/diff"; then ok "ls -R names every path"; else not_ok "ls -R paths"; sed 's/^/# /' "$T/diff"; fi

run "$ISOKIT" ls -l "$img" /dir; expect_rc 0 "ls -l /dir"
expect_out '^-rw-r--r-- +2 +0 +0 +6 2001-02-03 04:05 hello.txt$' "ls -l line: mode, links, owner, size, date, name"
run "$ISOKIT" ls -l "$img"
expect_out '^lrwxrwxrwx .* link -> dir/hello.txt$' "ls -l shows symlink targets"

run "$ISOKIT" ls -l "$img" dir/hello.txt; expect_rc 0 "ls of one file"
expect_out 'hello.txt$' "ls of one file prints it"

run "$ISOKIT" ls "$img" /nope; expect_rc 1 "ls of a missing path"
expect_err "^isokit: $img: no such file or directory in the image \(path /nope\)" "missing path message"

run "$ISOKIT" cat "$img" /dir/sub/data.bin; expect_rc 0 "cat"
if cmp -s "$T/out" "$T/src/dir/sub/data.bin"; then ok "cat gives the bytes"; else not_ok "cat bytes differ"; fi
run "$ISOKIT" cat "$img" dir; expect_rc 1 "cat of a directory"
expect_err "is a directory" "cat of a directory message"
run "$ISOKIT" cat "$img" empty.txt; expect_rc 0 "cat of an empty file"
[ -s "$T/out" ] && not_ok "empty file gave bytes" || ok "empty file gives nothing"

run "$ISOKIT" ls --json -R "$img"; expect_rc 0 "ls --json"
if python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
e = {x["path"]: x for x in d["entries"]}
assert d["namespace"] == "rockridge", d["namespace"]
assert e["dir/hello.txt"]["size"] == 6 and e["dir/hello.txt"]["mode"] == "0644"
assert e["dir/hello.txt"]["mtime"] == "2001-02-03T04:05:06Z", e["dir/hello.txt"]["mtime"]
assert e["link"]["type"] == "symlink" and e["link"]["target"] == "dir/hello.txt"
assert e["hard.txt"]["ino"] == e["dir/hello.txt"]["ino"], "hard links share ino"
assert e["empty"]["type"] == "dir"
PY
then ok "ls --json content"; else not_ok "ls --json content"; fi

run "$ISOKIT" info --json "$img"; expect_rc 0 "info --json"
if python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rockridge"]["version"] in ("1.10", "1.12"), d["rockridge"]
assert d["joliet"]["level"] == 3, d["joliet"]
assert d["block_size"] == 2048 and d["volume_blocks"] > 16
assert d["eltorito"] is None and d["zisofs"] is False
PY
then ok "info --json content"; else not_ok "info --json content"; fi
run "$ISOKIT" info "$img"; expect_rc 0 "info"
expect_out '^  Rock Ridge +yes, version' "info names Rock Ridge"
expect_out '^  Joliet +yes, UCS-2 level 3' "info names Joliet level"

run "$ISOKIT" ls --namespace joliet -R "$img"; expect_rc 0 "ls --namespace joliet"
expect_out '^dir/sub/data.bin$' "Joliet tree listed"
run "$ISOKIT" ls --namespace iso9660 "$img" /DIR; expect_rc 0 "plain ISO 9660 names"
expect_out '^HELLO.TXT$' "plain names without version"
finish
