"""gen-values as a user runs it: a real process, exit codes, files, stdin, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import yaml_io
from genvalues import run


def test_help_and_version() -> None:
    assert "gen-values --tier lustre" in run("--help").stdout
    assert run("--version").returncode == 0


@pytest.mark.parametrize("args", [["--tier", "nope"], ["--bogus"], ["validate"], ["--lustre-sku", "x"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert run(*args).returncode == 2


def test_spec_from_stdin_and_flags_override_the_file() -> None:
    proc = run(
        "--spec", "-", "--tier", "disk", "--variant", "builtin", stdin=b"tier: lustre\ncaches: {perf: {size: 10Gi}}\n"
    )
    values = yaml_io.load(proc.stdout)
    assert (values["tier"], values["variant"]) == ("disk", "builtin")
    assert values["caches"]["perf"]["size"] == "10Gi"
    assert values["caches"]["model"]["storageClass"] == "managed-csi-premium"


@pytest.mark.parametrize(
    ("sets", "path", "expected"),
    [
        (
            ["storageClasses.lustre.parameters.zone=2"],
            ["storageClasses", "lustre", "parameters", "zone"],
            "2",
        ),  # a string stays one
        (["caches.model.keep=false"], ["caches", "model", "keep"], False),
        (["caches.model.size=null"], ["caches", "model", "size"], "4Ti"),  # null = the preset again
        (["storageClasses.lustre.mountOptions=[noatime]"], ["storageClasses", "lustre", "mountOptions"], ["noatime"]),
    ],
)
def test_set_reads_values_by_their_schema_type(sets: list[str], path: list[str], expected: object) -> None:
    args = ["--tier", "lustre"] + [a for s in sets for a in ("--set", s)]
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    node = yaml_io.load(proc.stdout)
    for part in path:
        node = node[part]
    assert node == expected


@pytest.mark.parametrize("bad", ["novalue", "=x", "a..b=1"])
def test_set_without_a_path_is_a_usage_error(bad: str) -> None:
    proc = run("--set", bad)
    assert proc.returncode == 2 and "PATH=VALUE" in proc.stderr and "Traceback" not in proc.stderr


def test_same_input_same_bytes() -> None:
    assert run("--tier", "lustre").stdout == run("--tier", "lustre").stdout


def test_output_file_written_and_never_clobbered(tmp_path: Path) -> None:
    out = tmp_path / "values.yaml"
    assert run("--tier", "disk", "-o", str(out)).returncode == 0
    first = out.read_text()
    assert yaml_io.load(first)["tier"] == "disk"
    # an invalid run leaves the file exactly as it was
    bad = run("--tier", "disk", "--model-size", "1Ti", "--strict", "-o", str(out))
    assert bad.returncode == 1 and out.read_text() == first
    # a different valid run refuses to replace it without --force
    refused = run("--tier", "files", "-o", str(out))
    assert refused.returncode == 1 and "--force" in refused.stderr and out.read_text() == first
    assert run("--tier", "files", "-o", str(out), "--force").returncode == 0
    assert yaml_io.load(out.read_text())["tier"] == "files"
    assert (tmp_path / "values.yaml.bak").read_text() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["values.yaml", "values.yaml.bak"]


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: d / "missing.yaml", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "bin.yaml", b"\x00\x01\x02"), "binary"),
        (lambda d: _write(d / "latin1.yaml", b"tier: caf\xe9\n"), "not UTF-8"),
        (lambda d: _write(d / "arr.json", b"[1, 2]"), "is a list"),
        (lambda d: _write(d / "dup.json", b'{"tier": "disk", "tier": "files"}'), "duplicate key"),
        (lambda d: _write(d / "bad.json", b'{"tier": '), "invalid JSON"),
        (lambda d: _write(d / "big.yaml", b"# x\n" * 300_000), "larger than"),
    ],
)
def test_unreadable_input_is_one_clear_error(tmp_path: Path, make, fragment: str) -> None:
    path = make(tmp_path)
    proc = run("validate", str(path))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}::$: error: ") and fragment in proc.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_json_format_lists_every_problem_sorted(tmp_path: Path) -> None:
    spec = _write(tmp_path / "s.yaml", b"tier: lustr\ncaches: {model: {size: 10 gigs, colour: red}}\n")
    proc = run("validate", "--format", "json", str(spec))
    assert proc.returncode == 1
    report = json.loads(proc.stdout)  # the report is validate's output
    assert report["status"] == "invalid"
    items = report["problems"]
    assert [i["path"] for i in items] == sorted(i["path"] for i in items)
    assert {i["path"] for i in items} == {"$.tier", "$.caches.model.size", "$.caches.model.colour"}
    assert all(set(i) == {"file", "path", "level", "rule", "message", "hint"} for i in items)
    assert {i["rule"] for i in items} == {"schema"}


# Every command that reports problems: one JSON document on stdout, in one shape.
JSON_COMMANDS = [
    (["--tier", "lustre"], 0, True),
    (["--tier", "lustre", "--set", "caches.model.size=1Ti", "--model-size", "2TB"], 0, True),  # a warning
    (["--set", "caches.perf.accessModes=[ReadWriteAll]"], 1, False),
    (["snippet", "--tier", "files"], 0, True),
    (["validate", "-"], 0, False),
    (["wire", "-", "--tier", "files"], 1, False),  # stdin holds no Dynamo object
]


@pytest.mark.parametrize(("args", "code", "has_output"), JSON_COMMANDS, ids=lambda v: str(v)[:30])
def test_every_command_reports_json_on_stdout_in_one_shape(args: list[str], code: int, has_output: bool) -> None:
    head, rest = (args[:1], args[1:]) if args[0] in ("snippet", "validate", "wire") else ([], args)
    proc = run(*head, "--format", "json", *rest, stdin="tier: files\n")
    assert proc.returncode == code, proc.stderr
    report = json.loads(proc.stdout)
    assert set(report) == {"status", "problems"} | ({"output"} if has_output else set())
    assert report["status"] == ("ok" if code == 0 else "invalid")
    for item in report["problems"]:
        assert set(item) == {"file", "path", "level", "rule", "message", "hint"} and item["rule"], item


def test_validate_says_ok_for_a_valid_file(tmp_path: Path) -> None:
    spec = _write(tmp_path / "s.yaml", b"tier: lustre\n")
    proc = run("validate", str(spec))
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr == f"ok: {spec} (tier lustre, variant dynamic)\n"


def test_validate_accepts_its_own_output(tmp_path: Path) -> None:
    for tier in ("lustre", "disk", "files", "blob", "local"):
        out = tmp_path / f"{tier}.yaml"
        assert run("--tier", tier, "-o", str(out)).returncode == 0
        proc = run("validate", "--strict", str(out))
        assert proc.returncode == 0, proc.stderr


def test_from_lists_claims_a_tier_change_would_need_to_migrate(tmp_path: Path) -> None:
    old = tmp_path / "installed.yaml"
    assert run("--tier", "disk", "-o", str(old)).returncode == 0
    same = run("--tier", "disk", "--from", str(old))
    assert same.returncode == 0 and same.stderr == ""
    changed = run("--tier", "lustre", "--from", str(old))
    assert changed.returncode == 0 and yaml_io.load(changed.stdout)["tier"] == "lustre"
    flagged = {line.split("::", 1)[1].split(":", 1)[0] for line in changed.stderr.splitlines()}
    assert "$.caches.model.storageClass" in flagged and "$.caches.model.accessModes" in flagged
    assert all("a new name and copy the data across" in line for line in changed.stderr.splitlines())
    assert run("--tier", "lustre", "--from", str(old), "--strict").returncode == 1
    missing = run("--tier", "lustre", "--from", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1 and "(--from): no such file" in missing.stderr
