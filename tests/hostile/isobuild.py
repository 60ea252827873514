# SPDX-License-Identifier: MIT
"""A small ISO 9660 image builder and a tolerant parser, for hostile tests.

The builder lays out an image byte by byte: system area, PVD, optional El
Torito boot record, optional Joliet SVD, terminator, path tables, the primary
(optionally Rock Ridge) tree, the Joliet tree, Continuation Areas, the boot
catalog and the file data. It does not sort or check anything it is not asked
to, so tests can describe broken trees (loops, duplicate names, odd names,
records pointing anywhere) and then patch the bytes further through the
offsets recorded in the returned Image.

The parser walks a (good) image and returns the offsets of interesting fields,
which the mutation engine uses to aim its damage at real structures.

Only the standard library is used (zlib for zisofs).
"""

import struct
import zlib

SECTOR = 2048

# ---------------------------------------------------------------- numbers


def le16(v):
    return struct.pack('<H', v & 0xFFFF)


def le32(v):
    return struct.pack('<I', v & 0xFFFFFFFF)


def be32(v):
    return struct.pack('>I', v & 0xFFFFFFFF)


def both16(v):
    return struct.pack('<H', v & 0xFFFF) + struct.pack('>H', v & 0xFFFF)


def both32(v):
    return struct.pack('<I', v & 0xFFFFFFFF) + struct.pack('>I', v & 0xFFFFFFFF)


def put(buf, off, data):
    buf[off:off + len(data)] = data


def put_both32(buf, off, v):
    put(buf, off, both32(v))


def get_le32(buf, off):
    return struct.unpack_from('<I', buf, off)[0]


DIR_DATE = bytes([124, 1, 2, 3, 4, 5, 0])  # 2024-01-02 03:04:05 UTC
VD_DATE = b'2024010203040500' + b'\x00'
VD_NODATE = b'0' * 16 + b'\x00'

S_IFDIR, S_IFREG, S_IFLNK = 0o040000, 0o100000, 0o120000
S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK = 0o020000, 0o060000, 0o010000, 0o140000

ZISOFS_MAGIC = bytes([0x37, 0xE4, 0x53, 0x96, 0xC9, 0xDB, 0xD6, 0x07])

# ---------------------------------------------------------------- SUSP / RRIP entries


def su_entry(sig, data, version=1, length=None):
    """A raw SUSP entry; @length overrides the length byte (for lies)."""
    ln = 4 + len(data) if length is None else length
    return sig + bytes([ln & 0xFF, version]) + data


def SP(skip=0):
    return su_entry(b'SP', b'\xBE\xEF' + bytes([skip]))


def ER(ident=b'RRIP_1991A',
       desc=b'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS',
       src=b'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.',
       ext_version=1):
    return su_entry(b'ER', bytes([len(ident), len(desc), len(src), ext_version]) + ident + desc + src)


def PX(mode, nlink=1, uid=0, gid=0, ino=None):
    data = both32(mode) + both32(nlink) + both32(uid) + both32(gid)
    if ino is not None:
        data += both32(ino)
    return su_entry(b'PX', data)


def TF(flags=0x0E, stamps=None):
    n = bin(flags & 0x7F).count('1')
    if stamps is None:
        stamps = DIR_DATE * n
    return su_entry(b'TF', bytes([flags]) + stamps)


def RR(flags=0x89):
    return su_entry(b'RR', bytes([flags]))


def NM(name, flags=0):
    return su_entry(b'NM', bytes([flags]) + name)


def NM_split(name, chunk=200):
    """NM entries for a name of any length, with CONTINUE flags."""
    if len(name) <= chunk:
        return [NM(name)]
    out = []
    for i in range(0, len(name), chunk):
        part = name[i:i + chunk]
        out.append(NM(part, 1 if i + chunk < len(name) else 0))
    return out


def SL_components(target):
    """SL component records (bytes) for a POSIX path string or bytes."""
    if isinstance(target, str):
        target = target.encode()
    comps = []
    if target.startswith(b'/'):
        comps.append(bytes([0x08, 0]))
        target = target.lstrip(b'/')
    if target:
        for part in target.split(b'/'):
            if part == b'.':
                comps.append(bytes([0x02, 0]))
            elif part == b'..':
                comps.append(bytes([0x04, 0]))
            else:
                while len(part) > 200:
                    comps.append(bytes([0x01, 200]) + part[:200])
                    part = part[200:]
                comps.append(bytes([0, len(part)]) + part)
    return comps


