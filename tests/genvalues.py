"""gen-values as a user runs it: a real process (`python -m dynamo_cache`). No call
may end in a traceback, whatever its exit code."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from click.testing import CliRunner


def run(
    *args: str, stdin: str | bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "dynamo_cache", *args], input=data, capture_output=True, cwd=cwd, env=env, timeout=120
    )
    out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert "Traceback" not in out.stderr, out.stderr
    return out


@functools.cache  # the same arguments give the same values (gen-values is deterministic): run once
def values(*args: str, stdin: str | None = None) -> str:
    """stdout of a run that must succeed."""
    proc = run(*args, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def cli_runner() -> CliRunner:
    """click's in-process runner with stdout and stderr apart on every supported click:
    8.1 mixes them unless told not to; 8.2 removed the switch and always separates."""
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def validate_live(
    values: dict[str, Any], folder: Path, namespace: str, release: str, kubeconfig: str | Path, helm: str
) -> subprocess.CompletedProcess[str]:
    """`gen-values validate --live` of `values` (written to folder/values.yaml) against a release."""
    import yaml_io

    path = folder / "values.yaml"
    path.write_text(yaml_io.dump(values))
    return run(
        "validate",
        "--live",
        "-n",
        namespace,
        "--release",
        release,
        "--kubeconfig",
        str(kubeconfig),
        "--helm",
        helm,
        str(path),
    )
