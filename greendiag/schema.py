"""JSON Schema validation of data files, turning jsonschema errors into located Problems."""

from __future__ import annotations

import functools
import json
import numbers
import math
import re
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, Optional

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
# the same, with an integer a Python int only (diagnosis.json: a year 2022.0 would print "2022.0年")
_STRICT_INT_TYPES = {**_TYPES, "integer": lambda x: isinstance(x, int) and not isinstance(x, bool)}


class _Context:
    """What every subschema of one compiled schema shares: the root (for local $ref), the type checks, and the $refs
    compiled so far (a recursive $ref is looked up when called, not compiled again)."""

    def __init__(self, root: Any, types: dict):
        self.root, self.types, self.refs = root, types, {}

    def ref(self, ref: Any) -> Callable[[Any], bool]:
        if not (isinstance(ref, str) and ref.startswith("#/")):
            raise _Unsupported(ref)
        if ref not in self.refs:
            self.refs[ref] = None  # being compiled: a $ref back to it is resolved at call time
            target = self.root
            for step in ref[2:].split("/"):
                step = step.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or step not in target:
                    raise _Unsupported(ref)
                target = target[step]
            self.refs[ref] = _compile(target, self)
        compiled = self.refs[ref]
        return compiled if compiled is not None else (lambda x: self.refs[ref](x))


def _compile(s: Any, ctx: Optional[_Context] = None) -> Callable[[Any], bool]:
    """A predicate equal to `Draft202012Validator(s).is_valid` for schemas made of the keywords below only."""
    if ctx is None:
        ctx = _Context(s, _TYPES)
    if s is True:
        return lambda x: True
    if s is False:
        return lambda x: False
    if not isinstance(s, dict) or set(s) - _ANNOTATIONS - _KEYWORDS:
        raise _Unsupported(s)
    sub = functools.partial(_compile, ctx=ctx)
    checks: list[Callable[[Any], bool]] = []
    if "$ref" in s:
        checks.append(ctx.ref(s["$ref"]))
    if "if" in s:
        cond, then, other = (sub(s.get(k, True)) for k in ("if", "then", "else"))
        checks.append(lambda x: then(x) if cond(x) else other(x))
    if "type" in s:
        try:
            preds = [ctx.types[t] for t in (s["type"] if isinstance(s["type"], list) else [s["type"]])]
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
        item = sub(s["items"]) if "items" in s else None
        few, many = s.get("minItems"), s.get("maxItems")
        checks.append(lambda x: not isinstance(x, list) or ((few is None or not len(x) < few) and (many is None or not len(x) > many)
                                                            and (item is None or all(item(v) for v in x))))
    if {"properties", "required", "additionalProperties"} & set(s):
        props = {k: sub(v) for k, v in s.get("properties", {}).items()}
        required = tuple(s.get("required", ()))
        extra = s.get("additionalProperties", True)
        extra_check = None if extra is True or extra is False else sub(extra)

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
        one_of = [sub(x) for x in s["oneOf"]]
        checks.append(lambda x: sum(1 for one in one_of if one(x)) == 1)
    if "anyOf" in s:
        any_of = [sub(x) for x in s["anyOf"]]
        checks.append(lambda x: any(one(x) for one in any_of))
    if "allOf" in s:
        all_of = [sub(x) for x in s["allOf"]]
        checks.append(lambda x: all(one(x) for one in all_of))
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
                       "minItems", "maxItems", "properties", "required", "additionalProperties", "oneOf", "anyOf", "allOf",
                       "$ref", "if", "then", "else"})


@functools.cache
def fast_check(name: str, strict_integers: bool = False) -> Optional[Callable[[Any], bool]]:
    """A plain-Python predicate that answers `validator(name).is_valid` for data, or None when the schema uses
    a keyword it does not implement (patternProperties, a $ref to another file …). Valid data, the usual case, is
    then accepted without building jsonschema's error tree (about 15x faster on a park dataset); any doubt — an
    invalid document or an exception — goes to jsonschema, so problems and their wording never change.
    `strict_integers`: "integer" is a Python int only (not 2022.0), for a validator whose type checker says so."""
    root = _schemas()[name]
    try:
        return _compile(root, _Context(root, _STRICT_INT_TYPES if strict_integers else _TYPES))
    except _Unsupported:
        return None