def SL(target, flags=0):
    return su_entry(b'SL', bytes([flags]) + b''.join(SL_components(target)))


def SL_raw(comp_bytes, flags=0):
    return su_entry(b'SL', bytes([flags]) + comp_bytes)


def SL_split(target):
    comps = SL_components(target)
    out, cur = [], []
    for c in comps:
        if sum(len(x) for x in cur) + len(c) > 240:
            out.append(cur)
            cur = []
        cur.append(c)
    out.append(cur)
    return [SL_raw(b''.join(g), 1 if i + 1 < len(out) else 0) for i, g in enumerate(out)]


def CE(lba, off, length):
    return su_entry(b'CE', both32(lba) + both32(off) + both32(length))


def ST():
    return su_entry(b'ST', b'')


def PD(n):
    return su_entry(b'PD', bytes(n))


def PN(high, low):
    return su_entry(b'PN', both32(high) + both32(low))


def CL(lba):
    return su_entry(b'CL', both32(lba))


def PL(lba):
    return su_entry(b'PL', both32(lba))


def RE():
    return su_entry(b'RE', b'')


def ZF(usize, log2=15, hdr_div4=4, alg=b'pz'):
    return su_entry(b'ZF', alg + bytes([hdr_div4, log2]) + both32(usize))


class Lazy:
    """An SUSP entry whose bytes depend on the layout (fixed length)."""

    def __init__(self, length, fn):
        self.length = length
        self.fn = fn

    def render(self, layout):
        b = self.fn(layout)
        assert len(b) == self.length, (len(b), self.length)
        return b


class CEArea:
    """A Continuation Area: a list of entries placed in a CE block."""

    def __init__(self, entries=None, pad_to=None):
        self.entries = list(entries or [])
        self.pad_to = pad_to
        self.lba = None
        self.off = None

    @property
    def length(self):
        n = sum(e.length if isinstance(e, Lazy) else len(e) for e in self.entries)
        if self.pad_to:
            n = max(n, self.pad_to)
        return n


def CERef(area, length=None, lba_delta=0, off=None):
    """A CE entry pointing at @area (resolved at layout time)."""
    def fn(layout):
        return CE(area.lba + lba_delta, area.off if off is None else off,
                  area.length if length is None else length)
    return Lazy(28, fn)


def LazyInt(fn, sig, prefix=b''):
    """An entry made of sig + both32(fn(layout)) (CL / PL pointers)."""
    return Lazy(4 + len(prefix) + 8,
                lambda L: su_entry(sig, prefix + both32(fn(L))))


def render_entries(entries, layout):
    out = bytearray()
    for e in entries:
        out += e.render(layout) if isinstance(e, Lazy) else e
    return bytes(out)


def entries_len(entries):
    return sum(e.length if isinstance(e, Lazy) else len(e) for e in entries)

# ---------------------------------------------------------------- zisofs


def zisofs_compress(data, log2=15):
    """zisofs v1 stream of @data: (stored bytes, ZF entry)."""
    bs = 1 << log2
    nblocks = (len(data) + bs - 1) // bs
    hdr = ZISOFS_MAGIC + le32(len(data)) + bytes([4, log2, 0, 0])
    ptrs = []
    pos = 16 + 4 * (nblocks + 1)
    blocks = []
    for i in range(nblocks):
        chunk = data[i * bs:(i + 1) * bs]
        comp = b'' if chunk.count(0) == len(chunk) else zlib.compress(chunk, 9)
        ptrs.append(pos)
        blocks.append(comp)
        pos += len(comp)
    ptrs.append(pos)
    body = hdr + b''.join(le32(p) for p in ptrs) + b''.join(blocks)
    return body, ZF(len(data), log2)

# ---------------------------------------------------------------- tree model


