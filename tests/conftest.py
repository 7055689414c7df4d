from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import helmtool  # noqa: E402


@pytest.fixture(params=helmtool.VERSIONS)
def helm_version(request: pytest.FixtureRequest) -> str:
    return request.param


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Cluster tests run only when --kubeconfig is given; otherwise reported skipped."""
    if config.getoption("kubeconfig", default=None):
        return
    skip = pytest.mark.skip(reason="needs a cluster: pass --kubeconfig PATH")
    for item in items:
        if "cluster" in item.keywords:
            item.add_marker(skip)
