"""The library entry points the CLI calls: load + validate + build, no printing."""

from __future__ import annotations

from typing import Any, BinaryIO, NamedTuple

from . import loader, rules, schema_check
from . import problems as P
from .catalog import CATALOG
from .resolve import SPEC_ONLY_KEYS


class Result(NamedTuple):
    source: str
    spec: dict[str, Any] | None
    problems: list[P.Problem]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not P.has_errors(self.problems)


def load_spec(name: str | None, overrides: dict[str, Any], stdin: BinaryIO | None = None) -> Result:
    """Read spec file `name` (None = empty spec, "-" = stdin), apply `overrides`
    (flags win over the file), validate it structurally, then semantically."""
    source = name or "<flags>"
    document: dict[str, Any] = {}
    if name is not None:
        try:
            document = loader.load_mapping(name, stdin, SPEC_ONLY_KEYS)
        except loader.InputError as exc:
            return Result(source, None, [P.Problem(exc.path, P.ERROR, str(exc), "", "input")])
    wrong = _wrong_file(document)
    if wrong:
        return Result(source, None, [P.Problem("$", P.ERROR, *wrong, "wrongFile")])
    spec = _apply(document, overrides)
    tier = overrides.get("tier")
    if tier in CATALOG["tiers"] and "variant" not in overrides and spec.get("variant"):
        if spec["variant"] not in CATALOG["tiers"][tier]["variants"]:
            del spec["variant"]  # the file's variant was its own tier's: the new tier's default applies
    return check_document(spec, source)


def _wrong_file(document: dict[str, Any]) -> tuple[str, str] | None:
    """(message, hint) for a file that is not a spec or values of this chart at all."""
    kind = document.get("kind")
    if isinstance(kind, str) and "apiVersion" in document:
        if kind in ("DynamoGraphDeployment", "DynamoGraphDeploymentRequest"):
            return (
                f"this is a {kind} (Dynamo's object), not values for the dynamo-cache chart",
                "wire the caches into it: gen-values wire FILE --spec VALUES --in-place",
            )
        return (
            f"this is a Kubernetes {kind} manifest, not values for the dynamo-cache chart",
            "give the values file (gen-values --tier TIER -o values.yaml writes one)",
        )
    if isinstance(document.get("lustre"), dict) and "storageClass" in document["lustre"]:
        return (
            "these are values for dynamo-cache 0.1.0: lustre.storageClass is now storageClasses.lustre (skuName and "
            "zone under its parameters, as sku-name and zone)",
            "write them anew: gen-values --tier lustre --lustre-sku SKU --zone ZONE -o values.yaml",
        )
    return None


def check_document(spec: dict[str, Any], source: str = "<spec>") -> Result:
    """Validate a spec mapping structurally (schema), then semantically (rules)."""
    found = schema_check.check(spec, schema_check.load_spec_schema())
    if found:
        return Result(source, None, P.sort(found))
    return Result(source, spec, P.sort(rules.check(spec)))


def against_existing(result: Result, existing_values: str) -> Result:
    """Add migration warnings for upgrading the release whose values are in
    `existing_values` to `result.spec` (a tier change is the usual cause)."""
    old = load_spec(existing_values, {})
    if old.spec is None:
        return Result(
            result.source,
            result.spec,
            P.sort(
                result.problems + [p._replace(message=f"{existing_values} (--from): {p.message}") for p in old.problems]
            ),
        )
    assert result.spec is not None
    return Result(result.source, result.spec, P.sort(result.problems + rules.migration(old.spec, result.spec)))


def tier_and_variant(spec: dict[str, Any]) -> tuple[str, str]:
    """The spec's tier and variant, the defaults filled in."""
    tier = spec.get("tier") or CATALOG["defaultTier"]
    return tier, spec.get("variant") or CATALOG["tiers"][tier]["defaultVariant"]


# Flags (their option names without --) that apply to one tier only.
TIER_FLAGS = {"lustre_sku": "lustre", "zone": "lustre"}


def flags_for_another_tier(result: Result, given: list[str]) -> str | None:
    """Why flags given for one tier do not fit the spec's tier, or None."""
    if result.spec is None or not given:
        return None
    tier, _ = tier_and_variant(result.spec)
    wrong = [flag for flag in given if TIER_FLAGS[flag] != tier]
    if not wrong:
        return None
    names, home = " and ".join(f"--{flag.replace('_', '-')}" for flag in wrong), TIER_FLAGS[wrong[0]]
    return f"{names} apply to tier {home}; the tier is {tier}: add --tier {home}, or leave them out"


def set_value(path: str, text: str) -> Any:
    """The value of `--set path=text`: the text itself where the spec schema wants a
    string there (so zone=2 stays "2"), else the text read as YAML (true, 8192, [a])."""
    schema: Any = schema_check.load_spec_schema()
    for part in path.split("."):
        schema = schema.get("properties", {}).get(part, {})
    declared = schema.get("type", [])
    types = {declared} if isinstance(declared, str) else set(declared)
    if "string" in types and not (text == "null" and "null" in types):
        return text
    document = loader.parse_text(f"value: {text}" if text else "value:")
    return document["value"] if isinstance(document, dict) else text


def _apply(document: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Dotted override keys ("lustre.storageClass.zone") set into a copy of document."""
    spec = dict(document)
    for dotted, value in overrides.items():
        node = spec
        *parents, leaf = dotted.split(".")
        for part in parents:
            child = node.get(part)
            child = dict(child) if isinstance(child, dict) else {}
            node[part] = child
            node = child
        node[leaf] = value
    return spec


def generate(result: Result) -> str:
    from . import values  # not at import: validate never writes values

    assert result.spec is not None
    return values.render(result.spec, result.source)
