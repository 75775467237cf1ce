"""wampy 1.1.0 as its users run it, in a process (and venv) of its own: importing wampy
monkey-patches the whole interpreter with gevent. Joins with ticket authentication (wampy reads
the ticket from WAMPYSECRET), makes each call asked for, prints one JSON line per call —
{"procedure", "result"} or {"procedure", "error", "args", "kwargs"} — and leaves.

    WAMPYSECRET=<ticket> python wampy_client.py URL AUTHID PROCEDURE:JSON-ARGS-LIST ...
"""

import json
import sys

from wampy.messages import Error
from wampy.peers.clients import Client


def main() -> None:
    url, authid, *calls = sys.argv[1:]
    roles = {"roles": {"subscriber": {}, "publisher": {}, "callee": {}, "caller": {}},
             "authmethods": ["ticket"], "authid": authid}
    with Client(url=url, realm="bugzot", roles=roles, name="e2e-wampy") as client:
        print(json.dumps({"joined": authid}), flush=True)
        for spec in calls:
            procedure, _, arguments = spec.partition(":")
            answer = client.call(procedure, *json.loads(arguments or "[]"))
            if isinstance(answer, Error):
                print(json.dumps({"procedure": procedure, "error": answer.error, "args": answer.args_list,
                                  "kwargs": answer.kwargs_dict}), flush=True)
            else:
                print(json.dumps({"procedure": procedure, "result": answer}), flush=True)


if __name__ == "__main__":
    main()
