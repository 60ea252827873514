#!/usr/bin/env python3
"""Interop test driver: build an ISO image with a third-party producer, then
check that isokit reads back what the image carries.

usage: run-case.py CASE        (run-case.py --list prints the case names)

Environment: ISOKIT (the isokit binary, required), TMPDIR (scratch space).
Exit status: 0 pass, 1 isokit did not reproduce the tree, 77 skip (a
producer or oracle tool is not installed), 99 the test itself could not run
(a producer or oracle failed, or the image lacks what the case is about).

Every case makes the tree of make-tree.py, images it, and runs checks for
each namespace the image carries:

rockridge (the source tree is the oracle; nothing is taken from another
reader):
  R1  `isokit extract IMG -C OUT` exits 0 and the manifest of OUT (type,
      mode, size, sha256, mtime of files/dirs/symlinks, link target,
      hard-link groups) equals the manifest of the source tree, minus only
      what the producer itself cannot record (documented per case).
  R2  `isokit ls -R IMG` names exactly the source paths (plus what the
      producer adds, e.g. boot.cat), each once, a folder's entries before
      the contents of its subfolders; `ls -R --sort --namespace rockridge`
      gives the same with each folder's entries byte-sorted.  (isokit lists
      in image order unless --sort is given; if its `ls` has no --sort, the
      plain listing must be sorted.)
  R3  `isokit cat IMG PATH` gives the source bytes for a sample of hard
      cases (250-byte name, NFD name, zisofs files, deep leaf, hard link).
  R4  cross-check: `bsdtar -tf IMG` names the same set as `isokit ls -R`
      (only where libarchive reads the image correctly).
  V1  `isokit verify IMG` says the (intact) image is intact: exit 0.

joliet, iso9660 and iso9660-1999 (names are mangled by the producer, so the
name oracle is another reader: 7-Zip for Joliet, isoinfo -f for plain ISO
9660, with `bsdtar --options iso9660:!rockridge,iso9660:!joliet` and 7-Zip
as second opinions; ISO 9660:1999 only where it shares the plain tree):
  N1  `isokit ls -R --namespace NS IMG` names exactly the oracle's paths
      (same structural checks as R2).
  N2  `isokit extract IMG -C OUT --namespace NS` exits 0 and OUT equals the
      oracle's extraction in names, types, sizes and content.
  N3  when this is the image's richest namespace (Joliet-only and plain
      images): the multiset of (sha256, size, mtime) over the regular files
      of OUT equals that of the source tree, and so does the multiset of
      directory mtimes -- content and times checked against the source
      without depending on how names were mangled.  The extraction without
      --namespace must give the same tree as N2.

mount (where FUSE works: /dev/fuse and an isokit built with libfuse3;
otherwise these checks are reported as skipped):
  M1  `isokit mount IMG MNT` shows the source tree: the manifest of MNT
      equals the source's, with the same allowances as R1 (inode groups
      from the mount's inode numbers), then `isokit umount` leaves MNT
      empty and unmounted.
  M2  for every other namespace, `isokit mount --namespace NS` shows what
      the name oracle extracted (as N2) and exactly what `isokit extract
      --namespace NS` writes (full manifests compared).

Plus `isokit info IMG` and `isokit info --json IMG` exit 0, the JSON parses
and reports the namespace in use, Rock Ridge / Joliet / zisofs exactly where
present, and the El Torito boot image at the block xorriso reports.

What the producers and oracles themselves cannot do (seen with xorriso 1.5.4,
genisoimage 1.1.11, bsdtar 3.6.2, 7-Zip 26; expectations are adjusted for
that producer or oracle only, never for isokit):
  * genisoimage -J aborts on names outside UCS-2 (emoji): those cases use
    make-tree.py --no-non-bmp.  xorriso -as mkisofs without -joliet-utf16
    writes '_' for them (the 7-Zip oracle shows what is there).
  * genisoimage writes dates after 2038 with GMT offset -96 (out of range);
    libarchive and Linux ignore it, xorriso and 7-Zip apply it (one day
    off).  isokit is held to the source time.
  * genisoimage -iso-level 4 rejects -input-charset utf-8.
  * genisoimage without -D drops directories deeper than 8 levels from
    plain/Joliet trees: the plain and Joliet cases pass -D.
  * mkzftree does not keep symlink mtimes (genisoimage-zisofs only).
  * bsdtar's zisofs writer produces unreadable files (the last zlib block
    is corrupt, libarchive and libisofs both fail): not used.  Its default
    rockridge=useful rewrites modes: rockridge=strict is used.
  * libarchive reads the 300-byte symlink target of xorriso images with a
    '/' missing (SL continuation), composes NFD Joliet names to NFC,
    rejects RE outside rr_moved (xorriso relocation into /) and the second
    session of a multi-session image: it is used as an oracle only where
    it is right (R4, plain-ISO extraction).
  * xorriso -osirrox does not restore symlink mtimes and does not see hard
    links without PX inode numbers; it is not used as an oracle for those.
  * 7-Zip shows Joliet names if present, else Rock Ridge names (7-Zip 26),
    else plain names; it keeps NFD.
"""

import contextlib
import difflib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import manifest as mf  # noqa: E402

SKIP = 77
HARD_ERROR = 99
ISOKIT_TIMEOUT = 120
MAX_DIFF_LINES = 120


# ---------------------------------------------------------------- cases ----
#
# Each case: tools it needs, tree options, the producer command (a function
# of src dir and image path returning a list of argv lists), the namespaces
# the image carries (first = the one isokit must pick by default), manifest
# adjustments for the Rock Ridge comparison (only for what the producer
# cannot record), extra paths the producer adds to the RR tree, and whether
# libarchive reads the RR tree correctly (for the R4 cross-check).

