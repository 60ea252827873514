#!/usr/bin/env python3
"""Round trip of `isokit create --udf` (TAP output).

usage: udf-roundtrip.py              the varied tree, four UDF modes
       udf-roundtrip.py --bigfile    a file of 4.5 GiB (sparse source)
                                     (environment: ISOKIT, SRCDIR, BUILDDIR,
                                      KEEP)

The source tree is tests/interop/make-tree.py's (names in Vietnamese NFC
and NFD, CJK and emoji; names of 100 and 250 bytes; 13 levels of folders;
hard links; symlinks of every kind; modes 0444 to 1777; times in 1960,
1970, 2040 and 2100), plus entries at UDF's own limits: a 254-byte ASCII
name (255 bytes of OSTA CS0, the most a File Identifier holds), names of
127 UTF-16 units (Vietnamese letters, emoji) for a file and a folder, a
name of Latin-1 letters only (8-bit CS0 with bytes above 0x7F), setuid,
setgid and sticky modes; as root also owners (1234:5678, 4321:8765, on a
file, a folder and a symlink) and a FIFO, a character and a block device.

Each mode -- `--udf` (UDF 1.02 bridge), `--udf --udf-revision 2.01`,
`--udf --udf-revision 2.50` and `--udf-only` -- is imaged with
`isokit create ... -V UDF_ROUNDTRIP SRC` and judged against the SOURCE
tree, by each reader for what that reader can express:

  raw UDF     this script's own reader of the UDF structures (ECMA-167 3rd
              edition, OSTA UDF 1.02/2.01/2.50), written from the
              standards, shares no code with isokit:
              structure: the Volume Recognition Sequence (NSR02 for 1.02,
              NSR03 for 2.x; after the ISO 9660 descriptors on a bridge,
              alone with --udf-only), every descriptor tag (checksum, CRC,
              location, version 2 for 1.02 and 3 for 2.x), the revision in
              the domain identifiers of the Logical Volume and File Set
              Descriptors, a closed Logical Volume Integrity Descriptor
              with that revision, anchors at 256 and at the end, extents
              inside the partition, timestamps of type 1 (local time);
              1.02 has no Extended File Entries; 2.50 has a metadata
              partition (type 2 map, "*UDF Metadata Partition") and every
              file entry is an Extended File Entry;
              tree: names (OSTA CS0, 8- or 16-bit), types (folders, files,
              symlinks, FIFOs, devices), sizes, content, modes (rwx and
              setuid/setgid/sticky from the ICB flags), owners, file link
              counts (files: the number of names; folders: 1 + subfolders,
              ECMA-167 4/14.9.6), hard-link groups (one file entry named by
              several File Identifiers), symlink targets (path components),
              mtimes; access time and attribute time equal the source's
              atime and ctime (taken after imaging; SKIP on a strictatime
              mount; entries with a time in the future are left out of the
              atime comparison: under relatime every read moves their
              atime, the writer's own read included); with 2.50 the
              creation time equals the source's birth time (statx, when
              the filesystem has one).  Device numbers are not recorded
              in UDF (not compared).
  pycdlib     /usr/bin/python3 with pycdlib: open, walk the UDF tree
              (fi_descs), compare names, types, sizes, content
              (get_file_from_iso_fp(udf_path=...)), rwx modes and
              setuid/setgid/sticky, owners, link counts and mtimes.
              pycdlib 1.12 cannot express: symlink targets (no API),
              pure UDF images (it needs an ISO 9660 PVD: SKIP for
              --udf-only when it says so), metadata partitions (its
              Logical Volume Descriptor parser rejects a type 1 + type 2
              map table, and it would read only tag 261 entries from the
              physical partition: SKIP for 2.50 when it says one of
              PYCDLIB_META_LIMITS), data inside the file entry (it looks
              for it at the partition start + the entry's absolute block,
              pycdlib.py _walk_udf_directories: such files are left out of
              its content check, and counted).
  udfinfo     exit 0, no warning or error on stderr, label, lvid and vid
              UDF_ROUNDTRIP, blocksize 2048, udfrev and udfwriterev the
              revision asked for, integrity closed, numdirs = the source's
              folders (root included), numfiles = its non-folders (counted
              per name or per file entry: UDF 2.2.6.4 leaves hard links
              open), an ANCHOR at 256 and one at the end.
  udflabel    exit 0, prints UDF_ROUNDTRIP, nothing on stderr.
  7-Zip       7zz (or 7z) x -tudf.  7-Zip refuses a whole UDF volume that
              holds any file entry other than a file or a folder (symlink,
              FIFO, device): "Open ERROR: Cannot open the file as [Udf]
              archive / ERRORS: Unsupported feature" (UdfIn.cpp ReadItem:
              only ICB file types 4 and 5; checked with 7-Zip 26.02).  So:
              on the full image 7-Zip must refuse with that error alone (or
              succeed); and an image made the same way from a copy of the
              tree without symlinks, FIFOs and devices is extracted and
              compared: names, content, sizes, file and folder mtimes.
              7-Zip has no owners, modes or links (not compared).
  isokit      isokit extract --namespace udf: names, types, modes, sizes,
              content, mtimes, symlink targets, hard-link groups, owners
              (as root).  With --udf-only, also without --namespace (the
              only tree, chosen automatically).
  ISO side    (bridge modes) isovfy reports no errors; isoinfo -d shows the
              volume id, Rock Ridge and Joliet; isokit extract (Rock Ridge)
              and bsdtar -xpf equal the source (modes, sizes, content,
              mtimes, symlinks, hard links; owners and device numbers as
              root).  The full ISO 9660 checks are roundtrip.py's, which
              meson also runs with CREATOR='"$ISOKIT" create --udf ...'.
  sharing     (bridge modes) every non-empty file's UDF data starts at the
              block of its ISO 9660 extent (isoinfo -R -l), or lies inside
              its file entry; and the image is less than
              2048 * (entries + 300) bytes larger than the image made
              without --udf: no file data is written twice.
  no ISO      (--udf-only) no "CD001" descriptor at sectors 16..31.
  limits      names UDF cannot hold (255 ASCII bytes: 256 bytes of CS0; an
              ASCII name with one CJK letter past 127 UTF-16 units): create
              either fails with exit 1 naming the entry and leaves no
              image, or makes a valid image whose UDF names are unique and
              short enough, warns naming each entry it renamed, and keeps
              the full names in Rock Ridge.
  options     --udf-revision 3.0, 1.50 and "" exit 2 with a message and no
              image; --udf-only with --boot or --efi exits 2 with a
              message and no image.

--bigfile: a sparse file of 4.5 GiB with random markers at the start, around
the 1 GiB UDF extent limit (0x3FFFF800), 2 GiB, the ISO 9660 section limit
0xFFFFF800, 4 GiB and the unaligned end, plus a small file; `create --udf
--no-checksums` (checksums would read the 4.5 GiB twice more); then the raw
reader (size, extents of at most 0x3FFFF800 bytes, markers and the zeros
around them), pycdlib (size, and the markers read through the allocation
descriptors it parsed: its open_file_from_iso(udf_path=...) stops at the
first ISO 9660 section of a shared multi-extent file, see PYCDLIB_BIG),
isokit ls --namespace udf -l and 7z l -tudf -slt (size), 7z e -so -tudf
(SHA-256 of all 4.5 GiB), isokit ls -l (Rock Ridge size), and the image is
less than the data plus 64 MiB (shared with ISO 9660, not written twice).
About 20 s and 5 GB of disk; SKIP when less than 12 GB are free.

KEEP=1 keeps the scratch directory.
"""

import calendar
import hashlib
import json
import os
import re
import shlex
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("SRCDIR") or os.path.dirname(os.path.dirname(HERE))
INTEROP = os.path.join(os.path.dirname(HERE), "interop")
sys.path.insert(0, INTEROP)
sys.dont_write_bytecode = True
import manifest as mf  # noqa: E402
sys.path.insert(0, HERE)
import createlib  # noqa: E402
from createlib import Tap, add_owned, fmt_cmd, fmt_time, have, kind_of, scan, tail  # noqa: E402,F401

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

SYS_PY = "/usr/bin/python3"          # Debian's python, with pycdlib
LABEL = "UDF_ROUNDTRIP"
IS_ROOT = os.geteuid() == 0
MAX_SHOW = 12
TOOL_TIMEOUT = 300
BS = 2048
T_DEFAULT = 1614834367

MODES = [
    # (title, create flags, revision, bridge)
    ("--udf (1.02)", ["--udf"], "1.02", True),
    ("--udf --udf-revision 2.01", ["--udf", "--udf-revision", "2.01"],
     "2.01", True),
    ("--udf --udf-revision 2.50", ["--udf", "--udf-revision", "2.50"],
     "2.50", True),
    ("--udf-only", ["--udf-only"], "1.02", False),
]


# ------------------------------------------------------------------ TAP ----


# -------------------------------------------------------------- helpers ----

def sbin_tool(tool):
    """A tool Debian puts in /usr/sbin (udflabel), which a user's PATH may
    not name."""
    return shutil.which(tool) or shutil.which(
        tool, path="/usr/local/sbin:/usr/sbin:/sbin")


def run(cmd, timeout=TOOL_TIMEOUT, **kw):
    return createlib.run(cmd, timeout, **kw)


def sevenzip():
    return shutil.which("7zz") or shutil.which("7z")


def have_pycdlib():
    if not os.access(SYS_PY, os.X_OK):
        return False
    return run([SYS_PY, "-c", "import pycdlib"], timeout=60).returncode == 0


def isokit_create(flags, out, src, timeout=TOOL_TIMEOUT, label=LABEL):
    cmd = [ISOKIT, "create"] + flags + ["-o", out, "-V", label, src]
    t0 = time.time()
    p = run(cmd, timeout=timeout)
    return cmd, p, time.time() - t0


# ------------------------------------------------------------- the tree ----

# Names at UDF's limits.  A File Identifier holds at most 255 bytes: the
# compression ID and 254 bytes of 8-bit characters, or 127 UTF-16 units.
NAME_ASCII_254 = "A254-" + "a" * 245 + ".txt"
NAME_LATIN1 = "Latin-1 àéîõü ÀÉÎÕÜ ßÿ ©® ½.txt"
NAME_VIET_127 = "Đ" * 123 + ".txt"                   # 127 units, 250 bytes
NAME_EMOJI_127 = "\U0001F4F7" * 61 + "e.txt"         # 127 units, 249 bytes
DIR_VIET_127 = "Ư" * 125 + ".d"                      # 127 units, 252 bytes
# Names UDF cannot hold (the "limits" check, a tree of their own)
NAME_ASCII_255 = "B255-" + "b" * 246 + ".txt"         # 256 bytes of CS0
NAME_MIXED_LONG = "M" * 150 + "中.txt"                # 155 units


