#!/usr/bin/env python3
"""bench/mount.py - isokit mount against fuseiso and archivemount, in one run.

Uses the images and trees bench/run.py makes (run it first, or pass --data):
photos (2 GiB of 2-60 MB files) and smallfiles (100,000 files in 5,000 folders).
For every mounter, on a fresh mount (cold: caches dropped first) and again on
the same mount (warm), it times:

  read-photos   tar -cf - -C MNT . | cat >/dev/null      over the photos image
  random-4k     N reads of 4 KiB at seeded offsets across the photos files
  read-small    tar -cf - -C MNT . | cat >/dev/null      over the smallfiles image
  find-ls       find MNT -ls >/dev/null                 over the smallfiles image

and the same command on the tree on local disk (cold): the yardstick for
read-photos, and for the others what the kernel's own file system does here. Median of --repeat runs, mounters in
rotating order. Targets (issue 4): read-photos through isokit >= 80% of the
local speed; read-small >= 3x fuseiso; find-ls >= 5x fuseiso; random-4k at
least as fast as fuseiso.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_ISOKIT = os.path.join(REPO, "build", "tools", "isokit", "isokit")
DROP = "/proc/sys/vm/drop_caches"


def drop_caches():
    subprocess.run(["sync"])
    try:
        with open(DROP, "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def mounters(isokit):
    m = {}
    if os.access(isokit, os.X_OK):
        m["isokit"] = ([isokit, "mount", "{img}", "{mnt}"], [isokit, "umount", "{mnt}"])
    if shutil.which("fuseiso"):
        m["fuseiso"] = (["fuseiso", "{img}", "{mnt}"], ["fusermount", "-u", "{mnt}"])
    if shutil.which("archivemount"):
        m["archivemount"] = (["archivemount", "-o", "ro,readonly", "{img}", "{mnt}"],
                             ["fusermount", "-u", "{mnt}"])
    return m


def fill(cmd, **kw):
    return [a.format(**kw) for a in cmd]


def wait_mounted(mnt, timeout=600):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.ismount(mnt):
            return True
        time.sleep(0.02)
    return False


def files_of(root):
    out = []
    for d, _, fs in os.walk(root):
        for f in sorted(fs):
            p = os.path.join(d, f)
            if os.path.isfile(p) and not os.path.islink(p):
                out.append(os.path.relpath(p, root))
    return sorted(out)


def random_reads(root, rels, sizes, n, seed=1):
    rnd = random.Random(seed)
    total = 0
    fds = {}
    try:
        for _ in range(n):
            i = rnd.randrange(len(rels))
            size = sizes[i]
            off = rnd.randrange(max(1, size - 4096)) & ~4095
            fd = fds.get(i)
            if fd is None:
                fd = fds[i] = os.open(os.path.join(root, rels[i]), os.O_RDONLY)
            total += len(os.pread(fd, 4096, off))
    finally:
        for fd in fds.values():
            os.close(fd)
    return total


def timed_shell(cmd, timeout):
    t = time.perf_counter()
    p = subprocess.run(["sh", "-c", cmd], timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t, p.returncode, p.stderr.decode(errors="replace")[-300:]


def q(path):
    return "'" + path.replace("'", "'\\''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("ISOKIT_BENCH_DATA", "/work/bench-data"),
                    help="bench/run.py's data folder (default /work/bench-data)")
    ap.add_argument("--quick", action="store_true", help="use bench/run.py --quick's small trees")
    ap.add_argument("--isokit", default=DEFAULT_ISOKIT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--random-reads", type=int, default=2000)
    ap.add_argument("--tools", default="isokit,fuseiso,archivemount")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    a = ap.parse_args()

    base = os.path.join(a.data, "quick" if a.quick else "full")
    imgs = {d: os.path.join(base, "images", d + ".iso") for d in ("photos", "smallfiles")}
    trees = {d: os.path.join(base, "trees", d) for d in ("photos", "smallfiles")}
    for d in imgs:
        if not os.path.isfile(imgs[d]) or not os.path.isdir(trees[d]):
            sys.exit("mount.py: %s or %s missing: run bench/run.py%s first"
                     % (imgs[d], trees[d], " --quick" if a.quick else ""))
    cold = drop_caches()
    tools = {k: v for k, v in mounters(a.isokit).items() if k in a.tools.split(",")}
    mnt = os.path.join(base, "mnt")
    os.makedirs(mnt, exist_ok=True)
    if os.path.ismount(mnt):
        subprocess.run(["fusermount", "-u", mnt])

    rels = files_of(trees["photos"])
    sizes = [os.path.getsize(os.path.join(trees["photos"], r)) for r in rels]
    ops = [
        ("read-photos", "photos", lambda root: "tar -cf - -C %s . | cat >/dev/null" % q(root)),
        ("random-4k", "photos", None),
        ("read-small", "smallfiles", lambda root: "tar -cf - -C %s . | cat >/dev/null" % q(root)),
        ("find-ls", "smallfiles", lambda root: "find %s -ls >/dev/null" % q(root)),
    ]
    results = {}  # (op, tool, phase) -> [seconds]
    failures = {}

    def run_op(op, ds, shell, root):
        if shell is None:
            t = time.perf_counter()
            random_reads(root, rels, sizes, a.random_reads)
            return time.perf_counter() - t, 0, ""
        return timed_shell(shell(root), a.timeout)

    order = list(tools)
    for rep in range(a.repeat):
        rot = order[rep % len(order):] + order[:rep % len(order)] if order else []
        if rep % 2:
            rot.reverse()
        for op, ds, shell in ops:
            # the same tree on local disk, cold: the yardstick for read-photos, and
            # for the others what the kernel's own file system does on this machine
            drop_caches()
            s, rc, err = run_op(op, ds, shell, trees[ds])
            results.setdefault((op, "local disk", "cold"), []).append(s)
            print("[mount-bench] %-11s local disk  cold %8.3fs" % (op, s), file=sys.stderr)
            for tool in rot:
                mcmd, ucmd = tools[tool]
                drop_caches()
                t = time.perf_counter()
                p = subprocess.run(fill(mcmd, img=imgs[ds], mnt=mnt), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, timeout=a.timeout)
                ok = p.returncode == 0 and wait_mounted(mnt, a.timeout)
                mount_s = time.perf_counter() - t
                if not ok:
                    failures[(op, tool)] = "mount failed: " + p.stderr.decode(errors="replace")[-300:]
                    continue
                results.setdefault(("mount", tool, ds), []).append(mount_s)
                try:
                    for phase in ("cold", "warm"):
                        s, rc, err = run_op(op, ds, shell, mnt)
                        if rc != 0:
                            failures[(op, tool)] = "exit %d: %s" % (rc, err)
                            break
                        results.setdefault((op, tool, phase), []).append(s)
                        print("[mount-bench] %-11s %-11s %s %8.3fs" % (op, tool, phase, s),
                              file=sys.stderr)
                except subprocess.TimeoutExpired:
                    failures[(op, tool)] = "timed out after %d s" % a.timeout
                finally:
                    subprocess.run(fill(ucmd, mnt=mnt), stderr=subprocess.DEVNULL)
                    if os.path.ismount(mnt):
                        subprocess.run(["umount", "-l", mnt])

    med = {k: statistics.median(v) for k, v in results.items()}
    lines = ["# isokit mount benchmark", "",
             "- data: `%s`; %d repetitions, median seconds; cache: %s" %
             (base, a.repeat, "cold = caches dropped and a fresh mount before the first run; "
              "warm = the same command again on that mount" if cold else
              "drop_caches not writable: 'cold' runs are not cold"),
             "- random-4k: %d reads of 4 KiB at seeded offsets over the %d photos files" %
             (a.random_reads, len(rels)), ""]
    lines += ["| operation | tool | cold s | warm s | cold ×fuseiso | speed vs local disk | mount s |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for op, ds, _ in ops:
        ref = med.get((op, "fuseiso", "cold"))
        local = med.get((op, "local disk", "cold"))
        if local is not None:
            lines.append("| %s | local disk (tree) | %.3f | | %s | 100%% | |" %
                         (op, local, "%.2f" % (local / ref) if ref else "n/a"))
        for tool in tools:
            if (op, tool) in failures:
                lines.append("| %s | %s | failed: %s | | | | |" % (op, tool, failures[(op, tool)].replace("|", "/")[:120]))
                continue
            c = med.get((op, tool, "cold"))
            w = med.get((op, tool, "warm"))
            if c is None:
                continue
            lines.append("| %s | %s | %.3f | %.3f | %s | %s | %.3f |" % (
                op, tool, c, w, "%.2f" % (c / ref) if ref else "n/a",
                "%.0f%%" % (100 * local / c) if local else "",
                med.get(("mount", tool, ds), float("nan"))))
    tg = []
    def r(op, tool, phase="cold"):
        return med.get((op, tool, phase))
    if r("read-photos", "isokit") and r("read-photos", "local disk"):
        v = r("read-photos", "local disk") / r("read-photos", "isokit")
        tg.append("read-photos >= 80%% of local disk: %.0f%% (%s)" % (100 * v, "met" if v >= 0.8 else "**missed**"))
    for op, want in (("read-small", 3), ("find-ls", 5), ("random-4k", 1)):
        if r(op, "isokit") and r(op, "fuseiso"):
            v = r(op, "fuseiso") / r(op, "isokit")
            tg.append("%s >= %dx faster than fuseiso: %.2fx (%s)" % (op, want, v, "met" if v >= want else "**missed**"))
    lines += ["", "targets (isokit, cold): " + "; ".join(tg), ""]
    text = "\n".join(lines)
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"runs": {"|".join(k): v for k, v in results.items()},
                       "failures": {"|".join(k): v for k, v in failures.items()}}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
