#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile-image tests for the isokit command-line tool.

Builds damaged and malicious ISO images at test time (byte by byte with
isobuild.py, or by damaging images made by xorriso/genisoimage) and runs the
tool on each of them:

    isokit ls -R IMG             isokit ls -l -R --json IMG
    isokit info --json IMG       isokit cat IMG PATH
    isokit extract IMG -C DIR    (DIR fresh, inside a watched sandbox)

every run with a 10 s timeout, and asserts:

  * no crash: the exit code is 0, 1 or 2 (not a signal, not a timeout) and
    stderr carries no "AddressSanitizer", "LeakSanitizer" or "runtime error:";
  * the expected exit code for hand-made cases (1 where the command has to
    meet the damage) and, on exit 1, that stderr names the image;
  * --json output is valid UTF-8 JSON when the exit code is 0;
  * containment: nothing outside DIR changes (the sandbox tree around DIR,
    the working directory of the tool and a canary file are snapshotted
    before and after), and no symlink extracted into DIR has had anything
    written through it;
  * bounded output and memory: every run has RLIMIT_FSIZE 256 MiB (an
    endless output or extraction dies of SIGXFSZ and is reported) and, in a
    plain build, RLIMIT_AS 2 GiB; under ASan, max_allocation_size_mb=1024
    turns any absurd allocation into a reported error.

Hand-made cases (hostile.py cases --list shows each with its expected exit
codes): good images (baseline, content compared), images cut at many points
(also with the volume size patched to the cut), directory loops (self, root,
mutual, reached twice, Rock Ridge CL, Joliet-only loops), CE loops and CEs
outside the image, extents and sizes past the end or absurd (files, dirs,
root, volume, path table, block size, boot catalog), zisofs damage (4 GiB
sizes, block sizes, pointer tables, a decompression bomb), malformed records
and SUSP entries, RR/Joliet/ISO names with '/', '..', '.', NUL, control
characters, symlinks out of DIR followed by a file or directory of the same
name (with and without --overwrite), PATH operands with '..', hard-link
families mixing a symlink and a file, duplicates, type confusion (PX vs ISO
flags, devices, FIFOs), volume descriptor damage, non-ISO input.

Sub-commands:
    hostile.py cases [--only NAME...] [--list]
    hostile.py mutations [--count N] [--seed S] [--only I...] [--jobs J]
    hostile.py gen OUTDIR                 write every case image (for debugging)
    hostile.py gen-mutation I OUT.iso     write mutation number I

Environment: ISOKIT (the binary), BUILDDIR (failing images are copied to
BUILDDIR/hostile-failures), HOSTILE_MUTATIONS (mutation count, default 2000),
HOSTILE_SEED, HOSTILE_JOBS, HOSTILE_TIMEOUT (seconds, default 10).
Exit status: 0 pass, 1 failures, 77 skipped (no binary).
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from isobuild import (  # noqa: E402
    SECTOR, Builder, CE, CEArea, CERef, Dir, ER, File, NM, PD, PN, PX, SL, SL_raw,
    SP, ST, Symlink, TF, ZF, both32, get_le32, le32, parse, put,
    put_both32, su_entry, zisofs_compress, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK,
    S_IFREG, S_IFSOCK, LazyInt,
)

TIMEOUT = float(os.environ.get('HOSTILE_TIMEOUT', '10'))
SANITIZER_MARKERS = ('AddressSanitizer', 'LeakSanitizer', 'runtime error:',
                     'MemorySanitizer', 'ThreadSanitizer')
OK, BAD, ANY = frozenset({0}), frozenset({1}), frozenset({0, 1})
CMDS = ('ls', 'lsjson', 'info', 'cat', 'extract', 'verify')
DAMAGE = frozenset({4})                    # verify: damage found


def expect(ls=ANY, lsjson=None, info=ANY, cat=ANY, extract=ANY, verify=None):
    """Allowed exit codes per command. verify's follow from the listing's:
    an image that lists cleanly may still carry damage elsewhere (0 or 4),
    one whose tree cannot be read must be reported as damaged (4) or, when
    it is not an image at all, as not checkable (1)."""
    if verify is None:
        verify = {OK: frozenset({0, 4}), BAD: frozenset({1, 4})}.get(ls, frozenset({0, 1, 4}))
    return {'ls': ls, 'lsjson': ls if lsjson is None else lsjson, 'info': info,
            'cat': cat, 'extract': extract, 'verify': verify}


GOOD = expect(OK, OK, OK, OK, OK, verify=OK)
SURVIVE = expect()
CORRUPT_ALL = expect(BAD, BAD, BAD, BAD, BAD)        # not readable at all
CORRUPT_TREE = expect(BAD, BAD, ANY, ANY, BAD)       # a directory is unusable
CORRUPT_DATA = expect(ANY, ANY, ANY, BAD, BAD)       # cat'ed file data is unusable
UNSAFE_NAME = expect(ANY, ANY, ANY, ANY, BAD)        # extraction must refuse a name

# ---------------------------------------------------------------- helpers

HELLO = b'hello world\n'
INNER = b''.join(b'inner line %05d\n' % i for i in range(400))       # 6400 bytes
ZDATA = b''.join(b'zisofs line %06d\n' % i for i in range(6000))     # ~108 KB
BIG = bytes((i * 7 + i // 256) & 0xFF for i in range(40000))


def find_isokit():
    cand = [os.environ.get('ISOKIT')]
    if os.environ.get('BUILDDIR'):
        cand.append(os.path.join(os.environ['BUILDDIR'], 'tools', 'isokit', 'isokit'))
    here = os.path.dirname(os.path.abspath(__file__))
    cand.append(os.path.join(here, '..', '..', 'build', 'tools', 'isokit', 'isokit'))
    for c in cand:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    return None


def is_sanitized(binary):
    try:
        with open(binary, 'rb') as f:
            blob = f.read()
    except OSError:
        return False
    return b'__asan_init' in blob or b'__ubsan_handle' in blob or b'__msan_init' in blob


class Context:
    """A worker's sandbox: a watched tree with the extraction DIRs inside."""

    def __init__(self, top, index):
        self.top = os.path.join(top, 'w%d' % index)
        self.out = os.path.join(self.top, 'out')      # images, stdout, stderr (not watched)
        self.jail = os.path.join(self.top, 'jail')
        self.sandbox = os.path.join(self.jail, 'l1', 'l2', 'l3', 'l4', 'sandbox')
        self.cwd = os.path.join(self.jail, 'cwd')
        self.outside = os.path.join(self.jail, 'outside')
        self.canary = os.path.join(self.jail, 'canary.txt')
        for d in (self.out, self.sandbox, self.cwd, self.outside):
            os.makedirs(d, exist_ok=True)
        with open(self.canary, 'wb') as f:
            f.write(b'canary: must never change\n')
        with open(os.path.join(self.outside, 'keep.txt'), 'wb') as f:
            f.write(b'outside DIR\n')
        self.canary_hash = sha(self.canary)
        self.counter = 0

    def new_dir(self):
        self.counter += 1
        d = os.path.join(self.sandbox, 'DIR%d' % self.counter)
        os.mkdir(d)
        return d

    def rel_to_jail_from_dir(self, depth=0):
        """Relative path from DIR (plus @depth levels) up to the jail."""
        rel = os.path.relpath(self.jail, os.path.join(self.sandbox, 'DIRx'))
        return '/'.join(['..'] * depth + [rel])


def iwalk(top, before=None):
    """os.walk without recursion (trees here can be thousands of levels deep).
    Yields (dirpath, dirnames, filenames); prune by editing dirnames. Symlinks
    to directories are listed in filenames and never followed. @before, if
    given, is called on each directory before it is listed."""
    stack = [top]
    while stack:
        d = stack.pop()
        if before:
            before(d)
        dirs, files = [], []
        try:
            with os.scandir(d) as it:
                for e in it:
                    try:
                        (dirs if e.is_dir(follow_symlinks=False) else files).append(e.name)
                    except OSError:
                        files.append(e.name)
        except OSError:
            continue
        yield d, dirs, files
        for name in reversed(dirs):
            stack.append(os.path.join(d, name))


def sha(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        h.update(f.read())
    return h.hexdigest()


def snapshot(root, exclude):
    """Everything under @root except @exclude: path -> (type, size, mtime, target, digest)."""
    snap = {}
    for dirpath, dirnames, filenames in iwalk(root):
        dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in exclude]
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            if p in exclude:
                continue
            try:
                st = os.lstat(p)
            except FileNotFoundError:
                continue
            tgt = os.readlink(p) if stat.S_ISLNK(st.st_mode) else None
            dig = None
            if stat.S_ISREG(st.st_mode) and st.st_size < (1 << 20):
                dig = sha(p)
            mt = st.st_mtime_ns if not stat.S_ISDIR(st.st_mode) else None
            snap[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), st.st_size if not stat.S_ISDIR(st.st_mode) else 0,
                                              mt, tgt, dig, stat.S_IMODE(st.st_mode))
        try:
            # a directory whose listing changed shows in its children; its own
            # mtime too (a file created and deleted again)
            st = os.lstat(dirpath)
            snap[os.path.relpath(dirpath, root) + '/.'] = ('dir-mtime', st.st_mtime_ns)
        except FileNotFoundError:
            pass
    return snap


def diff_snapshots(a, b):
    probs = []
    for k in sorted(set(a) | set(b)):
        if k not in a:
            probs.append('appeared outside DIR: %s' % k)
        elif k not in b:
            probs.append('vanished outside DIR: %s' % k)
        elif a[k] != b[k]:
            probs.append('changed outside DIR: %s' % k)
    return probs


def rmtree(path):
    """Remove a tree of any depth and any permissions, never following links."""
    if not os.path.lexists(path):
        return
    dirs = []
    for dirpath, dirnames, filenames in iwalk_fix(path):
        dirs.append(dirpath)
        for f in filenames:
            try:
                os.unlink(os.path.join(dirpath, f))
            except OSError:
                pass
    for d in reversed(dirs):
        try:
            os.rmdir(d)
        except OSError:
            pass
    if os.path.lexists(path):
        subprocess.run(['rm', '-rf', path], stderr=subprocess.DEVNULL)


def _make_accessible(d):
    try:
        os.chmod(d, 0o700)
    except OSError:
        pass


def iwalk_fix(top):
    """iwalk that first makes each directory readable and writable."""
    return iwalk(top, before=_make_accessible)


def tree_of(d):
    """Extracted tree: relpath -> ('f', bytes) | ('l', target) | ('d', None)."""
    out = {}
    for dirpath, dirnames, filenames in iwalk(d):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, d)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ('l', os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ('d', None)
            elif stat.S_ISREG(st.st_mode):
                with open(p, 'rb') as f:
                    out[rel] = ('f', f.read(1 << 22))
            else:
                out[rel] = ('other', stat.S_IFMT(st.st_mode))
    return out


def symlink_escapes(d, start_ns, jail):
    """Symlinks in DIR whose target lies outside the jail (the jail is
    covered by the snapshot) and had something written through it during the
    run: a target file modified, or a target directory holding a new entry
    named like something in DIR. Unrelated activity elsewhere (a busy /tmp)
    does not count."""
    probs = []
    links, names = [], set()
    for dirpath, dirnames, filenames in iwalk(d):
        for name in dirnames + filenames:
            names.add(name)
            p = os.path.join(dirpath, name)
            if os.path.islink(p):
                links.append((dirpath, p))
    for dirpath, p in links:
        tgt = os.path.normpath(os.path.join(dirpath, os.readlink(p)))
        if tgt == jail or tgt.startswith(jail + os.sep):
            continue
        try:
            st = os.stat(tgt)
        except OSError:
            continue
        hit = None
        if stat.S_ISREG(st.st_mode):
            if st.st_mtime_ns >= start_ns:
                hit = tgt
        elif stat.S_ISDIR(st.st_mode):
            try:
                children = os.listdir(tgt)[:20000]
            except OSError:
                children = []
            for c in children:
                if c not in names:
                    continue
                try:
                    cst = os.lstat(os.path.join(tgt, c))
                except OSError:
                    continue
                if cst.st_mtime_ns >= start_ns or cst.st_ctime_ns >= start_ns:
                    hit = os.path.join(tgt, c)
                    break
        if hit:
            probs.append('written through symlink %s -> %s: %s' % (os.path.relpath(p, d), tgt, hit))
    return probs


class Runner:
    def __init__(self, isokit):
        self.isokit = isokit
        self.env = dict(os.environ)
        self.sanitized = is_sanitized(isokit)
        if self.sanitized:
            # an absurd size must never turn into an absurd allocation
            prev = self.env.get('ASAN_OPTIONS', '')
            self.env['ASAN_OPTIONS'] = 'max_allocation_size_mb=1024:detect_leaks=1' + (':' + prev if prev else '')
            prev = self.env.get('UBSAN_OPTIONS', '')
            self.env['UBSAN_OPTIONS'] = 'print_stacktrace=1' + (':' + prev if prev else '')
        self.lock = threading.Lock()
        self.stats = {}  # (command, exit code) -> count

    def count(self, kind, rc):
        with self.lock:
            self.stats[(kind, rc)] = self.stats.get((kind, rc), 0) + 1

    def stats_line(self):
        kinds = sorted({k for k, _ in self.stats})
        return '; '.join('%s %s' % (k, ' '.join('%s:%d' % ('timeout' if rc is None else rc, n)
                                                 for (k2, rc), n in sorted(self.stats.items(), key=lambda t: str(t[0][1]))
                                                 if k2 == k)) for k in kinds)

    def run(self, args, ctx, tag):
        """Run isokit and count its exit code under @tag; return (rc or None on
        timeout, stdout bytes, stderr str, secs)."""
        outp = os.path.join(ctx.out, 'stdout.%s' % tag)
        errp = os.path.join(ctx.out, 'stderr.%s' % tag)
        t0 = time.monotonic()
        with open(outp, 'wb') as fo, open(errp, 'wb') as fe:
            try:
                p = subprocess.Popen([self.isokit] + args, stdin=subprocess.DEVNULL, stdout=fo,
                                     stderr=fe, cwd=ctx.cwd, env=self.env, start_new_session=True)
            except OSError as e:
                return -999, b'', 'cannot run: %s' % e, 0
            try:
                rc = p.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, 9)
                except OSError:
                    pass
                p.wait()
                rc = None
        dt = time.monotonic() - t0
        self.count(tag, rc)
        with open(outp, 'rb') as f:
            out = f.read(8 << 20)
        with open(errp, 'rb') as f:
            err = f.read(1 << 20).decode('utf-8', 'replace')
        os.unlink(outp)
        os.unlink(errp)
        return rc, out, err, dt


