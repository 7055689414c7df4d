#!/usr/bin/env python3
"""How fast is gen-values on this machine, next to the helm template it feeds?
Run on demand (not a test): `python3 ci/benchmark.py [--runs 21]`. Prints figures
and ratios; never fails on them.

- every user-facing gen-values command (--tier, validate, snippet, plan) against
  `helm template` of the chart with the same values, measured in alternating pairs,
  as the median of the per-pair ratios (with the range it would likely span on another
  run: one machine's noise moves it by a few percent), next to its goal;
- `helm template` of the chart (default values, and with the download Job and
  customised caches) against the `helm create` scaffold, where a render goes (the
  scaffold, Helm's handling of the output, the templates, the values schema) and what each
  template costs (instructions counted by valgrind where it is installed: the same on
  every run);
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


def helm_binaries() -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "ci" / "get_helm.py"), "--print"], check=True, capture_output=True, text=True
    ).stdout
    return {k.lower(): v for k, _, v in (line.partition("=") for line in out.splitlines()) if v}


def installed_gen_values(tmp: Path) -> list[str]:
    """gen-values as users get it: the package built and installed in a clean venv
    (bytecode compiled, no editable-install hooks or other .pth files at startup). Its
    dependencies are the locked ones this interpreter has, reached through a plain path
    entry (a .pth line naming a folder runs none of that folder's .pth hooks)."""
    import sysconfig

    venv, wheels = tmp / "venv", tmp / "wheels"
    quiet = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        **quiet,
    )
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    (wheel,) = wheels.glob("*.whl")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--disable-pip-version-check",
            str(wheel),
        ],
        **quiet,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "locked-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return [str(venv / "bin" / "gen-values")]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()[:500]}")
    return elapsed


