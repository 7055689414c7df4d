"""Rules that know Azure storage: checked on the preset-merged caches, each
number from the catalog (data/catalog.yaml, which cites a public source for each).
The chart's `dynamo-cache.validate` helper enforces the error rules it can."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import quantity
from .catalog import CATALOG
from .model import fill, pattern
from .problems import ERROR, WARNING, Problem, nearest
from .resolve import Cache, caches, downloads, lustre_sku, values_of

SHARED_MODES = {"ReadWriteMany", "ReadOnlyMany"}
MANY_WRITER_CACHES = {"compilation", "perf"}  # the model cache is written once, by the download job


def _p(key: str, leaf: str, level: str, message: str, hint: str = "", rule: str = "") -> Problem:
    return Problem(f"$.caches.{key}.{leaf}", level, message, hint, rule)


def _say(rule: str, **fields: object) -> tuple[str, str, str]:
    """(message, hint, rule) of a rule both engines apply: catalog.yaml ruleMessages.<rule>
    with its {fields} filled, the words the chart's dynamo-cache.say prints too."""
    words = CATALOG["ruleMessages"][rule]
    return fill(words["message"], fields), fill(words.get("hint", ""), fields), rule


@dataclass
class Checked:
    """What every rule reads: the spec, its values and their caches, resolved once."""

    spec: dict[str, Any]
    values: dict[str, Any]
    resolved: dict[str, Cache] = field(default_factory=dict)

    @property
    def rendered(self) -> list[Cache]:
        return [c for c in self.resolved.values() if c.rendered]


def _access_modes(ctx: Checked) -> Iterator[Problem]:
    for c in ctx.rendered:
        yield from _access_modes_of(c, ctx.values)


def _access_modes_of(c: Cache, values: dict[str, Any]) -> Iterator[Problem]:
    if not c.driver:
        return
    driver = CATALOG["drivers"][c.driver]
    if c.volume_mode == "Block" and not driver["blockAllowed"]:
        yield _p(c.key, "volumeMode", ERROR, *_say("blockMode", storageClass=c.storage_class, title=driver["title"]))
    if c.volume_mode == "Block" and c.driver == "disk":
        shared = sorted(SHARED_MODES & set(c.access_modes))
        shares = int(_chart_parameters(c, values).get("maxShares", "1"))
        if shared and (c.storage_class in CATALOG["classes"] or (c.chart_class and shares < 2)):
            rule = "sharedDisk" if c.chart_class else "sharedDiskOwnClass"
            words = _say(rule, mode=shared[0], storageClass=c.storage_class, profile=c.chart_class)
            yield _p(c.key, "accessModes", ERROR, *words)
        return
    for index, mode in enumerate(c.access_modes):
        if mode not in driver["accessModes"]:  # a driver that limits modes says why (catalog modeLimit)
            limit = driver["modeLimit"]
            words = _say("accessMode", storageClass=c.storage_class, title=driver["title"], mode=mode, **limit)
            yield _p(c.key, f"accessModes[{index}]", ERROR, *words)
    if (
        c.driver == "blob"
        and c.key in MANY_WRITER_CACHES
        and "ReadWriteMany" in c.access_modes
        and _protocol(c, values) != "nfs"
    ):
        yield _p(
            c.key,
            "accessModes",
            WARNING,
            f"{c.storage_class} mounts with blobfuse: several writers on one file corrupt it",
            "use azureblob-nfs-premium (NFSv3) or tier files for a cache many workers write",
            rule="blobfuseManyWriters",
        )


def _chart_parameters(c: Cache, values: dict[str, Any]) -> dict[str, str]:
    return values["storageClasses"][c.chart_class]["parameters"] if c.chart_class else {}


def _protocol(c: Cache, values: dict[str, Any]) -> str:
    if c.static:
        return str(values["staticVolumes"][c.static].get("protocol", ""))
    return str(
        _chart_parameters(c, values).get("protocol") or CATALOG["classes"].get(c.storage_class, {}).get("protocol", "")
    )


