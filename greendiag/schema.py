"""JSON Schema validation of data files, turning jsonschema errors into located Problems."""

from __future__ import annotations

import functools
import json
import numbers
import re
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import GreendiagError, Problem
from .yamlio import Document, json_path

if TYPE_CHECKING:  # jsonschema is imported on first validation: `import greendiag` stays light
    import jsonschema
    from referencing import Registry

SCHEMA_PACKAGES = ("greendiag._data_catalogue", "greendiag._data_rules")
BASE = "https://greendiag.example/schemas/"


@functools.cache
def _schemas() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for pkg in SCHEMA_PACKAGES:
        folder = resources.files(pkg) / "schemas"
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.name.endswith(".schema.json"):
                found[entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return found


@functools.cache
def _registry() -> Registry:
    from referencing import Registry, Resource

    return Registry().with_resources((BASE + name, Resource.from_contents(s)) for name, s in _schemas().items())


@functools.cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """One reusable validator per schema file name (e.g. 'indicators.schema.json')."""
    import jsonschema

    schema = _schemas()[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=_registry())


class _Unsupported(Exception):
    """A schema uses a keyword the fast checker does not implement: jsonschema alone decides."""


_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default"})


def _is_number(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Number)


# jsonschema's Draft 2020-12 type checker, written out (jsonschema/_types.py, draft6+ "integer" takes 2.0)
_TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer()),
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}


def _compile(s: Any) -> Callable[[Any], bool]:
    """A predicate equal to `Draft202012Validator(s).is_valid` for schemas made of the keywords below only."""
    if s is True:
        return lambda x: True
    if s is False:
        return lambda x: False
    if not isinstance(s, dict) or set(s) - _ANNOTATIONS - _KEYWORDS:
        raise _Unsupported(s)
    checks: list[Callable[[Any], bool]] = []
    if "type" in s:
        try:
            preds = [_TYPES[t] for t in (s["type"] if isinstance(s["type"], list) else [s["type"]])]
        except (KeyError, TypeError):
            raise _Unsupported(s) from None
        checks.append(preds[0] if len(preds) == 1 else (lambda x: any(p(x) for p in preds)))
    if "enum" in s or "const" in s:
        try:  # the very equality jsonschema uses (1 == 1.0, True != 1); private, so a release without it means no fast check
            from jsonschema._utils import equal
        except ImportError:
            raise _Unsupported(s) from None

        if "enum" in s:
            enums = list(s["enum"])
            checks.append(lambda x: any(equal(e, x) for e in enums))
        if "const" in s:
            const = s["const"]
            checks.append(lambda x: equal(x, const))
    if {"minimum", "maximum"} & set(s):
        lo, hi = s.get("minimum"), s.get("maximum")
        checks.append(lambda x: not _is_number(x) or ((lo is None or not x < lo) and (hi is None or not x > hi)))
    if {"minLength", "maxLength", "pattern"} & set(s):
        short, long_ = s.get("minLength"), s.get("maxLength")
        search = re.compile(s["pattern"]).search if "pattern" in s else None
        checks.append(lambda x: not isinstance(x, str) or ((short is None or not len(x) < short) and (long_ is None or not len(x) > long_)
                                                           and (search is None or bool(search(x)))))
    if {"items", "minItems", "maxItems"} & set(s):
        item = _compile(s["items"]) if "items" in s else None
        few, many = s.get("minItems"), s.get("maxItems")
        checks.append(lambda x: not isinstance(x, list) or ((few is None or not len(x) < few) and (many is None or not len(x) > many)
                                                            and (item is None or all(item(v) for v in x))))
    if {"properties", "required", "additionalProperties"} & set(s):
        props = {k: _compile(v) for k, v in s.get("properties", {}).items()}
        required = tuple(s.get("required", ()))
        extra = s.get("additionalProperties", True)
        extra_check = None if extra is True or extra is False else _compile(extra)

        def obj(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for k in required:
                if k not in x:
                    return False
            for k, v in x.items():
                check = props.get(k)
                if check is not None:
                    if not check(v):
                        return False
                elif extra is False or (extra_check is not None and not extra_check(v)):
                    return False
            return True

        checks.append(obj)
    if "oneOf" in s:
        one_of = [_compile(sub) for sub in s["oneOf"]]
        checks.append(lambda x: sum(1 for sub in one_of if sub(x)) == 1)
    if "anyOf" in s:
        any_of = [_compile(sub) for sub in s["anyOf"]]
        checks.append(lambda x: any(sub(x) for sub in any_of))
    if "allOf" in s:
        all_of = [_compile(sub) for sub in s["allOf"]]
        checks.append(lambda x: all(sub(x) for sub in all_of))
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]

    def every(x: Any) -> bool:
        for check in checks:
            if not check(x):
                return False
        return True

    return every


