"""What an import found: every problem with its file, row and column, and what it would do.

A dry run and an applied import give the same report; an import with problems
writes nothing (all or nothing), so the clerk corrects the files and runs it again.
Rows count as a spreadsheet shows them: the header is row 1, the first record row 2
(a JSON Lines file has no header: its first record is row 1).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .schemas import ImportKindOut, ImportProblemOut, ImportReportOut


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message_ja: str
    message_en: str
    code: str


class TooManyProblems(Exception):
    """Past this many, a report says so instead of listing a broken file line by line."""


MAX_PROBLEMS = 2000


@dataclass
class Report:
    """Problems found and, per kind, how many records would be created, updated or kept."""

    problems: list[Problem] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    truncated: bool = False

    def add(self, file: str, row: int | None, column: str | None, code: str,
            message_ja: str, message_en: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated = True
            raise TooManyProblems
        self.problems.append(Problem(file, row, column, message_ja, message_en, code))

    @property
    def ok(self) -> bool:
        return not self.problems

    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def out(self) -> ImportReportOut:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return ImportReportOut(
            ok=self.ok,
            problems=[ImportProblemOut(file=p.file, row=p.row, column=p.column, code=p.code,
                                       message_ja=p.message_ja, message_en=p.message_en)
                      for p in self.problems],
            truncated=self.truncated,
            kinds=[ImportKindOut(kind=k, created=self.created[k], updated=self.updated[k],
                                 unchanged=self.unchanged[k]) for k in kinds],
        )


class ImportRefused(Exception):
    """The import found problems and wrote nothing; `report` lists them."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.problems)} problem(s)")
        self.report = report