XORRISO_Q = ["xorriso", "-report_about", "SORRY"]


def c_xorriso_native(src, img):
    # Native xorriso: RRIP 1.12 (PX inode numbers) so that hard links are
    # recorded as such (-hardlinks on), Joliet in UTF-16 (emoji as surrogate
    # pairs) with 103-character names, unrelocated deep paths (default).
    return [XORRISO_Q + ["-outdev", img,
                         "-compliance", "new_rr:joliet_utf16:joliet_long_names",
                         "-hardlinks", "on", "-joliet", "on",
                         "-map", src, "/"]]


def c_xorriso_relocated(src, img):
    # deep_paths_off/long_paths_off: directories below level 8 are moved to
    # the relocation directory, which for xorriso is by default the ROOT
    # itself (CL/PL/RE entries; RE-marked directories in / must be hidden).
    return [XORRISO_Q + ["-outdev", img,
                         "-compliance", "new_rr:deep_paths_off:long_paths_off",
                         "-hardlinks", "on", "-map", src, "/"]]


def c_xorriso_mkisofs(src, img):
    # mkisofs emulation: RRIP 1.10 (PX without inode number: hard links are
    # names sharing one extent with PX nlink > 1), UCS-2 Joliet (emoji become
    # '_'), 64-character Joliet names.
    return [["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J",
             "-o", img, src]]


def zisofs_native(block):
    def build(src, img):
        return [XORRISO_Q + ["-outdev", img,
                             "-compliance", "new_rr", "-hardlinks", "on",
                             "-map", src, "/",
                             "-zisofs", "level=9:block_size=%s" % block,
                             "-set_filter_r", "--zisofs", "/"]]
    return build


def c_genisoimage_rr_joliet(src, img):
    # genisoimage: deep directories relocated to /rr_moved (CL/PL/RE), hard
    # links as shared extents + PX nlink (36-byte PX, no inode number),
    # dates after 2038 written with an out-of-range GMT offset (-96 = -24 h;
    # ECMA-119 allows -48..+52), which readers must ignore as Linux does.
    return [["genisoimage", "-quiet", "-R", "-J", "-joliet-long",
             "-input-charset", "utf-8", "-o", img, src]]


def c_genisoimage_rr(src, img):
    # Rock-Ridge-only (no Joliet), full tree including emoji names.
    return [["genisoimage", "-quiet", "-R", "-input-charset", "utf-8",
             "-o", img, src]]


def c_genisoimage_zisofs(src, img):
    # genisoimage -z only marks files that mkzftree already compressed.
    z = src + ".zisofs"
    return [["mkzftree", "-z", "9", src, z],
            ["genisoimage", "-quiet", "-R", "-z", "-input-charset", "utf-8",
             "-o", img, z]]


def c_bsdtar(src, img):
    # rockridge=strict: keep modes/owners as they are (the default "useful"
    # rewrites modes like mkisofs -r); Joliet is on by default.
    return [["bsdtar", "-c", "--format", "iso9660",
             "--options", "iso9660:rockridge=strict",
             "-f", img, "-C", src, "."]]


def c_eltorito_xorriso(src, img):
    return [["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J",
             "-joliet-long", "-joliet-utf16",
             "-b", "ascii/exact-2048.bin", "-c", "boot.cat", "-no-emul-boot",
             "-o", img, src]]


def c_eltorito_genisoimage(src, img):
    # no -boot-info-table: it would patch the boot file (source and image
    # would then differ on purpose)
    return [["genisoimage", "-quiet", "-R", "-J", "-joliet-long",
             "-input-charset", "utf-8",
             "-b", "ascii/exact-2048.bin", "-c", "boot.cat", "-no-emul-boot",
             "-boot-load-size", "4", "-o", img, src]]


def iso_level(n):
    def build(src, img):
        # Plain ISO 9660 (no RR, no Joliet).  -D keeps directories deeper
        # than 8 levels in place; without it genisoimage silently drops them
        # ("Directories too deep ... ignored").  Symlinks are dropped by
        # genisoimage without -R (a plain ISO cannot hold them).
        return [["genisoimage", "-quiet", "-iso-level", str(n), "-D",
                 "-input-charset", "utf-8", "-o", img, src]]
    return build


def c_iso_level_4(src, img):
    # ISO 9660:1999 (enhanced volume descriptor, names up to 207 bytes, no
    # versions).  genisoimage points the PVD and the EVD at the SAME tree,
    # so the plain-ISO oracles (isoinfo, bsdtar) name it too.  No
    # -input-charset: at level 4 genisoimage rejects utf-8 ("Unknown
    # charset"); with the default the name bytes are copied unchanged.
    return [["genisoimage", "-quiet", "-iso-level", "4", "-D",
             "-o", img, src]]


def c_joliet_genisoimage(src, img):
    return [["genisoimage", "-quiet", "-J", "-joliet-long", "-D",
             "-input-charset", "utf-8", "-o", img, src]]


def c_joliet_xorriso(src, img):
    return [["xorriso", "-as", "mkisofs", "-quiet", "--norock", "-J",
             "-joliet-long", "-joliet-utf16", "-o", img, src]]


def c_plain_xorriso(src, img):
    return [XORRISO_Q + ["-outdev", img, "-rockridge", "off",
                         "-joliet", "off", "-map", src, "/"]]


def c_genisoimage_hidden_reloc(src, img):
    # -hide-rr-moved: the relocation directory is called .rr_moved in the
    # Rock Ridge tree; it must stay hidden like rr_moved.
    return [["genisoimage", "-quiet", "-R", "-hide-rr-moved",
             "-input-charset", "utf-8", "-o", img, src]]


