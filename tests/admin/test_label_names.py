"""Issue 13, item 4: the room label (shown on lock screens) may not name the patient in any
script — kanji, hiragana, katakana of either width, or romaji in any common spelling."""

from __future__ import annotations

import pytest

from server.admin.label_names import label_names_patient

NAME, KANA = "試験 花子", "シケン ハナコ"


@pytest.mark.parametrize("label", [
    "試験 花子", "試験宅", "花子さん", "しけん はなこ", "しけんはなこ", "はなこ",
    "ｼｹﾝ ﾊﾅｺ", "ｼｹﾝ", "シケン　ハナコ", "Shiken Hanako", "shiken", "SHIKEN-HANAKO",
    "ShikenHanako", "Siken Hanako", "Ｈａｎａｋｏ", "訪問 hanako", "しけん・はなこ",
])
def test_labels_that_name_the_patient_are_found(label: str) -> None:
    assert label_names_patient(label, NAME, KANA)


@pytest.mark.parametrize("label", ["A-12", "北町ルート", "北-7", "Kitamachi 3", "月曜午前"])
def test_labels_that_do_not_name_the_patient_pass(label: str) -> None:
    assert not label_names_patient(label, NAME, KANA)


@pytest.mark.parametrize(("label", "name", "kana"), [
    ("Satoh", "佐藤 一郎", "サトウ イチロウ"),
    ("Sato Ichiro", "佐藤 一郎", "サトウ イチロウ"),
    ("Chujo", "中条 純", "チュウジョウ ジュン"),
    ("Tyuuzyou", "中条 純", "チュウジョウ ジュン"),
    ("Ito", "伊藤 ゆう", "イトウ ユウ"),
    ("Matcha", "抹茶 太郎", "マッチャ タロウ"),
    ("ゆう 宅", "伊藤 ゆう", "イトウ ユウ"),
])
def test_romanisations_and_long_vowels_are_folded(label: str, name: str, kana: str) -> None:
    assert label_names_patient(label, name, kana)


def test_a_short_romanised_part_only_counts_as_a_whole_word() -> None:
    # いとう → "ito": a word "Ito" names the patient, "Kitamachi" does not.
    assert not label_names_patient("Kitamachi", "伊藤 ゆう", "イトウ ユウ")
    assert label_names_patient("Ito route", "伊藤 ゆう", "イトウ ユウ")
