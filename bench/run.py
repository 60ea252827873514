#!/usr/bin/env python3
"""bench/run.py - isokit against bsdtar, 7-Zip and xorriso, side by side, in one run.

Generates the benchmark trees with ../shared/bench/gen-dataset, makes one ISO image
of each with xorriso (Rock Ridge + Joliet), then times `extract` and a recursive
listing (`ls -R`) of every image with every tool, alternating the order of the tools
between repetitions. Wall time and peak resident memory are taken from the kernel
for each child (os.wait4 -> ru_maxrss); nothing outside the Python standard library
is needed. Results: one markdown table per dataset and operation (median seconds,
peak MiB, ratios to the best peer), and with --json the raw numbers.

See bench/README.md for what is measured and the targets.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN_DATASET = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen-dataset"))
DEFAULT_ISOKIT = os.path.join(REPO, "build", "tools", "isokit", "isokit")
DROP_CACHES = "/proc/sys/vm/drop_caches"
ALL_DATASETS = ("photos", "smallfiles", "flat")
EXTRA_DATASETS = ("big",)  # only on request: a > 4 GiB file (create)

# gen-dataset sizes for --quick (a smoke run of a few minutes at most)
QUICK_SIZES = ["--photos-mib", "96", "--small-files", "3000", "--small-dirs", "150",
               "--flat-files", "2000"]

# Every tool runs in the same UTF-8 locale (the photos and smallfiles names are Unicode).
ENV = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
ENV.pop("LANGUAGE", None)


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


def die(msg):
    sys.exit("bench/run.py: " + msg)


# ---------------------------------------------------------------------------
# tools and commands

class Tool:
    """One command line for one operation.

    role: "isokit" (the subject), "peer" (counts for "best peer"), or "ref"
    (recorded and shown with ratios, but never the yardstick: tar -x of a tar of the
    same tree, names-only listers)."""

    def __init__(self, key, label, role, argv, needs):
        self.key = key          # stable id used in JSON
        self.label = label      # shown in tables
        self.role = role
        self.argv = argv        # list with placeholders {img} {out} {tar}
        self.needs = needs      # executable that must exist

    def cmd(self, **kw):
        return [a.format(**kw) for a in self.argv]


def extract_tools(isokit, with_p7zip):
    t = [
        Tool("isokit", "isokit extract", "isokit", [isokit, "extract", "{img}", "-C", "{out}"], isokit),
        Tool("bsdtar", "bsdtar -x", "peer", ["bsdtar", "-xf", "{img}", "-C", "{out}"], "bsdtar"),
        Tool("7zz", "7-Zip (7zz x)", "peer", ["7zz", "x", "-o{out}", "{img}", "-y"], "7zz"),
        Tool("xorriso", "xorriso -extract", "peer",
             ["xorriso", "-osirrox", "on", "-indev", "{img}", "-extract", "/", "{out}"], "xorriso"),
        Tool("tar", "tar -x (of a .tar, baseline)", "ref", ["tar", "-xf", "{tar}", "-C", "{out}"], "tar"),
    ]
    if with_p7zip:
        t.append(Tool("p7zip", "p7zip (7z x)", "ref", ["7z", "x", "-o{out}", "{img}", "-y"], "7z"))
    return t


def ls_tools(isokit, with_p7zip):
    t = [
        Tool("isokit", "isokit ls -R", "isokit", [isokit, "ls", "-R", "{img}"], isokit),
        Tool("isokit-l", "isokit ls -l -R", "isokit", [isokit, "ls", "-l", "-R", "{img}"], isokit),
        Tool("isoinfo", "isoinfo -R -l", "peer", ["isoinfo", "-R", "-l", "-i", "{img}"], "isoinfo"),
        Tool("xorriso", "xorriso -find / -exec lsdl", "peer",
             ["xorriso", "-indev", "{img}", "-find", "/", "-exec", "lsdl", "--"], "xorriso"),
        Tool("bsdtar", "bsdtar -tv", "peer", ["bsdtar", "-tvf", "{img}"], "bsdtar"),
        Tool("7zz", "7-Zip (7zz l)", "peer", ["7zz", "l", "{img}"], "7zz"),
        # names only: what `isokit ls -R` prints; shown for a like-for-like reading
        Tool("isoinfo-f", "isoinfo -R -f (names only)", "ref", ["isoinfo", "-R", "-f", "-i", "{img}"], "isoinfo"),
        Tool("xorriso-names", "xorriso -find / (names only)", "ref",
             ["xorriso", "-indev", "{img}", "-find", "/", "--"], "xorriso"),
        Tool("bsdtar-t", "bsdtar -t (names only)", "ref", ["bsdtar", "-tf", "{img}"], "bsdtar"),
        # what starting any program costs here: on a small tree most of every lister's time
        Tool("true", "true (start-up floor)", "ref", ["true"], "true"),
    ]
    if with_p7zip:
        t.append(Tool("p7zip", "p7zip (7z l)", "ref", ["7z", "l", "{img}"], "7z"))
    return t


def create_tools(isokit):
    """Image makers, each writing ISO 9660 + Rock Ridge + Joliet (level 3, so
    that the > 4 GiB file is allowed), and tar -cf of the same tree as the
    baseline the issue measures against."""
    return [
        Tool("isokit", "isokit create", "isokit", [isokit, "create", "-q", "-o", "{out}", "{src}"], isokit),
        # the same with a UDF bridge (issue 8: at most 10% more time)
        Tool("isokit-udf", "isokit create --udf", "isokit",
             [isokit, "create", "-q", "--udf", "-o", "{out}", "{src}"], isokit),
        Tool("xorriso", "xorriso -as mkisofs -R -J", "peer",
             ["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-iso-level", "3", "-o", "{out}", "{src}"],
             "xorriso"),
        Tool("genisoimage", "genisoimage -R -J", "peer",
             ["genisoimage", "-quiet", "-R", "-J", "-iso-level", "3", "-o", "{out}", "{src}"], "genisoimage"),
        # level 3, or bsdtar leaves a file of 4 GiB and more out and exits 0
        Tool("bsdtar", "bsdtar --format iso9660", "peer",
             ["bsdtar", "-cf", "{out}", "--format", "iso9660", "--options", "iso9660:iso-level=3",
              "-C", "{src}", "."], "bsdtar"),
        Tool("tar", "tar -cf (baseline)", "ref", ["tar", "-cf", "{out}", "-C", "{src}", "."], "tar"),
        # the one peer that writes UDF beside ISO 9660 (shown, not a yardstick:
        # it refuses a file of 4 GiB and more)
        Tool("genisoimage-udf", "genisoimage -R -J -udf", "ref",
             ["genisoimage", "-quiet", "-R", "-J", "-udf", "-iso-level", "3", "-o", "{out}", "{src}"],
             "genisoimage"),
    ]


def have(exe):
    if os.sep in exe:
        return os.path.isfile(exe) and os.access(exe, os.X_OK)
    return shutil.which(exe) is not None


def tool_version(exe):
    probes = {
        "bsdtar": ["bsdtar", "--version"],
        "xorriso": ["xorriso", "-version"],
        "tar": ["tar", "--version"],
        "isoinfo": ["isoinfo", "-version"],
        "7zz": ["7zz"],
        "7z": ["7z"],
    }
    argv = probes.get(exe, [exe, "--version"])
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=ENV, timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line:
            return line[:120]
    return None


# ---------------------------------------------------------------------------
# running one timed child

GNU_TIME = "/usr/bin/time"


def python_rss_floor_kib():
    """ru_maxrss that a child exec'ed straight from this Python inherits (see run_timed)."""
    p = subprocess.Popen(["true"])
    _, _, ru = os.wait4(p.pid, 0)
    p.returncode = 0
    return ru.ru_maxrss


