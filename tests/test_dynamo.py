"""Dynamo integration: the model download Job (rendered on both Helm versions,
kubernetes-validate strict, checkov), its script's re-run and failure behaviour
(against a stand-in huggingface_hub), and the DGD snippets (NOTES and
`gen-values snippet`)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

import helmtool
import yaml_io
from genvalues import run as gen
from dynamo_cache.catalog import CATALOG, TIERS

SHA = "c1899de289a04d12100db370d81485cdf75e47ca"
SCRIPT = helmtool.CHART / "files" / "download.py"
FAKE_HF = Path(__file__).parent / "fake_hf"
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


def test_job_is_secure_by_default() -> None:
    job = job_docs()["Job"]
    pod = job["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 0, "fsGroup": 0,
                                      "seccompProfile": {"type": "RuntimeDefault"}}
    (container,) = pod["containers"]
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "privileged": False,
                                            "readOnlyRootFilesystem": True, "runAsNonRoot": True,
                                            "capabilities": {"drop": ["ALL"]}}
    tmp = next(v for v in pod["volumes"] if v["name"] == "tmp")
    assert "emptyDir" in tmp and {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert job["spec"]["backoffLimit"] == 3 and job["spec"]["ttlSecondsAfterFinished"] == 86400


def test_job_writes_where_dynamo_reads() -> None:
    job = job_docs()["Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["HF_HOME"] == "/home/dynamo/.cache/huggingface"
    assert env["HF_XET_HIGH_PERFORMANCE"] == "1" and "HF_HUB_ENABLE_HF_TRANSFER" not in env
    assert env["MODEL"] == "Qwen/Qwen3-0.6B" and env["REVISION"] == SHA
    assert all("==" in p for p in env["PIP_PACKAGES"].split())  # pinned
    assert {"name": "model-cache", "mountPath": env["HF_HOME"]} in container["volumeMounts"]
    claim = next(v for v in job["spec"]["template"]["spec"]["volumes"] if v["name"] == "model-cache")
    assert claim["persistentVolumeClaim"]["claimName"] == "model-cache"
    assert job_docs()["ConfigMap"]["data"]["download.py"] == SCRIPT.read_text()


def test_token_comes_from_a_secret_file_never_from_values() -> None:
    job = job_docs(values=download_values(download={"tokenSecret": {"name": "hf-token-secret", "key": "HF_TOKEN"}}))["Job"]
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


@pytest.mark.parametrize(("version", "digest"), [("helm3", ""), ("helm4", ""), ("helm4", "sha256:" + "0" * 64)])
def test_checkov_finds_no_failed_check(version: str, digest: str, tmp_path: Path) -> None:
    assert CHECKOV.exists(), "checkov is missing: run `bash ci/setup.sh` (it installs tools/checkov)"
    rendered = tmp_path / "job.yaml"
    values = download_values(download={"image": {"digest": digest}})
    rendered.write_text(helmtool.template(version, values, "r", "--namespace", "dynamo").stdout)
    proc = subprocess.run([str(CHECKOV), "-f", str(rendered), "--framework", "kubernetes", "--skip-download",
                           "--output", "json"], capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    summary = report["summary"]
    assert summary["failed"] == 0, json.dumps(report["results"]["failed_checks"], indent=1)[:3000]
    assert summary["passed"] > 50
    skipped = {c["check_id"]: c.get("check_result", {}).get("suppress_comment", "") for c in report["results"]["skipped_checks"]}
    assert set(skipped) == {"CKV_K8S_40", "CKV_K8S_15"} | ({"CKV_K8S_43"} if not digest else set())
    assert all(len(reason) > 20 for reason in skipped.values())  # each skip says why


def test_revision_rules(helm_version: str) -> None:
    strict = helmtool.template(helm_version, download_values(download={"revision": "main", "requireCommit": True}))
    assert strict.returncode != 0 and "modelDownload.revision" in strict.stderr
    assert helmtool.template(helm_version, download_values(download={"revision": "main"})).returncode == 0
    missing = helmtool.template(helm_version, yaml_io.dump({"modelDownload": {"enabled": True}}))
    assert missing.returncode != 0 and "modelDownload.model" in missing.stderr


def test_gen_values_warns_on_a_branch_revision_and_strict_fails() -> None:
    args = ["--set", "modelDownload.enabled=true", "--set", "modelDownload.model=Qwen/Qwen3-0.6B",
            "--set", "modelDownload.revision=main"]
    warned = gen(*args)
    assert warned.returncode == 0 and "$.modelDownload.revision: warning:" in warned.stderr
    assert gen(*args, "--strict").returncode == 1
    assert gen(*args, "--set", "modelDownload.requireCommit=true").returncode == 1
    assert gen(*args[:-1], f"modelDownload.revision={SHA}").stderr == ""


# -- the download script, run for real against the stand-in huggingface_hub ----------

def run_script(home: Path, tmp: Path, revision: str = SHA, **env: str) -> subprocess.CompletedProcess[str]:
    calls = tmp / "calls.log"
    full = {"PATH": os.environ["PATH"], "HF_HOME": str(home), "MODEL": "Qwen/Qwen3-0.6B", "REVISION": revision,
            "PYTHONPATH": str(FAKE_HF), "FAKE_HF_CALLS": str(calls), "PIP_PACKAGES": "", **env}
    return subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=full, timeout=60)


def calls(tmp: Path) -> list[str]:
    log = tmp / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def snapshot(home: Path, sha: str = SHA) -> Path:
    return home / "hub" / "models--Qwen--Qwen3-0.6B" / "snapshots" / sha


def test_first_run_downloads_and_a_second_is_a_no_op(tmp_path: Path) -> None:
    home = tmp_path / "cache"
    first = run_script(home, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    files = sorted(p.name for p in snapshot(home).iterdir())
    assert files == ["README.md", "config.json", "model.safetensors", "tokenizer.json"]
    assert (snapshot(home) / "config.json").read_text() == '{"model_type": "fake"}'  # links resolve after the move
    assert not (home / ".dynamo-cache" / "staging" / "models--Qwen--Qwen3-0.6B").exists()
    second = run_script(home, tmp_path)
    assert second.returncode == 0 and "nothing to do" in second.stdout
    assert len(calls(tmp_path)) == 1  # no download, no network call the second time


def test_a_failed_download_publishes_nothing_and_the_retry_resumes(tmp_path: Path) -> None:
    home = tmp_path / "cache"
    failed = run_script(home, tmp_path, FAKE_HF_FAIL_AFTER="2")
    assert failed.returncode == 1 and "nothing was published" in failed.stdout
    assert not snapshot(home).exists()  # workers never see a half snapshot
    staged = home / ".dynamo-cache" / "staging" / "models--Qwen--Qwen3-0.6B" / "blobs"
    assert len(list(staged.iterdir())) == 2  # kept for the retry
    retry = run_script(home, tmp_path)
    assert retry.returncode == 0 and len(list(snapshot(home).iterdir())) == 4


def test_other_patterns_download_again(tmp_path: Path) -> None:
    home = tmp_path / "cache"
    assert run_script(home, tmp_path, INCLUDE='["*.json"]').returncode == 0
    assert sorted(p.name for p in snapshot(home).iterdir()) == ["config.json", "tokenizer.json"]
    assert run_script(home, tmp_path, INCLUDE='["*.json"]').returncode == 0
    assert len(calls(tmp_path)) == 1
    assert run_script(home, tmp_path).returncode == 0  # all files now
    assert len(list(snapshot(home).iterdir())) == 4 and len(calls(tmp_path)) == 2


def test_a_branch_is_resolved_to_its_commit(tmp_path: Path) -> None:
    home = tmp_path / "cache"
    done = run_script(home, tmp_path, revision="main")
    assert done.returncode == 0 and "not a commit SHA" in done.stdout
    assert snapshot(home, "a" * 40).is_dir()
    assert (home / "hub" / "models--Qwen--Qwen3-0.6B" / "refs" / "main").read_text() == "a" * 40
    again = run_script(home, tmp_path, revision="main")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert calls(tmp_path).count("model_info") == 2 and len([c for c in calls(tmp_path) if c.startswith("snapshot")]) == 1


def test_striping_uses_lfs_when_present_and_skips_cleanly_without(tmp_path: Path) -> None:
    home = tmp_path / "cache"
    without = run_script(home, tmp_path, LUSTRE_STRIPE="true")
    assert without.returncode == 0 and "lfs is not in this image" in without.stdout
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lfs_log = tmp_path / "lfs.log"
    (bin_dir / "lfs").write_text(f"#!/bin/sh\necho \"$@\" >> {lfs_log}\n")
    (bin_dir / "lfs").chmod(0o755)
    home2 = tmp_path / "cache2"
    striped = run_script(home2, tmp_path, LUSTRE_STRIPE="true", PATH=f"{bin_dir}:{os.environ['PATH']}")
    assert striped.returncode == 0, striped.stdout
    lines = lfs_log.read_text().splitlines()
    assert lines == [f"setstripe -c -1 -S 4M {home2 / 'hub'}", f"setstripe -c -1 -S 4M {home2 / '.dynamo-cache' / 'staging'}"]


# -- snippets -----------------------------------------------------------------------

def snippet(*args: str) -> list[dict[str, Any]]:
    proc = gen("snippet", *args)
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml_io.load_all(proc.stdout) if d is not None]


def pod_with(spec: dict[str, Any]) -> dict[str, Any]:
    """A component's podTemplate spec as a Pod (the operator adds the image)."""
    containers = [{"image": "nvcr.io/nvidia/ai-dynamo/vllm-runtime:placeholder", **c} for c in spec["containers"]]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "check"}, "spec": {**spec, "containers": containers}}