class Node:
    """A file, directory or special file in the tree.

    name: Rock Ridge name (bytes); iso_name / joliet_name override the other
    trees' identifiers (bytes, raw). Overrides named iso_* / j_* are applied
    to the record in that tree: extent, size (int or callable(layout)),
    flags (int). alias=Node makes a directory record point at another
    directory (extent and size of that directory in the same tree).
    """

    _count = 0

    def __init__(self, name, kind='file', data=b'', children=None, target=None,
                 mode=None, **kw):
        Node._count += 1
        self.uid = Node._count
        self.name = name.encode() if isinstance(name, str) else name
        self.kind = kind
        self.data = data
        self.children = list(children or [])
        self.target = target
        self.mode = mode
        self.iso_name = None
        self.joliet_name = None
        self.in_iso = True
        self.in_joliet = True
        self.rr = True            # write RR entries for this record
        self.su = None            # full SU entry list (replaces generated)
        self.extra_su = []        # appended to the generated SU
        self.dot_su = None        # SU of this directory's '.' record
        self.dot_extra_su = []
        self.size = None          # recorded size (default: len(data))
        self.alias = None
        self.sort = True
        self.sections = None      # multi-extent: list of bytes
        self.ino = None
        self.rdev = None
        for k in ('iso_extent', 'iso_size', 'iso_flags', 'j_extent', 'j_size', 'j_flags'):
            setattr(self, k, None)
        for k, v in kw.items():
            if not hasattr(self, k):
                raise AttributeError(k)
            setattr(self, k, v)

    def add(self, *nodes):
        self.children.extend(nodes)
        return self

    def __repr__(self):
        return 'Node(%r,%s)' % (self.name, self.kind)


def File(name, data=b'', **kw):
    return Node(name, 'file', data=data, **kw)


def Dir(name, *children, **kw):
    return Node(name, 'dir', children=children, **kw)


def Symlink(name, target, **kw):
    return Node(name, 'symlink', target=target, **kw)


def Special(name, mode, rdev=(0, 0), **kw):
    return Node(name, 'special', mode=mode, rdev=rdev, **kw)


def _dchars(s, keep_dot=False):
    out = []
    for ch in s.upper():
        if ('A' <= ch <= 'Z') or ('0' <= ch <= '9') or ch == '_' or (keep_dot and ch == '.'):
            out.append(ch)
        else:
            out.append('_')
    return ''.join(out)


def iso_identifier(node, taken):
    """An ISO 9660 level-2 style identifier, unique among @taken."""
    if node.iso_name is not None:
        return node.iso_name
    raw = node.name.decode('utf-8', 'replace') or 'X'
    if node.kind == 'dir':
        base, ext = _dchars(raw)[:31], None
    else:
        if '.' in raw.strip('.'):
            b, e = raw.rsplit('.', 1)
        else:
            b, e = raw, ''
        base, ext = _dchars(b)[:24] or 'X', _dchars(e)[:5]
    n = 0
    while True:
        b2 = base if n == 0 else (base[:max(1, len(base) - len(str(n)) - 1)] + '_' + str(n))
        ident = b2 if ext is None else b2 + '.' + ext + ';1'
        if ident not in taken:
            taken.add(ident)
            return ident.encode()
        n += 1


def joliet_identifier(node):
    if node.joliet_name is not None:
        jn = node.joliet_name
        return jn if isinstance(jn, bytes) else jn.encode('utf-16-be')
    s = node.name.decode('utf-8', 'replace')[:64]
    return s.encode('utf-16-be')


class Image:
    """Result of a build: the bytes and where things went."""

    def __init__(self):
        self.data = None
        self.lba = {}      # (tree, node) -> lba of a directory, or (None, node) for file data
        self.dsize = {}    # (tree, node) -> directory size
        self.rec = {}      # (tree, node) -> offset of the node's record in its parent
        self.dot = {}      # (tree, node) -> offset of its '.' record (directories)
        self.vd = {}       # 'pvd', 'svd', 'boot', 'term' -> offset
        self.catalog_lba = None
        self.boot_lba = None
        self.volume_blocks = None

    def file_lba(self, node):
        return self.lba[(None, node)]

    def rec_off(self, node, tree='iso'):
        return self.rec[(tree, node)]

    def set_extent(self, node, lba, tree='iso'):
        put_both32(self.data, self.rec[(tree, node)] + 2, lba)

    def set_size(self, node, size, tree='iso'):
        put_both32(self.data, self.rec[(tree, node)] + 10, size)

    def su_offset(self, rec_off):
        """Offset of the System Use field of the record at @rec_off."""
        lfi = self.data[rec_off + 32]
        return rec_off + 33 + lfi + (1 - lfi % 2)

    def find(self, pattern, start=0):
        i = self.data.find(pattern, start)
        assert i >= 0, pattern
        return i

    def truncated(self, n):
        return bytes(self.data[:n])

    def bytes(self):
        return bytes(self.data)


