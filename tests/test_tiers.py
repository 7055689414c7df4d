"""Every tier and variant (catalog.yaml `tiers`), rendered by both Helm versions from
`gen-values --tier T --variant V`: complete, valid objects, only allow-listed driver
parameters, the tuned mount options, Retain where data must survive, and static
volumes bound to exactly their claim."""

from __future__ import annotations

import functools
import json
import re

import kubernetes_validate
import pytest

import genvalues
import helmtool
import yaml_io
from dynamo_cache import resolve
from dynamo_cache.catalog import CATALOG, TIERS
from dynamo_cache.model import pattern_hints

# What a static variant needs from the user (README, per-tier sections).
INPUTS = {
    ("lustre", "static"): {"staticVolumes": {"lustre": {"mgsIpAddress": "10.0.0.4", "subDir": "models"}}},
    ("blob", "static"): {
        "staticVolumes": {
            "blob": {"storageAccount": "dynamocache", "containerName": "models", "secretName": "blob-account-key"}
        }
    },
}
CASES = [(tier, variant) for tier in TIERS for variant in CATALOG["tiers"][tier]["variants"]]
IDS = [f"{t}-{v}" for t, v in CASES]


@functools.cache  # one process per tier and variant, shared by the tests
def gen_values(tier: str, variant: str) -> str:
    spec = {"tier": tier, "variant": variant, **INPUTS.get((tier, variant), {})}
    return genvalues.values("--spec", "-", stdin=json.dumps(spec))


def render(tier: str, variant: str, version: str = "helm4") -> helmtool.Run:
    return helmtool.template(version, gen_values(tier, variant))


def expected_caches(tier: str, variant: str) -> dict[str, resolve.Cache]:
    spec = {"tier": tier, "variant": variant, **INPUTS.get((tier, variant), {})}
    return resolve.caches(resolve.values_of(spec))


@pytest.mark.parametrize(("tier", "variant"), CASES, ids=IDS)
def test_helm3_and_helm4_render_the_same_objects(tier: str, variant: str) -> None:
    assert render(tier, variant, "helm3").docs == render(tier, variant, "helm4").docs


@pytest.mark.parametrize(("tier", "variant"), CASES, ids=IDS)
def test_objects_pass_kubernetes_validate_strict(tier: str, variant: str) -> None:
    for doc in render(tier, variant).docs:
        for k8s in ("1.29", "1.37"):
            kubernetes_validate.validate(doc, k8s, strict=True)


@pytest.mark.parametrize(("tier", "variant"), CASES, ids=IDS)
def test_claims_are_what_the_catalog_says(tier: str, variant: str) -> None:
    claims = render(tier, variant).kinds("PersistentVolumeClaim")
    want = expected_caches(tier, variant)
    assert sorted(claims) == sorted(c.name for c in want.values())
    for c in want.values():
        spec = claims[c.name]["spec"]
        assert spec["storageClassName"] == ("" if c.static else c.storage_class)
        assert spec["accessModes"] == c.access_modes
        assert spec["resources"]["requests"]["storage"] == c.size
        kept = claims[c.name]["metadata"].get("annotations", {}).get("helm.sh/resource-policy") == "keep"
        assert kept == c.keep


def chart_class_profile(name: str) -> str:
    (profile,) = [
        p for p, info in CATALOG["chartClasses"].items() if name == f"dynamo-cache.default.{info['nameSuffix']}"
    ]
    return profile


@pytest.mark.parametrize(("tier", "variant"), CASES, ids=IDS)
def test_chart_classes_emit_only_allow_listed_parameters(tier: str, variant: str) -> None:
    classes = render(tier, variant).kinds("StorageClass")
    used = {c.chart_class for c in expected_caches(tier, variant).values() if c.chart_class}
    assert {chart_class_profile(name) for name in classes} == used
    for name, sc in classes.items():
        profile = CATALOG["chartClasses"][chart_class_profile(name)]
        allowed = profile["parameters"]
        assert set(sc["parameters"]) <= set(allowed), profile["source"]
        assert {k for k, v in allowed.items() if v.get("required")} <= set(sc["parameters"])
        for key, value in sc["parameters"].items():
            assert "enum" not in allowed[key] or value in allowed[key]["enum"]
        assert sc["provisioner"] == CATALOG["drivers"][profile["driver"]]["provisioner"]
        assert sc["reclaimPolicy"] == "Retain"  # every chart class holds a kept cache in the presets
        assert sc["volumeBindingMode"] == profile["volumeBindingMode"]
        assert sc["allowVolumeExpansion"] == profile["allowVolumeExpansion"]
        assert sc.get("mountOptions", [])[: len(profile["mountOptions"])] == profile["mountOptions"]


