#!/usr/bin/env bash
# Each public header must compile on its own, as C17 and as C++.
set -euo pipefail
src=$1
cc=${CC:-cc}
status=0
for h in "$src"/include/isokit/*.h; do
	name=$(basename "$h")
	if ! printf '#include <isokit/%s>\n' "$name" | $cc -std=c17 -Wall -Wextra -Werror -fsyntax-only -I"$src/include" -x c -; then
		echo "not self-contained as C: $name"; status=1
	fi
	if command -v c++ >/dev/null; then
		if ! printf '#include <isokit/%s>\n' "$name" | c++ -Wall -Werror -fsyntax-only -I"$src/include" -x c++ -; then
			echo "does not compile as C++: $name"; status=1
		fi
	fi
done
[ $status -eq 0 ] && echo "ok: public headers are self-contained"
exit $status
