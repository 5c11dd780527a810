"""The child process that runs one property on a target, for `specs.isolation`.

    python -m specs.worker FD      (a JSON request on stdin; JSON-line events written to FD)

Events: {"event": "loaded", "label", "notes"} or {"event": "load-error", "message"}, then one
{"event": "example"} as each example starts, then {"event": "result", "result", "flag_resets"}.
The worker leaves with os._exit, so a target's atexit handlers never run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import sys
import traceback
from typing import IO

from specs import open_engine
from specs.database import open_database
from specs.loader import TargetLoadError
from specs.properties import BY_ID
from specs.runner import Options, run_property


def _send(channel: IO[str], **event: object) -> None:
    channel.write(json.dumps(event) + "\n")
    channel.flush()


def _cap_memory(megabytes: int) -> None:
    """Cap the address space, so a runaway target gets MemoryError instead of the machine's RAM."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(fd: int) -> None:
    """Serve one request: load the target, run the property, report, leave."""
    request = json.loads(sys.stdin.readline())
    channel = os.fdopen(fd, "w")
    _cap_memory(int(request["max_memory_mb"]))
    try:
        engine, notes = open_engine(request["target"])
    except TargetLoadError as error:
        _send(channel, event="load-error", message=str(error))
        return
    _send(channel, event="loaded", label=engine.label, notes=notes)
    options = Options(
        max_examples=int(request["max_examples"]),
        seed=request["seed"],
        timeout=float(request["timeout"]),
        database=open_database(request["database"], target=request["target"]),
        on_example=lambda: _send(channel, event="example"),
    )
    result, tally = run_property(BY_ID[request["property"]], engine, options)
    _send(channel, event="result", result=dataclasses.asdict(result), flag_resets=tally.flag_resets)


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]))
    except BaseException:  # a bug of the suite's: the parent shows this in the output's tail
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
