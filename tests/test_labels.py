"""The words of the server's enums and of the PWA are one set: the PWA's copy is generated.

`python -m server.labels` writes `pwa/src/generated/labels.ts`; when an enum gains a member or
a label changes and the file was not regenerated, this fails and says how to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args, get_type_hints

from server.admin import correction_schemas
from server.admin.schemas import ClosingReason as OfficeClosingReason
from server.labels import LABEL_SETS, TARGET, typescript
from server.templates import schemas as template_schemas
from store.models.enums import (
    ApplicationKind,
    CareLevel,
    ClosingReason,
    DuplicateMatch,
    LabelledEnum,
    OfficeClosing,
    Permission,
    StaffHandling,
    TemplateScope,
    VitalFlag,
    VitalSign,
)
from sync import mutations, thresholds

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_the_pwa_labels_are_generated_from_the_server_enums() -> None:
    assert TARGET.read_text(encoding="utf-8") == typescript(), (
        "pwa/src/generated/labels.ts is stale: run `.venv/bin/python -m server.labels`"
    )


def test_every_member_has_a_japanese_and_an_english_label() -> None:
    for name, enum in LABEL_SETS.items():
        for member in enum:
            ja, en = member.label("ja"), member.label("en")
            assert ja and en, f"{name}.{member.value} lacks a label"
            # A term Japanese screens use as it is (SpO2) is its own Japanese label.
            assert JAPANESE.search(ja) or ja == en, f"{name}.{member.value}: {ja}"
            assert not JAPANESE.search(en), f"{name}.{member.value}: {en}"


def test_labels_use_the_manual_words() -> None:
    assert ApplicationKind.id_care_manager.label() == "利用登録依頼（様式2-2C・4-1）"
    assert ApplicationKind.id_stop.label() == "ID停止依頼（様式3）"
    assert ApplicationKind.room_open.label() == "患者（利用者）部屋作成依頼（様式5・6）"
    assert ApplicationKind.room_close.label() == "部屋の終了依頼"
    assert Permission.read.label() == "閲覧のみ"
    assert CareLevel.label_of("care_3") == "要介護3"
    assert ClosingReason.label_of("unknown-code") == "unknown-code"


def test_no_pwa_catalogue_keeps_its_own_copy_of_an_enum_label() -> None:
    """A catalogue entry per code (`kind.roomOpen`, `care.care_3` …) would drift from the server.

    A copy shows as one key prefix carrying every code of a set (`care.none` … `care.care_5`);
    for a set of two codes (read/write, open/closed) only when the prefix has exactly those,
    since other vocabularies share such common words (an access log's read/write/admin).
    """
    app_catalogues = sorted((ROOT / "pwa/src").glob("messages-*.ts"))
    catalogues = [ROOT / "pwa/src/admin/messages.ts", *app_catalogues]
    assert len(catalogues) >= 4, catalogues
    for path in catalogues:
        keys = re.findall(r'^\s*"([\w.]+)":', path.read_text(encoding="utf-8"), re.M)
        by_prefix: dict[str, set[str]] = {}
        for key in keys:
            prefix, _, code = key.rpartition(".")
            by_prefix.setdefault(prefix, set()).add(code)
        for name, enum in LABEL_SETS.items():
            codes = {member.value for member in enum}
            copies = [
                prefix
                for prefix, found in by_prefix.items()
                if prefix and (codes == found if len(codes) <= 2 else codes <= found)
            ]
            assert not copies, f"{path.name} keeps its own labels of {name} under {copies}"


def _codes(literal: Any) -> set[str]:
    return set(get_args(literal))


def _values(enum: type[LabelledEnum]) -> set[str]:
    return {member.value for member in enum}


def test_the_wire_vocabularies_are_the_labelled_ones() -> None:
    """Each code the API takes or answers has its label: a vital sign, a flag, a template's
    scope, an office's closing and its staff, a duplicate's match, a post's closing reason."""
    assert _codes(mutations.VitalSign) == _values(VitalSign)
    assert set(thresholds.SIGN_BOUNDS) <= _values(VitalSign)
    assert _codes(thresholds.FlagDirection) == _values(VitalFlag)
    assert _codes(template_schemas.TemplateScope) == _values(TemplateScope)
    assert _codes(correction_schemas.MatchedOn) == _values(DuplicateMatch)
    assert _codes(correction_schemas.StaffAction) == _values(StaffHandling)
    closing = get_type_hints(correction_schemas.OfficeCloseIn)["reason"]
    assert _codes(closing) == _values(OfficeClosing)
    # A post or an office may ask to close a room for these; the city alone records a withdrawal.
    assert _codes(mutations.ClosingReason) == _values(ClosingReason) - {"consentWithdrawn"}
    assert _codes(OfficeClosingReason) == _codes(mutations.ClosingReason)