def test_tuned_mount_options() -> None:
    nfs = render("files", "nfs").kinds("StorageClass")["dynamo-cache.default.files-nfs"]
    assert {"nconnect=4", "actimeo=30", "rsize=1048576", "wsize=1048576"} <= set(nfs["mountOptions"])
    assert nfs["parameters"] == {"skuName": "Premium_LRS", "protocol": "nfs"}
    smb = render("files", "smb").kinds("StorageClass")["dynamo-cache.default.files-smb"]
    assert {"uid=1000", "gid=0", "mfsymlinks", "actimeo=30"} <= set(smb["mountOptions"])
    fuse = render("blob", "fuse").kinds("StorageClass")["dynamo-cache.default.blob-fuse"]["mountOptions"]
    assert {"--block-cache", "--block-cache-block-size=16", "--block-cache-pool-size=4096"} <= set(fuse)
    # a class's options are shared by all its volumes: no disk cache directory there
    assert not [o for o in fuse if o.startswith(("--block-cache-path", "--block-cache-disk-size"))]
    v2 = render("disk", "premium-v2").kinds("StorageClass")["dynamo-cache.default.disk-premium-v2"]
    assert v2["parameters"] == {
        "skuName": "PremiumV2_LRS",
        "cachingMode": "None",
        "DiskIOPSReadWrite": "5000",
        "DiskMBpsReadWrite": "600",
    }
    assert v2["volumeBindingMode"] == "WaitForFirstConsumer"
    lustre = render("lustre", "dynamic").kinds("StorageClass")["dynamo-cache.default.lustre"]
    assert lustre["mountOptions"] == ["noatime", "flock"] and lustre["volumeBindingMode"] == "Immediate"


def test_block_cache_is_sized_by_values(helm_version: str) -> None:
    values = yaml_io.dump(
        {
            "tier": "blob",
            "storageClasses": {"blobFuse": {"blockCache": {"poolSizeMB": 16384, "diskSizeMB": 0, "path": "/mnt/x"}}},
        }
    )
    (sc,) = helmtool.template(helm_version, values).kinds("StorageClass").values()
    assert "--block-cache-pool-size=16384" in sc["mountOptions"]
    assert not [o for o in sc["mountOptions"] if o.startswith(("--block-cache-path", "--block-cache-disk-size"))]


@pytest.mark.parametrize(("tier", "kind"), [("lustre", "lustre"), ("blob", "blob")])
def test_static_volume_is_bound_to_exactly_its_claim(tier: str, kind: str) -> None:
    run = render(tier, "static")
    (pv,) = run.kinds("PersistentVolume").values()
    claim = run.kinds("PersistentVolumeClaim")["model-cache"]
    assert pv["metadata"]["name"] == "dynamo-cache.default.model-cache"
    assert claim["spec"]["volumeName"] == pv["metadata"]["name"]
    assert pv["spec"]["claimRef"] == {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "namespace": "default",
        "name": "model-cache",
    }
    assert pv["spec"]["storageClassName"] == claim["spec"]["storageClassName"] == ""
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"  # a kept claim keeps its volume
    assert pv["spec"]["accessModes"] == claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pv["spec"]["csi"]["driver"] == CATALOG["staticVolumes"][kind]["provisioner"]
    assert not run.kinds("StorageClass")


def test_static_lustre_attributes() -> None:
    pv = next(iter(render("lustre", "static").kinds("PersistentVolume").values()))
    # no fs-name: the node plugin always mounts <mgs-ip>@tcp:/lustrefs (azurelustre-csi-driver nodeserver.go)
    assert pv["spec"]["csi"]["volumeAttributes"] == {"mgs-ip-address": "10.0.0.4", "sub-dir": "models"}
    assert pv["spec"]["mountOptions"] == ["noatime", "flock"]