def _variant(ctx: Checked) -> Iterator[Problem]:
    values = ctx.values
    tier, variant = values["tier"], values.get("variant", "")
    allowed = list(CATALOG["tiers"][tier]["variants"])
    if variant and variant not in allowed:
        near = nearest(variant, allowed)
        default = CATALOG["tiers"][tier]["defaultVariant"]
        message, hint, rule = _say("variant", tier=tier, variant=variant, allowed=", ".join(allowed), default=default)
        yield Problem("$.variant", ERROR, message, f"did you mean {near!r}? or {hint}" if near else hint, rule)


def _chart_class_setup(ctx: Checked) -> Iterator[Problem]:
    values = ctx.values
    for profile_name in sorted({c.chart_class for c in ctx.rendered if c.chart_class}):
        sc = values["storageClasses"][profile_name]
        path = f"$.storageClasses.{profile_name}"
        if values["scope"] == "namespace" and not sc["name"]:
            yield Problem(f"{path}.name", ERROR, *_say("namespaceClass"))
        elif not sc["create"] and not sc["name"]:
            yield Problem(f"{path}.name", ERROR, *_say("noClassName"))
        sku = str(sc["parameters"].get("skuName", ""))
        for key, spec in CATALOG["chartClasses"][profile_name]["parameters"].items():
            value = sc["parameters"].get(key)
            if "range" in spec and value is not None:
                low, high = spec["range"]
                if not low <= int(value) <= high:
                    words = _say("parameterRange", value=value, low=low, high=high)
                    yield Problem(f"{path}.parameters.{key}", ERROR, *words)
            if spec.get("premiumV2Only") and value and not sku.startswith("PremiumV2_"):
                yield Problem(f"{path}.parameters.{key}", ERROR, *_say("premiumV2Only", sku=sku))
        if profile_name == "blobFuse" and sc["blockCache"]["diskSizeMB"]:
            yield Problem(f"{path}.blockCache.diskSizeMB", ERROR, *_say("blobDiskCache"))


def _block_cache_pool(ctx: Checked) -> Iterator[Problem]:
    """blobfuse2 refuses to mount when its pool cannot hold the blocks it prefetches:
    max(11, 2 x vCPUs) of them (azure-storage-fuse component/block_cache/block_cache.go)."""
    values = ctx.values
    fuse = values["staticVolumes"]["blob"]["protocol"] != "nfs"
    if not any(c.chart_class == "blobFuse" or (c.static == "blob" and fuse) for c in ctx.rendered):
        return
    bc = values["storageClasses"]["blobFuse"]["blockCache"]
    floor = max(11, 2 * bc["maxNodeVCPUs"]) * bc["blockSizeMB"]
    if bc["poolSizeMB"] < floor:
        words = _say(
            "blockCachePool", pool=bc["poolSizeMB"], vcpus=bc["maxNodeVCPUs"], block=bc["blockSizeMB"], floor=floor
        )
        yield Problem("$.storageClasses.blobFuse.blockCache.poolSizeMB", ERROR, *words)


def _static_setup(ctx: Checked) -> Iterator[Problem]:
    for c in ctx.rendered:
        if c.static:
            yield from _static_setup_of(c, ctx.values)


def _static_setup_of(c: Cache, values: dict[str, Any]) -> Iterator[Problem]:
    volume = values["staticVolumes"][c.static]
    path = f"$.staticVolumes.{c.static}"
    if values["scope"] == "namespace":  # the platform team's release holds the volume's facts
        if not volume["name"]:
            yield Problem(f"{path}.name", ERROR, *_say("namespaceVolume", cache=c.key))
        return
    title = CATALOG["drivers"][c.driver]["title"]
    for field_name in CATALOG["staticVolumes"][c.static]["required"]:
        if not volume[field_name]:
            yield Problem(f"{path}.{field_name}", ERROR, *_say("staticRequired", cache=c.key, title=title))
    if c.static == "blob" and volume["protocol"] != "nfs" and bool(volume["secretName"]) == bool(volume["clientID"]):
        yield Problem(f"{path}.secretName", ERROR, *_say("blobCredential"))


COMMIT = re.compile(pattern("commitSha"))


