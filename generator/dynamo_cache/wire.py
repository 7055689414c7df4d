"""`gen-values wire`: the caches wired into the user's own Dynamo objects, in place of a
hand merge of `snippet`'s YAML.

DynamoGraphDeployments (nvidia.com/v1beta1 `spec.components`, v1alpha1 `spec.services`)
get, per component, exactly what `snippet` describes (snippet.roles: one source); a
DynamoGraphDeploymentRequest (v1beta1) gets `spec.modelCache`, pointing at the snapshot
the download Job fills. Shapes from Dynamo's CRDs (deploy/operator/config/crd/bases in
https://github.com/ai-dynamo/dynamo); the tests validate every wired object against them.

What the user wrote stays as it was: a document that needs no change is copied byte for
byte, one that does is round-tripped by ruamel.yaml with its comments, key order, quoting
and indentation. What is already wired is left alone (running twice changes nothing);
what is wired differently is refused with its JSON path, never overwritten.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from . import snippet
from .catalog import CATALOG
from .problems import ERROR, Problem, json_path
from .resolve import caches, downloads

DGD, DGDR = "DynamoGraphDeployment", "DynamoGraphDeploymentRequest"
WORKER_TYPES = {"worker", "prefill", "decode"}
FRONTEND_TYPES = {"frontend"}
DOCUMENT_START = re.compile(r"^---(?:[ \t].*)?$", re.MULTILINE)
COMMIT = re.compile(r"^[0-9a-f]{40}$")
# vLLM's streaming loader reads a safetensors file with many threads instead of one
# (https://docs.vllm.ai/en/stable/models/extensions/runai_model_streamer/; concurrency 16
# is that page's example); dynamo.vllm passes vLLM's engine arguments through.
FAST_LOAD = ["--load-format", "runai_streamer", "--model-loader-extra-config", '{"concurrency":16}']


@dataclass
class Outcome:
    text: str
    changes: list[str] = field(default_factory=list)  # one line per object wired
    notes: list[str] = field(default_factory=list)  # what the user may still want to do
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass
class Target:
    """What the wiring is for: the release's values and names, and the components chosen."""

    values: dict[str, Any]
    release: str
    namespace: str | None
    frontend: str | None = None  # --frontend NAME
    workers: tuple[str, ...] = ()  # --worker NAME ...
    fast_load: bool = False  # --fast-load: vLLM workers stream their weights


def wire_file(name: str, target: Target) -> Outcome:
    """wire() of file `name` ("-" = stdin); an unreadable file or invalid YAML is a problem."""
    from ruamel.yaml.error import YAMLError

    from . import loader

    try:
        return wire(loader.decode(loader.read_bytes(name)), target, name)
    except loader.InputError as exc:
        return Outcome("", problems=[Problem("$", ERROR, str(exc), "", "input")])
    except YAMLError as exc:
        where = str(exc).strip().splitlines()[-1]
        return Outcome("", problems=[Problem("$", ERROR, f"invalid YAML: {where}", "", "input")])


