#!/usr/bin/env bash
# Usage errors exit 2 and say what is wrong; --help and --version work.
. "$(dirname "$0")/lib.sh"

run "$ISOKIT"; expect_rc 2 "no command"
run "$ISOKIT" frobnicate; expect_rc 2 "unknown command"
expect_err "'frobnicate' is not an isokit command" "unknown command is named"
run "$ISOKIT" --version; expect_rc 0 "--version"
expect_out '^isokit [0-9]+\.[0-9]+\.[0-9]+' "version printed"
run "$ISOKIT" --help; expect_rc 0 "--help"
cp "$T/out" "$T/help"
for c in info ls cat extract verify ecc repair rip burn devices; do
	grep -q "^  $c " "$T/help" && ok "--help lists $c" || not_ok "--help lists $c"
	run "$ISOKIT" "$c" --help; expect_rc 0 "$c --help"
	expect_out "^usage: isokit $c" "$c --help shows usage"
	run "$ISOKIT" "$c" --no-such-option x; expect_rc 2 "$c with an unknown option"
	expect_err "unknown option" "$c names the unknown option"
done
run "$ISOKIT" ls; expect_rc 2 "ls without IMAGE"
run "$ISOKIT" cat x.iso; expect_rc 2 "cat without PATH"
run "$ISOKIT" ls --namespace klingon x.iso; expect_rc 2 "unknown namespace"
expect_err "unknown namespace 'klingon'" "namespace named"
# every option of each command's table shows up in its help
run "$ISOKIT" extract --help
for o in --directory --overwrite --no-same-owner --namespace --quiet; do
	expect_out -- "$o" "extract --help documents $o"
done
# a long option whose id is a letter's code is that option, not the letter's
# (--grub2-boot-info's id is 104, 'h')
run "$ISOKIT" create -o "$T/never.iso" --grub2-boot-info "$T"; expect_rc 2 "--grub2-boot-info before --boot"
expect_err "applies to a boot entry" "is --grub2-boot-info's own message, not the help of -h"
finish
