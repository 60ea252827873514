#!/usr/bin/env python3
"""Round trip of `isokit create` on seeded random trees (TAP).

Each seed makes a tree of up to 300 entries with random names (ASCII
punctuation, accents, combining marks, CJK, emoji; lengths 1 to 255
bytes), folders nested at random (so some chains go past 8 levels and are
relocated, sometimes more than once), files of random sizes, hard links
and symlinks.  `isokit create` must exit 0, and then:

  isovfy   exits 0 and reports "No errors found";
  xorriso  `xorriso -osirrox on -hardlinks on -indev IMG -extract / DIR`
           exits 0 and DIR has the manifest of the source
           (tests/interop/manifest.py): for every entry below the top
           folder (not the top folder itself) name, type, mode, size,
           SHA-256 of the content, file and directory mtime (whole
           seconds), symlink target and hard-link group; not symlink
           mtimes, which xorriso does not restore.  An empty relocation
           folder (.rr_moved) that xorriso shows at the top is left aside;
  bsdtar   `bsdtar -xpf IMG -C DIR` exits 0 and DIR has the same manifest,
           symlink mtimes included, and hard-link groups compared only
           between non-empty files: libarchive does not link empty files
           to each other (a known libarchive limit).

Each tool that is not installed is left out (and named in no ok line);
without bsdtar and xorriso the test is skipped.

Names that bsdtar rewrites on purpose when it extracts (a leading '\\' or
a drive letter like "q:") are not generated.
"""
import difflib
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import manifest as mf  # noqa: E402

ISOKIT = os.environ.get("ISOKIT")
SEEDS = range(1, 26)
TIMEOUT = 120
MAX_DIFF = 12          # diff lines shown per reader
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


def have(tool):
    return shutil.which(tool) is not None


def run(cmd):
    """(exit status, stderr + stdout); -1 when it hangs or cannot start."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


def manifest_no_empty_links(root):
    """The full manifest of root, except that empty files carry no hl=
    (libarchive does not link empty files to each other)."""
    lines = mf.manifest_lines(root)
    # the same entries in the same order without hl=; a file's line ends
    # in exactly these 5 fields: type=f mode= size= sha256= mtime=
    bare = mf.manifest_lines(root, no_hardlinks=True)
    assert len(bare) == len(lines)
    out = []
    for ln, b in zip(lines, bare):
        f = b.rsplit("  ", 5)[1:]
        out.append(b if f[:1] == ["type=f"] and f[2:3] == ["size=0"]
                   else ln)
    return out


def differ(a, b):
    """None when the manifests are equal, else the start of a diff."""
    if a == b:
        return None
    d = list(difflib.unified_diff(a, b, "source", "extracted", n=0,
                                  lineterm=""))
    return "\n".join(d[2:2 + MAX_DIFF])


def check_seed(seed, d, tools):
    src, img = os.path.join(d, "src"), os.path.join(d, "a.iso")
    make_tree(seed, src)
    problems = []
    rc, out = run([ISOKIT, "create", "-q", "-o", img, src])
    if rc != 0:
        return ["create: exit %d: %s" % (rc, out[-300:])]
    if "isovfy" in tools:
        rc, out = run(["isovfy", img])
        if rc != 0 or "No errors found" not in out:
            problems.append("isovfy: exit %d: %s" % (rc, out[-300:]))
    if "xorriso" in tools:
        x = os.path.join(d, "xorriso")
        rc, out = run(["xorriso", "-osirrox", "on", "-hardlinks", "on",
                       "-indev", img, "-extract", "/", x])
        if rc != 0:
            problems.append("xorriso: exit %d: %s" % (rc, out[-300:]))
        else:
            moved = os.path.join(x, ".rr_moved")
            if os.path.isdir(moved) and not os.path.islink(moved) \
                    and not os.listdir(moved):
                os.rmdir(moved)  # xorriso shows the empty relocation folder
            diff = differ(mf.manifest_lines(src, no_link_mtime=True),
                          mf.manifest_lines(x, no_link_mtime=True))
            if diff:
                problems.append("xorriso: manifest differs:\n" + diff)
    if "bsdtar" in tools:
        x = os.path.join(d, "bsdtar")
        os.mkdir(x)
        rc, out = run(["bsdtar", "-xpf", img, "-C", x])
        if rc != 0:
            problems.append("bsdtar: exit %d: %s" % (rc, out[-300:]))
        else:
            diff = differ(manifest_no_empty_links(src),
                          manifest_no_empty_links(x))
            if diff:
                problems.append("bsdtar: manifest differs:\n" + diff)
    return problems


def main():
    if not ISOKIT:
        print("1..0 # SKIP ISOKIT not set")
        return 0
    tools = [t for t in ("isovfy", "xorriso", "bsdtar") if have(t)]
    if "xorriso" not in tools and "bsdtar" not in tools:
        print("1..0 # SKIP neither bsdtar nor xorriso is installed")
        return 0
    n = fails = 0
    work = tempfile.mkdtemp(prefix="isokit-random-")
    try:
        for seed in SEEDS:
            d = os.path.join(work, str(seed))
            problems = check_seed(seed, d, tools)
            n += 1
            if problems:
                fails += 1
                print("not ok %d - seed %d" % (n, seed))
                for line in "\n".join(problems).splitlines()[:3 * MAX_DIFF]:
                    print("#   " + line)
            else:
                print("ok %d - seed %d: checked by %s"
                      % (n, seed, ", ".join(tools)))
            sys.stdout.flush()
            mf.force_rmtree(d)
    finally:
        mf.force_rmtree(work)
    print("1..%d" % n)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
