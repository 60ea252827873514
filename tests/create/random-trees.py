#!/usr/bin/env python3
"""Round trip of `isokit create` on seeded random trees (TAP).

Each seed makes a tree of up to 300 entries with random names (ASCII
punctuation, accents, combining marks, CJK, emoji; lengths 1 to 255
bytes), folders nested at random (so some chains go past 8 levels and are
relocated, sometimes more than once), files of random sizes, hard links
and symlinks. The image must pass isovfy, and bsdtar and xorriso must give
the tree back exactly (diff -r, links not followed).

Names that bsdtar rewrites on purpose when it extracts (a leading '\\' or
a drive letter like "q:") are not generated.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

ISOKIT = os.environ.get("ISOKIT")
SEEDS = range(1, 26)
ALPHA = [chr(c) for c in range(0x21, 0x7F) if chr(c) not in "/\\"] + \
    ["é", "ế", "中", "😀", " ", "\u0301"]


def make_tree(seed, root):
    r = random.Random(seed)
    os.makedirs(root)
    dirs, files = [root.encode()], []

    def name():
        k = r.choice([1, 3, 8, 20, 60, 120, 200, 255])
        b = "".join(r.choice(ALPHA) for _ in range(k)).encode()[:255]
        while True:
            try:
                b.decode()
                break
            except UnicodeDecodeError:
                b = b[:-1]
        if len(b) > 1 and b[1:2] == b":":
            b = b"_" + b[1:]
        return b if b not in (b"", b".", b"..") else b"n"

    for _ in range(r.randint(5, 300)):
        n = os.path.join(r.choice(dirs), name())
        if os.path.lexists(n):
            continue
        t = r.random()
        try:
            if t < 0.25:
                os.mkdir(n)
                dirs.append(n)
            elif t < 0.85:
                with open(n, "wb") as f:
                    f.write(r.randbytes(r.choice([0, 1, 100, 2048, 5000, 70000])))
                files.append(n)
            elif t < 0.93 and files:
                os.link(r.choice(files), n)
            else:
                os.symlink(name() + b"/" + name(), n)
        except OSError:
            pass  # a path past PATH_MAX: leave it out


def same(a, b):
    p = subprocess.run(["diff", "-r", "--no-dereference", a, b],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode == 0, p.stdout.decode("utf-8", "replace")[:300]


def main():
    if not ISOKIT:
        print("1..0 # SKIP ISOKIT not set")
        return 0
    tools = [t for t in ("bsdtar", "xorriso", "isovfy") if shutil.which(t)]
    n = fails = 0
    work = tempfile.mkdtemp(prefix="isokit-random-")
    try:
        for seed in SEEDS:
            d = os.path.join(work, str(seed))
            src, img = os.path.join(d, "src"), os.path.join(d, "a.iso")
            make_tree(seed, src)
            problems = []
            p = subprocess.run([ISOKIT, "create", "-q", "-o", img, src],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if p.returncode != 0:
                problems.append("create: exit %d: %s" % (p.returncode, p.stderr[:300]))
            else:
                if "isovfy" in tools:
                    out = subprocess.run(["isovfy", img], stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT).stdout
                    if b"No errors found" not in out:
                        problems.append("isovfy: %s" % out[-300:])
                if "bsdtar" in tools:
                    x = os.path.join(d, "bsdtar")
                    os.mkdir(x)
                    subprocess.run(["bsdtar", "-xf", img, "-C", x], stderr=subprocess.DEVNULL)
                    ok, diff = same(src, x)
                    if not ok:
                        problems.append("bsdtar: " + diff)
                if "xorriso" in tools:
                    x = os.path.join(d, "xorriso")
                    subprocess.run(["xorriso", "-osirrox", "on", "-indev", img, "-extract", "/", x],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    moved = os.path.join(x, ".rr_moved")
                    if os.path.isdir(moved) and not os.listdir(moved):
                        os.rmdir(moved)  # xorriso shows the empty relocation folder
                    ok, diff = same(src, x)
                    if not ok:
                        problems.append("xorriso: " + diff)
            n += 1
            if problems:
                fails += 1
                print("not ok %d - seed %d" % (n, seed))
                for line in "\n".join(problems).splitlines()[:8]:
                    print("#   " + line)
            else:
                print("ok %d - seed %d: isovfy, %s agree" % (n, seed, ", ".join(
                    t for t in tools if t != "isovfy")))
            shutil.rmtree(d, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1..%d" % n)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