def limit_resources(sanitized):
    """Applied to this process, inherited by every isokit run."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        # nothing here needs files bigger than this; an unbounded output or
        # extraction dies with SIGXFSZ and is reported
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))
    except (ValueError, OSError):
        pass
    if not sanitized:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        except (ValueError, OSError):
            pass


def json_ok(out):
    try:
        text = out.decode('utf-8')
    except UnicodeDecodeError as e:
        return 'JSON output is not UTF-8 (%s)' % e
    try:
        json.loads(text)
        return None
    except ValueError:
        pass
    # JSON lines
    try:
        n = 0
        for line in text.splitlines():
            if line.strip():
                json.loads(line)
                n += 1
        if n:
            return None
    except ValueError as e:
        return 'invalid JSON output (%s): %r' % (e, text[:200])
    return 'empty JSON output'


def check_run(rc, err, dt, allowed, image, want_image_named):
    probs = []
    if rc is None:
        probs.append('hang: no exit within %g s' % TIMEOUT)
        return probs
    if rc < 0:
        probs.append('crash: killed by signal %d' % -rc)
    elif rc not in (0, 1, 2, 4):
        probs.append('crash: exit code %d' % rc)
    for m in SANITIZER_MARKERS:
        if m in err:
            probs.append('sanitizer report (%s)' % m)
            break
    if allowed is not None and rc is not None and rc >= 0 and rc in (0, 1, 2, 4) and rc not in allowed:
        probs.append('exit %d, expected %s' % (rc, '/'.join(str(x) for x in sorted(allowed))))
    if want_image_named and rc in (1, 4) and image not in err:
        probs.append('exit %d but stderr does not name the image: %r' % (rc, err[:300]))
    return probs

# ---------------------------------------------------------------- cases


class Case:
    def __init__(self, name, desc, image, exp, ns=('auto',), cat='/hello.txt',
                 extract_variants=([],), check=None, prepare=None, expect_ns=None,
                 cleanup=None, check_ns=None, cat_ns=None):
        self.name = name
        self.desc = desc
        self.image = image
        self.expect = exp
        self.ns = ns
        self.cat = cat
        self.extract_variants = extract_variants
        self.check = check          # fn(DIR, ctx, variant) -> [problems]
        self.prepare = prepare      # fn(DIR, ctx) before extract
        self.expect_ns = expect_ns or {}
        self.cleanup = cleanup
        self.check_ns = check_ns    # namespaces the check applies to (default: all)
        self.cat_ns = cat_ns or {}  # namespace -> path for cat


CASE_FUNCS = []


def case(fn):
    CASE_FUNCS.append(fn)
    return fn


def std_root(zisofs=True):
    """The standard tree; data laid out in this order, big.bin last."""
    z, zf = zisofs_compress(ZDATA)
    kids = [File('hello.txt', HELLO),
            Dir('sub', File('inner.txt', INNER), Dir('deeper', File('x', b'x\n'))),
            Symlink('link', 'sub/inner.txt')]
    if zisofs:
        kids.append(File('z.txt', z, extra_su=[zf]))
    kids.append(File('big.bin', BIG))
    return Dir('', *kids)


STD_FILES = {'hello.txt': HELLO, 'sub/inner.txt': INNER, 'sub/deeper/x': b'x\n',
             'z.txt': ZDATA, 'big.bin': BIG}


def node(root, path):
    n = root
    for part in path.strip('/').split('/'):
        n = next(c for c in n.children if c.name == part.encode())
    return n


def check_std(d, ctx, variant):
    if variant:
        return []
    t = tree_of(d)
    probs = []
    for p, data in STD_FILES.items():
        if t.get(p) != ('f', data):
            got = t.get(p)
            probs.append('extracted %s wrong: %s' % (p, 'missing' if got is None else
                                                    '%s of %d bytes' % (got[0], len(got[1] or b''))))
    if t.get('link') != ('l', 'sub/inner.txt'):
        probs.append('extracted link wrong: %r' % (t.get('link'),))
    return probs


def not_present(*names):
    """Check: files that must not exist in DIR after extraction (half-written)."""
    def chk(d, ctx, variant):
        probs = []
        for nm in names:
            p = os.path.join(d, nm)
            if os.path.lexists(p):
                probs.append('%s left behind in DIR after a failed extraction' % nm)
        return probs
    return chk


def std_image(**kw):
    root = std_root(kw.pop('zisofs', True))
    return root, Builder(root, **kw).build()


@case
def good_rr_joliet(ctx):
    """A clean image (RR + Joliet + El Torito + zisofs): every command succeeds,
    extraction restores files, zisofs content and the symlink."""
    root, img = std_image(boot=b'\xEB\xFE' + bytes(2046))
    yield Case('good-rr-joliet', good_rr_joliet.__doc__, img.bytes(), GOOD,
               ns=('auto', 'rockridge', 'joliet', 'iso9660'), check=check_std,
               check_ns=('auto', 'rockridge'), cat_ns={'iso9660': '/HELLO.TXT'})


@case
def good_plain(ctx):
    """A clean plain ISO 9660 image (no RR, no Joliet): every command succeeds."""
    img = std_image(rr=False, joliet=False, zisofs=False)[1]
    yield Case('good-plain', good_plain.__doc__, img.bytes(), GOOD, cat='/HELLO.TXT')


@case
def good_tools(ctx):
    """Clean images made by xorriso and genisoimage: every command succeeds
    and extraction matches the source tree."""
    for tool, img in tool_images(ctx).items():
        src = os.path.join(ctx.out, 'src')

        def chk(d, c, variant, src=src):
            if variant:
                return []
            probs = []
            for dirpath, _, files in os.walk(src):
                for f in files:
                    p = os.path.join(dirpath, f)
                    rel = os.path.relpath(p, src)
                    q = os.path.join(d, rel)
                    if os.path.islink(p):
                        if not os.path.islink(q) or os.readlink(q) != os.readlink(p):
                            probs.append('symlink %s not restored' % rel)
                    elif not os.path.isfile(q) or sha(q) != sha(p):
                        probs.append('file %s not restored' % rel)
            return probs
        yield Case('good-' + tool, good_tools.__doc__, img, GOOD, ns=('auto', 'joliet'),
                   cat='/hello.txt', check=chk, check_ns=('auto',))


_tool_cache = {}


def make_source_tree(src):
    if os.path.isdir(src):
        return
    os.makedirs(os.path.join(src, 'sub', 'deeper', 'a', 'b', 'c', 'd', 'e', 'f', 'g'))
    with open(os.path.join(src, 'hello.txt'), 'wb') as f:
        f.write(HELLO)
    with open(os.path.join(src, 'sub', 'inner.txt'), 'wb') as f:
        f.write(INNER)
    with open(os.path.join(src, 'big.txt'), 'wb') as f:
        f.write(ZDATA)
    with open(os.path.join(src, 'sub', 'deeper', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'deep.txt'), 'wb') as f:
        f.write(b'deep\n')
    with open(os.path.join(src, 'Ünïcödé ünd a rather long file name to need CE.txt'), 'wb') as f:
        f.write(b'unicode\n')
    os.symlink('sub/inner.txt', os.path.join(src, 'link'))
    os.symlink('../hello.txt', os.path.join(src, 'sub', 'up'))
    os.link(os.path.join(src, 'hello.txt'), os.path.join(src, 'hard.txt'))
    for dirpath, dirnames, filenames in os.walk(src):
        for n in dirnames + filenames + ['.']:
            os.utime(os.path.join(dirpath, n), (1700000000, 1700000000), follow_symlinks=False)


def tool_images(ctx):
    """Images made by the real tools (if installed), cached per run."""
    key = ctx.out
    if key in _tool_cache:
        return _tool_cache[key]
    src = os.path.join(ctx.out, 'src')
    make_source_tree(src)
    res = {}
    env = dict(os.environ, SOURCE_DATE_EPOCH='1700000000')
    xo = shutil.which('xorriso')
    if xo:
        out = os.path.join(ctx.out, 'xorriso.iso')
        r = subprocess.run([xo, '-outdev', out, '-padding', '0', '-joliet', 'on', '-rockridge', 'on',
                            '-map', src, '/', '-set_filter_r', '--zisofs', '/big.txt', '--',
                            '-boot_image', 'any', 'bin_path=/hello.txt',
                            '-boot_image', 'any', 'cat_path=/boot.cat', '-commit'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        if r.returncode == 0:
            with open(out, 'rb') as f:
                res['xorriso'] = f.read()
    gi = shutil.which('genisoimage')
    if gi:
        out = os.path.join(ctx.out, 'genisoimage.iso')
        r = subprocess.run([gi, '-quiet', '-no-pad', '-R', '-J', '-o', out, src],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        if r.returncode == 0:
            with open(out, 'rb') as f:
                res['genisoimage'] = f.read()
    _tool_cache[key] = res
    return res

# ---- cut images


@case
def cuts(ctx):
    """Images cut short: inside the system area, inside the PVD, inside the
    following descriptors, inside the root and a sub directory, inside file
    data (the file must not be left half-written in DIR) and at the last byte."""
    root, img = std_image(boot=b'\xEB\xFE' + bytes(2046))
    data = img.bytes()
    sub = node(root, 'sub')
    big = node(root, 'big.bin')
    z = node(root, 'z.txt')
    yield Case('cut-empty', 'an empty file', b'', CORRUPT_ALL)
    yield Case('cut-system-area', 'cut at 10 KiB', data[:10240], CORRUPT_ALL)
    yield Case('cut-in-pvd', 'cut inside the PVD', data[:16 * SECTOR + 1000], CORRUPT_ALL)
    yield Case('cut-after-pvd', 'cut inside the descriptor after the PVD',
               data[:17 * SECTOR + 500], CORRUPT_ALL)
    yield Case('cut-before-terminator', 'cut right before the terminator',
               data[:img.vd['term']], CORRUPT_ALL)
    r = img.lba[('iso', root)] * SECTOR
    yield Case('cut-in-root-dir', 'cut inside the root directory', data[:r + 300],
               expect(BAD, BAD, ANY, BAD, BAD))
    s = img.lba[('iso', sub)] * SECTOR
    yield Case('cut-in-subdir', 'cut inside /sub', data[:s + 200],
               expect(BAD, BAD, ANY, BAD, BAD), cat='/sub/inner.txt')
    zs = img.file_lba(z) * SECTOR
    yield Case('cut-in-zisofs', 'cut inside the zisofs stream of z.txt', data[:zs + 600],
               CORRUPT_DATA, cat='/z.txt', check=not_present('z.txt', 'big.bin'))
    b = img.file_lba(big) * SECTOR
    yield Case('cut-in-file-data', 'cut in the middle of big.bin', data[:b + 20000],
               CORRUPT_DATA, cat='/big.bin', check=not_present('big.bin'))
    yield Case('cut-last-byte', 'the last byte of big.bin missing', data[:b + len(BIG) - 1],
               CORRUPT_DATA, cat='/big.bin', check=not_present('big.bin'))
    # the same cuts with the volume space size patched down to the cut, so
    # that the image does not look truncated and the damage is met while
    # reading directories and data
    def vs_fixed(cut):
        b2 = bytearray(data[:cut])
        for key in ('pvd', 'svd'):
            if key in img.vd and img.vd[key] + 88 <= len(b2):
                put_both32(b2, img.vd[key] + 80, len(b2) // SECTOR)
        return bytes(b2)
    yield Case('cut-in-root-dir-vs', 'cut inside the root directory, volume size = cut',
               vs_fixed(r + 300), expect(BAD, BAD, ANY, BAD, BAD))
    yield Case('cut-in-subdir-vs', 'cut inside /sub, volume size = cut', vs_fixed(s + 200),
               expect(BAD, BAD, ANY, BAD, BAD), cat='/sub/inner.txt')
    yield Case('cut-in-zisofs-vs', 'cut inside the zisofs stream, volume size = cut',
               vs_fixed(zs + 600), CORRUPT_DATA, cat='/z.txt', check=not_present('z.txt', 'big.bin'))
    yield Case('cut-in-file-data-vs', 'cut in the middle of big.bin, volume size = cut',
               vs_fixed(b + 20000), CORRUPT_DATA, cat='/big.bin', check=not_present('big.bin'))
    yield Case('cut-last-byte-vs', 'the last byte of big.bin missing, volume size = cut',
               vs_fixed(b + len(BIG) - 1), CORRUPT_DATA, cat='/big.bin', check=not_present('big.bin'))
    for tool, tdata in tool_images(ctx).items():
        P = parse(tdata)
        yield Case('cut-%s-in-vds' % tool, 'cut inside the descriptors', tdata[:17 * SECTOR + 7],
                   CORRUPT_ALL)
        rootdir = min(e for t, e, s2, p in P.dirs if t == 'iso')
        yield Case('cut-%s-in-root' % tool, 'cut inside the root directory',
                   tdata[:rootdir * SECTOR + 100], expect(BAD, BAD, ANY, BAD, BAD))
        files = sorted((e, s2, p) for t, p, e, s2 in P.files if t == 'iso' and s2 > 4096)
        if files:
            e, s2, p = files[-1]
            yield Case('cut-%s-in-data' % tool, 'cut inside %s' % p, tdata[:e * SECTOR + s2 // 2],
                       expect(ANY, ANY, ANY, ANY, BAD))

# ---- loops


@case
def loops(ctx):
    """Directory loops: an entry pointing at its own directory, at the root,
    two directories pointing at each other, a directory reached twice, a
    Rock Ridge CL relocation loop, and loops inside the Joliet tree."""
    root = std_root()
    sub = node(root, 'sub')
    sub.add(Dir('self', alias=sub))
    yield Case('loop-self', 'sub/self points at sub', Builder(root).build().bytes(),
               CORRUPT_TREE, cat='/sub/self/self/inner.txt')

    root = std_root()
    node(root, 'sub/deeper').add(Dir('up', alias=root))
    yield Case('loop-to-root', 'sub/deeper/up points at the root', Builder(root).build().bytes(),
               CORRUPT_TREE, cat='/sub/deeper/up/hello.txt')

    root = std_root()
    root.add(Dir('r', alias=root))
    yield Case('loop-root-self', 'the root contains r pointing at the root',
               Builder(root, joliet=False).build().bytes(), CORRUPT_TREE)

    root = std_root()
    a = Dir('a')
    b = Dir('b', Dir('back', alias=a), File('f', b'f'))
    a.add(b)
    root.add(a)
    yield Case('loop-mutual', 'a/b/back points at a', Builder(root).build().bytes(), CORRUPT_TREE)

    root = std_root()
    root.add(Dir('twin', alias=sub_of(root)))
    yield Case('loop-dag', 'twin and sub are the same directory (reached twice)',
               Builder(root).build().bytes(), CORRUPT_TREE)

    # Rock Ridge CL pointing at the directory that holds the placeholder
    root = std_root()
    sub = node(root, 'sub')
    ph = File('moved', b'', extra_su=[LazyInt(lambda L, s=sub: L.lba[('iso', s)], b'CL')])
    sub.add(ph)
    yield Case('loop-cl-parent', 'RR CL in sub/moved points at sub', Builder(root).build().bytes(),
               CORRUPT_TREE, ns=('auto', 'rockridge'), cat='/sub/moved/moved/inner.txt')
    root = std_root()
    ph = File('moved', b'', extra_su=[LazyInt(lambda L, r=root: L.lba[('iso', r)], b'CL')])
    root.add(ph)
    yield Case('loop-cl-root', 'RR CL in /moved points at the root', Builder(root).build().bytes(),
               CORRUPT_TREE, ns=('auto', 'rockridge'))

    # Joliet: the loop is only in the Joliet tree
    root = std_root()
    jsub = node(root, 'sub')
    jsub.add(Dir('jloop', alias=root, in_iso=False))
    data = Builder(root).build().bytes()
    yield Case('loop-joliet-to-root', 'Joliet sub/jloop points at the Joliet root; the primary tree is clean',
               data, CORRUPT_TREE, ns=('joliet',), cat='/sub/jloop/sub/jloop/hello.txt')
    yield Case('loop-joliet-auto', 'same image, default namespace (Rock Ridge is clean)',
               data, SURVIVE)
    root = std_root()
    jd = Dir('jd')
    jd.add(Dir('again', alias=jd))
    root.add(jd)
    yield Case('loop-joliet-only', 'Joliet-only image, jd/again points at jd',
               Builder(root, rr=False).build().bytes(), CORRUPT_TREE, ns=('auto', 'joliet'))
    # Joliet directory pointing into the primary tree's root
    root = std_root()
    root.add(Dir('cross', in_iso=False, j_extent=lambda L, r=root: L.lba[('iso', r)],
                 j_size=SECTOR))
    yield Case('joliet-cross-tree', 'a Joliet directory pointing at the primary root',
               Builder(root).build().bytes(), SURVIVE, ns=('joliet',))

    # '..' records pointing down: a reader must not follow them
    root = std_root()
    img = Builder(root).build()
    deeper = node(root, 'sub/deeper')
    sub = node(root, 'sub')
    off = img.dot[('iso', sub)]
    dd = off + img.data[off]
    put_both32(img.data, dd + 2, img.lba[('iso', deeper)])
    yield Case('dotdot-points-down', "sub's '..' record points at sub/deeper",
               img.bytes(), SURVIVE)

    # deep chain beyond the default walk depth cap
    root = Dir('')
    cur = root
    for i in range(1100):
        nd = Dir('dd')
        cur.add(nd)
        cur = nd
    cur.add(File('bottom.txt', b'bottom\n'))
    root.add(File('hello.txt', HELLO))
    yield Case('deep-1100', '1100 nested directories', Builder(root, joliet=False).build().bytes(),
               SURVIVE)


def sub_of(root):
    return node(root, 'sub')

# ---- CE areas


@case
def ce_cases(ctx):
    """Continuation Areas: a CE pointing at itself (root '.' and a file
    record), two CEs pointing at each other, a CE outside the image, a CE area
    crossing the end of the image, absurd CE lengths, a long CE chain."""
    def build(root, areas, **kw):
        b = Builder(root, joliet=False, **kw)
        b.extra_areas = list(areas)
        return b.build().bytes()
    ROOT_DOT = [SP(), PX(S_IFDIR | 0o755, 2), TF()]

    root = std_root()
    a = CEArea([ER()])
    a.entries.append(CERef(a))
    root.dot_su = ROOT_DOT + [CERef(a)]
    yield Case('ce-root-self', "root '.' CE area ends with a CE pointing at itself",
               build(root, [a], er=False), CORRUPT_TREE, ns=('auto', 'rockridge'))

    root = std_root()
    a, b = CEArea([ER()]), CEArea([PD(8)])
    a.entries.append(CERef(b))
    b.entries.append(CERef(a))
    root.dot_su = ROOT_DOT + [CERef(a)]
    yield Case('ce-root-mutual', "root '.' CE areas A -> B -> A", build(root, [a, b], er=False),
               CORRUPT_TREE, ns=('auto', 'rockridge'))

    root = std_root()
    a = CEArea([NM(b'continued', 1)])
    a.entries.append(CERef(a))
    node(root, 'hello.txt').su = [PX(S_IFREG | 0o644), TF(), CERef(a)]
    yield Case('ce-file-self', 'hello.txt record: CE area (NM continuing) pointing at itself',
               build(root, [a]), CORRUPT_TREE, cat='/continued')

    root = std_root()
    a, b = CEArea([NM(b'hel', 1)]), CEArea([NM(b'lo', 1)])
    a.entries.append(CERef(b))
    b.entries.append(CERef(a))
    node(root, 'hello.txt').su = [PX(S_IFREG | 0o644), TF(), CERef(a)]
    yield Case('ce-file-mutual', 'hello.txt record: CE areas A -> B -> A, NM continuing forever',
               build(root, [a, b]), CORRUPT_TREE)

    root_lba = Builder(std_root(), joliet=False).build().lba
    root_lba = next(v for (t, n), v in root_lba.items() if t == 'iso' and n.name == b'')
    nblocks = Builder(std_root(), joliet=False).build().volume_blocks
    for nm, (lba, off, ln) in (
            ('ce-outside-image', (0x7FFFFFF0, 0, 64)),
            ('ce-lba-max', (0xFFFFFFFF, 2040, 8)),
            ('ce-length-huge', (root_lba, 0, 0xFFFFFFFF)),
            ('ce-offset-huge', (root_lba, 0xFFFFFF00, 64)),
            ('ce-crosses-block', (root_lba, 2000, 200)),
            ('ce-past-end', (nblocks - 1, 2000, 1000))):
        root = std_root()
        node(root, 'hello.txt').su = [PX(S_IFREG | 0o644), TF(), NM(b'hello.txt'), CE(lba, off, ln)]
        yield Case(nm, 'hello.txt record: CE (block %#x, offset %#x, length %#x)' % (lba, off, ln),
                   build(root, []), CORRUPT_TREE)

    root = std_root()
    root.dot_su = ROOT_DOT + [CE(0x00FFFFFF, 0, 237)]
    yield Case('ce-root-outside', "root '.' CE (meant for ER) outside the image",
               build(root, [], er=False), CORRUPT_TREE, ns=('auto', 'rockridge'))

    root = std_root()
    areas = [CEArea([PD(4)]) for _ in range(200)]
    for x, y in zip(areas, areas[1:]):
        x.entries.append(CERef(y))
    areas[-1].entries.append(NM(b'hello.txt'))
    node(root, 'hello.txt').su = [PX(S_IFREG | 0o644), TF(), CERef(areas[0])]
    yield Case('ce-chain-200', 'a chain of 200 CE areas (no loop)', build(root, areas), SURVIVE)


# ---- extents and sizes


@case
def extents(ctx):
    """Extents past the end of the image and absurd sizes: files, directories,
    the root, the volume, the path table and the boot catalog."""
    def patched(fn, rr=True, joliet=True, boot=None):
        root = std_root()
        img = Builder(root, rr=rr, joliet=joliet, boot=boot).build()
        fn(root, img)
        return img.bytes()

    yield Case('file-extent-past-end', 'hello.txt extent at block 0xFFFFFF',
               patched(lambda r, i: i.set_extent(node(r, 'hello.txt'), 0xFFFFFF)), CORRUPT_DATA,
               check=not_present('hello.txt'))
    yield Case('file-extent-max', 'hello.txt extent 0xFFFFFFFF (offset overflows 32 bits)',
               patched(lambda r, i: i.set_extent(node(r, 'hello.txt'), 0xFFFFFFFF)), CORRUPT_DATA,
               check=not_present('hello.txt'))
    yield Case('file-size-past-end', 'big.bin size runs 100000 bytes past the end',
               patched(lambda r, i: i.set_size(node(r, 'big.bin'), len(BIG) + 100000)),
               CORRUPT_DATA, cat='/big.bin', check=not_present('big.bin'))
    yield Case('file-size-4g', 'hello.txt size 0xFFFFFFFF',
               patched(lambda r, i: i.set_size(node(r, 'hello.txt'), 0xFFFFFFFF)), CORRUPT_DATA,
               check=not_present('hello.txt'))
    yield Case('file-size-4g-plain', 'hello.txt size 0xFFFFFFFF, plain ISO 9660',
               patched(lambda r, i: i.set_size(node(r, 'hello.txt'), 0xFFFFFFFF), rr=False,
                       joliet=False), CORRUPT_DATA, cat='/HELLO.TXT')
    yield Case('dir-extent-past-end', '/sub extent far outside the image',
               patched(lambda r, i: i.set_extent(node(r, 'sub'), 0x00FFFFF0)), CORRUPT_TREE,
               cat='/sub/inner.txt')
    yield Case('dir-size-huge', '/sub size 0xFFFFF800',
               patched(lambda r, i: i.set_size(node(r, 'sub'), 0xFFFFF800)), CORRUPT_TREE)
    yield Case('dir-size-4g', '/sub size 0xFFFFFFFF',
               patched(lambda r, i: i.set_size(node(r, 'sub'), 0xFFFFFFFF)), CORRUPT_TREE)
    yield Case('dir-size-zero', '/sub size 0', patched(lambda r, i: i.set_size(node(r, 'sub'), 0)),
               SURVIVE)
    yield Case('dir-size-odd', '/sub size 100 (not whole blocks)',
               patched(lambda r, i: i.set_size(node(r, 'sub'), 100)), SURVIVE)

    def dir_over_data(r, i):
        i.set_size(node(r, 'sub'), (i.volume_blocks - i.lba[('iso', node(r, 'sub'))]) * SECTOR)
    yield Case('dir-covers-data', '/sub size covers the rest of the image (file data read as records)',
               patched(dir_over_data), SURVIVE)

    def dir_is_file(r, i):
        i.set_extent(node(r, 'sub'), i.file_lba(node(r, 'big.bin')))
    yield Case('dir-extent-file-data', '/sub extent points at the data of big.bin',
               patched(dir_is_file), SURVIVE)

    def root_patch(field, val):
        def fn(r, i):
            put_both32(i.data, i.vd['pvd'] + 156 + field, val)
        return fn
    yield Case('root-extent-past-end', 'PVD root record extent past the end (no Joliet)',
               patched(root_patch(2, 0x00FFFFFF), joliet=False), expect(BAD, BAD, ANY, BAD, BAD))
    yield Case('root-size-4g', 'PVD root directory size 0xFFFFFFFF (no Joliet)',
               patched(root_patch(10, 0xFFFFFFFF), joliet=False), expect(BAD, BAD, ANY, ANY, BAD))
    yield Case('root-size-zero', 'PVD root directory size 0', patched(root_patch(10, 0), joliet=False),
               SURVIVE)
    yield Case('root-extent-zero', 'PVD root directory at block 0 (system area)',
               patched(root_patch(2, 0), joliet=False), SURVIVE)
    yield Case('root-extent-pvd', 'PVD root directory extent = the PVD block',
               patched(root_patch(2, 16), joliet=False), SURVIVE)

    def jroot(r, i):
        put_both32(i.data, i.vd['svd'] + 156 + 2, 0x7FFFFFFF)
    yield Case('joliet-root-past-end', 'Joliet root extent past the end', patched(jroot),
               expect(BAD, BAD, ANY, BAD, BAD), ns=('joliet',))

    def vd32(off, val, le_only=False):
        def fn(r, i):
            if le_only:
                put(i.data, i.vd['pvd'] + off, le32(val))
            else:
                put_both32(i.data, i.vd['pvd'] + off, val)
        return fn
    yield Case('volume-size-huge', 'volume space size 0xFFFFFFFF', patched(vd32(80, 0xFFFFFFFF)),
               SURVIVE)
    yield Case('volume-size-zero', 'volume space size 0', patched(vd32(80, 0)), SURVIVE)
    yield Case('volume-size-mismatch', 'volume space size halves disagree',
               patched(vd32(80, 0x12345678, le_only=True)), SURVIVE)
    yield Case('path-table-huge', 'path table size 0xFFFFFFFF at block 0xFFFFFF00',
               patched(lambda r, i: (vd32(132, 0xFFFFFFFF)(r, i),
                                     put(i.data, i.vd['pvd'] + 140, le32(0xFFFFFF00)))), SURVIVE)

    def blocksize(v):
        def fn(r, i):
            put(i.data, i.vd['pvd'] + 128, bytes([v & 0xFF, v >> 8, v >> 8, v & 0xFF]))
        return fn
    for v in (0, 1, 512, 0xFFFF):
        yield Case('block-size-%d' % v, 'logical block size %d' % v,
                   patched(blocksize(v), joliet=False), SURVIVE)

    boot = b'\xEB\xFE' + bytes(2046)

    def cat_lba(val):
        def fn(r, i):
            put(i.data, i.vd['boot'] + 71, le32(val))
        return fn
    yield Case('catalog-past-end', 'boot catalog at block 0xFFFFFFFF',
               patched(cat_lba(0xFFFFFFFF), boot=boot), SURVIVE)
    yield Case('catalog-at-zero', 'boot catalog at block 0',
               patched(cat_lba(0), boot=boot), SURVIVE)

    def cat_garbage(r, i):
        c = i.catalog_lba * SECTOR
        for k in range(1, 64):
            e = bytearray(32)
            e[0] = 0x90 if k % 2 else 0x88
            e[1] = 0xEF
            put(e, 2, b'\xFF\xFF')
            put(e, 6, b'\xFF\xFF')
            put(e, 8, le32(0xFFFFFFFF))
            put(i.data, c + 32 * k, e)
    yield Case('catalog-garbage', 'boot catalog full of section headers claiming 65535 entries',
               patched(cat_garbage, boot=boot), SURVIVE)

    def cat_last_block(r, i):
        # catalog in the last block: its entries would run past the end
        last = i.volume_blocks - 1
        c = bytearray(i.data[i.catalog_lba * SECTOR:(i.catalog_lba + 1) * SECTOR])
        for k in range(1, 64):
            put(c, 32 * k, c[32:64])
        put(i.data, last * SECTOR, c)
        put(i.data, i.vd['boot'] + 71, le32(last))
    yield Case('catalog-last-block', 'boot catalog of 64 entries in the last block',
               patched(cat_last_block, boot=boot), SURVIVE)

# ---- zisofs


def zisofs_case(name, desc, mutate, exp=CORRUPT_DATA, data=ZDATA, log2=15):
    z, zf = zisofs_compress(data, log2)
    z = bytearray(z)
    zf = bytearray(zf)
    mutate(z, zf)
    root = Dir('', File('hello.txt', HELLO), File('z.txt', bytes(z), extra_su=[bytes(zf)]))
    img = Builder(root, joliet=False).build()
    return Case(name, desc, img.bytes(), exp, cat='/z.txt', check=not_present('z.txt')
                if exp['extract'] == BAD else None)


@case
def zisofs_cases(ctx):
    """zisofs: huge uncompressed sizes (ZF and header), absurd block sizes,
    pointer tables running backwards or past the end, a decompression bomb in
    one block, a block larger than zlib's bound."""
    def zf_usize(v):
        def fn(z, zf):
            put(zf, 8, both32(v))
        return fn

    def hdr_usize(v):
        def fn(z, zf):
            put(z, 8, le32(v))
        return fn

    def both_usize(v):
        def fn(z, zf):
            zf_usize(v)(z, zf)
            hdr_usize(v)(z, zf)
        return fn
    yield zisofs_case('zisofs-usize-4g', 'ZF and header say 0xFFFFFFFF bytes', both_usize(0xFFFFFFFF))
    yield zisofs_case('zisofs-zf-usize-4g', 'ZF says 0xFFFFFFFF bytes, header is right',
                      zf_usize(0xFFFFFFFF), SURVIVE)
    yield zisofs_case('zisofs-hdr-usize-4g', 'header says 0xFFFFFFFF bytes, ZF is right',
                      hdr_usize(0xFFFFFFFF), SURVIVE)

    def log2(v):
        def fn(z, zf):
            zf[7] = v
            z[13] = v
        return fn
    for v in (0, 1, 14, 18, 31, 255):
        yield zisofs_case('zisofs-log2-%d' % v, 'block size 2^%d' % v, log2(v), SURVIVE if v in (14, 18) else CORRUPT_DATA)

    def hdr_size(v):
        def fn(z, zf):
            zf[6] = v
            z[12] = v
        return fn
    yield zisofs_case('zisofs-hdrsize-0', 'header size 0', hdr_size(0), SURVIVE)
    yield zisofs_case('zisofs-hdrsize-255', 'header size 1020 bytes', hdr_size(255), SURVIVE)

    def ptr(k, v):
        def fn(z, zf):
            put(z, 16 + 4 * k, le32(v))
        return fn
    yield zisofs_case('zisofs-ptr-backwards', 'block pointer 2 smaller than pointer 1',
                      ptr(2, 20))
    yield zisofs_case('zisofs-ptr-past-end', 'last block pointer 0xFFFFFFF0',
                      ptr(4, 0xFFFFFFF0))
    yield zisofs_case('zisofs-ptr-huge-block', 'block 1 is 1 MiB long (beyond zlib bound)',
                      ptr(2, 0x100000))
    yield zisofs_case('zisofs-ptr-zero', 'first pointer 0 (points into the header)', ptr(0, 0))

    def bomb(z, zf):
        # block 0 inflates to 1 MiB although blocks are 32 KiB
        import zlib
        blob = zlib.compress(bytes(1 << 20), 9)
        nptr = (len(ZDATA) + 32767) // 32768 + 1
        start = 16 + 4 * nptr
        old0, old1 = get_le32(z, 16), get_le32(z, 20)
        body = bytes(z[:start]) + blob + bytes(z[old1:])
        delta = len(blob) - (old1 - old0)
        z[:] = body
        for k in range(1, nptr):
            put(z, 16 + 4 * k, le32(get_le32(z, 16 + 4 * k) + delta))
    yield zisofs_case('zisofs-bomb', 'block 0 inflates to 1 MiB (block size 32 KiB)', bomb)

    def garbage_stream(z, zf):
        for k in range(200, 260):
            z[k] ^= 0x5A
    yield zisofs_case('zisofs-bad-deflate', 'corrupt deflate data in block 0', garbage_stream)

    def short_table(z, zf):
        del z[20:]
    yield zisofs_case('zisofs-truncated-table', 'stored data ends inside the pointer table',
                      short_table)
    # pointer table announcing 2^32/2^15 blocks in a tiny file
    yield zisofs_case('zisofs-small-file-huge-size', 'a 5-byte file claiming 4 GiB',
                      both_usize(0xFFFFFFFF), data=b'tiny\n')
    # ZF on a directory and on a symlink
    root = std_root()
    node(root, 'sub').extra_su = [ZF(1 << 30)]
    node(root, 'link').extra_su = [ZF(1 << 30)]
    yield Case('zisofs-zf-on-dir-link', 'ZF entries on a directory and a symlink',
               Builder(root, joliet=False).build().bytes(), SURVIVE)
    # unknown algorithm
    yield zisofs_case('zisofs-alg-unknown', "ZF algorithm 'xx'",
                      lambda z, zf: put(zf, 4, b'xx'), SURVIVE)

