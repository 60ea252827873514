#!/usr/bin/env python3
"""Round-trip interop test for `isokit create` (TAP output).

usage: roundtrip.py            (environment: ISOKIT, SRCDIR, BUILDDIR,
                                CREATOR, JOLIET_MAX, KEEP)

A varied source tree (tests/interop/make-tree.py, plus long Joliet names with
extensions, owners, and as root a character device and a FIFO) is imaged with
the creator command, then read back by every independent reader and compared
with the source for what that reader / namespace carries:

  image       isovfy finds no errors; isoinfo -d shows the volume id
              ROUNDTRIP, Rock Ridge and Joliet; the Rock Ridge ER entry is
              RRIP 1.12 (IEEE_1282, PX with inode numbers).
  xorriso     xorriso -osirrox extraction: names, types, modes, sizes,
              content, file/dir mtimes, symlink targets, hard-link groups,
              owners and device numbers (as root).  xorriso does not restore
              symlink mtimes and owners: not compared.
  bsdtar      bsdtar -xf: the same, symlink mtimes included.
  7-Zip       7zz x (reads Joliet when present): names as in Joliet, content,
              file and directory mtimes.
  isoinfo -R  isoinfo -R -l: every path, type, rwx permissions, nlink,
              size, the day of the recording date, symlink targets (isoinfo
              misreads PX owners and shows no setuid/sticky letters);
              isoinfo -R -x: content of a sample of hard cases.
  isoinfo -J  isoinfo -J -f names every Joliet path, each once (isoinfo
              shows a UTF-16 unit above U+00FF as '_', so the expectation
              is projected the same way).
  Joliet      the Joliet directory records, parsed here from the raw
              UTF-16BE: names of at most JOLIET_MAX (64) units equal the
              source names (emoji as surrogate pairs), longer names are
              shortened to at most JOLIET_MAX units, keep their extension,
              are valid UTF-16 (no split surrogate pair) and unique in
              their directory (a name may repeat only as the next extent of
              a multi-extent file).
  isokit      isokit extract (Rock Ridge: everything, owners and devices as
              root) and isokit extract --namespace joliet (like 7-Zip).
  kernel      as root: mount -t iso9660 -o loop,ro (the Rock Ridge tree, also
              of a UDF bridge, which mount would otherwise take as UDF)
              and compare everything the kernel
              shows (SKIP when the system cannot mount it: no iso9660
              driver, no loop device, no permission; any other mount error
              fails).
  deep        folders at level 8 and below are read in place by every
              reader: a relocation directory (rr_moved, RRIP 4.1.5) that a
              reader shows (xorriso, the kernel), or deep folders a reader
              cannot reach (isoinfo does not follow CL), fail this check
              only; the per-reader checks leave them aside.
  repro       SOURCE_DATE_EPOCH=1700000000: two runs give identical bytes,
              and so does a copy of the tree populated in reverse order
              (for a creator other than isokit a difference there is a TAP
              TODO, not a failure).
  failures    (isokit creator only) unreadable file, full filesystem, file
              growing while read, SIGINT, and the creator command with
              {out} = "-": the image on stdout equals the -o image.

CREATOR is a shell command with {out} and {src} placeholders, default
"$ISOKIT create -o {out} -V ROUNDTRIP {src}".  With any other creator the
isokit-only failure checks SKIP.  JOLIET_MAX (default 64) is the Joliet name
length the creator is held to (xorriso -joliet-long writes 103).  KEEP=1
keeps the scratch directory and prints where it is.
"""

import collections
import hashlib
import os
import re
import shlex
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("SRCDIR") or os.path.dirname(os.path.dirname(HERE))
# manifest.py and make-tree.py: next to this script's folder, wherever the
# script is run from
INTEROP = os.path.join(os.path.dirname(HERE), "interop")
sys.path.insert(0, INTEROP)
sys.dont_write_bytecode = True
import manifest as mf  # noqa: E402
sys.path.insert(0, HERE)
import createlib  # noqa: E402
from createlib import Tap, add_owned, fmt_cmd, fmt_time, have, kind_of, scan, run, tail  # noqa: E402,F401

T = Tap()
guarded = T.guarded
finish = T.finish

ISOKIT = os.environ.get("ISOKIT") or os.path.join(
    os.environ.get("BUILDDIR", os.path.join(SRCDIR, "build")),
    "tools", "isokit", "isokit")
os.environ["ISOKIT"] = ISOKIT
os.environ["TZ"] = "UTC"
os.environ.setdefault("LC_ALL", "C.UTF-8")
time.tzset()

DEFAULT_CREATOR = "$ISOKIT create -o {out} -V ROUNDTRIP {src}"
CREATOR = os.environ.get("CREATOR") or DEFAULT_CREATOR
JOLIET_MAX = int(os.environ.get("JOLIET_MAX") or 64)
SDE = "1700000000"
IS_ROOT = os.geteuid() == 0
MAX_SHOW = 12          # differences shown per failing check
TOOL_TIMEOUT = 120

T_DEFAULT = 1614834367
T_2040 = 2209075200


def creator_is_isokit():
    if "CREATOR" not in os.environ or not os.environ["CREATOR"]:
        return True
    first = shlex.split(CREATOR)[0] if CREATOR.strip() else ""
    first = os.path.expandvars(first)
    try:
        return os.path.samefile(first, ISOKIT)
    except OSError:
        return os.path.basename(first) == "isokit"


# ------------------------------------------------------------------ TAP ----


def sha256_bytes(b):
    return hashlib.sha256(b).hexdigest()


def units(name):
    """Length of a str in UTF-16 code units."""
    return len(name.encode("utf-16-be")) // 2


def creator_cmd(out, src):
    return CREATOR.replace("{out}", shlex.quote(out)).replace(
        "{src}", shlex.quote(src))


def create(out, src, env_extra=None, timeout=300):
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    if env_extra:
        env.update(env_extra)
    cmd = creator_cmd(out, src)
    p = run(["/bin/sh", "-c", cmd], timeout=timeout, env=env)
    return cmd, p


# ------------------------------------------------------------- the tree ----

LONG_EXT_A = "A" * 70 + " first of two sharing 70 units.photo.jpeg"
LONG_EXT_B = "A" * 70 + " second of two sharing 70 units.photo.jpeg"
# a surrogate pair straddling unit 64: a cut at 64 must not split it
LONG_SURR = "s" * 63 + "\U0001F600" + " after the emoji.txt"
EXACT_64_SURR = "\U0001F4F7" * 4 + "e" * (JOLIET_MAX - 8 - 4) + ".txt"
EXACT_MAX_P1 = "f" * (JOLIET_MAX + 1 - 4) + ".txt"
LONG_DIR = "D" * 66 + " long directory name.d"
LONG_VIET = ("Kỷ niệm chuyến đi Hội An và Đà Lạt của gia đình Nguyễn "
             "mùa hè năm hai nghìn không trăm hai mươi tư.mp4")