def c_xorriso_backup(src, img):
    # -for_backup: RRIP 1.12, hard links, ACLs and xattrs as AAIP "AL"
    # entries (make-tree.py sets user.* xattrs where the filesystem allows),
    # MD5 checksum tags and the isofs.ca / isofs.cx attributes.  A reader
    # must skip the AL entries and not take the tags for file data.
    return [XORRISO_Q + ["-outdev", img, "-for_backup", "-xattr", "any",
                         "-map", src, "/"]]


def c_xorriso_multisession(src, img):
    # Two sessions appended to one image file: xorriso puts a copy of the
    # newest superblock at LBA 0 and the first session at LBA 32; the reader
    # must see the tree of the newest session (session 1 + /session2).
    s2 = os.path.join(os.path.dirname(src), "session2")
    os.makedirs(os.path.join(s2, "sub"))
    with open(os.path.join(s2, "sub", "new.txt"), "wb") as fh:
        fh.write(b"added in the second session\n")
    for p in ("sub/new.txt", "sub", ""):
        os.utime(os.path.join(s2, p), (1700000000, 1700000000))
    common = ["-compliance", "new_rr", "-hardlinks", "on"]
    return [XORRISO_Q + ["-outdev", img] + common + ["-map", src, "/",
                                                     "-commit"],
            XORRISO_Q + common + ["-dev", img, "-map", s2, "/session2",
                                  "-commit"]]


RR_JOLIET_PLAIN = ["rockridge", "joliet", "iso9660"]
RR_PLAIN = ["rockridge", "iso9660"]

CASES = {
    "xorriso-native": dict(
        tools=["xorriso"], build=c_xorriso_native, ns=RR_JOLIET_PLAIN,
        bsdtar_rr=True),
    "xorriso-relocated": dict(
        # libarchive refuses RE entries outside a directory named rr_moved
        # ("Invalid Rockridge RE"), so no bsdtar cross-check here.
        tools=["xorriso"], build=c_xorriso_relocated, ns=RR_PLAIN,
        bsdtar_rr=False),
    "xorriso-mkisofs": dict(
        tools=["xorriso"], build=c_xorriso_mkisofs, ns=RR_JOLIET_PLAIN,
        bsdtar_rr=True),
    "xorriso-zisofs": dict(
        tools=["xorriso"], build=zisofs_native("32k"), ns=RR_PLAIN,
        bsdtar_rr=True, zisofs=True),
    "xorriso-zisofs-128k": dict(
        tools=["xorriso"], build=zisofs_native("128k"), ns=RR_PLAIN,
        bsdtar_rr=True, zisofs=True),
    "genisoimage-rr-joliet": dict(
        # genisoimage -J aborts on names outside UCS-2 ("Incorrectly encoded
        # string ... Aborting"), so this tree has no emoji names.
        tools=["genisoimage"], tree=["--no-non-bmp"],
        build=c_genisoimage_rr_joliet, ns=RR_JOLIET_PLAIN, bsdtar_rr=True),
    "genisoimage-rr": dict(
        tools=["genisoimage"], build=c_genisoimage_rr, ns=RR_PLAIN,
        bsdtar_rr=True),
    "genisoimage-hidden-reloc": dict(
        tools=["genisoimage"], build=c_genisoimage_hidden_reloc, ns=RR_PLAIN,
        bsdtar_rr=True),
    "xorriso-backup": dict(
        tools=["xorriso"], build=c_xorriso_backup, ns=RR_PLAIN,
        bsdtar_rr=True, aaip=True),
    "xorriso-multisession": dict(
        # libarchive cannot read the second session ("Invalid parameter in
        # SUSP CE extension"), so no bsdtar cross-check or plain-ISO check.
        tools=["xorriso"], build=c_xorriso_multisession, ns=["rockridge"],
        bsdtar_rr=False, merge=["session2"]),
    "genisoimage-zisofs": dict(
        # mkzftree copies symlinks without their mtime: symlink times are
        # lost before genisoimage sees them.
        tools=["genisoimage", "mkzftree"], build=c_genisoimage_zisofs,
        ns=RR_PLAIN, bsdtar_rr=True, zisofs=True,
        rr_flags=dict(no_link_mtime=True)),
    "bsdtar": dict(
        # bsdtar's zisofs writer (libarchive 3.6.2) is not tested: its
        # output cannot be read back by libarchive or libisofs either (the
        # last zlib block of every compressed file is corrupt).
        tools=["bsdtar"], build=c_bsdtar, ns=RR_JOLIET_PLAIN, bsdtar_rr=True),
    "eltorito-xorriso": dict(
        tools=["xorriso"], build=c_eltorito_xorriso, ns=RR_JOLIET_PLAIN,
        bsdtar_rr=True, extras=["boot.cat"], boot=True),
    "eltorito-genisoimage": dict(
        tools=["genisoimage"], tree=["--no-non-bmp"],
        build=c_eltorito_genisoimage, ns=RR_JOLIET_PLAIN, bsdtar_rr=True,
        extras=["boot.cat"], boot=True),
    "iso-level-1": dict(
        tools=["genisoimage"], build=iso_level(1), ns=["iso9660"]),
    "iso-level-2": dict(
        tools=["genisoimage"], build=iso_level(2), ns=["iso9660"]),
    "iso-level-3": dict(
        tools=["genisoimage"], build=iso_level(3), ns=["iso9660"]),
    "iso-level-4": dict(
        tools=["genisoimage"], build=c_iso_level_4,
        ns=["iso9660-1999", "iso9660"]),
    "joliet-only-genisoimage": dict(
        tools=["genisoimage"], tree=["--no-non-bmp"],
        build=c_joliet_genisoimage, ns=["joliet", "iso9660"]),
    "joliet-only-xorriso": dict(
        tools=["xorriso"], build=c_joliet_xorriso, ns=["joliet", "iso9660"]),
    "plain-xorriso": dict(
        tools=["xorriso"], build=c_plain_xorriso, ns=["iso9660"]),
}

