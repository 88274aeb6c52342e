"""Many parks at once: `diagnose_many` runs diagnoses in worker processes, in input order, one bad park never stopping the rest.

Processes, not threads: durable-rules' C engine holds the GIL and is not fork-safe with live
sessions, so workers start by forkserver (spawn where there is none) and each loads the catalogue
and rule base once. A worker returns plain `to_dict()` dicts; a crashed worker is found and
reported for the item that killed it, and the other items are diagnosed again.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import time
import traceback as tb
from typing import Any, Callable, Iterable, Optional, Sequence

import attrs

from .dataset import DIAGNOSIS_YEARS
from .errors import GreendiagError, Problem
from .pack import pack_names

MAX_CHUNK = 64
MAX_RESTARTS = 8  # crashed-worker isolation passes before the rest are reported unverified

Progress = Callable[[int, int], Any]


@attrs.frozen
class BatchResult:
    """One park of a batch: its position and source, and either the diagnosis dict or the problems that stopped it."""

    index: int
    source: str
    ok: bool
    diagnosis: Optional[dict] = attrs.field(default=None, repr=False, eq=False)
    problems: tuple = ()
    seconds: float = attrs.field(default=0.0, eq=False)
    traceback: Optional[str] = attrs.field(default=None, repr=False, eq=False)  # internal errors only
    pack_dir: Optional[str] = None  # with out_dir: this park's report-pack folder (None if its pack could not be written)
    pack_files: tuple = attrs.field(default=(), eq=False)
    pack_problems: tuple = ()  # the report pack could not be written (the diagnosis itself is ok)


@attrs.frozen
class _Config:
    """What every worker needs to rebuild the catalogue and rule base the caller asked for (picklable)."""

    overlays: tuple
    rules_files: tuple
    backend: str
    as_of: Optional[dt.date]
    pack_root: Optional[str] = None  # write each park's report pack into pack_root/<its name> (the name travels with the item)
    report_lang: str = "zh"
    overwrite: bool = False  # replace pack files edited since greendiag wrote them


# ------------------------------------------------------------------ the work of one item (worker or in-process)

_state: dict = {}  # _Config -> (catalogue, rule base) or the GreendiagError that loading raised


def _load(cfg: _Config):
    from .catalogue import load_catalogue
    from .rulebook import load_rules

    cat = load_catalogue(*cfg.overlays)
    return cat, load_rules(*cfg.rules_files, catalogue=cat)


def _worker_init(cfg: _Config) -> None:
    """Pool initializer: load the catalogue and rules once per worker process."""
    try:
        _state[cfg] = _load(cfg)
    except GreendiagError as exc:  # validated in the parent already; kept so every item reports it
        _state[cfg] = exc


def _source(item: Any, index: int) -> str:
    from .models import ParkDataset

    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    if isinstance(item, ParkDataset):
        return item.source
    return f"<datasets[{index}]>"


def _diagnose_item(cat, rb, cfg: _Config, index: int, item: Any, name: Optional[str] = None) -> tuple:
    """(index, ok, diagnosis dict or None, problems, seconds, traceback) for one item; never raises."""
    from .dataset import dataset_from_dict, load_dataset
    from .diagnosis import diagnose
    from .models import ParkDataset

    start = time.perf_counter()
    source = "?"
    try:
        source = _source(item, index)
        if isinstance(item, (str, os.PathLike)):
            ds = load_dataset(item, catalogue=cat)
        elif isinstance(item, dict):  # errors name the item's place; its diagnosis says <data>, as diagnose() does
            ds = attrs.evolve(dataset_from_dict(item, catalogue=cat, source=source), source="<data>")
        elif isinstance(item, ParkDataset):
            ds = item
        else:
            raise GreendiagError(Problem("bad-dataset-item", f"第 {index} 项不是文件路径、字典或 ParkDataset,而是 {type(item).__name__}",
                                         f"item {index} is not a path, a dict or a ParkDataset but a {type(item).__name__}",
                                         file=source, fix_zh="传入数据文件路径或已解析的数据字典",
                                         fix_en="pass dataset file paths or already-parsed dataset dicts"))
        data = diagnose(ds, catalogue=cat, rules=rb, backend=cfg.backend, as_of=cfg.as_of).to_dict()
    except GreendiagError as exc:
        return index, False, None, exc.problems, time.perf_counter() - start, None, None
    except Exception as exc:  # a bug of ours (or of the engine): reported for this item, the batch goes on
        return index, False, None, (_internal(exc, source),), time.perf_counter() - start, tb.format_exc(), None
    return index, True, data, (), time.perf_counter() - start, None, _write_pack(cfg, name, data, source)


def _write_pack(cfg: _Config, name: Optional[str], data: dict, source: str) -> Optional[tuple]:
    """(folder, files, problems) of this park's report pack, written here in the worker; None without out_dir."""
    if cfg.pack_root is None or name is None:
        return None
    from .pack import write_pack

    folder = os.path.join(cfg.pack_root, name)
    try:
        return folder, tuple(write_pack(data, folder, lang=cfg.report_lang, overwrite=cfg.overwrite)), ()
    except GreendiagError as exc:  # one park's report failing must not stop the others
        return folder, (), exc.problems
    except Exception as exc:
        return folder, (), (_internal(exc, source),)


