"""Text documents: saved registry pages, exported record text, and any other plain text.

Each reader takes the decoded text of the whole file (text_field null) and returns one
SourceDocument with `criteria_region` covering only the eligibility part, or None.
"""
from __future__ import annotations

import re

from ..model import SourceDocument, TrialInfo
from ..segment import find_first_heading, looks_like_criteria_list
from .trial_fields import clean_str, parse_age, parse_bool, parse_interventions, parse_sex, split_multi

CTGOV_PAGE, MEDPATH_PAGE, RECORD_TEXT, PLAIN_TEXT = "ctgov-page", "medpath-page", "ctgov-record-text", "plain-text"

_NCT_ID_LINE = re.compile(r"^NCT ID:\s*(NCT\d{8})\s*$", re.MULTILINE)
_MEDPATH_NCT = re.compile(r"^Registration Number\s*\n\s*(NCT\d{8})\s*$", re.MULTILINE)
_INTERVENTION_TYPES = (
    "DRUG|BIOLOGICAL|DEVICE|PROCEDURE|RADIATION|BEHAVIORAL|GENETIC|DIETARY_SUPPLEMENT|"
    "COMBINATION_PRODUCT|DIAGNOSTIC_TEST|OTHER"
)
_INTERVENTIONS_LINE = re.compile(
    rf"^(?:{_INTERVENTION_TYPES}): [^|\n]+(?:\|(?:{_INTERVENTION_TYPES}): [^|\n]+)*$"
)

# Page sections that end the eligibility part (CT.gov study page and MedPath).
_PAGE_SECTIONS = frozenset({
    "Minimum Eligible Age", "Maximum Eligible Age", "Eligible Sex", "Accepts Healthy Volunteers",
    "Sponsors", "Responsible Party", "Locations", "Countries", "References", "Provided Documents",
    "Other Identifiers", "More Related Trials", "Study & Design", "Study Design", "Trial Locations",
    "Contacts", "Investigators", "Study Type", "Primary Outcome Measures", "Secondary Outcome Measures",
    "Publications", "Related Trials", "Similar Trials", "Keywords", "Arms and Interventions",
    "Outcome Measures", "Study Contacts",
})
_CTGOV_SECTIONS = frozenset({
    "Study Results", "Basic Information", "Brief Summary", "Detailed Description", "Conditions",
    "Keywords", "Study Design", "Study Groups", "Interventions", "Other Intervention Names",
    "Eligibility Criteria", "Minimum Eligible Age", "Maximum Eligible Age", "Eligible Sex",
    "Accepts Healthy Volunteers", "Sponsors", "Responsible Party", "Locations", "Countries",
    "References", "Provided Documents", "Other Identifiers", "More Related Trials",
})


