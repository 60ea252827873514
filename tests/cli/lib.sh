# Shared helpers of the command-line tests. Sourced by each tNNNN-*.sh.
set -u
: "${ISOKIT:?ISOKIT must name the isokit binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/isokit-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
checks=0

ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }
not_ok() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok $checks - $*"; }

# run CMD...: captures exit status in $rc, stdout in $T/out, stderr in $T/err
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

expect_rc() { # expect_rc N description
	if [ "$rc" -eq "$1" ]; then ok "$2 (exit $rc)"; else
		not_ok "$2: exit $rc, expected $1"; sed 's/^/# stderr: /' "$T/err" | head -5; fi
}

expect_err() { # expect_err REGEX description
	if grep -Eq -- "$1" "$T/err"; then ok "$2"; else
		not_ok "$2: stderr does not match /$1/"; sed 's/^/# stderr: /' "$T/err" | head -5; fi
}

expect_out() { # expect_out REGEX description
	if grep -Eq -- "$1" "$T/out"; then ok "$2"; else
		not_ok "$2: stdout does not match /$1/"; sed 's/^/# stdout: /' "$T/out" | head -5; fi
}

need() { command -v "$1" >/dev/null || { echo "1..0 # SKIP $1 not installed"; exit 0; }; }

finish() {
	echo "1..$checks"
	[ "$fails" -eq 0 ]
	exit $?
}

# A small tree and its Rock Ridge + Joliet image made by xorriso.
make_fixture() {
	need xorriso
	mkdir -p "$T/src/dir/sub" "$T/src/empty"
	printf 'hello\n' >"$T/src/dir/hello.txt"
	head -c 100000 /dev/urandom >"$T/src/dir/sub/data.bin"
	ln -s dir/hello.txt "$T/src/link"
	ln "$T/src/dir/hello.txt" "$T/src/hard.txt"
	: >"$T/src/empty.txt"
	touch -d '2001-02-03 04:05:06 UTC' "$T/src/dir/hello.txt"
	xorriso -outdev "$T/img.iso" -joliet on -hardlinks on -map "$T/src" / >/dev/null 2>&1 ||
		{ echo "# xorriso failed"; exit 1; }
}
