"""Every outcome is what it says: a values file fed back means what it meant, "ok" only
for what was checked, any number in any field gets that field's message, a flag given
over a spec does what the flag says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import helmtool
import yaml_io
from dynamo_cache import schema_check
from dynamo_cache.cli import main
from genvalues import cli_runner, run

# Numbers of every form YAML allows, as a user may type them, in every field.
ODD_NUMBERS = ["1e99999", "-.inf", ".nan", "1_000", "0.0000000000000000000000000000000000001", "0x1F", "-0"]
# And of every length: 4,301 digits is one past Python's limit for converting an integer to
# text. Put in one field of each kind of leaf (the messages depend on the field's schema,
# not its name); the case folders hold a field of 100,000 digits.
LONG_NUMBERS = [
    "9" * 4_301,
    "-" + "9" * 5_000,
    "0x" + "f" * 5_000,
    '"' + "9" * 4_301 + 'Gi"',
    '"' + "1" * 5_000 + '.5GB"',
]


def leaves(schema: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    out: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    for key, child in schema.get("properties", {}).items():
        out += leaves(child, (*path, key)) if child.get("properties") else [((*path, key), child)]
    return out


def one_leaf_of_each_kind() -> list[tuple[str, ...]]:
    """A leaf for each distinct schema a leaf has, but its words."""
    kinds: dict[str, tuple[str, ...]] = {}
    for path, schema in leaves(schema_check.load_spec_schema()):
        shape = {k: v for k, v in schema.items() if k not in ("description", "default", "examples")}
        kinds.setdefault(json.dumps(shape, sort_keys=True), path)
    return list(kinds.values())


def document(text: str, paths: list[tuple[str, ...]]) -> str:
    """A YAML spec setting every leaf in `paths` to `text`, as written."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = None

    def lines(node: dict[str, Any], indent: int) -> list[str]:
        out = []
        for key, value in node.items():
            if value is None:
                out.append(f"{' ' * indent}{key}: {text}")
            else:
                out += [f"{' ' * indent}{key}:", *lines(value, indent + 2)]
        return out

    return "\n".join(lines(tree, 0)) + "\n"


@pytest.mark.parametrize(
    ("number", "where"),
    [(n, "every") for n in ODD_NUMBERS] + [(n, "kinds") for n in LONG_NUMBERS],
    ids=lambda v: v[:12],
)
def test_any_number_in_any_field_gets_the_fields_message(number: str, where: str) -> None:
    """Exit 1 with one bounded line per field, never an internal error (exit 70)."""
    every = [path for path, _ in leaves(schema_check.load_spec_schema())]
    paths = every if where == "every" else one_leaf_of_each_kind()
    result = cli_runner().invoke(main, ["--spec", "-"], input=document(number, paths))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("-::$.") and len(line) < 600 for line in lines), lines[:3]


def test_a_values_file_fed_back_keeps_its_release_and_namespace(tmp_path: Path) -> None:
    values = tmp_path / "rel.yaml"
    assert run("--tier", "lustre", "--release", "llm", "--namespace", "dynamo", "-o", str(values)).returncode == 0
    env = {"HELM": helmtool.binaries()["helm4"], "PATH": "/usr/bin:/bin"}
    manifests = run("--spec", str(values), "--manifests", env=env)
    assert manifests.returncode == 0, manifests.stderr
    docs = [d for d in yaml_io.load_all(manifests.stdout) if d]
    classes = [d["metadata"]["name"] for d in docs if d["kind"] == "StorageClass"]
    assert classes == ["llm.dynamo.lustre"]
    assert {d["metadata"]["namespace"] for d in docs if d["kind"] == "PersistentVolumeClaim"} == {"dynamo"}
    # the flags still win over the file
    other = run("--spec", str(values), "--namespace", "prod", "--manifests", env=env)
    assert "llm.prod.lustre" in other.stdout


def test_validate_live_never_says_ok_when_nothing_was_checked(tmp_path: Path) -> None:
    values = tmp_path / "rel.yaml"
    run("--tier", "lustre", "--release", "llm", "--namespace", "dynamo", "-o", str(values))
    helm = helmtool.binaries()["helm4"]
    # no -n: the file's namespace; no --release: the file's release
    proc = run("validate", "--live", "--kubeconfig", str(tmp_path / "missing"), "--helm", helm, str(values))
    assert proc.returncode == 3, proc.stderr
    assert "ok:" not in proc.stderr
    assert "valid, live release llm NOT checked" in proc.stderr


def test_a_tier_flag_over_a_spec_resets_a_variant_the_new_tier_lacks(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("tier: lustre\nvariant: dynamic\n")
    values = yaml_io.load(run("--spec", str(spec), "--tier", "disk").stdout)
    assert (values["tier"], values["variant"]) == ("disk", "premium")  # disk's default
    spec.write_text("tier: disk\nvariant: builtin\n")
    kept = yaml_io.load(run("--spec", str(spec), "--tier", "files").stdout)
    assert (kept["tier"], kept["variant"]) == ("files", "builtin")  # files has it too: the file's choice stands


def test_output_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "typo" / "values.yaml"
    proc = run("--tier", "files", "-o", str(target))
    assert proc.returncode == 1
    assert f"folder {tmp_path / 'typo'} does not exist" in proc.stderr
    assert not (tmp_path / "typo").exists()


def test_a_helm_that_prints_nothing_is_named(tmp_path: Path) -> None:
    proc = run("--tier", "files", "--manifests", "--helm", "/bin/false")
    assert proc.returncode == 1
    assert "/bin/false exited 1 and printed nothing" in proc.stderr


def test_the_readmes_platform_class_is_the_one_the_chart_makes() -> None:
    """README, Shared clusters: the team's command names the class the platform install makes."""
    import re

    readme = (helmtool.ROOT / "README.md").read_text()
    install = re.search(r"helm install (\S+) \./charts/dynamo-cache -n (\S+) --set scope=cluster", readme)
    named = re.search(r"--set storageClasses\.filesNfs\.name=(\S+)", readme)
    assert install and named
    release, namespace = install.groups()
    made = helmtool.template("helm4", "scope: cluster\n", release, "-n", namespace).kinds("StorageClass")
    assert list(made) == [named.group(1)]
