"""Checking what 様式5/6 say about a patient before anything is stored.

Dates of birth arrive in the Western or the Japanese era calendar; both end as
one `date`. A consent signed by a proxy names the proxy and the relationship.
A room's push label is shown on lock screens, so it must not be the patient's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec

from ..errors import InvalidInput
from ..japan import EraDateError, from_western, to_western
from .label_names import label_names_patient
from .schemas import BirthDate, ConsentIn, EraDateIn, PatientIn


def birth_date_of(value: BirthDate, today: date) -> date:
    try:
        if isinstance(value, EraDateIn):
            result = to_western(value.era, value.year, value.month, value.day)
        else:
            result = value
            from_western(result)  # refuses dates before Meiji
    except EraDateError as exc:
        raise InvalidInput(
            "生年月日が正しくありません：" + exc.message_ja,
            "The date of birth is not valid: " + exc.message_en,
            code="invalid_birth_date",
        ) from None
    if result > today:
        raise InvalidInput(
            "生年月日が未来の日付です。",
            "The date of birth lies in the future.",
            code="invalid_birth_date",
        )
    return result


@dataclass(frozen=True)
class PatientValues:
    name: str
    name_kana: str
    sex: str
    birth_date: date
    postal_code: str
    address: str
    phone: str
    care_level: str
    insured_number: str
    attending_physician: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""

    def as_payload(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "nameKana": self.name_kana,
            "sex": self.sex,
            "birthDate": self.birth_date.isoformat(),
            "postalCode": self.postal_code,
            "address": self.address,
            "phone": self.phone,
            "careLevel": self.care_level,
            "insuredNumber": self.insured_number,
            "attendingPhysician": self.attending_physician,
            "emergencyContactName": self.emergency_contact_name,
            "emergencyContactRelationship": self.emergency_contact_relationship,
            "emergencyContactPhone": self.emergency_contact_phone,
        }


def patient_values(patient: PatientIn, today: date) -> PatientValues:
    return PatientValues(
        name=patient.name.strip(),
        name_kana=patient.name_kana.strip(),
        sex=patient.sex.value,
        birth_date=birth_date_of(patient.birth_date, today),
        postal_code=patient.postal_code,
        address=patient.address.strip(),
        phone=patient.phone,
        care_level=patient.care_level.value,
        insured_number=patient.insured_number,
        attending_physician=patient.attending_physician.strip(),
        emergency_contact_name=patient.emergency_contact_name.strip(),
        emergency_contact_relationship=patient.emergency_contact_relationship.strip(),
        emergency_contact_phone=patient.emergency_contact_phone,
    )


def checked_consent(consent: ConsentIn, today: date, birth_date: date) -> ConsentIn:
    """A consent that says who signed; a proxy's name and relationship are required."""
    if consent.date > today:
        raise InvalidInput(
            "同意年月日が未来の日付です。",
            "The consent date lies in the future.",
            code="invalid_consent",
        )
    if consent.date < birth_date:
        raise InvalidInput(
            "同意年月日が生年月日より前です。",
            "The consent date precedes the date of birth.",
            code="invalid_consent",
        )
    if consent.signed_by == "proxy":
        if not consent.proxy_name or not consent.proxy_relationship:
            raise InvalidInput(
                "代理人が署名した場合は、代理人の氏名と続柄を入力してください。",
                "A consent signed by a proxy needs the proxy's name and relationship.",
                code="invalid_consent",
            )
        return consent
    return msgspec.structs.replace(consent, proxy_name=None, proxy_relationship=None)


def check_label(label: str, patient_name: str, patient_kana: str) -> str:
    """A label such as 「A-12」 or 「北町ルート」, never a part of the patient's name."""
    label = label.strip()
    if label_names_patient(label, patient_name, patient_kana):
        raise InvalidInput(
            "通知ラベルに患者（利用者）の氏名を含めないでください（ロック画面に表示されます）。",
            "The label must not contain the patient's name (it shows on lock screens).",
            code="label_names_patient",
        )
    return label