def _internal(exc: BaseException, source: str) -> Problem:
    frames = tb.extract_tb(exc.__traceback__)
    where = f"{os.path.basename(frames[-1].filename)}:{frames[-1].lineno} in {frames[-1].name}" if frames else None
    return Problem("internal-error", f"内部错误(请报告此问题):{type(exc).__name__}: {exc}",
                   f"internal error (please report it): {type(exc).__name__}: {exc}", file=source, location=where,
                   fix_zh="单独诊断该文件以复现,并附上 BatchResult.traceback 报告此问题",
                   fix_en="diagnose this file alone to reproduce it, and report it with BatchResult.traceback")


def _run_chunk(cfg: _Config, chunk: list) -> list:
    """Worker task: diagnose a chunk of (index, item, pack name) triples with the worker's loaded catalogue and rules."""
    loaded = _state.get(cfg)
    if loaded is None:
        _worker_init(cfg)
        loaded = _state[cfg]
    if isinstance(loaded, GreendiagError):
        return [(i, False, None, loaded.problems, 0.0, None, None) for i, _, _ in chunk]
    cat, rb = loaded
    return [_diagnose_item(cat, rb, cfg, i, item, name) for i, item, name in chunk]


# ------------------------------------------------------------------ the public entry point

def diagnose_many(datasets: Iterable[Any], *, workers: Optional[int] = None, backend: str = "durable",
                  catalogue_overlays: Sequence = (), rules_files: Sequence = (), as_of: Optional[dt.date] = None,
                  progress: Optional[Progress] = None, chunksize: Optional[int] = None,
                  out_dir: Optional[str | os.PathLike] = None, report_lang: str = "zh", overwrite: bool = False) -> list[BatchResult]:
    """Diagnose many parks (paths, parsed dicts or ParkDatasets); a BatchResult per item, in input order.

    A bad catalogue overlay, rule file or argument raises at once (it would fail every park); a bad
    park only makes its own result `ok=False`. `progress(done, total)` is called as parks finish.
    With `out_dir`, each park's report pack is written by its worker into out_dir/<unique name>
    (see `pack_dir`, `pack_problems` of the result): charts and Word files are the slow part. A pack whose files
    were edited since greendiag wrote them is not replaced (pack-file-edited in `pack_problems`) unless `overwrite`.
    """
    from .engine import check_backend
    from .reports._data import check_lang

    if isinstance(datasets, (str, bytes, os.PathLike, dict)) or not isinstance(datasets, Iterable):
        raise _argument("datasets", "须为由文件路径或数据字典组成的列表", "must be a list of paths or dataset dicts",
                        type(datasets).__name__)
    items = list(datasets)
    if progress is not None and not callable(progress):
        raise _argument("progress", "须为可调用对象 progress(done, total)", "must be a callable progress(done, total)", progress)
    check_backend(backend)
    workers = _check_count("workers", workers, default=_cpus())
    chunksize = _check_count("chunksize", chunksize, default=None)
    as_of = check_as_of(as_of)
    if out_dir is not None:
        if not isinstance(out_dir, (str, os.PathLike)):
            raise _argument("out_dir", "须为一个文件夹路径", "must be one folder path", out_dir)
        out_dir = os.path.abspath(os.fspath(out_dir))  # workers may not share the caller's working folder
    names = pack_names([_source_safe(item, i) for i, item in enumerate(items)]) if out_dir else [None] * len(items)
    check_lang(report_lang)
    if not isinstance(overwrite, bool):
        raise _argument("overwrite", "须为 True 或 False", "must be True or False", overwrite)
    cfg = _Config(_paths("catalogue_overlays", catalogue_overlays), _paths("rules_files", rules_files), backend, as_of,
                  out_dir, report_lang, overwrite)
    cat, rb = _load(cfg)  # raises the GreendiagError of a bad overlay or rule file, once, here
    total = len(items)
    out: list[Optional[tuple]] = [None] * total
    tracker = _Tracker(total, progress)
    if total == 0:
        return []
    workers = min(workers, total)
    if workers == 1:
        for i, item in enumerate(items):
            out[i] = _diagnose_item(cat, rb, cfg, i, item, names[i])
            tracker.add(1)
    else:
        size = chunksize or max(1, min(MAX_CHUNK, math.ceil(total / (workers * 4))))
        _run_pool(cfg, [(i, item, names[i]) for i, item in enumerate(items)], workers, size, out, tracker, (cat, rb))
    return [_result(row, _source_safe(items[row[0]], row[0])) for row in out]


