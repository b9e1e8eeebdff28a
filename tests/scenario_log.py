"""Shared runner of the differential scenario tests: a scenario is ``f(lib, log)`` that appends
what it observes to ``log``; run once with ember and once with torch, the logs must be equal."""
from __future__ import annotations


def run(lib, scenario):
    """The scenario's log; an exception ends it with its class and text (part of the log)."""
    log = []
    try:
        scenario(lib, log)
    except Exception as e:  # noqa: BLE001 - the error class and text are part of the log
        log.append(("ERR", type(e).__name__, str(e)[:90]))
    return log