# Files whose bytes are checked with `isokit cat` in Rock Ridge images.
CAT_SAMPLES_PREFIXES = [
    "long/L250-", "long/U250-", "unicode/Pho", "zdata/text-300k.txt",
    "zdata/zeros-160k.bin", "zdata/block-edge-98305.txt",
    "deep/level01/level02/level03/level04/level05/level06/level07/level08/"
    "level09/level10/level11/level12/leaf.txt",
    "links/hard-triple-2.bin", "ascii/exact-2048.bin", "ascii/empty.txt",
    "perms/mode-0600.txt", "unicode/emoji",
]


# -------------------------------------------------------------- helpers ----

def fmt_cmd(cmd):
    def q(a):
        a = a if isinstance(a, str) else os.fsdecode(a)
        if a and all(c.isalnum() or c in "-_./:=,+%@" for c in a):
            return a
        return "'" + a.replace("'", "'\\''") + "'"
    return " ".join(q(a) for a in cmd)


class Case:
    def __init__(self, name, spec, work):
        self.name = name
        self.spec = spec
        self.work = work
        self.isokit = os.environ.get("ISOKIT")
        self.failures = 0
        self.sevenzip = shutil.which("7zz") or shutil.which("7z")
        # `ls` lists folders in image order and sorts by name with --sort
        # (isokit >= e370359); before that, the plain listing was sorted.
        # Either way one of the two listings must be byte-sorted.
        h = subprocess.run([self.isokit, "ls", "--help"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.sort_opt = ["--sort"] if b"--sort" in h.stdout else []

    # -- reporting --
    def fail(self, title, detail=""):
        self.failures += 1
        print("FAIL [%s] %s" % (self.name, title))
        if detail:
            print(detail.rstrip("\n"))
        print()
        sys.stdout.flush()

    def ok(self, title):
        print("ok   [%s] %s" % (self.name, title))
        sys.stdout.flush()

    def hard_error(self, title, detail=""):
        print("ERROR [%s] %s" % (self.name, title))
        if detail:
            print(detail.rstrip("\n"))
        sys.stdout.flush()
        sys.exit(HARD_ERROR)

    # -- running --
    def run_tool(self, cmd, **kw):
        """Run a producer/oracle command; failure is a test error."""
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, **kw)
        if p.returncode != 0:
            self.hard_error("tool failed (exit %d): %s"
                            % (p.returncode, fmt_cmd(cmd)),
                            os.fsdecode(p.stdout[-3000:] + p.stderr[-3000:]))
        return p

    def isokit_run(self, args):
        cmd = [self.isokit] + args
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=ISOKIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("isokit hung (> %d s): %s" % (ISOKIT_TIMEOUT,
                                                     fmt_cmd(cmd)))
            return None
        if p.returncode < 0:
            self.fail("isokit killed by signal %d: %s"
                      % (-p.returncode, fmt_cmd(cmd)),
                      "stderr:\n" + os.fsdecode(p.stderr[-4000:]))
            return None
        return p

    def newdir(self, label):
        d = os.path.join(self.work, label)
        mf.force_rmtree(d)
        os.makedirs(d)
        return d

    # -- comparing --
    def diff(self, title, expected, got, exp_label, got_label):
        if expected == got:
            self.ok(title)
            return True
        d = list(difflib.unified_diff(expected, got, exp_label, got_label,
                                      n=0, lineterm=""))
        more = ""
        if len(d) > MAX_DIFF_LINES:
            more = "... (%d more diff lines)" % (len(d) - MAX_DIFF_LINES)
            d = d[:MAX_DIFF_LINES]
        self.fail(title, "\n".join(d) + ("\n" + more if more else ""))
        return False

    def check_listing(self, title, cmd_args, expected, want_sorted=True):
        """isokit ls -R output against a set of expected paths (bytes):
        each listed once, no leading or trailing slash, and a folder's own
        entries before the contents of its subfolders; with want_sorted
        the entries of each folder must be byte-sorted."""
        p = self.isokit_run(cmd_args)
        if p is None:
            return None
        if p.returncode != 0:
            self.fail("%s: exit %d: isokit %s" % (title, p.returncode,
                                                  fmt_cmd(cmd_args)),
                      "stderr:\n" + os.fsdecode(p.stderr[-4000:]))
            return None
        lines = p.stdout.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        problems = []
        seen = set()
        for ln in lines:
            if ln in seen:
                problems.append("listed twice: " + mf.esc(ln))
            seen.add(ln)
            if ln.startswith(b"/") or ln.endswith(b"/") or ln == b"" \
                    or b"//" in ln:
                problems.append("malformed path: %r" % ln)
        pos = {ln: i for i, ln in reversed(list(enumerate(lines)))}
        children = {}
        for ln in lines:
            parent = ln.rsplit(b"/", 1)[0] if b"/" in ln else b""
            children.setdefault(parent, []).append(ln)
            if parent and parent in pos and pos[parent] > pos[ln]:
                problems.append("child listed before its directory: "
                                + mf.esc(ln))
        # a folder's entries come before anything deeper below it
        last_child = {p: max(pos[k] for k in kids)
                      for p, kids in children.items()}
        for ln in lines:
            parts = ln.split(b"/")
            for depth in range(1, len(parts) - 1):
                anc = b"/".join(parts[:depth])
                if anc in last_child and pos[ln] < last_child[anc]:
                    problems.append("'%s' listed before the last entry of "
                                    "'%s'" % (mf.esc(ln), mf.esc(anc)))
                    break
            if len(parts) > 1 and b"" in last_child \
                    and pos[ln] < last_child[b""]:
                problems.append("'%s' listed before the last entry of the "
                                "top folder" % mf.esc(ln))
        for parent, kids in children.items():
            bad = [(a, b) for a, b in zip(kids, kids[1:]) if a > b]
            if bad and want_sorted:
                a, b = bad[0]
                problems.append(
                    "entries of '%s' not byte-sorted: '%s' listed before "
                    "'%s' (%d such pairs); order given: %s"
                    % (mf.esc(parent), mf.esc(a), mf.esc(b), len(bad),
                       ", ".join(mf.esc(k.rsplit(b"/", 1)[-1])
                                 for k in kids)[:600]))
        missing = sorted(set(expected) - seen)
        extra = sorted(seen - set(expected))
        if missing or extra:
            problems.insert(0, "%d paths listed, %d expected: %d missing, "
                            "%d unexpected" % (len(seen), len(expected),
                                               len(missing), len(extra)))
        problems += ["missing: " + mf.esc(m) for m in missing[:40]]
        problems += ["unexpected: " + mf.esc(e) for e in extra[:40]]
        if problems:
            self.fail("%s (isokit %s)" % (title, fmt_cmd(cmd_args)),
                      "\n".join(problems[:MAX_DIFF_LINES]))
        else:
            self.ok(title)
        return lines

    def mount(self, title, img, ns, label):
        """Mount img at a new folder; returns it, or None (failure reported,
        or FUSE unavailable, reported as a skip)."""
        mnt = self.newdir(label)
        if not os.path.exists("/dev/fuse"):
            print("skip [%s] %s: no /dev/fuse here" % (self.name, title))
            return None
        args = ["mount", img, mnt] + (["--namespace", ns] if ns else [])
        p = self.isokit_run(args)
        if p is None:
            return None
        if p.returncode == 2 and b"without FUSE" in p.stderr:
            print("skip [%s] %s: isokit built without libfuse3"
                  % (self.name, title))
            return None
        if p.returncode != 0 or not os.path.ismount(mnt):
            self.fail("%s: exit %d: isokit %s" % (title, p.returncode,
                                                  fmt_cmd(args)),
                      "stderr:\n" + os.fsdecode(p.stderr[-4000:]))
            return None
        return mnt

    def umount(self, title, mnt):
        p = self.isokit_run(["umount", mnt])
        if p is None or p.returncode != 0 or os.path.ismount(mnt):
            self.fail("%s: isokit umount failed" % title,
                      "" if p is None else os.fsdecode(p.stderr[-2000:]))
            subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)
        elif os.listdir(mnt):
            self.fail("%s: %s not empty after umount" % (title, mnt))
        else:
            self.ok("%s: umount leaves the folder empty" % title)

    @contextlib.contextmanager
    def mounted(self, title, img, ns, label):
        """img mounted for the with-block (None when not mounted), then
        unmounted and checked to leave nothing behind."""
        mnt = self.mount(title, img, ns, label)
        try:
            yield mnt
        finally:
            if mnt is not None:
                self.umount(title, mnt)

    def extract(self, title, img, ns, label):
        out = self.newdir(label)
        args = ["extract", img, "-C", out]
        if ns:
            args += ["--namespace", ns]
        p = self.isokit_run(args)
        if p is None:
            return out, False
        if p.returncode != 0:
            self.fail("%s: exit %d: isokit %s" % (title, p.returncode,
                                                  fmt_cmd(args)),
                      "stderr:\n" + os.fsdecode(p.stderr[-4000:]))
            return out, False
        return out, True


