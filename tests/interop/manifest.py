#!/usr/bin/env python3
"""Print a canonical manifest of a directory tree, so two trees can be diffed.

usage: manifest.py [options] DIR

One line per path below DIR (DIR itself is not listed), sorted bytewise:

  PATH  type=f|d|l|o  mode=NNNN  size=N  sha256=HEX  mtime=N  target=T  hl=P

Only the fields that apply are printed: size/sha256 for regular files,
target for symlinks, mode for files and directories (symlink modes are
meaningless on Linux), hl= for regular files that share an inode with at
least one other path of the tree: its value is the bytewise-first path of
that group, so group identity does not depend on inode numbers.

Names are printed as UTF-8; bytes that are not valid UTF-8, unprintable
characters, backslash, tab and newline are escaped as \\xNN, and combining
marks as \\uNNNN, so an NFD name is visibly different from its NFC twin.

Options drop what a namespace cannot carry:
  --no-mode            omit mode=
  --no-mtime           omit mtime= everywhere
  --no-dir-mtime       omit mtime= on directories
  --no-link-mtime      omit mtime= on symlinks
  --no-symlinks        leave symlinks out entirely
  --no-hardlinks       omit hl=
  --exclude PATH       leave PATH (and everything below it) out; repeatable
  --hashes             instead of the manifest, print one line per regular
                       file: "sha256 size=N mtime=N" sorted (a multiset of
                       the contents, independent of names); --no-mtime
                       applies
  --dir-mtimes         print the mtimes of all directories, sorted
  --paths              print only the paths, one per line

Also importable by the test scripts (tests/interop/run-case.py,
tests/create/roundtrip.py, tests/create/random-trees.py):
  manifest_lines(root, **options)  the lines (options as above, with
                                   underscores: no_link_mtime=True, ...)
  esc(name)                        a name (bytes or str) escaped as above
  walk(root), sha256_file(path)    the tree walk and file hash used here
  force_rmtree(path)               rm -rf that also removes trees with
                                   0555/0000 directories when not root
"""

import argparse
import hashlib
import os
import shutil
import stat
import sys
import unicodedata


def esc(b):
    """A name (bytes, or str which is encoded with os.fsencode) escaped for
    printing: see the module doc."""
    if isinstance(b, str):
        b = os.fsencode(b)
    out = []
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        s = None
    if s is not None:
        for ch in s:
            if unicodedata.category(ch).startswith("M"):
                # combining marks: make NFD visibly different from NFC
                out.append("\\u%04x" % ord(ch))
            elif ch in "\\\t\n" or (not ch.isprintable() and ch != "\u200d"):
                for byte in ch.encode("utf-8"):
                    out.append("\\x%02x" % byte)
            else:
                out.append(ch)
        return "".join(out)
    for byte in b:
        c = chr(byte)
        if 0x20 <= byte < 0x7f and c != "\\":
            out.append(c)
        else:
            out.append("\\x%02x" % byte)
    return "".join(out)


