"""SIGINT and SIGTERM: a build unwinds on the first (cleaning up its staging file and logging the
run), and holds both back for a step that must not be cut in two."""

from __future__ import annotations

import contextlib
import signal

from nrr_warehouse.errors import Interrupted

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def raise_interrupted(signum: int, _frame) -> None:
    """Signal handler: unwind, so that a build cleans up its staging file and logs the run. Only
    the first signal unwinds: a second one (Ctrl-C pressed again) must not cut the clean-up."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    raise Interrupted(signum)


def install() -> None:
    """Make SIGTERM and SIGINT raise Interrupted (cli.main calls it first)."""
    signal.signal(signal.SIGTERM, raise_interrupted)
    signal.signal(signal.SIGINT, raise_interrupted)


@contextlib.contextmanager
def deferred_signals():
    """Hold SIGINT and SIGTERM back (pthread_sigmask) for a step that must not be cut in two: the
    rename and the record saying so, or the run-log line. A signal that arrives meanwhile is
    delivered (and raises Interrupted) as the block ends."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