def _download(ctx: Checked) -> Iterator[Problem]:
    values, model = ctx.values, ctx.resolved["model"]
    d = values["modelDownload"]
    if not d["enabled"]:
        return
    if values["scope"] == "cluster":
        yield Problem("$.modelDownload.enabled", ERROR, *_say("downloadInClusterScope"))
    wanted = downloads(values)
    if not wanted:
        yield Problem("$.modelDownload.model", ERROR, *_say("downloadModel"))
    if not (model.enabled or model.existing_claim):
        yield Problem("$.modelDownload.enabled", ERROR, *_say("downloadNoCache"))
    for m in wanted:
        if not COMMIT.match(m["revision"]):
            given = f'"{m["revision"]}"' if m["revision"] else "empty (main)"
            level = ERROR if d["requireCommit"] else WARNING
            yield Problem(f"{m['path']}.revision", level, *_say("downloadRevision", given=given))


def _sizes(ctx: Checked) -> Iterator[Problem]:
    for c in ctx.rendered:
        yield from _sizes_of(c, ctx.values)


def _sizes_of(c: Cache, values: dict[str, Any]) -> Iterator[Problem]:
    if not c.size:
        return
    size = quantity.parse(c.size)
    if c.chart_class == "lustre":
        sku_name = values["storageClasses"]["lustre"]["parameters"]["sku-name"]
        lustre = lustre_sku(values)
        step = lustre["incrementTiB"] * quantity.TiB
        real = max(lustre["minTiB"] * quantity.TiB, quantity.ceil_div(size, step) * step)
        if size > lustre["maxTiB"] * quantity.TiB:
            yield _p(c.key, "size", ERROR, *_say("lustreMax", size=c.size, sku=sku_name, max=lustre["maxTiB"]))
        elif real != size:
            tib = real / quantity.TiB
            yield _p(
                c.key,
                "size",
                WARNING,
                f"{c.size} on {sku_name} is rounded up: Azure creates and bills {quantity.human(real)} "
                f"({tib * lustre['mbpsPerTiB']:,.0f} MB/s)",
                f"request {quantity.human(real)} so the claim says what you pay for",
                rule="lustreRounded",
            )
    info = CATALOG["classes"].get(c.storage_class, {})
    sku = _chart_parameters(c, values).get("skuName") or info.get("sku", "")
    floor = (
        "premiumV2MinSize" if sku.startswith("PremiumV2_") else "premiumMinSize" if sku.startswith("Premium_") else None
    )  # SSD shares have a size floor
    if c.driver == "files" and floor:
        minimum = quantity.parse(CATALOG["drivers"]["files"][floor])
        if size < minimum:
            yield _p(
                c.key,
                "size",
                WARNING,
                f"{c.size} on {sku} Azure Files is raised to {quantity.human(minimum)} (and billed as such)",
                f"request {quantity.human(minimum)}",
                rule="filesMinimum",
            )
    driver = CATALOG["drivers"].get(c.driver or "", {})
    if "maxSize" in driver:  # the storage's largest size
        limit = (
            driver["maxSizePremiumV2"]
            if sku.startswith("PremiumV2") and "maxSizePremiumV2" in driver
            else driver["maxSize"]
        )
        if size > quantity.parse(limit):
            yield _p(c.key, "size", ERROR, *_say("sizeMax", size=c.size, title=driver["title"], limit=limit))


def _classes(ctx: Checked) -> Iterator[Problem]:
    declared = set(ctx.spec.get("existingStorageClasses") or [])
    for c in ctx.rendered:
        yield from _classes_of(c, declared)


