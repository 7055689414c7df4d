"""Dynamo integration: the model download Job (rendered on both Helm versions,
kubernetes-validate strict, checkov) and the DGD snippets (NOTES and `gen-values
snippet`). The Job's script runs against the real client in test_download.py."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

import crds
import helmtool
import yaml_io
from dynamo_cache.catalog import CATALOG, TIERS
from genvalues import cli_runner
from genvalues import run as gen

SHA = "c1899de289a04d12100db370d81485cdf75e47ca"
SCRIPT = helmtool.CHART / "files" / "download.py"
CHECKOV = Path(os.environ.get("CHECKOV") or helmtool.ROOT / "tools" / "checkov" / "bin" / "checkov")


def download_values(**extra: Any) -> str:
    d = {"enabled": True, "model": "Qwen/Qwen3-0.6B", "revision": SHA, **extra.pop("download", {})}
    return yaml_io.dump({"modelDownload": d, **extra})


def job_docs(version: str = "helm4", values: str | None = None) -> dict[str, dict[str, Any]]:
    run = helmtool.template(version, values or download_values(), "r", "--namespace", "dynamo")
    return {d["kind"]: d for d in run.docs if d["kind"] in ("Job", "ConfigMap", "NetworkPolicy")}


def test_job_is_off_by_default(helm_version: str) -> None:
    assert not helmtool.template(helm_version).kinds("Job")


def test_job_renders_the_same_on_both_helms_and_validates() -> None:
    docs = {v: job_docs(v) for v in helmtool.VERSIONS}
    assert docs["helm3"] == docs["helm4"]
    assert set(docs["helm4"]) == {"Job", "ConfigMap", "NetworkPolicy"}
    for doc in docs["helm4"].values():
        for k8s in ("1.29", "1.37"):
            kubernetes_validate.validate(doc, k8s, strict=True)


def test_permanent_errors_fail_the_job_at_once() -> None:
    """download.py exits 3 for errors no retry can fix (test_download.py)."""
    job = job_docs()["Job"]
    rules = job["spec"]["podFailurePolicy"]["rules"]
    assert {"action": "FailJob", "onExitCodes": {"containerName": "download", "operator": "In", "values": [3]}} in rules
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"  # required by podFailurePolicy
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["name"] == "download"


def test_job_is_secure_by_default() -> None:
    job = job_docs()["Job"]
    pod = job["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "runAsGroup": 0,
        "fsGroup": 0,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    (container,) = pod["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    tmp = next(v for v in pod["volumes"] if v["name"] == "tmp")
    assert "emptyDir" in tmp and {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert job["spec"]["backoffLimit"] == 3 and job["spec"]["ttlSecondsAfterFinished"] == 86400


def test_job_writes_where_dynamo_reads() -> None:
    job = job_docs()["Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["HF_HOME"] == "/model-cache"  # where Dynamo's recipes and the snippet point HF_HOME
    assert env["HF_XET_HIGH_PERFORMANCE"] == "1" and "HF_HUB_ENABLE_HF_TRANSFER" not in env
    assert json.loads(env["MODELS"]) == [
        {"model": "Qwen/Qwen3-0.6B", "revision": SHA, "include": [], "exclude": [], "path": "modelDownload"}
    ]
    assert all("==" in p for p in env["PIP_PACKAGES"].split())  # pinned
    assert {"name": "model-cache", "mountPath": env["HF_HOME"]} in container["volumeMounts"]
    claim = next(v for v in job["spec"]["template"]["spec"]["volumes"] if v["name"] == "model-cache")
    assert claim["persistentVolumeClaim"]["claimName"] == "model-cache"
    assert job_docs()["ConfigMap"]["data"]["download.py"] == SCRIPT.read_text()


def test_token_comes_from_a_secret_file_never_from_values() -> None:
    job = job_docs(values=download_values(download={"tokenSecret": {"name": "hf-token-secret", "key": "HF_TOKEN"}}))[
        "Job"
    ]
    pod = job["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
    assert env["HF_TOKEN_PATH"] == "/var/run/secrets/huggingface/token" and "HF_TOKEN" not in env
    secret = next(v for v in pod["volumes"] if v["name"] == "hf-token")["secret"]
    assert secret == {"secretName": "hf-token-secret", "items": [{"key": "HF_TOKEN", "path": "token"}]}


@pytest.mark.parametrize(("tier", "stripe"), [("lustre", "true"), ("files", "false")])
def test_striping_only_on_lustre(tier: str, stripe: str) -> None:
    job = job_docs(values=download_values(tier=tier))["Job"]
    env = {e["name"]: e.get("value") for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["LUSTRE_STRIPE"] == stripe


def test_job_name_follows_what_it_downloads() -> None:
    name = job_docs()["Job"]["metadata"]["name"]
    assert name == job_docs()["Job"]["metadata"]["name"]
    other = job_docs(values=download_values(download={"revision": "b" * 40}))["Job"]["metadata"]["name"]
    assert other != name and other.startswith("r-dynamo-cache-model-download-")


def test_existing_claim_is_the_download_target() -> None:
    job = job_docs(values=download_values(caches={"model": {"existingClaim": "my-models"}}))["Job"]
    claim = next(v for v in job["spec"]["template"]["spec"]["volumes"] if v["name"] == "model-cache")
    assert claim["persistentVolumeClaim"]["claimName"] == "my-models"


CHECKOV_CASES = [("helm3", ""), ("helm4", ""), ("helm4", "sha256:" + "0" * 64)]


@pytest.fixture(scope="module")
def checkov_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """One checkov run (its start-up is most of its time) over every case: file name -> results."""
    assert CHECKOV.exists(), "checkov is missing: run `bash ci/setup.sh --test` (it installs tools/checkov)"
    folder = tmp_path_factory.mktemp("checkov")
    for version, digest in CHECKOV_CASES:
        values = download_values(download={"image": {"digest": digest}})
        # the whole render: the download Job and the helm test Jobs
        (folder / f"{version}-{bool(digest)}.yaml").write_text(
            helmtool.template(version, values, "r", "--namespace", "dynamo").stdout
        )
    proc = subprocess.run(
        [str(CHECKOV), "-d", str(folder), "--framework", "kubernetes", "--skip-download", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(proc.stdout)
    by_file: dict[str, dict[str, Any]] = {}
    for outcome in ("passed_checks", "failed_checks", "skipped_checks"):
        for check in report["results"][outcome]:
            name = Path(check["file_path"]).name
            by_file.setdefault(name, {"passed_checks": [], "failed_checks": [], "skipped_checks": []})[outcome].append(
                check
            )
    return by_file


@pytest.mark.parametrize(("version", "digest"), CHECKOV_CASES)
def test_checkov_finds_no_failed_check(checkov_report: dict[str, dict[str, Any]], version: str, digest: str) -> None:
    results = checkov_report[f"{version}-{bool(digest)}.yaml"]
    assert not results["failed_checks"], json.dumps(results["failed_checks"], indent=1)[:3000]
    assert len(results["passed_checks"]) > 50
    skipped = {c["check_id"]: c.get("check_result", {}).get("suppress_comment", "") for c in results["skipped_checks"]}
    assert set(skipped) == {"CKV_K8S_40", "CKV_K8S_15"} | ({"CKV_K8S_43"} if not digest else set())
    assert all(len(reason) > 20 for reason in skipped.values())  # each skip says why


def test_revision_rules(helm_version: str) -> None:
    strict = helmtool.template(helm_version, download_values(download={"revision": "main", "requireCommit": True}))
    assert strict.returncode != 0 and "modelDownload.revision" in strict.stderr
    assert helmtool.template(helm_version, download_values(download={"revision": "main"})).returncode == 0
    missing = helmtool.template(helm_version, yaml_io.dump({"modelDownload": {"enabled": True}}))
    assert missing.returncode != 0 and "modelDownload.model" in missing.stderr


def test_gen_values_warns_on_a_branch_revision_and_strict_fails() -> None:
    args = [
        "--set",
        "modelDownload.enabled=true",
        "--set",
        "modelDownload.model=Qwen/Qwen3-0.6B",
        "--set",
        "modelDownload.revision=main",
    ]
    warned = gen(*args)
    assert warned.returncode == 0 and "$.modelDownload.revision: warning:" in warned.stderr
    assert gen(*args, "--strict").returncode == 1
    assert gen(*args, "--set", "modelDownload.requireCommit=true").returncode == 1
    assert gen(*args[:-1], f"modelDownload.revision={SHA}").stderr == ""


# -- snippets -----------------------------------------------------------------------

BACKENDS = list(CATALOG["dynamo"]["backends"])


def snippet(*args: str) -> dict[str, Any]:
    """`gen-values snippet` in this process (the CLI as a process is tested in test_cli.py)."""
    from dynamo_cache.cli import main

    result = cli_runner().invoke(main, ["snippet", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    (doc,) = [d for d in yaml_io.load_all(result.stdout) if d is not None]
    return doc


def components(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in doc["spec"]["components"]}


def claims_of(component: dict[str, Any]) -> set[str]:
    spec = component.get("podTemplate", {}).get("spec", {})
    found = {v["persistentVolumeClaim"]["claimName"] for v in spec.get("volumes", []) if "persistentVolumeClaim" in v}
    if "compilationCache" in component:
        found.add(component["compilationCache"]["pvcName"])
    return found


def pod_with(spec: dict[str, Any]) -> dict[str, Any]:
    """A component's podTemplate spec as a Pod (the operator adds the image)."""
    containers = [{"image": "nvcr.io/nvidia/ai-dynamo/vllm-runtime:placeholder", **c} for c in spec["containers"]]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "check"},
        "spec": {**spec, "containers": containers},
    }


