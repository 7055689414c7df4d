"""The chart's alerts and dashboard (metrics.*), tested with Prometheus' own promtool
(Debian's prometheus package, unpacked into tools/prometheus by `bash ci/setup.sh --test`).

- Every tier and variant renders rules that `promtool check rules` accepts, and a
  PrometheusRule the prometheus-operator CRD accepts; Helm 3 and Helm 4 render the same.
- Each folder of tests/cases/alerts is a `promtool test rules` unit test: the chart values
  to render (`values`, `release`, `namespace`) and promtool's own `tests` (synthetic series,
  which alerts fire when, with which labels). Expected annotations are the rule's own, with
  {{ $value | humanize }} filled from the expected alert's `value`; $JOB is the rendered
  download Job's name.
- The dashboard's queries, with its variables filled, are valid PromQL.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

import crds
import helmtool
import test_chart
import test_tiers
import yaml_io
from dynamo_cache.resolve import deep_merge

CASES = helmtool.ROOT / "tests" / "cases" / "alerts"
CRD = "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml"
HUMANIZED = "{{ $value | humanize }}"
ALL_ON = {"metrics": {"prometheusRule": {"enabled": True}, "dashboard": {"enabled": True}}}
DOWNLOAD = {"modelDownload": {"enabled": True, "model": "Qwen/Qwen3-0.6B"}}


def run_promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    promtool = helmtool.unpacked("prometheus", "promtool", "prometheus")
    return subprocess.run([promtool, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def merged(*parts: dict[str, Any]) -> dict[str, Any]:
    return functools.reduce(deep_merge, parts, {})


def render(
    values: dict[str, Any], release: str = "cache", namespace: str = "team-a", version: str = "helm4"
) -> helmtool.Run:
    run = helmtool.template(version, json.dumps(values), release, "--namespace", namespace)
    assert run.returncode == 0, run.stderr
    return run


def rule_groups(run: helmtool.Run) -> list[dict[str, Any]]:
    (rule,) = run.kinds("PrometheusRule").values()
    groups: list[dict[str, Any]] = rule["spec"]["groups"]
    return groups


def humanize(value: float) -> str:
    """Prometheus' `humanize` for the values the alerts print (1 and above): SI prefixes, %.4g."""
    prefix = ""
    for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
        if abs(value) < 1000:
            break
        prefix, value = p, value / 1000
    return f"{value:.4g}{prefix}"


def expected_annotations(groups: list[dict[str, Any]], alertname: str, alert: dict[str, Any]) -> dict[str, str]:
    labels = alert["exp_labels"]
    (rule,) = [
        r
        for g in groups
        for r in g["rules"]
        if r.get("alert") == alertname and all(labels.get(k) == v for k, v in r["labels"].items())
    ]
    out = {}
    for key, text in rule["annotations"].items():
        if HUMANIZED in text:
            text = text.replace(HUMANIZED, humanize(alert["value"]))
        assert "{{" not in text, f"{alertname}: the harness fills only {HUMANIZED}: {text}"
        out[key] = text
    return out


def promtool_tests(case: dict[str, Any], groups: list[dict[str, Any]], job: str) -> list[dict[str, Any]]:
    """The case's promtool tests, with $JOB named and the expected annotations filled."""
    tests = json.loads(json.dumps(case["tests"]).replace("$JOB", job))
    for test in tests:
        for check in test["alert_rule_test"]:
            for alert in check["exp_alerts"]:
                alert["exp_annotations"] = expected_annotations(groups, check["alertname"], alert)
                alert.pop("value", None)
    return tests