def _classes_of(c: Cache, declared: set[str]) -> Iterator[Problem]:
    name = c.storage_class
    if c.chart_class or c.static or name in ("", "-") or name in declared:
        return
    if name in CATALOG["notClasses"]:
        yield _p(
            c.key,
            "storageClass",
            ERROR,
            f"{name!r} is {CATALOG['notClasses'][name]['message']}",
            "if you created it yourself, list it in existingStorageClasses",
            rule="notAClass",
        )
        return
    info = CATALOG["classes"].get(name)
    if info is None:
        near = nearest(name, sorted(CATALOG["classes"]))
        hint = f"did you mean {near!r}? " if near else ""
        yield _p(
            c.key,
            "storageClass",
            WARNING,
            f"{name!r} is not an AKS built-in class nor one this chart creates",
            hint + "list classes that exist in your cluster in existingStorageClasses",
            rule="unknownClass",
        )
    elif not info["builtin"] and not c.class_from_preset:
        yield _p(
            c.key,
            "storageClass",
            WARNING,
            f"{name!r} exists only after extra setup ({CATALOG['drivers'][info['driver']]['title']})",
            "see docs/tiers.md for this tier; list it in existingStorageClasses once it exists",
            rule="classNeedsSetup",
        )


def _duplicate_claims(ctx: Checked) -> Iterator[Problem]:
    resolved = ctx.resolved
    seen: dict[str, str] = {}
    for c in resolved.values():
        if c.rendered and c.name in seen:
            yield _p(c.key, "name", ERROR, *_say("duplicateClaim", name=c.name, other=seen[c.name]))
        elif c.rendered:
            seen[c.name] = c.key


def _alert_thresholds(ctx: Checked) -> Iterator[Problem]:
    alerts = ctx.values["metrics"]["prometheusRule"]["alerts"]
    for name in ("usage", "inodes"):
        alert = alerts[name]
        if alert["warning"] >= alert["critical"]:
            words = _say("alertThresholds", warning=alert["warning"], critical=alert["critical"])
            yield Problem(f"$.metrics.prometheusRule.alerts.{name}.warning", ERROR, *words)


def _relative_sizes(ctx: Checked) -> Iterator[Problem]:
    resolved, spec = ctx.resolved, ctx.spec
    model = resolved["model"]
    if not (model.rendered and model.size):
        return
    model_bytes = quantity.parse(model.size)
    for key in ("compilation", "perf"):
        c = resolved[key]
        if c.rendered and c.size and quantity.parse(c.size) > model_bytes:
            yield _p(
                key,
                "size",
                WARNING,
                f"{c.size} is larger than the model cache ({model.size})",
                "compiled artifacts and benchmark data are usually much smaller than the weights",
                rule="largerThanModel",
            )
    if spec.get("modelSize"):
        needed = quantity.ceil_div(quantity.parse_model_size(spec["modelSize"]) * 6, 5)  # 20% room
        if model_bytes < needed:
            yield _p(
                "model",
                "size",
                WARNING,
                f"{model.size} is too small for a {spec['modelSize']} model (needs about "
                f"{quantity.human(needed)} with 20% room for download temp files)",
                f"request at least {quantity.human(needed)}",
                rule="modelCacheTooSmall",
            )


@dataclass(frozen=True)
class Rule:
    """One rule: its function (`rules._<name>`, the chart's twin `dynamo-cache.rules.<name>`
    in templates/_validate.tpl), the rule ids its problems carry (catalog.yaml ruleMessages
    keys, or its own), the case folders under tests/cases that show it, and, for a rule the
    chart cannot hold, why."""

    check: Callable[[Checked], Iterable[Problem]]
    ids: tuple[str, ...]
    cases: tuple[str, ...]
    gen_values_only: str = ""

    @property
    def name(self) -> str:
        return self.check.__name__.removeprefix("_")


