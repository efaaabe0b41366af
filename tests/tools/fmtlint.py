#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""fmtlint.py: no format string that is not a literal (attack suite T6).

Scans the C files of the given directories (default: src relay turn
common under --root) for calls of printf-like functions whose format
argument is not a string literal:

  - libre's re_printf, re_hprintf, re_fprintf, re_snprintf, re_sdprintf,
    re_vprintf, re_vhprintf, re_vfprintf, re_vsnprintf, re_vsdprintf,
    mbuf_printf, mbuf_vprintf, dbg_printf and the DEBUG_* macros;
  - libc's printf family and syslog;
  - log macros of the warning()/info() kind, and elog_err;
  - every function of the tree itself, and of the headers of each
    --include directory (libre's: sip_treplyf, sipsess_*, ...), that
    takes "const char *fmt" followed by "..." or a va_list.

A format argument passes when it is one or more string literals (which
the compiler joins), optionally with macros that expand to literals:
the PRI* macros of <inttypes.h> and every "#define NAME literal..." of
the scanned tree; NULL (no format: the tree's functions take it as no
extra text); a conditional whose two results pass, passes. A
function that is itself printf-like may hand its own format parameter
on, provided the tree calls it (its callers are checked instead: a
callback that a library calls is not). Anything else is a finding,
unless tests/data/fmt-allow.txt lists it as "PATH CALLEE ARGUMENT"
followed by "# reason".

Output: one line per finding, "PATH:LINE: CALLEE(ARGUMENT)", and a
summary line "fmtlint: N calls checked, M findings, K allowed". Exit 1
if there is a finding or an allow-list entry that matches nothing.
Stdlib only.
"""
import argparse
import os
import re
import sys

# callee -> index of the format argument
KNOWN = {
    're_printf': 0, 're_hprintf': 1, 're_fprintf': 1, 're_snprintf': 2,
    're_sdprintf': 1, 're_vprintf': 0, 're_vhprintf': 0,
    're_vfprintf': 1, 're_vsnprintf': 2, 're_vsdprintf': 1,
    'mbuf_printf': 1, 'mbuf_vprintf': 1, 'dbg_printf': 1,
    'DEBUG_WARNING': 0, 'DEBUG_NOTICE': 0, 'DEBUG_INFO': 0,
    'DEBUG_PRINTF': 0, 'warning': 0, 'info': 0, 'notice': 0, 'debug': 0,
    'elog_err': 0,
    'printf': 0, 'fprintf': 1, 'sprintf': 1, 'snprintf': 2,
    'dprintf': 1, 'vprintf': 0, 'vfprintf': 1, 'vsprintf': 1,
    'vsnprintf': 2, 'vdprintf': 1, 'syslog': 1, 'vsyslog': 1,
}

PRI = re.compile(r'^(PRI|SCN)[diouxX](8|16|32|64|MAX|PTR|LEAST\d+|FAST\d+)$')
TOKEN = re.compile(r'''
    (?P<str>L?"(?:\\.|[^"\\\n])*")
  | (?P<chr>'(?:\\.|[^'\\\n])*')
  | (?P<id>[A-Za-z_]\w*)
  | (?P<num>\d[\w.]*)
  | (?P<ws>\s+)
  | (?P<op>->|\+\+|--|&&|\|\||<<|>>|[<>=!+\-*/%&|^]=|\.\.\.|.)
''', re.X | re.S)
KEYWORDS = {'return', 'sizeof', 'case', 'else', 'do'}


def strip(text):
    """Comments and preprocessor lines blanked out, line count kept;
    the #define NAME "literal" lines collected on the way"""
    out, defines, i = [], {}, 0
    text = re.sub(r'\\\n', ' \x00', text)
    for line in text.split('\n'):
        m = re.match(r'\s*#\s*define\s+(\w+)\s+(.*)$', line)
        if m:
            defines[m.group(1)] = m.group(2).replace('\x00', '')
        if re.match(r'\s*#', line):
            out.append('\n' * (line.count('\x00')))
        else:
            out.append(line.replace('\x00', '\n'))
    text = '\n'.join(out)
    res = []
    while i < len(text):
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = len(text) if j < 0 else j + 2
            res.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = len(text) if j < 0 else j
            i = j
        elif c in '"\'':
            m = TOKEN.match(text, i)
            j = m.end() if m and m.lastgroup in ('str', 'chr') else i + 1
            res.append(text[i:j])
            i = j
        else:
            res.append(c)
            i += 1
    return ''.join(res), defines


def tokens(text):
    """(kind, value, line) without white space"""
    line = 1
    for m in TOKEN.finditer(text):
        if m.lastgroup != 'ws':
            yield m.lastgroup, m.group(), line
        line += m.group().count('\n')


def split_args(toks, i):
    """toks[i] is '(': the arguments (token lists) and the index past ')'"""
    depth, args, cur = 0, [], []
    for j in range(i, len(toks)):
        v = toks[j][1]
        if v in '([{':
            depth += 1
            if depth == 1:
                continue
        elif v in ')]}':
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args, j + 1
        elif v == ',' and depth == 1:
            args.append(cur)
            cur = []
            continue
        cur.append(toks[j])
    return args, len(toks)


def literal(arg, defines, seen=()):
    """True if the argument is literals and macros of literals"""
    vals = [v for _, v, _ in arg]
    while vals and vals[0] == '(' and vals[-1] == ')':
        vals = vals[1:-1]
    if vals == ['NULL']:
        return True
    if '?' in vals and ':' in vals:
        q = vals.index('?')
        c = len(vals) - 1 - vals[::-1].index(':')
        return (literal([('', v, 0) for v in vals[q + 1:c]], defines) and
                literal([('', v, 0) for v in vals[c + 1:]], defines))
    if not vals or not any(v.startswith('"') for v in vals + ['']) and \
            not all(v in defines or PRI.match(v) for v in vals):
        return False
    for v in vals:
        if v.startswith('"') or PRI.match(v):
            continue
        if v in defines and v not in seen:
            body, _ = strip(defines[v])
            sub = [t for t in tokens(body)]
            if sub and literal(sub, defines, seen + (v,)):
                continue
        return False
    return True


def fmt_param(params):
    """The index of "const char *fmt" if followed by ... or a va_list"""
    names = [[v for _, v, _ in p] for p in params]
    for k, p in enumerate(names):
        if p[-2:] == ['*', 'fmt'] and 'char' in p and k + 1 < len(names) \
                and (names[k + 1] == ['...'] or 'va_list' in names[k + 1]):
            return k
    return None


def scan(path, rel, callees, defines, findings, counts, decls_only=False):
    """Check one file's calls and note its printf-like functions"""
    text, _ = strip(open(path, encoding='utf-8', errors='replace').read())
    toks = list(tokens(text))
    depth, func, fparam = 0, None, None
    i = 0
    while i < len(toks):
        kind, v, line = toks[i]
        if v == '{':
            depth += 1
        elif v == '}':
            depth -= 1
            if depth == 0:
                func, fparam = None, None
        elif kind == 'id' and i + 1 < len(toks) and toks[i + 1][1] == '(':
            prev = toks[i - 1] if i else ('op', ';', 0)
            args, end = split_args(toks, i + 1)
            decl = (prev[0] == 'id' and prev[1] not in KEYWORDS) or \
                prev[1] == '*'
            if decl and (depth == 0 or decls_only):
                k = fmt_param(args)
                if end < len(toks) and toks[end][1] == '{':
                    func = v
                    fparam = None if k is None else args[k][-1][1]
                if k is not None:
                    callees.setdefault(v, k)
            elif not decl and v in callees and not decls_only:
                check(rel, v, args, line, func, fparam, defines,
                      findings, counts)
        i += 1


def check(rel, callee, args, line, func, fparam, defines, findings, counts):
    k = CALLEES[callee]
    if k >= len(args):
        return
    counts['calls'] += 1
    CALLED[callee] = CALLED.get(callee, 0) + 1
    arg = args[k]
    if literal(arg, defines):
        return
    text = ' '.join(v for _, v, _ in arg)
    if fparam and text == fparam:
        FORWARDS.append((rel, line, callee, text, func))
        return
    findings.append((rel, line, callee, text))


CALLEES = {}     # printf-like function -> index of its format
CALLED = {}      # printf-like function -> call sites checked
FORWARDS = []    # calls that hand on the caller's own format


def files(root, dirs):
    for d in dirs:
        for base, _, names in os.walk(os.path.join(root, d)):
            for name in sorted(names):
                if name.endswith(('.c', '.h')):
                    full = os.path.join(base, name)
                    yield full, os.path.relpath(full, root)


def allow_list(path):
    allowed = {}
    if not path or not os.path.exists(path):
        return allowed
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        body, _, reason = line.partition('#')
        parts = body.split(None, 2)
        if not parts:
            continue
        if len(parts) != 3 or not reason.strip():
            sys.exit('%s:%d: want "PATH CALLEE ARGUMENT # reason"' %
                     (path, n))
        allowed[tuple(p.strip() for p in parts)] = 0
    return allowed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    ap.add_argument('--allow', help='allow-list file')
    ap.add_argument('--include', action='append', default=[],
                    help='a directory of headers (libre\'s) whose '
                    'printf-like declarations count too')
    ap.add_argument('dirs', nargs='*',
                    default=['src', 'relay', 'turn', 'common'])
    a = ap.parse_args()

    defines, paths = {}, list(files(a.root, a.dirs))
    CALLEES.update(KNOWN)
    for full, _ in paths:
        _, d = strip(open(full, encoding='utf-8', errors='replace').read())
        defines.update(d)
    counts = {'calls': 0, 'forwarded': 0}
    for d in a.include:
        for full, rel in files(d, ['.']):
            scan(full, rel, CALLEES, {}, [], counts, decls_only=True)
    # two passes: the first finds the tree's printf-like functions
    for _ in range(2):
        findings = []
        counts.update(calls=0, forwarded=0)
        CALLED.clear()
        del FORWARDS[:]
        for full, rel in paths:
            scan(full, rel, CALLEES, defines, findings, counts)
    # handing on one's own format is fine when one's callers are
    # checked; a callback called from elsewhere (libbpf) is not
    for rel, line, callee, text, func in FORWARDS:
        if CALLED.get(func):
            counts['forwarded'] += 1
        else:
            findings.append((rel, line, callee, text))

    allowed = allow_list(a.allow)
    bad = 0
    for rel, line, callee, text in findings:
        key = (rel, callee, text.replace(' ', ''))
        hit = [k for k in allowed if (k[0], k[1], k[2].replace(' ', ''))
               == key]
        if hit:
            allowed[hit[0]] += 1
            continue
        bad += 1
        print('%s:%d: %s(... %s ...): the format is not a literal' %
              (rel, line, callee, text))
    for k, used in allowed.items():
        if not used:
            bad += 1
            print('%s: allow-list entry %s %s matches nothing' %
                  (k[0], k[1], k[2]))
    print('fmtlint: %d calls checked (%d printf-like functions), %d '
          'forward their own format, %d findings, %d allowed' %
          (counts['calls'], len(CALLEES), counts['forwarded'], bad,
           sum(allowed.values())))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
