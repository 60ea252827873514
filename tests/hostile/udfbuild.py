#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/hostile/udfbuild.py - small UDF-only images built field by field
(ECMA-167 3rd edition, OSTA UDF), for the fuzzer's seeds and for damage
that no real writer makes.

    udfbuild.py OUT [--block 512|2048] [--metadata] [--revision 0x0102]

The tree: a.txt (a short_ad extent), tiny.txt (data inside its file entry),
sub/ with big.bin (three extents: recorded, a hole, recorded; its
descriptors continued in an allocation extent descriptor), link (a symlink
to ../a.txt), hard (a hard link to a.txt: the same file entry). With
--metadata the file entries and directories live in a metadata partition
(UDF 2.50) whose metadata file maps them onto the physical partition.

Not a writer for users: isokit's own writer is lib/write/. Independent tools
judge isokit's reader (tests/cli/t0901-udf-read.sh); this only makes inputs.
"""

import argparse
import struct
import sys


def crc16(b):
    c = 0
    for x in b:
        c ^= x << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) & 0xFFFF if c & 0x8000 else (c << 1) & 0xFFFF
    return c


def tag(buf, ident, loc, version=2):
    """Fill the 16-byte tag of the descriptor in buf (a bytearray)."""
    body = len(buf) - 16
    struct.pack_into("<HHBBHHHI", buf, 0, ident, version, 0, 0, 1, crc16(buf[16:]), body, loc)
    buf[4] = (sum(buf[0:4]) + sum(buf[5:16])) & 0xFF
    return buf


def regid(ident, suffix=b""):
    return bytes([0]) + ident.encode().ljust(23, b"\0") + suffix.ljust(8, b"\0")


def dstring(s, n):
    b = bytes([8]) + s.encode("latin-1")
    return b.ljust(n - 1, b"\0") + bytes([len(b)])


def ts():
    # 2001-02-03 04:05:06 UTC
    return struct.pack("<HHBBBBBBBB", 0x1000, 2001, 2, 3, 4, 5, 6, 0, 0, 0)


def long_ad(length, block, part):
    return struct.pack("<IIH6x", length, block, part)


def cs0(name):
    if all(ord(c) < 256 for c in name):
        return bytes([8]) + name.encode("latin-1")
    return bytes([16]) + name.encode("utf-16-be")


class Image:
    def __init__(self, bs, metadata, revision):
        self.bs = bs
        self.metadata = metadata
        self.revision = revision
        self.blocks = {}

    def put(self, block, data):
        assert len(data) <= self.bs, (block, len(data))
        self.blocks[block] = bytes(data).ljust(self.bs, b"\0")

    def build(self):
        bs = self.bs
        vrs_first = 32768 // bs
        step = max(1, 2048 // bs)
        for i, ident in enumerate((b"BEA01", b"NSR02" if self.revision < 0x200 else b"NSR03", b"TEA01")):
            self.put(vrs_first + i * step, bytes([0]) + ident + bytes([1]))
        part_start = 260
        part_len = 64
        total = part_start + part_len + 1
        ver = 2 if self.revision < 0x200 else 3
        # main sequence at 32, reserve at 48 (of 16 blocks each)
        for seq in (32, 48):
            b = seq
            pvd = bytearray(512)
            struct.pack_into("<II", pvd, 16, 1, 0)
            pvd[24:56] = dstring("UDFBUILD", 32)
            struct.pack_into("<HHHHII", pvd, 56, 1, 1, 2, 2, 1, 1)
            pvd[72:200] = dstring("0123456789abcdefUDFBUILD", 128)
            pvd[376:388] = ts()
            pvd[388:420] = regid("*udfbuild")
            self.put(b, tag(pvd, 1, b, ver))
            b += 1
            pd = bytearray(512)
            struct.pack_into("<IHH", pd, 16, 2, 1, 0)
            pd[24:56] = regid("+NSR02" if ver == 2 else "+NSR03")
            struct.pack_into("<III", pd, 184, 1, part_start, part_len)
            self.put(b, tag(pd, 5, b, ver))
            b += 1
            maps = struct.pack("<BBHH", 1, 6, 1, 0)
            if self.metadata:
                m = bytearray(64)
                m[0], m[1] = 2, 64
                m[4:36] = regid("*UDF Metadata Partition", struct.pack("<H", self.revision))
                struct.pack_into("<HHIIIIHB", m, 36, 1, 0, 1, 2, 0xFFFFFFFF, 32, 1, 0)
                maps += bytes(m)
            lvd = bytearray(440 + len(maps))
            struct.pack_into("<I", lvd, 16, 3)
            lvd[84:212] = dstring("UDFBUILD", 128)
            struct.pack_into("<I", lvd, 212, bs)
            lvd[216:248] = regid("*OSTA UDF Compliant", struct.pack("<HB", self.revision, 0))
            fsd_part = 1 if self.metadata else 0
            lvd[248:264] = long_ad(bs, 0, fsd_part)
            struct.pack_into("<II", lvd, 264, len(maps), 2 if self.metadata else 1)
            lvd[272:304] = regid("*udfbuild")
            lvd[440:] = maps
            self.put(b, tag(lvd, 6, b, ver))
            b += 1
            td = bytearray(512)
            self.put(b, tag(td, 8, b, ver))
        avdp = bytearray(512)
        struct.pack_into("<IIII", avdp, 16, 16 * bs, 32, 16 * bs, 48)
        self.put(256, tag(bytearray(avdp), 2, 256, ver))
        self.put(total - 1, tag(bytearray(avdp), 2, total - 1, ver))
        self.files(part_start, ver)
        out = bytearray(total * bs)
        for blk, data in self.blocks.items():
            out[blk * bs:(blk + 1) * bs] = data
        return bytes(out)

    def files(self, ps, ver):
        """The file set in the partition starting at block ps."""
        bs = self.bs
        meta = self.metadata
        # metadata partition: logical blocks 0.. are physical blocks 4..
        mpart = 1 if meta else 0
        mbase = 4 if meta else 0

        def mput(lblock, data):  # a metadata block
            self.put(ps + mbase + lblock, data)

        data_base = 40  # file data from physical partition block 40 on
        # logical blocks: 0 FSD, 1 root FE, 2 root dir data, 3 sub FE,
        # 4 sub dir data, 5 a.txt FE, 6 tiny FE, 7 big FE, 8 big's AED, 9 link FE
        a_data = b"hello from udfbuild\n"
        big = [bytes([0x41 + i]) * (bs * 2) for i in range(2)]

        def fe(loc, ftype, length, ads, form, nlink=1, uid=1000, perm=0x14A5, extended=False):
            head = 216 if extended else 176
            b = bytearray(head + len(ads))
            struct.pack_into("<IHHHBB", b, 16, 0, 4, 0, 1, 0, ftype)
            struct.pack_into("<H", b, 34, form)
            struct.pack_into("<IIIH", b, 36, uid, 100, perm, nlink)
            struct.pack_into("<Q", b, 56, length)
            if extended:
                struct.pack_into("<QQ", b, 64, length, (length + bs - 1) // bs)
                for o in (80, 92, 104, 116):
                    b[o:o + 12] = ts()
                b[168:200] = regid("*udfbuild")
                struct.pack_into("<QII", b, 200, loc + 16, 0, len(ads))
            else:
                struct.pack_into("<Q", b, 64, (length + bs - 1) // bs)
                for o in (72, 84, 96):
                    b[o:o + 12] = ts()
                b[128:160] = regid("*udfbuild")
                struct.pack_into("<QII", b, 160, loc + 16, 0, len(ads))
            b[head:] = ads
            return tag(b, 266 if extended else 261, loc, ver)

        def fid(name, chars, block, part):
            n = cs0(name) if name else b""
            size = (38 + len(n) + 3) & ~3
            b = bytearray(size)
            struct.pack_into("<HBB", b, 16, 1, chars, len(n))
            b[20:36] = long_ad(bs, block, part)
            b[38:38 + len(n)] = n
            # the tag's location is the block the identifier starts in
            return b

        def dir_data(loc, entries):
            out = bytearray()
            for name, chars, block in entries:
                f = fid(name, chars, block, mpart)
                out += tag(f, 257, loc, ver)
            return bytes(out)

        fsd = bytearray(512)
        fsd[16:28] = ts()
        struct.pack_into("<HHIIII", fsd, 28, 3, 3, 1, 1, 0, 0)
        fsd[112:240] = dstring("UDFBUILD", 128)
        fsd[304:336] = dstring("UDFBUILD set", 32)
        fsd[400:416] = long_ad(bs, 1, mpart)
        fsd[416:448] = regid("*OSTA UDF Compliant", struct.pack("<HB", self.revision, 0))
        mput(0, tag(fsd, 256, 0, ver))
        ext = self.revision >= 0x200
        form = 1 if meta else 0  # long_ad where data and entries are in two partitions

        def ad(length, block, part):
            if meta:
                return long_ad(length, block, part)
            return struct.pack("<II", length, block)

        root = dir_data(2, [(None, 8 | 2, 1), ("a.txt", 0, 5), ("tiny.txt", 0, 6),
                            ("sub", 2, 3), ("Ảnh.txt", 0, 6)])
        mput(1, fe(1, 4, len(root), ad(len(root), 2, mpart), form, 2, extended=ext))
        mput(2, root)
        sub = dir_data(4, [(None, 8 | 2, 1), ("big.bin", 0, 7), ("link", 0, 9), ("hard", 0, 5)])
        mput(3, fe(3, 4, len(sub), ad(len(sub), 4, mpart), form, 1, extended=ext))
        mput(4, sub)
        # a.txt: one short_ad in the physical partition; two links (a.txt, sub/hard)
        self.put(ps + data_base, a_data)
        mput(5, fe(5, 5, len(a_data), ad(len(a_data), data_base, 0), form, 2, extended=ext))
        # tiny.txt (and Ảnh.txt, a second name for it): data inside the entry
        tiny = b"in the ICB\n"
        mput(6, fe(6, 5, len(tiny), tiny, 3, 2))
        # big.bin: recorded, hole, recorded; the last two descriptors in an AED
        for i, chunk in enumerate(big):
            for k in range(2):
                self.put(ps + data_base + 2 + i * 2 + k, chunk[k * bs:(k + 1) * bs])
        size = 3 * 2 * bs
        aed_loc = 8
        ads = ad(2 * bs, data_base + 2, 0) + ad((3 << 30) | bs, aed_loc, mpart)
        mput(7, fe(7, 5, size, ads, form, extended=ext))
        rest = ad((1 << 30) | 2 * bs, 0, 0) + ad(2 * bs, data_base + 4, 0)
        aed = bytearray(24 + len(rest))
        struct.pack_into("<II", aed, 16, 0, len(rest))
        aed[24:] = rest
        mput(aed_loc, tag(aed, 258, aed_loc, ver))
        # link -> ../a.txt: path components (parent, then a name)
        pc = struct.pack("<BBH", 3, 0, 0) + struct.pack("<BBH", 5, 6, 0) + cs0("a.txt")
        mput(9, fe(9, 12, len(pc), pc, 3))
        if meta:
            # the metadata file (type 250) at physical partition block 1
            mfile = fe(1, 250, 16 * bs, struct.pack("<II", 16 * bs, mbase), 0, extended=True)
            self.put(ps + 1, mfile)
            self.put(ps + 2, fe(2, 251, 16 * bs, struct.pack("<II", 16 * bs, mbase), 0,
                                extended=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--block", type=int, default=512, choices=(512, 1024, 2048))
    ap.add_argument("--metadata", action="store_true")
    ap.add_argument("--revision", type=lambda s: int(s, 0), default=0x0102)
    a = ap.parse_args()
    rev = max(a.revision, 0x0250) if a.metadata else a.revision
    img = Image(a.block, a.metadata, rev).build()
    with open(a.out, "wb") as f:
        f.write(img)
    return 0


if __name__ == "__main__":
    sys.exit(main())
