#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""spdxlint.py: every source file carries its SPDX licence line.

Usage: spdxlint.py [--root DIR] [--fix] [FILE...]

Without FILE, checks the files git tracks under --root (default: the
current directory). A file's kind is taken from its name and its first
line; each kind has the comment form of the line and where it goes:

  C (*.c, *.h)                 line 1   /* SPDX-License-Identifier: ... */
  shell, python, nft, any "#!" line 2   # SPDX-License-Identifier: ...
  (a "#!KAMAILIO" first line is a directive: the same rule applies)
  sh, cfg, conf, service, am   line 1   # SPDX-License-Identifier: ...
  configure.ac                 line 1   dnl SPDX-License-Identifier: ...
  man pages (*.[1-8])          line 1   .\\" SPDX-License-Identifier: ...
  XML                          after the <?xml?> and <!DOCTYPE> lines
  Markdown                     line 1   <!-- SPDX-License-Identifier: ... -->
  Lua                          line 1   -- SPDX-License-Identifier: ...

Data is not code and is left out: tests/data, tests/fuzz/corpus, images,
m4/, dot-files but .ci/run. --fix inserts the missing lines in place.
A check passes when the line is within the first three lines.
Output: one line per file without it, then "spdxlint: N files checked,
M without the line"; exit 1 when M > 0 (after --fix: the files fixed
are listed and the exit is 0).
"""
import argparse
import os
import re
import subprocess
import sys

ID = 'SPDX-License-Identifier: BSD-3-Clause'
SKIP_DIRS = ('tests/data/', 'tests/fuzz/corpus/', 'm4/')
SKIP_EXT = ('.png', '.svg', '.pcap', '.bin')


def kind(path, first):
    """the comment line for PATH, or None when it is not code"""
    base = os.path.basename(path)
    ext = os.path.splitext(base)[1]
    if path.startswith(SKIP_DIRS) or ext in SKIP_EXT:
        return None
    if base.startswith('.') or (path.startswith('.') and
                                path != '.ci/run'):
        return None
    if ext in ('.c', '.h'):
        return '/* %s */' % ID
    if base == 'configure.ac':
        return 'dnl ' + ID
    if re.fullmatch(r'\.[1-8]', ext):
        return '.\\" ' + ID
    if ext == '.xml':
        return '<!-- %s -->' % ID
    if ext == '.md':
        return '<!-- %s -->' % ID
    if ext == '.lua':
        return '-- ' + ID
    if first.startswith('#!') or ext in ('.sh', '.cfg', '.conf',
                                          '.service', '.nft', '.am',
                                          '.py', '.test'):
        return '# ' + ID
    return None


def where(lines, path, line):
    """the index the licence line goes to"""
    i = 0
    if line.startswith('<!--') and path.endswith('.xml'):
        while i < len(lines) and (lines[i].startswith('<?xml') or
                                  lines[i].startswith('<!DOCTYPE')):
            i += 1
        return i
    if lines and lines[0].startswith('#!'):
        return 1
    return 0


def tracked(root):
    out = subprocess.run(['git', '-C', root, 'ls-files'], check=True,
                         capture_output=True, text=True).stdout
    return [p for p in out.splitlines() if p]


def check(root, path, fix):
    """True when PATH has its line (or is not code, or was fixed)"""
    full = os.path.join(root, path)
    if not os.path.isfile(full) or os.path.islink(full):
        return True, False
    with open(full, 'rb') as f:
        data = f.read()
    text = data.decode('utf-8', 'replace')
    lines = text.split('\n')
    line = kind(path, lines[0] if lines else '')
    if line is None:
        return True, False
    if any(ID in ln for ln in lines[:3]):
        return True, True
    if not fix:
        return False, True
    lines.insert(where(lines, path, line), line)
    mode = os.stat(full).st_mode
    with open(full, 'w', encoding='utf-8', newline='') as f:
        f.write('\n'.join(lines))
    os.chmod(full, mode)
    print('fixed: ' + path)
    return True, True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    ap.add_argument('--fix', action='store_true')
    ap.add_argument('files', nargs='*')
    a = ap.parse_args()
    files = a.files or tracked(a.root)
    n = bad = 0
    for p in files:
        ok, code = check(a.root, p, a.fix)
        n += code
        if not ok:
            bad += 1
            print('%s: no "%s" in its first 3 lines' % (p, ID))
    print('spdxlint: %d files checked, %d without the line' % (n, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