def test_static_blob_credentials_by_reference(helm_version: str) -> None:
    by_secret = next(iter(render("blob", "static", helm_version).kinds("PersistentVolume").values()))["spec"]["csi"]
    assert by_secret["nodeStageSecretRef"] == {"name": "blob-account-key", "namespace": "default"}
    assert by_secret["volumeAttributes"] == {
        "storageAccount": "dynamocache",
        "containerName": "models",
        "protocol": "fuse2",
    }
    values = yaml_io.dump(
        {
            "tier": "blob",
            "variant": "static",
            "staticVolumes": {
                "blob": {
                    "storageAccount": "acct",
                    "containerName": "models",
                    "protocol": "nfs",
                    "resourceGroup": "rg",
                    "clientID": "11111111-2222-3333-4444-555555555555",
                }
            },
        }
    )
    pv = next(iter(helmtool.template(helm_version, values).kinds("PersistentVolume").values()))
    assert "nodeStageSecretRef" not in pv["spec"]["csi"]
    assert pv["spec"]["csi"]["volumeAttributes"]["AzureStorageAuthType"] == "MSI"
    assert pv["spec"]["csi"]["volumeAttributes"]["resourceGroup"] == "rg"
    assert pv["spec"]["mountOptions"] == ["nconnect=4"]  # the NFS profile's, not blobfuse's


def test_values_cannot_hold_a_secret_value() -> None:
    schema = json.loads((helmtool.CHART / "values.schema.json").read_text())
    keys = re.findall(r'"([A-Za-z-]+)": \{', json.dumps(schema, indent=1))
    switches = {"mountWithWorkloadIdentityToken"}  # "true"/"false": use the pod's token, never hold one
    assert not [k for k in keys if re.search(r"(?i)(accountkey|password|token|sas)$", k) and k not in switches]


def test_static_blob_disk_cache_has_a_directory_per_volume(helm_version: str) -> None:
    values = yaml_io.dump(
        {
            "tier": "blob",
            "variant": "static",
            "staticVolumes": {"blob": {"storageAccount": "acct", "containerName": "models", "secretName": "key"}},
            "storageClasses": {"blobFuse": {"blockCache": {"diskSizeMB": 20480}}},
        }
    )
    run = helmtool.template(helm_version, values, "r", "--namespace", "team-a")
    (pv,) = run.kinds("PersistentVolume").values()
    options = pv["spec"]["mountOptions"]
    assert f"--block-cache-path=/mnt/blobfuse2-block-cache/{pv['metadata']['name']}" in options
    assert {"--block-cache-disk-size=20480", "--cleanup-on-start"} <= set(options)


@pytest.mark.parametrize("variant", ["static"])
def test_static_variants_without_their_inputs_fail_in_both_engines(helm_version: str, variant: str) -> None:
    for tier, needed in (("lustre", "mgsIpAddress"), ("blob", "storageAccount")):
        run = helmtool.template(helm_version, f"tier: {tier}\nvariant: {variant}\n")
        assert run.returncode != 0 and f"staticVolumes.{tier}.{needed}" in run.stderr
        proc = genvalues.run("--tier", tier, "--variant", variant)
        assert proc.returncode == 1 and f"$.staticVolumes.{tier}.{needed}: error: required" in proc.stderr


def test_adopt_an_existing_class(helm_version: str) -> None:
    values = yaml_io.dump(
        {"tier": "lustre", "storageClasses": {"lustre": {"create": False, "name": "azurelustre-dynamic"}}}
    )
    run = helmtool.template(helm_version, values)
    assert not run.kinds("StorageClass")
    assert run.kinds("PersistentVolumeClaim")["model-cache"]["spec"]["storageClassName"] == "azurelustre-dynamic"
    unnamed = helmtool.template(
        helm_version, yaml_io.dump({"tier": "lustre", "storageClasses": {"lustre": {"create": False}}})
    )
    assert unnamed.returncode != 0 and "storageClasses.lustre.name" in unnamed.stderr


def test_optional_parameters_pass_through_and_unknown_ones_are_refused(helm_version: str) -> None:
    ok = yaml_io.dump(
        {
            "tier": "lustre",
            "storageClasses": {
                "lustre": {"parameters": {"vnet-name": "aks-vnet", "subnet-name": "lustre", "tags": "team=ml,env=prod"}}
            },
        }
    )
    (sc,) = helmtool.template(helm_version, ok).kinds("StorageClass").values()
    assert sc["parameters"]["tags"] == "team=ml,env=prod" and sc["parameters"]["vnet-name"] == "aks-vnet"
    bad = yaml_io.dump({"storageClasses": {"filesNfs": {"parameters": {"shareName": "one-share-for-all"}}}})
    assert helmtool.template(helm_version, bad).returncode != 0


