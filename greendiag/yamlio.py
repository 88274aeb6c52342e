"""Safe reading of YAML/JSON data files, with line/column locations for every value.

PyYAML's defaults surprise users of a data format (``NO`` is False, dates become objects, duplicate
keys silently win last, anchors can bomb memory, ``.nan`` is a number). This loader keeps scalars
boring: booleans are only true/false, dates stay strings, keys are strings, duplicates, non-finite
numbers, alias bombs and deep nesting are located errors.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
from typing import Any, Iterable, Optional, Sequence

import attrs
import yaml

from .errors import GreendiagError, InputFileError, Problem, file_error

MAX_BYTES = 20 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000
MAX_DEPTH = 64


class _LoadProblem(Exception):
    def __init__(self, code: str, zh: str, en: str, mark=None, fix_zh=None, fix_en=None):
        super().__init__(en)
        self.code, self.zh, self.en, self.mark, self.fix_zh, self.fix_en = code, zh, en, mark, fix_zh, fix_en


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when PyYAML has it: ~10x faster
    """SafeLoader with YAML-1.2-like booleans, no timestamps, string keys, checked duplicates."""

    def resolve(self, kind, value, implicit):
        """BaseResolver.resolve, with the tag of a plain scalar remembered by its text: the parser asks for every
        scalar, and with no path resolvers the answer depends on the text alone (the resolvers are fixed below)."""
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 64 and len(_plain_tags) < 8192:
                    _plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


_plain_tags: dict[str, str] = {}


# YAML 1.2 core schema for booleans and numbers: PyYAML's 1.1 forms would read 010 as 8 (octal), 1:20 as 80
# (base 60), 0x10 as 16 and 8_2 as 82 without a word, and 1e-05 as text; here numbers are decimal or they are text
# (which the unit parser then refuses as not-a-number). Timestamps stay text.
_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    explicit = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # puts the pairs merged in by `<<` first; they may be overridden
    merged = len(node.value) - explicit
    out: dict[str, Any] = {}
    explicit_keys: set[str] = set()
    for index, (key_node, value_node) in enumerate(node.value):
        if not isinstance(key_node, yaml.ScalarNode):
            raise _LoadProblem("yaml-complex-key", "映射的键必须是简单文本", "a mapping key must be a plain scalar",
                               key_node.start_mark)
        key = str(loader.construct_object(key_node, deep=deep))
        if index >= merged:
            if key in explicit_keys:
                raise _LoadProblem("duplicate-key", f"键“{key}”重复出现", f"key '{key}' appears twice",
                                   key_node.start_mark, "删除或合并重复的键", "remove or merge the duplicate key")
            explicit_keys.add(key)
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    """Decimal only (a leading zero is padding, not octal); other forms under an explicit !!int are refused."""
    if re.fullmatch(r"[-+]?[0-9]+", node.value):
        if len(node.value.lstrip("+-0")) > 4000:  # int() refuses more than 4300 digits; shorter ones beyond the float
            # range are number-too-large at their JSON path in the checks downstream
            raise _too_large(node)
        return int(node.value)
    if _YAML11_INT.fullmatch(node.value):
        raise _LoadProblem("bad-number", f"“{node.value}”不是十进制整数", f"'{node.value}' is not a decimal integer", node.start_mark,
                           "用十进制数字书写,如 16", "write it in decimal digits, e.g. 16")
    return yaml.SafeLoader.construct_yaml_int(loader, node)  # not a number at all: PyYAML's error, as for any bad tag


_YAML11_INT = re.compile(r"[-+]?(?:0b[0-1_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+|[0-9][0-9_]*)")


def _too_large(node: yaml.ScalarNode) -> "_LoadProblem":
    shown = node.value if len(node.value) <= 24 else node.value[:12] + "…" + node.value[-6:]
    return _LoadProblem("number-too-large", f"数值 {shown} 超出可计算的范围(约 ±1.8e308)", f"the number {shown} is beyond the range "
                        "numbers can take (about ±1.8e308)", node.start_mark, "核对数值与单位(是否多写了位数)",
                        "check the number and its unit (too many digits?)")


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> float:
    if re.fullmatch(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?", node.value) and (":" in node.value or "_" in node.value):
        raise _LoadProblem("bad-number", f"“{node.value}”不是十进制数", f"'{node.value}' is not a decimal number", node.start_mark,
                           "用十进制数字和小数点书写,如 8.2", "write it in decimal digits with a decimal point, e.g. 8.2")
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if math.isinf(value) and any(ch.isdigit() for ch in node.value):  # 1e400: a number, beyond what a float holds
        raise _too_large(node)
    if not math.isfinite(value):
        raise _LoadProblem("non-finite-number", f"不允许非有限数值 {node.value}", f"non-finite number {node.value} is not allowed",
                           node.start_mark, "填写有限的数值,缺失数据请删除该项", "give a finite number; leave missing data out")
    return value


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)


def _check_size(node: yaml.Node) -> None:
    """Reject alias bombs and absurd nesting by counting the node tree as it would expand."""
    memo: dict[int, int] = {}

    def size(n: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _LoadProblem("too-deep", f"嵌套超过{MAX_DEPTH}层", f"nesting deeper than {MAX_DEPTH} levels", n.start_mark)
        if id(n) in memo:
            return memo[id(n)]
        if isinstance(n, yaml.ScalarNode):
            total = 1
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(c, depth + 1) for c in n.value)
        else:
            total = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in n.value)
        if total > MAX_EXPANDED_NODES:
            raise _LoadProblem("too-large", "展开后的数据过大(疑似锚点/别名炸弹)",
                               "data expands too large (an anchor/alias bomb?)", n.start_mark)
        memo[id(n)] = total
        return total

    size(node, 0)


_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _SEQ, _MAP = (_T + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))


class _Fallback(Exception):
    """Something the fast constructor leaves to PyYAML's (and to _check_size), which then says what is wrong."""