_FLOAT_MAX = 1.7976931348623157e308
_NUMBER_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")
_TYPE_ZH = {"string": "文本", "number": "数值", "integer": "整数", "boolean": "布尔值(true/false)", "null": "空(null)",
            "object": "键值表(mapping)", "array": "列表"}


class Wording(NamedTuple):
    """How a schema error reads: the data path it names, the message and the fix, in Chinese and English."""

    path: tuple
    zh: str
    en: str
    fix_zh: Optional[str] = None
    fix_en: Optional[str] = None


def _shown(x: Any, limit: int = 60) -> str:
    text = json.dumps(x, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _fields(keys: Iterable[str]) -> tuple[str, str]:
    """Field names as messages list them: (“a”、“b”, 'a', 'b')."""
    keys = list(keys)
    return "、".join(f"“{k}”" for k in keys), ", ".join(f"'{k}'" for k in keys)


def _at(data: Any, path: tuple) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _schema_chain(schema_name: str, steps: Iterable) -> list[tuple[Any, Any]]:
    """(step, schema node) from the root along an error's schema path. jsonschema leaves $ref (and `if`) out of the
    path, so a $ref is followed where the next step is not found; each node is the one holding the next step.
    Empty when the path cannot be followed: the wording then comes from the error alone."""
    from referencing.exceptions import Unresolvable

    resolver = _registry().resolver(BASE + schema_name)
    node: Any = _schemas()[schema_name]
    chain: list[tuple[Any, Any]] = [(None, node)]
    for step in steps:
        try:
            while isinstance(node, dict) and step not in node and isinstance(node.get("$ref"), str):
                resolved = resolver.lookup(node["$ref"])
                node, resolver = resolved.contents, resolved.resolver
                chain[-1] = (chain[-1][0], node)
            node = node[step]
        except (Unresolvable, KeyError, IndexError, TypeError):
            return []
        chain.append((step, node))
    return chain


def _condition(if_schema: Any, holds: bool) -> tuple[str, str]:
    """An `if` as a message reads it, for its then branch (holds) or its else branch: ("kind 为 "x" 时", 'when kind is "x"')."""
    if isinstance(if_schema, dict) and list(if_schema) == ["required"]:
        zh, en = _fields(if_schema["required"])
        verb = "is" if len(if_schema["required"]) == 1 else "are"
        return (f"给出{zh}时", f"when {en} {verb} given") if holds else (f"未给出{zh}时", f"when {en} {verb} not given")
    if isinstance(if_schema, dict) and list(if_schema) == ["properties"] and len(if_schema["properties"]) == 1:
        ((key, sub),) = if_schema["properties"].items()
        if isinstance(sub, dict) and list(sub) == ["const"]:
            value = _shown(sub["const"])
            if holds:
                return f"{key} 为 {value} 时", f"when {key} is {value}"
            return f"{key} 不为 {value} 时", f"when {key} is not {value}"
    shown = _shown(if_schema)
    return (f"符合 {shown} 时", f"when {shown} holds") if holds else (f"不符合 {shown} 时", f"when {shown} does not hold")


def _branch(chain: list[tuple[Any, Any]]) -> Optional[int]:
    """Index in the chain of the nearest then/else step taken under an `if`, or None."""
    for i in range(len(chain) - 1, 0, -1):
        if chain[i][0] in ("then", "else") and isinstance(chain[i - 1][1], dict) and "if" in chain[i - 1][1]:
            return i
    return None


def _either_or(chain: list[tuple[Any, Any]], i: int) -> Optional[tuple[list[str], list[str]]]:
    """(A, X) when the if/then/else above chain[i] means "either the fields X or the field a with the fields it
    depends on (A), not both": if {required: [a]}, then {properties: {x: false, …}}, else {required: [x, …]}."""
    cond = chain[i - 1][1]
    iff, then, other = cond.get("if"), cond.get("then"), cond.get("else")
    if not (isinstance(iff, dict) and list(iff) == ["required"] and len(iff["required"]) == 1
            and isinstance(then, dict) and isinstance(other, dict)):
        return None
    props = then.get("properties")
    xs = [k for k, sub in props.items() if sub is False] if isinstance(props, dict) else []
    if not xs or list(other.get("required", ())) != xs:
        return None
    a = iff["required"][0]
    # the object schema the if/then/else belongs to: itself, or the one holding it in an allOf
    owner = chain[i - 3][1] if i >= 3 and chain[i - 2][0] == "allOf" else cond
    deps = owner.get("dependentRequired", {}).get(a, []) if isinstance(owner, dict) else []
    return [a, *deps], xs


def _label(obj: Any) -> tuple[str, str]:
    """An object with an id (a rule, an indicator) is named by it at the start of a message."""
    if isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"]:
        name = obj["id"] if len(obj["id"]) <= 80 else obj["id"][:77] + "..."
        return f"{name}:", f"{name}: "
    return "", ""


def _not_allowed(keys: list[str]) -> tuple[str, str, str, str]:
    zh, en = _fields(keys)
    if not keys:
        return "此处不允许该字段", "this field is not allowed here", "删去该字段", "remove the field"
    many = len(keys) > 1
    return (f"此处不允许字段{zh}", f"field{'s' if many else ''} {en} {'are' if many else 'is'} not allowed here",
            f"删去字段{zh}", f"remove {en}")


def _keyword(err: jsonschema.ValidationError, false_keys: list[str]) -> tuple[str, str, Optional[str], Optional[str]]:
    """Message and fix for one keyword's error, without its context (condition, object id)."""
    v = err.validator
    inst = err.instance
    value = err.validator_value
    shown = _shown(inst)
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"缺少必填字段“{missing}”", f"required field '{missing}' is missing", None, None
    if v == "additionalProperties" and isinstance(inst, dict):
        known = set(err.schema.get("properties", {}))
        extra = ", ".join(sorted(repr(k) for k in inst if k not in known))
        allowed = ", ".join(sorted(known))
        digits = [k for k in inst if k not in known]
        if digits and all(str(k).isdigit() and inst[k] is None for k in digits):  # {value: 8,5}: a flow mapping splits at the comma
            return (f"不认识的字段 {extra}(允许:{allowed});花括号 {{…}} 中的逗号分隔字段,数值中的逗号会把它拆成字段",
                    f"unknown field(s) {extra} (allowed: {allowed}); inside braces {{…}} a comma separates fields, so a comma in a number splits it",
                    "小数请用小数点(8.5);千位分隔的数值请加引号(\"1,234\")或去掉逗号",
                    "write decimals with a point (8.5); quote a number with thousands commas (\"1,234\") or drop the commas")
        return f"不认识的字段 {extra}(允许:{allowed})", f"unknown field(s) {extra} (allowed: {allowed})", None, None
    if v == "type":
        types = value if isinstance(value, list) else [value]
        zh = "或".join(_TYPE_ZH.get(t, t) for t in types)
        fix_zh = fix_en = None
        if "boolean" in types:
            fix_zh, fix_en = "写 true 或 false(不加引号;是/否 只在 Excel 模板中填写)", "write true or false (unquoted; 是/否 is for the Excel workbook)"
        elif isinstance(inst, str) and {"integer", "number"} & set(types) and _NUMBER_TEXT.match(inst.strip()):
            fix_zh, fix_en = f"去掉引号,写成 {inst.strip()}", f"drop the quotes: {inst.strip()}"
        return f"类型错误:{shown} 应为{zh}", f"wrong type: {shown} should be {' or '.join(types)}", fix_zh, fix_en
    if v == "enum":
        allowed = ", ".join(json.dumps(x, ensure_ascii=False) for x in value)
        return f"取值 {shown} 不在允许范围内({allowed})", f"value {shown} is not one of: {allowed}", None, None
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"数值 {shown} 超出范围({v} {value})", f"value {shown} out of range ({v} {value})", None, None
    if v == "pattern":
        return f"文本 {shown} 格式不符(应匹配 {value})", f"text {shown} does not match {value}", None, None
    if v == "minLength" and value > 1:
        fix_zh, fix_en = None, None
        if err.path and err.path[-1] == "provisional":
            fix_zh, fix_en = "写明暂用该数值的原因(为何没有出处),至少 8 个字符", "say why the value is used without a source, in at least 8 characters"
        return f"{shown} 过短(至少 {value} 个字符)", f"{shown} is too short (at least {value} characters)", fix_zh, fix_en
    if v in ("minItems", "minLength"):
        return f"{shown} 过短或为空", f"{shown} is too short or empty", None, None
    if v == "anyOf" and value and all("required" in s for s in value):
        keys = " 或 ".join("/".join(s["required"]) for s in value)
        keys_en = " or ".join("/".join(s["required"]) for s in value)
        if any(k in ("sources", "provisional") for s in value for k in s["required"]):
            return f"数值须注明来源:需要 {keys}", f"a number needs its provenance: {keys_en} is required", None, None
        return (f"至少需要 {keys} 之一", f"at least one of {keys_en} is required",
                f"添加 {keys}", f"add {keys_en}")
    if v == "oneOf" and value and all(isinstance(s, dict) and list(s) == ["required"] for s in value):
        options = ["/".join(s["required"]) for s in value]
        given = [o for s, o in zip(value, options) if isinstance(inst, dict) and all(k in inst for k in s["required"])]
        zh, en = f"须恰好给出 {'、'.join(options)} 中的一个", f"exactly one of {', '.join(options)} is needed"
        if given:
            return (zh + f"(现有 {'、'.join(given)})", en + f" (has {', '.join(given)})",
                    f"只保留 {'、'.join(given)} 中的一个", f"keep only one of {', '.join(given)}")
        return zh, en, f"添加 {'、'.join(options)} 之一", f"add one of {', '.join(options)}"
    if v == "oneOf" and not err.context:
        return ("同时符合多种允许的写法,只能符合其中一种", "matches more than one of the allowed forms; exactly one is needed",
                None, None)
    if v is None:  # a false subschema: the fields it forbids
        return _not_allowed(false_keys)
    if v == "const":
        const = _shown(value)
        return f"取值 {shown} 应为 {const}", f"value {shown} must be {const}", f"改为 {const}", f"change it to {const}"
    if v == "maxLength" and isinstance(inst, str):
        return (f"内容过长({len(inst)}字,最多{value}字):{_shown(inst, 30)}",
                f"text too long ({len(inst)} characters, at most {value}): {_shown(inst, 30)}",
                f"缩短到{value}字以内", f"shorten it to {value} characters or fewer")
    if v == "maxItems" and isinstance(inst, list):
        return (f"列表过长({len(inst)}项,最多{value}项)", f"too many items ({len(inst)}, at most {value})",
                f"最多保留{value}项", f"keep at most {value} items")
    if v == "minProperties" and isinstance(inst, dict):
        known = list(err.schema.get("properties", {})) if isinstance(err.schema, dict) else []
        zh_known, en_known = (f"(可选:{', '.join(known)})", f" (one of: {', '.join(known)})") if known else ("", "")
        return (f"至少需要{value}个字段{zh_known}", f"needs at least {value} field{'s' if value != 1 else ''}{en_known}",
                f"至少给出{value}个字段", f"give at least {value}")
    if v == "maxProperties" and isinstance(inst, dict):
        zh, en = _fields(inst)
        return (f"最多只能有{value}个字段(现有{zh})", f"at most {value} field{'s' if value != 1 else ''} allowed (has {en})",
                f"只保留其中{value}个", f"keep only {value} of them")
    if v == "uniqueItems" and isinstance(inst, list):
        seen: set[str] = set()
        dups: list[str] = []
        for x in inst:
            try:
                key = json.dumps(x, ensure_ascii=False, sort_keys=True, default=str)
            except (TypeError, ValueError):  # keys of mixed types
                key = repr(x)
            if key in seen and key not in dups:
                dups.append(key)
            seen.add(key)
        shown_dups = ", ".join(dups) or shown
        shown_dups = shown_dups if len(shown_dups) <= 60 else shown_dups[:57] + "..."
        return f"列表中有重复项:{shown_dups}", f"the list has duplicate items: {shown_dups}", "删去重复项", "remove the duplicates"
    if v == "dependentRequired" and isinstance(inst, dict) and isinstance(value, dict):
        pairs = [(p, d) for p, deps in value.items() if p in inst for d in deps if d not in inst]
        given, missing = list(dict.fromkeys(p for p, _ in pairs)), list(dict.fromkeys(d for _, d in pairs))
        (given_zh, given_en), (missing_zh, missing_en) = _fields(given), _fields(missing)
        return (f"给出{given_zh}时还须给出{missing_zh}", f"{given_en} also need{'s' if len(given) == 1 else ''} {missing_en}",
                f"补上{missing_zh},或删去{given_zh}", f"add {missing_en}, or remove {given_en}")
    if v == "not" and isinstance(value, dict):
        if list(value) == ["required"] and isinstance(inst, dict):
            return _not_allowed([k for k in value["required"] if k in inst])
        if list(value) in (["enum"], ["const"]):
            banned = ", ".join(_shown(x) for x in value.get("enum", [value.get("const")]))
            return (f"取值 {shown} 不允许(不可为 {banned})", f"value {shown} is not allowed (it must not be {banned})",
                    "改用其他取值", "use another value")
        return f"{shown} 不应符合 {_shown(value)}", f"{shown} must not match {_shown(value)}", None, None
    message = err.message if len(err.message) <= 200 else err.message[:197] + "..."
    return f"不符合格式要求:{message}", f"schema violation: {message}", None, None


_NEW = frozenset({None, "const", "maxLength", "maxItems", "minProperties", "maxProperties", "uniqueItems", "dependentRequired",
                  "not", "oneOf"})  # keywords worded with the object's id (the older wordings stay as they were)


def _describe(err: jsonschema.ValidationError, schema_name: str, data: Any) -> Wording:
    """A short bilingual description of a schema error, with a fix where one can be said, and the path it names.

    Two errors of one object with one meaning (a false subschema's fields, dependentRequired's pairs, an either/or's
    missing fields) get the same wording, so `problems` keeps one of them."""
    path = tuple(err.absolute_path)
    chain = _schema_chain(schema_name, err.absolute_schema_path)
    false_keys: list[str] = []
    obj = err.instance
    if err.validator is None:  # a false subschema: jsonschema names no keyword and leaves the property out of the paths
        if len(chain) >= 2 and chain[-1][1] is False and chain[-2][0] == "properties":  # a release that puts it in
            path = path[:-1] if path and path[-1] == chain[-1][0] else path
            chain = chain[:-1]
        obj = _at(data, path)
        props = chain[-1][1] if chain and chain[-1][0] == "properties" else None
        if isinstance(props, dict) and isinstance(obj, dict):
            false_keys = [k for k, sub in props.items() if sub is False and k in obj]
    label_zh, label_en = _label(obj)
    branch = _branch(chain)
    alternatives = _either_or(chain, branch) if branch is not None else None
    if alternatives is not None and isinstance(obj, dict):
        a, xs = alternatives
        either_zh, either_en = f"给出 {'/'.join(xs)},或给出 {'/'.join(a)}", f"give either {'/'.join(xs)} or {'/'.join(a)}"
        if chain[branch][0] == "then" and err.validator is None:
            both_x, both_a = "/".join(k for k in xs if k in obj), "/".join(k for k in a if k in obj)
            return Wording(path, f"{label_zh}同时给出了 {both_x} 和 {both_a};只能二选一:{either_zh}",
                           f"{label_en}both {both_x} and {both_a} are given; {either_en}, not both",
                           f"删去 {both_x},或删去 {both_a}", f"remove {both_x}, or remove {both_a}")
        if chain[branch][0] == "else" and err.validator == "required":
            missing = "/".join(k for k in xs if k not in obj)
            return Wording(path, f"{label_zh}缺少 {missing};须{either_zh}", f"{label_en}{missing} missing; {either_en}",
                           f"补上 {missing}(或改用 {'/'.join(a)})", f"add {missing} (or use {'/'.join(a)} instead)")
    zh, en, fix_zh, fix_en = _keyword(err, false_keys)
    if "propertyNames" in err.absolute_schema_path:  # the error is about a key, reported at its object
        zh, en = f"字段名:{zh}", f"key name: {en}"
        fix_zh, fix_en = "修改该字段名", "rename the key"
    if branch is not None:
        cond_zh, cond_en = _condition(chain[branch - 1][1]["if"], chain[branch][0] == "then")
        zh, en = f"{cond_zh},{zh}", f"{en} ({cond_en})"
    if branch is not None or err.validator in _NEW:
        zh, en = label_zh + zh, label_en + en
    return Wording(path, zh, en, fix_zh, fix_en)


def problems(doc: Document, schema_name: str, code_prefix: str = "schema",
             locate: Optional[Callable[[tuple], Optional[str]]] = None) -> list[Problem]:
    """All schema problems of a document, best first, each with file, JSON path, line and column, and a fix where
    one can be said.

    `locate` lets a reader of another format place problems as its user sees the data: it maps a data path to a
    place (a workbook's sheet!cell), which then stands instead of the JSON path, line and column; None keeps them."""
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
        leaf, chain = err, [err]
        while leaf.context:
            leaf = sorted(leaf.context, key=relevance)[0]
            chain.append(leaf)
        said = _forms(chain, leaf)
        if said is None:
            if leaf.validator == "required" and err.validator in ("anyOf", "oneOf"):
                leaf = err
            said = _describe(leaf, schema_name, doc.data)
            if leaf.validator == "type":
                said = _as_written(said, leaf, doc)
        place = locate(said.path) if locate is not None else None
        line, col = doc.locate(said.path) if place is None else (None, None)
        keyword = leaf.validator if leaf.validator is not None else "false"  # jsonschema names no keyword for `false`
        out.append(Problem(f"{code_prefix}-{keyword}", said.zh, said.en, file=doc.path, location=place or json_path(said.path),
                           line=line, column=col, fix_zh=said.fix_zh, fix_en=said.fix_en))
    # one line per location and message is enough
    unique, seen = [], set()
    for p in out:
        key = (p.location, p.message_en)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _as_written(said: Wording, err: jsonschema.ValidationError, doc: Document) -> Wording:
    """A type error said with the text as the file has it, and the fix that text needs: a number where text belongs
    is quoted (phone: 01060000001 became the int 1060000001, its leading 0 gone); a null is left out."""
    types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
    inst = err.instance
    if said.fix_zh:
        return said
    if inst is None:
        return said._replace(fix_zh="缺失的值不必写 null(或 ~):删去该字段,或填写取值",
                             fix_en="a missing value needs no null (or ~): leave the field out, or give the value")
    if "string" in types and isinstance(inst, (int, float)) and not isinstance(inst, bool):
        text = doc.text_at(said.path) if hasattr(doc, "text_at") else None
        text = text if text is not None else json.dumps(inst)
        zh, en = said.zh, said.en
        shown = _shown(inst)
        if text != shown:  # YAML read it as a number and lost what the user typed
            zh = zh.replace(shown, f"{text}(按数值读成 {shown})", 1)
            en = en.replace(shown, f"{text} (read as the number {shown})", 1)
        return said._replace(zh=zh, en=en, fix_zh=f"文本请加引号:\"{text}\"", fix_en=f"quote it as text: \"{text}\"")
    return said


class Forms(NamedTuple):
    """How a value that may be written in several forms (a oneOf marked by its `title`) is said when it has none of
    them: its name ({key} standing for the field's own key), the forms it takes with examples, and the words for each
    wrong form, so one value's messages are written once and read alike."""

    name: tuple[str, str]
    forms: tuple[str, str]
    absent: tuple[str, str]  # the fix's start when there is no value (null, empty text), before the forms
    unit_hint: Optional[tuple[str, str]]  # how a bare number gets its unit, {n} standing for it; None: a number is a form
    what: tuple[str, str]  # what the missing `value` of a mapping holds
    one: tuple[str, str]  # what a list is to be instead
    yes_no: tuple[str, str]  # why true/false is none of the forms


def _value_forms(name: tuple[str, str], number: str, text: tuple[str, str], unit: str,
                 level: tuple[str, str] = ("", "")) -> Forms:
    """The forms of a year's indicator value or statistic: a number, a text with its unit, or {value, unit, evidence}."""
    return Forms(
        name,
        (f'写成数值(如 {number});带单位的文本(如 {text[0]});或 {{value: {number}, unit: "{unit}", evidence: "证明材料索引"}}'
         f'(value 为数值或带单位的文本,unit 与 evidence 选填){level[0]}',
         f'write a number (e.g. {number}); a text with its unit (e.g. {text[1]}); or {{value: {number}, unit: "{unit}", '
         f'evidence: "evidence index"}} (value a number or a text with its unit; unit and evidence optional){level[1]}'),
        ("没有数据时删去该项(不必写 null);有数据时", "without data leave the entry out (no null needed); with data, "),
        None,
        ("数值", "the number"),
        ("只能给出一个数值", "give one value"),
        ("(真假值 true/false 不是数值)", " (true/false is a yes/no value, not a number)"))


# by the schema title of the oneOf: a carrier's own coefficient takes text with its unit or a mapping with its evidence; a
# bare number is refused because kgce and kJ per unit differ by four orders of magnitude and are never guessed
_FORMS = {
    "自带折标系数 / own coefficient": Forms(
        ("自带折标系数", "the own coefficient"),
        ('写成 {value: "20908 kJ/kg", evidence: "H-1 煤质化验报告"}:value 为 kgce/单位 的折标准煤系数(如 "0.68 kgce/kg")'
         '或 kJ/单位 的实测低位发热量(如 "20908 kJ/kg"),数值与单位也可分写为 value 与 unit;证明材料 evidence 必填',
         'write {value: "20908 kJ/kg", evidence: "H-1 fuel analysis"}: value is a standard-coal coefficient in kgce per unit '
         '(e.g. "0.68 kgce/kg") or a measured low calorific value in kJ per unit (e.g. "20908 kJ/kg"); the number and its unit '
         'may also be given apart as value and unit; the evidence is required'),
        ("没有实测值时删去 coefficient,按目录系数折算;有实测值时",
         "without a measured value remove coefficient: the catalogue's coefficient is used; with a measured value, "),
        ('如 {n} 是折标准煤系数,写成 {{value: "{n} kgce/kg", evidence: …}}(按该品种的计量单位,如 kgce/m3);'
         '如是低位发热量,单位为 kJ/单位。一般写法:',
         'if {n} is a standard-coal coefficient, write {{value: "{n} kgce/kg", evidence: …}} (per the carrier\'s own unit, kgce/m3 '
         'say); a low calorific value is in kJ per unit. In general: '),
        ("系数及其单位", "the coefficient with its unit"),
        ("只能给出一个系数", "give one coefficient"),
        ("(真假值)", " (a yes/no value)")),
    # a year's indicator values and statistics: a bare number is a form (in the catalogue's unit), true/false is not
    "指标取值 / indicator value": _value_forms(
        ("指标 {key} 的取值", "the value of indicator {key}"), "95.2", ('"95 %"、"1.2 万元/tce"', '"95 %", "1.2 万元/tce"'), "%",
        (';定性指标写等级文本(如 "具备")', '; a qualitative indicator takes its level\'s text (e.g. "具备")')),
    "统计数据取值 / statistic value": _value_forms(
        ("统计数据 {key} 的取值", "the value of statistic {key}"), "705000", ('"70.5 万tce"、"223 亿元"', '"70.5 万tce", "223 亿元"'),
        "tce"),
}


def _forms(chain: list, leaf: jsonschema.ValidationError) -> Optional[Wording]:
    """A value of a oneOf with `_FORMS` wording that has none of its forms (a wrong type, an empty text, a mapping
    without its required field), said with the forms it takes; None otherwise (an error inside one form keeps its own)."""
    holder = next((e for e in reversed(chain) if e.validator in ("oneOf", "anyOf") and isinstance(e.schema, dict)
                   and e.schema.get("title") in _FORMS), None)
    if holder is None or tuple(leaf.absolute_path) != tuple(holder.absolute_path) or leaf.validator not in ("type", "required", "minLength"):
        return None
    f = _FORMS[holder.schema["title"]]
    inst, shown = leaf.instance, _shown(leaf.instance)
    key = str(holder.absolute_path[-1]) if holder.absolute_path else ""
    key = key if len(key) <= 80 else key[:77] + "..."
    name_zh, name_en = (n.replace("{key}", key) for n in f.name)
    forms_zh, forms_en = f.forms
    fix = (forms_zh, forms_en)
    if leaf.validator == "required":
        missing = "、".join(k for k in leaf.validator_value if not (isinstance(inst, dict) and k in inst)) or "value"
        zh, en = f"{name_zh}缺少 {missing}({f.what[0]})", f"{name_en} lacks {missing} ({f.what[1]})"
    elif inst is None or (isinstance(inst, str) and not inst.strip()):
        zh, en = f"{name_zh}为空({shown})", f"{name_en} is empty ({shown})"
        fix = (f.absent[0] + forms_zh, f.absent[1] + forms_en)
    elif isinstance(inst, bool):
        zh, en = f"{name_zh}不能是 {shown}{f.yes_no[0]}", f"{name_en} cannot be {shown}{f.yes_no[1]}"
    elif isinstance(inst, (int, float)) and f.unit_hint is not None:
        zh, en = f"{name_zh} {shown} 没有单位(kgce/单位 与 kJ/单位 相差约三万倍,不猜)", \
            f"{name_en} {shown} has no unit (kgce and kJ per unit differ some 30000-fold, so it is never guessed)"
        fix = (f.unit_hint[0].format(n=shown) + forms_zh, f.unit_hint[1].format(n=shown) + forms_en)
    elif isinstance(inst, list):
        zh, en = f"{name_zh}是列表 {shown}:{f.one[0]}", f"{name_en} is a list, {shown}: {f.one[1]}"
    else:
        zh, en = f"{name_zh}:{shown} 不是可接受的写法", f"{name_en}: {shown} is none of the forms it takes"
    return Wording(tuple(holder.absolute_path), zh, en, *fix)


def validate(doc: Document, schema_name: str, error_cls: type[GreendiagError]) -> Any:
    """Validate and return the document's data, or raise error_cls with every problem (numbers beyond the float range
    included: catalogue and rule files compute with their numbers as floats)."""
    found = problems(doc, schema_name) + _huge_numbers(doc)
    if found:
        raise error_cls(found)
    return doc.data


def _huge_numbers(doc: Document) -> list[Problem]:
    """Integers too large for a float (10**400) and non-finite floats, located: as floats they overflow or poison sums."""
    out: list[Problem] = []
    stack: list[tuple[Any, tuple]] = [(doc.data, ())]
    while stack:
        v, path = stack.pop()
        if isinstance(v, dict):
            stack.extend((x, path + (k,)) for k, x in v.items())
        elif isinstance(v, list):
            stack.extend((x, path + (i,)) for i, x in enumerate(v))
        elif (isinstance(v, int) and not isinstance(v, bool) and abs(v) > _FLOAT_MAX) or (isinstance(v, float) and not math.isfinite(v)):
            shown = f"{str(v)[:12]}…" if isinstance(v, int) else repr(v)
            out.append(doc.problem("number-too-large", f"数值 {shown} 超出可计算范围(须为有限数值,绝对值不超过 1.8e308)",
                                   f"the number {shown} is out of range (it must be finite, at most 1.8e308 in size)", path,
                                   "核对该数值及其单位", "check the number and its unit"))
    return sorted(out, key=lambda p: p.location or "")
