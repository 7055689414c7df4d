"""One set of rules, two engines: gen-values (generator/dynamo_cache/rules.py) and the
chart (templates/_validate.tpl). Every rule is either twinned, its template part naming
it, or listed as gen-values-only with the reason; and a differential property test
gives both engines the same random values and wants the same verdict, the same paths
and the same words (both fill catalog.yaml's ruleMessages)."""

from __future__ import annotations

import inspect
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helmtool
import yaml_io
from dynamo_cache import api, live, rules
from dynamo_cache.catalog import CATALOG, TIERS

VALIDATE = (helmtool.CHART / "templates" / "_validate.tpl").read_text()
GUARD = (helmtool.CHART / "templates" / "_guard.tpl").read_text()


def test_every_rule_is_in_the_registry_twinned_or_saying_why_not() -> None:
    """rules.RULES is the one list: check() runs it, the chart runs its twinned part (the
    generated catalog's chartRules), each twin is a template of the rule's name, and a
    gen-values-only rule gives its reason."""
    names = [rule.name for rule in rules.RULES]
    assert len(names) == len(set(names)) and names[0] == "variant"
    twinned = [rule.name for rule in rules.RULES if not rule.gen_values_only]
    for name in twinned:
        assert f'define "dynamo-cache.rules.{name}"' in VALIDATE, f"rules._{name} has no twin in _validate.tpl"
    assert CATALOG_TPL_RULES() == twinned[1:]  # what dynamo-cache.validate runs, after the variant
    assert all(len(rule.gen_values_only) > 30 for rule in rules.RULES if rule.gen_values_only)
    defined = set(re.findall(r'define "dynamo-cache\.rules\.([a-z_]+)"', VALIDATE))
    assert defined == set(twinned)  # no template without its rule


def CATALOG_TPL_RULES() -> list[str]:  # noqa: N802
    import json

    text = (helmtool.CHART / "templates" / "_catalog.tpl").read_text()
    body = text.split('define "dynamo-cache.catalog.json" -}}\n', 1)[1].split("\n{{- end", 1)[0]
    return list(json.loads(body)["chartRules"])


def test_each_rules_ids_and_cases_are_its_own() -> None:
    """Every problem's rule id belongs to one rule, and each rule's case folders show it."""
    from pathlib import Path

    owner = {rule_id: rule.name for rule in rules.RULES for rule_id in rule.ids}
    assert len(owner) == sum(len(rule.ids) for rule in rules.RULES)  # an id has one rule
    words = set(CATALOG["ruleMessages"]) - {"claimChange"}  # claimChange: the upgrade guard's (rules.migration)
    assert words <= set(owner), words - set(owner)
    cases = Path(__file__).parent / "cases"
    for rule in rules.RULES:
        assert rule.cases, rule.name
        for case in rule.cases:
            folder = cases / "invalid" / case if (cases / "invalid" / case).is_dir() else cases / "valid" / case
            found = api.load_spec(str(folder / "spec.yaml"), {}).problems
            assert {p.rule for p in found} & set(rule.ids), (rule.name, case, [p.rule for p in found])