def force_rmtree(path):
    """rm -rf that also works on 0555/0000 directories when not root:
    every directory below path (symlinks not followed) is made 0700
    first.  Errors are ignored; a path that does not exist is fine."""
    if not os.path.lexists(path):
        return
    for dirpath, dirnames, _ in os.walk(path):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if not os.path.islink(p):
                try:
                    os.chmod(p, 0o700)
                except OSError:
                    pass
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
    shutil.rmtree(path, ignore_errors=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


def walk(root):
    """Yield (relpath_bytes, lstat) for everything below root, not
    following symlinks."""
    stack = [b""]
    rootb = os.fsencode(root)
    while stack:
        rel = stack.pop()
        full = os.path.join(rootb, rel) if rel else rootb
        for name in sorted(os.listdir(full)):
            r = os.path.join(rel, name) if rel else name
            st = os.lstat(os.path.join(rootb, r))
            yield r, st
            if stat.S_ISDIR(st.st_mode):
                stack.append(r)


def excluded(rel, excludes):
    for e in excludes:
        if rel == e or rel.startswith(e + b"/"):
            return True
    return False


def manifest_lines(root, no_mode=False, no_mtime=False, no_dir_mtime=False,
                   no_link_mtime=False, no_symlinks=False, no_hardlinks=False,
                   exclude=(), hashes=False, paths=False, dir_mtimes=False):
    """The manifest of `root` as a list of lines (see the module doc).
    With dir_mtimes=True: one line per directory, its mtime, sorted (a
    multiset independent of names)."""
    excludes = [os.fsencode(e).rstrip(b"/") for e in exclude]
    rootb = os.fsencode(root)
    entries = []
    for rel, st in walk(root):
        if excluded(rel, excludes):
            continue
        if no_symlinks and stat.S_ISLNK(st.st_mode):
            continue
        entries.append((rel, st))
    entries.sort(key=lambda e: e[0])

    if dir_mtimes:
        return sorted("%d" % (st.st_mtime_ns // 1000000000)
                      for rel, st in entries if stat.S_ISDIR(st.st_mode))

    if hashes:
        lines = []
        for rel, st in entries:
            if stat.S_ISREG(st.st_mode):
                h = sha256_file(os.path.join(rootb, rel))
                t = "" if no_mtime else " mtime=%d" % (
                    st.st_mtime_ns // 1000000000)
                lines.append("%s size=%d%s" % (h, st.st_size, t))
        return sorted(lines)

    # hard-link groups among the listed regular files
    groups = {}
    for rel, st in entries:
        if stat.S_ISREG(st.st_mode):
            groups.setdefault((st.st_dev, st.st_ino), []).append(rel)
    hl = {}
    for members in groups.values():
        if len(members) > 1:
            first = min(members)
            for m in members:
                hl[m] = first

    out = []
    for rel, st in entries:
        full = os.path.join(rootb, rel)
        m = st.st_mode
        if paths:
            out.append(esc(rel))
            continue
        fields = [esc(rel)]
        if stat.S_ISREG(m):
            kind = "f"
        elif stat.S_ISDIR(m):
            kind = "d"
        elif stat.S_ISLNK(m):
            kind = "l"
        else:
            kind = "o:%o" % stat.S_IFMT(m)
        fields.append("type=" + kind)
        if kind != "l" and not no_mode:
            fields.append("mode=%04o" % stat.S_IMODE(m))
        if kind == "f":
            fields.append("size=%d" % st.st_size)
            fields.append("sha256=" + sha256_file(full))
        if kind == "l":
            fields.append("target=" + esc(os.readlink(full)))
        want_time = not no_mtime
        if kind == "d" and no_dir_mtime:
            want_time = False
        if kind == "l" and no_link_mtime:
            want_time = False
        if want_time:
            # whole seconds: every ISO 9660 time field has 1 s resolution
            fields.append("mtime=%d" % (st.st_mtime_ns // 1000000000))
        if rel in hl and not no_hardlinks:
            fields.append("hl=" + esc(hl[rel]))
        out.append("  ".join(fields))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--no-mode", action="store_true")
    ap.add_argument("--no-mtime", action="store_true")
    ap.add_argument("--no-dir-mtime", action="store_true")
    ap.add_argument("--no-link-mtime", action="store_true")
    ap.add_argument("--no-symlinks", action="store_true")
    ap.add_argument("--no-hardlinks", action="store_true")
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("--hashes", action="store_true")
    ap.add_argument("--paths", action="store_true")
    ap.add_argument("--dir-mtimes", action="store_true")
    a = ap.parse_args()
    lines = manifest_lines(
        a.dir, no_mode=a.no_mode, no_mtime=a.no_mtime,
        no_dir_mtime=a.no_dir_mtime, no_link_mtime=a.no_link_mtime,
        no_symlinks=a.no_symlinks, no_hardlinks=a.no_hardlinks,
        exclude=a.exclude, hashes=a.hashes, paths=a.paths,
        dir_mtimes=a.dir_mtimes)
    for line in lines:
        sys.stdout.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
