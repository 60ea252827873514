#!/usr/bin/env python3
"""Create the varied source tree used by the interop tests.

usage: make-tree.py [--no-non-bmp] DIR

--no-non-bmp leaves out the names with characters beyond U+FFFF (emoji), for
producers whose Joliet writer cannot encode them (genisoimage aborts).
DIR must not exist or be empty.  The tree is fully deterministic (content,
names, modes, times) so that manifests of two runs are identical.  Total size
is about 1.2 MB; the > 4 GiB sparse file lives in bigfile.sh, not here.

What the tree holds (every item is something a producer or reader can get
wrong):
  * Vietnamese names in NFC, one name in NFD (must come back as NFD bytes),
    CJK, non-BMP emoji (needs surrogate pairs in UTF-16), a ZWJ sequence;
  * names of exactly 100 and 250 bytes (ASCII and multi-byte UTF-8);
  * a chain of 12 nested directories below deep/ (13 levels below the root,
    so ECMA-119's 8-level limit forces relocation or deep_paths);
  * two empty files, a file with the same bytes as another (not a link),
    an empty directory, a 1-byte and a 2048-byte file,
    names with spaces, a leading dot, several dots, mixed case;
  * hard links: a pair in one directory and a triple across directories;
  * symlinks: relative, relative with '..', absolute, dangling, to a
    directory, and one with a 300-byte target (SL continuation);
  * modes 0600, 0640, 0644, 0444, 0666, 0755, 0700 (dir), 0555 (dir) and
    1777 (sticky dir);
  * mtimes in 1960 (negative time_t), at the epoch, in 2040 and 2100
    (beyond 32-bit time_t), on files, directories and symlinks;
  * compressible text files of a few hundred KB (for zisofs), an
    incompressible file, and a file of zeros spanning several zisofs blocks;
  * a user.* extended attribute on a file and a directory, where the
    filesystem allows it (only recorded by xorriso -for_backup; not part of
    the manifest).

Hard links are only made between non-empty files: an empty file has no
extent of its own, so producers that mark links by shared extent
(genisoimage) cannot express a link between empty files.
"""

import os
import random
import sys
import unicodedata

# Fixed reference time for everything not given an explicit time:
# 2021-03-04 05:06:07 UTC.
T_DEFAULT = 1614834367

T_1960 = -299584800      # 1960-07-04 14:00:00 UTC
T_EPOCH = 0              # 1970-01-01 00:00:00 UTC
T_1999 = 946684799       # 1999-12-31 23:59:59 UTC
T_2040 = 2209075200      # 2040-01-02 00:00:00 UTC
T_2100 = 4102444800 + 3723  # 2100-01-01 01:02:03 UTC

WORDS = ("ảnh cưới Đà Lạt Hội An phố cổ đêm trăng 写真 東京 서울 lorem ipsum "
         "dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua archive preserve "
         "photograph negative raw tiff layer project").split()


def text_blob(seed, size):
    """Compressible UTF-8 text of exactly `size` bytes."""
    rnd = random.Random(seed)
    out = bytearray()
    line = 0
    while len(out) < size:
        n = rnd.randint(5, 14)
        words = " ".join(rnd.choice(WORDS) for _ in range(n))
        out += ("%06d %s\n" % (line, words)).encode("utf-8")
        line += 1
    return bytes(out[:size])


def random_blob(seed, size):
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(size))


def name_of_bytes(prefix, unit, total):
    """A name of exactly `total` UTF-8 bytes: prefix, then `unit` repeated,
    then ASCII 'x' padding to hit the length exactly."""
    b = prefix.encode("utf-8")
    u = unit.encode("utf-8")
    while len(b) + len(u) <= total:
        b += u
    b += b"x" * (total - len(b))
    assert len(b) == total, (len(b), total)
    return b.decode("utf-8")


def main(argv):
    args = argv[1:]
    no_non_bmp = "--no-non-bmp" in args
    args = [a for a in args if a != "--no-non-bmp"]
    if len(args) != 1:
        print("usage: make-tree.py [--no-non-bmp] DIR", file=sys.stderr)
        return 2
    root = args[0]
    os.makedirs(root, exist_ok=True)
    if os.listdir(root):
        print("make-tree.py: %s is not empty" % root, file=sys.stderr)
        return 1
    old_umask = os.umask(0)
    try:
        build(root, no_non_bmp)
    finally:
        os.umask(old_umask)
    return 0


