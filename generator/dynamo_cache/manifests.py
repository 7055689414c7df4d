"""Plain Kubernetes manifests for teams that never run Helm: the chart itself renders
them through `helm template` (no second renderer that could drift from the chart)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The chart of the same version as this gen-values: inside the installed package, or,
# in an editable checkout, the repository's charts/dynamo-cache beside generator/.
PACKAGED_CHARTS = (HERE / "chart", HERE.parent.parent / "charts" / "dynamo-cache")


class ManifestError(Exception):
    """str() is the user-facing message."""


def find_binary(name: str, explicit: str | None = None) -> str | None:
    """--NAME, else $NAME (upper case), else NAME on PATH, else the one beside this Python
    (ci/setup.sh links helm, helm3 and kubectl there); None when there is none.
    ValueError when an explicit one is not an executable file."""
    if explicit:
        if shutil.which(explicit):
            return explicit
        raise ValueError(f"--{name} {explicit}: not an executable file")
    for candidate in (os.environ.get(name.upper()), shutil.which(name), str(Path(sys.executable).parent / name)):
        if candidate and shutil.which(candidate):
            return candidate
    return None


def find_helm(explicit: str | None = None) -> str:
    try:
        found = find_binary("helm", explicit)
    except ValueError as exc:
        raise ManifestError(str(exc)) from None
    if found is None:
        raise ManifestError("no helm binary found: pass --helm PATH, set HELM, or put helm (3.19+ or 4.x) on PATH")
    return found


def find_chart(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    for chart in PACKAGED_CHARTS:
        if (chart / "Chart.yaml").is_file():
            return str(chart)
    raise ManifestError(
        "the chart is not installed with this gen-values: pass --chart with a chart folder, a .tgz, "
        "or oci://REGISTRY/charts/dynamo-cache"
    )


def render(
    values_text: str, release: str, namespace: str | None, chart: str | None = None, helm: str | None = None
) -> str:
    """The chart's objects for these values, as one YAML stream for `kubectl apply -f`."""
    # --no-hooks: the `helm test` Jobs are for Helm only; applied as plain objects they would run at once
    cmd = [find_helm(helm), "template", release, find_chart(chart), "-f", "-", "--no-hooks"]
    if namespace:
        cmd += ["--namespace", namespace]
    try:
        proc = subprocess.run(cmd, input=values_text, capture_output=True, text=True, timeout=120)
    except OSError as exc:
        raise ManifestError(f"cannot run {cmd[0]}: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        said = proc.stderr.strip() or f"{cmd[0]} exited {proc.returncode} and printed nothing (is it helm?)"
        raise ManifestError(f"helm template failed:\n{said}")
    return proc.stdout
