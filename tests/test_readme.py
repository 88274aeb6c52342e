"""The README's walk-through and Python example run verbatim (from a folder laid out like the repository root)."""

from __future__ import annotations

import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner

from greendiag.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent

README = (ROOT / "README.md").read_text(encoding="utf-8")
WALK = README[README.index("## Walk-through"):README.index("## From Python")]


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def _commands() -> list[tuple[list[str], int]]:
    out = []
    for block in _blocks(WALK, "sh"):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("greendiag "):
                expected = 2 if re.search(r"#\s*exit 2", line) else 0
                out.append((shlex.split(line, comments=True)[1:], expected))
    return out


@pytest.fixture
def repo_like(tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_walk_through_has_the_documented_steps():
    cmds = [c[0][0] for c in _commands()]
    for sub in ("template", "validate", "diagnose", "report", "catalogue", "rules"):
        assert sub in cmds, sub


def test_walk_through_commands_run_verbatim(repo_like):
    runner = CliRunner()
    for args, expected in _commands():
        res = runner.invoke(main, args, catch_exceptions=False)
        assert res.exit_code == expected, (args, res.output)
    assert (repo_like / "out" / "park" / "report.docx").exists()
    assert (repo_like / "out" / "park" / "report.md").exists()
    assert sorted(os.listdir(repo_like / "out" / "batch")) == ["demo-park-xlsx", "demo-park-yaml"]
    assert (repo_like / "out" / "water" / "diagnosis.json").exists()


def test_python_example_runs(repo_like):
    (code,) = _blocks(README[README.index("## From Python"):], "python")
    script = repo_like / "example.py"
    body = "\n".join("    " + line for line in code.splitlines())
    script.write_text(f"def run():\n{body}\n    return results\n\n\nif __name__ == '__main__':\n"
                      "    results = run()\n    assert [r.ok for r in results] == [True, True], results\n    print('ok')\n",
                      encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=repo_like, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr
