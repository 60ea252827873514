#!/usr/bin/env bash
# info reports embedded checksums: the implantisomd5 MD5 (as checkisomd5
# reads it) and xorriso's MD5 tags (whose MD5 we recompute with md5sum).
. "$(dirname "$0")/lib.sh"
need xorriso
need implantisomd5
need checkisomd5
mkdir -p "$T/src"
seq 1 50000 >"$T/src/numbers.txt"

xorriso -outdev "$T/tags.iso" -md5 on -map "$T/src" / >/dev/null 2>&1
run "$ISOKIT" info --json "$T/tags.iso"; expect_rc 0 "info on an image with MD5 tags"
python3 - "$T/out" >"$T/tags" <<'PY'
import json, sys
for t in json.load(open(sys.argv[1]))["checksums"]["md5_tags"]:
    print(t["kind"], t["range_start"], t["range_blocks"], t["md5"])
PY
grep -q '^superblock ' "$T/tags" && ok "superblock tag found" || not_ok "superblock tag missing"
if read -r kind start blocks md5 < <(grep '^session ' "$T/tags"); then
	real=$(dd if="$T/tags.iso" bs=2048 skip="$start" count="$blocks" 2>/dev/null | md5sum | cut -d' ' -f1)
	[ "$real" = "$md5" ] && ok "session tag MD5 matches md5sum of its range" ||
		not_ok "session tag MD5 $md5, md5sum says $real"
else
	not_ok "session tag missing"
fi

xorriso -outdev "$T/plain.iso" -map "$T/src" / >/dev/null 2>&1
run "$ISOKIT" info --json "$T/plain.iso"
expect_out '"isomd5sum": null, "md5_tags": \[\]' "no checksums reported where there are none"
implantisomd5 "$T/plain.iso" >/dev/null 2>&1
want=$(checkisomd5 --md5sumonly "$T/plain.iso" 2>/dev/null | awk 'NR==1 {print $2}')
run "$ISOKIT" info "$T/plain.iso"; expect_rc 0 "info on an implantisomd5 image"
if [ -n "$want" ] && grep -q "implantisomd5 MD5 $want" "$T/out"; then ok "implanted MD5 reported as checkisomd5 reads it"
else not_ok "implanted MD5 (checkisomd5 says '$want')"; sed 's/^/# /' "$T/out" | grep -i checksum; fi
finish