@pytest.mark.parametrize("tier", TIERS)
def test_v1beta1_snippet_uses_exactly_the_charts_claims(tier: str) -> None:
    (component,) = snippet("--tier", tier)
    claims = set(helmtool.template("helm4", f"tier: {tier}\n").kinds("PersistentVolumeClaim"))
    spec = component["podTemplate"]["spec"]
    referenced = {v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"] if "persistentVolumeClaim" in v}
    if "compilationCache" in component:
        referenced.add(component["compilationCache"]["pvcName"])
        assert component["compilationCache"]["mountPath"] == "/home/dynamo/.cache/vllm"
    local = {v["name"] for v in spec["volumes"] if "ephemeral" in v}
    assert referenced | local == claims
    assert all(CATALOG["classes"][v["ephemeral"]["volumeClaimTemplate"]["spec"]["storageClassName"]]["driver"] == "local"
               for v in spec["volumes"] if "ephemeral" in v)
    env = {e["name"]: e["value"] for e in spec["containers"][0]["env"]}
    assert env["HF_HOME"] == "/home/dynamo/.cache/huggingface"
    kubernetes_validate.validate(pod_with(spec), "1.37", strict=True)


@pytest.mark.parametrize("tier", TIERS)
def test_v1alpha1_snippet(tier: str) -> None:
    top, service = snippet("--tier", tier, "--api", "v1alpha1")
    claims = set(helmtool.template("helm4", f"tier: {tier}\n").kinds("PersistentVolumeClaim"))
    assert all(p["create"] is False for p in top["pvcs"])
    assert {p["name"] for p in top["pvcs"]} <= claims
    compile_mounts = [m for m in service["volumeMounts"] if m.get("useAsCompilationCache")]
    local = service.get("extraPodSpec", {}).get("volumes", [])
    assert len(compile_mounts) == (0 if any(v["name"] == "compilation-cache" for v in local) else 1)
    if local:
        spec = {"containers": [{"name": "main", **service["extraPodSpec"]["mainContainer"]}], "volumes": local}
        kubernetes_validate.validate(pod_with(spec), "1.37", strict=True)


NOTES_CASES = [[f"tier={tier}"] for tier in TIERS] + [
    ["tier=local", "variant=v1"],
    ["caches.model.existingClaim=my-models", "caches.perf.enabled=false"],
    ["tier=disk", "caches.compilation.storageClass=local-csi", "dynamo.mountPaths.perf=/data/perf"],
]


@pytest.mark.parametrize("sets", NOTES_CASES, ids=["-".join(s) for s in NOTES_CASES])
def test_notes_print_the_same_snippet(sets: list[str]) -> None:
    flags = [a for s in sets for a in ("--set", s)]
    run = helmtool.helm("helm4", "install", "dynamo-cache", str(helmtool.CHART), "--dry-run=client", *flags)
    assert run.returncode == 0, run.stderr
    notes = run.stdout.split("NOTES:", 1)[1]
    block = notes.split("(frontend and workers).", 1)[1].split("\n\n", 2)[1]
    assert yaml_io.load(block) == snippet(*flags)[0]


def test_mount_paths_are_configured_once() -> None:
    (component,) = snippet("--set", "dynamo.mountPaths.model=/opt/models")
    env = component["podTemplate"]["spec"]["containers"][0]["env"]
    assert {"name": "HF_HOME", "value": "/opt/models"} in env
    job = job_docs(values=download_values(dynamo={"mountPaths": {"model": "/opt/models"}}))["Job"]
    assert {"name": "HF_HOME", "value": "/opt/models"} in job["spec"]["template"]["spec"]["containers"][0]["env"]
