#!/usr/bin/python3
"""Check the JSON documents unit tests wrote with Python's json module.

make unit runs the host tests with UNIT_JSON_SAMPLES naming a file; a test
appends one line per document: "<kind> <expected> <document>".

  str <hex bytes or ->   the document is a string: json.loads must give those
                         bytes as Python decodes UTF-8 with errors="replace",
                         and the document must be printable ASCII
  int <decimal>          an integer, exactly that one
  dec <digits>e-<n>      a decimal number: the value digits * 10^-n, exactly
  doc -                  any document; it must parse

Exits non-zero, naming the first bad lines, if any document fails.
"""
import decimal
import json
import sys


def check(kind, expected, doc):
    if kind == "str":
        if not all(0x20 <= ord(c) < 0x7f for c in doc):
            return "not printable ASCII"
        want = bytes.fromhex("" if expected == "-" else expected).decode("utf-8", "replace")
        got = json.loads(doc)
        return None if got == want else f"decodes to {got!r}, not {want!r}"
    if kind == "int":
        got = json.loads(doc)
        return None if type(got) is int and got == int(expected) else f"is {got!r}"
    if kind == "dec":
        got = json.loads(doc, parse_float=decimal.Decimal, parse_int=decimal.Decimal)
        return None if got == decimal.Decimal(expected) else f"is {got!r}"
    if kind == "doc":
        json.loads(doc)
        return None
    return f"unknown kind {kind!r}"


def main(path):
    bad = 0
    with open(path, encoding="ascii", errors="surrogateescape") as f:
        lines = f.read().split("\n")[:-1]
    for n, line in enumerate(lines, 1):
        kind, expected, doc = line.split(" ", 2)
        try:
            err = check(kind, expected, doc)
        except ValueError as e:
            err = f"does not parse: {e}"
        if err:
            bad += 1
            if bad <= 10:
                print(f"{path}:{n}: {kind} {expected}: {doc!r} {err}")
    print(f"{len(lines)} JSON samples checked with Python's json module, {bad} bad")
    return 1 if bad or not lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
