from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import helmtool  # noqa: E402

try:
    from hypothesis import settings
except ImportError:  # the lower-bounds run (ci/lower-bounds.sh) has no property tests
    settings = None
if settings is not None:
    # CI is deterministic: the same examples every run and no example database
    # carried between runs. `--hypothesis-profile=fresh` draws new random examples, more
    # of them (README, "Tests").
    settings.register_profile("ci", derandomize=True, database=None, max_examples=200)
    settings.register_profile("fresh", derandomize=False, database=None, max_examples=3000)
    settings.load_profile("ci")


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