def _fast_construct(loader: _Loader, root: yaml.Node) -> Any:
    """The data of a node tree as `_check_size` and then `loader.construct_document` give it, for the usual file:
    plain scalars, sequences and mappings only, no merge keys, nothing to refuse. One pass, counting sizes and
    depth as `_check_size` does; an aliased node gives the same object, as PyYAML's memo does. Anything else —
    another tag, a duplicate key, a non-finite number, too deep or too large — raises _Fallback, and the caller
    runs the full checks and constructor on the same tree, so errors and their marks are theirs."""
    memo: dict[int, tuple[Any, int]] = {}
    scalar, seq, mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    construct_int, construct_float = _construct_int, _construct_float
    construct_bool = yaml.SafeLoader.construct_yaml_bool

    def build(n: yaml.Node, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise _Fallback
        got = memo.get(id(n))
        if got is not None:
            return got
        kind, tag = type(n), n.tag
        if kind is scalar:
            if tag == _STR or tag == _TIMESTAMP:
                obj = n.value
            else:
                try:
                    if tag == _INT:
                        obj = construct_int(loader, n)
                    elif tag == _FLOAT:
                        obj = construct_float(loader, n)
                        if not math.isfinite(obj):
                            raise _Fallback
                    elif tag == _BOOL:
                        obj = construct_bool(loader, n)
                    elif tag == _NULL:
                        obj = None
                    else:
                        raise _Fallback
                except Exception:  # noqa: BLE001 - PyYAML's constructor will meet it again and say so
                    raise _Fallback from None
            total = 1
        elif kind is seq and tag == _SEQ:
            obj, total = [], 1
            for child in n.value:
                item, size = build(child, depth + 1)
                obj.append(item)
                total += size
        elif kind is mapping and tag == _MAP:
            obj, total = {}, 1
            for key_node, value_node in n.value:
                if type(key_node) is not scalar:
                    raise _Fallback
                key, size = build(key_node, depth + 1)
                key = str(key)
                if key in obj:
                    raise _Fallback
                obj[key], vsize = build(value_node, depth + 1)
                total += size + vsize
        else:
            raise _Fallback
        if total > MAX_EXPANDED_NODES:
            raise _Fallback
        memo[id(n)] = got = (obj, total)
        return got

    return build(root, 0)[0]


@attrs.frozen
class Document:
    """A parsed data file: its data and the node tree used to locate values by path."""

    path: str
    data: Any
    node: Any = attrs.field(default=None, repr=False, eq=False)

    def _node(self, path: Sequence[str | int]) -> tuple[Any, bool]:
        """(the deepest node on `path`, whether the whole path resolved)."""
        node = self.node
        for step in path:
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(step)), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                nxt = node.value[step]
            else:
                nxt = None
            if nxt is None:
                return node, False
            node = nxt
        return node, True

    def locate(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """1-based (line, column) of the value at `path`, as deep as the path resolves."""
        best, _ = self._node(path)
        if best is None:
            return None, None
        return best.start_mark.line + 1, best.start_mark.column + 1

    def locate_key(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """1-based (line, column) of the key that ends `path` (a misspelt key, a constant's name) rather than of its
        value, which may start on a later line; the value's place (locate) when the key is not found."""
        parent, whole = self._node(path[:-1])
        if path and whole and isinstance(parent, yaml.MappingNode):
            for k, _ in parent.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(path[-1]):
                    return k.start_mark.line + 1, k.start_mark.column + 1
        return self.locate(path)

    def text_at(self, path: Sequence[str | int]) -> Optional[str]:
        """The scalar at `path` as written in the file (01060000001, where the data holds the int 1060000001), or None."""
        node, whole = self._node(path)
        return node.value if whole and isinstance(node, yaml.ScalarNode) else None

    def problem(self, code: str, zh: str, en: str, path: Sequence[str | int] = (), fix_zh=None, fix_en=None) -> Problem:
        line, col = self.locate(path)
        return Problem(code, zh, en, file=self.path, location=json_path(path), line=line, column=col,
                       fix_zh=fix_zh, fix_en=fix_en)


_WORD = re.compile(r"[\w]+")


def json_path(path: Iterable[str | int]) -> str:
    out = "$"
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if _WORD.fullmatch(str(step)) else f"[{step!r}]")
    return out


def _fail(error_cls: type[GreendiagError], path: str, code: str, zh: str, en: str, mark=None, fix_zh=None, fix_en=None):
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    raise file_error(error_cls)(Problem(code, zh, en, file=path, line=line, column=col, fix_zh=fix_zh, fix_en=fix_en)) from None


def check_file(path: str | os.PathLike, error_cls: type[GreendiagError] = InputFileError) -> str:
    """The path of an existing, readable-sized file, or a located error (missing, a folder, too large, bad path).
    Shared by every reader (YAML/JSON here, workbooks in excel/)."""
    p = os.fspath(path)
    with _os_errors(error_cls, p):
        if os.path.isdir(p):
            _fail(error_cls, p, "is-directory", "这是一个文件夹,不是文件", "this is a folder, not a file",
                  fix_zh="给出文件夹中的文件;诊断整个文件夹用 greendiag diagnose 文件夹", fix_en="give a file in it; to diagnose a whole folder use greendiag diagnose FOLDER")
        st = os.stat(p)
        if not stat.S_ISREG(st.st_mode):  # a named pipe would block the read for ever; a device never ends
            _fail(error_cls, p, "not-a-regular-file", "这不是普通文件(如管道、设备),不能作为输入读取",
                  "this is not a regular file (a pipe or a device, say) and cannot be read as input",
                  fix_zh="先把内容保存为文件,再给出该文件", fix_en="save the content to a file first and give that file")
        size = st.st_size
        if size > MAX_BYTES:
            _fail(error_cls, p, "file-too-large", f"文件过大({size}字节)", f"file too large ({size} bytes)")
    return p


@contextlib.contextmanager
def _os_errors(error_cls: type[GreendiagError], p: str):
    """The operating system's refusals to stat or open `p`, as located errors."""
    try:
        yield
    except FileNotFoundError:
        _fail(error_cls, p, "file-not-found", "文件不存在", "file not found", fix_zh="检查路径与文件名", fix_en="check the path and file name")
    except PermissionError:
        _fail(error_cls, p, "file-unreadable", "没有读取权限", "permission denied",
              fix_zh="请文件所有者开放读取权限,或复制一份可读的文件", fix_en="ask the file's owner for read permission, or use a readable copy")
    except OSError as exc:
        _fail(error_cls, p, "file-unreadable", f"无法读取文件:{exc.strerror}", f"cannot read file: {exc.strerror}",
              fix_zh="检查路径(如符号链接是否指向存在的文件)与磁盘", fix_en="check the path (does a symbolic link point to a file that exists?) and the disk")
    except ValueError:  # os functions reject a path with an embedded NUL byte
        _fail(error_cls, p.replace("\x00", "\\x00"), "bad-path", "路径含有空字节", "the path contains a NUL byte")


_NOT_DATA = {".md": "Markdown 报告", ".markdown": "Markdown 报告", ".html": "HTML 报告", ".htm": "HTML 报告",
             ".pdf": "PDF 文件", ".doc": "Word 文档"}  # a .docx is told by its content (_binary_kind)


def read_text(path: str | os.PathLike, error_cls: type[GreendiagError] = InputFileError) -> str:
    """Read a UTF-8 text file or raise a located error (missing, a folder, too large, not UTF-8, empty, a report)."""
    p = check_file(path, error_cls)
    kind = _NOT_DATA.get(os.path.splitext(p)[1].lower())
    if kind is not None:  # its YAML parse error (in PyYAML's English) would not say what the file is
        _fail(error_cls, p, "wrong-kind-of-file", f"这是 {kind}(按扩展名),不是 YAML/JSON 数据文件",
              f"this is a {os.path.splitext(p)[1].lower().lstrip('.')} file (by its extension), not YAML/JSON data",
              fix_zh="给出园区数据文件(.xlsx/.yaml/.json);重新出报告请给出报告包中的 diagnosis.json",
              fix_en="give the park's data file (.xlsx/.yaml/.json); to render a report again give the pack's diagnosis.json")
    with _os_errors(error_cls, p):
        with open(p, "rb") as fh:
            raw = fh.read()
    _binary_kind(raw, p, error_cls)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(error_cls, p, "not-utf8", f"文件不是UTF-8编码(第{exc.start}字节)", f"file is not UTF-8 (byte {exc.start})",
              fix_zh="以UTF-8编码另存该文件(记事本/WPS:另存为 → 编码 UTF-8)", fix_en="save the file as UTF-8")
    if not text.strip():
        _fail(error_cls, p, "empty-file", "文件为空", "file is empty", fix_zh="检查是否选错了文件,或文件是否在保存时被清空",
              fix_en="check that this is the file meant, and that saving it did not empty it")
    if "\x00" in text:
        _fail(error_cls, p, "binary-file", "文件含有空字节,不是文本数据", "file contains NUL bytes: not text data",
              fix_zh="给出 YAML/JSON 文本文件或 .xlsx 工作簿", fix_en="give a YAML/JSON text file or an .xlsx workbook")
    return text


def _binary_kind(raw: bytes, p: str, error_cls: type[GreendiagError]) -> None:
    """A file that is plainly not text, said by what it is: a workbook or Word file under a text name, UTF-16 text."""
    if raw[:4] == b"PK\x03\x04":  # a zip: .xlsx and .docx are zips
        kind = _zip_kind(p)
        if kind == "xlsx":
            _fail(error_cls, p, "wrong-kind-of-file", "这是 Excel 工作簿,扩展名却不是 .xlsx", "this is an Excel workbook without the .xlsx extension",
                  fix_zh="把扩展名改为 .xlsx 后再读取", fix_en="rename it to .xlsx and read it again")
        if kind == "docx":
            _fail(error_cls, p, "wrong-kind-of-file", "这是 Word 文档(如生成的报告),不是数据文件", "this is a Word document (a report, say), not a data file",
                  fix_zh="给出园区数据文件(.xlsx/.yaml/.json)或诊断结果 diagnosis.json", fix_en="give the park's data file (.xlsx/.yaml/.json) or a diagnosis.json")
        _fail(error_cls, p, "wrong-kind-of-file", "这是 zip 压缩文件,不是 YAML/JSON 文本", "this is a zip archive, not YAML/JSON text",
              fix_zh="解压后给出其中的数据文件", fix_en="unpack it and give the data file inside")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        _fail(error_cls, p, "not-utf8", "文件是 UTF-16 编码(“Unicode”),不是 UTF-8", "the file is UTF-16 (\"Unicode\"), not UTF-8",
              fix_zh="以UTF-8编码另存该文件(记事本/WPS:另存为 → 编码 UTF-8)", fix_en="save the file as UTF-8")


def _zip_kind(p: str) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return ""
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    return ""


def _bad_tagged_scalar(loader, root, exc: Exception) -> "_LoadProblem":
    """The scalar whose explicit tag PyYAML could not apply (`!!int abc`, `!!bool maybe`), as a located problem."""
    stack, seen = [root], set()
    loader.constructed_objects, loader.recursive_objects = {}, {}  # left over from the failed construction
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node, deep=True)
            except (ValueError, KeyError, TypeError, OverflowError, yaml.YAMLError):
                return _LoadProblem("malformed-yaml", f"值“{node.value[:60]}”不能按标签 {node.tag} 解析",
                                    f"value '{node.value[:60]}' cannot be read as tag {node.tag}", node.start_mark,
                                    "删除该标签(如 !!int),或改正数值", "remove the tag (e.g. !!int) or correct the value")
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return _LoadProblem("malformed-yaml", f"YAML 值无法解析:{exc}", f"a YAML value cannot be read: {exc}", root.start_mark)