# ---- records and SUSP entries


@case
def record_cases(ctx):
    """Malformed directory records and SUSP entries: lengths too small or too
    large, identifiers running out of their record, records straddling a
    block, zero- and over-long SUSP entries, truncated PX/TF/SL/NM, multi-
    extent chains that never end."""
    def patched(fn, joliet=False):
        root = std_root()
        img = Builder(root, joliet=joliet).build()
        fn(root, img)
        return img.bytes()

    def rec_byte(path, off, val):
        def fn(r, i):
            i.data[i.rec_off(node(r, path)) + off] = val
        return fn
    yield Case('record-len-small', 'hello.txt record length 20',
               patched(rec_byte('hello.txt', 0, 20)), expect(BAD, BAD, ANY, ANY, BAD))
    yield Case('record-len-1', 'hello.txt record length 1',
               patched(rec_byte('hello.txt', 0, 1)), expect(BAD, BAD, ANY, ANY, BAD))
    yield Case('record-len-odd', 'hello.txt record length odd (+1)',
               patched(lambda r, i: i.data.__setitem__(i.rec_off(node(r, 'hello.txt')),
                                                       i.data[i.rec_off(node(r, 'hello.txt'))] + 1)),
               SURVIVE)
    yield Case('record-lenfi-overrun', 'hello.txt identifier length 250 (beyond the record)',
               patched(rec_byte('hello.txt', 32, 250)), SURVIVE)
    yield Case('record-lenfi-zero', 'hello.txt identifier length 0',
               patched(rec_byte('hello.txt', 32, 0)), SURVIVE)
    yield Case('record-xa-255', 'extended attribute record length 255',
               patched(rec_byte('hello.txt', 1, 255)), SURVIVE)
    yield Case('record-interleaved', 'file unit size 1, gap 1',
               patched(lambda r, i: (rec_byte('big.bin', 26, 1)(r, i), rec_byte('big.bin', 27, 1)(r, i))),
               SURVIVE, cat='/big.bin')
    yield Case('record-flags-all', 'all flag bits set on hello.txt',
               patched(rec_byte('hello.txt', 25, 0xFF)), SURVIVE)

    def straddle(r, i):
        # the last record of the root's first block claims to run past the block
        o = start = i.lba[('iso', r)] * SECTOR
        last = o
        while o < start + SECTOR and i.data[o]:
            last = o
            o += i.data[o]
        i.data[last] = min(254, start + SECTOR - last + 20) & 0xFE
    root = Dir('', File('hello.txt', HELLO), *[File('file%02d.txt' % k, b'%d' % k) for k in range(40)])
    img = Builder(root, joliet=False).build()
    straddle(root, img)
    yield Case('record-straddles-block', 'the last record of a full root block runs past the block',
               img.bytes(), SURVIVE)

    def fill_dir(r, i):
        # first record of sub claims 255, the rest of the block is garbage
        o = i.lba[('iso', node(r, 'sub'))] * SECTOR
        for k in range(o, o + SECTOR):
            i.data[k] = 0xFF
    yield Case('dir-block-garbage', '/sub is a block of 0xFF bytes', patched(fill_dir), CORRUPT_TREE)

    def su_entry_case(name, desc, entries, exp=SURVIVE, target='hello.txt', keep_nm=True):
        root = std_root()
        n = node(root, target)
        base = [PX(S_IFREG | 0o644), TF()] + ([NM(n.name)] if keep_nm else [])
        n.su = base + entries
        return Case(name, desc, Builder(root, joliet=False).build().bytes(), exp, cat='/' + target)

    yield su_entry_case('su-len-zero', 'SUSP entry with length 0', [su_entry(b'XX', b'', length=0) + bytes(8)])
    yield su_entry_case('su-len-3', 'SUSP entry with length 3', [su_entry(b'XX', b'', length=3) + bytes(8)])
    yield su_entry_case('su-len-past-record', 'NM entry whose length runs past the record',
                        [su_entry(b'NM', b'\x00abc', length=200)], keep_nm=False)
    yield su_entry_case('su-px-short', 'PX entry of 8 bytes', [su_entry(b'PX', b'\x00' * 4)])
    yield su_entry_case('su-tf-short', 'TF claiming 7 stamps in 5 bytes', [su_entry(b'TF', b'\x7F')])
    yield su_entry_case('su-tf-long-garbage', 'TF long form with garbage digits',
                        [su_entry(b'TF', b'\x86' + b'\xFF' * 34)])
    yield su_entry_case('su-tf-dates-extreme', 'TF stamps with year 255, month 13, offset -128',
                        [su_entry(b'TF', b'\x0E' + bytes([255, 13, 40, 25, 61, 61, 0x80]) * 3)])
    yield su_entry_case('su-sl-on-file', 'SL on a regular file', [SL('../../../../etc/passwd')])
    yield su_entry_case('su-nm-continue-forever', 'NM with CONTINUE and nothing after',
                        [NM(b'abc', 1)], keep_nm=False)
    yield su_entry_case('su-nm-twice', 'two complete NM entries', [NM(b'second')])
    yield su_entry_case('su-nm-flags-current', "NM with the CURRENT flag ('.')",
                        [NM(b'', 0x02)], keep_nm=False)
    yield su_entry_case('su-nm-flags-parent', "NM with the PARENT flag ('..')",
                        [NM(b'', 0x04)], keep_nm=False)
    yield su_entry_case('su-nm-flags-all', 'NM with every flag bit', [NM(b'x', 0xFF)], keep_nm=False)
    yield su_entry_case('su-st-first', 'ST as the first entry', [ST(), NM(b'after-st')])
    yield su_entry_case('su-er-garbage', 'ER with lengths beyond the entry',
                        [su_entry(b'ER', bytes([200, 200, 200, 1]) + b'RRIP')])
    yield su_entry_case('su-pn-on-file', 'PN on a regular file', [PN(0xFFFFFFFF, 0xFFFFFFFF)])
    yield su_entry_case('su-pd-huge', 'PD of 200 bytes (padding)', [PD(196)])
    yield su_entry_case('su-sp-not-root', 'SP entry in a file record', [SP(255)])
    yield su_entry_case('su-re-on-file', 'RE on a plain file (would hide it)', [su_entry(b'RE', b'')])

    # SP skip bytes
    for skip in (1, 200, 255):
        root = std_root()
        yield Case('sp-skip-%d' % skip, 'SP LEN_SKP %d' % skip,
                   Builder(root, joliet=False, sp_skip=skip).build().bytes(), SURVIVE)
    # RR entries without SP
    root = std_root()
    root.dot_su = [PX(S_IFDIR | 0o755, 2), TF()]
    yield Case('rr-without-sp', "RR entries present but no SP in root '.'",
               Builder(root, joliet=False, er=False).build().bytes(), SURVIVE)
    # SP with wrong check bytes
    root = std_root()
    root.dot_su = [su_entry(b'SP', b'\xBE\xEE\x00'), PX(S_IFDIR | 0o755, 2), TF()]
    yield Case('sp-bad-magic', 'SP check bytes BE EE', Builder(root, joliet=False, er=False).build().bytes(),
               SURVIVE)

    # multi-extent
    root = Dir('', File('hello.txt', HELLO), File('multi', b'', sections=[b'A' * SECTOR, b'B' * SECTOR, b'C' * 100]))
    yield Case('multiextent-good', 'a file in 3 sections (valid)', Builder(root, joliet=False).build().bytes(),
               GOOD, cat='/multi')
    root = Dir('', File('hello.txt', HELLO), File('zmulti', b'', sections=[b'A' * SECTOR, b'B' * SECTOR]))
    img = Builder(root, joliet=False).build()
    mn = node(root, 'zmulti')
    # make the final section claim "more follows": the chain runs off the directory
    o = img.rec_off(mn)
    o2 = o + img.data[o]
    img.data[o2 + 25] |= 0x80
    yield Case('multiextent-unterminated', 'the last section still says "more follows"', img.bytes(),
               SURVIVE, cat='/zmulti')
    root = Dir('', File('hello.txt', HELLO),
               File('many', b'', sections=[bytes([65 + k % 26]) * SECTOR for k in range(300)]))
    yield Case('multiextent-300', 'a file in 300 sections', Builder(root, joliet=False).build().bytes(),
               SURVIVE, cat='/many')
    root = Dir('', File('hello.txt', HELLO), File('mx', b'', sections=[b'A' * SECTOR, b'B' * 10]))
    img = Builder(root, joliet=False).build()
    mn = node(root, 'mx')
    o = img.rec_off(mn)
    put_both32(img.data, o + 10, 0xFFFFFFFF)
    yield Case('multiextent-4g-section', 'first section size 0xFFFFFFFF', img.bytes(), CORRUPT_DATA,
               cat='/mx')