# -------------------------------------------------------------- oracles ----

def norm_plain(name):
    """isoinfo name -> name as readers show it: no ';N', no trailing '.'."""
    if b";" in name:
        name = name[:name.rindex(b";")]
    if name.endswith(b".") and name not in (b".", b".."):
        name = name[:-1]
    return name


def oracle_plain_paths(case, img):
    p = case.run_tool(["isoinfo", "-f", "-i", img])
    out = set()
    for ln in p.stdout.split(b"\n"):
        if not ln:
            continue
        parts = [norm_plain(c) for c in ln.lstrip(b"/").split(b"/")]
        out.add(b"/".join(parts))
    return out


def bsdtar_paths(case, img, opts=None):
    cmd = ["bsdtar"]
    if opts:
        cmd += ["--options", opts]
    p = case.run_tool(cmd + ["-tf", img])
    out = set()
    for ln in p.stdout.split(b"\n"):
        ln = ln.rstrip(b"/")
        if ln.startswith(b"./"):
            ln = ln[2:]
        if ln and ln != b".":
            out.add(ln)
    return out


def sevenzip_paths(case, img):
    p = case.run_tool([case.sevenzip, "l", "-slt", "-sccUTF-8", img])
    out = set()
    started = False
    for ln in p.stdout.split(b"\n"):
        ln = ln.rstrip(b"\r")
        if ln.startswith(b"----------"):
            started = True
            continue
        if started and ln.startswith(b"Path = "):
            path = ln[len(b"Path = "):]
            if path == b"[BOOT]" or path.startswith(b"[BOOT]/"):
                continue
            out.add(path)
    return out


# --------------------------------------------------------------- checks ----