def pairs(a: list[str], b: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Alternate a and b (a b a b ...) so drift in machine load hits both alike."""
    if runs > 1:  # one run is a smoke test of the benchmark itself: no figure to protect
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
            self_us, cumulative_us, name = line[len("import time:") :].split("|")
            rows.append((int(cumulative_us), int(self_us), name.rstrip()))
    top_level = [r for r in rows if not r[2].startswith("  ")]
    print("\nImport time of `gen-values --tier lustre` (top-level imports, cumulative):")
    for cumulative, _self, name in sorted(top_level, reverse=True)[:10]:
        print(f"  {cumulative / 1000:6.1f} ms  {name.strip()}")
    ours = sum(s for _c, s, n in rows if n.strip().startswith("dynamo_cache"))
    print(f"  dynamo_cache modules themselves: {ours / 1000:.1f} ms")
    heavy = sorted({n.strip().split(".")[0] for _c, _s, n in rows} & {"jsonschema", "ruamel", "jinja2", "yaml"})
    none = "none (jsonschema, ruamel.yaml, jinja2 are imported only when needed)"
    print(f"  heavy libraries imported on this path: {', '.join(heavy) or none}")


def throughput(seconds: float) -> None:
    sys.path.insert(0, str(ROOT / "generator"))
    from dynamo_cache import api
    from dynamo_cache.catalog import CATALOG

    rng = random.Random(8)
    valid = [
        {"tier": t, "variant": v, "caches": {"compilation": {"size": f"{rng.randint(100, 400)}Gi"}}}
        for t, tier in CATALOG["tiers"].items()
        for v in tier["variants"]
        if v != "static"
    ]
    invalid = [
        {"tier": "lustr"},
        {"caches": {"perf": {"accessModes": ["ReadWriteAll"]}}},
        {"tier": "local", "caches": {"compilation": {"accessModes": ["ReadWriteMany"]}}},
    ]
    for name, docs in (("valid", valid), ("invalid", invalid)):
        api.check_document(docs[0])  # imports and caches once
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for doc in docs:
                api.check_document(doc)
            count += len(docs)
        rate = count / (time.perf_counter() - start)
        print(f"  {name:7s} specs: {rate:8,.0f} per second in one process")


CUSTOM_VALUES = """\
modelDownload: {enabled: true, model: Qwen/Qwen3-0.6B, revision: c1899de289a04d12100db370d81485cdf75e47ca,
                include: ["*.json", "*.safetensors"], tokenSecret: {name: hf-token}}
caches:
  model: {size: 500Gi, annotations: {team: ml}, labels: {tier: gold}}
  compilation: {size: 200Gi, keep: true}
  perf: {storageClass: azurefile-csi, size: 20Gi}
dynamo: {backend: sglang, workers: [prefill, decode]}
"""
# The render goals decided on the render-speed issue.
GOALS = {"gen-values / helm template": 1.0, "default / scaffold": 1.30, "customised / scaffold": 1.40}


def spread(ratios: list[float]) -> str:
    """Where the median would land on another run of the same machine: the middle 90% of
    the medians of 1,000 resamples of the pairs (fixed seed, so the figure is repeatable)."""
    if len(ratios) < 2:
        return ""
    rng = random.Random(0)
    medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(1000))
    return f" ({medians[50]:.2f}-{medians[949]:.2f})"


def ratio_line(name: str, a: list[float], b: list[float], goal: float | None) -> str:
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    per_pair = statistics.median(ratios)
    verdict = "" if goal is None else (f"  meets <= {goal:.2f}" if per_pair <= goal else f"  MISSES <= {goal:.2f}")
    return f"  {name:38s} {ms(a)} vs {ms(b)}  ratio {per_pair:.2f}{spread(ratios):12s}{verdict}"


# helm under callgrind: garbage collection off, one thread, no asynchronous preemption
# (its signals stop callgrind), so the count is the same on every run whatever else the
# machine does (within 0.3%), where wall time moves by 10%.
COUNTING_ENV = {"GOGC": "off", "GOMAXPROCS": "1", "GODEBUG": "asyncpreemptoff=1"}


def instructions(cmd: list[str]) -> int | None:
    """Instructions `cmd` executes, counted by valgrind's callgrind; None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    proc = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        env={**os.environ, **COUNTING_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found = [line.split()[-1] for line in proc.stderr.splitlines() if "Collected :" in line]
    return int(found[-1]) if proc.returncode == 0 and found else None


def without_source_lines(manifests: str) -> str:
    return "".join(line for line in manifests.splitlines(keepends=True) if not line.startswith("# Source: "))


def copy_without_schema(chart: Path, dest: Path) -> Path:
    shutil.copytree(chart, dest)
    (dest / "values.schema.json").unlink()
    return dest


def static_copy(helm: str, chart: Path, dest: Path) -> Path:
    """A copy of the chart without values.schema.json whose templates are replaced by the
    very output they render with default values, as static text."""
    rendered = subprocess.run([helm, "template", "x", str(chart)], check=True, capture_output=True, text=True).stdout
    copy_without_schema(chart, dest)
    shutil.rmtree(dest / "templates")
    (dest / "templates").mkdir()
    (dest / "templates" / "static.yaml").write_text(without_source_lines(rendered))
    return dest


def render_phases(helm: str, chart: Path, scaffold: Path, tmp: Path) -> None:
    """Where a render with default values goes, by difference of counted instructions: the
    chart without values.schema.json, then with its templates replaced by the output they
    render (static_copy: what Helm does with the output and values.yaml stays, the
    templates' own parsing and running goes), then the scaffold."""
    full = instructions([helm, "template", "x", str(chart)])
    if full is None:
        return
    shutil.rmtree(tmp / "phases", ignore_errors=True)
    no_schema = copy_without_schema(chart, tmp / "phases" / "no-schema")
    static = static_copy(helm, chart, tmp / "phases" / "static")
    counts = [instructions([helm, "template", "x", str(c)]) or 0 for c in (no_schema, static, scaffold)]
    print("\nWhere a render with default values goes (Helm 4, instructions, by difference):")
    for name, count in (
        ("the scaffold's whole render (Helm's start-up and a trivial chart)", counts[2]),
        ("+ Helm handling this chart's output and loading its values.yaml", counts[1] - counts[2]),
        ("+ parsing and running this chart's templates, NOTES.txt included", counts[0] - counts[1]),
        ("+ compiling values.schema.json and checking the values", full - counts[0]),
        ("= this chart's render", full),
    ):
        print(f"  {name:68s} {count / 1e6:6.1f}M")


def template_costs(helm: str, chart: Path, values: Path, scaffold: Path, tmp: Path, runs: int, count: bool) -> None:
    """What each template (and the values schema) costs: the render without it, against
    the full render. Counted in instructions where valgrind is installed, else timed."""
    full = [helm, "template", "x", str(chart), "-f", str(values)]
    victims = [p.relative_to(chart) for p in (chart / "templates").rglob("*") if p.is_file()]
    victims = sorted(v for v in victims if not v.name.startswith("_"))  # helpers show in their callers
    victims.append(Path("values.schema.json"))
    full_count = instructions(full) if count else None
    scaffold_count = instructions([helm, "template", "x", str(scaffold)]) if full_count else None
    if full_count and scaffold_count:
        print(
            "\nCost of each template (helm template with the download Job and customised caches, Helm 4), in"
            f" instructions (valgrind, the same on every run): the full render {full_count / 1e6:,.0f}M, the"
            f" scaffold {scaffold_count / 1e6:,.0f}M ({full_count / scaffold_count:.2f}x); without each:"
        )
    else:
        print(
            "\nCost of each template (helm template with the download Job and customised caches, Helm 4; the render"
            " without it, alternated with the full one; valgrind counts instructions instead where it is installed):"
        )
    for victim in victims:
        copy = tmp / "without" / victim.name
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(chart, copy)
        (copy / victim).unlink()
        without = [helm, "template", "x", str(copy), "-f", str(values)]
        if full_count and scaffold_count:
            saved = full_count - (instructions(without) or full_count)
            print(f"  {str(victim):32s} {saved / 1e6:6.1f}M  {saved / scaffold_count:5.1%} of the scaffold's render")
        else:
            t_full, t_without = pairs(full, without, runs)
            print(f"  {str(victim):32s} {1000 * (statistics.median(t_full) - statistics.median(t_without)):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="measurements per command (median reported)")
    parser.add_argument("--throughput-seconds", type=float, default=1.0, help="how long to count specs per second")
    parser.add_argument(
        "--no-instructions",
        dest="instructions",
        action="store_false",
        help="time the templates instead of counting their instructions with valgrind (about a minute)",
    )
    args = parser.parse_args()
    # An installed package has bytecode (pip compiles it); an editable checkout run with
    # PYTHONDONTWRITEBYTECODE would recompile every module on every call.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "generator" / "dynamo_cache")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    helm = helm_binaries()
    with tempfile.TemporaryDirectory() as tmp:
        gen = installed_gen_values(Path(tmp))
        values = Path(tmp) / "values.yaml"
        values.write_text(subprocess.run(gen + ["--tier", "lustre"], check=True, capture_output=True, text=True).stdout)
        custom = Path(tmp) / "custom.yaml"
        custom.write_text(CUSTOM_VALUES)
        template = [helm["helm4"], "template", "x", str(CHART), "-f", str(values)]
        print(
            f"dynamo-cache benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
            f"median of {args.runs} runs, commands alternated in pairs, ratios = median of per-pair ratios\n"
        )
        print("Every gen-values command against `helm template` of the chart with the same values (Helm 4.3):")
        goal = GOALS["gen-values / helm template"]
        commands = {
            "gen-values --tier lustre": gen + ["--tier", "lustre"],
            "gen-values validate <values>": gen + ["validate", str(values)],
            "gen-values snippet --tier lustre": gen + ["snippet", "--tier", "lustre"],
            "gen-values plan --model-size 140GB": gen + ["plan", "--model-size", "140GB", "--replicas", "8"],
        }
        for name, cmd in commands.items():
            print(ratio_line(name, *pairs(cmd, template, args.runs), goal))
        t_gen3, t_helm3 = pairs(commands["gen-values --tier lustre"], [helm["helm3"], *template[1:]], args.runs)
        print(ratio_line("gen-values --tier lustre (Helm 3.19)", t_gen3, t_helm3, None))
        t_help, _ = pairs(gen + ["--help"], template, args.runs)
        print(f"  gen-values --help                      {ms(t_help)}")

        print("\nThe chart against the `helm create` scaffold (Helm's floor: start-up and a trivial chart):")
        subprocess.run([helm["helm4"], "create", str(Path(tmp) / "scaffold")], check=True, stdout=subprocess.DEVNULL)
        scaffold = [helm["helm4"], "template", "x", str(Path(tmp) / "scaffold")]
        print(
            ratio_line(
                "default values / scaffold",
                *pairs([helm["helm4"], "template", "x", str(CHART)], scaffold, args.runs),
                GOALS["default / scaffold"],
            )
        )
        print(
            ratio_line(
                "download Job + customised / scaffold",
                *pairs([helm["helm4"], "template", "x", str(CHART), "-f", str(custom)], scaffold, args.runs),
                GOALS["customised / scaffold"],
            )
        )
        if args.instructions:
            render_phases(helm["helm4"], CHART, Path(tmp) / "scaffold", Path(tmp))
        template_costs(
            helm["helm4"], CHART, custom, Path(tmp) / "scaffold", Path(tmp), max(1, args.runs // 3), args.instructions
        )
        import_breakdown(gen)
    print("\nValidation throughput (schema + Azure rules, no output):")
    throughput(args.throughput_seconds)


if __name__ == "__main__":
    main()