def _paths(name: str, value: Any) -> tuple:
    """A path or a sequence of paths (or registered overlay names) as a tuple of str."""
    if isinstance(value, (str, os.PathLike)):
        value = (value,)
    try:
        return tuple(os.fspath(v) for v in value)
    except TypeError:
        raise _argument(name, "须为文件路径(或其列表)", "must be a path or a list of paths", value) from None


def _source_safe(item: Any, index: int) -> str:
    try:
        return _source(item, index)
    except Exception:
        return f"<datasets[{index}]>"


def _result(row: tuple, source: str) -> BatchResult:
    index, ok, data, problems, seconds, trace, pack = row
    folder, files, pack_problems = pack or (None, (), ())
    folder = None if pack_problems else folder  # a pack that failed was not written (fileio.write_files: all or nothing)
    return BatchResult(index, source, ok, data, tuple(problems), seconds, trace, folder, tuple(files), tuple(pack_problems))


def check_as_of(value: Any) -> Optional[dt.date]:
    """`as_of` of diagnose() and diagnose_many(): None, a datetime.date or ISO date text (YYYY-MM-DD), as a date;
    anything else is a GreendiagError (bad-argument) naming as_of and the fix."""
    if value is None:
        return None
    day = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:  # 2026-02-30: the right shape, not a day of the calendar
            pass
    if day is not None:
        low, high = DIAGNOSIS_YEARS
        if low <= day.year <= high:
            return day
        raise GreendiagError(Problem("bad-argument", f"核查日期 as_of {day.isoformat()} 不在 {low}—{high} 年之间,多为输入错误",
                                     f"the checking date as_of {day.isoformat()} is not within {low}-{high}; probably a typing error",
                                     fix_zh="给出实际核查的日期,如 2026-05-01;不给则不做与日期有关的检查",
                                     fix_en="give the date of the check, e.g. 2026-05-01; without it no date-dependent check is made"))
    raise GreendiagError(Problem("bad-argument", f"参数 as_of 须为日期(datetime.date 或 “YYYY-MM-DD” 文本),收到 {value!r}",
                                 f"argument as_of must be a date (a datetime.date or 'YYYY-MM-DD' text), got {value!r}",
                                 fix_zh="如 as_of=datetime.date(2026, 5, 1) 或 as_of=\"2026-05-01\"(须为日历上存在的日期)",
                                 fix_en="e.g. as_of=datetime.date(2026, 5, 1) or as_of=\"2026-05-01\" (a real calendar day)"))


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # the CPUs this process may use, not all the machine has
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _argument(name: str, zh: str, en: str, value: Any) -> GreendiagError:
    from ._args import bad_argument

    return bad_argument(name, zh, en, value)


def _check_count(name: str, value: Any, default: Optional[int]) -> Optional[int]:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _argument(name, "须为正整数", "must be a positive integer", value)
    return value