# ---- names


def name_case(name, desc, evil, ns='auto', exp=UNSAFE_NAME, kind='file', check=None):
    root = std_root()
    if ns == 'joliet':
        n = File('evil', b'EVIL CONTENT\n') if kind == 'file' else Dir('evil', File('inside', b'EVIL\n'))
        n.joliet_name = evil
        n.in_iso = True
        root.add(n)
        data = Builder(root).build().bytes()
        return Case(name, desc, data, exp, ns=('joliet',), check=check)
    n = File(evil, b'EVIL CONTENT\n') if kind == 'file' else Dir(evil, File('inside', b'EVIL\n'))
    root.add(n)
    data = Builder(root).build().bytes()
    return Case(name, desc, data, exp, ns=('auto', 'rockridge'), check=check)


def absent_in_dir(*paths):
    def chk(d, ctx, variant):
        return ['%s must not have been created' % p for p in paths if os.path.lexists(os.path.join(d, p))]
    return chk


@case
def name_cases(ctx):
    """Rock Ridge NM and Joliet names containing '/', '..', '.', NUL,
    traversal sequences, control characters, invalid UTF-8 or UTF-16, empty
    names and names longer than NAME_MAX."""
    for ns in ('rr', 'joliet'):
        j = ns == 'joliet'

        def enc(s):
            return s.encode('utf-16-be') if j else s.encode('utf-8', 'surrogatepass')
        nsarg = 'joliet' if j else 'auto'
        yield name_case('%s-name-slash' % ns, 'a file named "a/b"', enc('a/b'), nsarg,
                        check=absent_in_dir('a/b'))
        yield name_case('%s-name-dotdot' % ns, 'a file named ".."', enc('..'), nsarg)
        yield name_case('%s-name-dot' % ns, 'a file named "."', enc('.'), nsarg)
        yield name_case('%s-name-nul' % ns, 'a file named "a\\0b"', enc('a\x00b'), nsarg,
                        check=absent_in_dir('a'))
        yield name_case('%s-name-traversal' % ns, 'a file named "../../escape"',
                        enc('../../escape'), nsarg)
        yield name_case('%s-name-abs' % ns, 'a file named "/abs"', enc('/abs'), nsarg)
        yield name_case('%s-dir-dotdot' % ns, 'a directory named ".." holding a file',
                        enc('..'), nsarg, kind='dir')
        yield name_case('%s-dir-slash-traversal' % ns, 'a directory named "../../.." holding a file',
                        enc('../../..'), nsarg, kind='dir')
        yield name_case('%s-name-empty' % ns, 'an empty name', b'', nsarg, exp=SURVIVE)
        yield name_case('%s-name-control' % ns, 'a name with newline and escape sequences',
                        enc('a\nb\x1b[31mred\x07'), nsarg, exp=SURVIVE)
        yield name_case('%s-name-long' % ns, 'a name longer than NAME_MAX (RR) / 64 chars (Joliet)',
                        enc('L' * (110 if j else 1000)), nsarg, exp=SURVIVE)
    yield name_case('rr-name-invalid-utf8', 'NM bytes FF FE 80 (not UTF-8)', b'\xFF\xFE\x80x', exp=SURVIVE)
    yield name_case('joliet-name-surrogate', 'unpaired UTF-16 surrogate', b'\xD8\x00\x00x', 'joliet',
                    exp=SURVIVE)
    yield name_case('joliet-name-odd-length', 'Joliet identifier of 3 bytes', b'\x00a\x00', 'joliet',
                    exp=SURVIVE)
    yield name_case('joliet-name-backslash', 'Joliet name with a backslash', 'a\\b'.encode('utf-16-be'),
                    'joliet', exp=SURVIVE)
    # plain ISO 9660 identifiers with '/' and '..'
    root = std_root(zisofs=False)
    root.add(File('x', b'EVIL\n', iso_name=b'../../ESCAPE.;1'))
    root.add(File('y', b'EVIL\n', iso_name=b'A/B.;1'))
    root.add(File('z', b'EVIL\n', iso_name=b'..'))
    yield Case('iso-name-traversal', 'ISO 9660 identifiers "../../ESCAPE.;1", "A/B.;1", ".."',
               Builder(root, rr=False, joliet=False).build().bytes(), UNSAFE_NAME, ns=('iso9660',),
               cat='/HELLO.TXT')
    # a NM name of 1000 bytes through a CE chain built by the builder, as a directory
    root = std_root()
    root.add(Dir('D' * 300, File('f', b'f\n')))
    yield Case('rr-dirname-300', 'a directory name of 300 bytes holding a file',
               Builder(root).build().bytes(), SURVIVE)

