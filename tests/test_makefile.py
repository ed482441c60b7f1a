"""The Makefile's environment step, run as a user runs it: `make` in a copy, with fake requirements."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.static  # executes no chapter: part of `make check`

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stale_copy(tmp_path):
    """The Makefile beside a .venv (made from this test's Python) older than the requirements."""
    shutil.copy(ROOT / "Makefile", tmp_path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", tmp_path / ".venv"], check=True)
    (tmp_path / ".venv" / ".ready").touch()
    time.sleep(0.01)
    for name in ("requirements.txt", "requirements-build.txt"):
        (tmp_path / name).write_text("")
    return tmp_path


def make(folder, *args, path_first=None):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "MAKEFLAGS", "MAKELEVEL")}
    if path_first:
        env["PATH"] = f"{path_first}{os.pathsep}{env['PATH']}"
    return subprocess.run(["make", "--no-print-directory", *args], cwd=folder, env=env, capture_output=True, text=True)


def test_the_rebuild_never_runs_the_python_of_the_environment_it_deletes(stale_copy):
    venv = stale_copy / ".venv"
    run = make(stale_copy, "-n", ".venv/.ready", path_first=venv / "bin")  # the README's `.venv/bin` first on PATH
    assert run.returncode == 0, run.stderr
    (rebuild,) = [line for line in run.stdout.splitlines() if line.startswith("rm -rf .venv")]
    python = rebuild.split("&&")[1].split()[0]
    assert not Path(python).absolute().is_relative_to(venv), rebuild
    assert subprocess.run([python, "-c", "import sys; assert sys.prefix == sys.base_prefix"]).returncode == 0


def test_a_python_named_inside_the_environment_stops_with_one_message_and_keeps_it(stale_copy):
    run = make(stale_copy, ".venv/.ready", "PYTHON=.venv/bin/python")
    assert run.returncode != 0
    assert "runs from .venv, which this step deletes" in run.stderr and "PYTHON=" in run.stderr, run.stderr
    assert (stale_copy / ".venv" / "bin").is_dir()  # not deleted
