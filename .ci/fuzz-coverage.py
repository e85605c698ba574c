#!/usr/bin/env python3
"""How deep a fuzzing run got, from the portal's own request counters (GET /metrics: requests by
method, matched route and status). Usage:
  fuzz-coverage.py snapshot BASE_URL > before.json
  fuzz-coverage.py report BASE_URL before.json OPENAPI.json
The report names, for the operations of the OpenAPI document, how many were called and how many
got an answer other than 404 (past "not found": the fuzzer reached real data)."""
import json
import re
import sys
import urllib.request

LINE = re.compile(r'^http_requests_total\{(?P<labels>.*)\} (?P<value>\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def snapshot(base):
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as res:
        text = res.read().decode()
    counts = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group("labels")))
        key = "\t".join(labels.get(k, "") for k in ("method", "route", "status"))
        counts[key] = counts.get(key, 0) + float(m.group("value"))
    return counts


def report(base, before_path, doc_path):
    before = json.load(open(before_path))
    after = snapshot(base)
    doc = json.load(open(doc_path))
    operations = {
        f"{method.upper()} {path}"
        for path, item in doc["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    called, past_404 = set(), set()
    for key, value in after.items():
        if value - before.get(key, 0) <= 0:
            continue
        method, route, status = key.split("\t")
        op = f"{method.upper()} {route}"
        if op not in operations:
            continue
        called.add(op)
        if status != "404":
            past_404.add(op)
    stuck = sorted(called - past_404)
    print(f"operations past 404: {len(past_404)} of {len(called)} called "
          f"({len(operations)} in the document)")
    if stuck:
        print("only 404: " + ", ".join(stuck))


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        json.dump(snapshot(sys.argv[2]), sys.stdout)
    else:
        report(sys.argv[2], sys.argv[3], sys.argv[4])
