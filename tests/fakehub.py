"""A Hugging Face Hub stand-in on 127.0.0.1 for the real, pinned huggingface_hub
client: the endpoints huggingface_hub 1.33.0 calls for `model_info` and
`snapshot_download` (huggingface_hub/hf_api.py `repo_info`, `list_repo_tree`;
file_download.py `get_hf_file_metadata`, `http_get`), answered as the Hub does:

- GET  /api/models/{repo}/revision/{rev}     repo info with the commit `sha`
- GET  /api/models/{repo}/tree/{sha}         the file listing (LFS files with `lfs`)
- HEAD /{repo}/resolve/{rev}/{path}          small files: 200, ETag = git blob id;
                                             LFS files: 302 to the CDN with X-Linked-Etag/-Size
- GET  the same, and the CDN's /cdn/{sha256} (Range supported)

Errors carry the Hub's X-Error-Code (RepoNotFound, RevisionNotFound, GatedRepo), which
the client turns into its typed exceptions. Failure injection: `break_file` (the CDN
drops the connection half-way through that file, and answers the client's next try
with 503, so one run fails fast), `held_file` (the CDN sends half of that file, then
waits until the test sets `release`, at most 30 s: a download surely in progress) and
`down` (refuse everything: a client that connects shows up in `requests`)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from localserver import LocalServer

LFS_THRESHOLD = 1024  # bytes: larger files are served as LFS through the "CDN"


@dataclass
class Repo:
    files: dict[str, bytes]
    branches: dict[str, str]
    gated: bool = False
    commits: set[str] = field(default_factory=set)  # every commit ever: a branch that moves on keeps its old one

    def __post_init__(self) -> None:
        self.commits |= set(self.branches.values())

    def entry(self, path: str) -> dict[str, Any]:
        data = self.files[path]
        out: dict[str, Any] = {"type": "file", "path": path, "size": len(data), "oid": git_blob_id(data)}
        if len(data) > LFS_THRESHOLD:
            out["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
        return out


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class FakeHub(LocalServer):
    repos: dict[str, Repo]
    token: str = "hf_valid_token"
    break_file: str | None = None
    down: bool = False
    broken: int = 0  # GETs of break_file so far
    held_file: str | None = None
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self) -> None:  # noqa: N802
                hub.handle(self, head=True)

            def do_GET(self) -> None:  # noqa: N802
                hub.handle(self, head=False)

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)

    @property
    def cdn_url(self) -> str:
        """The same server under another host name: the client follows only redirects
        within the Hub's host, and must not for the CDN, as with the real Hub."""
        return f"http://localhost:{self.server.server_address[1]}"

    def gets(self, fragment: str) -> int:
        return sum(1 for method, path in self.requests if method == "GET" and fragment in path)

    # -- routing -----------------------------------------------------------------
    def handle(self, req: BaseHTTPRequestHandler, head: bool) -> None:
        path = unquote(urlsplit(req.path).path)
        self.requests.append(("HEAD" if head else "GET", path))
        if self.down:
            req.close_connection = True
            req.connection.close()  # like a Hub that cannot be reached
            return
        if path.startswith("/cdn/"):
            return self.cdn(req, path[len("/cdn/") :], head)
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "models"] and len(parts) >= 6:
            repo_id, kind, rev = "/".join(parts[2:4]), parts[4], "/".join(parts[5:])
            found = self.repo_at(req, repo_id, rev)
            if found is None:
                return
            repo, sha = found
            if kind == "revision":
                return self.json(
                    req,
                    {
                        "id": repo_id,
                        "modelId": repo_id,
                        "sha": sha,
                        "private": False,
                        "siblings": [{"rfilename": p} for p in sorted(repo.files)],
                    },
                )
            if kind == "tree":
                return self.json(req, [repo.entry(p) for p in sorted(repo.files)])
        if len(parts) >= 5 and parts[2] == "resolve":
            repo_id, rev, file = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
            found = self.repo_at(req, repo_id, rev)
            if found is None:
                return
            repo, sha = found
            if file not in repo.files:
                return self.error(req, 404, "EntryNotFound", f"{file} does not exist")
            entry = repo.entry(file)
            headers = {"X-Repo-Commit": sha}
            if "lfs" in entry:  # redirect to the CDN, as the Hub does for LFS files
                headers.update(
                    {
                        "Location": f"{self.cdn_url}/cdn/{entry['lfs']['oid']}",
                        "X-Linked-Size": str(entry["size"]),
                        "X-Linked-Etag": f'"{entry["lfs"]["oid"]}"',
                        "ETag": f'"{entry["oid"]}"',
                    }
                )
                return self.send(req, 302, b"", headers, head)
            headers["ETag"] = f'"{entry["oid"]}"'
            return self.send(req, 200, repo.files[file], headers, head)
        self.error(req, 404, "", f"{path} not found")

    def repo_at(self, req: BaseHTTPRequestHandler, repo_id: str, rev: str) -> tuple[Repo, str] | None:
        """The repo and the commit `rev` names, or None once the error is answered."""
        repo = self.authorized(req, repo_id)
        if repo is None:
            return None
        sha = repo.branches.get(rev, rev if rev in repo.commits else None)
        if sha is None:
            self.error(req, 404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return None
        return repo, sha

    def authorized(self, req: BaseHTTPRequestHandler, repo_id: str) -> Repo | None:
        auth = req.headers.get("Authorization", "")
        if auth and auth != f"Bearer {self.token}":
            self.error(req, 401, "", "Invalid credentials in Authorization header")
            return None
        repo = self.repos.get(repo_id)
        if repo is None:
            self.error(req, 404, "RepoNotFound", "Repository not found")
            return None
        if repo.gated and not auth:
            self.error(
                req,
                401,
                "GatedRepo",
                f"Access to model {repo_id} is restricted. You must have access to it "
                "and be authenticated to access it. Please log in.",
            )
            return None
        return repo

    def cdn(self, req: BaseHTTPRequestHandler, oid: str, head: bool) -> None:
        for repo in self.repos.values():
            for name, data in repo.files.items():
                if hashlib.sha256(data).hexdigest() == oid:
                    start = 0
                    if req.headers.get("Range", "").startswith("bytes="):
                        start = int(req.headers["Range"][len("bytes=") :].split("-")[0])
                    body = data[start:]
                    headers = {"ETag": f'"{oid}"'}
                    if start:
                        headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                    if not head and name == self.break_file:  # the connection drops, then the CDN fails
                        self.broken += 1
                        if self.broken > 1:
                            return self.error(req, 503, "", "Service Unavailable")
                        return self.send_broken(req, 200, body, headers)
                    if not head and name == self.held_file:
                        return self.send_held(req, 206 if start else 200, body, headers)
                    return self.send(req, 206 if start else 200, body, headers, head)
        self.error(req, 404, "", "no such object")

    # -- responses -----------------------------------------------------------------
    def send(self, req: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        req.send_response(code)
        for key, value in headers.items():
            req.send_header(key, value)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if not head:
            req.wfile.write(body)

    def send_half(self, req: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str]) -> None:
        """Headers promising the whole body, then its first half."""
        req.send_response(code)
        for key, value in headers.items():
            req.send_header(key, value)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body[: len(body) // 2])
        req.wfile.flush()

    def send_broken(self, req: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_half(req, code, body, headers)
        req.close_connection = True

    def send_held(self, req: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_half(req, code, body, headers)
        self.release.wait(30)  # bounded, whatever the test does
        try:
            req.wfile.write(body[len(body) // 2 :])
        except OSError:
            pass  # the client was killed meanwhile

    def json(self, req: BaseHTTPRequestHandler, data: Any) -> None:
        self.send(req, 200, json.dumps(data).encode(), {"Content-Type": "application/json"}, False)

    def error(self, req: BaseHTTPRequestHandler, code: int, error_code: str, message: str) -> None:
        headers = {"Content-Type": "application/json", "X-Error-Message": message}
        if error_code:
            headers["X-Error-Code"] = error_code
        self.send(req, code, json.dumps({"error": message}).encode(), headers, False)