def trimmed_region(text: str, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """[start, end) shrunk to its first and last non-whitespace character, or None if empty."""
    end = len(text) if end is None else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _line_spans(text: str):
    """(start, end, stripped line) for each non-empty line."""
    pos = 0
    for line in text.split("\n"):
        s = line.strip()
        if s:
            yield pos, pos + len(line), s
        pos += len(line) + 1


def _page_region(text: str) -> tuple[int, int] | None:
    """From the first Inclusion/Exclusion heading to the end of the eligibility part."""
    head = find_first_heading(text)
    if head is None:
        return None
    start = head[0]
    end = len(text)
    for ls, _le, s in _line_spans(text[start:]):
        if s in _PAGE_SECTIONS:
            end = start + ls
            break
    return trimmed_region(text, start, end)


def _value_after(lines: list[str], label: str) -> str | None:
    try:
        i = lines.index(label)
    except ValueError:
        return None
    return lines[i + 1] if i + 1 < len(lines) else None


def _section_lines(lines: list[str], name: str, sections: frozenset[str]) -> list[str]:
    """The lines of a CT.gov page section, without its one-sentence description."""
    try:
        i = lines.index(name)
    except ValueError:
        return []
    out = []
    for s in lines[i + 1:]:
        if s in sections:
            break
        out.append(s)
    if out and len(out[0]) > 60 and out[0].endswith("."):
        out = out[1:]  # "See the medical conditions and disease areas that ..."
    return out


def is_ctgov_page(text: str) -> bool:
    return _NCT_ID_LINE.search(text) is not None


def is_medpath_page(text: str) -> bool:
    first = text.lstrip()[:40]
    return first.startswith("MedPath") or _MEDPATH_NCT.search(text) is not None


def read_ctgov_page(text: str, name: str) -> SourceDocument:
    lines = [s for _a, _b, s in _line_spans(text)]
    trial = TrialInfo()
    m = _NCT_ID_LINE.search(text)
    trial.nct_id = m.group(1) if m else None
    trial.title = lines[0] if lines else None
    trial.conditions = _section_lines(lines, "Conditions", _CTGOV_SECTIONS)
    interventions = _section_lines(lines, "Interventions", _CTGOV_SECTIONS)
    for prev, s in zip(interventions, interventions[1:]):
        if s.startswith("Intervention Type "):
            trial.interventions.append({"type": s[len("Intervention Type "):].strip(), "name": prev})
    trial.minimum_age = parse_age(_value_after(lines, "Minimum Eligible Age"))
    trial.maximum_age = parse_age(_value_after(lines, "Maximum Eligible Age"))
    trial.sex = parse_sex(_value_after(lines, "Eligible Sex"))
    trial.healthy_volunteers = parse_bool(_value_after(lines, "Accepts Healthy Volunteers"))
    return SourceDocument(name, CTGOV_PAGE, text, None, trial=trial, criteria_region=_page_region(text))


def read_medpath_page(text: str, name: str) -> SourceDocument:
    lines = [s for _a, _b, s in _line_spans(text)]
    trial = TrialInfo()
    m = _MEDPATH_NCT.search(text)
    trial.nct_id = m.group(1) if m else None
    titles = [s for s in lines if s != "MedPath"]
    trial.title = titles[0] if titles else None
    if "Conditions" in lines:
        i = lines.index("Conditions") + 1
        while i < len(lines) and lines[i] not in ("Interventions", "Registration Number", "Lead Sponsor"):
            trial.conditions.append(lines[i])
            i += 1
    trial.sex = parse_sex(_value_after(lines, "Sex"))
    trial.minimum_age = parse_age(_value_after(lines, "Minimum Age"))
    trial.maximum_age = parse_age(_value_after(lines, "Maximum Age"))
    trial.healthy_volunteers = parse_bool(_value_after(lines, "Accepts Healthy Volunteers"))
    return SourceDocument(name, MEDPATH_PAGE, text, None, trial=trial, criteria_region=_page_region(text))


def record_text_fields(text: str) -> tuple[str, list[str], str] | None:
    """(title, conditions line, interventions line) for an exported CT.gov record saved as lines."""
    lines = [s for _a, _b, s in _line_spans(text)]
    for i, s in enumerate(lines[:40]):
        if i >= 2 and _INTERVENTIONS_LINE.match(s):
            return lines[0], split_multi(lines[i - 1]), s
    return None


def read_record_text(text: str, name: str, fields: tuple[str, list[str], str]) -> SourceDocument:
    title, conditions, interventions = fields
    trial = TrialInfo(title=clean_str(title), conditions=conditions,
                      interventions=parse_interventions(interventions))
    m = re.search(r"\bNCT\d{8}\b", text)
    trial.nct_id = m.group(0) if m else None
    head = find_first_heading(text)  # such exports carry no criteria column, but be safe
    region = trimmed_region(text, head[0]) if head else None
    return SourceDocument(name, RECORD_TEXT, text, None, trial=trial, criteria_region=region)


def read_plain_text(text: str, name: str) -> SourceDocument:
    head = find_first_heading(text)
    if head is not None:
        region = trimmed_region(text, head[0])
    elif looks_like_criteria_list(text):
        region = trimmed_region(text)
    else:
        region = None
    trial = TrialInfo()
    m = re.search(r"\bNCT\d{8}\b", text)
    trial.nct_id = m.group(0) if m else None
    return SourceDocument(name, PLAIN_TEXT, text, None, trial=trial, criteria_region=region)


def read_text_document(text: str, name: str) -> SourceDocument:
    """Pick the text layout by content."""
    if is_ctgov_page(text):
        return read_ctgov_page(text, name)
    if is_medpath_page(text):
        return read_medpath_page(text, name)
    fields = record_text_fields(text)
    if fields is not None:
        return read_record_text(text, name, fields)
    return read_plain_text(text, name)
