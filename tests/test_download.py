"""The model download script (charts/dynamo-cache/files/download.py) run as the Job runs
it, with the real, pinned huggingface_hub against a Hub stand-in on 127.0.0.1
(fakehub.py); and the cache it leaves read back by the real client offline, as vLLM
reads it (HF_HUB_OFFLINE=1)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import helmtool
from fakehub import FakeHub, Repo

SCRIPT = helmtool.CHART / "files" / "download.py"
MODEL = "Qwen/Qwen3-0.6B"
REPO = "models--Qwen--Qwen3-0.6B"
SHA = "c1899de289a04d12100db370d81485cdf75e47ca"
SHA2 = "5f3b2d0e9c8a7b6f5e4d3c2b1a0f9e8d7c6b5a49"  # a second commit of the same model
FILES = {
    "config.json": b'{"model_type": "qwen3"}',
    "tokenizer.json": b"{}" * 10,
    "model.safetensors": bytes(range(256)) * 64,
    "README.md": b"# Qwen3",
}


def test_the_client_is_the_pinned_one() -> None:
    import huggingface_hub

    values = (helmtool.CHART / "values.yaml").read_text()
    assert f"huggingface_hub=={huggingface_hub.__version__}" in values  # what the Job installs is what we test


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    repos = {
        MODEL: Repo(files=dict(FILES), branches={"main": SHA, "v2": SHA2}),
        "org/gated": Repo(files={"config.json": b"{}"}, branches={"main": SHA}, gated=True),
    }
    with FakeHub(repos) as server:
        yield server


def start(hub: FakeHub, home: Path, revision: str = SHA, model: str = MODEL, **env: str) -> subprocess.Popen[str]:
    """The script as the Job's container runs it, started."""
    full = {
        "PATH": os.environ["PATH"],
        "HF_HOME": str(home),
        "MODEL": model,
        "REVISION": revision,
        "PIP_PACKAGES": "",
        "HF_ENDPOINT": hub.url,
        "HOME": str(home.parent),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, str(SCRIPT)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full
    )


def finish(proc: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in out + err, out + err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run(
    hub: FakeHub, home: Path, revision: str = SHA, model: str = MODEL, **env: str
) -> subprocess.CompletedProcess[str]:
    return finish(start(hub, home, revision, model, **env))


def snapshot(home: Path, sha: str = SHA) -> Path:
    return home / "hub" / REPO / "snapshots" / sha


def failure_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stdout.splitlines() if "failed:" in line]


def test_download_then_a_rerun_without_the_hub(hub: FakeHub, tmp_path: Path) -> None:
    home = tmp_path / "cache"
    first = run(hub, home)
    assert first.returncode == 0, first.stdout + first.stderr
    for name, data in FILES.items():
        assert (snapshot(home) / name).read_bytes() == data  # every link resolves after the move
    assert not [p for p in (home / "hub" / REPO / "blobs").iterdir() if p.is_symlink()]
    # nothing left but hub/ and our own markers: no staging, no .locks, CACHEDIR.TAG or client files
    assert sorted(p.name for p in home.iterdir()) == [".dynamo-cache", "hub"]
    state = {p.name: p for p in (home / ".dynamo-cache").iterdir()}
    assert "complete" in state and set(state) <= {"complete", "staging", "client", "locks"}
    assert not [p for name in ("staging", "client", "locks") if name in state for p in state[name].iterdir()]
    assert sorted(p.name for p in (home / "hub").iterdir()) == [REPO]

    hub.down = True
    before = len(hub.requests)
    again = run(hub, home)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert len(hub.requests) == before  # no connection at all


def test_a_broken_download_publishes_nothing_and_the_retry_keeps_finished_files(hub: FakeHub, tmp_path: Path) -> None:
    home = tmp_path / "cache"
    hub.break_file = "model.safetensors"
    failed = run(hub, home)
    assert failed.returncode == 1
    (line,) = failure_lines(failed)
    assert "nothing was published" in line and "partly downloaded file starts over" in line
    assert not snapshot(home).exists()  # workers never see a half snapshot
    config_gets = hub.gets("/resolve/") + hub.gets("/cdn/")
    hub.break_file = None
    retry = run(hub, home)
    assert retry.returncode == 0, retry.stdout
    assert sorted(p.name for p in snapshot(home).iterdir()) == sorted(FILES)
    refetched = hub.gets("/resolve/") + hub.gets("/cdn/") - config_gets
    assert refetched == 1  # only the broken file again: the finished ones were kept