class Builder:
    def __init__(self, root, rr=True, joliet=True, boot=None, volume_id='ISOKIT_TEST',
                 er=True, rr_flags_entry=False, sp_skip=0):
        self.root = root
        self.rr = rr
        self.joliet = joliet
        self.boot = boot
        self.volume_id = volume_id
        self.er = er
        self.rr_flags_entry = rr_flags_entry
        self.sp_skip = sp_skip
        self.ce_areas = []
        self.extra_areas = []  # hand-made CEArea objects referenced by entries
        self.extra_vds = []  # raw 2048-byte descriptors inserted before the terminator
        self.pvd_patch = None  # callable(pvd bytearray)
        self.trailer = b''     # bytes appended after everything
        self.pad_blocks = 0

    # ---- records

    def _node_mode(self, n):
        if n.mode is not None:
            return n.mode
        return {'dir': S_IFDIR | 0o755, 'file': S_IFREG | 0o644,
                'symlink': S_IFLNK | 0o777}.get(n.kind, S_IFREG | 0o644)

    def _rr_entries(self, n, is_root_dot=False):
        ents = []
        if is_root_dot:
            ents.append(SP(self.sp_skip))
            if self.rr_flags_entry:
                ents.append(RR())
        ents.append(PX(self._node_mode(n), 2 if n.kind == 'dir' else 1,
                       ino=n.ino) if n.ino is not None else
                    PX(self._node_mode(n), 2 if n.kind == 'dir' else 1))
        ents.append(TF())
        return ents

    def _record_su(self, tree, n, role):
        """SU entries of a record; role is 'dot', 'dotdot' or 'entry'."""
        if tree != 'iso' or not self.rr:
            return []
        if role == 'dot':
            if n.dot_su is not None:
                return list(n.dot_su)
            ents = self._rr_entries(n, is_root_dot=(n is self.root))
            if n is self.root and self.er:
                ents.append(CERef(self._er_area))
            return ents + list(n.dot_extra_su)
        if role == 'dotdot':
            return self._rr_entries(n)
        if n.su is not None:
            return list(n.su)
        if not n.rr:
            return list(n.extra_su)
        ents = self._rr_entries(n)
        ents += NM_split(n.name)
        if n.kind == 'symlink':
            ents += SL_split(n.target)
        if n.kind == 'special' and n.rdev is not None:
            ents.append(PN(*n.rdev))
        return ents + list(n.extra_su)

    def _fit_su(self, ents, fixed):
        """Move what does not fit the record into Continuation Areas."""
        avail = 254 - fixed
        if entries_len(ents) <= avail:
            return ents
        inline, rest = [], list(ents)
        while rest and entries_len(inline) + (rest[0].length if isinstance(rest[0], Lazy) else len(rest[0])) <= avail - 28:
            inline.append(rest.pop(0))
        areas = []
        while rest:
            cur = []
            while rest and entries_len(cur) + (rest[0].length if isinstance(rest[0], Lazy) else len(rest[0])) <= 2048 - 28:
                cur.append(rest.pop(0))
            if not cur:
                raise ValueError('SUSP entry too large')
            areas.append(CEArea(cur))
        for a, b in zip(areas, areas[1:]):
            a.entries.append(CERef(b))
        self.ce_areas.extend(areas)
        return inline + [CERef(areas[0])]

    def _records(self, tree, d):
        """[(kind, node, ident, flags, su_entries)] for directory @d."""
        recs = [('dot', d, b'\x00', 0x02, None), ('dotdot', d, b'\x01', 0x02, None)]
        kids = [c for c in d.children if (c.in_iso if tree == 'iso' else c.in_joliet)]
        taken = set()
        named = []
        for c in kids:
            if tree == 'iso':
                ident = iso_identifier(c, taken)
            else:
                ident = joliet_identifier(c)
            named.append((ident, c))
        if d.sort:
            named.sort(key=lambda t: t[0])
        for ident, c in named:
            flags = 0x02 if c.kind == 'dir' else 0
            if c.sections:
                for i in range(len(c.sections)):
                    last = i == len(c.sections) - 1
                    recs.append(('section%d' % i, c, ident, flags | (0 if last else 0x80), None))
            else:
                recs.append(('entry', c, ident, flags, None))
        out = []
        for role, n, ident, flags, _ in recs:
            if role == 'dot':
                su = self._record_su(tree, d, 'dot')
            elif role == 'dotdot':
                su = self._record_su(tree, d, 'dotdot')
            else:
                su = self._record_su(tree, n, 'entry')
            fixed = 33 + len(ident) + (1 - len(ident) % 2)
            su = self._fit_su(su, fixed)
            out.append((role, n, ident, flags, su))
        return out

    @staticmethod
    def _rec_len(ident, su):
        ln = 33 + len(ident) + (1 - len(ident) % 2) + entries_len(su)
        return ln + (ln % 2)

    def _dirs(self, tree):
        """Directories of @tree in path-table (breadth-first) order."""
        order, queue, seen = [], [self.root], set()
        while queue:
            d = queue.pop(0)
            if d.uid in seen:
                continue
            seen.add(d.uid)
            order.append(d)
            for c in d.children:
                if c.kind == 'dir' and c.alias is None and (c.in_iso if tree == 'iso' else c.in_joliet):
                    queue.append(c)
        return order

    def _files(self):
        """Files with data, depth-first in the order given (iterative)."""
        out, seen, dseen = [], set(), set()
        stack = [iter(self.root.children)]
        while stack:
            c = next(stack[-1], None)
            if c is None:
                stack.pop()
                continue
            if c.kind == 'dir':
                if c.alias is None and c.uid not in dseen:
                    dseen.add(c.uid)
                    stack.append(iter(c.children))
            elif c.uid not in seen and (c.data or c.sections):
                seen.add(c.uid)
                out.append(c)
        return out

    # ---- build

    def build(self):
        img = Image()
        self.ce_areas = list(self.extra_areas)
        self._er_area = CEArea([ER()]) if (self.rr and self.er) else None
        if self._er_area:
            self.ce_areas.append(self._er_area)
        trees = ['iso'] + (['joliet'] if self.joliet else [])
        dirs = {t: self._dirs(t) for t in trees}
        recs = {}
        for t in trees:
            for d in dirs[t]:
                recs[(t, d)] = self._records(t, d)
        # directory sizes
        packing = {}
        for key, rl in recs.items():
            off, sec, pos = 0, 0, []
            for r in rl:
                ln = self._rec_len(r[2], r[4])
                if off + ln > SECTOR:
                    sec += 1
                    off = 0
                pos.append(sec * SECTOR + off)
                off += ln
            packing[key] = (pos, sec + 1)
        # volume descriptors
        lba = 16
        img.vd['pvd'] = lba * SECTOR
        lba += 1
        if self.boot is not None:
            img.vd['boot'] = lba * SECTOR
            lba += 1
        if self.joliet:
            img.vd['svd'] = lba * SECTOR
            lba += 1
        extra_vd_lba = lba
        lba += len(self.extra_vds)
        img.vd['term'] = lba * SECTOR
        lba += 1
        # path tables
        pt = {}
        for t in trees:
            size = sum(8 + self._pt_ident_len(t, d) + (self._pt_ident_len(t, d) % 2) for d in dirs[t])
            nsec = (size + SECTOR - 1) // SECTOR
            pt[t] = (size, lba, lba + nsec)
            lba += 2 * nsec
        # directories
        for t in trees:
            for d in dirs[t]:
                img.lba[(t, d)] = lba
                img.dsize[(t, d)] = packing[(t, d)][1] * SECTOR
                lba += packing[(t, d)][1]
        # CE areas (may grow while records are made: they are all known now)
        off = SECTOR
        ce_start = lba
        cur = lba - 1
        for a in self.ce_areas:
            ln = a.length
            if ln > SECTOR:
                raise ValueError('CE area larger than a block')
            if off + ln > SECTOR:
                cur += 1
                off = 0
            a.lba, a.off = cur, off
            off += ln
            off += off % 2
        lba = cur + 1 if self.ce_areas else lba
        # boot catalog and image
        if self.boot is not None:
            img.catalog_lba = lba
            lba += 1
            img.boot_lba = lba
            lba += max(1, (len(self.boot) + SECTOR - 1) // SECTOR)
        # file data
        zero_block = lba
        lba += 1
        for f in self._files():
            img.lba[(None, f)] = lba
            if f.sections:
                for i, s in enumerate(f.sections):
                    img.lba[('section%d' % i, f)] = lba
                    lba += max(1, (len(s) + SECTOR - 1) // SECTOR)
            else:
                lba += (len(f.data) + SECTOR - 1) // SECTOR
        lba += self.pad_blocks
        total = lba
        img.volume_blocks = total
        self.img = img
        buf = bytearray(total * SECTOR)
        img.data = buf

        # ---- emit directories
        def extent_and_size(t, role, n):
            if n.kind == 'dir':
                tgt = n.alias if n.alias is not None else n
                ext = img.lba.get((t, tgt), 0)
                size = img.dsize.get((t, tgt), SECTOR)
            elif role.startswith('section'):
                i = int(role[7:])
                ext = img.lba[(role, n)]
                size = len(n.sections[i])
            else:
                ext = img.lba.get((None, n), zero_block)
                size = len(n.data) if n.size is None else n.size
                if n.kind != 'file':
                    ext, size = zero_block, (n.size or 0)
            p = 'iso_' if t == 'iso' else 'j_'
            ov_e, ov_s = getattr(n, p + 'extent'), getattr(n, p + 'size')
            if ov_e is not None and role not in ('dot', 'dotdot'):
                ext = ov_e(img) if callable(ov_e) else ov_e
            if ov_s is not None and role not in ('dot', 'dotdot'):
                size = ov_s(img) if callable(ov_s) else ov_s
            return ext, size

        parent_of = {}
        for t in trees:
            for d in dirs[t]:
                for c in d.children:
                    if c.kind == 'dir' and c.alias is None:
                        parent_of.setdefault((t, c), d)
        for t in trees:
            for d in dirs[t]:
                base = img.lba[(t, d)] * SECTOR
                pos, _ = packing[(t, d)]
                for (role, n, ident, flags, su), p in zip(recs[(t, d)], pos):
                    if role == 'dot':
                        ext, size = img.lba[(t, d)], img.dsize[(t, d)]
                        img.dot[(t, d)] = base + p
                    elif role == 'dotdot':
                        par = parent_of.get((t, d), d)
                        ext, size = img.lba[(t, par)], img.dsize[(t, par)]
                    else:
                        ext, size = extent_and_size(t, role, n)
                        if role in ('entry', 'section0'):
                            img.rec[(t, n)] = base + p
                        p2 = 'iso_' if t == 'iso' else 'j_'
                        if getattr(n, p2 + 'flags') is not None:
                            flags = getattr(n, p2 + 'flags')
                    rec = self._record(ident, ext, size, flags, render_entries(su, img))
                    put(buf, base + p, rec)
        # CE areas
        for a in self.ce_areas:
            put(buf, a.lba * SECTOR + a.off, render_entries(a.entries, img))
        # path tables
        for t in trees:
            size, l_lba, m_lba = pt[t]
            lt, mt = bytearray(), bytearray()
            num = {}
            for i, d in enumerate(dirs[t]):
                num[d.uid] = i + 1
            for d in dirs[t]:
                ident = self._pt_ident(t, d)
                par = parent_of.get((t, d), d)
                pn = num.get(par.uid, 1)
                ext = img.lba[(t, d)]
                pad = b'\x00' if len(ident) % 2 else b''
                lt += bytes([len(ident), 0]) + le32(ext) + le16(pn) + ident + pad
                mt += bytes([len(ident), 0]) + be32(ext) + struct.pack('>H', pn) + ident + pad
            put(buf, l_lba * SECTOR, lt)
            put(buf, m_lba * SECTOR, mt)
        # volume descriptors
        for t in trees:
            vd = self._vd(t, total, pt[t], img)
            put(buf, img.vd['pvd' if t == 'iso' else 'svd'], vd)
        for i, raw in enumerate(self.extra_vds):
            put(buf, (extra_vd_lba + i) * SECTOR, raw)
        put(buf, img.vd['term'], b'\xFFCD001\x01')
        if self.boot is not None:
            br = bytearray(SECTOR)
            put(br, 0, b'\x00CD001\x01')
            put(br, 7, b'EL TORITO SPECIFICATION')
            put(br, 71, le32(img.catalog_lba))
            put(buf, img.vd['boot'], br)
            cat = bytearray(SECTOR)
            ve = bytearray(32)
            ve[0] = 1
            put(ve, 4, b'ISOKIT')
            ve[30], ve[31] = 0x55, 0xAA
            s = sum(struct.unpack('<16H', bytes(ve))) & 0xFFFF
            put(ve, 28, le16((-s) & 0xFFFF))
            put(cat, 0, ve)
            ie = bytearray(32)
            ie[0] = 0x88
            put(ie, 6, le16(4))
            put(ie, 8, le32(img.boot_lba))
            put(cat, 32, ie)
            put(buf, img.catalog_lba * SECTOR, cat)
            put(buf, img.boot_lba * SECTOR, self.boot)
        # file data
        for f in self._files():
            if f.sections:
                for i, s in enumerate(f.sections):
                    put(buf, img.lba[('section%d' % i, f)] * SECTOR, s)
            else:
                put(buf, img.lba[(None, f)] * SECTOR, f.data)
        if self.pvd_patch:
            self.pvd_patch(buf, img)
        if self.trailer:
            buf += self.trailer
        return img

    def _pt_ident(self, t, d):
        if d is self.root:
            return b'\x00'
        if t == 'iso':
            # the identifier used in the parent's records
            par = None
            for cand in self._dirs(t):
                if d in cand.children:
                    par = cand
                    break
            taken = set()
            for c in par.children:
                if c.in_iso:
                    ident = iso_identifier(c, taken)
                    if c is d:
                        return ident
        return joliet_identifier(d)

    def _pt_ident_len(self, t, d):
        return len(self._pt_ident(t, d))

    @staticmethod
    def _record(ident, ext, size, flags, su):
        ln = 33 + len(ident) + (1 - len(ident) % 2) + len(su)
        su = su + (b'\x00' if ln % 2 else b'')
        ln += ln % 2
        if ln > 255:
            raise ValueError('directory record too long (%d)' % ln)
        r = bytearray([ln, 0]) + both32(ext) + both32(size) + DIR_DATE
        r += bytes([flags, 0, 0]) + both16(1) + bytes([len(ident)]) + ident
        if len(ident) % 2 == 0:
            r += b'\x00'
        r += su
        return bytes(r)

    def _vd(self, t, total, ptinfo, img):
        vd = bytearray(SECTOR)
        joliet = t == 'joliet'
        vd[0] = 2 if joliet else 1
        put(vd, 1, b'CD001\x01')

        def txt(s, n):
            if joliet:
                b = s.encode('utf-16-be')[:n]
                return b + b'\x00\x20' * ((n - len(b)) // 2)
            return s.encode('ascii')[:n].ljust(n, b' ')
        put(vd, 8, txt('LINUX', 32))
        put(vd, 40, txt(self.volume_id, 32))
        put(vd, 80, both32(total))
        if joliet:
            put(vd, 88, b'%/E')
        put(vd, 120, both16(1))
        put(vd, 124, both16(1))
        put(vd, 128, both16(SECTOR))
        size, l_lba, m_lba = ptinfo
        put(vd, 132, both32(size))
        put(vd, 140, le32(l_lba))
        put(vd, 148, be32(m_lba))
        root = self._record(b'\x00', img.lba[(t, self.root)], img.dsize[(t, self.root)], 0x02, b'')
        put(vd, 156, root)
        for off, n in ((190, 128), (318, 128), (446, 128), (574, 128)):
            put(vd, off, txt('', n))
        for off in (702, 739, 776):
            put(vd, off, txt('', 37) if not joliet else b'\x00' * 37)
        put(vd, 813, VD_DATE)
        put(vd, 830, VD_DATE)
        put(vd, 847, VD_NODATE)
        put(vd, 864, VD_NODATE)
        vd[881] = 1
        put(vd, 883, b' ' * 512)
        return bytes(vd)

# ---------------------------------------------------------------- parser


class Parsed:
    def __init__(self):
        self.fields = []    # (offset, width, kind)
        self.records = []   # (tree, offset, path)
        self.files = []     # (tree, path, extent, size)
        self.dirs = []


def parse(data, max_dirs=10000):
    """Walk a good image; collect interesting offsets. Tolerant: never raises
    on damage, just stops following it."""
    P = Parsed()
    n = len(data)

    def field(off, width, kind):
        if 0 <= off and off + width <= n:
            P.fields.append((off, width, kind))

    roots = []
    for i in range(16, 64):
        o = i * SECTOR
        if o + SECTOR > n or data[o + 1:o + 6] != b'CD001':
            break
        t = data[o]
        field(o, 1, 'vd-type')
        field(o + 80, 8, 'vd-volsize')
        field(o + 128, 4, 'vd-blocksize')
        field(o + 132, 8, 'vd-ptsize')
        field(o + 140, 4, 'vd-ptl')
        field(o + 148, 4, 'vd-ptm')
        field(o + 156, 1, 'vd-rootlen')
        field(o + 158, 8, 'vd-rootext')
        field(o + 166, 8, 'vd-rootsize')
        field(o + 181, 1, 'vd-rootflags')
        field(o + 813, 17, 'vd-date')
        if t == 1:
            roots.append(('iso', o + 156))
        elif t == 2 and data[o + 88:o + 90] == b'%/':
            field(o + 88, 3, 'vd-escape')
            roots.append(('joliet', o + 156))
        elif t == 0 and data[o + 7:o + 30] == b'EL TORITO SPECIFICATION':
            field(o + 71, 4, 'boot-catalog')
            cat = get_le32(data, o + 71) * SECTOR
            for e in range(0, 8):
                field(cat + 32 * e, 32, 'catalog-entry')
                field(cat + 32 * e + 6, 2, 'catalog-count')
                field(cat + 32 * e + 8, 4, 'catalog-lba')
                field(cat + 32 * e + 2, 2, 'catalog-hdr-count')
        elif t == 255:
            break
    seen = set()
    for tree, rootoff in roots:
        ext = get_le32(data, rootoff + 2)
        size = get_le32(data, rootoff + 10)
        queue = [(ext, size, '')]
        while queue and len(seen) < max_dirs:
            ext, size, path = queue.pop(0)
            if (tree, ext) in seen or ext * SECTOR >= n:
                continue
            seen.add((tree, ext))
            P.dirs.append((tree, ext, size, path))
            start, end = ext * SECTOR, min(n, ext * SECTOR + min(size, 1 << 20))
            o = start
            while o < end:
                ln = data[o]
                if ln == 0:
                    o = (o // SECTOR + 1) * SECTOR
                    continue
                if ln < 34 or o + ln > end:
                    break
                lfi = data[o + 32]
                ident = bytes(data[o + 33:o + 33 + lfi])
                field(o, 1, 'dr-len')
                field(o + 1, 1, 'dr-xa')
                field(o + 2, 8, 'dr-extent')
                field(o + 10, 8, 'dr-size')
                field(o + 18, 7, 'dr-date')
                field(o + 25, 1, 'dr-flags')
                field(o + 26, 2, 'dr-interleave')
                field(o + 32, 1, 'dr-lenfi')
                field(o + 33, max(1, lfi), 'dr-ident')
                cext = get_le32(data, o + 2)
                csize = get_le32(data, o + 10)
                fl = data[o + 25]
                P.records.append((tree, o, path))
                if tree == 'iso':
                    suo = o + 33 + lfi + (1 - lfi % 2)
                    _parse_su(data, suo, o + ln, field, 0)
                if ident not in (b'\x00', b'\x01'):
                    name = ident.decode('latin-1') if tree == 'iso' else ident.decode('utf-16-be', 'replace')
                    if fl & 2:
                        queue.append((cext, csize, path + '/' + name))
                    else:
                        P.files.append((tree, path + '/' + name, cext, csize))
                        if csize >= 16 and cext * SECTOR + 16 <= n and \
                                data[cext * SECTOR:cext * SECTOR + 8] == ZISOFS_MAGIC:
                            zo = cext * SECTOR
                            field(zo + 8, 4, 'zisofs-usize')
                            field(zo + 12, 1, 'zisofs-hdr')
                            field(zo + 13, 1, 'zisofs-log2')
                            for k in range(8):
                                field(zo + 16 + 4 * k, 4, 'zisofs-ptr')
                o += ln
    return P


def _parse_su(data, o, end, field, depth):
    if depth > 8:
        return
    while o + 4 <= end:
        sig = bytes(data[o:o + 2])
        ln = data[o + 2]
        if ln < 4 or o + ln > end:
            return
        field(o, 2, 'su-sig')
        field(o + 2, 1, 'su-len')
        field(o + 3, 1, 'su-ver')
        if ln > 4:
            field(o + 4, ln - 4, 'su-body-' + sig.decode('latin-1'))
            field(o + 4, 1, 'su-flag-' + sig.decode('latin-1'))
            field(o + 4, 8, 'su-num-' + sig.decode('latin-1'))
        if sig == b'CE' and ln >= 28:
            field(o + 4, 8, 'ce-lba')
            field(o + 12, 8, 'ce-off')
            field(o + 20, 8, 'ce-len')
            lba, off, cl = get_le32(data, o + 4), get_le32(data, o + 12), get_le32(data, o + 20)
            s = lba * SECTOR + off
            if s + cl <= len(data) and cl <= SECTOR:
                _parse_su(data, s, s + cl, field, depth + 1)
        if sig == b'ST':
            return
        o += ln
