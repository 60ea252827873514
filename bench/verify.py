#!/usr/bin/env python3
"""bench/verify.py - `isokit verify` against checkisomd5 and sha256sum, in one run.

Uses the photos tree that bench/run.py generates (run that first, or pass
--data). `isokit create` (with its default checksums: the isomd5sum record
and every file's SHA-256) makes DATA/full/scratch/photos-sums.iso from it,
remade when the tree or the isokit binary is newer. Then, cold (caches
dropped, the programs read back, as in bench/run.py), each repetition times,
in rotating order, on that one image:

  isokit       isokit verify -q IMG  (structure, path tables, Rock Ridge/Joliet
                                      agreement, overlaps, MD5, every file's SHA-256)
  checkisomd5  checkisomd5 IMG       (MD5 and fragment sums)
  sha256sum    sha256sum IMG         (a whole-image digest, for scale)

Target (issue 5): verify within 1.1x of checkisomd5 alone.
"""

import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as rb  # noqa: E402  (bench/run.py: cache control, timing)


def main():
    a, base = rb.photos_args(__doc__)
    tree = os.path.join(base, "trees", "photos")
    stamp = os.path.join(base, "trees", "photos.stamp")
    if not os.path.isdir(tree) or not os.path.exists(stamp):
        rb.die("%s is missing: run bench/run.py first" % tree)
    for exe in ("checkisomd5", "sha256sum"):
        if not shutil.which(exe):
            rb.die("%s is not installed (scripts/install-deps.sh)" % exe)
    scratch = os.path.join(base, "scratch")
    os.makedirs(scratch, exist_ok=True)
    md5img = os.path.join(scratch, "photos-sums.iso")
    isokit = os.path.abspath(a.isokit)
    newest = max(os.path.getmtime(stamp), os.path.getmtime(isokit))
    if not os.path.exists(md5img) or os.path.getmtime(md5img) < newest:
        rb.log("isokit create %s (with checksums)" % md5img)
        subprocess.run([isokit, "create", "-q", "-o", md5img, tree], check=True)

    tools = [("isokit", [isokit, "verify", "-q", md5img]),
             ("checkisomd5", ["checkisomd5", md5img]),
             ("sha256sum", ["sha256sum", md5img])]
    times, mode = rb.time_tools(tools, md5img, a.repeat)
    med = {k: statistics.median(v) for k, v in times.items()}
    size = os.path.getsize(md5img)
    print("# isokit verify benchmark\n")
    print("- image: %s (%.0f MiB, made by isokit create: isomd5sum and file sums); "
          "cache: %s; %d repetitions, median"
          % (md5img, size / 2**20, mode, a.repeat))
    print("- machine: %d CPUs, kernel %s\n" % (os.cpu_count(), os.uname().release))
    print("| tool | median s | MB/s | ×checkisomd5 |")
    print("| --- | ---: | ---: | ---: |")
    ref = med["checkisomd5"]
    for key, _ in tools:
        t = med[key]
        print("| %s | %.3f | %.0f | %.2f |" % (key, t, size / 1e6 / t, t / ref))
    ok = med["isokit"] <= 1.1 * ref
    print("\ntarget: verify within 1.1x of checkisomd5: %.2f (%s)"
          % (med["isokit"] / ref, "met" if ok else "**missed**"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
