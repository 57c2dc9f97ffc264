"""The harness's one error type, HarnessError, and its kinds: each carries the process's exit code
and the `result` it leaves in the run log. Anything raised as one is reported in one line."""

from __future__ import annotations

import signal
from pathlib import Path

EXIT_FAILED = 1
EXIT_LOCKED = 3
EXIT_WRITER = 4


class HarnessError(Exception):
    """A failure to report in one line and exit on; `result` names it in the run log."""

    exit_code = EXIT_FAILED
    result = "failed"

    def __init__(self, message: str, result: str | None = None):
        super().__init__(message)
        if result is not None:
            self.result = result


class Locked(HarnessError):
    """Another build holds the warehouse's lock (or another export writes the same folder)."""

    exit_code = EXIT_LOCKED
    result = "locked"


class WriterPresent(HarnessError):
    """A process has the published file open read-write: publishing over it is refused."""

    exit_code = EXIT_WRITER
    result = "publish_refused"


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived; raised by the handler signals.install() sets. `published` is set
    when the build had already published (the signal came after the rename). Not a HarnessError:
    it unwinds through the clean-up of every step, and exits with 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum
        self.published: Path | None = None


def os_error_text(error: OSError) -> str:
    """An OSError as one line without Python's "[Errno 28]": the reason, and the file if named."""
    text = error.strerror or str(error)
    return f"{text}: {error.filename}" if error.filename else text