def _json_walk(node, keys=(), out=None):
    """Flatten JSON into (key path, value) pairs."""
    if out is None:
        out = []
    if isinstance(node, dict):
        for k, v in node.items():
            _json_walk(v, keys + (str(k),), out)
    elif isinstance(node, list):
        for v in node:
            _json_walk(v, keys, out)
    out.append((keys, node))
    return out


def boot_image_lba(case, img):
    p = case.run_tool(["xorriso", "-indev", img, "-report_el_torito",
                       "plain"])
    for ln in p.stdout.decode("utf-8", "replace").splitlines():
        if ln.startswith("El Torito boot img"):
            return int(ln.split()[-1])
    case.hard_error("xorriso -report_el_torito found no boot image",
                    os.fsdecode(p.stdout))


def check_info(case, img, spec, ns):
    """info must run, --json must parse, and what it reports must match the
    image.  The JSON schema is not pinned here (key names are matched
    loosely: a key containing "rock", "joliet", "zisofs"), only facts:
    which namespace is used, which extensions exist, and the El Torito
    boot image's block (from xorriso -report_el_torito)."""
    p = case.isokit_run(["info", img])
    if p is None:
        return
    if p.returncode != 0 or not p.stdout.strip():
        case.fail("info: exit %d, %d bytes of output"
                  % (p.returncode, len(p.stdout)),
                  "stderr:\n" + os.fsdecode(p.stderr[-4000:]))
        return
    pj = case.isokit_run(["info", "--json", img])
    if pj is None:
        return
    if pj.returncode != 0:
        case.fail("info --json: exit %d" % pj.returncode,
                  "stderr:\n" + os.fsdecode(pj.stderr[-4000:]))
        return
    try:
        doc = json.loads(pj.stdout)
    except ValueError as e:
        case.fail("info --json: output is not JSON (%s)" % e,
                  os.fsdecode(pj.stdout[:2000]))
        return
    flat = _json_walk(doc)
    problems = []

    def truthy_key(word):
        return any(keys and word in keys[-1].lower() and bool(v)
                   for keys, v in flat)

    strings = {v for _, v in flat if isinstance(v, str)}
    if ns[0] not in strings:
        problems.append("does not report %s as the namespace in use" % ns[0])
    for word, present in (("rock", "rockridge" in ns),
                          ("joliet", "joliet" in ns)):
        if truthy_key(word) != present:
            problems.append("%s %s" % ("does not report" if present
                                       else "wrongly reports", word))
    if spec.get("zisofs") and not truthy_key("zisofs"):
        problems.append("does not report zisofs")
    if spec.get("boot"):
        lba = boot_image_lba(case, img)
        if not any(isinstance(v, dict) and lba in [
                x for x in v.values() if isinstance(x, int)
                and not isinstance(x, bool)] for _, v in flat):
            problems.append("no El Torito entry with the boot image at "
                            "block %d" % lba)
        if "torito" not in p.stdout.decode("utf-8", "replace").lower():
            problems.append("human output does not mention El Torito")
    if problems:
        case.fail("info / info --json", "\n".join(problems)
                  + "\n--- isokit info --json:\n"
                  + os.fsdecode(pj.stdout[:3000]))
    else:
        case.ok("info / info --json report the namespace and extensions")


def check_verify(case, img):
    """V1: the producer's image is intact, so `isokit verify` must say so
    (exit 0): its structure walk and path-table check must accept whatever
    this producer writes, and any checksum it embeds must match."""
    p = case.isokit_run(["verify", "--json", img])
    if p is None:
        return
    if p.returncode != 0:
        case.fail("V1 verify: exit %d on an intact image" % p.returncode,
                  "stderr:\n" + os.fsdecode(p.stderr[-4000:]) + "\nstdout:\n"
                  + os.fsdecode(p.stdout[-4000:]))
        return
    try:
        status = json.loads(p.stdout)["status"]
    except (ValueError, KeyError) as e:
        case.fail("V1 verify --json does not parse: %s" % e)
        return
    if status != "intact":
        case.fail("V1 verify: status %r on an intact image" % status)
    else:
        case.ok("V1 verify: intact")


