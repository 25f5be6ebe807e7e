"""dev.py's test command: parallel by default, overridable, and a skip still fails CI under xdist."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO


def _load_dev():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("dev", REPO / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = _load_dev()


def test_tests_run_in_parallel_with_the_slowest_listed() -> None:
    args = dev.pytest_args([], cores=2)
    assert args == ["-n", str(2 * dev.WORKERS_PER_CORE), "--dist", "loadgroup", "--durations=20"]


def test_extra_arguments_go_to_pytest_after_the_defaults() -> None:
    assert dev.pytest_args(["-k", "codegen", "-x"], cores=1)[-3:] == ["-k", "codegen", "-x"]


@pytest.mark.parametrize("given", [["-n", "0"], ["-n0"], ["--numprocesses=3"], ["--numprocesses", "auto"]])
def test_the_caller_chooses_the_workers(given: list[str]) -> None:
    args = dev.pytest_args(given, cores=2)
    assert args[-len(given):] == given
    assert not any(arg.startswith(("-n", "--numprocesses")) for arg in args[: -len(given)]), args


@pytest.mark.parametrize("given", [["-p", "no:xdist"], ["-pno:xdist"]])
def test_without_xdist_no_xdist_options_are_added(given: list[str]) -> None:
    assert dev.pytest_args(given, cores=2) == ["--durations=20", *given]


def test_the_caller_chooses_the_durations_and_distribution() -> None:
    args = dev.pytest_args(["--durations=0", "--dist", "load"], cores=2)
    assert "--durations=20" not in args and "loadgroup" not in args


SKIPPED_TEST = """
import pytest

def test_passes():
    pass

def test_skipped():
    pytest.skip("hidden from CI")
"""
SKIPPED_MODULE = """
import pytest

pytest.skip("a whole module hidden from CI", allow_module_level=True)
"""
PASSING_TEST = "def test_passes():\n    pass\n"


def _pytest_run(tmp_path: Path, tests: dict[str, str], args: list[str], fail_on_skip: bool) -> subprocess.CompletedProcess[str]:
    """A nested pytest run on ``tests`` with nanoka's root conftest (where NANOKA_FAIL_ON_SKIP is read)."""
    (tmp_path / "conftest.py").write_text((REPO / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8")
    for name, source in tests.items():
        (tmp_path / name).write_text(textwrap.dedent(source), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NANOKA_"))}
    if fail_on_skip:
        env["NANOKA_FAIL_ON_SKIP"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )


@pytest.mark.parametrize("workers", [["-n", "2"], ["-p", "no:xdist"]], ids=["xdist", "one-process"])
@pytest.mark.parametrize("tests", [{"test_a.py": SKIPPED_TEST}, {"test_a.py": SKIPPED_MODULE, "test_b.py": PASSING_TEST}],
                         ids=["test-skip", "module-skip"])
def test_a_skip_fails_the_run_on_ci(tmp_path: Path, workers: list[str], tests: dict[str, str]) -> None:
    done = _pytest_run(tmp_path, tests, workers, fail_on_skip=True)
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    assert "NANOKA_FAIL_ON_SKIP: 1 test(s) skipped; failing the run" in done.stdout


@pytest.mark.parametrize("workers", [["-n", "2"], ["-p", "no:xdist"]], ids=["xdist", "one-process"])
def test_a_skip_passes_off_ci(tmp_path: Path, workers: list[str]) -> None:
    done = _pytest_run(tmp_path, {"test_a.py": SKIPPED_TEST}, workers, fail_on_skip=False)
    assert done.returncode == pytest.ExitCode.OK, done.stdout + done.stderr


def test_no_tests_collected_fails_dev_py(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """pytest's exit 5 comes out of dev.py's test command (CI's `set -e` stops on it), with a message."""
    monkeypatch.setattr(dev, "setup", lambda: None)  # this venv is set up; never reinstall it mid-run
    monkeypatch.setattr(dev, "BIN", Path(sys.executable).parent)
    for name in [k for k in os.environ if k.startswith(("PYTEST_", "NANOKA_"))]:
        monkeypatch.delenv(name)
    assert dev.main(["test", "-n", "2", "-p", "no:cacheprovider", str(tmp_path)]) == pytest.ExitCode.NO_TESTS_COLLECTED
    assert "dev.py: pytest collected no tests (exit 5): a failure" in capfd.readouterr().err
