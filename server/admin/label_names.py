"""Does a room label name its patient? Compared across scripts, widths and romanisations.

A room label is shown on lock screens (push notifications, when a user opts in), so it must
not carry the patient's name in any form a passer-by could read: 試験 花子 is just as much
しけん はなこ, ｼｹﾝ ﾊﾅｺ or "Shiken Hanako". Each side is normalised before comparing:
- NFKC (half-width katakana and full-width Latin become ordinary characters);
- katakana → hiragana, spaces and middle dots dropped;
- the patient's kana in romaji (jaconv, Hepburn), compared with the label's Latin letters
  after both are folded to one loose spelling (shi/si, chi/ti, tsu/tu, ji/zi, fu/hu, long
  vowels ou/oo/oh/uu, diacritics), so Kunrei, passport and Hepburn spellings all match.

A romanised part of three letters (いとう → "ito") is matched only as a whole word of the
label, longer ones anywhere in it: a label such as "Kitamachi" must stay possible for a
patient called 伊藤.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

_SEPARATORS = re.compile(r"[\s\u3000・･·.,_\-‐－/]+")
_NOT_LETTER = re.compile(r"[^a-z]+")
# Applied in order to both sides: one spelling for the ways Japanese names are romanised.
_FOLDS = [
    ("cch", "tch"), ("tch", "tt"), ("sh", "s"), ("ch", "t"), ("ts", "t"), ("sy", "s"),
    ("ty", "t"), ("zy", "z"), ("jy", "z"), ("j", "z"), ("dz", "z"), ("f", "h"), ("l", "r"),
    ("mb", "nb"), ("mp", "np"), ("mm", "nm"), ("oh", "o"), ("ou", "o"), ("oo", "o"),
    ("uu", "u"), ("aa", "a"), ("ii", "i"), ("ee", "e"),
]
SHORTEST_ANYWHERE = 4


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _hiragana(text: str) -> str:
    """Kana in one script and width, without spaces: ｼｹﾝ ﾊﾅｺ → しけんはなこ."""
    return _SEPARATORS.sub("", jaconv.kata2hira(_nfkc(text)))


def _fold(latin: str) -> str:
    """One loose spelling: "Shiken Hanako", "Siken Hanako" and "SHIKEN Hanakoh" agree."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", latin.lower()) if not unicodedata.combining(c)
    )
    plain = _NOT_LETTER.sub("", plain)
    for old, new in _FOLDS:
        plain = plain.replace(old, new)
    return plain


def _parts(text: str) -> list[str]:
    """The name's parts (family and given name) and the whole name, without spaces."""
    pieces = [p for p in _SEPARATORS.split(_nfkc(text).strip()) if p]
    return [*pieces, "".join(pieces)]


def label_names_patient(label: str, patient_name: str, patient_kana: str) -> bool:
    """True when the label contains the patient's name or a part of it, in any script."""
    squashed = _SEPARATORS.sub("", _nfkc(label))
    if any(len(part) >= 2 and part in squashed for part in _parts(patient_name)):
        return True
    label_kana = _hiragana(label)
    kana_parts = [_hiragana(part) for part in _parts(patient_kana)]
    if any(len(part) >= 2 and part in label_kana for part in kana_parts):
        return True
    label_latin = _fold(_nfkc(label))
    label_words = {_fold(word) for word in re.split(r"[^A-Za-z]+", _nfkc(label)) if word}
    for part in kana_parts:
        if len(part) < 2:
            continue
        romaji = _fold(jaconv.kana2alphabet(part))
        if len(romaji) >= SHORTEST_ANYWHERE and romaji in label_latin:
            return True
        if len(romaji) >= 3 and romaji in label_words:
            return True
    return False