@pytest.fixture(scope="module")
def dgd_schemas() -> dict[str, Any]:
    return crds.schemas("dynamo/nvidia.com_dynamographdeployments.yaml")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("api", ["v1beta1", "v1alpha1"])
@pytest.mark.parametrize("tier", TIERS)
def test_snippets_are_valid_dgd_fields(dgd_schemas: dict[str, Any], tier: str, api: str, backend: str) -> None:
    doc = snippet("--tier", tier, "--api", api, "--backend", backend)
    dgd = {
        "apiVersion": f"nvidia.com/{api}",
        "kind": "DynamoGraphDeployment",
        "metadata": {"name": "check"},
        "spec": {"backendFramework": backend, **doc["spec"]},
    }
    crds.validate(dgd, dgd_schemas)


@pytest.mark.parametrize("tier", TIERS)
def test_v1beta1_snippet_uses_exactly_the_charts_claims(tier: str) -> None:
    by_name = components(snippet("--tier", tier))
    claims = helmtool.template("helm4", f"tier: {tier}\n").kinds("PersistentVolumeClaim")
    worker = by_name["decode"]
    spec = worker["podTemplate"]["spec"]
    local = {v["name"] for v in spec["volumes"] if "ephemeral" in v}
    assert claims_of(worker) | local == set(claims)
    assert all(
        CATALOG["classes"][v["ephemeral"]["volumeClaimTemplate"]["spec"]["storageClassName"]]["driver"] == "local"
        for v in spec["volumes"]
        if "ephemeral" in v
    )
    env = {e["name"]: e["value"] for e in spec["containers"][0]["env"]}
    assert env["HF_HOME"] == "/model-cache"
    kubernetes_validate.validate(pod_with(spec), "1.37", strict=True)
    # no ReadWriteOnce claim in two components: Multi-Attach when they land on two nodes
    single = {
        name for name, c in claims.items() if not {"ReadWriteMany", "ReadOnlyMany"} & set(c["spec"]["accessModes"])
    }
    shared_with_frontend = claims_of(by_name.get("Frontend", {}))
    assert not single & shared_with_frontend
    assert ("model-cache" in shared_with_frontend) == ("model-cache" not in single)
    assert "compilationCache" not in by_name.get("Frontend", {})


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("vllm", {}),  # the operator sets VLLM_CACHE_ROOT from compilationCache
        (
            "sglang",
            {
                "TORCHINDUCTOR_CACHE_DIR": "/home/dynamo/.cache/sglang/torchinductor",
                "TRITON_CACHE_DIR": "/home/dynamo/.cache/sglang/triton",
            },
        ),
        (
            "trtllm",
            {
                "TLLM_LLMAPI_BUILD_CACHE": "1",
                "TLLM_LLMAPI_BUILD_CACHE_ROOT": "/home/dynamo/.cache/trtllm/tensorrt_llm",
                "TORCHINDUCTOR_CACHE_DIR": "/home/dynamo/.cache/trtllm/torchinductor",
                "TRITON_CACHE_DIR": "/home/dynamo/.cache/trtllm/triton",
            },
        ),
    ],
)
def test_each_backend_gets_what_its_engine_reads(backend: str, expected: dict[str, str]) -> None:
    worker = components(snippet("--backend", backend, "--worker", "w"))["w"]
    env = {e["name"]: e["value"] for e in worker["podTemplate"]["spec"]["containers"][0]["env"]}
    assert {k: v for k, v in env.items() if k != "HF_HOME"} == expected
    assert worker["compilationCache"]["mountPath"] == CATALOG["dynamo"]["backends"][backend]["mountPath"]
    local = components(snippet("--tier", "local", "--backend", backend, "--worker", "w"))["w"]
    local_env = {e["name"] for e in local["podTemplate"]["spec"]["containers"][0]["env"]}
    # a node-local cache is not compilationCache: nobody else sets the variables
    assert {e["name"] for e in CATALOG["dynamo"]["backends"][backend]["env"]} <= local_env