# ---- symlinks


@case
def symlink_cases(ctx):
    """Symlinks leading out of DIR (absolute into the sandbox, relative
    '../..' chains, /etc, the canary) followed by a directory or file of the
    same name, so that a careless extractor writes through the link; also
    names containing '/' that go through a link, and pre-existing links in DIR
    with --overwrite. Nothing may appear outside DIR."""
    up = ctx.rel_to_jail_from_dir()
    outside = ctx.outside
    variants = ([], ['--overwrite'])

    def mk(name, desc, kids, exp=UNSAFE_NAME, extra_variants=(), check=None, joliet=False):
        root = std_root()
        root.sort = False
        root.children = [c for c in root.children] + kids
        data = Builder(root, joliet=joliet).build().bytes()
        return Case(name, desc, data, exp, ns=('auto',), extract_variants=variants + tuple(extra_variants),
                    check=check)
    yield mk('sl-abs-then-dir', 'a -> <sandbox>/outside, then directory a/ with f',
             [Symlink('a', outside), Dir('a', File('f', b'ESCAPED\n'))], extra_variants=(['a/f'],))
    yield mk('sl-rel-then-dir', 'a -> %s/outside, then directory a/ with f' % up,
             [Symlink('a', up + '/outside'), Dir('a', File('f', b'ESCAPED\n'))], extra_variants=(['a/f'],))
    yield mk('sl-dotdot2-then-dir', 'a -> ../../x, then directory a/ with f',
             [Symlink('a', '../../x'), Dir('a', File('f', b'ESCAPED\n'))])
    yield mk('sl-abs-then-file', 'a -> <sandbox>/outside/newfile, then file a',
             [Symlink('a', outside + '/newfile'), File('a', b'ESCAPED\n')])
    yield mk('sl-rel-then-file', 'a -> ../outside-file, then file a',
             [Symlink('a', '../outside-file'), File('a', b'ESCAPED\n')])
    yield mk('sl-canary-then-file', 'c -> <canary>, then file c (must not overwrite the canary)',
             [Symlink('c', ctx.canary), File('c', b'PWNED\n')])
    yield mk('sl-tmp-then-dir', 'a -> /tmp/<unique>, then directory a/ with f',
             [Symlink('a', ctx.tmp_target), Dir('a', File('f', b'ESCAPED\n'))])
    yield mk('sl-chain', 'l1 -> l2, l2 -> %s, then l1/ with f' % up,
             [Symlink('l1', 'l2'), Symlink('l2', up), Dir('l1', File('f', b'ESCAPED\n'))])
    yield mk('sl-dot-then-dir', 'a -> ., then a/ with f', [Symlink('a', '.'), Dir('a', File('f', b'f\n'))],
             exp=SURVIVE)
    yield mk('sl-in-subdir', 'sub2/up -> ../../.., then sub2/up/ with f',
             [Dir('sub2', Symlink('up', '../../..'), Dir('up', File('f', b'ESCAPED\n')))])
    yield mk('sl-then-slash-name', 'a -> <sandbox>/outside, then a file named "a/f"',
             [Symlink('a', outside), File('a/f', b'ESCAPED\n')], extra_variants=(['a/f'],))
    yield mk('sl-dir-then-sl', 'directory a/ with f, then a -> <sandbox>/outside, then a/ again with g',
             [Dir('a', File('f', b'f\n')), Symlink('a', outside), Dir('a', File('g', b'ESCAPED\n'))])
    yield mk('sl-etc', 'etc -> /etc only (a plain absolute link, valid)',
             [Symlink('etc', '/etc')], exp=expect(OK, OK, OK, OK, OK),
             check=lambda d, c, v: [] if v or os.readlink(os.path.join(d, 'etc')) == '/etc'
             else ['etc link not restored'])
    yield mk('sl-etc-then-dir', 'etc -> /etc, then etc/ with a uniquely named file',
             [Symlink('etc', '/etc'), Dir('etc', File(os.path.basename(ctx.etc_target), b'ESCAPED\n'))])
    # components that are not plain: ROOT in the middle, '..' flags, garbage flags
    yield mk('sl-weird-components', 'SL with ROOT in the middle, flags 0xFF, a length past the entry',
             [Node_with_su('w1', S_IFLNK | 0o777, [SL_raw(bytes([0, 1]) + b'a' + bytes([0x08, 0]) + bytes([0x04, 0]))]),
              Node_with_su('w2', S_IFLNK | 0o777, [SL_raw(bytes([0xFF, 3]) + b'abc')]),
              Node_with_su('w3', S_IFLNK | 0o777, [SL_raw(bytes([0, 200]) + b'abc')]),
              Node_with_su('w4', S_IFLNK | 0o777, [SL_raw(b'')]),
              Node_with_su('w5', S_IFLNK | 0o777, [SL('a', flags=1)])], exp=SURVIVE)
    yield mk('sl-long-target', 'a symlink target of 5000 bytes (several SL entries, CE)',
             [Symlink('long', '/'.join(['x' * 200] * 25))], exp=SURVIVE)
    # a pre-existing symlink in DIR (left by an earlier extraction): --overwrite must replace it
    root = std_root()
    data = Builder(root).build().bytes()

    def prep(d, c):
        os.symlink(c.canary, os.path.join(d, 'hello.txt'))
        os.symlink(c.outside, os.path.join(d, 'sub'))

    def chk(d, c, variant):
        if '--overwrite' not in variant:
            return []
        p = os.path.join(d, 'hello.txt')
        if os.path.islink(p) or not os.path.isfile(p) or sha(p) != hashlib.sha256(HELLO).hexdigest():
            return ['--overwrite did not replace the symlink hello.txt by the file']
        return []
    yield Case('overwrite-existing-symlink', 'DIR already has hello.txt -> canary and sub -> outside',
               data, expect(OK, OK, OK, OK, ANY), extract_variants=([], ['--overwrite']),
               prepare=prep, check=chk)


