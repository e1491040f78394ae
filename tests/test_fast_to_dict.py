"""Constraint.to_dict builds one dict display per type; it must give the same keys, in the same
order, with the same values as the readable form below (which it replaced)."""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from eligex.extractors.model import Constraint, Interval


def readable_to_dict(self: Constraint) -> dict[str, Any]:
    d: dict[str, Any] = {"type": self.type}
    if self.type in ("lab", "measurement"):
        d["analyte"] = self.analyte
    elif self.type == "performance_status":
        d["scale"] = self.scale
    elif self.type == "sex":
        d["value"] = self.value
    elif self.type == "washout":
        d["target"] = self.target
    elif self.type == "prior_therapy":
        d["therapy"] = self.therapy
    d["polarity"] = self.polarity
    if self.type != "sex" and self.type != "washout":
        iv = self.interval
        d.update(min=iv.min, min_inclusive=iv.min_inclusive, max=iv.max, max_inclusive=iv.max_inclusive)
        d["unit"] = self.unit
        d["normalized"] = self.normalized
    if self.type in ("lab", "measurement"):
        d["relative_to"] = self.relative_to
    if self.type == "washout":
        d["window"] = self.window
        d["anchor"] = self.anchor
    if self.type == "prior_therapy":
        d["count_unit"] = self.count_unit
    d["condition"] = self.condition
    d.update(self.extra)
    d["text"] = self.text
    d["span"] = list(self.span)
    d["rule"] = self.rule
    return d


TYPES = ["lab", "measurement", "performance_status", "sex", "washout", "prior_therapy", "age",
         "life_expectancy", "other"]
KEYS = ["type", "analyte", "scale", "value", "polarity", "min", "max", "unit", "normalized", "relative_to",
        "window", "anchor", "count_unit", "condition", "text", "span", "rule", "therapy_classes", "x"]
opt_s = st.none() | st.text(max_size=5)
opt_f = st.none() | st.floats(allow_nan=False)
opt_b = st.none() | st.booleans()


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(TYPES), opt_s, opt_s, opt_s, opt_s, opt_s, opt_s, opt_s, opt_s, opt_s, opt_s,
    opt_f, opt_b, opt_f, opt_b, st.none() | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(KEYS), st.integers(), max_size=4),
)
def test_to_dict_matches_the_readable_form(t, analyte, scale, value, rel, cond, target, anchor, therapy,
                                           count_unit, unit, lo, loi, hi, hii, norm, extra):
    k = Constraint(t, "require", "txt", (1, 5), "r", Interval(lo, loi, hi, hii), unit=unit, normalized=norm,
                   analyte=analyte, scale=scale, value=value, relative_to=rel, condition=cond, target=target,
                   window=None if target is None else {"value": 1}, anchor=anchor, therapy=therapy,
                   count_unit=count_unit, extra=extra)
    fast, slow = k.to_dict(), readable_to_dict(k)
    assert list(fast.items()) == list(slow.items())
