"""The reference pages keep up with the code.

docs/errors.md must list every problem code the package can raise or report (found in greendiag/ by a regex over the
call forms the code uses), and list no code the package no longer has. docs/diagnosis-json.md must name every key of
`Diagnosis.to_dict()` for the demo park and for a park with missing data, an overlay, extra rules and a workbook note,
and name no key that neither dict has (unless its row says "only when …")."""

from __future__ import annotations

import itertools
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "greendiag"
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"

# ---------------------------------------------------------------------------------------------- problem codes

CODE = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"  # required, not-a-number, engine-bad-rule-id
HYPHENATED = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+"
# one argument before the code: a string or f-string, or an expression with at most one level of parentheses
# (ref, error_cls, self.ref(ws, row, col), p.replace("\x00", "\\x00"), f"{ws.title}!{rng}")
_ARG = r'(?:f?"[^"\n]*"|[^,"()\n]*(?:\([^()]*\))?[^,"()\n]*)'
_CALL = r"\b(?:Problem|problem|_LoadProblem|_bad|fail|_fail)\("
CODE_PATTERNS = (
    # Problem("code", …), doc.problem("code", …), self.fail("code", …), self.fail(ref, "code", …),
    # _fail(error_cls, path, "code", …), _LoadProblem("code", …), _bad("code", …) — also with the code on the next line
    re.compile(_CALL + r"\s*(?:" + _ARG + r",\s*){0,2}\"(" + CODE + r")\""),
    # a (code, 中文…, …) tuple kept for a later call: not_xlsx = ("not-xlsx", "文件不是…"), _UNKNOWN's values
    re.compile(r"(?<![\w.])\(\s*\"(" + HYPHENATED + r")\",\s*f?\"[^\"\n]*[\u3400-\u9fff]"),
    # code = "negative-value" if … else "below-bounds"
    re.compile(r"\bcode\s*=\s*\"(" + CODE + r")\"(?:[^\n]*?\belse\s+\"(" + CODE + r")\")?"),
    # ("代码", "code", "duplicate-code"): _KEYS of the catalogue checks, the code last
    re.compile(r"\(\s*\"[^\"\n]*\",\s*\"[^\"\n]*\",\s*\"(" + HYPHENATED + r")\"\s*\)"),
)
# families: Problem(f"{code_prefix}-{keyword}", …) with `code_prefix: str = "schema"`, or Problem(f"engine-{x}", …)
FAMILY_BY_VARIABLE = re.compile(_CALL + r"\s*f\"\{(\w+)\}-\{\w+\}\"")
FAMILY_BY_PREFIX = re.compile(_CALL + r"\s*f\"(" + CODE + r"-)\{")