def add_extras(src):
    """Entries added to make-tree.py's tree: Joliet shortening cases,
    owners and (as root) device nodes.  Deterministic like the rest."""
    old = os.umask(0)
    try:
        j = os.path.join(src, "joliet")
        os.mkdir(j, 0o755)
        for name, data in ((LONG_EXT_A, b"first\n"), (LONG_EXT_B, b"second\n"),
                           (LONG_SURR, b"surrogate at the cut\n"),
                           (EXACT_64_SURR, b"exactly the Joliet maximum\n"),
                           (EXACT_MAX_P1, b"one unit too long\n"),
                           (LONG_VIET, b"vietnamese long name\n")):
            p = os.path.join(j, name)
            with open(p, "wb") as fh:
                fh.write(data)
            os.chmod(p, 0o644)
            os.utime(p, (T_DEFAULT, T_DEFAULT))
        d = os.path.join(j, LONG_DIR)
        os.mkdir(d, 0o755)
        with open(os.path.join(d, "inside long dir.txt"), "wb") as fh:
            fh.write(b"inside\n")
        os.utime(os.path.join(d, "inside long dir.txt"), (T_2040, T_2040))
        os.utime(d, (T_DEFAULT, T_DEFAULT))
        os.utime(j, (T_DEFAULT, T_DEFAULT))
        if IS_ROOT:
            add_owned(src, T_DEFAULT)
            s = os.path.join(src, "special")
            os.mkdir(s, 0o755)
            os.mknod(os.path.join(s, "char-dev-1-3"), stat.S_IFCHR | 0o640,
                     os.makedev(1, 3))
            os.mkfifo(os.path.join(s, "fifo"), 0o644)
            for n in ("char-dev-1-3", "fifo"):
                os.utime(os.path.join(s, n), (T_DEFAULT, T_DEFAULT))
            os.utime(s, (T_DEFAULT, T_DEFAULT))
        os.utime(src, (T_DEFAULT, T_DEFAULT))
    finally:
        os.umask(old)


def copy_reverse(src, dst):
    """Copy a tree populating every directory in reverse (descending) name
    order, with modes, owners, times, xattrs, hard links, symlinks and
    device nodes preserved: a second tree that is identical except for the
    creation order (and so inode numbers and directory slot order)."""
    old = os.umask(0)
    links = {}
    dirs = []

    def meta(s, d, st):
        if IS_ROOT:
            os.lchown(d, st.st_uid, st.st_gid)
        if not stat.S_ISLNK(st.st_mode):
            os.chmod(d, stat.S_IMODE(st.st_mode))
            try:
                for a in os.listxattr(s):
                    os.setxattr(d, a, os.getxattr(s, a))
            except OSError:
                pass
        os.utime(d, ns=(st.st_atime_ns, st.st_mtime_ns),
                 follow_symlinks=False)

    def rec(s, d):
        os.mkdir(d, 0o700)
        for name in sorted(os.listdir(s), reverse=True):
            sp, dp = os.path.join(s, name), os.path.join(d, name)
            st = os.lstat(sp)
            m = st.st_mode
            if stat.S_ISDIR(m):
                rec(sp, dp)
                continue
            key = (st.st_dev, st.st_ino)
            if stat.S_ISREG(m) and st.st_nlink > 1 and key in links:
                os.link(links[key], dp)
                continue
            if stat.S_ISREG(m):
                with open(sp, "rb") as fi, open(dp, "wb") as fo:
                    shutil.copyfileobj(fi, fo)
            elif stat.S_ISLNK(m):
                os.symlink(os.readlink(sp), dp)
            elif stat.S_ISFIFO(m):
                os.mkfifo(dp, 0o600)
            elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
                os.mknod(dp, stat.S_IFMT(m) | 0o600, st.st_rdev)
            links[key] = dp
            meta(sp, dp, st)
        dirs.append((s, d))

    try:
        rec(src, dst)
        for s, d in dirs:   # post-order: children first
            meta(s, d, os.lstat(s))
    finally:
        os.umask(old)


# Relocation (ECMA-119 allows 8 directory levels; RRIP 4.1.5 moves deeper
# folders to a relocation directory with CL/PL/RE entries).  Readers that do
# not follow CL (isoinfo) miss the deep folders; readers that show the
# relocation directory (xorriso, the kernel) gain an empty rr_moved.  These
# are collected here and reported in one check of their own, so that the
# per-reader checks stay about attributes.
RELOC_NAMES = (b"rr_moved", b".rr_moved")
RELOC_FINDINGS = []


def is_deep(rel):
    """A path at directory level 8 or below (relocated by writers that
    keep ECMA-119's depth limit)."""
    return rel.count(b"/") >= 7


def split_reloc(reader, got, src_scan, deep_missing_ok=False):
    """Remove a top-level relocation directory not in the source from
    `got` (noting it); with deep_missing_ok, note deep source paths the
    reader does not show and return them as paths to skip.

    Findings are (tolerated, text).  Tolerated: an *empty* relocation
    directory left visible (xorriso shows one for genisoimage images too),
    and, in isoinfo, which does not implement CL/RE, the relocation
    directory with its contents and deep paths missing.  Not tolerated:
    the same in a reader that follows the standard."""
    for r in RELOC_NAMES:
        if r in got and r not in src_scan:
            below = [g for g in got if g.startswith(r + b"/")]
            RELOC_FINDINGS.append((
                not below or reader.startswith("isoinfo"),
                "%s shows the relocation directory /%s (%d entries below it)"
                % (reader, r.decode(), len(below))))
            for g in [r] + below:
                del got[g]
    skip = []
    if deep_missing_ok:
        miss = sorted(r for r in src_scan if is_deep(r) and r not in got)
        if miss:
            RELOC_FINDINGS.append((
                reader.startswith("isoinfo"),
                "%s does not show %d paths at level 8 or deeper, e.g. %s"
                % (reader, len(miss), mf.esc(miss[0]))))
            skip = miss
    return skip


# ------------------------------------------------------------ manifests ----