def add_extras(src):
    """UDF limit names, special modes; owners and devices as root.  Returns
    notes about what could not be made here."""
    notes = []
    old = os.umask(0)
    try:
        u = os.path.join(src, "udf")
        os.mkdir(u, 0o755)
        for name, data, mode in (
                (NAME_ASCII_254, b"254-byte ASCII name\n", 0o644),
                (NAME_LATIN1, b"latin-1 name\n", 0o644),
                (NAME_VIET_127, b"127 units of Vietnamese\n", 0o644),
                (NAME_EMOJI_127, b"127 units with emoji\n", 0o644),
                ("setuid-4755", b"#!/bin/sh\n", 0o4755),
                ("setgid-2755", b"#!/bin/sh\n", 0o2755),
                ("setuid-setgid-6711", b"#!/bin/sh\n", 0o6711),
                ("odd-size-70001.bin", bytes(range(256)) * 273 + b"x" * 113,
                 0o600)):
            p = os.path.join(u, name)
            with open(p, "wb") as fh:
                fh.write(data)
            os.chmod(p, mode)
            os.utime(p, (T_DEFAULT, T_DEFAULT))
        d = os.path.join(u, DIR_VIET_127)
        os.mkdir(d, 0o755)
        with open(os.path.join(d, "inside.txt"), "wb") as fh:
            fh.write(b"inside a 127-unit folder\n")
        os.utime(os.path.join(d, "inside.txt"), (T_DEFAULT, T_DEFAULT))
        os.utime(d, (T_DEFAULT, T_DEFAULT))
        sg = os.path.join(u, "setgid-dir-2775")
        os.mkdir(sg)
        os.chmod(sg, 0o2775)
        os.utime(sg, (T_DEFAULT, T_DEFAULT))
        os.utime(u, (T_DEFAULT, T_DEFAULT))
        if IS_ROOT:
            add_owned(src, T_DEFAULT)
            s = os.path.join(src, "special")
            os.mkdir(s, 0o755)
            os.mkfifo(os.path.join(s, "fifo"), 0o644)
            made = ["fifo"]
            for name, kind, dev in (("char-dev-1-3", stat.S_IFCHR, (1, 3)),
                                    ("block-dev-7-0", stat.S_IFBLK, (7, 0))):
                try:
                    os.mknod(os.path.join(s, name), kind | 0o640,
                             os.makedev(*dev))
                    made.append(name)
                except OSError as e:
                    notes.append("mknod %s: %s (left out)" % (name, e))
            for n in made:
                os.utime(os.path.join(s, n), (T_DEFAULT, T_DEFAULT))
            os.utime(s, (T_DEFAULT, T_DEFAULT))
        os.utime(src, (T_DEFAULT, T_DEFAULT))
    finally:
        os.umask(old)
    return notes


def copy_without(src, dst, drop_types):
    """Copy the tree leaving out entries of the given manifest types (l, p,
    c, b), keeping modes, owners, times and hard links."""
    old = os.umask(0)
    links = {}
    dirs = []
    try:
        def rec(s, d):
            os.mkdir(d, 0o700)
            for name in sorted(os.listdir(s)):
                sp, dp = os.path.join(s, name), os.path.join(d, name)
                st = os.lstat(sp)
                m = st.st_mode
                if stat.S_ISDIR(m):
                    rec(sp, dp)
                    continue
                t = kind_of(m)
                if t in drop_types:
                    continue
                if t != "f":
                    raise RuntimeError("copy_without: cannot copy %s" % sp)
                key = (st.st_dev, st.st_ino)
                if key in links:
                    os.link(links[key], dp)
                    continue
                with open(sp, "rb") as fi, open(dp, "wb") as fo:
                    shutil.copyfileobj(fi, fo)
                links[key] = dp
                if IS_ROOT:
                    os.chown(dp, st.st_uid, st.st_gid)
                os.chmod(dp, stat.S_IMODE(m))
                os.utime(dp, ns=(st.st_atime_ns, st.st_mtime_ns))
            dirs.append((s, d))
        rec(src, dst)
        for s, d in dirs:
            st = os.lstat(s)
            if IS_ROOT:
                os.chown(d, st.st_uid, st.st_gid)
            os.chmod(d, stat.S_IMODE(st.st_mode))
            os.utime(d, ns=(st.st_atime_ns, st.st_mtime_ns))
    finally:
        os.umask(old)


def birth_times(root, rels):
    """rel -> birth time (seconds) from statx through stat(1) %W, or None
    when the filesystem does not report one."""
    out = {}
    rootb = os.fsencode(root)
    rels = list(rels)
    for i in range(0, len(rels), 200):
        chunk = rels[i:i + 200]
        p = run(["stat", "-c", "%W"] + [os.path.join(rootb, r)
                                        for r in chunk], timeout=60)
        vals = p.stdout.split(b"\n")
        for j, r in enumerate(chunk):
            try:
                v = int(vals[j])
            except (IndexError, ValueError):
                v = 0
            out[r] = v if v > 0 else None
    return out


def compare(expected, got, fields, skip_types=(), skip_mtime_types=(),
            skip_own_types=(), attrs_only=False):
    """Problems (strings) between two scans for `fields` (type always).
    Entries of skip_types are left out on both sides.  attrs_only: compare
    only the fields of entries present in both with the same type (missing,
    unexpected and retyped entries are another check's business)."""
    problems = []
    seen = set()
    for rel in sorted(expected):
        e = expected[rel]
        if e["type"] in skip_types:
            continue
        seen.add(rel)
        g = got.get(rel)
        if g is None:
            if not attrs_only:
                problems.append("missing: %s (%s)" % (mf.esc(rel), e["type"]))
            continue
        if g["type"] != e["type"]:
            if not attrs_only:
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
            if f in ("size", "sha256", "hl") and e["type"] != "f":
                continue
            if f == "target" and e["type"] != "l":
                continue
            if f == "rdev" and e["type"] not in ("c", "b"):
                continue
            ev, gv = e.get(f), g.get(f)
            if ev != gv:
                if f == "mode":
                    ev = "%04o" % ev if ev is not None else ev
                    gv = "%04o" % gv if gv is not None else gv
                elif f in ("mtime", "atime", "ctime", "btime"):
                    ev = "%s (%s)" % (ev, fmt_time(ev))
                    gv = "%s (%s)" % (gv, fmt_time(gv))
                elif f == "sha256":
                    ev, gv = (ev or "")[:12], (gv or "")[:12]
                elif f == "target":
                    ev = mf.esc(ev)
                    gv = mf.esc(gv) if gv is not None else None
                problems.append("%s: %s %s, expected %s"
                                % (mf.esc(rel), f, gv, ev))
    for rel in sorted(set(got) - seen):
        if got[rel]["type"] in skip_types or attrs_only:
            continue
        problems.append("unexpected: %s (%s)"
                        % (mf.esc(rel), got[rel]["type"]))
    return problems


def extract_and_compare(title, cmd, out, expected, fields, what, **kw):
    os.makedirs(out, exist_ok=True)
    p = run(cmd)
    if p.returncode != 0:
        T.fail("%s: exits 0" % title, "%s\nexit %d: %s"
               % (fmt_cmd(cmd), p.returncode, tail(p.stderr + p.stdout)))
        mf.force_rmtree(out)
        return
    got = scan(out)
    mf.force_rmtree(out)
    T.problems("%s: %s equal the source" % (title, what),
               compare(expected, got, fields, **kw))


# ------------------------------------------------------- raw UDF reader ----

def _crc_table():
    tab = []
    for i in range(256):
        c = i << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else (c << 1)
        tab.append(c & 0xFFFF)
    return tab


CRC_TAB = _crc_table()


def crc_itu(data):
    c = 0
    for b in data:
        c = ((c << 8) & 0xFFFF) ^ CRC_TAB[((c >> 8) ^ b) & 0xFF]
    return c


def udf_time(b):
    """(seconds since the epoch, problem or None) of a 12-byte ECMA-167
    timestamp; sub-second fields are dropped (floor)."""
    tt, year, mo, d, h, mi, s = struct.unpack_from("<HhBBBBB", b, 0)
    typ = tt >> 12
    tz = tt & 0xFFF
    if tz & 0x800:
        tz -= 0x1000
    prob = None
    if typ != 1:
        prob = "timestamp type %d, not 1 (local time)" % typ
    if tz == -2047:
        tz = 0
    elif not -1440 <= tz <= 1440:
        prob = "timestamp time zone %d minutes" % tz
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h <= 23 and mi <= 59
            and s <= 59):
        return None, "invalid timestamp %04d-%02d-%02d %02d:%02d:%02d" % (
            year, mo, d, h, mi, s)
    return calendar.timegm((year, mo, d, h, mi, s, 0, 0, 0)) - tz * 60, prob


def cs0_decode(raw):
    """OSTA CS0 d-characters (compression ID first) -> str, or raise
    ValueError."""
    if not raw:
        return ""
    cid = raw[0]
    if cid == 8:
        return raw[1:].decode("latin-1")
    if cid == 16:
        if (len(raw) - 1) % 2:
            raise ValueError("odd number of bytes after compression ID 16")
        return raw[1:].decode("utf-16-be")   # strict: no lone surrogates
    raise ValueError("compression ID %d" % cid)


def dstring(field):
    """A dstring field (last byte: used length) -> str or None."""
    n = field[-1]
    if n == 0:
        return ""
    try:
        return cs0_decode(field[:n])
    except (ValueError, UnicodeDecodeError):
        return None


FILE_TYPES = {4: "d", 5: "f", 6: "b", 7: "c", 9: "p", 10: "s", 12: "l"}


