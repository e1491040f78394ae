"""Legacy ClinicalTrials.gov `<clinical_study>` XML (AllPublicXML).

The source text is `eligibility/criteria/textblock` exactly as the XML parser decodes it
(`&#xD;` stays a carriage return); spans index that string.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..errors import InputError, UnknownFormatError
from ..model import SourceDocument, TrialInfo
from .pages import trimmed_region
from .trial_fields import clean_str, parse_age, parse_bool, parse_sex

CTGOV_XML = "ctgov-xml"
XML_TEXT_FIELD = "eligibility/criteria/textblock"


def _text(el: ET.Element, path: str) -> str | None:
    found = el.find(path)
    return clean_str(found.text) if found is not None else None


def study_document(study: ET.Element, name: str) -> SourceDocument:
    trial = TrialInfo(
        nct_id=_text(study, "id_info/nct_id"),
        title=_text(study, "brief_title") or _text(study, "official_title"),
        conditions=[c.text.strip() for c in study.findall("condition") if c.text and c.text.strip()],
        interventions=[
            {"type": (_text(i, "intervention_type") or "Other").upper().replace(" ", "_"),
             "name": _text(i, "intervention_name") or ""}
            for i in study.findall("intervention")
        ],
        minimum_age=parse_age(_text(study, "eligibility/minimum_age")),
        maximum_age=parse_age(_text(study, "eligibility/maximum_age")),
        sex=parse_sex(_text(study, "eligibility/gender")),
        healthy_volunteers=parse_bool(_text(study, "eligibility/healthy_volunteers")),
    )
    block = study.find(XML_TEXT_FIELD)
    text = (block.text or "") if block is not None else ""
    return SourceDocument(name, CTGOV_XML, text, XML_TEXT_FIELD, trial=trial,
                          criteria_region=trimmed_region(text))


def read_xml(data: bytes, name: str) -> list[SourceDocument]:
    """All `<clinical_study>` documents in an XML file. Raises InputError for broken XML."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        if reason.startswith(("no element found", "unclosed token")):
            hint = "the file may be an incomplete download"
        else:
            hint = "check that the file is well-formed XML"
        raise InputError(f"{name}: broken XML (line {line}, column {column + 1}): {reason}: {hint}") from None
    studies = [root] if root.tag == "clinical_study" else root.findall(".//clinical_study")
    if not studies:
        raise UnknownFormatError(
            f"{name}: XML root <{root.tag}> is not a ClinicalTrials.gov <clinical_study> record: "
            "pass legacy CT.gov XML, API JSON, CSV or text"
        )
    return [study_document(s, name) for s in studies]
