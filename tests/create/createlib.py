#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the create tests (roundtrip.py, udf-roundtrip.py) share: TAP
output, running commands, and the owned entries of their source trees."""

import os
import shlex
import shutil
import stat
import subprocess
import sys
import time

# manifest.py (walk, sha256_file, esc) is in tests/interop
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "interop"))
import manifest as mf  # noqa: E402


class Tap:
    def guarded(self, what, fn, *args, **kw):
        """Run a group of checks; an exception in the harness becomes a
        failing check instead of a traceback without a plan."""
        try:
            return fn(*args, **kw)
        except Exception:   # noqa: BLE001
            import traceback
            self.fail("%s ran to the end" % what, traceback.format_exc())
            return None

    def finish(self):
        """The plan line, and the exit status."""
        print("1..%d" % self.n)
        if self.failed:
            print("# %d of %d checks failed: %s"
                  % (len(self.failed), self.n, "; ".join(self.failed)))
        return 1 if self.failed else 0

    def __init__(self):
        self.n = 0
        self.failed = []

    def _detail(self, detail):
        if not detail:
            return
        for ln in str(detail).rstrip("\n").split("\n"):
            print("#   " + ln)

    def ok(self, desc, detail=None):
        self.n += 1
        print("ok %d - %s" % (self.n, desc))
        self._detail(detail)
        sys.stdout.flush()

    def fail(self, desc, detail=None):
        self.n += 1
        self.failed.append(desc)
        print("not ok %d - %s" % (self.n, desc))
        self._detail(detail)
        sys.stdout.flush()

    def todo(self, desc, reason, detail=None):
        """A failing check that is expected to fail (TAP "# TODO"): shown,
        not counted as a failure."""
        self.n += 1
        print("not ok %d - %s # TODO %s" % (self.n, desc, reason))
        self._detail(detail)
        sys.stdout.flush()

    def skip(self, desc, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, reason))
        sys.stdout.flush()

    def check(self, cond, desc, detail=None):
        (self.ok if cond else self.fail)(desc, None if cond else detail)
        return cond

    def problems(self, desc, problems):
        """ok when the list of problems is empty, else show the first few."""
        if not problems:
            self.ok(desc)
            return True
        shown = problems[:MAX_SHOW]
        more = len(problems) - len(shown)
        self.fail(desc, "\n".join(shown)
                  + ("\n... and %d more" % more if more > 0 else ""))
        return False

    def note(self, text):
        for ln in str(text).rstrip("\n").split("\n"):
            print("# " + ln)
        sys.stdout.flush()



# -------------------------------------------------------------- helpers ----


def have(tool):
    return shutil.which(tool) is not None


def run(cmd, timeout=120, **kw):
    """Run a command, never raise; return CompletedProcess (returncode -999
    on timeout, -998 when the program is missing)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    try:
        return subprocess.run(cmd, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, -999, e.stdout or b"",
                                           (e.stderr or b"") + b"\n[timeout]")
    except OSError as e:
        return subprocess.CompletedProcess(cmd, -998, b"", str(e).encode())


def tail(b, n=1500):
    s = b.decode("utf-8", "replace") if isinstance(b, bytes) else b
    s = s.strip()
    return s if len(s) <= n else "..." + s[-n:]


def fmt_cmd(cmd):
    return " ".join(shlex.quote(os.fsdecode(c)) for c in cmd)


def fmt_time(t):
    if t is None:
        return "-"
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
    except (OverflowError, OSError, ValueError):
        return "?"


def add_owned(src, t):
    """As root: a folder owners/ with a file (1234:5678), a folder and a
    symlink (4321:8765) owned by others, every time @p t."""
    o = os.path.join(src, "owners")
    os.mkdir(o, 0o755)
    p = os.path.join(o, "owned-1234-5678.txt")
    with open(p, "wb") as fh:
        fh.write(b"owned by 1234:5678\n")
    os.chown(p, 1234, 5678)
    os.chmod(p, 0o640)
    os.utime(p, (t, t))
    os.mkdir(os.path.join(o, "dir-4321"), 0o750)
    os.chown(os.path.join(o, "dir-4321"), 4321, 8765)
    os.utime(os.path.join(o, "dir-4321"), (t, t))
    os.symlink("owned-1234-5678.txt", os.path.join(o, "link-4321"))
    os.lchown(os.path.join(o, "link-4321"), 4321, 8765)
    os.utime(os.path.join(o, "link-4321"), (t, t), follow_symlinks=False)
    os.utime(o, (t, t))


def kind_of(m):
    if stat.S_ISREG(m):
        return "f"
    if stat.S_ISDIR(m):
        return "d"
    if stat.S_ISLNK(m):
        return "l"
    if stat.S_ISCHR(m):
        return "c"
    if stat.S_ISBLK(m):
        return "b"
    if stat.S_ISFIFO(m):
        return "p"
    if stat.S_ISSOCK(m):
        return "s"
    return "?%o" % stat.S_IFMT(m)


def scan(root, sha=True, times=False):
    """path(bytes, relative) -> attributes, for everything below root; with
    @p times also atime and ctime."""
    out = {}
    rootb = os.fsencode(root)
    groups = {}
    for rel, st in mf.walk(root):
        full = os.path.join(rootb, rel)
        m = st.st_mode
        e = {"type": kind_of(m), "mode": stat.S_IMODE(m),
             "mtime": st.st_mtime_ns // 10**9,
             "own": "%d:%d" % (st.st_uid, st.st_gid), "nlink": st.st_nlink}
        if times:
            e["atime"] = st.st_atime_ns // 10**9
            e["ctime"] = st.st_ctime_ns // 10**9
        if e["type"] == "f":
            e["size"] = st.st_size
            if sha:
                e["sha256"] = mf.sha256_file(full)
            groups.setdefault((st.st_dev, st.st_ino), []).append(rel)
        elif e["type"] == "l":
            e["target"] = os.readlink(full)
        elif e["type"] in ("c", "b"):
            e["rdev"] = "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        out[rel] = e
    for members in groups.values():
        if len(members) > 1:
            first = min(members)
            for mbr in members:
                out[mbr]["hl"] = mf.esc(first)
    return out
