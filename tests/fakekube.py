"""A minimal Kubernetes API server on 127.0.0.1 for what real helm (and our own tools)
read: discovery, and GET of the objects a test puts in `objects`. Every request is
recorded, so a test can say which objects a render read; an unknown path answers 404
like the API server, and a path in `forbidden` answers 403 with the API server's
message, as RBAC does for a user with rights in one namespace only.

It serves plain HTTP, which client-go accepts for an http:// server in a kubeconfig."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from localserver import LocalServer

CORE_RESOURCES = [
    ("persistentvolumeclaims", "PersistentVolumeClaim", True),
    ("persistentvolumes", "PersistentVolume", False),
    ("namespaces", "Namespace", False),
    ("nodes", "Node", False),
    ("secrets", "Secret", True),
    ("pods", "Pod", True),
    ("events", "Event", True),
]
GROUPS = {
    "storage.k8s.io": [("storageclasses", "StorageClass", False), ("csidrivers", "CSIDriver", False)],
    "batch": [("jobs", "Job", True)],
    "networking.k8s.io": [("networkpolicies", "NetworkPolicy", True)],
    "apiextensions.k8s.io": [("customresourcedefinitions", "CustomResourceDefinition", False)],
    "authorization.k8s.io": [("selfsubjectaccessreviews", "SelfSubjectAccessReview", False)],
}


PLURALS = {plural for resources in (CORE_RESOURCES, *GROUPS.values()) for plural, _kind, _ns in resources}


def _resource_list(group_version: str, resources: list[tuple[str, str, bool]]) -> dict[str, Any]:
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": [
            {
                "name": name,
                "singularName": "",
                "namespaced": namespaced,
                "kind": kind,
                "verbs": ["get", "list", "create", "update", "patch", "delete"],
            }
            for name, kind, namespaced in resources
        ],
    }


def discovery(served: dict[str, list[tuple[str, str, bool]]] = GROUPS) -> dict[str, Any]:
    groups = [
        {
            "name": g,
            "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
            "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"},
        }
        for g in served
    ]
    paths: dict[str, Any] = {
        "/version": {"major": "1", "minor": "36", "gitVersion": "v1.36.0", "platform": "linux/amd64"},
        "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
        "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups},
        "/api/v1": _resource_list("v1", CORE_RESOURCES),
    }
    for group, resources in served.items():
        paths[f"/apis/{group}/v1"] = _resource_list(f"{group}/v1", resources)
    return paths


def path_of(kind: str, name: str = "", namespace: str = "") -> str:
    """The REST path of an object (or a collection, without name)."""
    for resources, prefix in (
        (CORE_RESOURCES, "/api/v1"),
        *(([r], f"/apis/{g}/v1") for g, rs in GROUPS.items() for r in rs),
    ):
        for plural, k, namespaced in resources:
            if k == kind:
                where = f"{prefix}/namespaces/{namespace}" if namespaced else prefix
                return f"{where}/{plural}" + (f"/{name}" if name else "")
    raise KeyError(kind)


class FakeKube(LocalServer):
    """`extra_groups`: API groups discovery serves too (as an installed CRD adds them), {group: resources}."""

    def __init__(self, extra_groups: dict[str, list[tuple[str, str, bool]]] | None = None) -> None:
        self.objects: dict[str, Any] = {}
        self.forbidden: set[str] = set()
        self.denied: set[tuple[str, str]] = set()  # (verb, resource) a SelfSubjectAccessReview refuses
        self.requests: list[str] = []
        paths = discovery({**GROUPS, **(extra_groups or {})})
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = self.path.split("?", 1)[0]
                fake.requests.append(path)
                if path in paths:
                    return self._send(200, paths[path])
                if path in fake.forbidden:
                    return self._send(
                        403,
                        {
                            "kind": "Status",
                            "apiVersion": "v1",
                            "status": "Failure",
                            "code": 403,
                            "reason": "Forbidden",
                            "message": f"{path} is forbidden",
                        },
                    )
                if path in fake.objects:
                    return self._send(200, fake.objects[path])
                if path.rsplit("/", 1)[-1] in PLURALS:  # a collection: the objects under it
                    items = [o for p, o in fake.objects.items() if p.rsplit("/", 1)[0] == path]
                    return self._send(200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": items})
                self._send(
                    404,
                    {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "status": "Failure",
                        "code": 404,
                        "reason": "NotFound",
                        "message": f"{path} not found",
                    },
                )

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                """SelfSubjectAccessReviews only (kubectl auth can-i). kubectl sends them as
                protobuf; its verb and resource stand in the bytes as plain strings, which is
                all this stand-in reads. The answer is JSON, which kubectl also accepts."""
                path = self.path.split("?", 1)[0]
                fake.requests.append(path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not path.endswith("/selfsubjectaccessreviews"):
                    return self._send(405, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 405})
                allowed = not any(verb.encode() in raw and resource.encode() in raw for verb, resource in fake.denied)
                self._send(
                    201,
                    {
                        "apiVersion": "authorization.k8s.io/v1",
                        "kind": "SelfSubjectAccessReview",
                        "spec": {},
                        "status": {"allowed": allowed},
                    },
                )

            def _send(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)

    def put(self, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        self.objects[path_of(obj["kind"], meta["name"], meta.get("namespace", ""))] = obj

    def kubeconfig(self, directory: Path, namespace: str = "default") -> Path:
        path = directory / "kubeconfig"
        path.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "current-context": "fake",
                    "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
                    "users": [{"name": "fake", "user": {"token": "fake"}}],
                    "contexts": [
                        {"name": "fake", "context": {"cluster": "fake", "user": "fake", "namespace": namespace}}
                    ],
                }
            )
        )
        return path