# Every rule, once. The variant comes first: the presets, and so every other rule, depend on
# it. The chart runs the twinned ones in this order (catalog `chartRules`, generated).
RULES = (
    Rule(_variant, ("variant",), ("variant-not-in-tier",)),
    Rule(_duplicate_claims, ("duplicateClaim",), ("duplicate-claim-names", "duplicate-claim-name-three-caches")),
    Rule(
        _chart_class_setup,
        ("namespaceClass", "noClassName", "parameterRange", "premiumV2Only", "blobDiskCache"),
        (
            "namespace-scope-needs-class-name",
            "class-not-created-and-not-named",
            "diskv2-mbps-out-of-range",
            "files-provisioned-iops-on-v1",
            "blobfuse-disk-cache-on-class",
        ),
    ),
    Rule(
        _access_modes,
        ("blockMode", "sharedDisk", "sharedDiskOwnClass", "accessMode", "blobfuseManyWriters"),
        (
            "blob-block",
            "disk-block-rwx-chart-class",
            "disk-block-rwx-builtin-class",
            "disk-filesystem-rwx",
            "blobfuse-many-writers",
        ),
    ),
    Rule(
        _sizes,
        ("lustreMax", "lustreRounded", "filesMinimum", "sizeMax"),
        ("lustre-above-sku-maximum", "lustre-rounded-up", "files-premium-below-minimum", "disk-above-maximum"),
    ),
    Rule(
        _static_setup,
        ("namespaceVolume", "staticRequired", "blobCredential"),
        ("namespace-scope-needs-volume-name", "static-lustre-without-its-address", "blob-static-two-credentials"),
    ),
    Rule(_block_cache_pool, ("blockCachePool",), ("blobfuse-pool-below-floor",)),
    Rule(
        _download,
        ("downloadInClusterScope", "downloadModel", "downloadNoCache", "downloadRevision"),
        (
            "cluster-scope-download",
            "download-model-missing",
            "download-without-a-model-cache",
            "download-branch-when-a-commit-is-required",
        ),
    ),
    Rule(_alert_thresholds, ("alertThresholds",), ("alert-warning-not-below-critical",)),
    Rule(
        _classes,
        ("notAClass", "unknownClass", "classNeedsSetup"),
        ("seed-local-ephemeral-not-a-class", "class-typo", "local-tier-class-needs-setup"),
        "whether a class exists is a fact of the cluster: the chart's preflight checks it online",
    ),
    Rule(
        _relative_sizes,
        ("largerThanModel", "modelCacheTooSmall"),
        ("compilation-larger-than-model", "model-too-small-for-model"),
        "modelSize is a spec fact, not a chart value (and it only warns)",
    ),
)


def check(spec: dict[str, Any]) -> list[Problem]:
    """Every semantic problem of a schema-valid spec (or values file): each rule of RULES."""
    ctx = Checked(spec, values_of(spec))
    problems = list(RULES[0].check(ctx))
    if problems:
        return problems  # the presets depend on the variant
    ctx.resolved = caches(ctx.values, spec.get("release", "dynamo-cache"), spec.get("namespace") or "default")
    for rule in RULES[1:]:
        problems += rule.check(ctx)
    return problems


def _quoted_class(name: str) -> str:
    return '""' if name == "-" else f'"{name}"'  # "-" is storageClassName ""


def migration(old_spec: dict[str, Any], new_spec: dict[str, Any]) -> list[Problem]:  # twin of _guard.tpl
    """Warnings for claims an upgrade from `old_spec` to `new_spec` cannot change in
    place (PVC specs are immutable except a size increase): each needs a migration."""
    release = new_spec.get("release", old_spec.get("release", "dynamo-cache"))
    namespace = new_spec.get("namespace") or old_spec.get("namespace") or "default"
    old = caches(values_of(old_spec), release, namespace)
    new = caches(values_of(new_spec), release, namespace)
    problems = []
    for key, after in new.items():
        before = old[key]
        if not (before.rendered and after.rendered and before.name == after.name):
            continue
        changes = [  # shown as the chart's guard shows the live claim's values
            (leaf, b, a)
            for leaf, b, a in (
                ("storageClass", _quoted_class(before.storage_class), _quoted_class(after.storage_class)),
                ("accessModes", ",".join(before.access_modes), ",".join(after.access_modes)),
                ("volumeMode", before.volume_mode, after.volume_mode),
            )
            if b != a and not (leaf == "storageClass" and after.storage_class == "")  # "" = keep the cluster's
        ]
        if before.size and after.size and quantity.parse(after.size) < quantity.parse(before.size):
            changes.append(("size", before.size, after.size))
        why = CATALOG["ruleMessages"]["claimChange"]["why"]
        for leaf, b, a in changes:
            words = _say("claimChange", name=after.name, leaf=leaf, have=b, want=a, why=why[leaf], cache=key)
            problems.append(_p(key, leaf, WARNING, *words))
    return problems
