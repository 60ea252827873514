#!/usr/bin/env python3
"""bench/rip.py - `isokit rip` of an image file against dd and GNU ddrescue, in one run.

Uses the photos image that bench/verify.py makes (DATA/full/scratch/photos-sums.iso,
made by isokit create from the photos tree; run bench/run.py and bench/verify.py
first, or pass --data). Each repetition, in rotating order, cold (caches dropped,
as in bench/run.py), copies that image to a new file in the scratch folder:

  isokit       isokit rip -q --no-check IMG -o OUT   (the copy alone; flushes the
                                                      output, as its map needs)
  isokit+check isokit rip -q IMG -o OUT              (then checks the copy's MD5 and
                                                      every file's SHA-256)
  dd           dd if=IMG of=OUT bs=1M conv=fdatasync (flushed too)
  dd-256K      the same with bs=256K (isokit's read size): on the development VM
               1 MiB copies were at times twice as costly in the kernel as 256 KiB
               ones, so the target is taken against the faster dd of the run
  ddrescue     ddrescue -q IMG OUT MAP               (GNU ddrescue, with a mapfile)

The output is removed between runs (outside the timing). Nothing fails here: this
measures the cost of rip's bookkeeping when the medium reads well.

Target (issue 7): isokit rip within 1.1x of dd when nothing fails.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as rb  # noqa: E402  (bench/run.py: cache control, timing)


def main():
    a, base = rb.photos_args(__doc__)
    img = rb.photos_sums_image(base)
    scratch = os.path.dirname(img)
    rb.need_programs(("dd", "ddrescue"))
    isokit = os.path.abspath(a.isokit)
    out = os.path.join(scratch, "rip-out.iso")
    rmap = os.path.join(scratch, "rip-out.map")

    def clean():
        for p in (out, rmap, out + ".map", out + ".part"):
            if os.path.exists(p):
                os.unlink(p)

    tools = [("isokit", [isokit, "rip", "-q", "--no-check", img, "-o", out]),
             ("isokit+check", [isokit, "rip", "-q", img, "-o", out]),
             ("dd", ["dd", "if=" + img, "of=" + out, "bs=1M", "conv=fdatasync", "status=none"]),
             ("dd-256K", ["dd", "if=" + img, "of=" + out, "bs=256K", "conv=fdatasync",
                          "status=none"]),
             ("ddrescue", ["ddrescue", "-q", img, out, rmap])]

    def same_size(key):
        if os.path.getsize(out) != os.path.getsize(img):
            rb.die("%s wrote %d bytes, not %d" % (key, os.path.getsize(out), os.path.getsize(img)))

    times, mode = rb.time_tools(tools, img, a.repeat, before=clean, after=same_size)
    clean()
    rb.ratio_report("isokit rip benchmark", img, "", tools, times, mode, a.repeat,
                    ["dd", "dd-256K"], "faster dd", "rip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
