"""Random specs and random garbage: every run ends in valid values that pass the
chart's schema (and helm template, for a sample), or a clean exit 1."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helmtool
import yaml_io
from dynamo_cache import fastcheck, model, schema_check
from dynamo_cache.catalog import ACCESS_MODES, CACHE_KEYS, CATALOG, TIERS, VARIANTS
from dynamo_cache.cli import main
from genvalues import cli_runner

CHART_SCHEMA = json.loads((helmtool.CHART / "values.schema.json").read_text())  # as Helm reads it
EXPANDED_CHART_SCHEMA = model.chart_schema()  # the same, its shared leaves written out: what fastcheck reads
sizes = st.one_of(
    st.sampled_from(["1Gi", "50Gi", "100Gi", "4Ti", "200Ti", "1.5Ti", "500G", "0", "-1Gi", "10 gigs"]),
    st.from_regex(r"\A[0-9]{1,5}(Gi|Ti|G)?\Z"),
    st.integers(),
    st.none(),
)
classes = st.one_of(
    st.sampled_from(sorted(CATALOG["classes"]) + ["", "-", "local-ephemeral", "Bad_Class"]),
    st.text(max_size=12),
    st.none(),
)
cache = st.fixed_dictionaries(
    {},
    optional={
        "size": sizes,
        "storageClass": classes,
        "accessModes": st.one_of(st.none(), st.lists(st.sampled_from(ACCESS_MODES + ["ReadWriteAll"]), max_size=3)),
        "volumeMode": st.sampled_from(["Filesystem", "Block", "block"]),
        "keep": st.one_of(st.booleans(), st.none(), st.text(max_size=3)),
        "enabled": st.booleans(),
        "name": st.sampled_from(["model-cache", "perf-cache", "x", "Bad Name"]),
        "existingClaim": st.sampled_from(["", "mine"]),
    },
)
specs = st.fixed_dictionaries(
    {},
    optional={
        "tier": st.one_of(st.sampled_from(TIERS), st.text(max_size=8)),
        "variant": st.one_of(st.sampled_from(["", *VARIANTS]), st.text(max_size=8)),
        "staticVolumes": st.fixed_dictionaries(
            {},
            optional={
                "lustre": st.fixed_dictionaries(
                    {}, optional={"mgsIpAddress": st.sampled_from(["10.0.0.4", "", "1.2.3"])}
                ),
                "blob": st.fixed_dictionaries(
                    {},
                    optional={
                        "storageAccount": st.sampled_from(["acct", "", "A"]),
                        "containerName": st.sampled_from(["models", ""]),
                        "secretName": st.sampled_from(["key", ""]),
                    },
                ),
            },
        ),
        "storageClasses": st.fixed_dictionaries(
            {},
            optional={
                "lustre": st.fixed_dictionaries(
                    {},
                    optional={
                        "create": st.booleans(),
                        "name": st.sampled_from(["", "mine"]),
                        "parameters": st.dictionaries(
                            st.sampled_from(["zone", "sku-name", "bogus"]),
                            st.sampled_from(["1", "", "AMLFS-Durable-Premium-40"]),
                            max_size=2,
                        ),
                    },
                ),
                "diskPremiumV2": st.fixed_dictionaries(
                    {},
                    optional={
                        "parameters": st.dictionaries(
                            st.sampled_from(["DiskMBpsReadWrite", "DiskIOPSReadWrite"]),
                            st.sampled_from(["0", "50", "5000", "x"]),
                            max_size=2,
                        )
                    },
                ),
            },
        ),
        "caches": st.fixed_dictionaries({}, optional={k: cache for k in CACHE_KEYS}),
        "modelSize": st.sampled_from(["140GB", "65Gi", "1TB"]),
        "release": st.sampled_from(["dynamo-cache", "prod", "Bad_Release"]),
    },
)
garbage = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)

SAMPLED: list[str] = []


SPEC_SCHEMA = json.loads((helmtool.ROOT / "schemas" / "dynamo-cache-spec.schema.json").read_text())


def same_verdict(document: Any) -> None:
    """fastcheck (the fast path) and jsonschema agree on both schemas."""
    for schema in (SPEC_SCHEMA, EXPANDED_CHART_SCHEMA):
        assert fastcheck.valid(document, schema) == schema_check.validator_class()(schema).is_valid(document), document


def check(document: Any) -> None:
    same_verdict(document)
    text = yaml_io.dump(document) if not isinstance(document, bytes) else document.decode("utf-8", "replace")
    result = cli_runner().invoke(main, ["--spec", "-"], input=text, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.stdout == "" and "<stdin>::$" in result.stderr.replace("-::$", "<stdin>::$")
        return
    values = yaml_io.load(result.stdout)
    jsonschema.Draft7Validator(CHART_SCHEMA).validate(values)
    assert fastcheck.valid(values, EXPANDED_CHART_SCHEMA)
    if len(SAMPLED) < 8:  # helm is slow: render a sample of the valid outputs
        SAMPLED.append(result.stdout)
        for version in helmtool.VERSIONS:
            run = helmtool.template(version, result.stdout)
            assert run.returncode == 0, run.stderr


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def random_specs(spec: dict[str, Any]) -> None:
    check(spec)


def test_random_specs() -> None:
    SAMPLED.clear()
    random_specs()
    assert SAMPLED, "no random spec was valid: the strategy tests nothing but errors"


@settings(deadline=None)
@given(st.one_of(garbage, st.binary(max_size=64)))
def test_random_garbage(document: Any) -> None:
    check(document)


def test_fast_check_agrees_on_every_case_spec() -> None:
    from dynamo_cache import loader

    specs = sorted((helmtool.ROOT / "tests" / "cases").glob("*/*/spec.yaml"))
    checked = 0
    for path in specs:
        try:
            document = loader.load_mapping(str(path))
        except loader.InputError:
            continue
        same_verdict(document)
        checked += 1
    assert checked > 40


yaml_data = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
    max_leaves=12,
)


@settings(deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), yaml_data, max_size=4))
def test_values_text_round_trips(data: dict[str, Any]) -> None:
    from dynamo_cache import yamltext

    assert yaml_io.load(yamltext.dump(data, {}, ["header"])) == (data or None)


yaml_fragments = st.sampled_from(
    [
        "tier",
        "lustre",
        ":",
        ": ",
        " ",
        "  ",
        "\n",
        "- ",
        "#",
        " #",
        "[",
        "]",
        "{",
        "}",
        ",",
        "'",
        '"',
        "\\",
        "100Gi",
        "1.5",
        "1e3",
        "0x1F",
        "0o7",
        "true",
        "yes",
        "on",
        "null",
        "~",
        "2026-01-01",
        "23:30",
        "&a",
        "*a",
        "!!str",
        "|",
        ">",
        "---",
        "10.0.0.4",
        "$.path",
        "a b",
        "-1",
        "007",
        "\t",
        "é",
        "key",
        "caches",
        "model",
        "size",
    ]
)


@settings(deadline=None)
@given(st.lists(yaml_fragments, max_size=30).map("".join))
def test_fast_yaml_reads_what_ruamel_reads_or_hands_it_over(text: str) -> None:
    """fastyaml gives ruamel.yaml's answer, or none: never a different one."""
    from dynamo_cache import fastyaml

    try:
        fast = fastyaml.load(text)
    except fastyaml.Unsupported:
        return
    assert fast == yaml_io.load(text), text


@settings(deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), yaml_data, max_size=4))
def test_fast_yaml_reads_every_values_file_we_write(data: dict[str, Any]) -> None:
    from dynamo_cache import fastyaml, yamltext

    text = yamltext.dump(data, {}, ["header"])
    try:
        fast = fastyaml.load(text)
    except fastyaml.Unsupported:
        return
    assert fast == (data or None)


def test_fast_yaml_takes_the_common_files() -> None:
    """The fast path is used: every values file gen-values writes for a tier, and the
    case specs, parse without ruamel.yaml."""
    from dynamo_cache import fastyaml

    texts = [cli_runner().invoke(main, ["--tier", t]).stdout for t in TIERS]
    texts += [p.read_text() for p in (helmtool.ROOT / "tests" / "cases" / "valid").glob("*/spec.yaml")]
    taken = 0
    for text in texts:
        try:
            assert fastyaml.load(text) == yaml_io.load(text)
            taken += 1
        except fastyaml.Unsupported:
            pass
    assert taken >= len(texts) - 3, taken
