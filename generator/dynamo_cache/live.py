"""The upgrade guard against a live cluster, for where the chart's `lookup` cannot run
(Argo CD renders without cluster access): real helm renders the chart with
`helm template --dry-run=server`, which reads the release's claims and classes as an
install would and creates nothing, so the messages are the chart's own (templates/
_guard.tpl, _validate.tpl): one rule set. No click here: the CLI calls `check`."""

from __future__ import annotations

import re
import subprocess

from . import manifests
from .problems import ERROR, Problem

# The first line of each of the chart's collected failures (a `fail` with "- " items).
HEADERS = (
    "dynamo-cache: this change cannot be applied to the existing claims:",
    "dynamo-cache: the values are invalid:",
)
ITEM = re.compile(r"^- (?P<path>[A-Za-z0-9_.\[\]-]+): (?P<message>.*)$")


class LiveError(Exception):
    """The cluster could not be read; str() says why and what to do."""


def _helm_major(helm: str) -> int:
    out = subprocess.run([helm, "version", "--template", "{{.Version}}"], capture_output=True, text=True).stdout
    match = re.match(r"v?(\d+)", out.strip())
    return int(match.group(1)) if match else 0


def chart_problems(stderr: str) -> list[Problem]:
    """The problems in the chart's collected failures on helm's stderr: each item is
    "- path: message (hint: hint)", as the chart's dynamo-cache.say writes it."""
    problems = []
    collecting = False
    for line in stderr.splitlines():
        if any(header in line for header in HEADERS):
            collecting = True
            continue
        match = ITEM.match(line) if collecting else None
        if match:
            message, _, hint = match["message"].partition(" (hint: ")
            problems.append(Problem(f"$.{match['path']}", ERROR, message, hint[:-1], "liveCluster"))
        elif collecting and line.strip():
            collecting = False
    return problems


def check(
    values_text: str,
    release: str,
    namespace: str,
    kubeconfig: str | None = None,
    context: str | None = None,
    chart: str | None = None,
    helm: str | None = None,
) -> list[Problem]:
    """The chart's guard and validation messages for these values against the live release."""
    binary = manifests.find_helm(helm)
    cmd = [binary, "template", release, manifests.find_chart(chart), "-f", "-", "--dry-run=server", "-n", namespace]
    if _helm_major(binary) >= 4:
        cmd.append("--disable-openapi-validation")  # the objects' schemas are not what this checks
    if kubeconfig:
        cmd += ["--kubeconfig", kubeconfig]
    if context:
        cmd += ["--kube-context", context]
    try:
        proc = subprocess.run(cmd, input=values_text, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LiveError(f"cannot run {binary}: {exc}") from None
    if proc.returncode == 0:
        return []
    problems = chart_problems(proc.stderr)
    if problems:
        return problems
    first = next((line for line in proc.stderr.splitlines() if line.strip()), "no output")
    raise LiveError(f"helm could not render against the cluster: {first.removeprefix('Error: ')}")