@case
def path_operand_cases(ctx):
    """PATH operands of extract and cat that try to leave the image's tree
    or DIR ('..', absolute, through a symlink), hard-link families (RRIP 1.12
    PX serial numbers) mixing a symlink to the canary with a regular file,
    and a directory of 5000 entries."""
    root = std_root()
    data = Builder(root).build().bytes()
    yield Case('extract-path-dotdot', 'extract with PATH operands ../../x, /../../hello.txt, sub/../../..',
               data, expect(OK, OK, OK, ANY, ANY), cat='/../../hello.txt',
               extract_variants=(['../../x'], ['/../../hello.txt'], ['sub/../../..'], ['sub/../sub/inner.txt'],
                                 ['link'], ['link/..']))
    # hard-link family: symlink c -> canary and a file with the same serial
    for order in ('link-first', 'file-first'):
        root = std_root()
        root.sort = False
        lnk = Symlink('c', ctx.canary, ino=4242)
        f = File('d', b'PWNED\n', ino=4242)
        root.children += [lnk, f] if order == 'link-first' else [f, lnk]
        yield Case('hardlink-symlink-%s' % order,
                   'PX serial shared by c -> <canary> and a file d (%s)' % order,
                   Builder(root).build().bytes(), SURVIVE, extract_variants=([], ['--overwrite']))
    root = std_root()
    root.sort = False
    dd = Dir('dd', File('in', b'in\n'))
    dd.ino = 777
    root.children += [dd, File('ff', b'FILE\n', ino=777), File('gg', b'FILE2\n', ino=777)]
    yield Case('hardlink-dir-file', 'PX serial shared by a directory and two files',
               Builder(root).build().bytes(), SURVIVE, extract_variants=([], ['--overwrite']))
    # a wide directory: 5000 zero-length files (plain names, one shared extent)
    kids = [File('f%05d' % k, b'', iso_name=b'F%05d.;1' % k) for k in range(5000)]
    root = Dir('', File('hello.txt', HELLO), Dir('wide', *kids))
    yield Case('wide-5000', 'a directory of 5000 empty files', Builder(root, rr=False, joliet=False).build().bytes(),
               SURVIVE, cat='/HELLO.TXT')


def Node_with_su(name, mode, su_extra):
    n = Symlink(name, 'unused')
    n.su = [PX(mode), TF(), NM(name.encode())] + su_extra
    return n

# ---- duplicates and type confusion


@case
def dup_cases(ctx):
    """Duplicated names (file/file, dir/dir, file/dir, in Rock Ridge and in
    Joliet) and type confusion between ISO flags and PX modes, device nodes,
    FIFOs and sockets (extraction must not block on a FIFO)."""
    def mk(name, desc, kids, exp=SURVIVE, check=None, ns=('auto',), rr=True):
        root = std_root()
        root.sort = False
        root.children += kids
        return Case(name, desc, Builder(root, rr=rr).build().bytes(), exp, ns=ns, check=check,
                    extract_variants=([], ['--overwrite']))

    def one_of(path, *contents):
        def chk(d, c, variant):
            p = os.path.join(d, path)
            if not os.path.lexists(p):
                return []
            if os.path.islink(p) or not os.path.isfile(p):
                return []
            with open(p, 'rb') as f:
                got = f.read()
            return [] if got in contents else ['%s holds a mix of the duplicates (%d bytes)' % (path, len(got))]
        return chk
    A, B = b'A' * 5000, b'B' * 3000
    yield mk('dup-files', 'two files named "same"', [File('same', A), File('same', B)],
             check=one_of('same', A, B))
    yield mk('dup-dirs', 'two directories named "d"', [Dir('d', File('x', b'x')), Dir('d', File('y', b'y'))])
    yield mk('dup-file-dir', 'file "d" then directory "d"', [File('d', A), Dir('d', File('x', b'x'))])
    yield mk('dup-dir-file', 'directory "d" then file "d"', [Dir('d', File('x', b'x')), File('d', A)])
    yield mk('dup-joliet', 'two Joliet files named "same"', [File('same', A), File('same', B)],
             ns=('joliet',), check=one_of('same', A, B))
    yield mk('dup-hello', 'a second hello.txt (empty)', [File('hello.txt', b'')],
             check=one_of('hello.txt', HELLO, b''))

    def with_mode(name, mode, kind='file', extra=()):
        n = File(name, b'DATA' * 100) if kind == 'file' else Dir(name, File('in', b'in'))
        n.mode = mode
        n.extra_su = list(extra)
        return n
    yield mk('px-dir-on-file', 'a file record whose PX says directory', [with_mode('f', S_IFDIR | 0o755)])
    yield mk('px-file-on-dir', 'a directory record whose PX says regular file', [with_mode('d', S_IFREG | 0o644, 'dir')])
    yield mk('px-link-without-sl', 'PX says symlink but there is no SL', [with_mode('l', S_IFLNK | 0o777)])
    yield mk('px-chardev', 'character device 1:3 with data', [with_mode('null', S_IFCHR | 0o666, extra=[PN(0, 0x103)])])
    yield mk('px-blockdev-huge', 'block device with PN 0xFFFFFFFF:0xFFFFFFFF',
             [with_mode('blk', S_IFBLK | 0o600, extra=[PN(0xFFFFFFFF, 0xFFFFFFFF)])])
    yield mk('px-fifo', 'a FIFO with data (extraction must not open it and block)', [with_mode('fifo', S_IFIFO | 0o644)])
    yield mk('px-socket', 'a socket', [with_mode('sock', S_IFSOCK | 0o644)])
    yield mk('px-mode-garbage', 'PX mode 0xFFFFFFFF', [with_mode('g', 0xFFFFFFFF)])
    yield mk('px-mode-zero', 'PX mode 0 (no type, no permissions) on a dir with a file',
             [with_mode('z', 0, 'dir')])
    yield mk('px-setuid', 'setuid root file', [with_mode('suid', S_IFREG | 0o6755)])
    yield mk('px-nlink-huge', 'PX nlink 0xFFFFFFFF, uid/gid 0xFFFFFFFF',
             [File('n', b'n', su=[PX(S_IFREG | 0o644, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), TF(), NM(b'n')])])

# ---- volume descriptors


@case
def vd_cases(ctx):
    """Volume descriptor damage: no terminator, thousands of descriptors,
    Joliet before the PVD, no PVD, a second PVD, bad Joliet escape, garbage
    dates, random data, all zeros."""
    root = std_root()
    img = Builder(root).build()
    d = bytearray(img.bytes())
    # no terminator: the VD area runs into the path tables
    t = img.vd['term']
    d2 = bytearray(d)
    put(d2, t, b'\x02CD001\x01')
    yield Case('vd-no-terminator', 'terminator replaced by another SVD', bytes(d2), SURVIVE)
    # a terminator never comes: 3000 descriptors
    root = std_root()
    b = Builder(root)
    b.extra_vds = [b'\x03CD001\x01' + bytes(SECTOR - 7)] * 3000
    yield Case('vd-3000', '3000 partition descriptors before the terminator', b.build().bytes(), SURVIVE)
    # Joliet SVD before PVD: swap blocks 16 and 17
    root = std_root()
    img = Builder(root).build()
    d2 = bytearray(img.bytes())
    pvd, svd = bytes(d2[img.vd['pvd']:img.vd['pvd'] + SECTOR]), bytes(d2[img.vd['svd']:img.vd['svd'] + SECTOR])
    put(d2, img.vd['pvd'], svd)
    put(d2, img.vd['svd'], pvd)
    yield Case('vd-joliet-first', 'the Joliet SVD comes before the PVD', bytes(d2), SURVIVE)
    d3 = bytearray(img.bytes())
    d3[img.vd['pvd']] = 3
    yield Case('vd-no-pvd', 'no PVD (type changed to 3), Joliet present', bytes(d3), SURVIVE)
    d4 = bytearray(img.bytes())
    put(d4, img.vd['svd'] + 88, b'%/Z')
    yield Case('vd-bad-escape', 'Joliet escape sequence %/Z', bytes(d4), SURVIVE, ns=('auto', 'joliet'))
    d5 = bytearray(img.bytes())
    d5[img.vd['pvd'] + 6] = 2
    d5[img.vd['pvd'] + 881] = 9
    yield Case('vd-bad-versions', 'PVD version 2, file structure version 9', bytes(d5), SURVIVE)
    d6 = bytearray(img.bytes())
    for off in (813, 830, 847, 864):
        put(d6, img.vd['pvd'] + off, b'99999999999999\xFF\xFF\x7F')
    yield Case('vd-dates-garbage', 'PVD dates with non-digits and offset 127', bytes(d6), SURVIVE)
    d7 = bytearray(img.bytes())
    for off in range(8, 156):
        d7[img.vd['pvd'] + off] = 0xFF if off not in range(80, 88) and off not in range(128, 132) else d7[img.vd['pvd'] + off]
    for off in range(190, 883):
        d7[img.vd['pvd'] + off] = (off * 37) & 0xFF
    yield Case('vd-text-garbage', 'PVD identifiers full of binary garbage', bytes(d7), SURVIVE)
    # two PVDs: the second one's root points past the end
    root = std_root()
    b = Builder(root)
    img = b.build()
    pvd2 = bytearray(img.data[img.vd['pvd']:img.vd['pvd'] + SECTOR])
    put_both32(pvd2, 156 + 2, 0x00FFFFFF)
    b.extra_vds = [bytes(pvd2)]
    yield Case('vd-second-pvd', 'a second PVD with its root outside the image', b.build().bytes(), SURVIVE)
    rnd = random.Random(7)
    yield Case('not-iso-random', '64 KiB of random bytes', bytes(rnd.randrange(256) for _ in range(65536)),
               CORRUPT_ALL)
    yield Case('not-iso-zeros', '64 KiB of zeros', bytes(65536), CORRUPT_ALL)
    yield Case('not-iso-cd001-only', "'CD001' at 32769 and nothing else",
               bytes(32768) + b'\x01CD001\x01' + bytes(SECTOR - 7), expect(BAD, BAD, ANY, BAD, BAD))