def check_rockridge(case, img, src, spec):
    flags = dict(spec.get("rr_flags", {}))
    extras = spec.get("extras", [])
    expected = mf.manifest_lines(src, **flags)
    src_paths = {rel for rel, _ in mf.walk(src)}
    # R1: default namespace must be Rock Ridge
    out, _ = case.extract("R1 extract", img, None, "x-auto")
    got = mf.manifest_lines(out, exclude=extras, **flags)
    case.diff("R1 extract reproduces the source tree (%s)"
              % (", ".join(k for k in flags) or "all fields"),
              expected, got, "source", "isokit extract")
    for e in extras:
        ep = os.path.join(out, e)
        if not (os.path.isfile(ep) and not os.path.islink(ep)):
            case.fail("R1 extract: %s (added by the producer) missing" % e)
    if extras and case.spec.get("boot") and shutil.which("xorriso"):
        # boot.cat bytes against xorriso's own extraction
        ref = os.path.join(case.work, "boot.cat.ref")
        case.run_tool(["xorriso", "-osirrox", "on", "-indev", img,
                       "-extract", "/boot.cat", ref])
        with open(ref, "rb") as fh:
            want = fh.read()
        ep = os.path.join(out, "boot.cat")
        got_b = None
        if os.path.isfile(ep):
            with open(ep, "rb") as fh:
                got_b = fh.read()
        if got_b != want:
            case.fail("R1 extract: boot.cat differs from xorriso's copy")
        else:
            case.ok("R1 boot.cat content")
    mf.force_rmtree(out)

    # M1: the mount shows the same tree
    with case.mounted("M1 mount", img, None, "m-auto") as mnt:
        if mnt is not None:
            case.diff("M1 mount shows the source tree (%s)"
                      % (", ".join(k for k in flags) or "all fields"),
                      expected, mf.manifest_lines(mnt, exclude=extras, **flags),
                      "source", "isokit mount")

    # R2: ls -R, default and explicit namespace
    want = src_paths | {os.fsencode(e) for e in extras}
    got_ls = case.check_listing("R2 ls -R names every source path",
                                ["ls", "-R", img], want,
                                want_sorted=not case.sort_opt)
    case.check_listing("R2 ls -R %s--namespace rockridge: byte-sorted"
                       % " ".join(case.sort_opt + [""]),
                       ["ls", "-R"] + case.sort_opt
                       + ["--namespace", "rockridge", img], want)

    # R3: cat samples
    bad = []
    n = 0
    for rel in sorted(src_paths):
        srel = os.fsdecode(rel)
        if not any(srel.startswith(pfx) for pfx in CAT_SAMPLES_PREFIXES):
            continue
        full = os.path.join(os.fsencode(src), rel)
        if not stat.S_ISREG(os.lstat(full).st_mode):
            continue
        n += 1
        with open(full, "rb") as fh:
            data = fh.read()
        p = case.isokit_run(["cat", img, srel])
        if p is None:
            bad.append("%s: hung or crashed" % mf.esc(rel))
            continue
        if p.returncode != 0:
            # accept the absolute spelling too; the contract does not say
            p2 = case.isokit_run(["cat", img, "/" + srel])
            if p2 is not None and p2.returncode == 0:
                p = p2
        if p.returncode != 0:
            bad.append("%s: exit %d: %s" % (mf.esc(rel), p.returncode,
                                            os.fsdecode(p.stderr[-500:])))
        elif p.stdout != data:
            bad.append("%s: %d bytes, expected %d (first difference at %d)"
                       % (mf.esc(rel), len(p.stdout), len(data),
                          _first_diff(p.stdout, data)))
    if bad:
        case.fail("R3 cat of %d sample files" % n, "\n".join(bad))
    else:
        case.ok("R3 cat of %d sample files" % n)

    # R4: libarchive's listing of the same image
    if spec.get("bsdtar_rr") and shutil.which("bsdtar") and got_ls is not None:
        theirs = bsdtar_paths(case, img)
        mine = set(got_ls)
        if theirs != mine:
            lines = ["only in bsdtar -tf: " + mf.esc(x)
                     for x in sorted(theirs - mine)]
            lines += ["only in isokit ls -R: " + mf.esc(x)
                      for x in sorted(mine - theirs)]
            case.fail("R4 ls -R agrees with bsdtar -tf",
                      "\n".join(lines[:MAX_DIFF_LINES]))
        else:
            case.ok("R4 ls -R agrees with bsdtar -tf (%d paths)" % len(mine))


def _first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def oracle_extract(case, img, ns):
    out = case.newdir("oracle-" + ns)
    if ns == "joliet":
        case.run_tool([case.sevenzip, "x", "-y", "-bd", "-o" + out, img])
    else:
        case.run_tool(["bsdtar", "--options",
                       "iso9660:!rockridge,iso9660:!joliet",
                       "-xf", img, "-C", out])
    return out


def check_other_namespace(case, img, src, spec, ns, primary):
    names_only = dict(no_mode=True, no_mtime=True, no_hardlinks=True,
                      no_symlinks=True)
    # N1: listing against the name oracle
    if ns == "joliet":
        want = sevenzip_paths(case, img)
        oracle = "7-Zip"
    else:
        want = oracle_plain_paths(case, img)
        oracle = "isoinfo -f"
        # second opinions; a disagreement among oracles is only a warning
        others = [("bsdtar", bsdtar_paths(
            case, img, "iso9660:!rockridge,iso9660:!joliet"))]
        # (7-Zip shows Joliet names when there are any, and 7-Zip 26 Rock
        # Ridge names on images without Joliet)
        if not {"joliet", "rockridge"} & set(spec["ns"]) and case.sevenzip:
            others.append(("7-Zip", sevenzip_paths(case, img)))
        for who, second in others:
            if second != want:
                lines = ["only isoinfo: " + mf.esc(x)
                         for x in sorted(want - second)]
                lines += ["only %s: " % who + mf.esc(x)
                          for x in sorted(second - want)]
                print("WARNING [%s] isoinfo and %s disagree on the plain "
                      "ISO 9660 names (isoinfo is used):\n%s"
                      % (case.name, who, "\n".join(lines[:40])))
    case.check_listing("N1 ls -R %s--namespace %s names what %s names, "
                       "byte-sorted" % (" ".join(case.sort_opt + [""]), ns,
                                        oracle),
                       ["ls", "-R"] + case.sort_opt + ["--namespace", ns,
                                                       img], want)
    if primary:
        case.check_listing("N1 ls -R (auto picks %s)" % ns,
                           ["ls", "-R", img], want,
                           want_sorted=not case.sort_opt)

    # N2: extraction against the oracle's extraction
    ref = oracle_extract(case, img, ns)
    ref_lines = mf.manifest_lines(ref, exclude=["[BOOT]"], **names_only)
    mf.force_rmtree(ref)
    out, _ = case.extract("N2 extract --namespace %s" % ns, img, ns,
                          "x-" + ns)
    got = mf.manifest_lines(out, **names_only)
    case.diff("N2 extract --namespace %s equals %s's extraction "
              "(names, types, sizes, content)"
              % (ns, "7-Zip" if ns == "joliet" else "bsdtar"),
              ref_lines, got, oracle, "isokit extract --namespace " + ns)

    # M2: the mount of this namespace shows what the oracle extracted, and
    # everything extract wrote (modes, times, links too)
    with case.mounted("M2 mount --namespace " + ns, img, ns, "m-" + ns) as mnt:
        if mnt is not None:
            case.diff("M2 mount --namespace %s equals %s's extraction "
                      "(names, types, sizes, content)"
                      % (ns, "7-Zip" if ns == "joliet" else "bsdtar"),
                      ref_lines, mf.manifest_lines(mnt, **names_only),
                      oracle, "isokit mount --namespace " + ns)
            case.diff("M2 mount --namespace %s equals extract --namespace %s"
                      % (ns, ns), mf.manifest_lines(out),
                      mf.manifest_lines(mnt),
                      "isokit extract --namespace " + ns, "isokit mount")

    if primary:
        # N3: content and times against the source, independent of names
        case.diff("N3 files (sha256, size, mtime) equal the source's",
                  mf.manifest_lines(src, hashes=True, no_symlinks=True),
                  mf.manifest_lines(out, hashes=True),
                  "source", "isokit extract --namespace " + ns)
        case.diff("N3 directory mtimes equal the source's",
                  mf.manifest_lines(src, dir_mtimes=True),
                  mf.manifest_lines(out, dir_mtimes=True),
                  "source", "isokit extract --namespace " + ns)
        full = mf.manifest_lines(out)
        mf.force_rmtree(out)
        auto, _ = case.extract("N3 extract (auto)", img, None, "x-auto")
        case.diff("N3 extract without --namespace picks %s" % ns,
                  full, mf.manifest_lines(auto),
                  "extract --namespace " + ns, "extract")
        mf.force_rmtree(auto)
    else:
        mf.force_rmtree(out)