class _Tracker:
    """Counts finished items and tells the progress callback."""

    def __init__(self, total: int, progress: Optional[Progress]):
        self.total, self.done, self.progress = total, 0, progress

    def add(self, n: int) -> None:
        self.done += n
        if self.progress is not None and n:
            self.progress(self.done, self.total)


# ------------------------------------------------------------------ the pool, and what happens when a worker dies

def _context():
    import multiprocessing  # here, not at the top: `import greendiag` stays light

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run_pool(cfg: _Config, pairs: list, workers: int, size: int, out: list, tracker: _Tracker, loaded) -> None:
    chunks = [pairs[k:k + size] for k in range(0, len(pairs), size)]
    lost = _pool_pass(cfg, chunks, workers, out, tracker, loaded)
    restarts = 0
    while lost:  # a worker died: run the items it took down one by one, in one worker, to find the one that kills it
        if restarts >= MAX_RESTARTS:
            for i, item, _ in lost:
                out[i] = _crashed(i, item, verified=False)
            tracker.add(len(lost))
            return
        restarts += 1
        lost = _isolate(cfg, lost, out, tracker, loaded)


def _pool_pass(cfg, chunks, workers, out, tracker, loaded) -> list:
    """Run chunks in a pool; return the (index, item, name) triples lost to a crashed worker."""
    import concurrent.futures as cf
    from concurrent.futures.process import BrokenProcessPool

    lost: list = []
    pool = cf.ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=_context(),
                                  initializer=_worker_init, initargs=(cfg,))
    try:
        futures = {pool.submit(_run_chunk, cfg, chunk): chunk for chunk in chunks}
        for fut in cf.as_completed(futures):
            chunk = futures[fut]
            try:
                rows = fut.result()
            except BrokenProcessPool:
                lost += chunk
                continue
            except Exception:  # the chunk could not be sent (an item that does not pickle): do it here instead
                rows = [_diagnose_item(*loaded, cfg, i, item, name) for i, item, name in chunk]
            for row in rows:
                out[row[0]] = row
            tracker.add(len(rows))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return sorted(lost, key=lambda p: p[0])


def _isolate(cfg, pairs, out, tracker, loaded) -> list:
    """One worker, one item per task, in order: the first item whose task breaks the pool is the one that crashed it."""
    import concurrent.futures as cf
    from concurrent.futures.process import BrokenProcessPool

    pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_worker_init, initargs=(cfg,))
    try:
        ping = pool.submit(_ping)
        futures = [pool.submit(_run_chunk, cfg, [pair]) for pair in pairs]
        try:
            ping.result()
        except BrokenProcessPool:  # no worker can even start: no item is to blame
            for i, item, _ in pairs:
                out[i] = _crashed(i, item, verified=False, start=True)
            tracker.add(len(pairs))
            return []
        for k, (fut, (i, item, name)) in enumerate(zip(futures, pairs)):
            try:
                rows = fut.result()
            except BrokenProcessPool:
                out[i] = _crashed(i, item, verified=True)
                tracker.add(1)
                return pairs[k + 1:]
            except Exception:
                rows = [_diagnose_item(*loaded, cfg, i, item, name)]
            out[i] = rows[0]
            tracker.add(1)
        return []
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ping() -> bool:
    """A task that only proves a worker can start."""
    return True


def _crashed(index: int, item: Any, verified: bool, start: bool = False) -> tuple:
    where = _source_safe(item, index)
    if start:
        problem = Problem("worker-start-failed", "工作进程无法启动,未能诊断此项", "worker processes could not start; this item was not diagnosed",
                          file=where, fix_zh="在脚本中调用时,请把调用放在 if __name__ == '__main__': 之下;或使用 workers=1",
                          fix_en="when calling from a script, put the call under if __name__ == '__main__':, or use workers=1")
        return index, False, None, (problem,), 0.0, None, None
    why_zh = "诊断该数据时工作进程意外终止" if verified else "工作进程多次意外终止,此项未能单独复核"
    why_en = "the worker process died while diagnosing this dataset" if verified else \
        "worker processes died repeatedly; this item could not be checked on its own"
    problem = Problem("worker-crashed", why_zh, why_en, file=where, fix_zh="单独诊断该文件以复现(workers=1),并报告此问题",
                      fix_en="diagnose this file alone (workers=1) to reproduce it, and report it")
    return index, False, None, (problem,), 0.0, None, None
