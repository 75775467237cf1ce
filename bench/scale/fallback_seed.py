"""A stand-in for `bugzot seed` while the binary has none: a small installation filed through
/rest (3 products of 3 components, 20 users, bugs with up to 4 comments of common words).
Slow (a few hundred bugs a second): for trying the harness, not for figures at scale."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from threading import local

import benchkit as bk

WORDS = ("crash timeout render login widget cache memory socket upload search filter layout export "
         "import printer driver kernel thread install update network window border scroll").split()


def seed(server: bk.Server, key: str, bugs: int) -> None:
    admin = bk.Rest(server.base, key)
    users = [f"user{n}@example.com" for n in range(20)]
    for login in users:
        admin.post("/user", {"email": login, "full_name": login.split("@")[0].title(), "password": "bench-password-1"})
    for p in ("Alpha", "Beta", "Gamma"):
        admin.post("/product", {"name": p, "description": "Seeded product", "version": "1.0"})
        for c in ("Core", "UI", "Docs"):
            admin.post("/component", {"product": p, "name": c, "description": "Seeded component", "default_assignee": users[0]})
    clients = local()

    def file(n: int) -> None:
        rng = random.Random(n)
        if not hasattr(clients, "rest"):
            clients.rest = bk.Rest(server.base, key)
        text = lambda: " ".join(rng.choice(WORDS) for _ in range(12))  # noqa: E731
        bug = clients.rest.post("/bug", {
            "product": rng.choices(("Alpha", "Beta", "Gamma"), (6, 3, 1))[0], "component": rng.choice(("Core", "UI", "Docs")),
            "version": "1.0", "summary": text()[:60], "description": text(),
            "assigned_to": users[min(int(rng.expovariate(0.3)), 19)]})["id"]
        for _ in range(rng.randrange(5)):
            clients.rest.post(f"/bug/{bug}/comment", {"comment": text()})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(file, range(bugs)))
