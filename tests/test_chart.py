"""The chart rendered by real Helm 3 and Helm 4: defaults, every tier, overrides,
Kubernetes OpenAPI validation, and agreement between the two Helm versions."""

from __future__ import annotations

import kubernetes_validate
import pytest

import helmtool
import yaml_io
from dynamo_cache import resolve
from dynamo_cache.catalog import CACHE_KEYS, CATALOG, TIERS
from genvalues import run
from genvalues import values as gen_values

# The oldest Kubernetes the Lustre driver supports and the newest bundled schema
# (the drivers' docs listed in the chart README, Sources; Kubernetes' PVC API).
K8S_VERSIONS = ("1.29", "1.37")
CLAIMS = ["model-cache", "compilation-cache", "perf-cache"]


def test_lint_strict(helm_version: str) -> None:
    run = helmtool.helm(helm_version, "lint", "--strict", str(helmtool.CHART))
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_values_gives_three_claims_and_the_tuned_files_class(helm_version: str) -> None:
    run = helmtool.template(helm_version)
    claims = run.kinds("PersistentVolumeClaim")
    assert sorted(claims) == sorted(CLAIMS)
    assert list(run.kinds("StorageClass")) == ["dynamo-cache.default.files-nfs"]
    classes = {name: claim["spec"]["storageClassName"] for name, claim in claims.items()}
    assert classes == {
        "model-cache": "dynamo-cache.default.files-nfs",
        "compilation-cache": "dynamo-cache.default.files-nfs",
        "perf-cache": "azurefile-csi",
    }
    assert CATALOG["classes"]["azurefile-csi"]["builtin"]
    assert claims["model-cache"]["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert "helm.sh/resource-policy" not in claims["perf-cache"]["metadata"].get("annotations", {})


@pytest.mark.parametrize(
    ("values", "kept"),
    [
        ("", True),  # the kept model cache uses the class
        ("caches:\n  model: {keep: false}\n  compilation: {keep: false}\n", False),
        ("caches:\n  model: {keep: false}\n", True),  # the kept compilation cache still uses it
        ("scope: cluster\n", True),  # the platform's class: the teams' kept claims use it
    ],
)
def test_a_class_is_kept_with_the_kept_claims_that_use_it(helm_version: str, values: str, kept: bool) -> None:
    """Uninstall must not delete the class of a kept claim: a kept claim still Pending
    could never be provisioned, and a Bound one could no longer grow."""
    (storage_class,) = helmtool.template(helm_version, values).kinds("StorageClass").values()
    annotations = storage_class["metadata"].get("annotations", {})
    assert (annotations.get("helm.sh/resource-policy") == "keep") == kept
    assert ("Prune=false,Delete=false" in annotations.get("argocd.argoproj.io/sync-options", "")) == kept


def test_builtin_variant_creates_nothing_cluster_scoped(helm_version: str) -> None:
    run = helmtool.template(helm_version, "variant: builtin\n")
    assert {d["kind"] for d in run.docs} == {"PersistentVolumeClaim"}
    for claim in run.kinds("PersistentVolumeClaim").values():
        assert CATALOG["classes"][claim["spec"]["storageClassName"]]["builtin"]


def test_labels(helm_version: str) -> None:
    claim = helmtool.template(helm_version, release="r1").kinds("PersistentVolumeClaim")["perf-cache"]
    labels = claim["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == "dynamo-cache"
    assert labels["app.kubernetes.io/instance"] == "r1"
    assert labels["app.kubernetes.io/managed-by"] == "Helm"
    assert labels["app.kubernetes.io/component"] == "perf-cache"
    assert labels["app.kubernetes.io/part-of"] == "dynamo"
    assert labels["helm.sh/chart"].startswith("dynamo-cache-")
    assert labels["app.kubernetes.io/version"]


@pytest.mark.parametrize("tier", TIERS)
def test_tier_renders_what_the_catalog_says(helm_version: str, tier: str) -> None:
    run = helmtool.template(helm_version, gen_values("--tier", tier))
    claims = run.kinds("PersistentVolumeClaim")
    expected = resolve.caches(resolve.values_of({"tier": tier}))
    # the same as rendering the chart's own presets with nothing but the tier
    bare_claims = helmtool.template(helm_version, f"tier: {tier}\n").kinds("PersistentVolumeClaim")
    for key in CACHE_KEYS:
        want = expected[key]
        got = claims[want.name]
        assert got["spec"]["storageClassName"] == want.storage_class
        assert got["spec"]["accessModes"] == want.access_modes
        assert got["spec"]["resources"]["requests"]["storage"] == want.size
        kept = got["metadata"].get("annotations", {}).get("helm.sh/resource-policy") == "keep"
        assert kept == want.keep
        assert bare_claims[want.name]["spec"] == got["spec"]


def test_lustre_tier_creates_a_retained_class_sized_to_the_sku(helm_version: str) -> None:
    run = helmtool.template(
        helm_version, gen_values("--tier", "lustre", "--lustre-sku", "AMLFS-Durable-Premium-250", "--zone", "2")
    )
    (sc,) = run.kinds("StorageClass").values()
    assert sc["metadata"]["name"] == "dynamo-cache.default.lustre"
    assert sc["provisioner"] == "azurelustre.csi.azure.com"
    assert sc["reclaimPolicy"] == "Retain"
    assert sc["parameters"]["sku-name"] == "AMLFS-Durable-Premium-250"
    assert sc["parameters"]["zone"] == "2"
    assert sc["mountOptions"] == ["noatime", "flock"]
    model = run.kinds("PersistentVolumeClaim")["model-cache"]
    assert model["spec"]["storageClassName"] == "dynamo-cache.default.lustre"
    assert model["spec"]["resources"]["requests"]["storage"] == "8Ti"  # the SKU's minimum


def test_lustre_class_name_follows_the_release(helm_version: str) -> None:
    names = {
        release: list(helmtool.template(helm_version, "tier: lustre\n", release).kinds("StorageClass"))
        for release in ("a", "b")
    }
    assert names == {"a": ["a.default.lustre"], "b": ["b.default.lustre"]}


@pytest.mark.parametrize(("storage_class", "expected"), [("", None), ("-", ""), ("my-class", "my-class")])
def test_storage_class_rule(helm_version: str, storage_class: str, expected: str | None) -> None:
    values = yaml_io.dump({"caches": {"perf": {"storageClass": storage_class}}})
    spec = helmtool.template(helm_version, values).kinds("PersistentVolumeClaim")["perf-cache"]["spec"]
    assert spec.get("storageClassName", None) == expected
    assert ("storageClassName" in spec) == (expected is not None)


def test_overrides_win_over_the_preset(helm_version: str) -> None:
    values = yaml_io.dump(
        {
            "tier": "disk",
            "caches": {
                "model": {
                    "size": "300Gi",
                    "keep": False,
                    "name": "weights",
                    "labels": {"team": "a"},
                    "annotations": {"note": "x"},
                },
                "compilation": {"existingClaim": "shared-compile"},
                "perf": {"enabled": False},
            },
        }
    )
    claims = helmtool.template(helm_version, values).kinds("PersistentVolumeClaim")
    assert list(claims) == ["weights"]
    model = claims["weights"]
    assert model["spec"]["resources"]["requests"]["storage"] == "300Gi"
    assert model["spec"]["storageClassName"] == "dynamo-cache.default.disk-premium"
    assert model["metadata"]["labels"]["team"] == "a"
    assert model["metadata"]["annotations"] == {"note": "x"}


def test_local_claims_accept_ephemeral_storage(helm_version: str) -> None:
    claims = helmtool.template(helm_version, "tier: local\n").kinds("PersistentVolumeClaim")
    annotation = "localdisk.csi.acstor.io/accept-ephemeral-storage"
    assert claims["compilation-cache"]["metadata"]["annotations"][annotation] == "true"
    assert annotation not in claims["model-cache"]["metadata"].get("annotations", {})


@pytest.mark.parametrize("tier", TIERS)
def test_helm3_and_helm4_agree(tier: str) -> None:
    values = gen_values("--tier", tier)
    docs = {v: helmtool.template(v, values).docs for v in helmtool.VERSIONS}
    assert docs["helm3"] == docs["helm4"]


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("k8s", K8S_VERSIONS)
def test_rendered_objects_pass_kubernetes_validate_strict(tier: str, k8s: str) -> None:
    docs = helmtool.template("helm4", gen_values("--tier", tier)).docs
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, k8s, strict=True)


def test_kubernetes_validate_catches_a_wrong_field() -> None:
    """The validator is really strict: the check above can fail."""
    doc = helmtool.template("helm4").kinds("PersistentVolumeClaim")["model-cache"]
    doc["spec"]["storageClass"] = doc["spec"].pop("storageClassName")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, K8S_VERSIONS[-1], strict=True)


