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
    rb.need_programs(("checkisomd5", "sha256sum"))
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
    rb.ratio_report("isokit verify benchmark", md5img,
                    ", made by isokit create: isomd5sum and file sums", tools, times, mode,
                    a.repeat, ["checkisomd5"], "checkisomd5", "verify")
    return 0


if __name__ == "__main__":
    sys.exit(main())
