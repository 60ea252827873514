#!/usr/bin/env python3
"""bench/ecc.py - `isokit ecc add` and `isokit repair` against dvdisaster, in one run.

Uses the image bench/verify.py makes from the photos tree (DATA/full/scratch/
photos-sums.iso, made by `isokit create`; run bench/verify.py first, or this
script makes it). Each repetition, in rotating order, cold (caches dropped,
programs read back, as in bench/run.py):

  ecc add, 5% redundancy, on a fresh copy of the image:
    isokit       isokit ecc add --percent 5 IMG          (appended to the image)
    dvd-RS03     dvdisaster -mRS03 -o file -n 5% -x NCPU -c   (a separate .ecc file;
                                                          dvdisaster's fastest codec)
    dvd-RS02     dvdisaster -mRS02 -n 5% -c              (augments the image, as isokit does)
  repair, after a run of 1% of the image's blocks was overwritten (40% in):
    isokit       isokit repair IMG
    dvd-RS03     dvdisaster -e IMG.ecc -f
    dvd-RS02     dvdisaster -f
  Each repaired image is compared with the undamaged one (a mismatch stops the run).

Targets (issue 5): ecc add at least 3x faster than dvdisaster at the same
redundancy (its best codec); repair after 1% damage at least as fast as
dvdisaster's.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as rb  # noqa: E402  (bench/run.py: cache control, timing)


def damage(path, fraction=0.01, at=0.4, seed=5):
    """Overwrite a run of `fraction` of the image's volume blocks with noise."""
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.seek(16 * 2048 + 80)
        volume = int.from_bytes(f.read(4), "little")
        n = int(volume * fraction)
        start = int(volume * at)
        rnd = __import__("random").Random(seed)
        f.seek(start * 2048)
        f.write(bytes(rnd.getrandbits(8) for _ in range(4096)) * (n * 2048 // 4096) +
                bytes(n * 2048 % 4096))
    assert os.path.getsize(path) == size


def same(a, b):
    return subprocess.run(["cmp", "-s", a, b]).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.environ.get("ISOKIT_BENCH_DATA", "/work/bench-data"))
    ap.add_argument("--isokit", default=rb.DEFAULT_ISOKIT)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    base = os.path.join(a.data, "full")
    tree = os.path.join(base, "trees", "photos")
    scratch = os.path.join(base, "scratch")
    os.makedirs(scratch, exist_ok=True)
    isokit = os.path.abspath(a.isokit)
    img = os.path.join(scratch, "photos-sums.iso")
    if not os.path.exists(img):
        if not os.path.isdir(tree):
            rb.die("%s is missing: run bench/run.py first" % tree)
        rb.log("isokit create %s" % img)
        subprocess.run([isokit, "create", "-q", "-o", img, tree], check=True)
    if not shutil.which("dvdisaster"):
        rb.die("dvdisaster is not installed (scripts/install-deps.sh)")
    ncpu = str(os.cpu_count() or 1)
    work = os.path.join(scratch, "ecc")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    def p(name):
        return os.path.join(work, name)

    add = {
        "isokit": lambda f: [isokit, "ecc", "add", "-q", "--percent", "5", f],
        "dvd-RS03": lambda f: ["dvdisaster", "-i", f, "-e", f + ".ecc", "-mRS03", "-o", "file",
                               "-n", "5%", "-x", ncpu, "-c"],
        "dvd-RS02": lambda f: ["dvdisaster", "-i", f, "-mRS02", "-n", "5%", "-c"],
    }
    fix = {
        "isokit": lambda f: [isokit, "repair", "-q", f],
        "dvd-RS03": lambda f: ["dvdisaster", "-i", f, "-e", f + ".ecc", "-mRS03", "-x", ncpu, "-f"],
        "dvd-RS02": lambda f: ["dvdisaster", "-i", f, "-mRS02", "-f"],
    }
    tools = list(add)
    rb.USE_GNU_TIME = rb.have_gnu_time()
    rb.NO_ASLR = rb.no_aslr_prefix()
    can_drop = rb.Cache.can_drop()
    cache = rb.Cache("cold" if can_drop else "warm", can_drop,
                     5.0 if can_drop and rb.free_page_reporting() else 0.0)
    t_add = {k: [] for k in tools}
    t_fix = {k: [] for k in tools}
    for rep in range(a.repeat):
        order = rb.order_for(rep, tools)
        for key in order:
            f = p(key + ".iso")
            for x in (f, f + ".ecc"):
                if os.path.exists(x):
                    os.unlink(x)
            shutil.copyfile(img, f)
            argv = add[key](f)
            cache.prepare(f, argv, settle=True)
            secs, rss, rc, err, cpu = rb.run_timed(argv)
            if rc != 0:
                rb.die("%s ecc: exit %d: %s" % (key, rc, err.strip()[-300:]))
            t_add[key].append(secs)
            rb.log("rep %d  ecc add  %-9s %7.3f s  cpu %.2f s" % (rep + 1, key, secs, cpu))
            good = p(key + "-good.iso")
            shutil.copyfile(f, good)
            damage(f)
            argv = fix[key](f)
            cache.prepare(f, argv, settle=True)
            secs, rss, rc, err, cpu = rb.run_timed(argv)
            # dvdisaster -f exits 1 after a successful repair too: the
            # comparison with the undamaged image is the judge
            if rc != 0 and key == "isokit":
                rb.die("%s repair: exit %d: %s" % (key, rc, err.strip()[-300:]))
            if not same(f, good):
                rb.die("%s repair: exit %d, the image differs from the undamaged one: %s"
                       % (key, rc, err.strip()[-300:]))
            t_fix[key].append(secs)
            rb.log("rep %d  repair   %-9s %7.3f s  cpu %.2f s" % (rep + 1, key, secs, cpu))
            os.unlink(good)
    shutil.rmtree(work, ignore_errors=True)
    ma = {k: statistics.median(v) for k, v in t_add.items()}
    mf = {k: statistics.median(v) for k, v in t_fix.items()}
    size = os.path.getsize(img)
    print("# repair data benchmark\n")
    print("- image: %s (%.0f MiB, made by isokit create); cache: %s; %d repetitions, median"
          % (img, size / 2**20, cache.mode, a.repeat))
    ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "dvdisaster"],
                         capture_output=True, text=True).stdout.strip() or "?"
    print("- machine: %d CPUs, kernel %s; dvdisaster %s\n" % (
        os.cpu_count(), os.uname().release, ver))
    print("| tool | ecc add 5% (s) | ÷ isokit | repair 1% run (s) | ÷ isokit |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for k in tools:
        print("| %s | %.3f | %.2f | %.3f | %.2f |" % (k, ma[k], ma[k] / ma["isokit"], mf[k],
                                                       mf[k] / mf["isokit"]))
    best_add = min(ma[k] for k in tools if k != "isokit")
    best_fix = min(mf[k] for k in tools if k != "isokit")
    print("\ntarget: ecc add 3x faster than dvdisaster's best: %.2fx (%s)"
          % (best_add / ma["isokit"], "met" if best_add >= 3 * ma["isokit"] else "**missed**"))
    print("target: repair at least as fast as dvdisaster's best: %.2fx (%s)"
          % (best_fix / mf["isokit"], "met" if mf["isokit"] <= best_fix else "**missed**"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
