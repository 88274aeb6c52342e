"""Safe YAML/JSON loading: no object construction, bounded alias expansion, duplicate keys, located errors."""

from __future__ import annotations

import time

import pytest

from greendiag import yamlio
from greendiag.errors import CatalogueError, DatasetError, GreendiagError, InputFileError
from greendiag.yamlio import parse_text, read_document


def _error(text: str, path: str = "data.yaml", cls=InputFileError) -> GreendiagError:
    with pytest.raises(GreendiagError) as info:
        parse_text(text, path, cls)
    assert isinstance(info.value, cls)
    return info.value


# ------------------------------------------------------------------ no arbitrary objects


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system",
                                 "!!python/object:os.system", "!!python/name:os.system", "!!python/module:os"])
def test_python_tags_are_rejected(tmp_path, tag):
    marker = tmp_path / "pwned"
    text = f"ok: 1\nattack: {tag} ['touch {marker}']\n"
    err = _error(text)
    p = err.problems[0]
    assert p.code == "malformed-yaml" and p.line == 2 and p.file == "data.yaml"
    assert "python" in p.message_en
    assert not marker.exists()


def test_unknown_local_tag_is_rejected():
    err = _error("value: !Secret abc\n")
    assert err.codes == ("malformed-yaml",) and err.problems[0].line == 1


# ------------------------------------------------------------------ alias bombs


def _billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join(f"*a{i - 1}" for _ in range(width))
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_rejected_quickly():
    start = time.perf_counter()
    err = _error(_billion_laughs())
    assert time.perf_counter() - start < 5
    p = err.problems[0]
    assert p.code == "too-large" and "alias" in p.message_en and p.line is not None


def test_small_aliases_are_fine():
    doc = parse_text("base: &b {unit: '%', value: 1}\nx: *b\ny: {<<: *b, value: 2}\n", "ok.yaml")
    assert doc.data["x"] == {"unit": "%", "value": 1}
    assert doc.data["y"] == {"unit": "%", "value": 2}


def test_expansion_limit_is_a_bound_not_a_guess(monkeypatch):
    # 3 levels of width 9 expand to 1 + 9 + 81 + 729 nodes and more: fine by default, refused under a lower bound
    text = _billion_laughs(levels=3)
    assert parse_text(text, "ok.yaml").data["a3"][0][0][0] == ["lol"]
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 500)
    assert _error(text).codes == ("too-large",)


def test_deep_nesting_is_rejected():
    depth = yamlio.MAX_DEPTH + 10
    err = _error("x: " + "[" * depth + "]" * depth + "\n")
    assert err.codes == ("too-deep",)


# ------------------------------------------------------------------ duplicate keys, located


def test_duplicate_key_is_reported_with_line_and_column():
    err = _error("park:\n  name: A\n  level: 市级\n  name: B\n", cls=CatalogueError)
    p = err.problems[0]
    assert (p.code, p.line, p.column) == ("duplicate-key", 4, 3)
    assert "name" in p.message_en and "name" in p.message_zh and p.fix_en
    assert "data.yaml:4:3" in err.format("en")


def test_duplicate_key_in_json():
    err = _error('{"a": 1, "b": 2, "a": 3}', path="data.json")
    assert err.codes == ("duplicate-key",)


# ------------------------------------------------------------------ line and column in errors


def test_malformed_yaml_has_line_and_column():
    err = _error("a: 1\nb: [1, 2\nc: 3\n")
    p = err.problems[0]
    assert p.code == "malformed-yaml" and p.line in (2, 3) and p.column is not None


def test_unclosed_quote_points_at_its_opening_line():
    text = "a: 1\nb: \"open\n" + "".join(f"k{i}: {i}\n" for i in range(30))
    p = _error(text).problems[0]
    assert p.code == "malformed-yaml" and p.line == 2


def test_document_locates_values_by_path():
    doc = parse_text("park:\n  name: A\nyears:\n  - year: 2022\n    indicators:\n      x: 5\n", "d.yaml")
    assert doc.locate(("years", 0, "indicators", "x")) == (6, 10)
    assert doc.locate(("park", "name")) == (2, 9)
    # as deep as the path resolves
    assert doc.locate(("years", 0, "indicators", "missing")) == (6, 7)
    p = doc.problem("x", "中", "en", ("years", 0, "indicators", "x"))
    assert (p.file, p.location, p.line, p.column) == ("d.yaml", "$.years[0].indicators.x", 6, 10)


