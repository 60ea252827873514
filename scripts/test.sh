#!/usr/bin/env bash
# The test command: every suite (unit, cli, interop, hostile, fuzz-replay,
# symbol and header checks) in a gcc build and again in a clang
# AddressSanitizer + UndefinedBehaviorSanitizer build; then the usage and
# burn tests in a build without the optional libraries (libburn, libfuse3),
# whose commands must say so. Ends with the line "N passed, N failed"
# summed over the builds.
#
#   scripts/test.sh            everything
#   SUITES="unit cli" scripts/test.sh   only those suites
#   BUILDS="build" scripts/test.sh      only the gcc build
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

builds=${BUILDS:-"build build-asan build-minimal"}
suites=${SUITES:-}

configure() {
	local dir=$1
	case "$dir" in
	build)
		[ -f build/build.ninja ] || CC=gcc meson setup build -Dwerror=true >/dev/null
		;;
	build-asan)
		[ -f build-asan/build.ninja ] || CC=clang meson setup build-asan \
			-Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
			-Dc_args=-fno-sanitize-recover=all -Dbuildtype=debug >/dev/null
		;;
	build-minimal)
		[ -f build-minimal/build.ninja ] || CC=gcc meson setup build-minimal \
			-Dwerror=true -Dlibburn=disabled -Dfuse=disabled >/dev/null
		;;
	esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=98}

total_pass=0
total_fail=0
total_skip=0
for b in $builds; do
	echo "=== $b: configure and build"
	if ! configure "$b" || ! ninja -C "$b" >"$root/$b.ninja.log" 2>&1; then
		cat "$root/$b.ninja.log" 2>/dev/null | tail -40
		echo "$b: build failed"
		total_fail=$((total_fail + 1))
		continue
	fi
	args=(--print-errorlogs --num-processes 2)
	if [ "$b" = build-asan ]; then
		args+=(--timeout-multiplier 4)
	fi
	if [ "$b" = build-minimal ]; then
		args+=(t0001-usage t0802-burn)
	else
		for s in $suites; do args+=(--suite "$s"); done
	fi
	echo "=== $b: meson test"
	meson test -C "$b" "${args[@]}" | tail -n 200
	log="$b/meson-logs/testlog.json"
	if [ ! -f "$log" ]; then
		echo "$b: no test log"
		total_fail=$((total_fail + 1))
		continue
	fi
	read -r p f s < <(python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
)
	echo "=== $b: $p passed, $f failed, $s skipped"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
done
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
