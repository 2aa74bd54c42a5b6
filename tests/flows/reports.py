"""A serve report for tests: it keeps what `serve` would print."""

from __future__ import annotations

from flows.run.records import RunSummary, Settings


class Said:
    """A ServeReport that keeps what serve would print."""

    def __init__(self) -> None:
        self.finished_runs: list[tuple[RunSummary, float]] = []
        self.lines: list[str] = []

    def started(self, settings: Settings) -> None:
        self.lines.append(f"started {settings.seeds}")

    def finished(self, summary: RunSummary, seconds: float) -> None:
        self.finished_runs.append((summary, seconds))

    def skipped(self, reason: str) -> None:
        self.lines.append(f"skipped {reason}")

    def failed(self, error: str) -> None:
        self.lines.append(f"failed {error}")

    def note(self, line: str) -> None:
        self.lines.append(line)