class RawUdf:
    """A reader of the UDF structures of an image, for judging: everything
    it meets that the standards forbid goes to self.problems (structure)
    and the tree to self.entries (path bytes -> attributes like scan())."""

    def __init__(self, path, sha=True):
        self.path = path
        self.fh = open(path, "rb")
        self.size = os.path.getsize(path)
        self.problems = []
        self.info = {}
        self.entries = {}
        self.sha = sha
        self.fe_tags = {}          # tag id -> count
        self.n_fid_nondir = 0
        try:
            self._volume()
            self._tree()
        finally:
            self.fh.close()

    # --- blocks and tags ---
    def prob(self, text):
        self.problems.append(text)

    def read(self, off, n):
        self.fh.seek(off)
        b = self.fh.read(n)
        if len(b) != n:
            raise ValueError("read past the end of the image at byte %d" % off)
        return b

    def block(self, absblock, n=None):
        return self.read(absblock * self.bs, self.bs if n is None else n)

    def tag(self, buf, want, loc, where):
        """Check a descriptor tag; returns the tag id (or None)."""
        if len(buf) < 16:
            self.prob("%s: short descriptor" % where)
            return None
        ident, ver, cks, _, _, crc, crclen, tloc = struct.unpack_from(
            "<HHBBHHHI", buf, 0)
        if (sum(buf[0:4]) + sum(buf[5:16])) & 0xFF != cks:
            self.prob("%s: tag checksum wrong (ident %d)" % (where, ident))
        if want is not None and ident not in (
                want if isinstance(want, tuple) else (want,)):
            self.prob("%s: descriptor %d where %s was expected"
                      % (where, ident, want))
            return None
        if 16 + crclen > len(buf):
            self.prob("%s: CRC length %d past the descriptor"
                      % (where, crclen))
        elif crc_itu(buf[16:16 + crclen]) != crc:
            self.prob("%s: tag CRC wrong (ident %d)" % (where, ident))
        if loc is not None and tloc != loc:
            self.prob("%s: tag location %d, recorded at %d"
                      % (where, tloc, loc))
        if self.tag_version and ver != self.tag_version:
            self.prob("%s: descriptor version %d, expected %d"
                      % (where, ver, self.tag_version))
        return ident

    # --- volume ---
    def _volume(self):
        self.tag_version = None
        # Volume Recognition Sequence from sector 16 (2048-byte sectors)
        vrs = []
        for sec in range(16, 64):
            b = self.read(sec * 2048, 7)
            ident = b[1:6]
            if ident not in (b"CD001", b"BEA01", b"NSR02", b"NSR03",
                             b"TEA01", b"BOOT2", b"CDW02"):
                break
            vrs.append(ident.decode())
        self.info["vrs"] = vrs
        # anchor at 256
        self.bs = None
        for bs in (2048, 512, 4096):
            if 256 * bs + bs > self.size:
                continue
            b = self.read(256 * bs, bs)
            if struct.unpack_from("<H", b, 0)[0] == 2:
                self.bs = bs
                break
        if self.bs is None:
            raise ValueError("no Anchor Volume Descriptor Pointer at 256")
        bs = self.bs
        nblocks = self.size // bs
        self.info["bs_anchor"] = bs
        avdp = self.block(256)
        self.tag(avdp, 2, 256, "anchor at 256")
        tv = struct.unpack_from("<H", avdp, 2)[0]
        self.tag_version = tv
        anchors = [256]
        for loc in (nblocks - 1, nblocks - 257):
            if loc > 256:
                b = self.block(loc)
                if struct.unpack_from("<H", b, 0)[0] == 2:
                    self.tag(b, 2, loc, "anchor at %d" % loc)
                    if b[16:32] != avdp[16:32]:
                        self.prob("anchor at %d differs from the one at 256"
                                  % loc)
                    anchors.append(loc)
        self.info["anchors"] = anchors
        mlen, mloc = struct.unpack_from("<II", avdp, 16)
        pds, lvd, pvd = {}, None, None
        for i in range(mlen // bs):
            loc = mloc + i
            b = self.block(loc)
            ident = self.tag(b, None, loc, "volume descriptor at %d" % loc)
            if ident == 8:
                break
            if ident == 1:
                pvd = b
            elif ident == 5:
                pds[struct.unpack_from("<H", b, 22)[0]] = b
            elif ident == 6:
                lvd = b
        else:
            self.prob("main volume descriptor sequence has no terminator")
        if lvd is None or not pds:
            raise ValueError("no Logical Volume or Partition Descriptor")
        if pvd is not None:
            self.info["vid"] = dstring(pvd[24:56])
        self.info["lvid"] = dstring(lvd[84:212])
        lbs = struct.unpack_from("<I", lvd, 212)[0]
        self.info["block_size"] = lbs
        if lbs != bs:
            self.prob("logical block size %d, anchor found with %d"
                      % (lbs, bs))
        self.info["lvd_domain"] = lvd[217:240].rstrip(b"\0").decode(
            "latin-1")
        self.info["lvd_revision"] = struct.unpack_from("<H", lvd, 240)[0]
        self.pd = {}
        for num, b in pds.items():
            start, length = struct.unpack_from("<II", b, 188)
            contents = b[25:48].rstrip(b"\0").decode("latin-1")
            self.pd[num] = (start, length, contents)
            if start + length > nblocks:
                self.prob("partition %d (%d+%d blocks) past the image end "
                          "(%d blocks)" % (num, start, length, nblocks))
        self.info["partition_contents"] = sorted(
            c for _, _, c in self.pd.values())
        nmaps = struct.unpack_from("<I", lvd, 268)[0]
        pos = 440
        self.maps = []
        for _ in range(nmaps):
            mtype, mlen_ = lvd[pos], lvd[pos + 1]
            if mtype == 1:
                self.maps.append(("phys", struct.unpack_from(
                    "<H", lvd, pos + 4)[0]))
            elif mtype == 2:
                ident = lvd[pos + 5:pos + 28].rstrip(b"\0").decode("latin-1")
                pnum, mfile, mirror = struct.unpack_from("<HII", lvd, pos + 38)
                self.maps.append(("meta:" + ident, pnum, mfile, mirror))
            else:
                self.maps.append(("type%d" % mtype,))
            pos += mlen_
        self.info["maps"] = [m[0] for m in self.maps]
        self.meta_extents = None
        for m in self.maps:
            if m[0] == "meta:*UDF Metadata Partition":
                self._metadata_file(m)
        # integrity
        ilen, iloc = struct.unpack_from("<II", lvd, 432)
        self.info["integrity"] = None
        if ilen:
            b = self.block(iloc)
            if self.tag(b, 9, iloc, "integrity descriptor") == 9:
                itype = struct.unpack_from("<I", b, 28)[0]
                self.info["integrity"] = {0: "open", 1: "closed"}.get(
                    itype, "type %d" % itype)
                npart, liu = struct.unpack_from("<II", b, 72)
                iu = 80 + 8 * npart
                nf, nd, rmin, wmin, wmax = struct.unpack_from(
                    "<IIHHH", b, iu + 32)
                self.info.update(numfiles=nf, numdirs=nd, lvid_min_read=rmin,
                                 lvid_min_write=wmin, lvid_max_write=wmax)
        else:
            self.prob("no Logical Volume Integrity Descriptor")
        # file set
        fl, flbn, fpart = struct.unpack_from("<IIH", lvd, 248)
        self.fsd_addr = (fpart, flbn)

    def _metadata_file(self, m):
        _, pnum, mfile, mirror = m
        pref = self._phys_ref(pnum)
        b = self.block(self.addr(pref, mfile))
        if self.tag(b, 266, mfile, "metadata file entry") != 266:
            return
        if b[16 + 11] != 250:
            self.prob("metadata file entry has file type %d, not 250"
                      % b[16 + 11])
        exts = self._ads(b, 266, pref, mfile, "metadata file")
        self.meta_extents = []
        pos = 0
        for kind, length, ref, lbn in exts:
            if kind != 0:
                self.prob("metadata file extent of type %d" % kind)
            self.meta_extents.append((pos, lbn, length // self.bs))
            pos += length // self.bs

    def _phys_ref(self, pnum):
        for i, m in enumerate(self.maps):
            if m[0] == "phys" and m[1] == pnum:
                return i
        raise ValueError("no type 1 partition map for partition %d" % pnum)

    def addr(self, ref, lbn):
        """Absolute block of logical block lbn of partition reference ref."""
        if ref >= len(self.maps):
            raise ValueError("partition reference %d of %d" % (ref,
                                                               len(self.maps)))
        m = self.maps[ref]
        if m[0] == "phys":
            start, length, _ = self.pd[m[1]]
            if lbn >= length:
                raise ValueError("block %d past partition %d (%d blocks)"
                                 % (lbn, m[1], length))
            return start + lbn
        if m[0].startswith("meta:") and self.meta_extents is not None:
            for mpos, plbn, n in self.meta_extents:
                if mpos <= lbn < mpos + n:
                    return self.addr(self._phys_ref(m[1]), plbn + lbn - mpos)
            raise ValueError("block %d outside the metadata file" % lbn)
        raise ValueError("unsupported partition map %s" % (m,))

    # --- entries ---
    def _ads(self, b, ident, ref, lbn, where):
        """Allocation descriptors of a (extended) file entry: list of
        (kind, length, partref, lbn); kind 0 recorded, 1 allocated not
        recorded, 2 not allocated; 'inline' entries as ('inline', data)."""
        ext = ident == 266
        lea, lad = struct.unpack_from("<II", b, 208 if ext else 168)
        base = (216 if ext else 176) + lea
        if base + lad > len(b):
            self.prob("%s: allocation descriptors past the entry" % where)
            return []
        flags = struct.unpack_from("<H", b, 16 + 18)[0]
        adtype = flags & 7
        data = b[base:base + lad]
        if adtype == 3:
            return [("inline", data)]
        out = []
        hops = 0
        while True:
            size = {0: 8, 1: 16, 2: 20}.get(adtype)
            if size is None:
                self.prob("%s: allocation descriptor type %d"
                          % (where, adtype))
                return out
            nxt = None
            for i in range(0, len(data) - size + 1, size):
                if adtype == 0:
                    ln, pos = struct.unpack_from("<II", data, i)
                    pref = ref
                elif adtype == 1:
                    ln, pos, pref = struct.unpack_from("<IIH", data, i)
                else:
                    ln, _, _, pos, pref = struct.unpack_from("<IIIIH", data, i)
                kind, ln = ln >> 30, ln & 0x3FFFFFFF
                if ln == 0:
                    break
                if kind == 3:
                    nxt = (pref, pos)
                    break
                out.append((kind, ln, pref, pos))
            if nxt is None:
                return out
            hops += 1
            if hops > 10000:
                self.prob("%s: allocation extent chain too long" % where)
                return out
            aed = self.block(self.addr(*nxt))
            if self.tag(aed, 258, nxt[1], "%s: allocation extent" % where) \
                    != 258:
                return out
            n = struct.unpack_from("<I", aed, 20)[0]
            data = aed[24:24 + n]

    def _data(self, exts, length, where, sink):
        """Feed `length` bytes of the file described by exts to sink."""
        if exts and exts[0][0] == "inline":
            d = exts[0][1]
            if len(d) != length:
                self.prob("%s: %d bytes inside the entry, length %d"
                          % (where, len(d), length))
            sink(d[:length])
            return
        left = length
        for kind, ln, ref, lbn in exts:
            if left <= 0:
                self.prob("%s: extents beyond the information length" % where)
                break
            n = min(ln, left)
            if kind == 0:
                a = self.addr(ref, lbn)
                if (a * self.bs + ln + self.bs - 1) // self.bs > self.size \
                        // self.bs:
                    self.prob("%s: extent past the image end" % where)
                    return
                off = a * self.bs
                while n > 0:
                    k = min(n, 1 << 20)
                    sink(self.read(off, k))
                    off += k
                    n -= k
                    left -= k
            else:
                while n > 0:
                    k = min(n, 1 << 20)
                    sink(bytes(k))
                    n -= k
                    left -= k
        if left > 0:
            self.prob("%s: extents hold %d bytes less than the length %d"
                      % (where, left, length))

    def _entry(self, ref, lbn, where):
        a = self.addr(ref, lbn)
        b = self.block(a)
        ident = self.tag(b, (261, 266), lbn, "%s: file entry" % where)
        if ident is None:
            return None
        self.fe_tags[ident] = self.fe_tags.get(ident, 0) + 1
        ext = ident == 266
        ftype = b[16 + 11]
        flags = struct.unpack_from("<H", b, 16 + 18)[0]
        uid, gid, perm, nlink = struct.unpack_from("<IIIH", b, 36)
        length = struct.unpack_from("<Q", b, 56)[0]
        toff = (80, 92, 116, 104) if ext else (72, 84, 96, None)
        times = {}
        for key, off in zip(("atime", "mtime", "ctime", "btime"), toff):
            if off is None:
                continue
            t, p = udf_time(b[off:off + 12])
            if p:
                self.prob("%s: %s: %s" % (where, key, p))
            times[key] = t
        mode = ((perm >> 10) & 7) << 6 | ((perm >> 5) & 7) << 3 | (perm & 7)
        if flags & 0x40:
            mode |= 0o4000
        if flags & 0x80:
            mode |= 0o2000
        if flags & 0x100:
            mode |= 0o1000
        e = {"type": FILE_TYPES.get(ftype, "?%d" % ftype), "mode": mode,
             "own": "%d:%d" % (uid, gid), "nlink": nlink,
             "icb": (ref, lbn), "tag": ident, "length": length}
        e.update(times)
        e["exts"] = self._ads(b, ident, ref, lbn, where)
        e["inline"] = bool(e["exts"]) and e["exts"][0][0] == "inline"
        return e

    def _tree(self):
        fsd = self.block(self.addr(*self.fsd_addr))
        if self.tag(fsd, 256, self.fsd_addr[1], "file set descriptor") != 256:
            raise ValueError("no File Set Descriptor")
        self.info["fsd_domain"] = fsd[417:440].rstrip(b"\0").decode("latin-1")
        self.info["fsd_revision"] = struct.unpack_from("<H", fsd, 440)[0]
        _, rlbn, rref = struct.unpack_from("<IIH", fsd, 400)
        self.visited = set()
        root = self._entry(rref, rlbn, "/")
        if root is None or root["type"] != "d":
            raise ValueError("the root is not a directory")
        self.root = root
        self._dir(root, b"", 0)
        # hard-link groups: regular files sharing a file entry
        groups = {}
        for rel, e in self.entries.items():
            if e["type"] == "f":
                groups.setdefault(e["icb"], []).append(rel)
        for members in groups.values():
            if len(members) > 1:
                first = min(members)
                for mbr in members:
                    self.entries[mbr]["hl"] = mf.esc(first)
        self.names_per_icb = {k: len(v) for k, v in groups.items()}

    def _dir(self, d, prefix, depth):
        where = "/" + os.fsdecode(prefix)
        if depth > 200 or d["icb"] in self.visited:
            self.prob("%s: directory loop or depth" % where)
            return
        self.visited.add(d["icb"])
        chunks = []
        locs = []    # (offset, length, ref, lbn) of the directory's extents
        if d["inline"]:
            chunks.append(d["exts"][0][1][:d["length"]])
            locs.append((0, d["length"], d["icb"][0], d["icb"][1]))
        else:
            pos = 0
            for kind, ln, ref, lbn in d["exts"]:
                if kind != 0:
                    self.prob("%s: directory extent not recorded" % where)
                    continue
                n = min(ln, d["length"] - pos)
                if n <= 0:
                    break
                chunks.append(self.read(self.addr(ref, lbn) * self.bs, n))
                locs.append((pos, n, ref, lbn))
                pos += n
        data = b"".join(chunks)
        if len(data) != d["length"]:
            self.prob("%s: directory data %d bytes, length %d"
                      % (where, len(data), d["length"]))
        off = 0
        names = set()
        nsub = 0
        parents = 0
        while off + 38 <= len(data):
            if d["inline"]:
                loc = d["icb"][1]
            else:
                loc = None
                for o, n, ref, lbn in locs:
                    if o <= off < o + n:
                        loc = lbn + (off - o) // self.bs
            chars, lfi = data[off + 18], data[off + 19]
            _, ilbn, iref = struct.unpack_from("<IIH", data, off + 20)
            liu = struct.unpack_from("<H", data, off + 36)[0]
            total = (38 + liu + lfi + 3) & ~3
            fid = data[off:off + total]
            if self.tag(fid, 257, loc, "%s: file identifier at byte %d"
                        % (where, off)) != 257:
                return
            raw = fid[38 + liu:38 + liu + lfi]
            off += total
            if chars & 4:         # deleted
                continue
            if chars & 8:         # parent
                parents += 1
                continue
            try:
                name = cs0_decode(raw)
            except (ValueError, UnicodeDecodeError) as ex:
                self.prob("%s: name %s cannot be decoded: %s"
                          % (where, raw.hex(), ex))
                name = raw[1:].decode("latin-1")
            if raw and raw[0] == 16 and all(ord(c) < 256 for c in name):
                pass   # 16-bit where 8 would do: allowed
            nb = name.encode("utf-8", "surrogateescape")
            if not name or "/" in name or "\0" in name or name in (".", ".."):
                self.prob("%s: invalid name %r" % (where, name))
            if nb in names:
                self.prob("%s: name %s twice" % (where, mf.esc(nb)))
            names.add(nb)
            rel = prefix + b"/" + nb if prefix else nb
            e = self._entry(iref, ilbn, "/" + os.fsdecode(rel))
            if e is None:
                continue
            e["enc"] = raw[0] if raw else None
            if bool(chars & 2) != (e["type"] == "d"):
                self.prob("/%s: FID directory bit %d, entry type %s"
                          % (os.fsdecode(rel), bool(chars & 2), e["type"]))
            self.entries[rel] = e
            if e["type"] == "d":
                nsub += 1
                self._dir(e, rel, depth + 1)
            else:
                self.n_fid_nondir += 1
                self._file(e, rel)
        if parents != 1:
            self.prob("%s: %d parent entries, expected 1" % (where, parents))
        d["nsub"] = nsub

    def _file(self, e, rel):
        where = "/" + os.fsdecode(rel)
        if e["type"] == "f":
            e["size"] = e["length"]
            h = hashlib.sha256()
            if self.sha:
                self._data(e["exts"], e["length"], where, h.update)
                e["sha256"] = h.hexdigest()
            first = [x for x in e["exts"] if x[0] == 0]
            e["first_block"] = self.addr(first[0][2], first[0][3]) \
                if first and not e["inline"] else None
        elif e["type"] == "l":
            buf = []
            self._data(e["exts"], e["length"], where, buf.append)
            try:
                e["target"] = path_components(b"".join(buf))
            except ValueError as ex:
                self.prob("%s: symlink: %s" % (where, ex))
                e["target"] = None
        elif e["length"]:
            self.prob("%s: a %s with %d bytes of data"
                      % (where, e["type"], e["length"]))


def path_components(data):
    """ECMA-167 4/14.16 path components -> target bytes."""
    parts = []
    absolute = False
    off = 0
    while off < len(data):
        if off + 4 > len(data):
            raise ValueError("truncated path component")
        ctype, lci = data[off], data[off + 1]
        ident = data[off + 4:off + 4 + lci]
        off += 4 + lci
        if ctype in (1, 2):
            if parts:
                raise ValueError("root component after others")
            absolute = True
        elif ctype == 3:
            parts.append(b"..")
        elif ctype == 4:
            parts.append(b".")
        elif ctype == 5:
            parts.append(cs0_decode(ident).encode("utf-8", "surrogateescape"))
        else:
            raise ValueError("component type %d" % ctype)
    return (b"/" if absolute else b"") + b"/".join(parts)


def source_udf_expectations(src_scan):
    """Per source path the link count UDF records: files the number of names
    (the source's st_nlink, all links are in the tree), folders 1 + number
    of subfolders, others 1."""
    nsub = {}
    for rel, e in src_scan.items():
        if e["type"] == "d":
            parent = rel.rpartition(b"/")[0]
            nsub[parent] = nsub.get(parent, 0) + 1
    out = {}
    for rel, e in src_scan.items():
        if e["type"] == "d":
            out[rel] = 1 + nsub.get(rel, 0)
        elif e["type"] == "f":
            out[rel] = e["nlink"]
        else:
            out[rel] = 1
    return out, 1 + nsub.get(b"", 0)


# -------------------------------------------------------- judges: raw ----

def rev_code(rev):
    a, b = rev.split(".")
    return int(a) * 256 + int(b, 16)


def check_raw(title, img, rev, bridge, src_scan, src_times, btimes,
              atime_ok):
    """The raw UDF reader: structure, then the tree against the source."""
    try:
        u = RawUdf(img)
    except Exception as ex:   # noqa: BLE001
        import traceback
        T.fail("%s: raw UDF: the volume can be read" % title,
               "%s: %s\n%s" % (type(ex).__name__, ex,
                               traceback.format_exc(limit=3)))
        return None
    i = u.info
    probs = list(u.problems)
    want = rev_code(rev)
    nsr = "NSR02" if rev == "1.02" else "NSR03"
    vrs = i["vrs"]
    udf_vrs = [x for x in vrs if x != "CD001"]
    if udf_vrs[:3] != ["BEA01", nsr, "TEA01"]:
        probs.append("volume recognition sequence %s, expected BEA01 %s TEA01"
                     % (" ".join(vrs), nsr))
    if bridge and (not vrs or vrs[0] != "CD001"):
        probs.append("bridge image without ISO 9660 descriptors first: %s"
                     % " ".join(vrs))
    if i["block_size"] != BS:
        probs.append("block size %d" % i["block_size"])
    for key in ("lvd_revision", "fsd_revision"):
        if i.get(key) != want:
            probs.append("%s 0x%04x, expected 0x%04x"
                         % (key, i.get(key) or 0, want))
    if i.get("lvd_domain") != "*OSTA UDF Compliant":
        probs.append("LVD domain %r" % i.get("lvd_domain"))
    if i.get("fsd_domain") != "*OSTA UDF Compliant":
        probs.append("FSD domain %r" % i.get("fsd_domain"))
    if i.get("integrity") != "closed":
        probs.append("integrity descriptor: %s" % i.get("integrity"))
    else:
        for key in ("lvid_min_read", "lvid_min_write", "lvid_max_write"):
            if i.get(key) != want:
                probs.append("integrity %s 0x%04x, expected 0x%04x"
                             % (key, i.get(key), want))
    cont = "+NSR02" if rev == "1.02" else "+NSR03"
    if i["partition_contents"] != [cont]:
        probs.append("partition contents %s, expected %s"
                     % (i["partition_contents"], cont))
    if len(i["anchors"]) < 2:
        probs.append("anchors only at %s (256 and the end expected)"
                     % i["anchors"])
    wtv = 2 if rev == "1.02" else 3
    if u.tag_version != wtv:
        probs.append("descriptor version %d, expected %d"
                     % (u.tag_version, wtv))
    if rev == "1.02" and u.fe_tags.get(266):
        probs.append("%d Extended File Entries in UDF 1.02"
                     % u.fe_tags[266])
    if rev == "2.50":
        if "meta:*UDF Metadata Partition" not in i["maps"]:
            probs.append("no metadata partition map (maps: %s)" % i["maps"])
        if u.fe_tags.get(261):
            probs.append("%d plain File Entries (tag 261) in 2.50, all "
                         "should be Extended File Entries" % u.fe_tags[261])
    T.problems("%s: raw UDF structure (VRS %s, revision %s in LVD/FSD/LVID, "
               "tags, anchors %s, maps %s, entries %s)"
               % (title, " ".join(udf_vrs), rev, i["anchors"], i["maps"],
                  {str(k): v for k, v in sorted(u.fe_tags.items())}), probs)
    got = u.entries
    T.problems("%s: raw UDF: names and types equal the source" % title,
               compare(src_scan, got, []))
    T.problems("%s: raw UDF: sizes and content equal the source" % title,
               compare(src_scan, got, ["size", "sha256"], attrs_only=True))
    T.problems("%s: raw UDF: modes (rwx, setuid/setgid/sticky) and owners "
               "equal the source" % title,
               compare(src_scan, got, ["mode", "own"], attrs_only=True))
    T.problems("%s: raw UDF: symlink targets equal the source" % title,
               compare(src_scan, got, ["target"], attrs_only=True)
               + (["no symlink in the UDF tree"] if not any(
                   e["type"] == "l" for e in got.values()) else []))
    T.problems("%s: raw UDF: mtimes (files, folders, symlinks, others) equal "
               "the source" % title,
               compare(src_scan, got, ["mtime"], attrs_only=True))
    # links
    nl, root_nl = source_udf_expectations(src_scan)
    lp = compare(src_scan, got, ["hl"], attrs_only=True)
    for rel, e in sorted(got.items()):
        if rel in nl and e.get("nlink") != nl[rel] and \
                src_scan[rel]["type"] == e["type"]:
            lp.append("%s (%s): link count %d, expected %d"
                      % (mf.esc(rel), e["type"], e["nlink"], nl[rel]))
    if u.root["nlink"] != root_nl:
        lp.append("root: link count %d, expected %d"
                  % (u.root["nlink"], root_nl))
    T.problems("%s: raw UDF: hard links are one file entry named by several "
               "identifiers, link counts (files: names; folders: 1 + "
               "subfolders)" % title, lp)
    # atime / attribute time (ctime) / creation time.  Under relatime a read
    # moves the atime of an entry whose mtime or ctime is later than its
    # atime: after the first read that is only an entry with a time in the
    # future (make-tree's 2040 and 2100), whose atime every read, the
    # writer's own included, moves again.  Those have no stable atime to
    # compare and are left out of the atime comparison.
    if not atime_ok:
        T.skip("%s: raw UDF: access and attribute times" % title,
               "strictatime mount: reading the source moves atimes")
    else:
        tp = []
        now = time.time()
        moving = 0
        for rel, e in sorted(src_times.items()):
            g = got.get(rel)
            if g is None or g["type"] != e["type"]:
                continue
            for key, skey in (("atime", "atime"), ("ctime", "ctime")):
                if key == "atime" and max(e["mtime"], e["ctime"]) > now:
                    moving += 1
                    continue
                if g.get(key) != e[skey]:
                    tp.append("%s: %s %s (%s), expected %s (%s)"
                              % (mf.esc(rel), key, g.get(key),
                                 fmt_time(g.get(key)), e[skey],
                                 fmt_time(e[skey])))
        T.problems("%s: raw UDF: access time = source atime (%d entries "
                   "with future times left out), attribute time = source "
                   "ctime" % (title, moving), tp)
    if rev == "2.50":
        known = {r: t for r, t in btimes.items() if t is not None}
        if not known:
            T.skip("%s: raw UDF: creation time = source birth time" % title,
                   "the source filesystem reports no birth times")
        else:
            bp = []
            for rel, t in sorted(known.items()):
                g = got.get(rel)
                if g is None or g["type"] != src_scan[rel]["type"]:
                    continue
                if g.get("btime") != t:
                    bp.append("%s: creation time %s (%s), expected %s (%s)"
                              % (mf.esc(rel), g.get("btime"),
                                 fmt_time(g.get("btime")), t, fmt_time(t)))
            T.problems("%s: raw UDF: creation time (Extended File Entry) = "
                       "source birth time, %d entries" % (title, len(known)),
                       bp)
    return u


# ---------------------------------------------------- judges: pycdlib ----

PYCDLIB_WALK = r'''
import hashlib, json, sys
import pycdlib
img = sys.argv[1]
iso = pycdlib.PyCdlib()
try:
    iso.open(img)
except Exception as e:
    print(json.dumps({"open_error": "%s: %s" % (type(e).__name__, e)}))
    sys.exit(0)
out = {"entries": {}, "errors": [], "has_udf": bool(iso.has_udf())}
class Sink:
    def __init__(s):
        s.h = hashlib.sha256(); s.n = 0
    def write(s, b):
        s.h.update(b); s.n += len(b); return len(b)
def ts(t):
    return [t.year, t.month, t.day, t.hour, t.minute, t.second, t.tz]
def walk(fe, path):
    for fi in fe.fi_descs:
        if fi.is_parent():
            continue
        try:
            name = fi.fi.decode(fi.encoding)
        except Exception as e:
            out["errors"].append("%s/%r: %s" % (path, fi.fi, e)); continue
        p = path + "/" + name
        c = fi.file_entry
        if c is None:
            out["errors"].append("%s: no file entry" % p); continue
        e = {"ftype": c.icb_tag.file_type, "size": c.info_len,
             "perms": c.perms, "flags": c.icb_tag.flags, "uid": c.uid,
             "gid": c.gid, "nlink": c.file_link_count,
             "mtime": ts(c.mod_time), "icb": [fi.icb.part_ref_num,
             fi.icb.log_block_num], "fid_dir": bool(fi.is_dir())}
        if c.is_file():
            s = Sink()
            try:
                iso.get_file_from_iso_fp(s, udf_path=p)
                e["sha256"] = s.h.hexdigest(); e["read"] = s.n
            except Exception as ex:
                e["read_error"] = "%s: %s" % (type(ex).__name__, ex)
        out["entries"][p] = e
        if c.is_dir():
            walk(c, p)
if out["has_udf"]:
    walk(iso.udf_root, "")
iso.close()
print(json.dumps(out))
'''


# What pycdlib 1.12 says on a correct UDF 2.50 image with a metadata
# partition: its Logical Volume Descriptor parser counts the offset twice
# (udf.py UDFLogicalVolumeDescriptor.parse: "offset + map_len >
# len(partition_maps[offset:])"), so a type 1 map followed by the 64-byte
# type 2 map is "beyond end of data"; past that it would read the File Set
# Descriptor at the physical partition start and only tag 261 entries.
PYCDLIB_META_LIMITS = ("Partition map goes beyond end of data",
                       "UDF File Set Tag identifier not 256",
                       "UDF File Entry Tag identifier not 261")


def pyc_time(f):
    y, mo, d, h, mi, s, tz = f
    if tz == -2047:
        tz = 0
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) - tz * 60


def check_pycdlib(title, img, rev, bridge, raw, src_scan):
    names = ["names and types", "sizes and content "
             "(get_file_from_iso_fp(udf_path=...))",
             "modes, owners, link counts", "mtimes"]
    if not have_pycdlib():
        for n in names:
            T.skip("%s: pycdlib: %s" % (title, n), "%s has no pycdlib"
                   % SYS_PY)
        return
    p = run([SYS_PY, "-c", PYCDLIB_WALK, img])
    try:
        res = json.loads(p.stdout.decode())
    except ValueError:
        T.fail("%s: pycdlib reads the image" % title, "exit %d: %s"
               % (p.returncode, tail(p.stderr + p.stdout)))
        return
    meta = raw is not None and \
        "meta:*UDF Metadata Partition" in raw.info["maps"]
    if "open_error" in res:
        err = res["open_error"]
        if not bridge and "must have at least one PVD" in err:
            for n in names:
                T.skip("%s: pycdlib: %s" % (title, n), "pycdlib opens only "
                       "images with an ISO 9660 PVD (%s)" % err)
            return
        if meta and any(k in err for k in PYCDLIB_META_LIMITS):
            for n in names:
                T.skip("%s: pycdlib: %s" % (title, n), "pycdlib 1.12 cannot "
                       "read a metadata partition (it says: %s)" % err)
            return
        T.fail("%s: pycdlib opens the image" % title, err)
        return
    if meta and (res["errors"] or not res["entries"]):
        for n in names:
            T.skip("%s: pycdlib: %s" % (title, n), "pycdlib 1.12 reads "
                   "neither metadata partitions nor Extended File Entries "
                   "(it says: %s)" % "; ".join(res["errors"][:2]))
        return
    if not res.get("has_udf"):
        T.fail("%s: pycdlib finds the UDF tree" % title, "has_udf() False")
        return
    got = {}
    probs0 = list(res["errors"])
    skipped_inline = 0
    for path, e in res["entries"].items():
        rel = path[1:].encode("utf-8", "surrogatepass")
        g = {"type": FILE_TYPES.get(e["ftype"], "?%d" % e["ftype"]),
             "own": "%d:%d" % (e["uid"], e["gid"]), "nlink": e["nlink"]}
        perm, flags = e["perms"], e["flags"]
        mode = ((perm >> 10) & 7) << 6 | ((perm >> 5) & 7) << 3 | (perm & 7)
        mode |= (0o4000 if flags & 0x40 else 0) | \
            (0o2000 if flags & 0x80 else 0) | (0o1000 if flags & 0x100 else 0)
        g["mode"] = mode
        try:
            g["mtime"] = pyc_time(e["mtime"])
        except (ValueError, OverflowError):
            g["mtime"] = None
        if g["type"] == "f":
            g["size"] = e["size"]
            if "read_error" in e:
                probs0.append("%s: %s" % (path, e["read_error"]))
            if (flags & 7) == 3:
                # pycdlib 1.12 reads data inside the file entry from a
                # wrong place (Inode at partition start + the entry's
                # absolute block): not its content to judge
                skipped_inline += 1
                g["sha256"] = src_scan.get(rel, {}).get("sha256")
            else:
                g["sha256"] = e.get("sha256")
        got[rel] = g
    T.problems("%s: pycdlib: names and types equal the source" % title,
               probs0 + compare(src_scan, got, []))
    T.problems("%s: pycdlib: sizes and content (get_file_from_iso_fp("
               "udf_path=...)) equal the source%s" % (
                   title, " (%d files inside their entry left out)"
                   % skipped_inline if skipped_inline else ""),
               compare(src_scan, got, ["size", "sha256"], attrs_only=True))
    nl, _ = source_udf_expectations(src_scan)
    mp = compare(src_scan, got, ["mode", "own"], attrs_only=True)
    for rel, g in sorted(got.items()):
        if rel in nl and g["nlink"] != nl[rel] and \
                src_scan[rel]["type"] == g["type"]:
            mp.append("%s: link count %d, expected %d"
                      % (mf.esc(rel), g["nlink"], nl[rel]))
    T.problems("%s: pycdlib: modes, owners, link counts equal the source"
               % title, mp)
    T.problems("%s: pycdlib: mtimes equal the source" % title,
               compare(src_scan, got, ["mtime"], attrs_only=True))


# ----------------------------------------------- judges: udftools, 7z ----

def parse_kv(text):
    out = {}
    starts = []
    for ln in text.splitlines():
        if ln.startswith("start="):
            starts.append(ln)
        elif "=" in ln:
            k, v = ln.split("=", 1)
            out[k] = v
    return out, starts


def check_udfinfo(title, img, rev, src_scan):
    t = "%s: udfinfo: label, block size 2048, revision %s, closed, " \
        "file and folder counts, anchors" % (title, rev)
    if not have("udfinfo"):
        T.skip(t, "udfinfo not installed")
    else:
        p = run(["udfinfo", img])
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace").strip()
        kv, starts = parse_kv(out)
        probs = []
        if p.returncode != 0:
            probs.append("exit %d" % p.returncode)
        if err:
            probs.append("stderr: " + err.replace("\n", " | "))
        for k, want in (("label", LABEL), ("lvid", LABEL), ("vid", LABEL),
                        ("blocksize", str(BS)), ("udfrev", rev),
                        ("udfwriterev", rev), ("integrity", "closed")):
            if kv.get(k) != want:
                probs.append("%s=%s, expected %s" % (k, kv.get(k), want))
        ndirs = 1 + sum(1 for e in src_scan.values() if e["type"] == "d")
        nnames = sum(1 for e in src_scan.values() if e["type"] != "d")
        nfiles = len({e.get("hl", rel) for rel, e in src_scan.items()
                      if e["type"] != "d"})
        if kv.get("numdirs") != str(ndirs):
            probs.append("numdirs=%s, expected %d" % (kv.get("numdirs"),
                                                      ndirs))
        if kv.get("numfiles") not in (str(nnames), str(nfiles)):
            probs.append("numfiles=%s, expected %d (names) or %d (file "
                         "entries)" % (kv.get("numfiles"), nnames, nfiles))
        anchors = [int(m.group(1)) for m in (re.match(
            r"start=(\d+), blocks=\d+, type=ANCHOR", s) for s in starts) if m]
        nblocks = os.path.getsize(img) // BS
        if 256 not in anchors or not any(a in (nblocks - 1, nblocks - 257)
                                         for a in anchors):
            probs.append("anchors at %s (256 and %d or %d expected)"
                         % (anchors, nblocks - 1, nblocks - 257))
        T.problems(t, probs + (["--- udfinfo:"] + out.splitlines()
                               if probs else []))
        T.note("udfinfo: accesstype=%s impid=%s numfiles=%s"
               % (kv.get("accesstype"), kv.get("impid"), kv.get("numfiles")))
    t = "%s: udflabel prints the label" % title
    if not sbin_tool("udflabel"):
        T.skip(t, "udflabel not installed")
    else:
        p = run([sbin_tool("udflabel"), img])
        out = p.stdout.decode("utf-8", "replace").strip()
        err = p.stderr.decode("utf-8", "replace").strip()
        T.check(p.returncode == 0 and out == LABEL and not err, t,
                "exit %d, stdout %r, stderr %r" % (p.returncode, out, err))


def sevenzip_errors(text):
    """The lines 7-Zip prints under ERRORS: and after ERROR:."""
    errs = []
    lines = text.splitlines()
    for k, ln in enumerate(lines):
        if ln.startswith("ERRORS:"):
            for x in lines[k + 1:]:
                if not x.strip() or x.endswith(":"):
                    break
                errs.append(x.strip())
        elif ln.startswith("ERROR:") or "Open ERROR" in ln:
            errs.append(ln.strip())
    return errs


def check_7z_full(title, img, src_scan):
    sz = sevenzip()
    t = "%s: 7-Zip on the full image: extracts it, or refuses it only with " \
        "'Unsupported feature' (symlinks, FIFOs, devices)" % title
    if not sz:
        T.skip(t, "7-Zip not installed")
        return
    p = run([sz, "l", "-tudf", img])
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    unsupported = [r for r, e in src_scan.items() if e["type"] in
                   ("l", "p", "c", "b", "s")]
    if p.returncode == 0 and "ERROR" not in out:
        T.ok(t + " (it listed the image)")
        return
    errs = sevenzip_errors(out)
    core = [e for e in errs if not e.startswith("ERROR:")
            and "Cannot open the file as [Udf] archive" not in e]
    T.check(core == ["Unsupported feature"] and unsupported, t,
            "exit %d; errors %s; source entries 7-Zip cannot hold: %d\n%s"
            % (p.returncode, errs, len(unsupported), tail(out, 800)))


def check_7z_plain(title, img, plain_scan, work):
    sz = sevenzip()
    t = "%s: 7-Zip x -tudf (tree without symlinks/FIFOs/devices): names, " \
        "sizes, content, file and folder mtimes" % title
    if not sz:
        T.skip(t, "7-Zip not installed")
        return
    out = os.path.join(work, "x-7z")
    mf.force_rmtree(out)
    os.makedirs(out)
    p = run([sz, "x", "-tudf", "-y", "-bd", "-o" + out, img])
    text = (p.stdout + p.stderr).decode("utf-8", "replace")
    if p.returncode != 0 or "Everything is Ok" not in text:
        T.fail(t, "exit %d: %s" % (p.returncode, tail(text)))
        mf.force_rmtree(out)
        return
    got = scan(out)
    mf.force_rmtree(out)
    T.problems(t, compare(plain_scan, got, ["size", "sha256", "mtime"]))


# ------------------------------------------------------ judges: ISO side ----

def check_iso_side(title, img, src_scan, work):
    if have("isovfy"):
        p = run(["isovfy", img])
        out = p.stdout.decode("utf-8", "replace")
        lines = [ln for ln in out.splitlines()
                 if ln.strip() and not ln.startswith("Root at extent")
                 and ln.strip() != "[0 0]" and ln.strip() != "No errors found"]
        T.check(p.returncode == 0 and "No errors found" in out and not lines,
                "%s: isovfy reports no errors" % title,
                "exit %d\n%s" % (p.returncode, "\n".join(
                    (lines or out.splitlines())[:MAX_SHOW])))
    else:
        T.skip("%s: isovfy reports no errors" % title, "isovfy not installed")
    t = "%s: isoinfo -d: volume id, Rock Ridge, Joliet" % title
    if have("isoinfo"):
        p = run(["isoinfo", "-d", "-i", img])
        out = p.stdout.decode("utf-8", "replace")
        miss = []
        if p.returncode != 0:
            miss.append("exit %d: %s" % (p.returncode, tail(p.stderr)))
        if not re.search(r"^Volume id: %s\s*$" % LABEL, out, re.M):
            miss.append("no 'Volume id: %s' line" % LABEL)
        if "Rock Ridge signatures" not in out:
            miss.append("no Rock Ridge")
        if "Joliet with UCS level 3 found" not in out:
            miss.append("no Joliet (UCS level 3)")
        T.problems(t, miss + (out.splitlines() if miss else []))
    else:
        T.skip(t, "isoinfo not installed")
    rr = ["mode", "size", "sha256", "mtime", "target", "hl"] + \
        (["own", "rdev"] if IS_ROOT else [])
    extract_and_compare(
        "%s: isokit extract (Rock Ridge)" % title,
        [ISOKIT, "extract", "-q", img, "-C", os.path.join(work, "x-rr")],
        os.path.join(work, "x-rr"), src_scan, rr, ", ".join(rr))
    if have("bsdtar"):
        extract_and_compare(
            "%s: bsdtar -xpf" % title,
            ["bsdtar", "-xpf", img, "-C", os.path.join(work, "x-bsdtar")],
            os.path.join(work, "x-bsdtar"), src_scan, rr, ", ".join(rr))
    else:
        T.skip("%s: bsdtar -xpf" % title, "bsdtar not installed")


ISOINFO_RX = re.compile(rb"^([-dlcbpsf?])[-rwxsStT]{9}\s+\d+\s+"
                        rb"(?:\d+\s+\d+|\d+)"
                        rb"\s+\d+\s+\w{3}\s+\d+\s+\d+\s+\[\s*(\d+)\s+\d+\]  "
                        rb"(.*)$")


def iso_extents(img):
    """RR path -> first extent, from isoinfo -R -l (deep relocated folders
    are not listed there; callers leave them aside)."""
    p = run(["isoinfo", "-R", "-l", "-i", img])
    out = {}
    cur = None
    for ln in p.stdout.split(b"\n"):
        if ln.startswith(b"Directory listing of "):
            cur = ln[len(b"Directory listing of "):].strip(b"/")
            continue
        m = ISOINFO_RX.match(ln)
        if not m or cur is None:
            continue
        t, ext, name = m.groups()
        if t == b"l" and b" -> " in name:
            name = name.split(b" -> ", 1)[0]
        name = name.rstrip(b" ")
        if name in (b".", b".."):
            continue
        rel = cur + b"/" + name if cur else name
        out.setdefault(rel, int(ext))
    return out, p.returncode


def check_sharing(title, img, plain_img, raw, src_scan):
    entries = len(src_scan) + 1
    if plain_img is None:
        T.fail("%s: the image without --udf (for the size check) was made"
               % title)
    else:
        a, b = os.path.getsize(img), os.path.getsize(plain_img)
        limit = 2048 * (entries + 300)
        T.check(a - b < limit,
                "%s: %d bytes more than without --udf (< 2048 * (%d entries "
                "+ 300) = %d): no file data twice" % (title, a - b, entries,
                                                       limit),
                "with --udf %d bytes, without %d: %d more" % (a, b, a - b))
    t = "%s: every non-empty file's UDF data starts at its ISO 9660 " \
        "extent (or lies inside its file entry)" % title
    if raw is None or not have("isoinfo"):
        T.skip(t, "no raw UDF tree" if raw is None else "isoinfo missing")
        return
    ext, rc = iso_extents(img)
    probs = []
    compared = inline = 0
    want = [r for r, e in src_scan.items() if e["type"] == "f" and e["size"]]
    for rel in sorted(want):
        u = raw.entries.get(rel)
        if u is None or u["type"] != "f":
            continue
        if u["inline"]:
            inline += 1
            continue
        if rel not in ext:
            continue
        compared += 1
        if u.get("first_block") != ext[rel]:
            probs.append("%s: UDF data at block %s, ISO 9660 extent %d"
                         % (mf.esc(rel), u.get("first_block"), ext[rel]))
    if compared + inline < 0.8 * len(want):
        probs.append("only %d of %d files could be paired (isoinfo exit %d)"
                     % (compared + inline, len(want), rc))
    T.problems(t + " (%d compared, %d inside their entry)"
               % (compared, inline), probs)


def check_no_iso(title, img):
    found = []
    with open(img, "rb") as fh:
        for sec in range(16, 32):
            fh.seek(sec * 2048)
            b = fh.read(8)
            if b[1:6] == b"CD001":
                found.append(sec)
    T.check(not found, "%s: no ISO 9660 volume descriptor (CD001) at "
            "sectors 16..31" % title, "CD001 at sectors %s" % found)


# -------------------------------------------------------- option checks ----

def check_options(work):
    d = os.path.join(work, "opts")
    src = os.path.join(d, "src")
    os.makedirs(os.path.join(src, "isolinux"))
    with open(os.path.join(src, "isolinux", "isolinux.bin"), "wb") as fh:
        fh.write(b"\xfa" * 2048)
    with open(os.path.join(src, "efi.img"), "wb") as fh:
        fh.write(bytes(1440 * 1024))
    out = os.path.join(d, "out.iso")
    cases = [
        ("--udf-revision 3.0", ["--udf", "--udf-revision", "3.0"],
         ("udf-revision", "3.0")),
        ("--udf-revision 1.50", ["--udf", "--udf-revision", "1.50"],
         ("udf-revision", "1.50")),
        ("--udf-revision ''", ["--udf", "--udf-revision", ""],
         ("udf-revision",)),
        ("--udf-only --boot", ["--udf-only", "--boot",
                               "/isolinux/isolinux.bin"],
         ("udf-only", "boot")),
        ("--udf-only --efi", ["--udf-only", "--efi", "/efi.img"],
         ("udf-only", "efi")),
    ]
    for desc, flags, words in cases:
        cmd = [ISOKIT, "create"] + flags + ["-o", out, "-V", "X", src]
        p = run(cmd, timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        probs = []
        if p.returncode != 2:
            probs.append("exit %d, expected 2" % p.returncode)
        if not err.strip():
            probs.append("no message on stderr")
        elif not any(w in err for w in words):
            probs.append("the message names none of %s" % (words,))
        left = sorted(n for n in os.listdir(d) if n != "src")
        if left:
            probs.append("left behind: %s" % left)
            for n in left:
                os.unlink(os.path.join(d, n))
        T.problems("create %s: exit 2, a message, no image" % desc,
                   probs + (["$ " + fmt_cmd(cmd), "stderr: " + tail(err, 400)]
                            if probs else []))
        if not probs:
            T.note("isokit said: " + tail(err, 200).replace("\n", " | "))
    mf.force_rmtree(d)


def check_limits(work):
    """Names UDF cannot hold: refused clearly, or shortened validly."""
    d = os.path.join(work, "limits")
    src = os.path.join(d, "src")
    os.makedirs(src)
    for n in (NAME_ASCII_255, NAME_MIXED_LONG, "short.txt"):
        with open(os.path.join(src, n), "wb") as fh:
            fh.write(n.encode()[:20] + b"\n")
    out = os.path.join(d, "out.iso")
    t = "names UDF cannot hold (255 ASCII bytes; 155 UTF-16 units): create " \
        "--udf refuses naming them (exit 1, no image) or records unique " \
        "names of at most 255 bytes, warns naming them, and keeps the full " \
        "names in Rock Ridge"
    cmd, p, _ = isokit_create(["--udf"], out, src, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    probs = []
    if p.returncode != 0:
        if p.returncode != 1:
            probs.append("exit %d, expected 0 or 1" % p.returncode)
        if not (NAME_ASCII_255[:20] in err or NAME_MIXED_LONG[:20] in err):
            probs.append("the message names neither entry")
        if os.path.exists(out):
            probs.append("an image was left under the output name")
        T.problems(t, probs + ["stderr: " + tail(err, 600)])
        if not probs:
            T.note("isokit refused: " + tail(err, 300).replace("\n", " | "))
        mf.force_rmtree(d)
        return
    u = None
    try:
        u = RawUdf(out)
        probs += u.problems
        names = sorted(u.entries)
        if len(names) != 3:
            probs.append("UDF names: %s" % [mf.esc(n) for n in names])
        for n in names:
            enc16 = any(ord(c) > 255 for c in n.decode("utf-8",
                                                       "surrogateescape"))
            units = len(n.decode("utf-8", "surrogateescape").encode(
                "utf-16-be")) // 2 if enc16 else len(n.decode(
                    "utf-8", "surrogateescape"))
            if (enc16 and units > 127) or (not enc16 and units > 254):
                probs.append("%s: too long for a File Identifier"
                             % mf.esc(n))
    except Exception as ex:   # noqa: BLE001
        probs.append("raw UDF reader: %s: %s" % (type(ex).__name__, ex))
    for n in (NAME_ASCII_255, NAME_MIXED_LONG):
        if n not in err:
            probs.append("no warning on stderr names %s...%s" % (n[:12],
                                                                n[-8:]))
    x = os.path.join(d, "x")
    q = run([ISOKIT, "extract", "-q", out, "-C", x])
    got = sorted(os.listdir(x)) if os.path.isdir(x) else []
    if q.returncode != 0 or got != sorted(os.listdir(src)):
        probs.append("isokit extract (Rock Ridge): exit %d, names %s"
                     % (q.returncode, [mf.esc(g) for g in got]))
    T.problems(t, probs)
    if not probs and u is not None:
        T.note("UDF names: " + ", ".join(mf.esc(n) for n in sorted(u.entries)))
    mf.force_rmtree(d)


# ----------------------------------------------------------------- main ----

def atime_reliable(path):
    """False on a strictatime mount (every read moves atime)."""
    best, opts = "", ""
    try:
        with open("/proc/self/mounts") as fh:
            for ln in fh:
                parts = ln.split()
                mp = parts[1].replace("\\040", " ")
                if (path == mp or path.startswith(mp.rstrip("/") + "/")) \
                        and len(mp) >= len(best):
                    best, opts = mp, parts[3]
    except OSError:
        return True
    return "strictatime" not in opts.split(",")


def main_tree():
    base = os.environ.get("TMPDIR") or "/tmp"
    work = tempfile.mkdtemp(prefix="isokit-udf-rt.", dir=base)
    os.chmod(work, 0o755)
    t_start = time.time()
    T.note("isokit: %s; scratch: %s; root: %s" % (ISOKIT, work, IS_ROOT))
    try:
        if not os.access(ISOKIT, os.X_OK):
            T.fail("ISOKIT is executable", ISOKIT)
            return finish()
        src = os.path.join(work, "src")
        p = run([sys.executable, os.path.join(INTEROP, "make-tree.py"), src])
        if p.returncode != 0:
            T.fail("make-tree.py builds the source tree", tail(p.stderr))
            return finish()
        for n in add_extras(src):
            T.note(n)
        src_scan = scan(src)
        plain_src = os.path.join(work, "src-7z")
        copy_without(src, plain_src, ("l", "p", "c", "b", "s"))
        plain_scan = scan(plain_src)
        sanity = compare({r: e for r, e in src_scan.items()
                          if e["type"] not in ("l", "p", "c", "b", "s")},
                         plain_scan, ["mode", "size", "sha256", "mtime",
                                      "hl"])
        if sanity:
            T.fail("the copy for 7-Zip equals the source but for symlinks, "
                   "FIFOs and devices (test setup)", "\n".join(sanity[:12]))
        T.note("source: %d entries (%d for the 7-Zip image)"
               % (len(src_scan), len(plain_scan)))
        plain_img = os.path.join(work, "no-udf.iso")
        cmd, p, dt = isokit_create([], plain_img, src)
        if p.returncode != 0:
            T.fail("isokit create without --udf (the size reference)",
                   "%s\nexit %d: %s" % (fmt_cmd(cmd), p.returncode,
                                        tail(p.stderr)))
            plain_img = None
        for title, flags, rev, bridge in MODES:
            img = os.path.join(work, "udf.iso")
            cmd, p, dt = isokit_create(flags, img, src)
            if p.returncode != 0 or not os.path.isfile(img):
                T.fail("%s: create makes the image" % title,
                       "%s\nexit %d: %s" % (fmt_cmd(cmd), p.returncode,
                                            tail(p.stderr + p.stdout)))
                continue
            T.ok("%s: create makes the image (%d bytes, %.1f s)"
                 % (title, os.path.getsize(img), dt))
            # source times after imaging: reading moved atimes (relatime),
            # the writer's reads do not move them again
            times = scan(src, sha=False, times=True)
            btimes = birth_times(src, times) if rev == "2.50" else {}
            raw = guarded("%s: raw UDF" % title, check_raw, title, img, rev,
                          bridge, src_scan, times, btimes,
                          atime_reliable(work))
            guarded("%s: pycdlib" % title, check_pycdlib, title, img, rev,
                    bridge, raw, src_scan)
            guarded("%s: udfinfo" % title, check_udfinfo, title, img, rev,
                    src_scan)
            guarded("%s: 7-Zip" % title, check_7z_full, title, img, src_scan)
            img7 = os.path.join(work, "udf-7z.iso")
            cmd7, p7, _ = isokit_create(flags, img7, plain_src)
            if p7.returncode != 0:
                T.fail("%s: create of the tree for 7-Zip" % title,
                       "%s\nexit %d: %s" % (fmt_cmd(cmd7), p7.returncode,
                                            tail(p7.stderr)))
            else:
                guarded("%s: 7-Zip x" % title, check_7z_plain, title, img7,
                        plain_scan, work)
                os.unlink(img7)
            f = ["mode", "size", "sha256", "mtime", "target", "hl"] + \
                (["own"] if IS_ROOT else [])
            guarded("%s: isokit --namespace udf" % title, extract_and_compare,
                    "%s: isokit extract --namespace udf" % title,
                    [ISOKIT, "extract", "-q", "--namespace", "udf", img, "-C",
                     os.path.join(work, "x-udf")],
                    os.path.join(work, "x-udf"), src_scan, f,
                    "names, types, " + ", ".join(f))
            if bridge:
                guarded("%s: ISO side" % title, check_iso_side, title, img,
                        src_scan, work)
                guarded("%s: sharing" % title, check_sharing, title, img,
                        plain_img, raw, src_scan)
            else:
                check_no_iso(title, img)
                guarded("%s: isokit auto" % title, extract_and_compare,
                        "%s: isokit extract (no --namespace)" % title,
                        [ISOKIT, "extract", "-q", img, "-C",
                         os.path.join(work, "x-auto")],
                        os.path.join(work, "x-auto"), src_scan, f,
                        "names, types, " + ", ".join(f))
            if os.environ.get("KEEP"):
                os.rename(img, os.path.join(work, "udf-%s.iso" % rev + (
                    "" if bridge else "-only")))
            else:
                os.unlink(img)
        guarded("option checks", check_options, work)
        guarded("name limit checks", check_limits, work)
    finally:
        if os.environ.get("KEEP"):
            T.note("kept %s" % work)
        else:
            mf.force_rmtree(work)
        T.note("ran %.1f s" % (time.time() - t_start))
    return finish()


# -------------------------------------------------------------- bigfile ----

BIG_SIZE = 4 * 1024 ** 3 + 512 * 1024 ** 2 + 123      # 4.5 GiB + 123
BIG_MARKS = ((0, 65536),
             (0x3FFFF800 - 3000, 6000),      # UDF's largest extent
             (1 << 31, 4096),
             (0xFFFFF800 - 3000, 4000),      # ISO 9660 section limit
             ((1 << 32) - 1000, 5000),       # 4 GiB
             (BIG_SIZE - 3000, 3000))        # unaligned end
NEED_FREE = 12 * 10 ** 9


def big_marks():
    import random
    rnd = random.Random(45)
    return [(off, bytes(rnd.getrandbits(8) for _ in range(n)))
            for off, n in BIG_MARKS]


def big_windows():
    """(offset, length) windows to read: each marker with 4 KiB of zeros
    (or neighbours) on either side."""
    return [(max(0, off - 4096), min(BIG_SIZE, off + n + 4096)
             - max(0, off - 4096)) for off, n in BIG_MARKS]


def big_expected(marks, off, n):
    """The source file's bytes [off, off+n): zeros and the markers."""
    buf = bytearray(n)
    for moff, data in marks:
        a, b = max(off, moff), min(off + n, moff + len(data))
        if a < b:
            buf[a - off:b - off] = data[a - moff:b - moff]
    return bytes(buf)


def first_difference(a, b):
    k = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
             min(len(a), len(b)))
    return k


# pycdlib ties a UDF file's data to the ISO 9660 record that starts at the
# same block (one Inode per first extent, pycdlib.py _walk_udf_directories),
# and that Inode has the ISO record's length: the first section of a
# multi-extent file, less than 4 GiB.  open_file_from_iso(udf_path=...)
# therefore stops there on any bridge that shares data, a pycdlib limit.  So
# the data is read through the allocation descriptors pycdlib parsed from
# the UDF file entry (and its partition start), from the image file.
PYCDLIB_BIG = r"""
import json, sys
import pycdlib
img, windows = sys.argv[1], json.loads(sys.argv[2])
iso = pycdlib.PyCdlib()
out = {}
try:
    iso.open(img)
    r = iso.get_record(udf_path="/big.bin")
    out["size"] = r.get_data_length()
    ps = iso.udf_main_descs.partitions[0].part_start_location
    bs = iso.logical_block_size
    exts = [(ad.log_block_num, ad.extent_length) for ad in r.alloc_descs]
    out["extents"] = len(exts)
    got = []
    with open(img, "rb") as fh:
        for off, n in windows:
            buf = b""
            pos = 0
            for lbn, ln in exts:
                a, b = max(off, pos), min(off + n, pos + ln)
                if a < b:
                    fh.seek((ps + lbn) * bs + a - pos)
                    buf += fh.read(b - a)
                pos += ln
            got.append(buf.hex())
    out["windows"] = got
    iso.close()
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(out))
"""


def main_big():
    base = os.environ.get("TMPDIR") or "/tmp"
    st = os.statvfs(base)
    free = st.f_bavail * st.f_frsize
    if free < NEED_FREE:
        print("1..0 # SKIP need 12 GB free in %s, have %.1f GB"
              % (base, free / 1e9))
        return 0
    work = tempfile.mkdtemp(prefix="isokit-udf-big.", dir=base)
    t_start = time.time()
    try:
        if not os.access(ISOKIT, os.X_OK):
            T.fail("ISOKIT is executable", ISOKIT)
            return finish()
        src = os.path.join(work, "src")
        os.makedirs(src)
        big = os.path.join(src, "big.bin")
        marks = big_marks()
        with open(big, "wb") as fh:
            fh.truncate(BIG_SIZE)
            for off, data in marks:
                fh.seek(off)
                fh.write(data)
        os.utime(big, (T_DEFAULT, T_DEFAULT))
        with open(os.path.join(src, "small.txt"), "wb") as fh:
            fh.write(b"small file after the big one\n")
        # the model of the file is right (else the test is wrong)
        with open(big, "rb") as fh:
            for off, n in big_windows():
                fh.seek(off)
                if fh.read(n) != big_expected(marks, off, n):
                    T.fail("source file equals its model (test setup)",
                           "window at %d" % off)
        img = os.path.join(work, "big.iso")
        cmd, p, dt = isokit_create(["--udf", "--no-checksums"], img, src,
                                   timeout=900)
        if p.returncode != 0:
            T.fail("create --udf --no-checksums of a 4.5 GiB file",
                   "%s\nexit %d: %s" % (fmt_cmd(cmd), p.returncode,
                                        tail(p.stderr)))
            return finish()
        isz = os.path.getsize(img)
        T.ok("create --udf --no-checksums of a 4.5 GiB file (%.1f s, image "
             "%d bytes)" % (dt, isz))
        T.check(isz < BIG_SIZE + 64 * 1024 ** 2,
                "the image is less than the data + 64 MiB (data shared by "
                "ISO 9660 and UDF)", "image %d bytes, file %d" % (isz,
                                                                 BIG_SIZE))
        # raw reader: size, extents, markers and the zeros around them
        probs = []
        u = guarded("raw UDF", RawUdf, img, sha=False)
        if u is not None:
            probs += u.problems
            e = u.entries.get(b"big.bin")
            if e is None:
                probs.append("no big.bin: %s" % sorted(u.entries))
            else:
                if e["length"] != BIG_SIZE:
                    probs.append("size %d, expected %d" % (e["length"],
                                                           BIG_SIZE))
                exts = [x for x in e["exts"] if x[0] != "inline"]
                for kind, ln, ref, lbn in exts:
                    if ln > 0x3FFFF800:
                        probs.append("extent of %d bytes (max 0x3FFFF800)"
                                     % ln)
                with open(img, "rb") as fh:
                    for off, n in big_windows():
                        buf = bytearray()
                        pos = 0
                        for kind, ln, ref, lbn in exts:
                            a, b = max(off, pos), min(off + n, pos + ln)
                            if a < b:
                                if kind == 0:
                                    fh.seek(u.addr(ref, lbn) * BS + a - pos)
                                    buf += fh.read(b - a)
                                else:
                                    buf += bytes(b - a)
                            pos += ln
                        exp = big_expected(marks, off, n)
                        if bytes(buf) != exp:
                            probs.append("bytes %d..%d differ from byte %d "
                                         "(%d bytes read)" % (
                                             off, off + n, off +
                                             first_difference(buf, exp),
                                             len(buf)))
                T.note("big.bin: %d extents, data from block %s"
                       % (len(exts), e.get("first_block")))
        T.problems("raw UDF: big.bin size %d, extents <= 0x3FFFF800, "
                   "markers at 0, 1 GiB, 2 GiB, 0xFFFFF800, 4 GiB, end"
                   % BIG_SIZE, probs)
        # pycdlib
        t = "pycdlib: big.bin size, and the markers through the " \
            "allocation descriptors it parsed"
        if have_pycdlib():
            q = run([SYS_PY, "-c", PYCDLIB_BIG, img,
                     json.dumps(big_windows())])
            try:
                res = json.loads(q.stdout.decode())
            except ValueError:
                res = {"error": "exit %d: %s" % (q.returncode,
                                                 tail(q.stderr))}
            pp = []
            if "error" in res:
                pp.append(res["error"])
            else:
                if res["size"] != BIG_SIZE:
                    pp.append("size %d" % res["size"])
                for (off, n), h in zip(big_windows(), res["windows"]):
                    got = bytes.fromhex(h)
                    exp = big_expected(marks, off, n)
                    if got != exp:
                        pp.append("bytes %d..%d differ from byte %d (%d "
                                  "bytes read)" % (
                                      off, off + n,
                                      off + first_difference(got, exp),
                                      len(got)))
            T.problems(t, pp)
        else:
            T.skip(t, "no pycdlib")
        # isokit ls -l, both namespaces
        for ns, extra in (("udf", ["--namespace", "udf"]), ("rock ridge", [])):
            q = run([ISOKIT, "ls", "-l"] + extra + [img, "/"])
            line = [ln for ln in q.stdout.decode("utf-8", "replace")
                    .splitlines() if ln.endswith("big.bin")]
            T.check(q.returncode == 0 and len(line) == 1 and
                    str(BIG_SIZE) in line[0].split(),
                    "isokit ls -l (%s): big.bin has %d bytes" % (ns, BIG_SIZE),
                    "exit %d: %s" % (q.returncode, tail(q.stdout + q.stderr)))
        sz = sevenzip()
        if sz:
            q = run([sz, "l", "-tudf", "-slt", img])
            out = q.stdout.decode("utf-8", "replace")
            sizes = [blk.get("Size") for blk in slt_blocks(out)
                     if blk.get("Path") == "big.bin"]
            T.check(q.returncode == 0 and sizes == [str(BIG_SIZE)],
                    "7z l -tudf -slt: big.bin has %d bytes" % BIG_SIZE,
                    "exit %d: %s" % (q.returncode, tail(out + q.stderr
                                                        .decode())))
            # 7-Zip follows the extents itself: the whole file's digest
            t = "7z e -so -tudf: big.bin's SHA-256 equals the source's"
            want = mf.sha256_file(big)
            proc = subprocess.Popen([sz, "e", "-so", "-tudf", img, "big.bin"],
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            h = hashlib.sha256()
            n = 0
            while True:
                chunk = proc.stdout.read(1 << 22)
                if not chunk:
                    break
                h.update(chunk)
                n += len(chunk)
            err = proc.stderr.read()
            rc = proc.wait()
            T.check(rc == 0 and n == BIG_SIZE and h.hexdigest() == want, t,
                    "exit %d, %d bytes, sha256 %s (source %s): %s"
                    % (rc, n, h.hexdigest()[:16], want[:16], tail(err, 300)))
        else:
            T.skip("7z l -tudf: big.bin size", "7-Zip not installed")
            T.skip("7z e -so -tudf: big.bin's SHA-256", "7-Zip not installed")
    finally:
        if os.environ.get("KEEP"):
            T.note("kept %s" % work)
        else:
            mf.force_rmtree(work)
        T.note("ran %.1f s" % (time.time() - t_start))
    return finish()


def slt_blocks(text):
    """7-Zip -slt output as a list of {key: value} blocks."""
    out, cur = [], {}
    for ln in text.splitlines():
        if not ln.strip():
            if cur:
                out.append(cur)
            cur = {}
        elif " = " in ln:
            k, v = ln.split(" = ", 1)
            cur[k] = v
    if cur:
        out.append(cur)
    return out


if __name__ == "__main__":
    if "--bigfile" in sys.argv[1:]:
        sys.exit(main_big())
    sys.exit(main_tree())