def test_notes_list_claims_and_warn_for_every_cache_not_kept() -> None:
    """NOTES.txt through a client-side dry-run (Helm 4 needs no cluster for it)."""
    notes = helmtool.notes(None, "--set", "tier=disk")
    assert (
        "model-cache: 128Gi, ReadWriteOnce, class r.default.disk-premium (made by this chart, "
        "reclaimPolicy Retain), kept on uninstall" in notes
    )
    assert "WaitForFirstConsumer" in notes
    warned = [line.split()[1] for line in notes.splitlines() if line.startswith("WARNING:")]
    assert warned == ["perf-cache"]


MANIFEST_CASES = [("files", ""), ("lustre", ""), ("disk", "premium-v2"), ("blob", "nfs"), ("local", "v1")]


@pytest.mark.parametrize(("tier", "variant"), MANIFEST_CASES)
def test_manifests_are_the_charts_objects_and_validate(tier: str, variant: str) -> None:
    args = ["--tier", tier, "--namespace", "dynamo", "--manifests", "--helm", helmtool.binaries()["helm4"]]
    if variant:
        args += ["--variant", variant]
    stream = gen_values(*args)
    docs = [d for d in yaml_io.load_all(stream) if d]
    values = gen_values(*[a for a in args if a not in ("--manifests", "--helm", helmtool.binaries()["helm4"])])
    assert docs == helmtool.template("helm4", values, "dynamo-cache", "--namespace", "dynamo").docs
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSIONS[-1], strict=True)
        if doc["kind"] == "PersistentVolumeClaim":
            assert doc["metadata"]["namespace"] == "dynamo"


def test_manifests_without_helm_say_so(tmp_path, monkeypatch) -> None:
    from dynamo_cache import manifests

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("HELM", raising=False)
    monkeypatch.setattr(manifests.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(manifests.ManifestError, match="no helm binary found"):
        manifests.find_helm()


def test_manifests_work_anywhere_with_the_packaged_chart(tmp_path) -> None:
    """No PATH, another directory: helm beside this Python (ci/setup.sh links it) and the
    chart installed with the package."""
    proc = run("--tier", "files", "--manifests", env={"PATH": str(tmp_path), "HOME": str(tmp_path)}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "kind: PersistentVolumeClaim" in proc.stdout
    explicit = run("--manifests", "--helm", "/nonexistent/helm")
    assert explicit.returncode == 1 and "--helm /nonexistent/helm" in explicit.stderr


def test_manifests_report_a_chart_failure() -> None:
    proc = run(
        "--manifests", "--helm", helmtool.binaries()["helm4"], "--chart", "/nonexistent/chart", cwd=helmtool.ROOT
    )
    assert proc.returncode == 1 and "helm template failed" in proc.stderr and proc.stdout == ""
