#!/usr/bin/env python3
"""Seed a BugZot server for the REST benchmark: product Widget, component Backend, and COUNT
bugs filed concurrently through POST /rest/bug. Prints the id of one filed bug on stdout.

usage: seed.py BASE_URL API_KEY COUNT [THREADS]     (standard library only)
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

base_url, api_key, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 8
host_port = urllib.parse.urlsplit(base_url).netloc
query = urllib.parse.urlencode({"Bugzilla_api_key": api_key})
local = threading.local()  # one keep-alive connection per thread


def post(path: str, body: dict) -> dict:
    if not hasattr(local, "conn"):
        local.conn = http.client.HTTPConnection(host_port, timeout=30)
    local.conn.request("POST", f"/rest{path}?{query}", body=json.dumps(body),
                       headers={"Content-Type": "application/json"})
    response = local.conn.getresponse()
    data = response.read()
    if response.status not in (200, 201):
        raise SystemExit(f"POST /rest{path} answered {response.status}: {data[:500]!r}")
    return json.loads(data)


def file_bug(n: int) -> int:
    return post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                         "summary": f"Seeded bug {n}", "description": f"Seeded bug number {n}."})["id"]


post("/product", {"name": "Widget", "description": "Benchmark product", "version": "1.0"})
post("/component", {"product": "Widget", "name": "Backend", "description": "Benchmark component",
                    "default_assignee": "admin@example.com"})

started = time.monotonic()
with ThreadPoolExecutor(threads) as pool:
    ids = list(pool.map(file_bug, range(count)))
elapsed = time.monotonic() - started
print(f"seeded {count} bugs in {elapsed:.1f}s ({count / elapsed:.0f}/s)", file=sys.stderr)
print(ids[len(ids) // 2])