def test_v1alpha1_snippet_names_services_per_backend() -> None:
    doc = snippet("--tier", "files", "--api", "v1alpha1", "--backend", "trtllm")
    assert set(doc["spec"]["services"]) == {"Frontend", "TRTLLMDecodeWorker"}
    assert all(p["create"] is False for p in doc["spec"]["pvcs"])
    worker = doc["spec"]["services"]["TRTLLMDecodeWorker"]
    assert [m for m in worker["volumeMounts"] if m.get("useAsCompilationCache")] == [
        {"name": "compilation-cache", "mountPoint": "/home/dynamo/.cache/trtllm", "useAsCompilationCache": True}
    ]
    named = snippet("--api", "v1alpha1", "--frontend", "Front", "--worker", "prefill", "--worker", "decode")
    assert set(named["spec"]["services"]) == {"Front", "prefill", "decode"}


NOTES_CASES = [[f"tier={tier}"] for tier in TIERS] + [
    ["tier=local", "variant=v1"],
    ["caches.model.existingClaim=my-models", "caches.perf.enabled=false"],
    ["tier=disk", "caches.compilation.storageClass=local-csi", "dynamo.mountPaths.perf=/data/perf"],
    ["dynamo.backend=sglang", "dynamo.frontend=Front", "dynamo.workers={prefill,decode}"],
    ["tier=local", "dynamo.backend=trtllm", "dynamo.mountPaths.compilation=/cc"],
]