TWINNED_PATHS = ("$.caches", "$.storageClasses", "$.staticVolumes", "$.variant", "$.modelDownload")
sizes = st.sampled_from(["50Gi", "100Gi", "4Ti", "40Ti", "100Ti", "200Ti", "70000Gi", "200000Gi"])
cache = st.fixed_dictionaries(
    {},
    optional={
        "size": sizes,
        "accessModes": st.sampled_from([["ReadWriteOnce"], ["ReadWriteMany"], ["ReadOnlyMany"], ["ReadWriteOncePod"]]),
        "volumeMode": st.sampled_from(["Filesystem", "Block"]),
        "name": st.sampled_from(["model-cache", "shared-name"]),
    },
)
values_strategy = st.fixed_dictionaries(
    {"tier": st.sampled_from(TIERS)},
    optional={
        "variant": st.sampled_from(["", "static", "builtin", "premium-v2", "nfs", "fuse", "v1", "dynamic"]),
        "scope": st.sampled_from(["release", "namespace", "cluster"]),
        "caches": st.fixed_dictionaries({}, optional={k: cache for k in CATALOG["caches"]}),
        "storageClasses": st.fixed_dictionaries(
            {},
            optional={
                "diskPremium": st.fixed_dictionaries(
                    {},
                    optional={
                        "parameters": st.fixed_dictionaries({}, optional={"maxShares": st.sampled_from(["1", "2"])})
                    },
                ),
                "diskPremiumV2": st.fixed_dictionaries(
                    {},
                    optional={
                        "parameters": st.fixed_dictionaries(
                            {}, optional={"DiskMBpsReadWrite": st.sampled_from(["600", "4000"])}
                        )
                    },
                ),
                "filesNfs": st.fixed_dictionaries(
                    {},
                    optional={
                        "parameters": st.fixed_dictionaries(
                            {},
                            optional={
                                "skuName": st.sampled_from(["Premium_LRS", "PremiumV2_LRS"]),
                                "provisionedIops": st.sampled_from(["5000"]),
                            },
                        )
                    },
                ),
                "blobFuse": st.fixed_dictionaries(
                    {},
                    optional={
                        "blockCache": st.fixed_dictionaries(
                            {},
                            optional={
                                "poolSizeMB": st.sampled_from([1024, 4096]),
                                "diskSizeMB": st.sampled_from([0, 1000]),
                            },
                        )
                    },
                ),
            },
        ),
        "staticVolumes": st.fixed_dictionaries(
            {},
            optional={
                "lustre": st.fixed_dictionaries({}, optional={"mgsIpAddress": st.sampled_from(["", "10.0.0.4"])})
            },
        ),
        "modelDownload": st.fixed_dictionaries(
            {"enabled": st.booleans()}, optional={"model": st.sampled_from(["", "Qwen/Qwen3-0.6B"])}
        ),
    },
)


def chart_problems(values: dict[str, Any]) -> set[tuple[str, str, str]] | None:
    """(path, message, hint) of each problem the chart's validation reports (read as
    `validate --live` reads them), or None when the chart renders."""
    run = helmtool.template("helm4", yaml_io.dump(values))
    if run.returncode == 0:
        return None
    found = {(p.path, p.message, p.hint) for p in live.chart_problems(run.stderr)}
    assert found or "values don't meet the specifications" in run.stderr, run.stderr  # a schema refusal
    return found


# Each example renders with helm: a sixth of the profile's examples (33 in CI, 500 with
# --hypothesis-profile=fresh, which found the last disagreement).
@settings(
    deadline=None,
    max_examples=max(20, settings.default.max_examples // 6),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(values_strategy)
def test_both_engines_give_the_same_verdict_paths_and_words(values: dict[str, Any]) -> None:
    result = api.check_document(values)
    errors = [p for p in result.problems if p.level == "error" and p.path.startswith(TWINNED_PATHS)]
    reported = chart_problems(values)
    if result.spec is None:  # refused by the schema: the chart's schema refuses it too
        assert reported is not None, values
        return
    assert {(path, message) for path, message, _ in reported or set()} == {(p.path, p.message) for p in errors}, (
        values,
        result.problems,
    )
    for path, message, hint in reported or set():
        # the same hint; gen-values may put a did-you-mean before it
        assert any(p.path == path and p.message == message and p.hint.endswith(hint) for p in errors), (path, hint)


def test_every_rule_message_is_used_by_both_engines() -> None:
    python = inspect.getsource(rules)
    for key in CATALOG["ruleMessages"]:
        assert f'"{key}"' in python, f"rules.py never says ruleMessages.{key}"
        assert f'"{key}"' in VALIDATE + GUARD, f"the chart never says ruleMessages.{key}"