# ---------------------------------------------------------------- UDF

def udf_base(**kw):
    """A UDF-only image from udfbuild.py (512-byte blocks, partition at 260)
    and helpers to find and re-seal its descriptors."""
    from udfbuild import Image as UdfImage
    return bytearray(UdfImage(512, kw.get('metadata', False), kw.get('revision', 0x0102)).build())


UDF_BS, UDF_PART = 512, 260


def udf_retag(d, off):
    """Recompute the CRC and checksum of the descriptor at byte @off."""
    from udfbuild import crc16
    ln = int.from_bytes(d[off + 10:off + 12], 'little')
    d[off + 8:off + 10] = crc16(bytes(d[off + 16:off + 16 + ln])).to_bytes(2, 'little')
    d[off + 4] = (sum(d[off:off + 4]) + sum(d[off + 5:off + 16])) & 0xFF


def udf_block(lblock):
    """Byte offset of a block of the (only) partition."""
    return (UDF_PART + lblock) * UDF_BS


def udf_fids(d, lblock):
    """(offset, name bytes) of each identifier in the directory data at @lblock."""
    off = udf_block(lblock)
    while int.from_bytes(d[off:off + 2], 'little') == 257:
        iu = int.from_bytes(d[off + 36:off + 38], 'little')
        lfi = d[off + 19]
        yield off, bytes(d[off + 38 + iu:off + 38 + iu + lfi])
        off += (38 + iu + lfi + 3) & ~3


def udf_fid(d, lblock, name):
    for off, n in udf_fids(d, lblock):
        if n[1:] == name.encode():
            return off
    raise KeyError(name)


@case
def udf_cases(ctx):
    """UDF (udfbuild.py images, UDF alone): the good image, bad tag CRCs,
    both descriptor sequences damaged or pointing at themselves, directory
    and allocation-extent loops, indirect-entry loops, extents past the
    partition, absurd sizes and lengths, names with '/' and NUL, a symlink
    out of the destination."""
    # layout (udfbuild.py): FSD 0, root FE 1, root data 2, sub FE 3,
    # sub data 4, a.txt FE 5, tiny FE 6, big.bin FE 7, its AED 8, link FE 9
    good = udf_base()
    yield Case('udf-good', 'UDF alone: files, a hole, an allocation extent, symlink, hard links',
               bytes(good), GOOD, cat='/a.txt')
    yield Case('udf-good-metadata', 'UDF 2.50 with a metadata partition', bytes(udf_base(metadata=True)),
               GOOD, cat='/sub/big.bin')
    d = bytearray(good)
    d[udf_block(0) + 100] ^= 0xFF
    yield Case('udf-fsd-crc', 'the file set descriptor fails its CRC', bytes(d), CORRUPT_ALL, cat='/a.txt')
    d = bytearray(good)
    d[33 * UDF_BS + 20] ^= 0xFF
    yield Case('udf-main-vds-bad', 'main sequence damaged, reserve good', bytes(d), SURVIVE, cat='/a.txt')
    d = bytearray(good)
    for seq in (32, 48):
        d[(seq + 1) * UDF_BS + 20] ^= 0xFF
    yield Case('udf-both-vds-bad', 'both sequences damaged', bytes(d), CORRUPT_ALL, cat='/a.txt')
    d = bytearray(good)
    for seq in (32, 48):
        off = seq * UDF_BS
        d[off:off + UDF_BS] = bytes(UDF_BS)
        d[off:off + 2] = (3).to_bytes(2, 'little')
        d[off + 2] = 2
        d[off + 12:off + 16] = seq.to_bytes(4, 'little')
        d[off + 20:off + 24] = (16 * UDF_BS).to_bytes(4, 'little')
        d[off + 24:off + 28] = seq.to_bytes(4, 'little')
        d[off + 10:off + 12] = (512 - 16).to_bytes(2, 'little')
        udf_retag(d, off)
    yield Case('udf-vdp-loop', 'both sequences start with a pointer to themselves', bytes(d),
               CORRUPT_ALL, cat='/a.txt')
    d = bytearray(good)
    off = udf_fid(d, 4, 'big.bin')
    d[off + 18] |= 2
    d[off + 24:off + 28] = (1).to_bytes(4, 'little')   # the root's entry
    udf_retag(d, off)
    yield Case('udf-dir-loop', 'sub/big.bin is the root directory again', bytes(d),
               expect(BAD, BAD, ANY, ANY, BAD), cat='/a.txt')
    d = bytearray(good)
    aed = udf_block(8)
    d[aed + 24 + 8:aed + 24 + 16] = ((3 << 30) | UDF_BS).to_bytes(4, 'little') + (8).to_bytes(4, 'little')
    udf_retag(d, aed)
    yield Case('udf-aed-loop', "big.bin's allocation extent continues in itself", bytes(d),
               expect(ANY, ANY, ANY, BAD, BAD), cat='/sub/big.bin')
    d = bytearray(good)
    fe = udf_block(5)
    d[fe + 176 + 4:fe + 176 + 8] = (10 ** 9).to_bytes(4, 'little')
    udf_retag(d, fe)
    yield Case('udf-extent-past', "a.txt's extent lies far past the partition", bytes(d),
               expect(ANY, ANY, ANY, BAD, BAD), cat='/a.txt')
    d = bytearray(good)
    d[fe + 56:fe + 64] = (1 << 62).to_bytes(8, 'little')
    udf_retag(d, fe)
    yield Case('udf-huge-size', 'a.txt claims 4 EiB with 20 bytes recorded', bytes(d),
               expect(ANY, ANY, ANY, BAD, BAD), cat='/a.txt')
    d = bytearray(good)
    d[fe + 172:fe + 176] = (0xFFFFFF00).to_bytes(4, 'little')
    udf_retag(d, fe)
    yield Case('udf-ad-length', "a.txt's descriptors claim 4 GiB inside one block", bytes(d),
               expect(BAD, BAD, ANY, BAD, BAD), cat='/a.txt')
    d = bytearray(good)
    fe = udf_block(5)
    ie = bytearray(UDF_BS)
    ie[0:2] = (259).to_bytes(2, 'little')
    ie[2] = 2
    ie[12:16] = (5).to_bytes(4, 'little')
    ie[10:12] = (52 - 16).to_bytes(2, 'little')
    ie[36:40] = UDF_BS.to_bytes(4, 'little')
    ie[40:44] = (5).to_bytes(4, 'little')                  # itself
    d[fe:fe + UDF_BS] = ie
    udf_retag(d, fe)
    yield Case('udf-indirect-loop', "a.txt's entry is an indirect entry pointing at itself", bytes(d),
               expect(BAD, BAD, ANY, BAD, BAD), cat='/a.txt')
    d = bytearray(good)
    off = udf_fid(d, 2, 'tiny.txt')
    d[off + 36:off + 38] = (0xFFFF).to_bytes(2, 'little')
    udf_retag(d, off)
    yield Case('udf-fid-iu', 'an identifier with 64 KiB of implementation use in a 200-byte directory',
               bytes(d), expect(BAD, BAD, ANY, ANY, BAD), cat='/a.txt')
    for evil, nm in ((b'a/b', 'slash'), (b'x\0y', 'nul')):
        d = bytearray(good)
        off = udf_fid(d, 2, 'tiny.txt')   # 8 bytes of name: same length keeps the layout
        d[off + 38 + 1:off + 38 + 9] = evil.ljust(8, b'_')
        udf_retag(d, off)
        yield Case('udf-name-' + nm, 'a UDF name holding %r' % evil, bytes(d), UNSAFE_NAME, cat='/a.txt')
    d = bytearray(good)
    link = udf_block(9)
    # path components: root, then "etc" (the link leaves any destination)
    pc = bytes([2, 0, 0, 0, 5, 4, 0, 0, 8]) + b'etc'
    d[link + 176:link + 176 + len(pc)] = pc
    d[link + 56:link + 64] = len(pc).to_bytes(8, 'little')
    d[link + 172:link + 176] = len(pc).to_bytes(4, 'little')
    d[link + 10:link + 12] = (176 + len(pc) - 16).to_bytes(2, 'little')
    udf_retag(d, link)
    yield Case('udf-symlink-absolute', 'sub/link points at /etc', bytes(d), SURVIVE, cat='/a.txt')


def all_cases(ctx):
    for fn in CASE_FUNCS:
        for c in fn(ctx):
            yield c

# ---------------------------------------------------------------- running


def ns_args(ns):
    return [] if ns == 'auto' else ['--namespace', ns]


def run_commands(runner, ctx, image_path, ns, cat_path, exp, want_named, extract_variants=([],),
                 check=None, prepare=None, ls_plain=True, label=''):
    """Run every command on one image; return a list of failure strings."""
    fails = []
    img = image_path
    na = ns_args(ns)
    cmds = []
    if ls_plain:
        cmds.append(('ls', ['ls', '-R'] + na + [img]))
    cmds.append(('lsjson', ['ls', '-l', '-R', '--json'] + na + [img]))
    cmds.append(('info', ['info', '--json'] + na + [img]))
    cmds.append(('cat', ['cat'] + na + [img, cat_path]))
    cmds.append(('verify', ['verify', '--json'] + na + [img]))
    rcs = {}
    for kind, args in cmds:
        rc, out, err, dt = runner.run(args, ctx, kind)
        rcs[kind] = rc
        if kind == 'verify' and rc == 0 and rcs.get('lsjson') == 1:
            fails.append('%s: isokit %s: says intact, but ls -l -R --json failed on the same image'
                         % (label, ' '.join(args)))
        allowed = exp.get(kind) if exp else None
        probs = check_run(rc, err, dt, allowed, img, want_named)
        if (rc == 0 and kind in ('lsjson', 'info')) or (rc in (0, 4) and kind == 'verify'):
            j = json_ok(out)
            if j:
                probs.append(j)
        for p in probs:
            fails.append('%s: isokit %s: %s%s' % (label, ' '.join(args), p,
                                                  ('\n      stderr: ' + err.strip()[:1500].replace('\n', '\n      '))
                                                  if err.strip() and 'exit' not in p[:4] else
                                                  ('\n      stderr: ' + err.strip()[:600]) if err.strip() else ''))
    for variant in extract_variants:
        d = ctx.new_dir()
        if prepare:
            prepare(d, ctx)
        before = snapshot(ctx.top, {d, ctx.out})
        start_ns = time.time_ns() - 2_000_000
        args = ['extract'] + na + [img, '-C', d] + [v for v in variant]
        rc, out, err, dt = runner.run(args, ctx, 'extract')
        allowed = exp.get('extract') if exp else None
        if variant and any(not v.startswith('-') for v in variant) and allowed == OK:
            allowed = ANY
        if '--overwrite' in variant and allowed == BAD:
            allowed = ANY  # replacing what an earlier entry made is legitimate
        probs = check_run(rc, err, dt, allowed, img, want_named)
        after = snapshot(ctx.top, {d, ctx.out})
        probs += diff_snapshots(before, after)
        if sha(ctx.canary) != ctx.canary_hash:
            probs.append('canary file changed')
        probs += symlink_escapes(d, start_ns, ctx.jail)
        for extra in (ctx.tmp_target, ctx.etc_target):
            if extra and os.path.lexists(extra):
                probs.append('written outside DIR: %s exists' % extra)
                try:
                    if os.path.isdir(extra) and not os.path.islink(extra):
                        rmtree(extra)
                    else:
                        os.unlink(extra)
                except OSError:
                    pass
        if check and rc is not None and rc >= 0:
            try:
                probs += check(d, ctx, variant)
            except Exception as e:  # a check must not take the run down
                probs.append('check raised %r' % e)
        for p in probs:
            fails.append('%s: isokit %s: %s%s' % (label, ' '.join(args), p,
                                                  ('\n      stderr: ' + err.strip()[:1500].replace('\n', '\n      '))
                                                  if err.strip() else ''))
        rmtree(d)
        # restore anything the run broke so the next run starts clean
        if probs and any('outside DIR' in p or 'canary' in p for p in probs):
            ctx_reset(ctx)
    return fails


