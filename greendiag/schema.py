"""JSON Schema validation of data files, turning jsonschema errors into located Problems."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

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
