"""asyncio's debug-mode notes on slow steps, kept off stderr: for real_library_driver.py and dask_driver.py."""

from __future__ import annotations

import logging
import re


class SlowSteps(logging.Filter):
    """Takes asyncio's "Executing <...> took 0.124 seconds" notes off stderr and keeps their durations."""

    NOTE = re.compile(r"Executing .* took (\d+\.\d+) seconds", re.DOTALL)

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def filter(self, record: logging.LogRecord) -> bool:
        note = self.NOTE.fullmatch(record.getMessage())
        if note is None:
            return True  # anything else asyncio logs (a pending task destroyed, an error never retrieved) stays
        self.seconds.append(float(note[1]))
        return False
