"""JSON records: ClinicalTrials.gov API v2 studies, classic-API studies, and corpus records.

`documents_from_json(obj, ...)` turns one parsed JSON value into SourceDocuments; it raises
RecordFormatError for JSON that is none of these shapes.
"""
from __future__ import annotations

from typing import Any

from ..errors import UnknownFormatError
from ..model import SourceDocument, TrialInfo
from .pages import trimmed_region
from .trial_fields import clean_str, parse_age, parse_bool, parse_sex, split_multi

CTGOV_JSON, CTGOV_CLASSIC_JSON, CORPUS_JSONL = "ctgov-json", "ctgov-classic-json", "corpus-jsonl"
API_TEXT_FIELD = "protocolSection.eligibilityModule.eligibilityCriteria"
CLASSIC_TEXT_FIELD = "ProtocolSection.EligibilityModule.EligibilityCriteria"
CORPUS_TEXT_FIELD = "eligibility_criteria"


class RecordFormatError(UnknownFormatError):
    """A JSON value that is not a study or a corpus record."""


def _dict(obj: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def _text_doc(name: str, fmt: str, text: Any, field: str, trial: TrialInfo) -> SourceDocument:
    text = text if isinstance(text, str) else ""
    return SourceDocument(name, fmt, text, field, trial=trial, criteria_region=trimmed_region(text))


def study_document(study: dict[str, Any], name: str) -> SourceDocument:
    """One API v2 study (`{"protocolSection": ...}`)."""
    ps = _dict(study, "protocolSection")
    ident = _dict(ps, "identificationModule")
    elig = _dict(ps, "eligibilityModule")
    trial = TrialInfo(
        nct_id=clean_str(ident.get("nctId")),
        title=clean_str(ident.get("briefTitle")) or clean_str(ident.get("officialTitle")),
        conditions=split_multi(_dict(ps, "conditionsModule").get("conditions")),
        interventions=[
            {"type": str(i.get("type") or "OTHER"), "name": str(i.get("name") or "").strip()}
            for i in _dict(ps, "armsInterventionsModule").get("interventions") or []
            if isinstance(i, dict)
        ],
        minimum_age=parse_age(elig.get("minimumAge")),
        maximum_age=parse_age(elig.get("maximumAge")),
        sex=parse_sex(elig.get("sex")),
        healthy_volunteers=parse_bool(elig.get("healthyVolunteers")),
    )
    return _text_doc(name, CTGOV_JSON, elig.get("eligibilityCriteria"), API_TEXT_FIELD, trial)


def classic_study_document(study: dict[str, Any], name: str) -> SourceDocument:
    """One classic-API study (`{"ProtocolSection": ...}`; list values wrapped in objects)."""
    ps = _dict(study, "ProtocolSection")
    ident = _dict(ps, "IdentificationModule")
    elig = _dict(ps, "EligibilityModule")
    conditions = _dict(ps, "ConditionsModule", "ConditionList").get("Condition")
    interventions = _dict(ps, "ArmsInterventionsModule", "InterventionList").get("Intervention") or []
    trial = TrialInfo(
        nct_id=clean_str(ident.get("NCTId")),
        title=clean_str(ident.get("BriefTitle")) or clean_str(ident.get("OfficialTitle")),
        conditions=split_multi(conditions),
        interventions=[
            {"type": str(i.get("InterventionType") or "OTHER").upper().replace(" ", "_"),
             "name": str(i.get("InterventionName") or "").strip()}
            for i in interventions if isinstance(i, dict)
        ],
        minimum_age=parse_age(elig.get("MinimumAge")),
        maximum_age=parse_age(elig.get("MaximumAge")),
        sex=parse_sex(elig.get("Gender")),
        healthy_volunteers=parse_bool(elig.get("HealthyVolunteers")),
    )
    return _text_doc(name, CTGOV_CLASSIC_JSON, elig.get("EligibilityCriteria"), CLASSIC_TEXT_FIELD, trial)


def corpus_document(rec: dict[str, Any], name: str) -> SourceDocument:
    """The corpus's own record shape (nct_id, title, eligibility_criteria, ...)."""
    conditions = rec.get("conditions")
    trial = TrialInfo(
        nct_id=clean_str(rec.get("nct_id")),
        title=clean_str(rec.get("title")) or clean_str(rec.get("official_title")),
        conditions=split_multi(conditions) if isinstance(conditions, (list, str)) else [],
        minimum_age=parse_age(rec.get("minimum_age")),
        maximum_age=parse_age(rec.get("maximum_age")),
        sex=parse_sex(rec.get("sex")),
        healthy_volunteers=parse_bool(rec.get("healthy_volunteers")),
    )
    return _text_doc(name, CORPUS_JSONL, rec.get("eligibility_criteria"), CORPUS_TEXT_FIELD, trial)


def documents_from_json(obj: Any, name: str) -> list[SourceDocument]:
    """The documents in one parsed JSON value (a study, a page of studies, a record, a list)."""
    if isinstance(obj, list):
        docs: list[SourceDocument] = []
        for item in obj:
            docs.extend(documents_from_json(item, name))
        return docs
    if not isinstance(obj, dict):
        raise RecordFormatError(f"a JSON {type(obj).__name__}, not a study object")
    if "protocolSection" in obj:
        return [study_document(obj, name)]
    if isinstance(obj.get("studies"), list):
        return [study_document(s, name) for s in obj["studies"] if isinstance(s, dict)]
    if "eligibility_criteria" in obj:
        return [corpus_document(obj, name)]
    if "ProtocolSection" in obj:
        return [classic_study_document(obj, name)]
    if isinstance(obj.get("Study"), dict):
        return [classic_study_document(obj["Study"], name)]
    full = obj.get("FullStudiesResponse")
    if isinstance(full, dict):
        return [classic_study_document(_dict(s, "Study"), name) for s in full.get("FullStudies") or []]
    keys = " ".join(", ".join(sorted(obj)[:5]).split())[:120]
    raise RecordFormatError(
        f"JSON object without 'protocolSection', 'studies' or 'eligibility_criteria' (keys: {keys})"
    )