@pytest.mark.parametrize("sets", NOTES_CASES, ids=["-".join(s) for s in NOTES_CASES])
def test_notes_print_the_same_snippet(sets: list[str]) -> None:
    flags = [a for s in sets for a in ("--set", s)]
    notes = helmtool.notes(None, *flags, release="dynamo-cache")
    block = notes.split("(dynamo.frontend, dynamo.workers):", 1)[1].split("\n\n", 2)[1]
    gen_flags = [a for s in sets for a in ("--set", s.replace("{prefill,decode}", "[prefill, decode]"))]
    assert yaml_io.load(block) == snippet(*gen_flags)


def test_mount_paths_are_configured_once() -> None:
    worker = components(snippet("--set", "dynamo.mountPaths.model=/opt/models"))["decode"]
    env = worker["podTemplate"]["spec"]["containers"][0]["env"]
    assert {"name": "HF_HOME", "value": "/opt/models"} in env
    job = job_docs(values=download_values(dynamo={"mountPaths": {"model": "/opt/models"}}))["Job"]
    assert {"name": "HF_HOME", "value": "/opt/models"} in job["spec"]["template"]["spec"]["containers"][0]["env"]


def test_several_models_reach_the_script_as_the_generator_lists_them(helm_version: str) -> None:
    """modelDownload.model then modelDownload.models, in order: the chart's MODELS env is what
    resolve.downloads (gen-values' twin) lists, with the JSON path each was given at."""
    from dynamo_cache.resolve import downloads

    extra = {"models": [{"model": "org/b", "revision": "main", "exclude": ["*.bin"]}, {"model": "org/c"}]}
    values = yaml_io.load(download_values(download=extra))
    job = job_docs(helm_version, yaml_io.dump(values))["Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    listed = [{**m, "path": m["path"].removeprefix("$.")} for m in downloads(values)]
    assert json.loads(env["MODELS"]) == listed
    assert [m["model"] for m in listed] == ["Qwen/Qwen3-0.6B", "org/b", "org/c"]
    assert job["metadata"]["annotations"]["dynamo-cache/model"] == "Qwen/Qwen3-0.6B,org/b,org/c"
    single = job_docs(helm_version)["Job"]["metadata"]["name"]
    assert job["metadata"]["name"] != single  # another list of models is another Job


def test_restripe_ships_its_script_only_where_it_runs() -> None:
    """modelDownload.restripe on Lustre: the script is in the ConfigMap and RESTRIPE=true;
    on another tier NOTES says nothing is restriped and the script is not shipped."""
    values = yaml_io.load(download_values(download={"restripe": True}))
    lustre = job_docs(values=yaml_io.dump({**values, "tier": "lustre"}))
    env = {e["name"]: e.get("value") for e in lustre["Job"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["RESTRIPE"] == "true" and "restripe.py" in lustre["ConfigMap"]["data"]
    files = job_docs(values=yaml_io.dump(values))
    env = {e["name"]: e.get("value") for e in files["Job"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["RESTRIPE"] == "false" and "restripe.py" not in files["ConfigMap"]["data"]
    notes = helmtool.notes(yaml_io.dump(values))
    assert "modelDownload.restripe is for Lustre; the model cache is on files: nothing is restriped" in notes