def test_a_branch_is_resolved_and_its_ref_written_even_when_complete(hub: FakeHub, tmp_path: Path) -> None:
    home = tmp_path / "cache"
    done = run(hub, home, revision="main")
    assert done.returncode == 0 and "not a commit SHA" in done.stdout
    ref = home / "hub" / REPO / "refs" / "main"
    assert ref.read_text() == SHA
    ref.unlink()
    again = run(hub, home, revision="main")
    assert again.returncode == 0 and "refs/main points to it" in again.stdout
    assert ref.read_text() == SHA
    # the real client, offline, as vLLM loads revision="main" from the cache
    reader = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, huggingface_hub as h; "
            f"print(h.hf_hub_download({MODEL!r}, 'config.json', revision='main', cache_dir=sys.argv[1]))",
            str(home / "hub"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "other")},
        timeout=60,
    )
    assert reader.returncode == 0, reader.stderr
    assert Path(reader.stdout.strip()).read_bytes() == FILES["config.json"]


@pytest.mark.parametrize(
    ("model", "revision", "token", "fragment"),
    [
        ("Qwen/Qwen3-Missing", SHA, None, "was not found: check modelDownload.model"),
        ("org/gated", SHA, None, "is gated: set modelDownload.tokenSecret"),
        ("org/gated", SHA, "hf_wrong", "refused the token"),
        (MODEL, "0" * 40, None, "does not exist in"),
        (MODEL, "no-such-branch", None, "does not exist in"),
    ],
    ids=["wrong-id", "gated-no-token", "bad-token", "unknown-commit", "unknown-branch"],
)
def test_permanent_errors_fail_at_once_in_one_line(
    hub: FakeHub, tmp_path: Path, model: str, revision: str, token: str | None, fragment: str
) -> None:
    env: dict[str, str] = {}
    if token:
        (tmp_path / "token").write_text(token)
        env["HF_TOKEN_PATH"] = str(tmp_path / "token")
    proc = run(hub, tmp_path / "cache", revision=revision, model=model, **env)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # the Job's podFailurePolicy: FailJob on 3
    (line,) = failure_lines(proc)
    assert fragment in line and "retr" not in line