def run_case(case: dict[str, Any], folder: Path) -> subprocess.CompletedProcess[str]:
    run = render(merged(case["values"], ALL_ON), case["release"], case["namespace"])
    groups = rule_groups(run)
    jobs = list(run.kinds("Job"))
    (folder / "rules.yaml").write_text(yaml_io.dump({"groups": groups}))
    unit = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": promtool_tests(case, groups, *jobs or [""]),
    }
    (folder / "test.yaml").write_text(yaml_io.dump(unit))
    return run_promtool("test", "rules", "test.yaml", cwd=folder)


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir()))
def test_each_alert_fires_and_stays_silent_where_it_should(name: str, tmp_path: Path) -> None:
    case = yaml_io.load((CASES / name / "case.yaml").read_text())
    result = run_case(case, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_expectation_fails_the_unit_test(tmp_path: Path) -> None:
    """The harness can fail: the same series, expecting the warning to stay silent at 85%."""
    case = yaml_io.load((CASES / "files-usage" / "case.yaml").read_text())
    wrong = copy.deepcopy(case)
    wrong["tests"][0]["alert_rule_test"][1]["exp_alerts"] = []
    result = run_case(wrong, tmp_path)
    assert result.returncode != 0 and "DynamoCacheFillingUp" in result.stdout + result.stderr


def tier_values(tier: str, variant: str) -> dict[str, Any]:
    return merged({"tier": tier, "variant": variant}, test_tiers.INPUTS.get((tier, variant), {}), DOWNLOAD, ALL_ON)


@pytest.mark.parametrize(("tier", "variant"), test_tiers.CASES, ids=test_tiers.IDS)
def test_every_tier_renders_rules_promtool_accepts(tier: str, variant: str, tmp_path: Path) -> None:
    runs = {version: render(tier_values(tier, variant), version=version) for version in helmtool.VERSIONS}
    assert runs["helm3"].docs == runs["helm4"].docs
    groups = rule_groups(runs["helm4"])
    (tmp_path / "rules.yaml").write_text(yaml_io.dump({"groups": groups}))
    result = run_promtool("check", "rules", "rules.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    alerts = {r["alert"] for r in groups[0]["rules"]}
    assert {"DynamoCacheClaimPending", "DynamoCacheDownloadFailed", "DynamoCacheDownloadNotComplete"} <= alerts


@pytest.mark.parametrize(("tier", "variant"), test_tiers.CASES, ids=test_tiers.IDS)
def test_every_tier_renders_a_rule_the_operator_crd_accepts(tier: str, variant: str) -> None:
    (rule,) = render(tier_values(tier, variant)).kinds("PrometheusRule").values()
    crds.validate(rule, crds.schemas(CRD))


def test_rules_match_this_release_only() -> None:
    """Each rule's selectors name this release's namespace and one of its claims or its Job."""
    run = render(merged(DOWNLOAD, ALL_ON), "cache", "team-a")
    (job,) = run.kinds("Job")
    claims = set(run.kinds("PersistentVolumeClaim"))
    for rule in rule_groups(run)[0]["rules"]:
        selectors = re.findall(r"\{([^{}]*)\}", rule["expr"])
        named = [s for s in selectors if "persistentvolumeclaim=" in s or "job_name=" in s]
        assert named, rule["expr"]
        for s in named:
            assert 'namespace="team-a"' in s, rule["expr"]
            (name,) = re.findall(r'(?:persistentvolumeclaim|job_name)="([^"]+)"', s)
            assert name in claims | {job}, rule["expr"]


def notes(values: dict[str, Any]) -> str:
    return helmtool.notes(json.dumps(values), release="cache")


def test_no_usage_alert_where_the_driver_reports_none_and_notes_say_why() -> None:
    run = render(merged({"tier": "blob"}, ALL_ON))
    usage = [r for r in rule_groups(run)[0]["rules"] if r["alert"] in ("DynamoCacheFillingUp", "DynamoCacheFullSoon")]
    assert usage and all(r["labels"]["cache"] != "model" for r in usage)
    said = notes(merged({"tier": "blob"}, ALL_ON))
    assert "model-cache is on Azure Blob: blob-csi-driver reports volume usage only when started with" in said
    assert "set metrics.prometheusRule.forceUsageAlerts=true" in said
    forced = notes(merged({"tier": "blob"}, ALL_ON, {"metrics": {"prometheusRule": {"forceUsageAlerts": True}}}))
    assert "Its usage alerts are shipped anyway" in forced
    local = notes(merged({"tier": "local"}, ALL_ON))
    assert "compilation-cache: the Azure Container Storage driver's source is not public" in local
    assert "PrometheusRule cache-dynamo-cache: alerts on model-cache, compilation-cache, perf-cache." in local


def test_off_by_default_and_nothing_in_cluster_scope() -> None:
    assert not render({}).kinds("PrometheusRule") and not render({}).kinds("ConfigMap")
    assert "Monitoring:" not in notes({})
    run = render(merged({"scope": "cluster"}, ALL_ON))
    assert not run.kinds("PrometheusRule") and not run.kinds("ConfigMap")
    assert "which a release\n      with scope cluster does not have: nothing is rendered" in notes(
        merged({"scope": "cluster"}, ALL_ON)
    )


def dashboard(run: helmtool.Run) -> dict[str, Any]:
    (configmap,) = [c for name, c in run.kinds("ConfigMap").items() if name.endswith("-dashboard")]
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"  # kube-prometheus-stack's sidecar
    (text,) = configmap["data"].values()
    out: dict[str, Any] = json.loads(text)
    return out


def test_nothing_to_alert_on_renders_no_rule_and_says_so() -> None:
    """A group without rules would be null, which the CRD does not allow: no object instead."""
    none = {"caches": {key: {"enabled": False} for key in ("model", "compilation", "perf")}}
    assert not render(merged(none, ALL_ON)).kinds("PrometheusRule")
    assert "No PrometheusRule: nothing to alert on" in notes(merged(none, ALL_ON))
    every_off = {name: {"enabled": False} for name in ("pending", "resizePending", "downloadFailed")}
    quiet = merged({"tier": "blob", "caches": {"compilation": {"enabled": False}, "perf": {"enabled": False}}}, ALL_ON)
    quiet = merged(quiet, {"metrics": {"prometheusRule": {"alerts": every_off}}})
    assert not render(quiet).kinds("PrometheusRule")  # blob reports no usage: nothing left


def test_dashboard_queries_are_promql_with_the_release_filled_in(tmp_path: Path) -> None:
    run = render(merged({"tier": "local", "caches": {"perf": {"name": "perf.x"}}}, DOWNLOAD, ALL_ON), "cache", "team-a")
    board = dashboard(run)
    variables = {v["name"]: v for v in board["templating"]["list"]}
    (job,) = run.kinds("Job")
    assert variables["namespace"]["query"] == "team-a" and variables["job"]["query"] == job
    options = dict(item.split(" : ") for item in variables["claim"]["query"].split(", "))
    assert options == {
        "model-cache": "model-cache",
        "compilation-cache": "compilation-cache|.+-compilation-cache",
        "perf.x": "perf\\\\.x|.+-perf\\\\.x",  # as written in a PromQL string
    }
    # Grafana's ${claim:pipe} joins the selected values with |
    fill = {"${claim:pipe}": "|".join(options.values()), "$namespace": "team-a", "$job": job}
    records = []
    for i, target in enumerate(t for p in board["panels"] for t in p["targets"]):
        expr = target["expr"]
        for variable, value in fill.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, expr
        records.append({"record": f"dashboard:query{i}", "expr": expr})
    (tmp_path / "rules.yaml").write_text(yaml_io.dump({"groups": [{"name": "dashboard", "rules": records}]}))
    result = run_promtool("check", "rules", "rules.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("k8s", test_chart.K8S_VERSIONS)
def test_the_kubernetes_kinds_it_adds_pass_kubernetes_validate_strict(k8s: str) -> None:
    """Everything metrics.* renders besides the PrometheusRule (the CRD's test above) is core
    Kubernetes: the dashboard's ConfigMap, the download Job its alerts watch."""
    docs = [d for d in render(merged(DOWNLOAD, ALL_ON)).docs if d["kind"] != "PrometheusRule"]
    assert "ConfigMap" in {d["kind"] for d in docs}
    for doc in docs:
        kubernetes_validate.validate(doc, k8s, strict=True)


def test_each_release_has_its_own_dashboard() -> None:
    """Grafana keeps one dashboard per uid: two releases must not replace each other's."""
    boards = [
        dashboard(render(ALL_ON, release, namespace)) for release, namespace in (("a", "x"), ("a", "y"), ("b", "x"))
    ]
    assert len({b["uid"] for b in boards}) == 3 and all(len(b["uid"]) <= 40 for b in boards)
    assert len({b["title"] for b in boards}) == 3
