#!/usr/bin/env python3
"""How fast is gen-values on this machine, next to the helm template it feeds?
Run on demand (not a test): `python3 ci/benchmark.py [--runs 21]`. Prints figures
and ratios; never fails on them.

- median wall time of `gen-values --tier lustre`, `gen-values validate FILE`,
  `gen-values --help`, and `helm template` of the chart with the same values (Helm 4
  and Helm 3), measured in alternating pairs in one run, and their ratio;
- the import-time breakdown of the CLI (`python -X importtime`);
- validation throughput: specs per second in one process.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "dynamo-cache"
TYPICAL_SPEC = ROOT / "tests" / "cases" / "valid" / "lustre-full" / "spec.yaml"
TARGET_RATIO = 1.0  # issue #8: gen-values --tier lustre no slower than helm template


def helm_binaries() -> dict[str, str]:
    out = subprocess.run([sys.executable, str(ROOT / "ci" / "get_helm.py"), "--print"], check=True,
                         capture_output=True, text=True).stdout
    return {k.lower(): v for k, _, v in (line.partition("=") for line in out.splitlines()) if v}


def installed_gen_values(tmp: Path) -> list[str]:
    """gen-values as users get it: the package built and installed in a clean venv
    (bytecode compiled, no editable-install hooks or other .pth files at startup)."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(ROOT)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [str(venv / "bin" / "gen-values")]


def checkout_gen_values() -> list[str]:
    found = shutil.which("gen-values")
    return [found] if found else [sys.executable, "-m", "dynamo_cache"]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()[:500]}")
    return elapsed


def pairs(a: list[str], b: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Alternate a and b (a b a b ...) so drift in machine load hits both alike."""
    wall(a), wall(b)  # warm the page cache
    ta, tb = [], []
    for _ in range(runs):
        ta.append(wall(a))
        tb.append(wall(b))
    return ta, tb


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms"


def import_breakdown(gen: list[str]) -> None:
    python = str(Path(gen[0]).parent / "python")
    cmd = [python, "-X", "importtime", "-m", "dynamo_cache", "--tier", "lustre"]
    err = subprocess.run(cmd, capture_output=True, text=True).stderr
    rows = []  # (cumulative us, self us, indented name)
    for line in err.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            self_us, cumulative_us, name = line[len("import time:"):].split("|")
            rows.append((int(cumulative_us), int(self_us), name.rstrip()))
    top_level = [r for r in rows if not r[2].startswith("  ")]
    print("\nImport time of `gen-values --tier lustre` (top-level imports, cumulative):")
    for cumulative, _self, name in sorted(top_level, reverse=True)[:10]:
        print(f"  {cumulative / 1000:6.1f} ms  {name.strip()}")
    ours = sum(s for _c, s, n in rows if n.strip().startswith("dynamo_cache"))
    print(f"  dynamo_cache modules themselves: {ours / 1000:.1f} ms")
    heavy = sorted({n.strip().split(".")[0] for _c, _s, n in rows} & {"jsonschema", "ruamel", "jinja2", "yaml"})
    print(f"  heavy libraries imported on this path: {', '.join(heavy) or 'none (jsonschema, ruamel.yaml, jinja2 are imported only when needed)'}")


def throughput() -> None:
    sys.path.insert(0, str(ROOT / "generator"))
    from dynamo_cache import api
    from dynamo_cache.catalog import CATALOG

    rng = random.Random(8)
    valid = [{"tier": t, "variant": v, "caches": {"compilation": {"size": f"{rng.randint(100, 400)}Gi"}}}
             for t, tier in CATALOG["tiers"].items() for v in tier["variants"] if v != "static"]
    invalid = [{"tier": "lustr"}, {"caches": {"perf": {"accessModes": ["ReadWriteAll"]}}},
               {"tier": "local", "caches": {"compilation": {"accessModes": ["ReadWriteMany"]}}}]
    for name, docs in (("valid", valid), ("invalid", invalid)):
        api.check_document(docs[0])  # imports and caches once
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < 1.0:
            for doc in docs:
                api.check_document(doc)
            count += len(docs)
        rate = count / (time.perf_counter() - start)
        print(f"  {name:7s} specs: {rate:8,.0f} per second in one process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="measurements per command (median reported)")
    args = parser.parse_args()
    # An installed package has bytecode (pip compiles it); an editable checkout run with
    # PYTHONDONTWRITEBYTECODE would recompile every module on every call.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "generator" / "dynamo_cache")], check=True,
                   stdout=subprocess.DEVNULL)
    helm = helm_binaries()
    with tempfile.TemporaryDirectory() as tmp:
        gen = installed_gen_values(Path(tmp))
        editable = checkout_gen_values()
        values = Path(tmp) / "values.yaml"
        values.write_text(subprocess.run(gen + ["--tier", "lustre"], check=True, capture_output=True, text=True).stdout)
        template = ["template", "x", str(CHART), "-f", str(values)]
        print(f"dynamo-cache benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
              f"median of {args.runs} runs, commands alternated in pairs\n")
        t_gen, t_helm4 = pairs(gen + ["--tier", "lustre"], [helm["helm4"], *template], args.runs)
        t_gen3, t_helm3 = pairs(gen + ["--tier", "lustre"], [helm["helm3"], *template], args.runs)
        t_validate, t_help = pairs(gen + ["validate", str(TYPICAL_SPEC)], gen + ["--help"], args.runs)
        t_editable, t_helm4b = pairs(editable + ["--tier", "lustre"], [helm["helm4"], *template], args.runs)
        subprocess.run([helm["helm4"], "create", str(Path(tmp) / "scaffold")], check=True, stdout=subprocess.DEVNULL)
        t_scaffold, _ = pairs([helm["helm4"], "template", "x", str(Path(tmp) / "scaffold")], gen + ["--help"], args.runs)
        print("  gen-values installed from this checkout into a clean venv:")
        print(f"  gen-values --tier lustre        {ms(t_gen)}")
        print(f"  helm template (Helm 4.3)        {ms(t_helm4)}")
        print(f"  helm template (Helm 3.19)       {ms(t_helm3)}")
        print(f"  helm template of `helm create`  {ms(t_scaffold)}  (Helm's floor: start-up and a trivial chart)")
        print(f"  gen-values validate <spec>      {ms(t_validate)}")
        print(f"  gen-values --help               {ms(t_help)}")
        ratio4 = statistics.median(t_gen) / statistics.median(t_helm4)
        ratio3 = statistics.median(t_gen3) / statistics.median(t_helm3)
        per_pair = statistics.median(g / h for g, h in zip(t_gen, t_helm4))
        verdict = "meets" if ratio4 <= TARGET_RATIO else "MISSES"
        print(f"\n  ratio gen-values / helm template: {ratio4:.2f} (Helm 4), {ratio3:.2f} (Helm 3); "
              f"median of per-pair ratios {per_pair:.2f}; {verdict} the target <= {TARGET_RATIO}")
        print(f"\n  for comparison, the editable checkout ({editable[0]}): {ms(t_editable)} vs helm 4 {ms(t_helm4b)}, "
              f"ratio {statistics.median(t_editable) / statistics.median(t_helm4b):.2f}")
        print("  (its interpreter also loads every .pth hook in the system site-packages at startup)")
        import_breakdown(gen)
    print("\nValidation throughput (schema + Azure rules, no output):")
    throughput()


if __name__ == "__main__":
    main()