# ------------------------------------------------------------------ boring scalars


def test_scalars_stay_boring():
    doc = parse_text("a: NO\nb: yes\nc: on\nd: true\ne: 2025-03-10\nf: 1.5\n1: int key\n", "s.yaml")
    assert doc.data == {"a": "NO", "b": "yes", "c": "on", "d": True, "e": "2025-03-10", "f": 1.5, "1": "int key"}


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_non_finite_numbers_are_errors(value):
    p = _error(f"x: {value}\n").problems[0]
    assert p.code == "non-finite-number" and p.line == 1


@pytest.mark.parametrize("text, line, column", [('{"x": NaN}', 1, 7), ('{"a": "NaN \\" Infinity",\n "b": [1,\n  -Infinity]}', 3, 3),
                                                ('{"a": "x\\\\", "b": Infinity}', 1, 19)])
def test_non_finite_numbers_in_json_are_located(text, line, column):
    """json.loads does not say where; the place is found outside strings (escaped quotes and backslashes kept apart)."""
    p = _error(text, path="d.json").problems[0]
    assert (p.code, p.line, p.column) == ("non-finite-number", line, column) and "null" in p.fix_zh


# ------------------------------------------------------------------ files


def test_file_level_problems(tmp_path, monkeypatch):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    cases = {"is-directory": folder}
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(b"a: 1\x00\n")
    cases["binary-file"] = nul
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" * 100, encoding="utf-8")
    monkeypatch.setattr(yamlio, "MAX_BYTES", 100)
    cases["file-too-large"] = big
    for code, path in cases.items():
        with pytest.raises(InputFileError) as info:
            read_document(path)
        assert info.value.codes == (code,) and info.value.problems[0].file == str(path)


def test_utf8_bom_is_accepted(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes("\ufeffname: 园区\n".encode("utf-8"))
    assert read_document(p).data == {"name": "园区"}


def test_merge_keys_follow_yaml_rules():
    # explicit keys override merged ones; of several merged mappings the first listed wins
    doc = parse_text("a: &a {k: 1, u: a}\nb: &b {k: 2, v: b}\nc: {<<: [*a, *b], v: c}\n", "m.yaml")
    assert doc.data["c"] == {"k": 1, "u": "a", "v": "c"}
    # but an explicit key given twice next to a merge is still a duplicate
    err = _error("a: &a {k: 1}\nc:\n  <<: *a\n  v: 1\n  v: 2\n")
    assert err.codes == ("duplicate-key",) and err.problems[0].line == 5


@pytest.mark.parametrize("text, want", [("010", 10), ("00", 0), ("+3", 3), ("-12", -12), ("1e-05", 1e-05), ("-1.5E3", -1500.0),
                                        (".5", 0.5), ("5.", 5.0), ("1:20", "1:20"), ("0x10", "0x10"), ("0o17", "0o17"),
                                        ("8_2", "8_2"), ("1_000.5", "1_000.5"), ("0b11", "0b11")])
def test_numbers_are_yaml_1_2_decimal_or_text(text, want):
    """YAML 1.1 read 010 as 8, 1:20 as 80, 0x10 as 16 and 8_2 as 82, and 1e-05 as text; a data file means decimals."""
    got = parse_text(f"a: {text}\n", "x.yaml", DatasetError).data["a"]
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("text", ["!!int 0x10", "!!int 1:20", "!!float 1_0", "!!float 1:20"])
def test_an_explicit_number_tag_on_a_yaml_1_1_form_is_refused(text):
    with pytest.raises(DatasetError) as info:
        parse_text(f"a: {text}\n", "x.yaml", DatasetError)
    assert info.value.codes == ("bad-number",) and info.value.problems[0].line == 1


@pytest.mark.parametrize("text", ["1e400", "-2.5e999", "9" * 4500, "-" + "9" * 5000])
def test_a_number_beyond_the_float_range_is_number_too_large_at_its_place(text):
    """1e400 was "non-finite" (it is a number) and a 5000-digit integer a malformed-yaml about tags."""
    with pytest.raises(DatasetError) as info:
        parse_text(f"a: 1\nb: {text}\n", "x.yaml", DatasetError)
    (p,) = info.value.problems
    assert p.code == "number-too-large" and p.line == 2 and "1.8e308" in p.message_en and len(p.message_zh) < 120
