#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""jsonkeys.py: check a JSON document against a key specification.

Usage: jsonkeys.py SPEC < DOCUMENT

SPEC is a JSON value that mirrors the document's shape:
  - an object: every key it names must be in the document's object
    (more keys may be there), and each value is checked against the
    spec's value; with a key "?" (any value), null is allowed too;
  - a one-element list: the document's value is a list (or null when
    the spec's list is [null, SPEC]) whose every element matches;
  - "int", "str", "bool", "addr" (a "IP:PORT" string), "null", or
    "any"; "int|null" and the like allow either;
  - null: the value must be null.
Prints the first mismatch as "PATH: what" and exits 1; exits 0 when
the document matches. Stdlib only.
"""
import json
import re
import sys

ADDR = re.compile(r'^(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:.]+\]):\d+$')


def scalar(kind, v):
    if kind == 'any':
        return True
    if kind == 'null':
        return v is None
    if kind == 'int':
        return isinstance(v, int) and not isinstance(v, bool)
    if kind == 'bool':
        return isinstance(v, bool)
    if kind == 'str':
        return isinstance(v, str)
    if kind == 'addr':
        return isinstance(v, str) and ADDR.match(v) is not None
    raise ValueError('unknown kind ' + kind)


def check(spec, v, path):
    if spec is None:
        if v is not None:
            raise AssertionError('%s: not null' % path)
    elif isinstance(spec, str):
        if not any(scalar(k, v) for k in spec.split('|')):
            raise AssertionError('%s: %r is not %s' % (path, v, spec))
    elif isinstance(spec, list):
        if spec and spec[0] is None and v is None:
            return
        if not isinstance(v, list):
            raise AssertionError('%s: not a list' % path)
        for i, e in enumerate(v):
            check(spec[-1], e, '%s[%d]' % (path, i))
    elif isinstance(spec, dict):
        if '?' in spec and v is None:
            return
        if not isinstance(v, dict):
            raise AssertionError('%s: not an object' % path)
        for k, s in spec.items():
            if k == '?':
                continue
            if k not in v:
                raise AssertionError('%s: no key "%s"' % (path, k))
            check(s, v[k], path + '.' + k)


def main():
    spec = json.loads(sys.argv[1])
    try:
        doc = json.load(sys.stdin)
    except ValueError as e:
        print('not JSON: %s' % e)
        return 1
    try:
        check(spec, doc, '$')
    except AssertionError as e:
        print(e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