def test_a_gated_model_downloads_with_a_token(hub: FakeHub, tmp_path: Path) -> None:
    (tmp_path / "token").write_text(hub.token)
    proc = run(hub, tmp_path / "cache", model="org/gated", HF_TOKEN_PATH=str(tmp_path / "token"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def load_script() -> Any:
    spec = importlib.util.spec_from_file_location("download", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shared_store_links_are_published_as_files(tmp_path: Path) -> None:
    """The layout huggingface_hub 1.33.0 leaves after a Xet download with its shared
    blob store on (utils/_shared_blobs.py): <cache>/blobs/<2 hex>/<hash> is the file,
    the repo's blobs/<etag> a relative link to it. The Xet transfer itself cannot run
    offline; its layout can."""
    download = load_script()
    home = tmp_path / "cache"
    env = {"HF_HOME": str(home), "MODEL": MODEL, "REVISION": SHA}
    job = download.Job(env, download.models_from(env)[0], "test-attempt")
    cache = job.staging
    xet_hash = "76" + "a" * 62
    store = cache / "blobs" / "76" / xet_hash
    store.parent.mkdir(parents=True)
    store.write_bytes(FILES["model.safetensors"])
    staged = cache / REPO
    (staged / "blobs").mkdir(parents=True)
    (staged / "blobs" / "etag1").symlink_to(os.path.relpath(store, staged / "blobs"))
    (staged / "snapshots" / SHA).mkdir(parents=True)
    (staged / "snapshots" / SHA / "model.safetensors").symlink_to("../../blobs/etag1")
    job.publish(staged, SHA)
    job.verify(SHA)
    job.clean_up()  # the shared store goes with the staging area: the published file must not need it
    assert (snapshot(home) / "model.safetensors").read_bytes() == FILES["model.safetensors"]
    assert not (home / "hub" / REPO / "blobs" / "etag1").is_symlink()


def test_a_snapshot_with_a_dangling_link_is_not_complete(tmp_path: Path) -> None:
    download = load_script()
    home = tmp_path / "cache"
    env = {"HF_HOME": str(home), "MODEL": MODEL, "REVISION": SHA}
    job = download.Job(env, download.models_from(env)[0], "test-attempt")
    snapshot(home).mkdir(parents=True)
    (snapshot(home) / "model.safetensors").symlink_to("../../blobs/gone")
    job.write_marker(SHA)
    assert not job.complete(SHA)  # a cache broken by an earlier version is downloaded again


def test_striping_uses_lfs_when_present_and_skips_cleanly_without(hub: FakeHub, tmp_path: Path) -> None:
    without = run(hub, tmp_path / "cache", LUSTRE_STRIPE="true")
    assert without.returncode == 0 and "lfs is not in this image" in without.stdout
    path, lfs_log = fake_lfs(tmp_path)
    home = tmp_path / "cache2"
    striped = run(hub, home, LUSTRE_STRIPE="true", PATH=path)
    assert striped.returncode == 0, striped.stdout
    assert lfs_log.read_text().splitlines() == [
        f"setstripe -c -1 -S 4M {home / 'hub'}",
        f"setstripe -c -1 -S 4M {home / '.dynamo-cache' / 'staging' / REPO}",
        f"getstripe -c {snapshot(home) / 'model.safetensors'}",
    ]
    assert "layout: model.safetensors, the largest file, is striped over 1 OST(s)" in striped.stdout


def fake_lfs(tmp_path: Path, osts: int = 4) -> tuple[str, Path]:
    """An `lfs` on PATH that logs its calls and keeps each file's stripe count (1 until
    migrated), the way the Lustre client answers: PATH for the run, and the call log."""
    bin_dir, state, calls = tmp_path / "bin", tmp_path / "lfs-state.json", tmp_path / "lfs.log"
    bin_dir.mkdir(exist_ok=True)
    script = f"""#!{sys.executable}
import json, os, sys
args = sys.argv[1:]
with open({str(calls)!r}, "a") as log:
    log.write(" ".join(args) + "\\n")
state = json.load(open({str(state)!r})) if os.path.exists({str(state)!r}) else {{}}
if args[0] == "df":
    for i in range({osts}):
        print(f"fs-OST{{i:04x}}_UUID 100 0 100 0% /mnt[OST:{{i}}]")
elif args[0] == "getstripe":
    print(state.get(os.path.realpath(args[-1]), 1))
elif args[0] == "migrate":
    state[os.path.realpath(args[-1])] = {osts}
    json.dump(state, open({str(state)!r}, "w"))
"""
    (bin_dir / "lfs").write_text(script)
    (bin_dir / "lfs").chmod(0o755)
    return f"{bin_dir}:{os.environ['PATH']}", calls


def test_restripe_spreads_every_cached_model_in_place_once(hub: FakeHub, tmp_path: Path) -> None:
    """modelDownload.restripe: after the (here: no-op) download, every blob of every model in
    the cache on fewer OSTs than the filesystem has is migrated in place, once; a second run
    migrates nothing; the files' bytes are untouched; without lfs nothing changes."""
    home = tmp_path / "cache"
    assert run(hub, home).returncode == 0  # filled unstriped (no lfs)
    without = run(hub, home, RESTRIPE="true")
    assert without.returncode == 0 and "restripe: lfs is not in this image: nothing restriped" in without.stdout
    path, calls = fake_lfs(tmp_path)
    first = run(hub, home, RESTRIPE="true", PATH=path)
    assert first.returncode == 0, first.stdout
    blobs = sorted((home / "hub" / REPO / "blobs").iterdir())
    migrated = [line for line in calls.read_text().splitlines() if line.startswith("migrate")]
    assert migrated == [f"migrate -c -1 -S 4M {b}" for b in blobs] and len(blobs) == len(FILES)
    assert f"done: {len(blobs)} file(s) restriped, 0 already over all 4 OSTs" in first.stdout
    assert f"setstripe -c -1 -S 4M {home / 'hub' / REPO / 'blobs'}" in calls.read_text()
    again = run(hub, home, RESTRIPE="true", PATH=path)
    assert again.returncode == 0 and f"done: 0 file(s) restriped, {len(blobs)} already over all 4 OSTs" in again.stdout
    for name, data in FILES.items():
        assert (snapshot(home) / name).read_bytes() == data


# -- runs that share one cache ----------------------------------------------------------


class Running:
    """A started run whose output is read as it comes, so a test can wait for a line."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc, self.lines = proc, []
        self.reader = threading.Thread(target=lambda: self.lines.extend(proc.stdout or []), daemon=True)
        self.reader.start()

    def said(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def finish(self) -> subprocess.CompletedProcess[str]:
        self.proc.wait(timeout=120)
        self.reader.join(timeout=30)
        out, err = "".join(self.lines), (self.proc.stderr.read() if self.proc.stderr else "")
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
        assert "Traceback" not in out + err, out + err
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


def lease_owner(home: Path) -> Path:
    return home / ".dynamo-cache" / "locks" / REPO / "owner.json"


def wait_for(condition: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)


def holding_the_lease(hub: FakeHub, home: Path, revision: str = SHA, **env: str) -> Running:
    """A run that holds the lease, its download held mid-file until hub.release is set."""
    hub.held_file = "model.safetensors"
    first = Running(start(hub, home, revision, **env))
    wait_for(lambda: hub.gets("/cdn/") >= 1, "the first run is mid-download")
    return first


def waiting(hub: FakeHub, home: Path, revision: str = SHA, **env: str) -> Running:
    later = Running(start(hub, home, revision, **env))
    wait_for(lambda: later.said("waiting for"), "the later run waits")
    return later


def assert_nothing_left_but_the_cache(home: Path) -> None:
    """No staging, client folder, lease or partial file of any run is left."""
    state = home / ".dynamo-cache"
    leftovers = [
        p for name in ("staging", "client", "locks") if (state / name).is_dir() for p in (state / name).iterdir()
    ]
    assert not leftovers, leftovers
    assert not [p for p in home.rglob("*") if p.name.endswith((".incomplete", ".partial")) or ".incoming-" in p.name]


def assert_complete(home: Path, sha: str = SHA) -> None:
    assert sorted(p.name for p in snapshot(home, sha).iterdir()) == sorted(FILES)
    for name, data in FILES.items():
        assert (snapshot(home, sha) / name).read_bytes() == data


@pytest.mark.parametrize("count", [3])  # two at once: the two-commit and branch tests
def test_concurrent_runs_of_one_commit_download_once_and_all_succeed(hub: FakeHub, tmp_path: Path, count: int) -> None:
    home = tmp_path / "cache"
    first = holding_the_lease(hub, home)
    others = [waiting(hub, home) for _ in range(count - 1)]
    hub.release.set()
    results = [run.finish() for run in [first, *others]]
    assert [r.returncode for r in results] == [0] * count, [r.stdout for r in results]
    for later in results[1:]:
        assert "waiting for" in later.stdout and "is already complete" in later.stdout  # downloaded nothing
    assert hub.gets("/cdn/") == 1  # the large file once
    assert_complete(home)
    assert_nothing_left_but_the_cache(home)


def test_concurrent_runs_of_two_commits_both_publish(hub: FakeHub, tmp_path: Path) -> None:
    home = tmp_path / "cache"
    first = holding_the_lease(hub, home, SHA)
    second = waiting(hub, home, SHA2)
    hub.release.set()
    results = [first.finish(), second.finish()]
    assert [r.returncode for r in results] == [0, 0], [r.stdout for r in results]
    assert_complete(home, SHA)
    assert_complete(home, SHA2)  # neither removed the other's snapshot
    assert_nothing_left_but_the_cache(home)


def test_a_branch_ref_ends_at_the_run_that_finished_last(hub: FakeHub, tmp_path: Path) -> None:
    home = tmp_path / "cache"
    older = holding_the_lease(hub, home, "main")  # main is SHA for this run
    hub.repos[MODEL].branches["main"] = SHA2  # the branch moves on while it downloads
    newer = waiting(hub, home, "main")
    hub.release.set()
    results = older.finish(), newer.finish()
    assert [r.returncode for r in results] == [0, 0], [r.stdout for r in results]
    assert (home / "hub" / REPO / "refs" / "main").read_text() == SHA2
    assert_complete(home, SHA)
    assert_complete(home, SHA2)


def test_a_killed_runs_lease_is_taken_over_once_stale(hub: FakeHub, tmp_path: Path) -> None:
    home = tmp_path / "cache"
    killed = holding_the_lease(hub, home, LEASE_STALE_SECONDS="1")
    killed.proc.kill()  # SIGKILL: no clean-up, its lease and staging stay behind
    killed.finish()
    hub.release.set()
    assert lease_owner(home).exists() and any((home / ".dynamo-cache" / "staging" / REPO).iterdir())
    taker = run(hub, home, LEASE_STALE_SECONDS="1")
    assert taker.returncode == 0, taker.stdout
    assert "waiting for" in taker.stdout and "was not renewed for 1 s: taking it over" in taker.stdout
    assert "kept the files attempt" in taker.stdout  # what the dead attempt finished
    assert_complete(home)
    assert_nothing_left_but_the_cache(home)


def test_a_dgdr_wired_to_the_cache_finds_the_snapshot_the_job_filled(hub: FakeHub, tmp_path: Path) -> None:
    """`gen-values wire` gives a DynamoGraphDeploymentRequest spec.modelCache; the claim's root
    is the Job's HF_HOME (templates/model-download.yaml mounts it whole at dynamo.mountPaths.model),
    so pvcModelPath inside the claim must be the snapshot the real client filled."""
    from dynamo_cache import values, wire

    claim_root = tmp_path / "claim"
    assert run(hub, claim_root).returncode == 0
    spec = {"modelDownload": {"enabled": True, "model": MODEL, "revision": SHA}}
    dgdr = "apiVersion: nvidia.com/v1beta1\nkind: DynamoGraphDeploymentRequest\nmetadata: {name: q}\nspec:\n"
    dgdr += f"  model: {MODEL}\n"
    outcome = wire.wire(dgdr, wire.Target(values.build(spec, prune=False), "dynamo-cache", None))
    assert not outcome.problems
    import yaml_io

    cache = yaml_io.load(outcome.text)["spec"]["modelCache"]
    assert cache["pvcMountPath"] == values.build(spec, prune=False)["dynamo"]["mountPaths"]["model"]
    folder = claim_root / cache["pvcModelPath"]
    assert folder == snapshot(claim_root)
    assert (folder / "config.json").read_bytes() == FILES["config.json"]


def test_one_job_warms_several_models_and_a_gated_one_does_not_stop_the_others(hub: FakeHub, tmp_path: Path) -> None:
    """modelDownload.models: three models in one run, in order, each complete on its own; the
    gated one (no token) fails for good, the others are still warmed, and the run ends naming
    it with the exit code the Job's podFailurePolicy fails at once on. A rerun is a no-op
    for the two that are complete."""
    import json

    hub.repos["org/small"] = Repo(
        files={"config.json": b'{"a": 1}', "w.safetensors": b"x" * 1000}, branches={"main": SHA2}
    )
    models = [
        {"model": MODEL, "revision": SHA, "include": [], "exclude": ["README.md"], "path": "modelDownload"},
        {"model": "org/gated", "revision": SHA, "include": [], "exclude": [], "path": "modelDownload.models[0]"},
        {"model": "org/small", "revision": "main", "include": [], "exclude": [], "path": "modelDownload.models[1]"},
    ]
    home = tmp_path / "cache"
    done = run(hub, home, MODELS=json.dumps(models))
    assert done.returncode == 3, done.stdout + done.stderr
    order = [line for line in done.stdout.splitlines() if ": model " in line and " of 3: " in line]
    assert [line.rsplit(" ", 1)[-1] for line in order] == [MODEL, "org/gated", "org/small"]
    assert sorted(p.name for p in snapshot(home).iterdir()) == sorted(set(FILES) - {"README.md"})
    small = home / "hub" / "models--org--small" / "snapshots" / SHA2
    assert (small / "w.safetensors").read_bytes() == b"x" * 1000
    assert (home / "hub" / "models--org--small" / "refs" / "main").read_text() == SHA2
    assert not (home / "hub" / "models--org--gated").exists()
    (summary,) = [line for line in done.stdout.splitlines() if "models complete" in line]
    assert "2 of 3 models complete" in summary and "org/gated (modelDownload.models[0])" in summary
    assert "is gated" in summary
    assert sorted(p.name for p in home.iterdir()) == [".dynamo-cache", "hub"]
    client = home / ".dynamo-cache" / "client"
    assert not client.exists() or not list(client.iterdir())  # the run's client folder is gone

    hub.down = True
    again = run(hub, home, MODELS=json.dumps([models[0]]))
    assert again.returncode == 0 and "nothing to do" in again.stdout  # complete: not even a connection