def split(text: str) -> list[tuple[str, str]]:
    """(separator line, body) per YAML document; a `---` at column 0 always starts one."""
    parts: list[tuple[str, str]] = []
    starts = [m.start() for m in DOCUMENT_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    for index, begin in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[begin:end]
        separator = ""
        if DOCUMENT_START.match(chunk):
            newline = chunk.find("\n")
            separator, chunk = (chunk, "") if newline < 0 else (chunk[: newline + 1], chunk[newline + 1 :])
        parts.append((separator, chunk))
    return parts


def wire(text: str, target: Target, source: str = "-") -> Outcome:
    from ruamel.yaml import YAML

    out: list[str] = []
    outcome = Outcome(text="")
    documents = split(text)
    dynamo_objects = 0
    reader = YAML(typ="safe", pure=True)
    for number, (separator, body) in enumerate(documents):
        where = f"document {number + 1}: " if len(documents) > 1 else ""
        plain = reader.load(body) if body.strip() else None
        kind = plain.get("kind") if isinstance(plain, dict) else None
        if kind not in (DGD, DGDR):
            out.append(separator + body)
            continue
        dynamo_objects += 1
        editor = _Editor(target, where)
        data, dump = _round_trip(body)
        editor.document(data)
        outcome.problems += editor.problems
        outcome.notes += editor.notes
        if editor.changes and not editor.problems:
            outcome.changes.append(f"{where}{kind} {_name(data)}: {'; '.join(editor.changes)}")
            body = dump(data)
        out.append(separator + body)
    if not dynamo_objects:
        outcome.problems.append(
            Problem(
                "$",
                ERROR,
                f"{source} holds no DynamoGraphDeployment or DynamoGraphDeploymentRequest",
                "give the file you `kubectl apply` for your Dynamo deployment",
                "wrongFile",
            )
        )
    outcome.text = "".join(out)
    return outcome


def _name(data: Any) -> str:
    return str((data.get("metadata") or {}).get("name", "(no name)"))


def _round_trip(body: str) -> tuple[Any, Any]:
    """The document as ruamel.yaml's round-trip data, and how to write it back in its own style."""
    import io

    from ruamel.yaml import YAML

    mapping, offset = _style(body)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a line the user wrote on one
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    data = yaml.load(body)

    def dump(changed: Any) -> str:
        stream = io.StringIO()
        yaml.dump(changed, stream)
        return stream.getvalue()

    return data, dump


def _style(body: str) -> tuple[int, int]:
    """(mapping indent, dash offset) the document is written with: a nested key's indent
    under its parent key, and a list's dash column after its key (0: `- ` under the key,
    as kubectl writes; 2: indented). Defaults 2 and 2 where the document shows neither."""
    lines = [line for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    mapping = offset = None
    for above, line in zip(lines, lines[1:], strict=False):
        if not above.rstrip().endswith(":"):
            continue
        stripped = above.lstrip()
        column = len(above) - len(stripped) + (2 if stripped.startswith("- ") else 0)
        indent = len(line) - len(line.lstrip())
        if line.lstrip().startswith("- "):
            offset = indent - column if offset is None and indent >= column else offset
        elif indent > column and mapping is None:
            mapping = indent - column
    return mapping or 2, 2 if offset is None else offset


class _Editor:
    """Wires one document; collects what it changed, what it refused and what to note."""

    def __init__(self, target: Target, where: str) -> None:
        self.target, self.where = target, where
        self.changes: list[str] = []
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.slow_loaders: list[str] = []  # vLLM workers on the default loader (no --fast-load)

    def refuse(self, path: list[Any], message: str, hint: str) -> None:
        self.problems.append(Problem(json_path(path), ERROR, self.where + message, hint, "wireConflict"))

    # -- the document ------------------------------------------------------------------
    def document(self, data: Any) -> None:
        namespace = (data.get("metadata") or {}).get("namespace")
        if namespace and self.target.namespace and namespace != self.target.namespace:
            self.refuse(
                ["metadata", "namespace"],
                f"is {namespace}; the claims of Helm release {self.target.release} are in "
                f"{self.target.namespace}, and a pod mounts claims of its own namespace only",
                f"deploy it in {self.target.namespace}, or wire with --namespace {namespace} for a release there",
            )
            return
        version = str(data.get("apiVersion", "")).split("/")[-1]
        spec = data.get("spec")
        if not isinstance(spec, dict):
            self.refuse(["spec"], "is missing", "a Dynamo object has a spec")
            return
        if data["kind"] == DGDR:
            self.request(spec, version)
        elif version == "v1beta1":
            self.components_v1beta1(spec)
        elif version == "v1alpha1":
            self.services_v1alpha1(spec)
        else:
            self.refuse(["apiVersion"], f"{data.get('apiVersion')} is not known", "nvidia.com/v1beta1 or v1alpha1")
        if self.slow_loaders:
            self.notes.append(
                f"{self.where}{', '.join(self.slow_loaders)} {'load' if len(self.slow_loaders) > 1 else 'loads'} "
                "weights with vLLM's default loader (one thread a "
                "file, the slow part of a cold start from shared storage): wire with --fast-load to stream them"
            )

    def values_for(self, backend: str | None) -> dict[str, Any]:
        values = copy.deepcopy(self.target.values)
        if backend in CATALOG["dynamo"]["backends"]:
            values["dynamo"]["backend"] = backend
        return values

    def chosen(self, entries: list[tuple[str, str]], path: list[Any]) -> dict[str, str]:
        """name -> "frontend" / "worker" for the components to wire, from the flags, else
        from each component's type."""
        names = [name for name, _ in entries]
        if self.target.frontend or self.target.workers:
            picked = {name: "worker" for name in self.target.workers}
            if self.target.frontend:
                picked[self.target.frontend] = "frontend"
            for name in picked:
                if name not in names:
                    flag = "--frontend" if picked[name] == "frontend" else "--worker"
                    self.refuse(path, f"has no component named {name!r} ({flag})", f"components: {', '.join(names)}")
            return {n: r for n, r in picked.items() if n in names}
        picked = {}
        for name, kind in entries:
            if kind in FRONTEND_TYPES:
                picked[name] = "frontend"
            elif kind in WORKER_TYPES:
                picked[name] = "worker"
        if not picked:
            self.refuse(
                path,
                "no component says whether it is a frontend or a worker (type / componentType)",
                "name them: --frontend NAME --worker NAME",
            )
        return picked

    # -- v1beta1 ---------------------------------------------------------------------------
    def components_v1beta1(self, spec: Any) -> None:
        components = spec.get("components")
        if not isinstance(components, list):
            self.refuse(["spec", "components"], "is missing", "a v1beta1 DynamoGraphDeployment lists its components")
            return
        entries = [(str(c.get("name", "")), str(c.get("type", ""))) for c in components]
        picked = self.chosen(entries, ["spec", "components"])
        backend = spec.get("backendFramework") or _backend_of(components)
        values = self.values_for(backend)
        roles, paths = snippet.roles(values, self.target.release), snippet.mount_paths(values)
        for index, component in enumerate(components):
            role = picked.get(str(component.get("name", "")))
            if role is None:
                continue
            path: list[Any] = ["spec", "components", index]
            wired = self.component_v1beta1(component, roles[role], paths, path)
            if role == "worker" and values["dynamo"]["backend"] == "vllm":
                containers = ((component.get("podTemplate") or {}).get("spec") or {}).get("containers") or []
                main: Any = next((c for c in containers if c.get("name") == snippet.MAIN_CONTAINER), {})
                wired += self.fast_load(main, str(component.get("name")))
            if wired:
                self.changes.append(f"{component['name']} ({', '.join(wired)})")

    def component_v1beta1(
        self, component: Any, role: dict[str, Any], paths: dict[str, str], path: list[Any]
    ) -> list[str]:
        wired: list[str] = []
        if role["compilation"]:
            cache = component.get("compilationCache")
            if cache is None:
                component["compilationCache"] = {"pvcName": role["compilation"], "mountPath": paths["compilation"]}
                wired.append(role["compilation"])
            elif cache.get("pvcName") != role["compilation"]:
                self.refuse(
                    [*path, "compilationCache", "pvcName"],
                    f"is {cache.get('pvcName')!r}; the release's compilation cache is claim {role['compilation']}",
                    f"set it to {role['compilation']}, or remove compilationCache and wire again",
                )
        if not (role["mounts"] or role["env"]):
            return wired
        template = _child(component, "podTemplate")
        pod = _child(template, "spec")
        containers = _child(pod, "containers", list)
        main = next((c for c in containers if c.get("name") == snippet.MAIN_CONTAINER), None)
        if main is None:
            main = {"name": snippet.MAIN_CONTAINER}
            containers.append(main)
        index = containers.index(main)
        cpath = [*path, "podTemplate", "spec", "containers", index]
        wired += self.named_entries(main, "env", role["env"], "value", cpath)
        wired += self.mounts(main, "volumeMounts", role["mounts"], "mountPath", cpath)
        wired += self.volumes(pod, role["volumes"], [*path, "podTemplate", "spec"])
        return sorted(set(wired), key=wired.index)

    # -- v1alpha1 --------------------------------------------------------------------------
    def services_v1alpha1(self, spec: Any) -> None:
        services = spec.get("services")
        if not isinstance(services, dict):
            self.refuse(["spec", "services"], "is missing", "a v1alpha1 DynamoGraphDeployment maps its services")
            return
        entries = [(str(name), str((s or {}).get("componentType", ""))) for name, s in services.items()]
        entries = [
            (name, "worker" if kind == "main" and (services[name] or {}).get("subComponentType") else kind)
            for name, kind in entries
        ]
        picked = self.chosen(entries, ["spec", "services"])
        backend = spec.get("backendFramework") or _backend_of([s or {} for s in services.values()])
        values = self.values_for(backend)
        roles, paths = snippet.roles(values, self.target.release), snippet.mount_paths(values)
        claims: list[str] = []
        for name, service in services.items():
            role = picked.get(str(name))
            if role is None:
                continue
            path: list[Any] = ["spec", "services", name]
            wired = self.service_v1alpha1(service, roles[role], paths, path)
            if role == "worker" and values["dynamo"]["backend"] == "vllm":
                main: Any = (service.get("extraPodSpec") or {}).get("mainContainer") or {}
                wired += self.fast_load(main, str(name))
            claims += [v["name"] for v in roles[role]["volumes"] if "persistentVolumeClaim" in v]
            claims += [roles[role]["compilation"]] if roles[role]["compilation"] else []
            if wired:
                self.changes.append(f"{name} ({', '.join(wired)})")
        self.pvcs(spec, sorted(set(claims)))

    def service_v1alpha1(self, service: Any, role: dict[str, Any], paths: dict[str, str], path: list[Any]) -> list[str]:
        claims = {v["name"] for v in role["volumes"] if "persistentVolumeClaim" in v}
        mounts = [{"name": m["name"], "mountPoint": m["mountPath"]} for m in role["mounts"] if m["name"] in claims]
        wired = self.mounts(service, "volumeMounts", mounts, "mountPoint", path)
        if role["compilation"]:
            existing = service.get("volumeMounts") or []
            other = [m for m in existing if m.get("useAsCompilationCache") and m.get("name") != role["compilation"]]
            if other:
                index = existing.index(other[0])
                self.refuse(
                    [*path, "volumeMounts", index, "useAsCompilationCache"],
                    f"makes claim {other[0].get('name')} the compilation cache; the release's is {role['compilation']}",
                    "remove useAsCompilationCache there, or wire with that claim as caches.compilation.existingClaim",
                )
            else:
                entry = {"name": role["compilation"], "mountPoint": paths["compilation"], "useAsCompilationCache": True}
                wired += self.mounts(service, "volumeMounts", [entry], "mountPoint", path)
        wired += self.named_entries(service, "envs", role["env"], "value", path)
        local = [v for v in role["volumes"] if "ephemeral" in v]
        if local:
            extra = _child(service, "extraPodSpec")
            main = _child(extra, "mainContainer")
            local_mounts = [m for m in role["mounts"] if m["name"] not in claims]
            wired += self.mounts(
                main, "volumeMounts", local_mounts, "mountPath", [*path, "extraPodSpec", "mainContainer"]
            )
            wired += self.volumes(extra, local, [*path, "extraPodSpec"])
        return sorted(set(wired), key=wired.index)

    def pvcs(self, spec: Any, claims: list[str]) -> None:
        if not claims:
            return
        entries = _child(spec, "pvcs", list)
        for claim in claims:
            found = next((i for i, e in enumerate(entries) if e.get("name") == claim), None)
            if found is None:
                entries.append({"name": claim, "create": False})
                self.changes.append(f"pvcs ({claim}, create: false)")
            elif entries[found].get("create"):
                self.refuse(
                    ["spec", "pvcs", found, "create"],
                    f"is true for claim {claim}, which Helm release {self.target.release} owns: the operator "
                    "would create it and delete it with the deployment",
                    "set create: false",
                )

    # -- DynamoGraphDeploymentRequest -------------------------------------------------------
    def request(self, spec: Any, version: str) -> None:
        if version != "v1beta1":
            self.refuse(
                ["apiVersion"],
                f"DynamoGraphDeploymentRequest {version} has no spec.modelCache",
                "use apiVersion nvidia.com/v1beta1",
            )
            return
        values = self.target.values
        model = caches(values, self.target.release)["model"]
        if not (model.enabled or model.existing_claim):
            self.refuse(["spec", "modelCache"], "cannot be set: the release has no model cache", "enable caches.model")
            return
        download = values.get("modelDownload") or {}
        want: dict[str, str] = {
            "pvcName": model.existing_claim or model.name,
            "pvcMountPath": snippet.mount_paths(values)["model"],
        }
        wanted = downloads(values) if download.get("enabled") else []
        named = [m for m in wanted if m["model"] == spec.get("model")]
        if not wanted:
            self.notes.append(
                f"{self.where}spec.modelCache.pvcModelPath is not set: the release does not download the model "
                "(modelDownload.enabled); set it to the model's folder inside the claim"
            )
        elif spec.get("model") and not named:
            fills = ", ".join(repr(m["model"]) for m in wanted)
            self.refuse(
                ["spec", "model"],
                f"is {spec['model']!r}; the release's download Job fills the cache with {fills}",
                f"add {spec['model']} to modelDownload.models in the release, or deploy one of those",
            )
            return
        elif not named and len(wanted) > 1:
            self.notes.append(
                f"{self.where}spec.modelCache.pvcModelPath is not set: the release downloads several models; "
                "set spec.model to the one this request deploys and wire again"
            )
        else:
            mine = (named or wanted)[0]
            if COMMIT.match(mine["revision"]):
                repo = "models--" + str(mine["model"]).replace("/", "--")
                want["pvcModelPath"] = f"hub/{repo}/snapshots/{mine['revision']}"
            else:
                self.notes.append(
                    f"{self.where}spec.modelCache.pvcModelPath is not set: {mine['path'].lstrip('$.')}.revision "
                    f"{mine['revision'] or 'main'!r} is a branch, whose snapshot folder is named by the commit "
                    f"it resolves to; pin it to that commit and wire again"
                )
        cache = _child(spec, "modelCache")
        wired = []
        for key, value in want.items():
            if key not in cache:
                cache[key] = value
                wired.append(f"{key} {value}")
            elif cache[key] != value:
                self.refuse(
                    ["spec", "modelCache", key],
                    f"is {cache[key]!r}; the release's model cache gives {value!r}",
                    f"set it to {value!r}, or remove it and wire again",
                )
        if wired:
            self.changes.append(f"modelCache ({', '.join(wired)})")

    def fast_load(self, container: Any, name: str) -> list[str]:
        """With --fast-load, the streaming loader in a vLLM worker's args; without, a hint.
        Args the user wrote are only ever added to, and a --load-format they chose stays."""
        args = container.get("args")
        words = [str(a) for a in args] if isinstance(args, list) else []
        if any(w == "--load-format" or w.startswith("--load-format=") for w in words):
            return []
        if not self.target.fast_load:
            self.slow_loaders.append(name)
            return []
        if not isinstance(args, list):
            self.notes.append(f"{self.where}{name}: no args list to add --load-format runai_streamer to; add it there")
            return []
        args.extend(FAST_LOAD)
        return ["--load-format runai_streamer"]

    # -- shared pieces ---------------------------------------------------------------------
    def named_entries(
        self, parent: Any, key: str, wanted: list[dict[str, Any]], field_: str, path: list[Any]
    ) -> list[str]:
        """Entries matched by name (env): added when missing, refused when different."""
        if not wanted:
            return []
        entries = _child(parent, key, list)
        wired = []
        for entry in wanted:
            found = next((i for i, e in enumerate(entries) if e.get("name") == entry["name"]), None)
            if found is None:
                entries.append(dict(entry))
                wired.append(entry["name"])
            elif entries[found].get(field_) != entry[field_]:
                self.refuse(
                    [*path, key, found, field_],
                    f"{entry['name']} is {entries[found].get(field_)!r}; the caches need {entry[field_]!r}",
                    f"set it to {entry[field_]!r}, or remove it and wire again",
                )
        return wired

    def mounts(self, parent: Any, key: str, wanted: list[dict[str, Any]], at: str, path: list[Any]) -> list[str]:
        """Volume mounts: a cache's name at another path, or its path taken by another volume, is refused."""
        if not wanted:
            return []
        entries = _child(parent, key, list)
        wired = []
        for mount in wanted:
            same_name = next((i for i, e in enumerate(entries) if e.get("name") == mount["name"]), None)
            same_path = next((i for i, e in enumerate(entries) if e.get(at) == mount[at]), None)
            if same_name is not None and entries[same_name].get(at) != mount[at]:
                self.refuse(
                    [*path, key, same_name, at],
                    f"mounts {mount['name']} at {entries[same_name].get(at)}; the caches mount it at {mount[at]}",
                    f"set it to {mount[at]}, or set dynamo.mountPaths in the release to that path",
                )
            elif same_path is not None and entries[same_path].get("name") != mount["name"]:
                self.refuse(
                    [*path, key, same_path, "name"],
                    f"volume {entries[same_path].get('name')} is mounted at {mount[at]}, where the caches mount "
                    f"{mount['name']}",
                    "move that volume, or set dynamo.mountPaths in the release to another path",
                )
            elif same_name is None:
                entries.append(dict(mount))
                wired.append(mount["name"])
        return wired

    def volumes(self, pod: Any, wanted: list[dict[str, Any]], path: list[Any]) -> list[str]:
        if not wanted:
            return []
        entries = _child(pod, "volumes", list)
        wired = []
        for volume in wanted:
            found = next((i for i, e in enumerate(entries) if e.get("name") == volume["name"]), None)
            if found is None:
                entries.append(copy.deepcopy(volume))
                wired.append(volume["name"])
                continue
            have = entries[found]
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim and (have.get("persistentVolumeClaim") or {}).get("claimName") != claim:
                source = (have.get("persistentVolumeClaim") or {}).get("claimName")
                what = f"claim {source}" if source else "no claim (" + ", ".join(k for k in have if k != "name") + ")"
                self.refuse(
                    [*path, "volumes", found],
                    f"volume {volume['name']} points to {what}; the release's is claim {claim}",
                    "rename that volume, or point it at the release's claim",
                )
            elif not claim and "ephemeral" not in have:
                self.refuse(
                    [*path, "volumes", found],
                    f"volume {volume['name']} is not the node-local ephemeral volume the caches need",
                    "rename that volume, or remove it and wire again",
                )
        return wired


def _child(parent: Any, key: str, kind: type = dict) -> Any:
    """parent[key], made empty when missing (null counts as missing)."""
    if parent.get(key) is None:
        parent[key] = kind()
    return parent[key]


def _backend_of(components: list[Any]) -> str | None:
    """The backend a worker runs (`python3 -m dynamo.<backend>`), where the DGD does not say."""
    for component in components:
        pod = (component.get("podTemplate") or {}).get("spec") or component.get("extraPodSpec") or {}
        containers = list(pod.get("containers") or []) + [pod.get("mainContainer") or {}]
        for container in containers:
            words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
            for word in " ".join(words).split():
                if word.startswith("dynamo.") and word[len("dynamo.") :] in CATALOG["dynamo"]["backends"]:
                    return word[len("dynamo.") :]
    return None