def parse_text(text: str, path: str, error_cls: type[GreendiagError] = InputFileError) -> Document:
    """Parse YAML (or JSON, which is read as YAML for locations) into a Document."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                _fail(error_cls, path, "empty-file", "文件没有内容", "file has no content")
            try:
                data = _fast_construct(loader, node)
            except _Fallback:
                _check_size(node)
                try:
                    data = loader.construct_document(node)
                except (ValueError, KeyError, TypeError, OverflowError) as exc:  # e.g. `!!int abc`: a tag its text cannot be
                    raise _bad_tagged_scalar(loader, node, exc) from None
        finally:
            loader.dispose()
    except _LoadProblem as exc:
        _fail(error_cls, path, exc.code, exc.zh, exc.en, exc.mark, exc.fix_zh, exc.fix_en)
    except yaml.MarkedYAMLError as exc:
        if path.lower().endswith(".json"):
            _check_json(text, path, error_cls)  # a JSON file's own error says more than YAML's (and points at the truncation)
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote/bracket: point at where it was opened, not at the file's end
        what = f"{exc.problem or ''} {exc.context or ''}".strip()
        _fail(error_cls, path, "malformed-yaml", f"YAML/JSON 格式错误:{what}", f"malformed YAML/JSON: {what}", mark,
              "检查该行的缩进、冒号与引号;含 % 或 : 的文本请加引号", "check indentation, colons and quotes on that line; quote text containing % or :")
    except yaml.YAMLError as exc:
        _fail(error_cls, path, "malformed-yaml", f"YAML/JSON 格式错误:{exc}", f"malformed YAML/JSON: {exc}")
    except RecursionError:
        _fail(error_cls, path, "too-deep", "嵌套过深", "nesting too deep")
    if path.lower().endswith(".json"):
        _check_json(text, path, error_cls)
    return Document(path, data, node)


def _check_json(text: str, path: str, error_cls: type[GreendiagError]) -> None:
    """A .json file must also be valid strict JSON (YAML accepts more)."""
    def pairs(items):
        seen = set()
        for k, _ in items:
            if k in seen:
                raise _LoadProblem("duplicate-key", f"键“{k}”重复出现", f"key '{k}' appears twice")
            seen.add(k)
        return dict(items)

    def bad_constant(name):
        raise _LoadProblem("non-finite-number", f"不允许 {name}", f"{name} is not allowed in JSON data")

    try:
        json.loads(text, object_pairs_hook=pairs, parse_constant=bad_constant)
    except _LoadProblem as exc:
        if exc.code == "non-finite-number":
            line, col = _constant_at(text)
            raise file_error(error_cls)(Problem(exc.code, exc.zh, exc.en, file=path, line=line, column=col,
                                                fix_zh="缺失的数值写 null(或删去该项),否则给出有限的数值",
                                                fix_en="write null for a missing value (or leave the entry out); otherwise give a finite number")) from None
        _fail(error_cls, path, exc.code, exc.zh, exc.en)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):  # the text ends before the document: cut off
            zh, en = f"JSON 格式错误:文件在结尾处中断({exc.msg})", f"malformed JSON: the file ends too early ({exc.msg})"
            fix_zh, fix_en = "文件可能未完整保存或被截断:重新复制或重新生成该文件", "the file was probably cut off: copy or generate it again"
        else:
            zh, en = f"JSON 格式错误:{exc.msg}", f"malformed JSON: {exc.msg}"
            fix_zh, fix_en = "检查该位置前后的逗号、括号与引号(JSON 中文本须用双引号)", "check commas, brackets and quotes around that place (JSON text takes double quotes)"
        raise file_error(error_cls)(Problem("malformed-json", zh, en, file=path, line=exc.lineno, column=exc.colno,
                                            fix_zh=fix_zh, fix_en=fix_en)) from None
    except RecursionError:
        _fail(error_cls, path, "too-deep", "嵌套过深", "nesting too deep")


def _constant_at(text: str) -> tuple[Optional[int], Optional[int]]:
    """(line, column) of the first NaN/Infinity outside a JSON string; json.loads does not say where it met it."""
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            escaped, in_string = (not escaped and ch == "\\"), in_string and (escaped or ch != '"')
        elif ch == '"':
            in_string = True
        elif text.startswith(("NaN", "Infinity", "-Infinity"), i):
            line = text.count("\n", 0, i) + 1
            return line, i - (text.rfind("\n", 0, i) + 1) + 1
    return None, None


def read_document(path: str | os.PathLike, error_cls: type[GreendiagError] = InputFileError) -> Document:
    """Read and parse a YAML or JSON data file safely."""
    p = os.fspath(path)
    return parse_text(read_text(p, error_cls), p, error_cls)