def compare(expected, got, fields, skip_mtime_types=(), skip_own_types=(),
            skip_paths=(), rename=None):
    """Problems (strings) between two scans.  `fields` is the set compared
    (type always is); mtime is not compared for entry types in
    skip_mtime_types, owners not for those in skip_own_types; paths below
    skip_paths are left aside.  rename maps a source path to the path
    expected in `got` (its callers do not compare hl, whose value is a
    source path)."""
    assert not (rename and "hl" in fields), "hl holds source paths"
    problems = []
    seen = set()
    for rel in sorted(expected):
        e = expected[rel]
        if any(rel == s or rel.startswith(s + b"/") for s in skip_paths):
            continue
        grel = rename(rel) if rename else rel
        if grel is None:
            continue
        seen.add(grel)
        g = got.get(grel)
        if g is None:
            problems.append("missing: %s (%s)" % (mf.esc(rel), e["type"]))
            continue
        if g["type"] != e["type"]:
            problems.append("%s: type %s, expected %s"
                            % (mf.esc(rel), g["type"], e["type"]))
            continue
        for f in fields:
            if f == "mode" and e["type"] == "l":
                continue
            if f == "mtime" and e["type"] in skip_mtime_types:
                continue
            if f == "own" and e["type"] in skip_own_types:
                continue
            if f == "nlink" and e["type"] == "d":
                continue
            if f in ("size", "sha256", "hl") and e["type"] != "f":
                continue
            ev, gv = e.get(f), g.get(f)
            if ev != gv:
                if f == "mode":
                    ev, gv = ("%04o" % ev if ev is not None else ev,
                              "%04o" % gv if gv is not None else gv)
                if f == "mtime":
                    ev = "%s (%s)" % (ev, fmt_time(ev))
                    gv = "%s (%s)" % (gv, fmt_time(gv))
                if f == "sha256":
                    ev, gv = ev[:12] if ev else ev, gv[:12] if gv else gv
                if f == "target":
                    ev, gv = mf.esc(ev), mf.esc(gv) if gv is not None else None
                problems.append("%s: %s %s, expected %s"
                                % (mf.esc(rel), f, gv, ev))
    for grel in sorted(set(got) - seen):
        if any(grel == s or grel.startswith(s + b"/") for s in skip_paths):
            continue
        problems.append("unexpected: %s (%s)"
                        % (mf.esc(grel), got[grel]["type"]))
    return problems


# ------------------------------------------------------- raw Joliet walk ----