def build(root, no_non_bmp=False):
    # (relative path, mode, mtime) applied at the end, deepest first, so
    # that creating children does not disturb a directory's mtime and a
    # read-only directory does not block its own population.
    meta = []

    def d(rel, mode=0o755, mtime=T_DEFAULT):
        if no_non_bmp and any(ord(c) > 0xFFFF for c in rel):
            return
        os.makedirs(os.path.join(root, rel), exist_ok=True)
        meta.append((rel, mode, mtime, False))

    def bmp_ok(rel):
        return not no_non_bmp or all(ord(c) <= 0xFFFF for c in rel)

    def f(rel, data, mode=0o644, mtime=T_DEFAULT):
        if not bmp_ok(rel):
            return
        p = os.path.join(root, rel)
        with open(p, "wb") as fh:
            fh.write(data)
        meta.append((rel, mode, mtime, False))

    def ln(target, rel, mtime=T_DEFAULT):
        os.symlink(target, os.path.join(root, rel))
        meta.append((rel, None, mtime, True))

    def hard(existing, rel):
        os.link(os.path.join(root, existing), os.path.join(root, rel))

    # --- plain ASCII corner cases -------------------------------------
    d("ascii")
    f("ascii/hello.txt", b"hello, world\n")
    f("ascii/one-byte.bin", b"\x5a")
    f("ascii/exact-2048.bin", random_blob(2048, 2048))
    f("ascii/exact-4096.bin", random_blob(4096, 4096))
    f("ascii/empty.txt", b"")
    f("ascii/empty-too.txt", b"")
    # Same bytes as hello.txt, and two empty files: separate files that must
    # not come back as hard links (genisoimage even gives an empty file the
    # extent of the next file, so a shared extent alone proves nothing).
    f("ascii/copy-of-hello.txt", b"hello, world\n")
    f("ascii/with spaces in name.txt", b"spaces\n")
    f("ascii/.hidden", b"dot file\n")
    f("ascii/multi.dot.name.tar.gz", b"not really gzip\n")
    f("ascii/UPPER lower MiXeD.Txt", b"case\n")
    f("ascii/no_extension", b"no extension\n")
    d("empty-dir")

    # --- permissions ----------------------------------------------------
    d("perms")
    f("perms/mode-0600.txt", b"owner only\n", mode=0o600)
    f("perms/mode-0640.txt", b"owner rw, group r\n", mode=0o640)
    f("perms/mode-0444.txt", b"read only\n", mode=0o444)
    f("perms/mode-0666.txt", b"world writable (umask must not apply)\n",
      mode=0o666)
    f("perms/mode-0755.sh", b"#!/bin/sh\necho hi\n", mode=0o755)
    f("perms/mode-0700.sh", b"#!/bin/sh\necho private\n", mode=0o700)
    d("perms/dir-0700")
    f("perms/dir-0700/inside.txt", b"inside a 0700 directory\n", mode=0o600)
    d("perms/dir-0555")
    f("perms/dir-0555/inside-ro-dir.txt", b"inside a 0555 directory\n")
    d("perms/sticky-1777")
    f("perms/sticky-1777/tmpfile", b"sticky\n", mode=0o664)
    # set at the end (see meta order): dir modes
    meta.append(("perms/dir-0700", 0o700, T_DEFAULT, False))
    meta.append(("perms/dir-0555", 0o555, T_DEFAULT, False))
    meta.append(("perms/sticky-1777", 0o1777, T_DEFAULT, False))

    # --- names in many scripts -------------------------------------------
    d("unicode")
    f("unicode/Tiếng Việt có dấu.txt", "Xin chào thế giới\n".encode())
    d("unicode/Ảnh cưới Đà Lạt")
    f("unicode/Ảnh cưới Đà Lạt/Nguyễn Thị Ánh Dương.jpg",
      random_blob(11, 3000))
    f("unicode/Ảnh cưới Đà Lạt/ữ ự ử ừ ứ ỹ ỵ ỷ ỳ.txt", b"tones\n")
    nfd = unicodedata.normalize("NFD", "Phở bò Hà Nội (NFD).txt")
    assert nfd != unicodedata.normalize("NFC", nfd)
    f("unicode/" + nfd, "NFD name must stay NFD\n".encode())
    f("unicode/中文文件名.txt", "中文内容\n".encode())
    f("unicode/日本語のファイル名.txt", "日本語\n".encode())
    f("unicode/한국어 파일.txt", "한국어\n".encode())
    d("unicode/目录 with 中文")
    f("unicode/目录 with 中文/内部.txt", b"inner\n")
    f("unicode/emoji 😀🎉🚀.txt", "non-BMP 😀\n".encode())
    f("unicode/family 👨\u200d👩\u200d👧 zwj.txt", b"zwj sequence\n")
    d("unicode/📁 emoji dir")
    f("unicode/📁 emoji dir/🗂 inner.txt", b"emoji dir content\n")

    # --- long names -------------------------------------------------------
    d("long")
    n100 = name_of_bytes("L100-", "a", 100)
    n250 = name_of_bytes("L250-", "b", 250)
    n250u = name_of_bytes("U250-Việt-", "ế", 250)
    n100u = name_of_bytes("U100-漢字-", "字", 100)
    f("long/" + n100, b"100-byte name\n")
    f("long/" + n250, b"250-byte name\n")
    f("long/" + n250u, "250-byte UTF-8 name\n".encode())
    d("long/" + n100u)
    f("long/" + n100u + "/inside.txt", b"inside 100-byte dir\n")

    # --- deep chain: deep/level01/.../level12 -----------------------------
    d("deep")
    p = "deep"
    for i in range(1, 13):
        p += "/level%02d" % i
        d(p)
        f(p + "/file-at-%02d.txt" % i, ("depth %d\n" % i).encode())
    f(p + "/leaf.txt", b"leaf of the 12-level chain\n")

    # --- links ---------------------------------------------------------------
    d("links")
    d("links/sub")
    f("links/target.txt", b"symlink target\n")
    f("links/hard-pair-1.txt", b"hard link pair\n", mode=0o640,
      mtime=T_1999)
    hard("links/hard-pair-1.txt", "links/hard-pair-2.txt")
    f("links/hard-triple-1.bin", random_blob(3, 5000))
    hard("links/hard-triple-1.bin", "links/hard-triple-2.bin")
    hard("links/hard-triple-1.bin", "links/sub/hard-triple-3.bin")
    ln("target.txt", "links/rel-link")
    ln("../ascii/hello.txt", "links/rel-up-link")
    ln("/etc/hostname", "links/abs-link")
    ln("does/not/exist", "links/dangling-link")
    ln("/nonexistent/absolute/dangling", "links/abs-dangling-link")
    ln("../unicode", "links/dir-link")
    ln("./sub/../target.txt", "links/dot-components-link")
    ln("Tiếng Việt 😀 đích", "links/unicode-target-link")
    long_target = "/".join(["component%02d-%s" % (i, "z" * 17)
                            for i in range(1, 11)]) + "/end"
    assert len(long_target) > 255
    ln(long_target, "links/long-target-link")
    ln("rel-link", "links/link-to-link", mtime=T_2040)

    # --- times ----------------------------------------------------------------
    d("times")
    f("times/1960.txt", b"before 1970\n", mtime=T_1960)
    f("times/epoch.txt", b"at the epoch\n", mtime=T_EPOCH)
    f("times/2040.txt", b"after 2038\n", mtime=T_2040)
    f("times/2100.txt", b"after 2100\n", mtime=T_2100)
    d("times/dir-1960", mtime=T_1960)
    f("times/dir-1960/inside.txt", b"x\n")
    d("times/dir-2040", mtime=T_2040)
    ln("../1960.txt", "times/link-1960", mtime=T_1960)

    # --- zisofs candidates -----------------------------------------------------
    d("zdata")
    f("zdata/text-300k.txt", text_blob(1, 300 * 1024))
    f("zdata/text-200k.log", text_blob(2, 200 * 1024 + 17))
    f("zdata/block-edge-98305.txt", text_blob(3, 3 * 32768 + 1))
    f("zdata/zeros-160k.bin", bytes(160 * 1024))
    f("zdata/random-100k.bin", random_blob(4, 100 * 1024))
    f("zdata/small-500.txt", text_blob(5, 500))

    # An extended attribute where the filesystem supports user xattrs:
    # producers that record them (xorriso -for_backup: AAIP "AL" entries)
    # put extra SUSP data into the records that readers must skip.
    for rel, value in (("ascii/hello.txt", "xattr on a file"),
                       ("unicode", "xattr on a directory, có dấu")):
        try:
            os.setxattr(os.path.join(root, rel), "user.isokit",
                        value.encode("utf-8"))
        except OSError:
            pass

    # Apply modes and times: files and links first (order of creation),
    # then directories deepest first.  A later entry for the same path
    # overrides an earlier one.
    final = {}
    for rel, mode, mtime, is_link in meta:
        final[rel] = (mode, mtime, is_link)
    nondirs = [r for r in final
               if final[r][2] or not os.path.isdir(os.path.join(root, r))]
    dirs = [r for r in final if r not in nondirs]
    for rel in nondirs:
        mode, mtime, is_link = final[rel]
        p = os.path.join(root, rel)
        if is_link:
            os.utime(p, (mtime, mtime), follow_symlinks=False)
        else:
            os.chmod(p, mode)
            os.utime(p, (mtime, mtime))
    for rel in sorted(dirs, key=lambda r: (-r.count("/"), r)):
        mode, mtime, _ = final[rel]
        p = os.path.join(root, rel)
        os.chmod(p, mode)
        os.utime(p, (mtime, mtime))
    os.chmod(root, 0o755)
    os.utime(root, (T_DEFAULT, T_DEFAULT))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