def test_cluster_scoped_names_follow_the_release_and_its_namespace(helm_version: str) -> None:
    """Helm refuses to adopt an object another release owns: cluster-scoped names carry the
    release and the namespace, so neither another release nor the same release name in
    another namespace shares one."""
    made = 0
    makers = [  # the tiers and variants that make cluster-scoped objects
        (t, v) for t, v in CASES if any({"chartClass", "static"} & set(c) for c in CATALOG["presets"][t][v].values())
    ]
    for tier, variant in makers:
        values = gen_values(tier, variant)
        names = {}
        for release, namespace in (("a", "team-a"), ("a", "team-b")):
            run = helmtool.template(helm_version, values, release, "--namespace", namespace)
            names[release, namespace] = {
                (kind, name) for kind in ("StorageClass", "PersistentVolume") for name in run.kinds(kind)
            }
            assert all(name.startswith(f"{release}.{namespace}.") for _, name in names[release, namespace])
        # each name carries its release and namespace (asserted above), so two releases differ too
        assert not names["a", "team-a"] & names["a", "team-b"], (tier, variant)
        made += len(names["a", "team-a"])
    assert made >= 8  # the test looks at real objects


def test_schema_allow_list_is_the_catalog() -> None:
    schema = json.loads((helmtool.CHART / "values.schema.json").read_text())
    for profile, info in CATALOG["chartClasses"].items():
        props = schema["properties"]["storageClasses"]["properties"][profile]["properties"]["parameters"]
        assert props["additionalProperties"] is False
        assert list(props["properties"]) == list(info["parameters"])


def test_every_pattern_has_a_hint() -> None:
    text = (helmtool.ROOT / "schemas" / "dynamo-cache-spec.schema.json").read_text()
    patterns = {m for m in re.findall(r'"pattern": ("(?:[^"\\]|\\.)*")', text)}
    assert {json.loads(p) for p in patterns} <= set(pattern_hints())


@pytest.mark.parametrize(
    ("variant", "annotation"),
    [("v2", "localdisk.csi.acstor.io/accept-ephemeral-storage"), ("v1", "acstor.azure.com/accept-ephemeral-storage")],
)
def test_local_claims_carry_their_acstor_annotation(variant: str, annotation: str) -> None:
    claims = render("local", variant).kinds("PersistentVolumeClaim")
    for name in ("compilation-cache", "perf-cache"):
        assert claims[name]["metadata"]["annotations"][annotation] == "true"
    assert annotation not in claims["model-cache"]["metadata"].get("annotations", {})


def test_notes_name_the_static_volume() -> None:
    values = gen_values("lustre", "static")
    assert "model-cache: 4Ti, ReadWriteMany, bound to PersistentVolume r.default.model-cache" in helmtool.notes(values)


# (release, namespace) pairs whose names a hyphen-joined scheme confuses, the same word as
# both, and the longest names Kubernetes allows (a release of 53, a namespace of 63).
TRICKY_PAIRS = [
    ("x", "prod"),
    ("x-dynamo-cache", "prod"),
    ("team-a", "prod"),
    ("team", "a-prod"),
    ("dynamo", "dynamo"),
    ("dynamo-dynamo", "x"),
    ("r" * 53, "n" * 63),
    ("r" * 52, "n" * 63),
]


def test_no_two_releases_share_a_cluster_scoped_name(helm_version: str) -> None:
    """Every class and volume name of every pair differs from every other pair's, is a valid
    DNS subdomain, and is what gen-values (resolve.class_name) says it is."""
    values = "tier: lustre\nvariant: static\nstaticVolumes: {lustre: {mgsIpAddress: 10.0.0.4}}\n"
    owner: dict[str, tuple[str, str]] = {}
    subdomain = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    for release, namespace in TRICKY_PAIRS:
        names = []
        for doc_values in (values, "tier: files\n"):
            run = helmtool.template(helm_version, doc_values, release, "--namespace", namespace)
            names += list(run.kinds("StorageClass")) + list(run.kinds("PersistentVolume"))
        expected = resolve.class_name("filesNfs", release, namespace, resolve.values_of({"tier": "files"}))
        assert expected in names
        for name in names:
            assert len(name) <= 253 and subdomain.match(name), name
            assert owner.setdefault(name, (release, namespace)) == (release, namespace), (name, owner[name])
