"""Wrong argument types at the public entry points are typed errors naming the argument and what to pass, not an
AttributeError or TypeError from deep inside (a path where a RuleBase belongs is an easy slip: the CLI takes --rules FILE)."""

from __future__ import annotations

import pathlib

import pytest
import yaml

import greendiag
from greendiag.errors import GreendiagError

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-park.yaml"
RULES = ROOT / "examples" / "rules" / "water-cascade-rules.yaml"


@pytest.fixture(scope="module")
def ds():
    return greendiag.load_dataset(DEMO)


CALLS = {
    "load_dataset catalogue=str": (lambda ds: greendiag.load_dataset(DEMO, catalogue="overlay.yaml"), "catalogue", "load_catalogue"),
    "load_dataset path=None": (lambda ds: greendiag.load_dataset(None), "path", "file path"),
    "load_dataset path=YAML text": (lambda ds: greendiag.load_dataset(DEMO.read_text(encoding="utf-8")), "path", "dataset_from_dict"),
    "diagnose catalogue=str": (lambda ds: greendiag.diagnose(ds, catalogue="overlay.yaml"), "catalogue", "load_catalogue"),
    "diagnose rules=path": (lambda ds: greendiag.diagnose(ds, rules=str(RULES)), "rules", "load_rules"),
    "diagnose rules=[path]": (lambda ds: greendiag.diagnose(ds, rules=[RULES]), "rules", "load_rules"),
    "diagnose dataset=None": (lambda ds: greendiag.diagnose(None), "dataset", "load_dataset"),
    "diagnose dataset=42": (lambda ds: greendiag.diagnose(42), "dataset", "load_dataset"),
    "load_rules catalogue=str": (lambda ds: greendiag.load_rules(catalogue="x"), "catalogue", "load_catalogue"),
    "load_rules file=None": (lambda ds: greendiag.load_rules(None), "extra_files", "file path"),
    "run_rule_tests None": (lambda ds: greendiag.run_rule_tests(None), "rb", "load_rules"),
    "load_catalogue None": (lambda ds: greendiag.load_catalogue(None), "overlays", "file path"),
    "load_catalogue [path]": (lambda ds: greendiag.load_catalogue([str(RULES)]), "overlays", "file path"),
}


@pytest.mark.parametrize("case", sorted(CALLS))
def test_a_wrong_argument_is_a_typed_error_naming_it(ds, case):
    call, name, fix_word = CALLS[case]
    with pytest.raises(GreendiagError) as info:
        call(ds)
    p = info.value.problems[0]
    assert p.code == "bad-argument" and f"argument {name} " in p.message_en and f"参数 {name} " in p.message_zh
    assert fix_word in (p.fix_en or "") + p.message_en


def test_a_bad_backend_is_refused_before_the_dataset_is_read(monkeypatch):
    import greendiag.diagnosis as diagnosis

    monkeypatch.setattr(diagnosis, "load_dataset", lambda *a, **k: pytest.fail("read before the backend was checked"))
    with pytest.raises(GreendiagError) as info:
        greendiag.diagnose(DEMO, backend="bogus")
    assert info.value.codes == ("engine-bad-backend",)


def test_diagnose_takes_a_dataset_dict_as_diagnose_many_does(ds):
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    from_dict = greendiag.diagnose(data, backend="python").to_dict()
    from_file = greendiag.diagnose(ds, backend="python").to_dict()
    assert from_dict.pop("source") == "<data>" and from_file.pop("source") == "demo-park.yaml"
    assert from_dict == from_file


def test_paths_as_bytes_and_pathlib_work(ds):
    assert greendiag.load_dataset(bytes(DEMO)) == greendiag.load_dataset(DEMO) == ds


def test_write_pack_checks_its_arguments_and_a_dict_json_cannot_hold(tmp_path):
    import datetime

    diag = greendiag.diagnose(DEMO, backend="python")
    for args, name in [(("out/diagnosis.json", tmp_path / "a"), "diag"), ((diag, None), "out_dir"), ((diag, 42), "out_dir")]:
        with pytest.raises(GreendiagError) as info:
            greendiag.write_pack(*args)
        assert info.value.codes == ("bad-argument",) and f"argument {name} " in info.value.problems[0].message_en
    data = diag.to_dict()
    data["added_by_hand"] = datetime.date(2024, 1, 1)
    with pytest.raises(GreendiagError) as info:
        greendiag.write_pack(data, tmp_path / "b")
    assert info.value.codes == ("diagnosis-bad-type",) and "JSON" in info.value.problems[0].message_en
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_dataset_from_dict_checks_its_catalogue():
    with pytest.raises(GreendiagError) as info:
        greendiag.dataset_from_dict({}, catalogue="overlay.yaml")
    assert info.value.codes == ("bad-argument",) and "argument catalogue " in info.value.problems[0].message_en
