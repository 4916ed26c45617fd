"""What every step of a file import shares: the import's context, a row of a recognised file,
and turning the services' refusals (msgspec bounds, domain errors) into the report's problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec

from ..audit.service import Actor
from ..auth.context import AuthContext
from ..errors import DomainError
from .columns import Mapped
from .report import Report
from .values import CellError

T = TypeVar("T")


@dataclass
class ImportContext(AuthContext):
    """An AuthContext for the import: the clerk signed in on the screen, or the operator's
    command (`cli:<account>` in the audit log)."""

    command_actor: Actor | None = None

    @property
    def actor(self) -> Actor:
        return self.command_actor if self.command_actor is not None else super().actor


@dataclass
class Row:
    """One data row of a recognised file."""

    file: str
    number: int
    cells: list[str]
    mapped: Mapped

    def get(self, key: str) -> str:
        return self.mapped.get(self.cells, key)

    def header(self, key: str | None) -> str | None:
        return self.mapped.header(key) if key else None


@dataclass
class Problems:
    """The report, with helpers that name a row's file, number and column."""

    report: Report
    bad_rows: set[tuple[str, int]] = field(default_factory=set)
    # Patients and people whose own row has a problem: rows that depend on them are not
    # checked further (the report names the cause once, not every consequence).
    skipped_patients: set[str] = field(default_factory=set)
    skipped_people: set[str] = field(default_factory=set)

    def add(self, row: Row, key: str | None, code: str, ja: str, en: str) -> None:
        self.bad_rows.add((row.file, row.number))
        self.report.add(row.file, row.number, row.header(key), code, ja, en)

    def cell(self, row: Row, key: str, exc: CellError) -> None:
        self.add(row, key, exc.code, exc.message_ja, exc.message_en)

    def domain(self, row: Row, key: str | None, exc: DomainError) -> None:
        self.add(row, key, exc.code, exc.message_ja, exc.message_en)

    def bad(self, row: Row) -> bool:
        return (row.file, row.number) in self.bad_rows


_AT = re.compile(r"at `\$\.([A-Za-z0-9_]+)")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _reason(message: str, field: str | None) -> tuple[str, str]:
    """msgspec's refusal in words a clerk can act on."""
    if field in ("name_kana",) and "matching regex" in message:
        return "ひらがなまたはカタカナで入力してください。", message
    if field in ("phone", "fax") and "matching regex" in message:
        return "電話番号は 012-555-0100 のように入力してください。", message
    if field == "postal_code" and "matching regex" in message:
        return "郵便番号は 000-0000 のように入力してください。", message
    if field == "insured_number" and "matching regex" in message:
        return "被保険者番号は10桁の数字です。", message
    if field == "email" and "matching regex" in message:
        return "メールアドレスは name@example.jp のように入力してください。", message
    if match := re.search(r"length <= (\d+)", message):
        return f"{match.group(1)}文字以内で入力してください。", message
    if "length >= 1" in message or "Expected `str`, got `null`" in message:
        return "空欄にできません。", message
    if "matching regex" in message:
        return "形式が正しくありません。", message
    if "Invalid enum value" in message:
        return "選べる値ではありません。", message
    if re.search(r"Expected `(int|float)` >=|<=", message):
        return "値が範囲外です。", message
    return "値が正しくありません。", message


def convert(
    problems: Problems, row: Row, data: dict[str, Any], into: type[T], columns: dict[str, str]
) -> T | None:
    """`data` as the service's input struct (its bounds are the screens' bounds); a refusal
    becomes a problem on the column the field came from (`columns`: field → column key)."""
    try:
        return msgspec.convert(data, into)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _AT.search(message)
        field = _snake(match.group(1)) if match else None
        key = columns.get(field) if field else None
        ja, en = _reason(message, field)
        problems.add(row, key, "invalid_value", ja, en)
        return None