def have_gnu_time():
    try:
        p = subprocess.run([GNU_TIME, "-f", "%M", "true"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=20)
        return p.returncode == 0 and p.stderr.strip().isdigit()
    except (OSError, subprocess.TimeoutExpired):
        return False


USE_GNU_TIME = False


def no_aslr_prefix():
    """`setarch ARCH -R`, or nothing where it cannot run. With address space
    layout randomization one tool's peak RSS for the same run moves by up to
    400 KiB (the kernel maps the already cached pages around a fault, and
    how many depends on where the libraries landed), more than the gaps
    being measured; every tool runs without it, the same for all."""
    cmd = ["setarch", os.uname().machine, "-R"]
    try:
        ok = subprocess.run(cmd + ["true"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return cmd if ok else []


NO_ASLR = []


def run_timed(argv, cwd=None, timeout=3600):
    """Run argv with stdout to /dev/null; return (seconds, maxrss_kib, exitcode, stderr_tail).

    Wall time: perf_counter around spawn and wait, here in Python.
    Peak RSS: Linux keeps, at exec, the RSS high-water mark of the memory the process
    had before exec; a child forked (or vforked) from this Python therefore reports at
    least Python's own RSS (~14 MiB) as ru_maxrss. So the command runs under GNU time
    (`/usr/bin/time -f %M`), which forks it from a ~1 MiB process and reports its
    ru_maxrss exactly. Without GNU time, os.wait4's ru_maxrss is used and the report
    says that memory figures have that floor."""
    errf = tempfile.TemporaryFile()
    devnull = os.open(os.devnull, os.O_WRONLY)
    killed = []
    rssfile = None
    if USE_GNU_TIME:
        fd, rssfile = tempfile.mkstemp(prefix="isokit-bench-rss-")
        os.close(fd)
        full = [GNU_TIME, "-f", "%M %U %S", "-o", rssfile, "--"] + NO_ASLR + argv
    else:
        full = NO_ASLR + argv
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=devnull, stderr=errf,
                             cwd=cwd, env=ENV, start_new_session=True)

        def on_timeout():
            killed.append(True)
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the process group this run started
            except ProcessLookupError:
                pass
        timer = threading.Timer(timeout, on_timeout)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        t1 = time.perf_counter()
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        os.close(devnull)
    errf.seek(0)
    tail = errf.read()[-2000:].decode("utf-8", "replace")
    errf.close()
    rc = p.returncode
    rss = ru.ru_maxrss
    cpu = ru.ru_utime + ru.ru_stime  # wait4 counts the child and what it waited for
    if rssfile:
        with open(rssfile) as f:
            lines = [x.strip() for x in f.read().splitlines() if x.strip()]
        os.unlink(rssfile)
        last = lines[-1].split() if lines else []
        if len(last) == 3 and last[0].isdigit():
            rss = int(last[0])
        for x in lines[:-1]:
            # "Command exited with non-zero status N" / "Command terminated by signal N"
            tail = x + "\n" + tail
    if killed:
        tail = "killed after %ds timeout\n%s" % (timeout, tail)
        rc = "timeout"
    return t1 - t0, rss, rc, tail, cpu


def count_lines(argv):
    """Untimed: how many lines a lister prints (sanity check, not a measurement)."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=ENV, timeout=3600)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.count(b"\n")


def tree_counts(root):
    """(regular files, bytes, directories) below root, not following symlinks."""
    files = nbytes = dirs = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirs += len(dirnames)
        for n in filenames:
            st = os.lstat(os.path.join(dirpath, n))
            if (st.st_mode & 0o170000) == 0o100000:
                files += 1
                nbytes += st.st_size
    return files, nbytes, dirs


def rm_tree(path):
    if os.path.lexists(path):
        subprocess.run(["rm", "-rf", "--one-file-system", path], check=True)


# ---------------------------------------------------------------------------
# cache control

_program_files = {}

PAGE_REPORTING = "/sys/module/page_reporting/parameters/reported_kib"


def free_page_reporting():
    """True on a VM whose kernel hands free memory back to the host (virtio
    free page reporting). There, a page freed by drop_caches is reported a
    second or two later, and taking it back costs a fault in the host. A run
    that starts at once gets the freed pages cheaply until reporting catches
    up, one that starts later pays for every page: the same extraction of the
    2 GiB photos tree took 0.9 s or 1.8 s, and any tool's median of 3 was a
    coin toss. Waiting a few seconds after drop_caches puts every run in the
    second state (slower, and the same for every tool)."""
    return os.path.exists(PAGE_REPORTING)


def program_files(exe):
    """The executable and the shared libraries it loads (by ldd)."""
    if exe not in _program_files:
        path = shutil.which(exe) or exe
        files = [os.path.realpath(path)]
        try:
            out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=20).stdout
            files += [m for m in re.findall(r"(/\S+) \(0x", out)]
        except (OSError, subprocess.TimeoutExpired):
            pass
        _program_files[exe] = [f for f in files if os.path.isfile(f)]
    return _program_files[exe]


def warm_programs(exes):
    """Read each program and its libraries into the page cache, and run the
    harness's own prefix (GNU time, setarch) once. Cold runs measure reading
    an image that is not cached, not loading programs: after drop_caches,
    loading GNU time, setarch (its locale files, the folders of PATH) and the
    tool from disk took 7-9 ms of the 8-13 ms that each lister needs on the
    91-entry photos image (`/bin/true` takes 8.9 ms then), and a tool with
    one more library paid for it though a user's system has it cached."""
    prefix = ([GNU_TIME, "-f", "%M", "-o", os.devnull, "--"] if USE_GNU_TIME else []) + NO_ASLR
    if prefix:
        subprocess.run(prefix + ["true"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=ENV, timeout=60)
    for exe in exes:
        for f in program_files(exe):
            try:
                with open(f, "rb") as fh:
                    while fh.read(1 << 20):
                        pass
            except OSError:
                pass

class Cache:
    @staticmethod
    def can_drop():
        try:
            os.sync()
            with open(DROP_CACHES, "w") as f:
                f.write("3\n")
            return True
        except OSError:
            return False

    def __init__(self, mode, can_drop, settle):
        self.mode = mode  # "cold" or "warm"
        self.can_drop = can_drop
        self.settle = settle

    def prepare(self, img_or_tar, argv=None, settle=False):
        """Before each timed run: flush dirty pages left by the previous run, then
        drop the page cache (cold), or drop it and read the input once (warm).

        Warm runs drop the cache too when they can: on ext4 without a journal, creating
        a file skips every free inode whose table block is still cached and says it was
        deleted less than a minute ago (fs/ext4/ialloc.c, recently_deleted()). Deleting
        the 100,000 files of the previous extraction would otherwise make the next one
        quadratic (3 s became 30-70 s on the development VM).

        With @p settle, wait self.settle seconds after dropping (see
        free_page_reporting())."""
        os.sync()
        if self.can_drop:
            with open(DROP_CACHES, "w") as f:
                f.write("3\n")
        if settle and self.settle > 0:
            time.sleep(self.settle)
        if argv:
            warm_programs(argv[:1])
        if self.mode == "warm" and img_or_tar:
            with open(img_or_tar, "rb") as f:
                while f.read(8 << 20):
                    pass


# ---------------------------------------------------------------------------
# datasets and images

def gen_datasets(trees, datasets, quick):
    argv = [sys.executable, GEN_DATASET]
    argv += ["--" + d for d in datasets]
    if quick:
        argv += QUICK_SIZES
    argv.append(trees)
    log("generating: " + " ".join(argv))
    subprocess.run(argv, check=True, env=ENV, stdout=sys.stderr)  # stdout is for the tables


def read_stamp(trees, name):
    with open(os.path.join(trees, name + ".stamp")) as f:
        return json.load(f)


def fresh(target, source):
    return os.path.exists(target) and os.path.getmtime(target) >= os.path.getmtime(source)


def make_image(trees, images, name):
    tree = os.path.join(trees, name)
    stamp = os.path.join(trees, name + ".stamp")
    img = os.path.join(images, name + ".iso")
    if fresh(img, stamp):
        log("%s: image exists, kept" % img)
        return img
    tmp = img + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    argv = ["xorriso", "-as", "mkisofs", "-R", "-J", "-V", "ISOKIT_BENCH_" + name.upper(),
            "-o", tmp, tree]
    log("making image: " + " ".join(argv))
    t0 = time.monotonic()
    p = subprocess.run(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        sys.stderr.write(p.stdout.decode("utf-8", "replace")[-4000:])
        die("xorriso failed to make %s" % img)
    os.replace(tmp, img)
    log("%s: %.1f MiB in %.1fs" % (img, os.path.getsize(img) / 2**20, time.monotonic() - t0))
    return img


def make_tar(trees, images, name):
    tree = os.path.join(trees, name)
    stamp = os.path.join(trees, name + ".stamp")
    tar = os.path.join(images, name + ".tar")
    if fresh(tar, stamp):
        return tar
    tmp = tar + ".tmp"
    argv = ["tar", "-cf", tmp, "-C", tree, "."]
    log("making tar baseline: " + " ".join(argv))
    subprocess.run(argv, check=True, env=ENV)
    os.replace(tmp, tar)
    return tar


# ---------------------------------------------------------------------------
# measuring

def order_for(rep, tools):
    """Rotate the order each repetition and reverse every other one, so no tool is
    always first (or always right after the same neighbour)."""
    n = len(tools)
    k = rep % n
    seq = tools[k:] + tools[:k]
    if rep % 2 == 1:
        seq.reverse()
    return seq


def photos_args(doc):
    """The options of the benchmarks on one image of the photos tree (verify.py,
    rip.py): the parsed arguments, and the dataset folder they name."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--data", default=os.environ.get("ISOKIT_BENCH_DATA", "/work/bench-data"))
    ap.add_argument("--isokit", default=DEFAULT_ISOKIT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="the quick photos image")
    a = ap.parse_args()
    return a, os.path.join(a.data, "quick" if a.quick else "full")


def need_programs(exes):
    """End the benchmark when a peer is not installed."""
    for exe in exes:
        if not shutil.which(exe):
            die("%s is not installed (scripts/install-deps.sh)" % exe)


def photos_sums_image(base):
    """The photos image with checksums that verify.py makes (rip.py and burn.py
    copy it)."""
    img = os.path.join(base, "scratch", "photos-sums.iso")
    if not os.path.exists(img):
        die("%s is missing: run bench/verify.py first" % img)
    return img


def ratio_report(title, img, note, tools, times, mode, repeat, refs, ref_name, target):
    """Print the Markdown report of one time_tools() run of the tools on @p img:
    each tool's median, MB/s and ratio to the fastest of @p refs, then whether
    "isokit" met its target of 1.1x of them. Returns the medians."""
    med = {k: statistics.median(v) for k, v in times.items()}
    size = os.path.getsize(img)
    print("# %s\n" % title)
    print("- image: %s (%.0f MiB%s); cache: %s; %d repetitions, median"
          % (img, size / 2**20, note, mode, repeat))
    print("- machine: %d CPUs, kernel %s\n" % (os.cpu_count(), os.uname().release))
    print("| tool | median s | MB/s | ×%s |" % ref_name)
    print("| --- | ---: | ---: | ---: |")
    ref = min(med[k] for k in refs)
    for key, _ in tools:
        t = med[key]
        print("| %s | %.3f | %.0f | %.2f |" % (key, t, size / 1e6 / t, t / ref))
    ok = med["isokit"] <= 1.1 * ref
    print("\ntarget: %s within 1.1x of %s: %.2f (%s)"
          % (target, ref_name, med["isokit"] / ref, "met" if ok else "**missed**"))
    return med


def time_tools(tools, img, repeat, before=None, after=None, settle=False):
    """Run each (key, argv) of @p tools once per repetition, in order_for()'s order,
    cold (the page cache dropped and the program read back) when the cache can be
    dropped, else warm from @p img. before() runs ahead of each run and after(key)
    checks its result, both outside the timing; a failed run ends the benchmark.
    With @p settle, each run waits after the cache is dropped until a VM has
    handed the freed memory to its host (see free_page_reporting()): tools that
    write gigabytes into the page cache otherwise take it back cheaply or dearly
    by chance. Returns ({key: [seconds]}, the cache mode)."""
    global USE_GNU_TIME, NO_ASLR
    USE_GNU_TIME = have_gnu_time()
    NO_ASLR = no_aslr_prefix()
    can_drop = Cache.can_drop()
    wait = 5.0 if settle and can_drop and free_page_reporting() else 0.0
    cache = Cache("cold" if can_drop else "warm", can_drop, wait)
    times = {k: [] for k, _ in tools}
    for rep in range(repeat):
        for key, argv in order_for(rep, tools):
            if before:
                before()
            cache.prepare(img, argv, settle=settle)
            secs, rss, rc, err, cpu = run_timed(argv)
            if rc != 0:
                die("%s exited %s: %s" % (key, rc, err.strip()[-300:]))
            if after:
                after(key)
            times[key].append(secs)
            log("rep %d  %-13s %7.3f s  cpu %.2f s  rss %d KiB" % (rep + 1, key, secs, cpu, rss))
    return times, cache.mode


def measure(op, tools, img, tar, scratch, stamp, cache, repeat, timeout, src=None, dataset=None):
    results = {t.key: {"key": t.key, "label": t.label, "role": t.role,
                       "cmd": None, "runs": [], "check": None} for t in tools}
    for rep in range(repeat):
        for t in order_for(rep, tools):
            out = os.path.join(scratch, "out-" + t.key)
            rm_tree(out)
            if op == "extract":
                os.mkdir(out)
            if op == "create":
                out += ".img"
                argv = t.cmd(src=src, out=out)
                cache.prepare(None, argv, settle=True)
            else:
                argv = t.cmd(img=img, out=out, tar=tar)
                cache.prepare(tar if t.key == "tar" else img, argv, settle=(op == "extract"))
            results[t.key]["cmd"] = argv
            secs, rss, rc, err, cpu = run_timed(argv, timeout=timeout)
            run = {"seconds": round(secs, 4), "maxrss_kib": rss, "exit": rc, "cpu_s": round(cpu, 3)}
            if rc != 0:
                run["stderr_tail"] = err[-600:]
                log("%s %s: exit %s: %s" % (op, t.label, rc, err.strip()[-300:]))
            if op == "extract":
                f, b, d = tree_counts(out)
                run["files"], run["bytes"], run["dirs"] = f, b, d
                ok = (f == stamp["files"] and b == stamp["bytes"])
                if not ok:
                    log("%s %s: extracted %d files / %d bytes, expected %d / %d"
                        % (op, t.label, f, b, stamp["files"], stamp["bytes"]))
                run["complete"] = ok
                rm_tree(out)
            if op == "create":
                size = os.path.getsize(out) if os.path.exists(out) else 0
                run["bytes_out"] = size
                run["complete"] = rc == 0 and size >= stamp["bytes"]
                if rc == 0 and not run["complete"]:
                    log("%s %s: wrote %d bytes for %d bytes of files" % (op, t.label, size, stamp["bytes"]))
                if os.path.exists(out):
                    os.unlink(out)
            results[t.key]["runs"].append(run)
            log("%-8s rep %d  %-34s %8.3fs %9.1f MiB  exit %s"
                % (op, rep + 1, t.label, secs, rss / 1024.0, rc))
    if op == "ls":
        for t in tools:
            results[t.key]["lines"] = count_lines(t.cmd(img=img, out="", tar=tar))
    return summarize(op, [results[t.key] for t in tools], dataset, stamp)


def summarize(op, rows, dataset, stamp):
    for r in rows:
        good = [x for x in r["runs"] if x["exit"] == 0 and x.get("complete", True)]
        r["ok"] = len(good) == len(r["runs"]) and len(good) > 0
        src = good if good else r["runs"]
        r["median_s"] = statistics.median(x["seconds"] for x in src) if src else None
        r["peak_mib"] = max(x["maxrss_kib"] for x in src) / 1024.0 if src else None
        r["median_cpu_s"] = statistics.median(x.get("cpu_s", 0) for x in src) if src else None
    peers = [r for r in rows if r["role"] == "peer" and r["ok"]]
    best_t = min((r["median_s"] for r in peers), default=None)
    best_m = min((r["peak_mib"] for r in peers), default=None)
    best_t_by = next((r["key"] for r in peers if r["median_s"] == best_t), None)
    best_m_by = next((r["key"] for r in peers if r["peak_mib"] == best_m), None)
    isoinfo = next((r for r in rows if r["key"] == "isoinfo" and r["ok"]), None)
    for r in rows:
        # a failed or incomplete row gets no ratios: its time means nothing
        r["time_vs_best_peer"] = (r["median_s"] / best_t) if best_t and r["ok"] else None
        r["mem_vs_best_peer"] = (r["peak_mib"] / best_m) if best_m and r["ok"] else None
        if op == "ls":
            r["time_vs_isoinfo"] = (r["median_s"] / isoinfo["median_s"]) if isoinfo and r["ok"] else None
    summary = {"rows": rows, "best_peer_time": best_t_by, "best_peer_mem": best_m_by}
    summary["targets"] = check_targets(op, rows, peers, dataset, stamp)
    return summary


# The targets for `create`, per tree (issue 3).
CREATE_TARGETS = {
    "photos": {"vs_tar": 1.15},
    "smallfiles": {"faster": 1.5},
    "flat": {"faster": 10.0},
    "big": {"vs_tar": 1.15},
}


def family(key):
    """Which program a row runs: 'xorriso-names' -> 'xorriso'."""
    return key.split("-")[0]


def check_targets(op, rows, peers, dataset, stamp):
    """The issue's targets, per isokit row: True/False, or None when not measurable."""
    out = []
    by_key = {r["key"]: r for r in rows}
    for r in rows:
        if r["role"] != "isokit":
            continue
        res = {"row": r["key"]}
        if not r["ok"]:
            res["runs without error and complete"] = False
            out.append(res)
            continue
        if op == "extract":
            res["time <= best peer"] = r["time_vs_best_peer"] <= 1.0 if r["time_vs_best_peer"] else None
        elif op == "create":
            tar = by_key.get("tar")
            ds = CREATE_TARGETS.get(dataset, {})
            if "vs_tar" in ds:
                res["time <= %.2fx tar -cf" % ds["vs_tar"]] = (
                    r["median_s"] <= ds["vs_tar"] * tar["median_s"]) if tar and tar["ok"] else None
            if "faster" in ds:
                res["%.1fx faster than best peer" % ds["faster"]] = (
                    ds["faster"] * r["median_s"] <= min(p["median_s"] for p in peers)) if peers else None
            # per-entry memory only means something for many entries (the
            # photos tree has 91: its 2 MiB are the program, not the tree)
            plain = by_key.get("isokit")
            if r["key"] == "isokit-udf":
                res["time <= 1.10x isokit create without UDF"] = (
                    r["median_s"] <= 1.10 * plain["median_s"]) if plain and plain["ok"] else None
            files = stamp["files"] + stamp["dirs"]
            res["memory < 200 bytes per entry (above the 2 MiB floor)"] = (
                (r["peak_mib"] - 2.0) * 2**20 / files < 200) if files >= 10000 else None
        else:
            iso = by_key.get("isoinfo")
            res["time <= isoinfo -R -l"] = (r["median_s"] <= iso["median_s"]) if iso and iso["ok"] else None
            # each tool at its quickest recursive listing (long or names only): the target
            # is about the tool, not about one slow option of it
            floor = next((x["median_s"] for x in rows if x["key"] == "true" and x["ok"]), None)
            for fam in ("xorriso", "bsdtar", "7zz"):
                times = [x["median_s"] for x in rows if family(x["key"]) == fam and x["ok"]]
                res["3x faster than %s" % fam] = (3 * r["median_s"] <= min(times)) if times else None
            # the same, less the time to start a program (shown, not a target)
            for fam in ("xorriso", "bsdtar", "7zz"):
                times = [x["median_s"] for x in rows if family(x["key"]) == fam and x["ok"]]
                res["(3x faster than %s less start-up)" % fam] = (
                    3 * (r["median_s"] - floor) <= min(times) - floor) if times and floor else None
        if op != "create":
            res["memory < every peer"] = all(r["peak_mib"] < p["peak_mib"] for p in peers) if peers else None
        out.append(res)
    return out


# ---------------------------------------------------------------------------
# output

def fmt_ratio(x):
    return "—" if x is None else "%.2f" % x


def markdown(report):
    L = []
    m = report["machine"]
    L.append("# isokit benchmark, %s" % report["started"])
    L.append("")
    L.append("- machine: %s, %d CPUs (nproc), %.1f GiB RAM, kernel %s"
             % (m["cpu"], m["nproc"], m["mem_gib"], m["kernel"]))
    L.append("- repository: %s; load average at start %.2f %.2f %.2f (other work on the machine "
             "skews the figures)" % (report["commit"] or "?", *report["load_before"]))
    L.append("- data: `%s` on %s (%s)" % (report["data"], m["data_fs"], m["data_dev"]))
    L.append("- extraction into `%s` on %s" % (report["out_dir"], report["out_fs"]))
    L.append("- cache: **%s** — %s" % (report["cache"], report["cache_note"]))
    L.append("- %d repetitions per tool, tools in rotating order; time = median wall seconds, "
             "memory = largest peak RSS over the repetitions" % report["repeat"])
    L.append("- memory: " + report["memory_note"])
    L.append("- ratios: to the best *peer* (bsdtar, 7-Zip 7zz, xorriso; for listing also isoinfo). "
             "`ref` rows are shown for context and never the yardstick.")
    if report["quick"]:
        L.append("- **--quick: small datasets, a smoke run, not the benchmark**")
    L.append("- tools: " + "; ".join("%s: %s" % (k, v) for k, v in sorted(report["versions"].items())))
    if report.get("skipped"):
        L.append("- skipped: " + "; ".join(report["skipped"]))
    L.append("")
    for ds in report["datasets"]:
        st = ds["stamp"]
        L.append("## %s — %d files, %d dirs, %.1f MiB; image %.1f MiB"
                 % (ds["name"], st["files"], st["dirs"], st["bytes"] / 2**20, ds["image_bytes"] / 2**20))
        L.append("")
        for op in ("extract", "ls", "create"):
            if op not in ds["ops"]:
                continue
            s = ds["ops"][op]
            L.append("### %s %s" % (ds["name"], {"extract": "extract", "ls": "ls -R", "create": "create"}[op]))
            L.append("")
            if op == "create":
                L.append("| tool | role | median s | CPU s | peak MiB | bytes/entry | time ×best peer | time ×tar | mem ×best peer | complete |")
                L.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
            elif op == "ls":
                L.append("| tool | role | median s | peak MiB | time ×best peer | mem ×best peer | time ×isoinfo | lines |")
                L.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            else:
                L.append("| tool | role | median s | peak MiB | time ×best peer | mem ×best peer | complete |")
                L.append("| --- | --- | ---: | ---: | ---: | ---: | --- |")
            for r in s["rows"]:
                name = r["label"] if r["ok"] else r["label"] + " **(failed)**"
                t = "—" if r["median_s"] is None else (
                    "%.4f" if r["median_s"] < 0.1 else "%.3f") % r["median_s"]
                mm = "—" if r["peak_mib"] is None else "%.1f" % r["peak_mib"]
                cells = [name, r["role"], t, mm, fmt_ratio(r["time_vs_best_peer"]),
                         fmt_ratio(r["mem_vs_best_peer"])]
                if op == "create":
                    tar = next((x for x in s["rows"] if x["key"] == "tar" and x["ok"]), None)
                    n = st["files"] + st["dirs"]
                    per = "—" if r["peak_mib"] is None or not n else "%.0f" % (r["peak_mib"] * 2**20 / n)
                    vs_tar = r["median_s"] / tar["median_s"] if tar and r["ok"] and r["median_s"] else None
                    cpu = "—" if r.get("median_cpu_s") is None else "%.2f" % r["median_cpu_s"]
                    cells = [name, r["role"], t, cpu, mm, per, fmt_ratio(r["time_vs_best_peer"]),
                             fmt_ratio(vs_tar), fmt_ratio(r["mem_vs_best_peer"]),
                             "yes" if all(x.get("complete") for x in r["runs"]) else "**no**"]
                elif op == "ls":
                    cells += [fmt_ratio(r.get("time_vs_isoinfo")),
                              "—" if r.get("lines") is None else str(r["lines"])]
                elif op == "extract":
                    cells.append("yes" if all(x.get("complete") for x in r["runs"]) else "**no**")
                L.append("| " + " | ".join(cells) + " |")
            L.append("")
            L.append("best peer: time %s, memory %s" % (s["best_peer_time"], s["best_peer_mem"]))
            for tg in s["targets"]:
                items = ["%s: %s" % (k, {True: "met", False: "**missed**", None: "n/a"}[v])
                         for k, v in tg.items() if k != "row"]
                L.append("")
                L.append("targets (%s): %s" % (tg["row"], "; ".join(items)))
            L.append("")
    return "\n".join(L)


def machine_info(data):
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    fs, dev = fs_of(data)
    return {"cpu": cpu, "nproc": os.cpu_count(), "mem_gib": mem / 2**30,
            "kernel": platform.release(), "data_fs": fs, "data_dev": dev}


def ext4_without_journal(path):
    """True when path is on ext4 mounted without a journal (see Cache.prepare)."""
    fs, dev = fs_of(path)
    if fs != "ext4":
        return False
    name = os.path.basename(os.path.realpath(dev))
    try:
        return not any(e.startswith(name + "-") for e in os.listdir("/proc/fs/jbd2"))
    except OSError:
        return True


def fs_of(path):
    """(filesystem type, device) of the mount holding path."""
    fs, dev = "?", "?"
    best = ""
    real = os.path.realpath(path)
    with open("/proc/mounts") as f:
        for line in f:
            parts = line.split()
            mp = parts[1]
            if (real == mp or real.startswith(mp.rstrip("/") + "/")) and len(mp) >= len(best):
                best, dev, fs = mp, parts[0], parts[2]
    return fs, dev


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("ISOKIT_BENCH_DATA", "/work/bench-data"),
                    help="where the trees, images and extraction scratch go (default "
                         "$ISOKIT_BENCH_DATA or /work/bench-data); never inside the repository")
    ap.add_argument("--datasets", default=",".join(ALL_DATASETS),
                    help="comma list of photos,smallfiles,flat (default: all three)")
    ap.add_argument("--ops", default="extract,ls", help="comma list of extract,ls,create (default: extract,ls)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per tool (median reported; default 3)")
    ap.add_argument("--isokit", default=DEFAULT_ISOKIT, help="isokit binary (default build/tools/isokit/isokit)")
    ap.add_argument("--no-isokit", action="store_true", help="peers only")
    ap.add_argument("--tools", help="comma list of tool keys to run (e.g. isokit,bsdtar,7zz,xorriso,tar,isoinfo)")
    ap.add_argument("--with-p7zip", action="store_true", help="also time p7zip's 7z (16.02) as a ref row")
    ap.add_argument("--quick", action="store_true", help="small datasets (smoke run)")
    ap.add_argument("--cache", choices=("auto", "cold", "warm"), default="auto",
                    help="cold: sync + drop_caches before each timed run; warm: read the image once "
                         "before each timed run; auto (default): cold if drop_caches is writable")
    ap.add_argument("--settle", type=float, metavar="SECONDS",
                    help="wait this long after drop_caches before each extract and create run "
                         "(default: 5 on a VM with free page reporting, else 0)")
    ap.add_argument("--no-gnu-time", action="store_true",
                    help="measure memory with os.wait4 even if /usr/bin/time exists (has a floor)")
    ap.add_argument("--out-dir", help="where extractions go (default DATA/full/scratch or "
                    "DATA/quick/scratch, the filesystem of the images)")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds before a run is killed")
    ap.add_argument("--json", metavar="OUT", help="write raw numbers as JSON")
    ap.add_argument("--markdown", metavar="OUT", help="also write the tables to a file")
    a = ap.parse_args()

    data = os.path.abspath(a.data)
    if data == REPO or data.startswith(REPO + os.sep):
        die("--data %s is inside the repository; pick a directory outside it" % data)
    if a.out_dir:
        od = os.path.abspath(a.out_dir)
        if od == REPO or od.startswith(REPO + os.sep):
            die("--out-dir %s is inside the repository" % od)
    datasets = [d for d in a.datasets.split(",") if d]
    for d in datasets:
        if d not in ALL_DATASETS + EXTRA_DATASETS:
            die("unknown dataset %r (photos, smallfiles, flat, big)" % d)
    ops = [o for o in a.ops.split(",") if o]
    for o in ops:
        if o not in ("extract", "ls", "create"):
            die("unknown op %r (extract, ls, create)" % o)
    if a.repeat < 1:
        die("--repeat must be at least 1")
    if not os.path.isfile(GEN_DATASET):
        die("gen-dataset not found at %s" % GEN_DATASET)
    if not have("xorriso"):
        die("xorriso is needed to make the images")

    # cache mode
    can_drop = Cache.can_drop()
    if a.cache == "auto":
        mode = "cold" if can_drop else "warm"
    elif a.cache == "cold":
        if not can_drop:
            die("cannot write %s (needs root, and not in every container)" % DROP_CACHES)
        mode = "cold"
    else:
        mode = "warm"
    if a.settle is None:
        a.settle = 5.0 if free_page_reporting() and can_drop else 0.0
    cache = Cache(mode, can_drop, a.settle)

    global USE_GNU_TIME, NO_ASLR
    USE_GNU_TIME = have_gnu_time() and not a.no_gnu_time
    NO_ASLR = no_aslr_prefix()
    if USE_GNU_TIME:
        mem_note = "peak RSS from GNU time (`/usr/bin/time -f %M`, the child's ru_maxrss)"
    else:
        floor = python_rss_floor_kib() / 1024.0
        mem_note = ("peak RSS from os.wait4 (GNU time not found): every figure has a floor of "
                    "about %.1f MiB, the RSS of the Python that forked it; install `time`" % floor)
        log("warning: " + mem_note)
    mem_note += ("; every tool run under `setarch -R` (no address space randomization, "
                 "which moves one tool's peak by up to 400 KiB)" if NO_ASLR else
                 "; address space randomization on (setarch -R cannot run here): "
                 "peaks vary by up to 400 KiB")
    cache_note = ("`sync; echo 3 > /proc/sys/vm/drop_caches` before every timed run, then the "
                  "tool's executable and libraries are read back (a user's system has them "
                  "cached): the image is read from the device (on a VM the host may still cache it)"
                  + ("; extract and create runs start %g s after drop_caches (this VM returns "
                     "freed memory to its host; see free_page_reporting() in bench/run.py)" % a.settle
                     if a.settle else "")
                  if mode == "cold" else
                  "%sthe input is read once (`cat IMG > /dev/null`) before every timed run: "
                  "figures are warm-cache, with no disk reads of the image"
                  % ("`sync; echo 3 > /proc/sys/vm/drop_caches`, then " if can_drop else "`sync`, then "))

    # which tools
    isokit = os.path.abspath(a.isokit)
    skipped = []
    wanted = set(a.tools.split(",")) if a.tools else None

    def usable(tools):
        keep = []
        for t in tools:
            base = family(t.key)
            if wanted is not None and t.key not in wanted and base not in wanted:
                continue
            if t.role == "isokit" and a.no_isokit:
                continue
            if not have(t.needs):
                msg = "%s (%s not found)" % (t.label, t.needs)
                if msg not in skipped:
                    skipped.append(msg)
                    log("skipping " + msg)
                continue
            keep.append(t)
        return keep

    tools = {"extract": usable(extract_tools(isokit, a.with_p7zip)),
             "ls": usable(ls_tools(isokit, a.with_p7zip)),
             "create": usable(create_tools(isokit))}

    versions = {}
    for exe in ("bsdtar", "7zz", "xorriso", "isoinfo", "tar", "genisoimage") + (("7z",) if a.with_p7zip else ()):
        if have(exe):
            versions[exe] = tool_version(exe)
    if have(isokit) and not a.no_isokit:
        versions["isokit"] = tool_version(isokit) or isokit

    profile = "quick" if a.quick else "full"
    root = os.path.join(data, profile)
    trees = os.path.join(root, "trees")
    images = os.path.join(root, "images")
    scratch = os.path.join(os.path.abspath(a.out_dir) if a.out_dir else root, "scratch")
    for d in (trees, images, scratch):
        os.makedirs(d, exist_ok=True)
    st = os.statvfs(data)
    log("data %s: %.1f GiB free; cache mode %s" % (data, st.f_bavail * st.f_frsize / 2**30, mode))

    nojournal = ext4_without_journal(scratch)
    if nojournal:
        log("warning: %s is on ext4 without a journal: creating files right after deleting "
            "many is slow and erratic there (ext4 recently_deleted()); consider --out-dir on "
            "a journaled filesystem (bench/README.md)" % scratch)
    load1 = os.getloadavg()[0]
    if load1 > 0.5 * (os.cpu_count() or 1):
        log("warning: load average %.2f on %d CPUs: other work will skew the figures"
            % (load1, os.cpu_count() or 1))

    gen_datasets(trees, datasets, a.quick)

    try:
        commit = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                timeout=20).stdout.decode().strip() or None
    except (OSError, subprocess.TimeoutExpired):
        commit = None
    report = {
        "commit": commit,
        "load_before": os.getloadavg(),
        "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(data), "data": root, "out_dir": scratch,
        "out_fs": "%s (%s)%s" % (fs_of(scratch) + (", no journal: see bench/README.md" if nojournal else "",)), "quick": a.quick, "repeat": a.repeat,
        "cache": mode, "cache_note": cache_note, "memory_note": mem_note, "versions": versions, "skipped": skipped,
        "datasets": [],
    }
    for name in datasets:
        stamp = read_stamp(trees, name)
        reads = [o for o in ops if o != "create"]
        img = make_image(trees, images, name) if reads else None
        tar = (make_tar(trees, images, name)
               if reads and any(t.key == "tar" for t in tools["extract"]) else None)
        ds = {"name": name, "stamp": {k: stamp[k] for k in ("files", "dirs", "bytes", "content_sha256")},
              "image": img, "image_bytes": os.path.getsize(img) if img else 0, "ops": {}}
        for op in ops:
            if not tools[op]:
                continue
            if op != "create" and name == "big":
                log("skipping %s on big (create only)" % op)
                continue
            log("== %s %s (%d tools x %d)" % (name, op, len(tools[op]), a.repeat))
            ds["ops"][op] = measure(op, tools[op], img, tar, scratch, stamp, cache, a.repeat, a.timeout,
                                    src=os.path.join(trees, name), dataset=name)
        report["datasets"].append(ds)
        rm_tree(scratch)
        os.makedirs(scratch, exist_ok=True)

    md = markdown(report)
    print(md)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(md + "\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1, ensure_ascii=False)
            f.write("\n")
        log("raw numbers: " + a.json)


if __name__ == "__main__":
    main()
