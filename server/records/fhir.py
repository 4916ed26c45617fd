"""A room's record as a FHIR R4 Bundle (type `collection`), following JP-Core where it has a
profile, so that another Japanese system can read the patient's home-care record.

- Patient: JP_Patient — the name in kanji and kana (iso21090-EN-representation IDE/SYL,
  family and given split at the space), sex, birth date, address, phone, and the
  long-term-care insured number as an identifier.
- Practitioner (JP_Practitioner) for each author, with their Organization
  (JP_Organization): the people who wrote the record and where they work.
- Observation per vital sign of a post, each declaring JP_Observation_VitalSigns and the
  base R4 vital-signs profile of its kind, coded in LOINC with UCUM units: blood
  pressure as the panel 85354-9 with systolic 8480-6 and diastolic 8462-4 components (mm[Hg]),
  heart rate 8867-4 (/min), body temperature 8310-5 (Cel), oxygen saturation 2708-6 with
  59408-5 (pulse oximetry, %), respiratory rate 9279-1 (/min), body weight 29463-7 (kg).
  JP-Core's categories: JP_SimpleObservationCategory_CS#vital-signs and
  JP_ObservationVitalSignsCategory_CS (blood-pressure, pulse-rate, temperature …).
- Blood glucose is a lab value, not a vital sign: JP_Observation_LabResult, coded in JLAC10
  (urn:oid:1.2.392.200119.4.504, 3D010000001999901: glucose, whole blood, method unstated)
  with LOINC 2339-0 beside it, in mg/dL.
- Each post and each comment as a Communication (JP-Core has no profile for it; base R4):
  the text as payload, the report title as category, the author as sender, comments
  `inResponseTo` their post.
- Each document (PDF) a post carries as a DocumentReference (base R4): its name, pages and
  size, the address members fetch it from, and the post's Communication as context. The
  PDF itself stays out of the bundle: documents are served to current members only.

The profiles' URLs are declared in `meta.profile`; tests validate the bundle against the
R4 models of fhir.resources.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from store.models.enums import OFFICE_KIND_LABELS, OfficeKind

from .record import Person, RecordDocument, RecordPost, RoomRecord

JP = "http://jpfhir.jp/fhir/core/StructureDefinition/"
JP_PATIENT = JP + "JP_Patient"
JP_PRACTITIONER = JP + "JP_Practitioner"
JP_ORGANIZATION = JP + "JP_Organization"
JP_VITAL_SIGNS = JP + "JP_Observation_VitalSigns"
JP_LAB_RESULT = JP + "JP_Observation_LabResult"
JP_SIMPLE_CATEGORY = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS"
JP_VITAL_CATEGORY = "http://jpfhir.jp/fhir/core/CodeSystem/JP_ObservationVitalSignsCategory_CS"
HL7_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
JLAC10 = "urn:oid:1.2.392.200119.4.504"
NAME_FORM = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"
BASE = "http://hl7.org/fhir/StructureDefinition/"
# carebook's own identifiers, under the installation's address.
INSURED_NUMBER_SYSTEM = "urn:carebook:long-term-care-insured-number"


def _instant(moment: datetime) -> str:
    return moment.isoformat()


def _names(name: str, kana: str) -> list[dict[str, Any]]:
    out = []
    for text, form in ((name, "IDE"), (kana, "SYL")):
        text = " ".join(text.replace("\u3000", " ").split())
        if not text:
            continue
        family, _, given = text.partition(" ")
        entry: dict[str, Any] = {
            "extension": [{"url": NAME_FORM, "valueCode": form}],
            "use": "official",
            "text": text,
            "family": family,
        }
        if given:
            entry["given"] = [given]
        out.append(entry)
    return out


def _patient(record: RoomRecord) -> dict[str, Any]:
    patient = record.patient
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.id),
        "meta": {"profile": [JP_PATIENT]},
        "identifier": [{"system": "urn:carebook:patient", "value": str(patient.id)}],
        "name": _names(patient.name, patient.name_kana),
        "gender": {"male": "male", "female": "female"}.get(patient.sex, "other"),
        "birthDate": patient.birth_date.isoformat(),
    }
    if patient.insured_number:
        resource["identifier"].append(
            {"system": INSURED_NUMBER_SYSTEM, "value": patient.insured_number})
    if patient.phone:
        resource["telecom"] = [{"system": "phone", "value": patient.phone, "use": "home"}]
    if patient.address:
        address: dict[str, Any] = {"use": "home", "text": patient.address, "country": "JP"}
        if patient.postal_code:
            address["postalCode"] = patient.postal_code
        resource["address"] = [address]
    return resource


def _organization(person: Person) -> dict[str, Any]:
    try:
        kind = OFFICE_KIND_LABELS[OfficeKind(person.office_kind)]
    except ValueError:
        kind = person.office_kind
    return {
        "resourceType": "Organization",
        "id": str(person.office_id),
        "meta": {"profile": [JP_ORGANIZATION]},
        "name": person.office_name,
        "type": [{"text": kind}],
    }


def _practitioner(person: Person) -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": str(person.id),
        "meta": {"profile": [JP_PRACTITIONER]},
        "name": _names(person.name, person.name_kana),
    }


# key: (LOINC code, display, UCUM unit, JP-Core category code, Japanese name, base profile)
VITALS: dict[str, tuple[str, str, str, str, str, str]] = {
    "pulse": ("8867-4", "Heart rate", "/min", "pulse-rate", "脈拍数", "heartrate"),
    "temperature": ("8310-5", "Body temperature", "Cel", "temperature", "体温", "bodytemp"),
    "spo2": ("2708-6", "Oxygen saturation in Arterial blood", "%", "respiratory-function",
             "酸素飽和度", "oxygensat"),
    "respirationRate": ("9279-1", "Respiratory rate", "/min", "respiratory-function", "呼吸数",
                        "resprate"),
    "weight": ("29463-7", "Body weight", "kg", "signs-symptoms", "体重", "bodyweight"),
}


def _quantity(value: float | int, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _vital_categories(jp_code: str, jp_display: str) -> list[dict[str, Any]]:
    return [
        {"coding": [{"system": JP_SIMPLE_CATEGORY, "code": "vital-signs",
                     "display": "Vital Signs"}]},
        {"coding": [{"system": JP_VITAL_CATEGORY, "code": jp_code, "display": jp_display}]},
        {"coding": [{"system": HL7_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]},
    ]


def _observation(post: RecordPost, key: str, subject: str, performer: str,
                 communication: str) -> dict[str, Any]:
    common: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(post.id, key)),
        "status": "final",
        "subject": {"reference": subject},
        "effectiveDateTime": _instant(post.created_at),
        "performer": [{"reference": performer}],
        "derivedFrom": [{"reference": communication}],
    }
    vitals = post.vitals or {}
    if key == "bloodPressure":
        components = []
        for part, code, display in (("systolic", "8480-6", "Systolic blood pressure"),
                                    ("diastolic", "8462-4", "Diastolic blood pressure")):
            if part in vitals:
                components.append({
                    "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                    "valueQuantity": _quantity(vitals[part], "mm[Hg]"),
                })
        return common | {
            "meta": {"profile": [JP_VITAL_SIGNS, BASE + "bp"]},
            "category": _vital_categories("blood-pressure", "血圧"),
            "code": {"coding": [{"system": LOINC, "code": "85354-9",
                                 "display": "Blood pressure panel with all children optional"}],
                     "text": "血圧"},
            "component": components,
        }
    if key == "bloodGlucose":
        return common | {
            "meta": {"profile": [JP_LAB_RESULT]},
            "category": [
                {"coding": [{"system": JP_SIMPLE_CATEGORY, "code": "laboratory",
                             "display": "Laboratory"}]},
                {"coding": [{"system": HL7_CATEGORY, "code": "laboratory",
                             "display": "Laboratory"}]},
            ],
            "code": {"coding": [
                {"system": JLAC10, "code": "3D010000001999901", "display": "グルコース"},
                {"system": LOINC, "code": "2339-0",
                 "display": "Glucose [Mass/volume] in Blood"},
            ], "text": "血糖"},
            "valueQuantity": _quantity(vitals["bloodGlucose"], "mg/dL"),
        }
    code, display, unit, jp_code, jp_name, base = VITALS[key]
    codings = [{"system": LOINC, "code": code, "display": display}]
    if key == "spo2":
        codings.append({"system": LOINC, "code": "59408-5",
                        "display": "Oxygen saturation in Arterial blood by Pulse oximetry"})
    return common | {
        "meta": {"profile": [JP_VITAL_SIGNS, BASE + base]},
        "category": _vital_categories(jp_code, jp_name),
        "code": {"coding": codings, "text": jp_name},
        "valueQuantity": _quantity(vitals[key], unit),
    }


def _observation_keys(post: RecordPost) -> list[str]:
    vitals = post.vitals or {}
    keys = ["bloodPressure"] if "systolic" in vitals or "diastolic" in vitals else []
    keys += [k for k in (*VITALS, "bloodGlucose") if k in vitals]
    return keys


def _communication(ident: uuid.UUID, subject: str, sender: str, sent: datetime, body: str,
                   title: str, in_response_to: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "id": str(ident),
        "status": "completed",
        "subject": {"reference": subject},
        "sender": {"reference": sender},
        "sent": _instant(sent),
        "payload": [{"contentString": body}],
    }
    if title:
        resource["category"] = [{"text": title}]
    if in_response_to:
        resource["inResponseTo"] = [{"reference": in_response_to}]
    return resource


def _document_reference(document: RecordDocument, post: RecordPost, subject: str,
                        author: str, message: str, base_url: str) -> dict[str, Any]:
    """A PDF a post carries: where to fetch it (members only, as in the app), its name,
    size and pages, and the post (Communication) it came with."""
    return {
        "resourceType": "DocumentReference",
        "id": str(document.id),
        "status": "current",
        "subject": {"reference": subject},
        "date": _instant(post.created_at),
        "author": [{"reference": author}],
        "description": f"{document.name}（{document.pages}ページ）",
        "content": [{"attachment": {
            "contentType": "application/pdf",
            "url": f"{base_url}/api/attachments/{document.id}",
            "title": document.name,
            "size": document.size,
            "creation": _instant(post.created_at),
        }}],
        "context": {"related": [{"reference": message}]},
    }


def bundle(record: RoomRecord, *, now: datetime, base_url: str) -> dict[str, Any]:
    """The record as one Bundle of type `collection`, every entry with a `urn:uuid:` fullUrl."""
    entries: list[dict[str, Any]] = []

    def add(resource: dict[str, Any]) -> str:
        full = f"urn:uuid:{resource['id']}"
        entries.append({"fullUrl": full, "resource": resource})
        return full

    subject = add(_patient(record))
    practitioners: dict[uuid.UUID, str] = {}
    offices: set[uuid.UUID] = set()
    for person in sorted(record.people.values(), key=lambda p: (p.name_kana, str(p.id))):
        if person.office_id is not None and person.office_id not in offices:
            offices.add(person.office_id)
            add(_organization(person))
        practitioners[person.id] = add(_practitioner(person))
    for post in record.posts:
        sender = practitioners[post.author_id]
        message = add(_communication(post.id, subject, sender, post.created_at, post.body,
                                     post.title))
        for key in _observation_keys(post):
            add(_observation(post, key, subject, sender, message))
        for document in post.documents:
            add(_document_reference(document, post, subject, sender, message, base_url))
        for comment in post.comments:
            add(_communication(comment.id, subject, practitioners[comment.author_id],
                               comment.created_at, comment.body, "", in_response_to=message))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(now)},
        "identifier": {"system": f"{base_url}/fhir/bundle", "value": str(record.room.id)},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": entries,
    }
