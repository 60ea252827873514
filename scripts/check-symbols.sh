#!/usr/bin/env bash
# Every symbol the shared library exports must start with isokit_.
set -euo pipefail
lib=$1
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^isokit_' || true)
count=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/' | grep -c '^' || true)
if [ -n "$bad" ]; then
	echo "exported symbols without the isokit_ prefix:"
	echo "$bad"
	exit 1
fi
if [ "$count" -lt 10 ]; then
	echo "only $count exported symbols: the check did not see the library"
	exit 1
fi
echo "ok: $count exported symbols, all prefixed isokit_"