def read_joliet(img):
    """Walk the Joliet tree of img from its directory records.  Returns
    (paths, problems): paths maps a tuple of names (str, decoded strictly
    from UTF-16BE, ';1' removed) to (is_dir, size); problems lists raw
    encoding errors (lone surrogates, odd lengths), names recorded twice in
    a directory and broken multi-extent chains.  A record continues the
    previous one (one more extent of a file > 4 GiB, sizes added) only when
    the previous record has the same name and the multi-extent flag (0x80);
    any other repeated name is a duplicate.  paths is None when there is no
    Joliet volume descriptor."""
    problems = []
    with open(img, "rb") as fh:
        def sectors(lba, nbytes):
            fh.seek(lba * 2048)
            return fh.read(nbytes)
        root = None
        for lba in range(16, 64):
            vd = sectors(lba, 2048)
            if len(vd) < 2048 or vd[1:6] != b"CD001" or vd[0] == 255:
                break
            if vd[0] == 2 and vd[88:91] in (b"%/@", b"%/C", b"%/E"):
                root = vd[156:156 + 34]
                break
        if root is None:
            return None, ["no Joliet supplementary volume descriptor"]
        paths = {}
        visited = set()

        def walk(extent, size, prefix, depth):
            if depth > 40 or extent in visited:
                problems.append("directory loop or depth at %s"
                                % "/".join(prefix))
                return
            visited.add(extent)
            data = sectors(extent, size)
            pos = 0
            prev = None     # (key, flags) of the previous record here
            while pos < len(data):
                ln = data[pos]
                if ln == 0:
                    pos = (pos // 2048 + 1) * 2048
                    continue
                rec = data[pos:pos + ln]
                pos += ln
                if len(rec) < 34:
                    problems.append("short record in %s" % "/".join(prefix))
                    break
                ext = struct.unpack("<I", rec[2:6])[0]
                dsize = struct.unpack("<I", rec[10:14])[0]
                flags = rec[25]
                nl = rec[32]
                raw = rec[33:33 + nl]
                if raw in (b"\x00", b"\x01"):
                    continue
                if nl % 2:
                    problems.append("odd-length Joliet name %r in %s"
                                    % (raw, "/".join(prefix)))
                    continue
                try:
                    name = raw.decode("utf-16-be")
                except UnicodeDecodeError as e:
                    problems.append("invalid UTF-16 (split surrogate pair?) "
                                    "%s in /%s: %s"
                                    % (raw.hex(), "/".join(prefix), e))
                    name = raw.decode("utf-16-be", "replace")
                if name.endswith(";1"):
                    name = name[:-2]
                key = prefix + (name,)
                isdir = bool(flags & 2)
                continues = prev is not None and prev[0] == key \
                    and prev[1] & 0x80
                if prev is not None and prev[1] & 0x80 and not continues:
                    problems.append("multi-extent %s in /%s: the record "
                                    "after a non-final extent is %s"
                                    % (prev[0][-1], "/".join(prefix), name))
                prev = (key, flags)
                if continues:      # multi-extent file: one more extent
                    paths[key] = (isdir, paths[key][1] + dsize)
                elif key in paths:
                    problems.append("duplicate Joliet name %s in /%s"
                                    % (name, "/".join(prefix)))
                else:
                    paths[key] = (isdir, dsize)
                    if isdir:
                        walk(ext, dsize, key, depth + 1)
            if prev is not None and prev[1] & 0x80:
                problems.append("multi-extent %s in /%s: no final extent "
                                "(the last record has flag 0x80)"
                                % (prev[0][-1], "/".join(prefix)))

        walk(struct.unpack("<I", root[2:6])[0],
             struct.unpack("<I", root[10:14])[0], (), 0)
    return paths, problems


def ext_of(name):
    i = name.rfind(".")
    if i <= 0:
        return ""
    e = name[i:]
    return e if units(e) <= 16 else ""


def joliet_map(src_scan, jpaths):
    """Pair every source path with its Joliet path.  Returns (mapping
    bytes->bytes, name_problems, short_problems).  Names of at most
    JOLIET_MAX units must be identical, and no Joliet entry may be left
    unpaired (name_problems); longer ones are paired with the leftover
    Joliet names by longest common prefix and must be short enough, keep
    the extension and share a prefix with the source name
    (short_problems).  Symlinks and device nodes may be absent.  Joliet
    names are unique per directory here: read_joliet reports duplicates."""
    name_problems = []
    short_problems = []
    mapping = {b"": b""}
    children = {}
    for rel in src_scan:
        parent, _, name = rel.rpartition(b"/")
        children.setdefault(parent, []).append(name)
    jchildren = {}
    for key in jpaths:
        jchildren.setdefault("/".join(key[:-1]), []).append(key[-1])
    # walk source dirs top-down (parents mapped first)
    for parent in sorted(children, key=lambda p: (p.count(b"/"), p)):
        if parent not in mapping:
            continue       # parent missing in Joliet: already reported
        jparent = os.fsdecode(mapping[parent])
        left = set(jchildren.get(jparent, []))
        longs = []
        for nb in sorted(children[parent]):
            rel = parent + b"/" + nb if parent else nb
            n = os.fsdecode(nb)
            e = src_scan[rel]
            if units(n) <= JOLIET_MAX:
                if n in left:
                    left.discard(n)
                    mapping[rel] = os.fsencode(jparent + "/" + n
                                               if jparent else n)
                elif e["type"] in ("f", "d"):
                    name_problems.append("%s: name of %d units not in "
                                         "Joliet unchanged"
                                         % (mf.esc(rel), units(n)))
            else:
                longs.append((rel, n, e))
        for rel, n, e in longs:
            if not left:
                if e["type"] in ("f", "d"):
                    short_problems.append("%s (%d units): no Joliet entry"
                                          % (mf.esc(rel), units(n)))
                continue
            src16 = n.encode("utf-16-be")

            def common(j):
                j16 = j.encode("utf-16-be")
                k = 0
                while k < min(len(j16), len(src16)) and j16[k] == src16[k]:
                    k += 1
                return k
            best = max(sorted(left), key=common)
            if common(best) < 8 and e["type"] not in ("f", "d"):
                continue
            left.discard(best)
            mapping[rel] = os.fsencode(jparent + "/" + best
                                       if jparent else best)
            if units(best) > JOLIET_MAX:
                short_problems.append(
                    "%s: Joliet name has %d units (max %d): %s"
                    % (mf.esc(rel), units(best), JOLIET_MAX, best))
            x = ext_of(n) if e["type"] == "f" else ""
            if x and not best.endswith(x):
                short_problems.append("%s: shortened Joliet name %r lost "
                                      "the extension %r"
                                      % (mf.esc(rel), best, x))
            if common(best) < 2 * min(8, units(n)):
                short_problems.append("%s: shortened Joliet name %r shares "
                                      "almost nothing with the source name"
                                      % (mf.esc(rel), best))
        for n in sorted(left):
            name_problems.append("unexpected Joliet entry /%s"
                                 % (jparent + "/" + n if jparent else n))
    return mapping, name_problems, short_problems


def latin1_projection(name):
    """How isoinfo -J prints a Joliet name: units above U+00FF become '_'."""
    raw = name.encode("utf-16-be")
    out = bytearray()
    for i in range(0, len(raw), 2):
        u = (raw[i] << 8) | raw[i + 1]
        out += bytes([u]) if u < 0x100 else b"_"
    return bytes(out)


# -------------------------------------------------------------- readers ----

def isoinfo_rr_listing(img):
    """Parse `isoinfo -R -l` into path(bytes) -> attributes."""
    p = run(["isoinfo", "-R", "-l", "-i", img])
    if p.returncode != 0:
        return None, "isoinfo -R -l exit %d: %s" % (p.returncode,
                                                    tail(p.stderr))
    # isoinfo prints uid and gid with "%4d %4d" from bytes it misreads
    # (1234:5678 shows as 2322:13056), and they can run together: owners
    # are not taken from isoinfo.
    rx = re.compile(rb"^([-dlcbpsf?])([-rwxsStT]{9})\s+(\d+)"
                    rb"\s+(\d+\s+\d+|\d+)\s+(\d+)\s+(\w{3})\s+(\d+)\s+(\d+)"
                    rb"\s+\[\s*(\d+)\s+(\d+)\]  (.*)$")
    out = {}
    cur = None
    bad = []
    for ln in p.stdout.split(b"\n"):
        if ln.startswith(b"Directory listing of "):
            cur = ln[len(b"Directory listing of "):].strip(b"/")
            continue
        if not ln.strip() or cur is None:
            continue
        m = rx.match(ln)
        if not m:
            bad.append(ln)
            continue
        t, perm, nlink, _owners, size, mon, day, year, ext, fl, rest = \
            m.groups()
        target = None
        if t == b"l" and b" -> " in rest:
            rest, target = rest.split(b" -> ", 1)
        elif rest.endswith(b" "):
            rest = rest[:-1]
        if rest in (b"", b".", b".."):
            continue     # "." and ".." (shown without a name for RRIP 1.12)
        rel = cur + b"/" + rest if cur else rest
        e = {"type": {b"-": "f", b"d": "d", b"l": "l", b"c": "c", b"b": "b",
                      b"p": "p", b"f": "p"}.get(t, "?"),
             "perm": perm.decode(), "nlink": int(nlink), "size": int(size),
             "day": "%s %2d %s" % (mon.decode(), int(day), year.decode())}
        if target is not None:
            e["target"] = target
        out[rel] = e
    if bad:
        return out, "unparsed isoinfo lines: " + "; ".join(
            mf.esc(b) for b in bad[:3])
    return out, None


def check_isoinfo_rr(img, src_scan):
    if not have("isoinfo"):
        T.skip("isoinfo -R -l lists the source tree", "isoinfo not installed")
        T.skip("isoinfo -R -x extracts sample files", "isoinfo not installed")
        return
    lst, err = isoinfo_rr_listing(img)
    problems = [err] if err else []
    if lst is None:
        T.fail("isoinfo -R -l lists the source tree", err)
    else:
        deep_skip = set(split_reloc("isoinfo -R -l", lst, src_scan,
                                    deep_missing_ok=True))
        for rel in sorted(src_scan):
            e = src_scan[rel]
            g = lst.get(rel)
            if rel in deep_skip:
                continue
            if g is None:
                problems.append("missing: %s" % mf.esc(rel))
                continue
            if g["type"] != e["type"]:
                problems.append("%s: type %s, expected %s"
                                % (mf.esc(rel), g["type"], e["type"]))
                continue
            # isoinfo shows rwx only (no setuid/setgid/sticky letters)
            want_perm = stat.filemode(e["mode"] & 0o777)[1:]
            if e["type"] != "l" and g["perm"] != want_perm:
                problems.append("%s: %s, expected %s"
                                % (mf.esc(rel), g["perm"], want_perm))
            if e["type"] == "f":
                if g["size"] != e["size"]:
                    problems.append("%s: size %d, expected %d"
                                    % (mf.esc(rel), g["size"], e["size"]))
                if g["nlink"] != e["nlink"]:
                    problems.append("%s: nlink %d, expected %d"
                                    % (mf.esc(rel), g["nlink"], e["nlink"]))
            if e["type"] == "l" and g.get("target") != e["target"]:
                problems.append("%s: target %s, expected %s"
                                % (mf.esc(rel), mf.esc(g.get("target") or b""),
                                   mf.esc(e["target"])))
            tm = time.gmtime(e["mtime"])
            day = "%s %2d %d" % (time.strftime("%b", tm), tm.tm_mday,
                                 tm.tm_year)
            if e["type"] != "l" and g["day"] != day:
                problems.append("%s: recording date %s, expected %s"
                                % (mf.esc(rel), g["day"], day))
        for rel in sorted(set(lst) - set(src_scan)):
            problems.append("unexpected: %s" % mf.esc(rel))
        T.problems("isoinfo -R -l: paths, types, rwx permissions, sizes, "
                   "nlink, symlink targets, dates (day)", problems)

    # content of a sample through isoinfo -R -x
    sample = [rel for rel in sorted(src_scan)
              if src_scan[rel]["type"] == "f" and any(
                  os.fsdecode(rel).startswith(pfx) for pfx in (
                      "long/L250-", "long/U250-", "unicode/Ph",
                      "unicode/emoji", "unicode/中文", "zdata/text-300k",
                      "zdata/zeros-160k", "links/hard-triple-",
                      "ascii/exact-2048", "ascii/empty.txt", "joliet/",
                      "deep/level01/level02/level03/level04/level05/level06/"
                      "level07/level08/level09/level10/level11/level12/lea"))]
    bad = []
    sample = [r for r in sample if not (is_deep(r) and lst is not None
                                        and r not in lst)]
    for rel in sample:
        p = run(["isoinfo", "-R", "-x", b"/" + rel, "-i", img])
        if p.returncode != 0 or sha256_bytes(p.stdout) != \
                src_scan[rel]["sha256"]:
            bad.append("%s: exit %d, %d bytes (expected %d)%s"
                       % (mf.esc(rel), p.returncode, len(p.stdout),
                          src_scan[rel]["size"],
                          "" if p.stdout == b"" or len(p.stdout) != src_scan[
                              rel]["size"] else ", content differs"))
    T.problems("isoinfo -R -x: content of %d sample files" % len(sample), bad)


def extract_and_compare(title, cmd, out, src_scan, fields, **kw):
    guarded(title, _extract_and_compare, title, cmd, out, src_scan, fields,
            kw)


def _extract_and_compare(title, cmd, out, src_scan, fields, kw):
    os.makedirs(out, exist_ok=True)
    p = run(cmd)
    if p.returncode != 0:
        T.fail("%s: exits 0" % title, "%s\nexit %d: %s"
               % (fmt_cmd(cmd), p.returncode, tail(p.stderr + p.stdout)))
        mf.force_rmtree(out)
        return
    got = scan(out)
    split_reloc(title.split(":")[0], got, src_scan)
    problems = compare(src_scan, got, fields, **kw)
    mf.force_rmtree(out)
    if any("long-target-link: target" in x for x in problems):
        problems.append("(hint: libarchive 3.6 drops the '/' between two "
                        "components when an SL entry with the CONTINUE flag "
                        "ends on a component boundary; splitting SL entries "
                        "inside a component avoids it)")
    T.problems("%s: %s equal the source" % (title, ", ".join(
        ["names", "types"] + fields)), problems)


def rr_fields(owners=True, rdev=True):
    f = ["mode", "size", "sha256", "mtime", "target", "hl"]
    if IS_ROOT and owners:
        f.append("own")
    if IS_ROOT and rdev:
        f.append("rdev")
    return f


# --------------------------------------------------------------- checks ----

def check_image(img):
    # isovfy
    if have("isovfy"):
        p = run(["isovfy", img])
        out = p.stdout.decode("utf-8", "replace")
        lines = [ln for ln in out.splitlines()
                 if ln.strip() and not ln.startswith("Root at extent")
                 and ln.strip() != "[0 0]" and ln.strip() != "No errors found"]
        T.check(p.returncode == 0 and "No errors found" in out and not lines,
                "isovfy reports no errors",
                "exit %d\n%s" % (p.returncode, "\n".join(
                    (lines or out.splitlines())[:MAX_SHOW])))
    else:
        T.skip("isovfy reports no errors", "isovfy not installed")
    # isoinfo -d
    if have("isoinfo"):
        p = run(["isoinfo", "-d", "-i", img])
        out = p.stdout.decode("utf-8", "replace")
        miss = []
        if p.returncode != 0:
            miss.append("exit %d: %s" % (p.returncode, tail(p.stderr)))
        if not re.search(r"^Volume id: ROUNDTRIP\s*$", out, re.M):
            miss.append("no 'Volume id: ROUNDTRIP' line")
        if "Rock Ridge signatures" not in out:
            miss.append("no Rock Ridge")
        if "Joliet with UCS level 3 found" not in out:
            miss.append("no Joliet (UCS level 3)")
        T.problems("isoinfo -d: volume id ROUNDTRIP, Rock Ridge, Joliet",
                   miss + (["--- isoinfo -d:"] + out.splitlines()
                           if miss else []))
    else:
        T.skip("isoinfo -d: volume id ROUNDTRIP, Rock Ridge, Joliet",
               "isoinfo not installed")
    # Rock Ridge 1.12: ER identifier IEEE_1282 (1.10 is RRIP_1991A)
    with open(img, "rb") as fh:
        head = fh.read(64 * 1024 * 1024)
    ids = sorted({m.decode() for m in re.findall(
        rb"RRIP_1991A|IEEE_P1282|IEEE_1282", head)})
    T.check(ids == ["IEEE_1282"],
            "Rock Ridge ER entry says RRIP 1.12 (IEEE_1282)",
            "ER identifiers found: %s" % (", ".join(ids) or "none"))


def check_joliet(img, src_scan):
    """Returns the source->Joliet path mapping (or None)."""
    jpaths, raw_problems = read_joliet(img)
    if jpaths is None:
        T.fail("Joliet names (raw UTF-16 records)", "\n".join(raw_problems))
        return None
    mapping, name_problems, rest = joliet_map(src_scan, jpaths)
    T.problems("Joliet (raw records): valid UTF-16, names unique in their "
               "directory, names of <= %d UTF-16 units equal the source "
               "names, emoji as surrogate pairs" % JOLIET_MAX,
               raw_problems + name_problems)
    longs = [(r, mapping.get(r)) for r in sorted(src_scan)
             if units(os.fsdecode(r.rpartition(b"/")[2])) > JOLIET_MAX]
    detail = ["%s -> %s" % (mf.esc(r.rpartition(b"/")[2]),
                            mf.esc(j.rpartition(b"/")[2]) if j else None)
              for r, j in longs]
    title = ("Joliet: %d longer names shortened to <= %d units, extension "
             "kept" % (len(longs), JOLIET_MAX))
    if rest:
        T.problems(title, rest + ["--- pairs:"] + detail)
    else:
        T.ok(title)
        T.note("\n".join(detail[:8]))

    # isoinfo -J -f
    if have("isoinfo"):
        p = run(["isoinfo", "-J", "-f", "-i", img])
        lines = [ln.lstrip(b"/") for ln in p.stdout.split(b"\n") if ln]
        got = set(lines)
        # how often each line is expected: distinct Joliet paths can print
        # alike when they differ only in units above U+00FF.  (A file of
        # more than 4 GiB would be listed once per extent; the tree has
        # none.)
        want = collections.Counter(
            b"/".join(latin1_projection(n) for n in key) for key in jpaths)
        probs = []
        if p.returncode != 0:
            probs.append("exit %d: %s" % (p.returncode, tail(p.stderr)))
        probs += ["missing: " + mf.esc(x) for x in sorted(set(want) - got)]
        probs += ["unexpected: " + mf.esc(x)
                  for x in sorted(got - set(want))]
        # a line listed more often than Joliet paths print so: a duplicate
        # (or fewer: one hidden)
        shown = collections.Counter(lines)
        probs += ["listed %d times, expected %d: %s"
                  % (shown[x], want[x], mf.esc(x))
                  for x in sorted(got & set(want)) if shown[x] != want[x]]
        # and directly against the source for names within the limit
        for rel in sorted(src_scan):
            if src_scan[rel]["type"] not in ("f", "d"):
                continue
            comps = os.fsdecode(rel).split("/")
            if all(units(c) <= JOLIET_MAX for c in comps):
                w = b"/".join(latin1_projection(c) for c in comps)
                if w not in got:
                    probs.append("source %s: isoinfo -J shows no %s"
                                 % (mf.esc(rel), mf.esc(w)))
        T.problems("isoinfo -J -f names every Joliet path (units > U+00FF "
                   "shown as '_')", probs)
    else:
        T.skip("isoinfo -J -f names every Joliet path", "isoinfo missing")
    return mapping


def joliet_compare(title, cmd, out, src_scan, mapping):
    guarded(title, _joliet_compare, title, cmd, out, src_scan, mapping)


def _joliet_compare(title, cmd, out, src_scan, mapping):
    os.makedirs(out, exist_ok=True)
    p = run(cmd)
    if p.returncode != 0:
        T.fail("%s: exits 0" % title, "%s\nexit %d: %s"
               % (fmt_cmd(cmd), p.returncode, tail(p.stderr + p.stdout)))
        mf.force_rmtree(out)
        return
    got = scan(out)
    # only regular files and directories are held to Joliet: what the
    # reader shows for a source entry of another type is left aside
    inv = {j: r for r, j in mapping.items()}

    def held(jrel, e):
        srel = inv.get(jrel, jrel)
        return e["type"] in ("f", "d") and (
            srel not in src_scan or src_scan[srel]["type"] in ("f", "d"))
    problems = compare(
        {r: e for r, e in src_scan.items() if e["type"] in ("f", "d")},
        {r: e for r, e in got.items() if held(r, e)},
        ["size", "sha256", "mtime"],
        rename=lambda r: mapping.get(r, r), skip_paths=[b"[BOOT]"])
    mf.force_rmtree(out)
    T.problems("%s: Joliet names, content, file and directory mtimes equal "
               "the source" % title, problems)


# mount errors that say the environment cannot mount an ISO image (no
# iso9660 driver, no loop devices, not allowed); any other mount error fails
MOUNT_ENV_RX = re.compile(
    r"unknown filesystem type '?iso9660|failed to setup loop device|"
    r"cannot find an unused loop device|permission denied|"
    r"must be superuser|only root can", re.I)


def check_kernel(img, src_scan, work):
    title = "Linux kernel (mount -t iso9660 -o loop,ro): names, types, modes, sizes, " \
            "content, mtimes, symlinks, nlink, owners, devices"
    if not IS_ROOT:
        T.skip(title, "not root")
        return
    mnt = os.path.join(work, "mnt")
    os.makedirs(mnt, exist_ok=True)
    p = run(["mount", "-t", "iso9660", "-o", "loop,ro", img, mnt], timeout=60)
    if p.returncode != 0:
        err = tail(p.stderr + p.stdout)
        if p.returncode == -998 or MOUNT_ENV_RX.search(err):
            # no iso9660 driver, no loop device, no mount permission here
            T.skip(title, "cannot mount here: " + tail(err, 200).replace(
                "\n", " "))
        else:
            T.fail(title, "mount -o loop,ro exit %d: %s"
                   % (p.returncode, err))
        return
    try:
        got = scan(mnt)
        split_reloc("the Linux kernel", got, src_scan)
        problems = compare(src_scan, got, rr_fields() + ["nlink"])
    finally:
        run(["umount", mnt], timeout=60)
    T.problems(title, problems)


def check_repro(src, work, is_isokit):
    env = {"SOURCE_DATE_EPOCH": SDE}
    a = os.path.join(work, "repro-a.iso")
    b = os.path.join(work, "repro-b.iso")
    c = os.path.join(work, "repro-rev.iso")
    rev = os.path.join(work, "src-reversed")
    copy_reverse(src, rev)
    # the copy must have the same manifest (else the test itself is wrong)
    pr = compare(scan(src), scan(rev), rr_fields() + ["nlink"])
    if pr:
        T.fail("reverse-order copy of the tree equals the source (test "
               "setup)", "\n".join(pr[:MAX_SHOW]))
    results = {}
    for path, tree in ((a, src), (b, src), (c, rev)):
        cmd, p = create(path, tree, env)
        results[path] = (p.returncode == 0 and os.path.isfile(path),
                         "%s: exit %d: %s" % (cmd, p.returncode,
                                              tail(p.stderr)))

    def same(x, y, desc, todo=None):
        """x and y have identical bytes; a difference is a TODO with reason
        `todo` when given, else a failure."""
        if not results[x][0] or not results[y][0]:
            T.fail(desc, "\n".join(results[z][1] for z in (x, y)
                                   if not results[z][0]))
            return
        with open(x, "rb") as f1, open(y, "rb") as f2:
            d1, d2 = f1.read(), f2.read()
        if d1 == d2:
            T.ok(desc)
            return
        diffs = []
        n = 0
        for off in range(0, max(len(d1), len(d2)), 2048):
            if d1[off:off + 2048] != d2[off:off + 2048]:
                n += 1
                if len(diffs) < 8:
                    s1, s2 = d1[off:off + 2048], d2[off:off + 2048]
                    k = next((i for i in range(min(len(s1), len(s2)))
                              if s1[i] != s2[i]), min(len(s1), len(s2)))
                    diffs.append("sector %d differs from byte %d: %s / %s"
                                 % (off // 2048, k, s1[k:k + 12].hex(),
                                    s2[k:k + 12].hex()))
        detail = "sizes %d and %d; %d sectors differ\n%s" % (
            len(d1), len(d2), n, "\n".join(diffs))
        if todo:
            T.todo(desc, todo, detail)
        else:
            T.fail(desc, detail)

    same(a, b, "reproducible: SOURCE_DATE_EPOCH=%s, two runs give identical "
         "bytes" % SDE)
    # isokit must not depend on the order the source was created in; another
    # creator may (directory order, inode numbers), which is not an error
    same(a, c, "reproducible: a copy populated in reverse order (other "
         "inodes, other directory order) gives identical bytes",
         todo=None if is_isokit else "the non-isokit creator may "
         "legitimately depend on the creation order")
    mf.force_rmtree(rev)
    return a if results[a][0] else None


# ------------------------------------------------ isokit failure checks ----

def leftovers(d, keep=()):
    return sorted(n for n in os.listdir(d) if n not in keep)


def expect_failure(desc, rc, err, d, name=None, keep=("src",)):
    """One failure check of isokit create: exit status 1, a message on
    stderr that names `name` (when given), and nothing in d but `keep`
    (no output or temporary file)."""
    if isinstance(err, bytes):
        err = err.decode("utf-8", "replace")
    probs = []
    if rc != 1:
        probs.append("exit %d, expected 1" % rc)
    if not err.strip():
        probs.append("no message on stderr")
    if name is not None and name not in err:
        probs.append("stderr does not name %s" % name)
    left = leftovers(d, keep)
    if left:
        probs.append("left in %s: %s" % (d, left))
    T.problems(desc, probs + (["stderr: " + tail(err, 500)] if probs else []))
    said(probs, err)


def check_failures(work, repro_img, is_isokit):
    names = ["create: unreadable file -> exit 1, path named, no output file",
             "create: full filesystem -> exit 1, no output or temp file left",
             "create: file growing while read -> exit 1, path named",
             "create: SIGINT -> non-zero exit, no output or temp file left",
             "create -o -: image on stdout identical to the -o file "
             "(but for the isomd5sum record, which needs to seek)",
             "create -o -: isoinfo -d accepts the image from stdout"]
    if not is_isokit:
        for n in names:
            T.skip(n, "creator is not isokit")
        return
    if not os.access(ISOKIT, os.X_OK):
        for n in names:
            T.skip(n, "ISOKIT not executable")
        return

    def small_tree(d):
        os.makedirs(d)
        for i in range(3):
            with open(os.path.join(d, "f%d.txt" % i), "wb") as fh:
                fh.write(b"x" * 1000)

    # (a) unreadable file
    d = os.path.join(work, "fail-a")
    os.makedirs(d)
    os.chmod(d, 0o777)
    src = os.path.join(d, "src")
    small_tree(src)
    bad = os.path.join(src, "unreadable-file.bin")
    with open(bad, "wb") as fh:
        fh.write(b"secret" * 100)
    os.chmod(bad, 0)
    out = os.path.join(d, "out.iso")
    kw = {}
    if IS_ROOT:
        # root reads a 0000 file: run isokit as nobody instead
        for p_ in (d, src):
            os.chmod(p_, 0o777 if p_ == d else 0o755)
        kw = dict(user=65534, group=65534, extra_groups=[])
        ok_chain = all(os.stat(x).st_mode & 0o005 == 0o005 for x in
                       _ancestors(ISOKIT) + _ancestors(d))
        if not ok_chain:
            T.skip(names[0], "running as root and nobody cannot reach "
                   "ISOKIT or the scratch directory")
            kw = None
    if kw is not None:
        p = run([ISOKIT, "create", "-o", out, "-V", "X", src], timeout=60,
                **kw)
        expect_failure(names[0] + (" (run as nobody)" if IS_ROOT else ""),
                       p.returncode, p.stderr, d, name="unreadable-file.bin")
    mf.force_rmtree(d)

    # (b) full filesystem
    if not IS_ROOT:
        T.skip(names[1], "mounting a tmpfs needs root")
    else:
        d = os.path.join(work, "fail-b")
        src = os.path.join(d, "src")
        small_tree(src)
        with open(os.path.join(src, "big.bin"), "wb") as fh:
            fh.write(os.urandom(3 * 1024 * 1024))
        mnt = os.path.join(d, "small")
        os.makedirs(mnt)
        p = run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt])
        if p.returncode != 0:
            T.skip(names[1], "mount -t tmpfs failed: " + tail(p.stderr, 200))
        else:
            try:
                out = os.path.join(mnt, "out.iso")
                p = run([ISOKIT, "create", "-o", out, "-V", "X", src],
                        timeout=60)
                expect_failure(names[1], p.returncode, p.stderr, mnt,
                               keep=())
            finally:
                run(["umount", mnt])
        mf.force_rmtree(d)

    # (c) file growing while read
    d = os.path.join(work, "fail-c")
    src = os.path.join(d, "src")
    small_tree(src)
    grow = os.path.join(src, "growing-file.bin")
    with open(grow, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    out = os.path.join(d, "out.iso")
    stop = threading.Event()

    def appender():
        chunk = b"g" * 65536
        added = 0
        with open(grow, "ab") as fh:
            while not stop.is_set() and added < 400 * 1024 * 1024:
                fh.write(chunk)
                fh.flush()
                added += len(chunk)
                time.sleep(0.002)
    th = threading.Thread(target=appender, daemon=True)
    th.start()
    time.sleep(0.05)
    p = run([ISOKIT, "create", "-o", out, "-V", "X", src], timeout=120)
    stop.set()
    th.join()
    expect_failure(names[2], p.returncode, p.stderr, d,
                   name="growing-file.bin")
    mf.force_rmtree(d)

    # (d) SIGINT
    d = os.path.join(work, "fail-d")
    src = os.path.join(d, "src")
    small_tree(src)
    for i in range(10):    # 20 GiB of sparse data, no file > 4 GiB
        with open(os.path.join(src, "sparse-%02d.bin" % i), "wb") as fh:
            fh.truncate(2 * 1024 ** 3)
    out = os.path.join(d, "out.iso")
    proc = subprocess.Popen([ISOKIT, "create", "-o", out, "-V", "X", src],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)
    probs = []
    if proc.poll() is not None:
        probs.append("exited (%d) before the signal was sent"
                     % proc.returncode)
    else:
        proc.send_signal(signal.SIGINT)
    try:
        _, errb = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, errb = proc.communicate()
        probs.append("still running 20 s after SIGINT (killed)")
    if proc.returncode == 0:
        probs.append("exit 0 after SIGINT")
    left = leftovers(d, keep=("src",))
    if left:
        probs.append("left in the output directory: %s" % left)
    T.problems(names[3] + " (exit %s)" % proc.returncode,
               probs + (["stderr: " + tail(errb, 500)] if probs else []))
    said(probs, errb)
    mf.force_rmtree(d)

    # (e) -o -: the creator command with "-" for {out}, made like the
    # reproducibility image (repro_img), through a real pipe (not seekable),
    # as in `isokit create -o - | ...`
    d = os.path.join(work, "fail-e")
    os.makedirs(d)
    piped = os.path.join(d, "stdout.iso")
    cmd, p = create("-", SRC_ROOT, {"SOURCE_DATE_EPOCH": SDE}, timeout=120)
    with open(piped, "wb") as fh:
        fh.write(p.stdout)
    probs = []
    if p.returncode != 0:
        probs.append("%s\nexit %d: %s"
                     % (cmd, p.returncode, tail(p.stderr, 500)))
    if repro_img is None:
        probs.append("no -o image with SOURCE_DATE_EPOCH to compare with")
    elif not probs:
        # a pipe cannot seek back to the primary descriptor, where the
        # isomd5sum record (known only at the end) goes: isokit says so and
        # leaves the field blank; every other byte must be the same
        with open(piped, "rb") as f1, open(repro_img, "rb") as f2:
            a, b = f1.read(), bytearray(f2.read())
        rec = 16 * 2048 + 883
        if b[rec:rec + 13] == b"ISO MD5SUM = ":
            b[rec:rec + 512] = b" " * 512
            if b"isomd5sum" not in p.stderr:
                probs.append("no warning that the piped image has no isomd5sum "
                             "record: " + tail(p.stderr, 300))
        if a != bytes(b):
            probs.append("differs from the -o image (%d vs %d bytes)"
                         % (len(a), len(b)))
    T.problems(names[4], probs)
    if have("isoinfo"):
        q = run(["isoinfo", "-d", "-i", piped])
        out = q.stdout.decode("utf-8", "replace")
        T.check(p.returncode == 0 and q.returncode == 0 and re.search(
                    r"^Volume id: ROUNDTRIP\s*$", out, re.M), names[5],
                "create exit %d; isoinfo -d exit %d: %s"
                % (p.returncode, q.returncode, tail(q.stderr + q.stdout,
                                                    300)))
    else:
        T.skip(names[5], "isoinfo not installed")
    mf.force_rmtree(d)


def said(probs, err):
    if not probs:
        T.note("isokit said: " + tail(err, 300).replace("\n", " | "))


def _ancestors(path):
    out = []
    path = os.path.dirname(os.path.abspath(path))
    while True:
        out.append(path)
        if path == "/":
            return out
        path = os.path.dirname(path)


# ----------------------------------------------------------------- main ----

SRC_ROOT = None


def main():
    global SRC_ROOT
    base = os.environ.get("TMPDIR") or "/tmp"
    work = tempfile.mkdtemp(prefix="isokit-create-rt.", dir=base)
    os.chmod(work, 0o755)
    is_isokit = creator_is_isokit()
    T.note("creator: %s%s" % (CREATOR, "  (isokit)" if is_isokit else ""))
    T.note("scratch: %s; root: %s; Joliet limit %d units"
           % (work, IS_ROOT, JOLIET_MAX))
    try:
        src = os.path.join(work, "src")
        SRC_ROOT = src
        p = run([sys.executable, os.path.join(INTEROP, "make-tree.py"), src])
        if p.returncode != 0:
            T.fail("make-tree.py builds the source tree", tail(p.stderr))
            return finish()
        add_extras(src)
        src_scan = scan(src)
        img = os.path.join(work, "image.iso")
        t0 = time.time()
        cmd, p = create(img, src)
        if p.returncode != 0 or not os.path.isfile(img):
            T.fail("creator makes the image", "%s\nexit %d: %s"
                   % (cmd, p.returncode, tail(p.stderr + p.stdout)))
            T.note("no image: every reader check is skipped")
            for what in ("image", "readers", "Joliet", "kernel"):
                T.skip("%s checks" % what, "creator failed")
        else:
            T.ok("creator makes the image (%d bytes, %.1f s)"
                 % (os.path.getsize(img), time.time() - t0))
            guarded("check_image", check_image, img)

            if have("xorriso"):
                extract_and_compare(
                    "xorriso -osirrox extract",
                    ["xorriso", "-osirrox", "on:device_files",
                     "-hardlinks", "on", "-indev", img, "-extract", "/",
                     os.path.join(work, "x-xorriso")],
                    os.path.join(work, "x-xorriso"), src_scan, rr_fields(),
                    skip_mtime_types=("l",), skip_own_types=("l",))
            else:
                T.skip("xorriso extract", "xorriso not installed")
            if have("bsdtar"):
                out = os.path.join(work, "x-bsdtar")
                extract_and_compare(
                    "bsdtar -xpf", ["bsdtar", "-xpf", img, "-C", out],
                    out, src_scan, rr_fields())
            else:
                T.skip("bsdtar -xpf", "bsdtar not installed")
            guarded("check_isoinfo_rr", check_isoinfo_rr, img, src_scan)
            mapping = guarded("check_joliet", check_joliet, img, src_scan)
            sz = shutil.which("7zz") or shutil.which("7z")
            if sz and mapping is not None:
                out = os.path.join(work, "x-7z")
                joliet_compare("7-Zip x", [sz, "x", "-y", "-bd", "-o" + out,
                                           img], out, src_scan, mapping)
            else:
                T.skip("7-Zip x", "7zz not installed or no Joliet tree")
            if os.access(ISOKIT, os.X_OK):
                out = os.path.join(work, "x-isokit")
                extract_and_compare(
                    "isokit extract", [ISOKIT, "extract", "-q", img, "-C",
                                       out],
                    out, src_scan, rr_fields())
                if mapping is not None:
                    out = os.path.join(work, "x-isokit-joliet")
                    joliet_compare("isokit extract --namespace joliet",
                                   [ISOKIT, "extract", "-q", img, "-C", out,
                                    "--namespace", "joliet"],
                                   out, src_scan, mapping)
                else:
                    T.skip("isokit extract --namespace joliet",
                           "no Joliet tree")
            else:
                T.skip("isokit extract", "ISOKIT not executable")
            guarded("check_kernel", check_kernel, img, src_scan, work)
            for tolerated, text in RELOC_FINDINGS:
                if tolerated:
                    T.note("known reader limitation: " + text)
            T.problems("deep folders (level 8 and below) read in place by "
                       "every reader that follows CL/RE, nothing shown "
                       "inside a relocation directory",
                       [t for tol, t in RELOC_FINDINGS if not tol])
        repro = guarded("reproducibility checks", check_repro, src, work,
                        is_isokit)
        guarded("isokit failure checks", check_failures, work, repro,
                is_isokit)
    finally:
        if os.environ.get("KEEP"):
            T.note("kept %s" % work)
        else:
            mf.force_rmtree(work)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