def codes_in_source() -> tuple[dict[str, set[str]], set[str]]:
    """({code: {file:line, …}}, {family prefix such as 'schema-'}) of every problem code written in greendiag/."""
    codes: dict[str, set[str]] = {}
    families: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = lambda m: f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
        for pattern in CODE_PATTERNS:
            for m in pattern.finditer(text):
                for code in filter(None, m.groups()):
                    codes.setdefault(code, set()).add(where(m))
        for m in FAMILY_BY_VARIABLE.finditer(text):
            defaults = re.findall(r"\b" + m.group(1) + r"\s*:\s*str\s*=\s*\"(" + CODE + r")\"", text)
            assert defaults, f"{where(m)}: the code prefix {m.group(1)} has no default to document"
            families.update(d + "-" for d in defaults)
        families.update(m.group(1) for m in FAMILY_BY_PREFIX.finditer(text))
    return codes, families


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def tables(page: pathlib.Path) -> list[tuple[str, list[str]]]:
    """(header line, [row lines]) of every Markdown table on the page."""
    out: list[tuple[str, list[str]]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            continue
        if i == 0 or not lines[i - 1].startswith("|"):
            out.append((line, []))
        elif not re.fullmatch(r"\|[\s:|-]+\|", line.strip()):
            out[-1][1].append(line)
    return out


def documented_codes() -> tuple[set[str], set[str]]:
    """(codes, family prefixes) named in the first column of docs/errors.md's code tables (header 代码 Code)."""
    codes, families = set(), set()
    for header, rows in tables(DOCS / "errors.md"):
        if "Code" not in _cells(header)[0]:
            continue
        for row in rows:
            for span in re.findall(r"`([^`]+)`", _cells(row)[0]):
                if span.endswith("-*"):
                    families.add(span[:-1])
                else:
                    assert re.fullmatch(CODE, span), f"docs/errors.md: {span!r} in a code column is not a code"
                    codes.add(span)
    return codes, families


def test_the_regex_finds_the_codes_it_should():
    """Guards the guard: the call forms above still find codes of every kind (a broken regex would pass vacuously)."""
    codes, families = codes_in_source()
    assert len(codes) >= 120
    assert families == {"schema-"}
    for code in ("file-not-found", "required", "not-xlsx", "below-bounds", "share-over-100", "duplicate-code",
                 "unknown-statistic", "no-indicator-data", "overlay-conflict", "weight-without-effect", "engine-bad-rule-id",
                 "year-differs-from-template", "error"):
        assert code in codes, code


def test_every_code_in_the_source_is_in_errors_md():
    codes, families = codes_in_source()
    listed, listed_families = documented_codes()
    missing = {c: sorted(w) for c, w in codes.items() if c not in listed and not any(c.startswith(f) for f in listed_families)}
    assert not missing, f"problem codes missing from docs/errors.md: {missing}"
    assert families <= listed_families, f"code families missing from docs/errors.md: {sorted(families - listed_families)}"


def test_every_code_in_errors_md_is_still_in_the_source():
    codes, families = codes_in_source()
    listed, listed_families = documented_codes()
    gone = sorted(c for c in listed if c not in codes and not any(c.startswith(f) for f in families))
    assert not gone, f"docs/errors.md lists codes greendiag no longer has: {gone}"
    assert listed_families <= families, f"docs/errors.md lists code families greendiag no longer has: {sorted(listed_families - families)}"


# ---------------------------------------------------------------------------------------------- diagnosis.json


@pytest.fixture(scope="module")
def demo_dict(demo_dataset, catalogue, rulebase) -> dict:
    import greendiag

    return greendiag.diagnose(demo_dataset, catalogue=catalogue, rules=rulebase, backend="python").to_dict()


@pytest.fixture(scope="module")
def overlay_dict(tmp_path_factory) -> dict:
    """The demo park with an overlay and its rules, a mandatory indicator missing in one year, overlay values and an
    encouraged overlay requirement not met, read from a prefilled workbook whose diagnosis year was then changed (so
    the reader gives a note: input_notes)."""
    import openpyxl

    import greendiag
    from greendiag.excel import layout as L
    from greendiag.excel import write_template
    from greendiag.yamlio import read_document

    cat = greendiag.load_catalogue(EXAMPLES / "overlays" / "water-cascade.yaml")
    rules = greendiag.load_rules(EXAMPLES / "rules" / "water-cascade-rules.yaml", catalogue=cat)
    data = read_document(EXAMPLES / "demo-park.yaml").data
    for block in data["years"]:
        if block["year"] == 2023:
            del block["indicators"]["renewable_energy_share"]  # mandatory: scored 0 in 2023 only (data_gaps)
            block["indicators"].update(water_cascade_share=12.0, industrial_reclaimed_water_share=30.0)
        if block["year"] == 2024:
            block["indicators"]["water_cascade_share"] = 40.0
    data["baseline"].append({"number": 9, "status": "not_met"})
    path = tmp_path_factory.mktemp("docs-reference") / "park.xlsx"
    write_template(path, cat, dataset=greendiag.dataset_from_dict(data, catalogue=cat, source="park.yaml"))
    wb = openpyxl.load_workbook(path)
    ws = wb[L.PARK]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "diagnosis_year")
    ws.cell(row, L.KV_VALUE_COL).value = data["diagnosis_year"] + 1
    wb.save(path)
    ds = greendiag.load_dataset(path, catalogue=cat)
    d = greendiag.diagnose(ds, catalogue=cat, rules=rules, backend="python").to_dict()
    # the park is what this test needs it to be
    assert d["input_notes"] and d["catalogue_overlays"] and d["rules_extensions"]
    assert any(s["data_gaps"] and s["delta_without_data_gaps"] is not None for s in d["score_changes"])
    assert any(t["missing_mandatory"] for t in d["total_scores"]) and d["baseline_summary"]["encouraged_unmet"]
    return d


def key_paths(value, path: str = "") -> set[str]:
    """Every key path of a JSON value: `a.b` for keys, `a[]` for the items of a list (all items merged)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            out.add(p)
            out |= key_paths(v, p)
    elif isinstance(value, list):
        for v in value:
            out |= key_paths(v, path + "[]")
    return out


def _expand(span: str) -> list[str]:
    """`park.{project_lead,contact}.name` → both paths."""
    parts = re.split(r"\{([^{}]*)\}", span)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


def documented_fields() -> list[tuple[str, str]]:
    """(path pattern, its table row) for every path in the first column of docs/diagnosis-json.md's tables."""
    out = []
    for _, rows in tables(DOCS / "diagnosis-json.md"):
        for row in rows:
            for span in re.findall(r"`([^`]+)`", _cells(row)[0]):
                out += [(p, row) for p in _expand(span)]
    return out


def _matcher(pattern: str) -> re.Pattern:
    """A documented path as a regex: `<name>` stands for any key (rules_constants.<name>)."""
    return re.compile("".join("[^.\\[\\]]+" if re.fullmatch(r"<[^>]+>", part) else re.escape(part)
                              for part in re.split(r"(<[^>]+>)", pattern)))


def test_every_key_of_diagnosis_json_is_documented(demo_dict, overlay_dict):
    fields = [_matcher(p) for p, _ in documented_fields()]
    assert len(fields) > 150
    for name, d in (("demo park", demo_dict), ("overlay park", overlay_dict)):
        missing = sorted(p for p in key_paths(d) if not any(f.fullmatch(p) for f in fields))
        assert not missing, f"keys of the {name}'s diagnosis.json missing from docs/diagnosis-json.md: {missing}"


def test_every_documented_key_exists(demo_dict, overlay_dict):
    present = key_paths(demo_dict) | key_paths(overlay_dict)
    gone = sorted(p for p, row in documented_fields()
                  if not any(_matcher(p).fullmatch(k) for k in present) and "only when" not in row.lower())
    assert not gone, f"docs/diagnosis-json.md names keys that no diagnosis.json has (and no 'only when …'): {gone}"


def test_format_id_is_the_one_documented(demo_dict):
    page = (DOCS / "diagnosis-json.md").read_text(encoding="utf-8")
    assert demo_dict["format"] == "greendiag-diagnosis/1"
    assert f"`{demo_dict['format']}`" in page.splitlines()[0]