def ctx_reset(ctx):
    rmtree(ctx.jail)
    os.makedirs(ctx.sandbox)
    os.makedirs(ctx.cwd)
    os.makedirs(ctx.outside)
    with open(ctx.canary, 'wb') as f:
        f.write(b'canary: must never change\n')
    with open(os.path.join(ctx.outside, 'keep.txt'), 'wb') as f:
        f.write(b'outside DIR\n')
    ctx.canary_hash = sha(ctx.canary)


def keep_dir():
    base = os.environ.get('BUILDDIR') or tempfile.gettempdir()
    d = os.path.join(base, 'hostile-failures')
    os.makedirs(d, exist_ok=True)
    return d


def make_ctx(top, index):
    ctx = Context(top, index)
    u = '%d-%d' % (os.getpid(), index)
    ctx.tmp_target = os.path.join(tempfile.gettempdir(), 'isokit-hostile-escape-' + u)
    ctx.etc_target = '/etc/isokit-hostile-escape-' + u
    return ctx


def exp_str(exp):
    def one(v):
        return '/'.join(str(x) for x in sorted(v))
    return ' '.join('%s=%s' % (k, one(exp[k])) for k in CMDS)


def cmd_cases(args):
    if args.list:
        top = tempfile.mkdtemp(prefix='isokit-hostile-')
        ctx = make_ctx(top, 0)
        for c in all_cases(ctx):
            desc = ' '.join(c.desc.split())
            print('%-30s [%s] %s%s' % (c.name, ' '.join(c.ns), exp_str(c.expect),
                                       ' +checks' if c.check else ''))
            print('    %s' % desc)
        rmtree(top)
        return 0
    isokit = find_isokit()
    if not isokit:
        print('SKIP: isokit binary not found (set ISOKIT)')
        return 77
    runner = Runner(isokit)
    limit_resources(runner.sanitized)
    top = tempfile.mkdtemp(prefix='isokit-hostile-')
    ctx = make_ctx(top, 0)
    cases = list(all_cases(ctx))
    if args.only:
        cases = [c for c in cases if c.name in args.only or any(c.name.startswith(o.rstrip('*')) and o.endswith('*') for o in args.only)]
    print('isokit: %s%s' % (isokit, ' (sanitized)' if runner.sanitized else ''))
    t0 = time.monotonic()
    fails = []
    nruns = 0
    for c in cases:
        path = os.path.join(ctx.out, c.name + '.iso')
        with open(path, 'wb') as f:
            f.write(c.image)
        cfails = []
        for ns in c.ns:
            exp = c.expect_ns.get(ns, c.expect)
            chk = c.check if (c.check_ns is None or ns in c.check_ns) else None
            cfails += run_commands(runner, ctx, path, ns, c.cat_ns.get(ns, c.cat), exp, want_named=True,
                                   extract_variants=c.extract_variants, check=chk,
                                   prepare=c.prepare, label=c.name + ('' if ns == 'auto' else '[%s]' % ns))
            nruns += 4 + len(c.extract_variants)
        status = 'ok' if not cfails else 'FAIL'
        print('%-4s %-32s %s' % (status, c.name, c.desc.splitlines()[0][:80]))
        if cfails:
            kd = keep_dir()
            shutil.copy(path, os.path.join(kd, c.name + '.iso'))
            for f in cfails:
                print('     ' + f)
            fails += cfails
        os.unlink(path)
    dt = time.monotonic() - t0
    print('exit codes: ' + runner.stats_line())
    print('\n%d cases, %d runs, %.1f s; %d failures' % (len(cases), nruns, dt, len(fails)))
    if fails:
        print('failing images kept in %s' % keep_dir())
        print('reproduce: python3 %s gen DIR; %s ls -R DIR/<case>.iso' % (os.path.abspath(__file__), isokit))
    rmtree(top)
    return 1 if fails else 0

# ---------------------------------------------------------------- mutations


INTERESTING32 = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FF, 0x800, 0x801, 0xFFFF, 0x10000,
                 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFF800, 16, 17, 18, 19, 20]
INTERESTING8 = [0, 1, 2, 3, 4, 0x20, 0x21, 0x22, 0x2E, 0x2F, 0x7F, 0x80, 0xFE, 0xFF, 33, 34, 254, 255]


class Bases:
    """The good images that mutations start from, and their parsed fields."""

    def __init__(self, ctx):
        self.items = []
        root = std_root()
        root.add(Dir('rel', Symlink('out', '../outside'), Symlink('abs', '/nonexistent-isokit/x')))
        root.add(File('N' * 180 + '.txt', b'long name\n'))
        root.add(Symlink('longlink', '/'.join(['component%d' % k for k in range(40)])))
        self.add('builder-rr-joliet-boot', Builder(root, boot=b'\xEB\xFE' + bytes(2046)).build().bytes())
        root = std_root(zisofs=False)
        self.add('builder-plain', Builder(root, rr=False, joliet=False).build().bytes())
        root = Dir('', File('hello.txt', HELLO), File('multi', b'', sections=[b'A' * SECTOR, b'B' * 100]),
                   Dir('a', Dir('b', Dir('c', File('deep.txt', b'deep\n')))))
        self.add('builder-rr-multiextent', Builder(root, joliet=False).build().bytes())
        for tool, data in tool_images(ctx).items():
            self.add(tool, data)

    def add(self, name, data):
        P = parse(data)
        lbas = sorted({e for _, e, _, _ in P.dirs} | {e for _, _, e, _ in P.files})
        cats = [p for t, p, e, s in P.files if t == 'iso' and s > 0]
        self.items.append((name, data, P.fields, lbas, len(data) // SECTOR))


def mutate(bases, index, seed):
    """Mutation number @index: deterministic from (seed, index)."""
    rng = random.Random('%s:%d' % (seed, index))
    name, data, fields, lbas, nblocks = bases.items[index % len(bases.items)]
    buf = bytearray(data)
    limit = min(len(buf), 100 * SECTOR)
    ops = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 10, 20])):
        r = rng.random()
        if r < 0.5 and fields:
            off, width, kind = rng.choice(fields)
            if off >= len(buf):
                continue
            pool = INTERESTING32 + [nblocks - 1, nblocks, nblocks + 1, nblocks * 2] + rng.sample(lbas, min(4, len(lbas)))
            if width == 8:
                v = rng.choice(pool)
                if rng.random() < 0.8:
                    put_both32(buf, off, v)
                else:
                    put(buf, off, le32(v))
            elif width == 4:
                put(buf, off, le32(rng.choice(pool)))
            elif width == 2:
                v = rng.choice([0, 1, 0xFF, 0xFFFF, 0x800, 0x200, rng.randrange(65536)])
                put(buf, off, bytes([v & 0xFF, v >> 8]))
            elif width == 1:
                buf[off] = rng.choice(INTERESTING8 + [rng.randrange(256)])
            else:
                k = off + rng.randrange(width)
                if k < len(buf):
                    buf[k] = rng.choice(INTERESTING8 + [rng.randrange(256)])
            ops.append('%s@%d' % (kind, off))
        elif r < 0.72:
            k = rng.randrange(limit)
            buf[k] ^= 1 << rng.randrange(8)
            ops.append('flip@%d' % k)
        elif r < 0.9:
            k = rng.randrange(limit)
            buf[k] = rng.choice(INTERESTING8 + [rng.randrange(256)])
            ops.append('byte@%d' % k)
        elif r < 0.96:
            n = rng.randrange(1, 64)
            a, b = rng.randrange(limit - n), rng.randrange(limit - n)
            buf[b:b + n] = buf[a:a + n]
            ops.append('copy@%d->%d' % (a, b))
        else:
            k = rng.randrange(16 * SECTOR, len(buf)) if len(buf) > 16 * SECTOR else rng.randrange(len(buf))
            del buf[k:]
            ops.append('cut@%d' % k)
            break
    ns = ['auto', 'auto', 'joliet', 'iso9660', 'rockridge'][index % 5]
    return name, bytes(buf), ops, ns


MUT_CAT = {'builder-plain': '/HELLO.TXT'}


def cmd_mutations(args):
    isokit = find_isokit()
    if not isokit:
        print('SKIP: isokit binary not found (set ISOKIT)')
        return 77
    runner = Runner(isokit)
    limit_resources(runner.sanitized)
    count = args.count if args.count is not None else int(os.environ.get('HOSTILE_MUTATIONS', '2000'))
    seed = args.seed if args.seed is not None else os.environ.get('HOSTILE_SEED', '1')
    jobs = args.jobs or int(os.environ.get('HOSTILE_JOBS', '0')) or max(1, min(8, os.cpu_count() or 1))
    top = tempfile.mkdtemp(prefix='isokit-mut-')
    ctxs = [make_ctx(top, i) for i in range(jobs)]
    bases = Bases(ctxs[0])
    indices = args.only if args.only else list(range(count))
    print('isokit: %s%s; %d mutations of %d base images (%s), seed %s, %d jobs' % (
        isokit, ' (sanitized)' if runner.sanitized else '', len(indices), len(bases.items),
        ', '.join(b[0] for b in bases.items), seed, jobs))
    t0 = time.monotonic()
    free = list(ctxs)
    free_lock = threading.Lock()
    results = {}

    def work(i):
        with free_lock:
            ctx = free.pop()
        try:
            name, data, ops, ns = mutate(bases, i, seed)
            path = os.path.join(ctx.out, 'mut-%d.iso' % i)
            with open(path, 'wb') as f:
                f.write(data)
            cat = MUT_CAT.get(name, '/hello.txt')
            fails = run_commands(runner, ctx, path, ns, cat, None, want_named=False,
                                 ls_plain=(i % 4 == 0), label='mutation %d (%s, ns %s, %s)' % (
                                     i, name, ns, ' '.join(ops[:12])))
            if fails:
                shutil.copy(path, os.path.join(keep_dir(), 'mutation-%s-%d.iso' % (seed, i)))
            os.unlink(path)
            return i, fails
        finally:
            with free_lock:
                free.append(ctx)
    done = 0
    allfails = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for i, fails in ex.map(work, indices):
            done += 1
            if fails:
                allfails += fails
                for f in fails:
                    print('FAIL ' + f)
            if done % 250 == 0:
                print('... %d/%d (%.0f s)' % (done, len(indices), time.monotonic() - t0), flush=True)
    dt = time.monotonic() - t0
    print('exit codes: ' + runner.stats_line())
    print('\n%d mutations, %.1f s; %d failures' % (len(indices), dt, len(allfails)))
    if allfails:
        print('failing images kept in %s (mutation-<seed>-<n>.iso)' % keep_dir())
        print('reproduce one: python3 %s mutations --seed %s --only N' % (os.path.abspath(__file__), seed))
    rmtree(top)
    return 1 if allfails else 0


def cmd_gen(args):
    os.makedirs(args.outdir, exist_ok=True)
    top = tempfile.mkdtemp(prefix='isokit-gen-')
    ctx = make_ctx(top, 0)
    n = 0
    for c in all_cases(ctx):
        with open(os.path.join(args.outdir, c.name + '.iso'), 'wb') as f:
            f.write(c.image)
        n += 1
    print('%d images in %s (symlink targets refer to %s)' % (n, args.outdir, ctx.jail))
    return 0


def cmd_gen_mutation(args):
    top = tempfile.mkdtemp(prefix='isokit-gen-')
    ctx = make_ctx(top, 0)
    bases = Bases(ctx)
    name, data, ops, ns = mutate(bases, args.index, args.seed)
    with open(args.out, 'wb') as f:
        f.write(data)
    print('%s: mutation %d of %s (namespace %s): %s' % (args.out, args.index, name, ns, ' '.join(ops)))
    rmtree(top)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sp = ap.add_subparsers(dest='cmd', required=True)
    p = sp.add_parser('cases')
    p.add_argument('--only', nargs='*')
    p.add_argument('--list', action='store_true')
    p = sp.add_parser('mutations')
    p.add_argument('--count', type=int)
    p.add_argument('--seed')
    p.add_argument('--jobs', type=int)
    p.add_argument('--only', type=int, nargs='*')
    p = sp.add_parser('gen')
    p.add_argument('outdir')
    p = sp.add_parser('gen-mutation')
    p.add_argument('index', type=int)
    p.add_argument('out')
    p.add_argument('--seed', default=os.environ.get('HOSTILE_SEED', '1'))
    a = ap.parse_args()
    return {'cases': cmd_cases, 'mutations': cmd_mutations, 'gen': cmd_gen,
            'gen-mutation': cmd_gen_mutation}[a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())