_KEYWORDS = frozenset({"type", "enum", "const", "minimum", "maximum", "minLength", "maxLength", "pattern", "items",
                       "minItems", "maxItems", "properties", "required", "additionalProperties", "oneOf", "anyOf", "allOf"})


@functools.cache
def fast_check(name: str) -> Optional[Callable[[Any], bool]]:
    """A plain-Python predicate that answers `validator(name).is_valid` for data, or None when the schema uses
    a keyword it does not implement ($ref, patternProperties, if/then …). Valid data, the usual case, is then
    accepted without building jsonschema's error tree (about 15x faster on a park dataset); any doubt — an
    invalid document or an exception — goes to jsonschema, so problems and their wording never change."""
    try:
        return _compile(_schemas()[name])
    except _Unsupported:
        return None


_TYPE_ZH = {"string": "文本", "number": "数值", "integer": "整数", "boolean": "是/否(true/false)", "null": "空(null)",
            "object": "键值表(mapping)", "array": "列表"}

def _describe(err: jsonschema.ValidationError) -> tuple[str, str]:
    """A short bilingual description of a schema error."""
    v = err.validator
    inst = err.instance
    shown = json.dumps(inst, ensure_ascii=False, default=str)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"缺少必填字段“{missing}”", f"required field '{missing}' is missing"
    if v == "additionalProperties" and isinstance(inst, dict):
        known = set(err.schema.get("properties", {}))
        extra = ", ".join(sorted(repr(k) for k in inst if k not in known))
        allowed = ", ".join(sorted(known))
        return f"不认识的字段 {extra}(允许:{allowed})", f"unknown field(s) {extra} (allowed: {allowed})"
    if v == "type":
        types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        zh = "或".join(_TYPE_ZH.get(t, t) for t in types)
        return f"类型错误:{shown} 应为{zh}", f"wrong type: {shown} should be {' or '.join(types)}"
    if v == "enum":
        allowed = ", ".join(json.dumps(x, ensure_ascii=False) for x in err.validator_value)
        return f"取值 {shown} 不在允许范围内({allowed})", f"value {shown} is not one of: {allowed}"
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"数值 {shown} 超出范围({v} {err.validator_value})", f"value {shown} out of range ({v} {err.validator_value})"
    if v == "pattern":
        return f"文本 {shown} 格式不符(应匹配 {err.validator_value})", f"text {shown} does not match {err.validator_value}"
    if v in ("minItems", "minLength"):
        return f"{shown} 过短或为空", f"{shown} is too short or empty"
    if v == "anyOf" and err.validator_value and all("required" in s for s in err.validator_value):
        keys = " 或 ".join("/".join(s["required"]) for s in err.validator_value)
        keys_en = " or ".join("/".join(s["required"]) for s in err.validator_value)
        return f"数值须注明来源:需要 {keys}", f"a number needs its provenance: {keys_en} is required"
    if v == "false" or err.validator_value is False:
        return "此处不允许该字段", "this field is not allowed here"
    return f"不符合格式要求:{err.message}", f"schema violation: {err.message}"


def problems(doc: Document, schema_name: str, code_prefix: str = "schema") -> list[Problem]:
    """All schema problems of a document, best first, each with file, JSON path, line and column."""
    fast = fast_check(schema_name)
    if fast is not None:
        try:
            if fast(doc.data):
                return []
        except Exception:  # noqa: BLE001 - jsonschema below meets the same value and reports it its own way
            pass
    from jsonschema.exceptions import relevance

    errors = sorted(validator(schema_name).iter_errors(doc.data), key=relevance)
    out = []
    for err in errors:
        # descend into the most specific sub-error of oneOf/anyOf/allOf where one exists
        leaf = err
        while leaf.context:
            leaf = sorted(leaf.context, key=relevance)[0]
        if leaf.validator == "required" and err.validator in ("anyOf", "oneOf"):
            leaf = err
        path = list(leaf.absolute_path)
        zh, en = _describe(leaf)
        line, col = doc.locate(path)
        out.append(Problem(f"{code_prefix}-{leaf.validator}", zh, en, file=doc.path, location=json_path(path),
                           line=line, column=col))
    # one line per location and message is enough
    unique, seen = [], set()
    for p in out:
        key = (p.location, p.message_en)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def validate(doc: Document, schema_name: str, error_cls: type[GreendiagError]) -> Any:
    """Validate and return the document's data, or raise error_cls with every problem."""
    found = problems(doc, schema_name)
    if found:
        raise error_cls(found)
    return doc.data