def check_zisofs(case, img):
    """Precondition: the producer really compressed the zdata files."""
    p = case.run_tool(["xorriso", "-indev", img, "-find", "/zdata",
                       "-has_filter", "-exec", "lsdl", "--"])
    n = sum(1 for ln in p.stdout.split(b"\n") if b"/zdata/" in ln)
    if n < 3:
        case.hard_error("image has only %d zisofs files under /zdata; "
                        "the producer did not compress" % n,
                        os.fsdecode(p.stdout))
    print("info [%s] %d zisofs-compressed files under /zdata"
          % (case.name, n))


def check_aaip(case, img, src):
    """Precondition for the backup case: the xattr set by make-tree.py (if
    the filesystem took it) is in the image as AAIP."""
    try:
        os.getxattr(os.path.join(src, "ascii", "hello.txt"), "user.isokit")
    except OSError:
        print("info [%s] no user xattrs on this filesystem; the image has "
              "ACL/MD5 data only" % case.name)
        return
    p = case.run_tool(["xorriso", "-xattr", "any", "-indev", img,
                       "-getfattr", "/ascii/hello.txt"])
    if b"user.isokit" not in p.stdout:
        case.hard_error("xorriso did not record the xattr of ascii/hello.txt",
                        os.fsdecode(p.stdout))
    print("info [%s] image carries AAIP xattrs" % case.name)


# ----------------------------------------------------------------- main ----

def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        print("\n".join(CASES))
        return 0
    if len(argv) != 2 or argv[1] not in CASES:
        print("usage: run-case.py CASE   (one of: %s)" % ", ".join(CASES),
              file=sys.stderr)
        return 2
    name = argv[1]
    spec = CASES[name]
    isokit = os.environ.get("ISOKIT")
    if not isokit or not os.access(isokit, os.X_OK):
        print("run-case.py: ISOKIT is not set to an executable (%r)" % isokit)
        return HARD_ERROR
    os.environ["TZ"] = "UTC"
    os.environ.setdefault("LC_ALL", "C.UTF-8")
    needed = list(spec["tools"]) + ["isoinfo"]
    if "joliet" in spec["ns"]:
        needed.append("7zz|7z")
    if "iso9660" in spec["ns"] or spec.get("bsdtar_rr"):
        needed.append("bsdtar")
    if spec.get("zisofs") or spec.get("boot"):
        needed.append("xorriso")
    for t in needed:
        if not any(shutil.which(x) for x in t.split("|")):
            print("SKIP [%s] %s is not installed (scripts/install-deps.sh)"
                  % (name, t))
            return SKIP

    work = tempfile.mkdtemp(prefix="isokit-interop-%s." % name,
                            dir=os.environ.get("TMPDIR", "/tmp"))
    try:
        case = Case(name, spec, work)
        src = os.path.join(work, "src")
        case.run_tool([sys.executable, os.path.join(HERE, "make-tree.py")]
                      + spec.get("tree", []) + [src])
        img = os.path.join(work, "image.iso")
        for cmd in spec["build"](src, img):
            print("run  [%s] %s" % (name, fmt_cmd(cmd)))
            case.run_tool(cmd, cwd=work)
        print("info [%s] image %d bytes; isokit = %s"
              % (name, os.path.getsize(img), isokit))
        for m in spec.get("merge", []):
            # trees added in later sessions join the expected tree
            shutil.move(os.path.join(work, m), os.path.join(src, m))
        if spec.get("zisofs"):
            check_zisofs(case, img)
        if spec.get("aaip"):
            check_aaip(case, img, src)

        check_info(case, img, spec, spec["ns"])
        check_verify(case, img)
        for i, ns in enumerate(spec["ns"]):
            if ns == "rockridge":
                check_rockridge(case, img, src, spec)
            else:
                check_other_namespace(case, img, src, spec, ns, primary=(i == 0))
        if case.failures:
            print("FAILED [%s]: %d check(s) failed" % (name, case.failures))
            return 1
        print("PASS [%s]" % name)
        return 0
    finally:
        mf.force_rmtree(work)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
