"""gen-values: the thin command line over dynamo_cache.api. Parses, calls,
prints, picks the exit code: 0 ok, 1 invalid input (or a live check that failed), 2 usage,
3 the live cluster could not be read, 70 a bug in gen-values."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from .catalog import CATALOG, TIERS, VARIANTS
from .report import Exit

OK, INVALID, UNCHECKED, INTERNAL = Exit.OK, Exit.INVALID, Exit.UNCHECKED, Exit.INTERNAL


class Choice(click.Choice):  # type: ignore[type-arg]  # generic only from click 8.2; 8.1 is supported
    """click's Choice, with the nearest valid spelling, as the spec's errors have."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            from .problems import nearest

            near = nearest(value, list(self.choices))
            hint = f"; did you mean {near!r}?" if near else ""
            self.fail(f"{value!r} is not one of {', '.join(map(str, self.choices))}{hint}", param, ctx)


def _exit_code(result: Any, strict: bool) -> int:
    failed = not result.ok or (strict and result.problems)
    return INVALID if failed else OK


def _report(result: Any, fmt: str, strict: bool) -> int:
    """The exit code for `result`; its problems on stderr as text (JSON: in _done's report)."""
    from . import report

    if fmt == "text" and result.problems:
        click.echo(report.text(result.problems, result.source), err=True)
    return _exit_code(result, strict)


def _done(
    ctx: click.Context, fmt: str, code: int, problems: list[tuple[str, Any]], output: str | None = None
) -> NoReturn:
    """End a command: its output on stdout, or (--format json) the one JSON report there."""
    from . import report

    if fmt == "json":
        click.echo(report.as_json(code, problems, output))
    elif output is not None:
        click.echo(output, nl=False)
    ctx.exit(code)


_common = [
    click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1)."),
    click.option(
        "--format",
        "fmt",
        type=Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="text: problems on stderr; json: one report on stdout (status, problems, output).",
    ),
]


F = TypeVar("F", bound=Callable[..., Any])


def options(decorators: list[Callable[[F], F]]) -> Callable[[F], F]:
    """One decorator applying a list of click options in order."""

    def apply(func: F) -> F:
        for option in reversed(decorators):
            func = option(func)
        return func

    return apply


common = options(_common)


# The options that say what to generate: shared by the main command and `snippet`.
_spec = [
    click.option("--tier", type=Choice(TIERS), help="Storage preset (default: the spec's, else files)."),
    click.option("--variant", type=Choice(VARIANTS), help="Variant of the tier (docs/tiers.md), e.g. static."),
    click.option("--spec", "spec_file", metavar="FILE", help="High-level spec (YAML or JSON, - for stdin)."),
    click.option("--release", help="Helm release name (checks names; derives cluster-scoped names)."),
    click.option("--namespace", help="Namespace of the claims."),
    click.option("--model-size", help="Size of the model files, e.g. 140GB (checks the model cache size)."),
    click.option("--lustre-sku", type=Choice(list(CATALOG["lustre"]["skus"])), help="AMLFS SKU (tier lustre)."),
    click.option("--zone", help="Availability zone of the Lustre filesystem (tier lustre)."),
    click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="PATH=VALUE",
        help="Set any spec value, e.g. --set staticVolumes.lustre.mgsIpAddress=10.0.0.4 (repeatable; VALUE is YAML).",
    ),
]


spec_options = options(_spec)


def _load(spec_file: str | None, sets: tuple[str, ...], **flags: Any) -> Any:
    """The spec from --spec, with the other spec options (flags) and --set applied."""
    from . import api

    names = {
        "model_size": "modelSize",
        "lustre_sku": "storageClasses.lustre.parameters.sku-name",
        "zone": "storageClasses.lustre.parameters.zone",
        "backend": "dynamo.backend",
        "frontend": "dynamo.frontend",
        "workers": "dynamo.workers",
    }
    overrides: dict[str, Any] = {names.get(k, k): v for k, v in flags.items() if v is not None}
    set_values = _parse_sets(sets)
    for flag, path in names.items():  # one value, one source
        if flags.get(flag) is not None and path in set_values:
            option = "--" + flag.replace("_", "-")
            raise click.UsageError(f"{option} and --set {path}=... both set {path}: give one")
    overrides.update(set_values)
    result = api.load_spec(spec_file, overrides)
    misplaced = api.flags_for_another_tier(result, [k for k in ("lustre_sku", "zone") if flags.get(k) is not None])
    if misplaced:
        raise click.UsageError(misplaced)
    return result


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@spec_options
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the values here (atomically) instead of stdout."
)
@click.option("--force", is_flag=True, help="Replace an existing --output file (kept as FILE.bak).")
@click.option(
    "--from",
    "from_values",
    metavar="VALUES",
    help="Values of the installed release: warn about claims this change would need to migrate.",
)
@click.option(
    "--manifests",
    is_flag=True,
    help="Write the Kubernetes objects (rendered by the chart through helm template) instead of values.",
)
@click.option(
    "--chart",
    metavar="CHART",
    help="Chart for --manifests (default: the chart installed with gen-values; a folder, .tgz or oci:// works).",
)
@click.option(
    "--helm",
    "helm_binary",
    metavar="PATH",
    help="helm binary for --manifests (default $HELM, then helm on PATH or beside this Python).",
)
@common
@click.version_option(package_name="dynamo-cache", prog_name="gen-values")
@click.pass_context
def main(
    ctx: click.Context,
    /,
    spec_file: str | None,
    sets: tuple[str, ...],
    output: str | None,
    force: bool,
    from_values: str | None,
    manifests: bool,
    chart: str | None,
    helm_binary: str | None,
    strict: bool,
    fmt: str,
    **flags: str | None,
) -> None:
    """Write Helm values for the dynamo-cache chart from a tier preset and a spec.

    \b
    gen-values --tier lustre | helm template dynamo-cache charts/dynamo-cache -f -
    gen-values --spec my-spec.yaml -o values.yaml
    gen-values validate values.yaml
    gen-values --tier files --manifests | kubectl apply -f -
    gen-values wire dgd.yaml --spec values.yaml --in-place
    gen-values snippet --api v1beta1
    gen-values plan --model-size 140GB --replicas 8
    """
    if ctx.invoked_subcommand is not None:
        given = [
            p.opts[0]
            for p in ctx.command.params
            if ctx.get_parameter_source(p.name) == click.core.ParameterSource.COMMANDLINE
        ]
        if given:  # they would be ignored: say so rather than drop them
            raise click.UsageError(
                f"{', '.join(given)} before `{ctx.invoked_subcommand}` would be ignored: options "
                f"go after the command (gen-values {ctx.invoked_subcommand} --help lists them)"
            )
        return
    from . import api

    result = _load(spec_file, sets, **flags)
    if from_values and result.ok:
        result = api.against_existing(result, from_values)
    code = _report(result, fmt, strict)
    found = [(result.source, p) for p in result.problems]
    if code != OK:
        _done(ctx, fmt, code, found)
    text = api.generate(result)
    if manifests:
        from . import manifests as rendered
        from .problems import ERROR, Problem

        assert result.spec is not None
        try:
            text = rendered.render(
                text, result.spec.get("release", "dynamo-cache"), result.spec.get("namespace"), chart, helm_binary
            )
        except rendered.ManifestError as exc:
            if fmt == "text":
                click.echo(f"gen-values --manifests: {exc}", err=True)
            _done(ctx, fmt, INVALID, [*found, (result.source, Problem("$", ERROR, str(exc), "", "helm"))])
    if output is None:
        _done(ctx, fmt, OK, found, text)
    _done(ctx, fmt, _write_output(output, text, force), found)


def _parse_sets(sets: tuple[str, ...]) -> dict[str, Any]:
    from . import api, loader

    parsed = {}
    for item in sets:
        path, sep, text = item.partition("=")
        if not sep or not path or any(not part for part in path.split(".")):
            raise click.BadParameter(f"{item!r}: expected PATH=VALUE, e.g. caches.model.size=200Gi", param_hint="--set")
        try:
            parsed[path] = api.set_value(path, text)
        except loader.InputError as exc:
            raise click.BadParameter(f"{item!r}: {exc}", param_hint="--set") from None
    return parsed


def _write_output(name: str, text: str, force: bool) -> int:
    from pathlib import Path  # only here: pathlib's imports cost the fast paths 6 ms

    from .atomic import write_text

    output = Path(name)
    if output.exists():
        old = output.read_bytes()
        if old == text.encode("utf-8"):
            return OK
        if not force:
            click.echo(
                f"{output}: exists and differs; nothing written. Pass --force to replace it "
                f"(the old file is kept as {output}.bak).",
                err=True,
            )
            return INVALID
        output.with_name(output.name + ".bak").write_bytes(old)
    try:
        write_text(output, text)
    except OSError as exc:
        click.echo(f"{output}: cannot write: {exc.strerror or exc}", err=True)
        return INVALID
    return OK


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--live",
    is_flag=True,
    help="Also check against the live release: the chart's upgrade guard with real lookups "
    "(helm template --dry-run=server, which creates nothing). For CI before Argo CD syncs.",
)
@click.option("-n", "--namespace", help="Namespace of the release (--live; default: the file's namespace).")
@click.option("--release", help="Release name (--live; default: the file's release, else dynamo-cache).")
@click.option("--kubeconfig", metavar="PATH", help="kubeconfig for --live (default: helm's).")
@click.option("--context", metavar="NAME", help="kubeconfig context for --live.")
@click.option("--chart", metavar="CHART", help="Chart for --live (default: the chart installed with gen-values).")
@click.option("--helm", "helm_binary", metavar="PATH", help="helm binary for --live.")
@common
@click.pass_context
def validate(
    ctx: click.Context,
    files: tuple[str, ...],
    live: bool,
    namespace: str | None,
    release: str | None,
    kubeconfig: str | None,
    context: str | None,
    chart: str | None,
    helm_binary: str | None,
    strict: bool,
    fmt: str,
) -> None:
    """Check spec or values FILES (- for stdin) without writing anything.

    \b
    gen-values validate values.yaml
    gen-values validate --live -n dynamo --release dynamo-cache values.yaml
    Exit 0: valid; 1: invalid (or, with --live, a change the cluster would refuse);
    2: usage; 3: --live could not read the cluster.
    """
    from . import api

    code: int = OK
    collected: list[tuple[str, Any]] = []
    for name in files:
        result = api.load_spec(name, {})
        unchecked: int = OK
        if result.spec is not None:
            release_of_file = release or result.spec.get("release") or "dynamo-cache"
        if live and result.ok:
            result, unchecked = _check_live(result, namespace, release_of_file, kubeconfig, context, chart, helm_binary)
            code = max(code, unchecked)
        collected += [(result.source, p) for p in result.problems]
        file_code = _report(result, fmt, strict)
        code = max(code, file_code)
        if fmt == "text" and file_code == OK and result.spec is not None:
            tier, variant = api.tier_and_variant(result.spec)
            if unchecked != OK:  # "ok" only for what was checked
                click.echo(
                    f"valid, live release {release_of_file} NOT checked: {result.source} "
                    f"(tier {tier}, variant {variant})",
                    err=True,
                )
                continue
            click.echo(
                f"ok: {result.source} (tier {tier}, variant {variant}"
                f"{', live release ' + release_of_file if live else ''})",
                err=True,
            )
    _done(ctx, fmt, code, collected)


def _check_live(
    result: Any,
    namespace: str | None,
    release: str,
    kubeconfig: str | None,
    context: str | None,
    chart: str | None,
    helm_binary: str | None,
) -> tuple[Any, int]:
    from . import api, live, manifests
    from .problems import sort

    namespace = namespace or result.spec.get("namespace")
    if not namespace:
        raise click.UsageError("--live needs the release's namespace: pass -n NAMESPACE")
    try:
        found = live.check(api.generate(result), release, namespace, kubeconfig, context, chart, helm_binary)
    except (live.LiveError, manifests.ManifestError) as exc:
        click.echo(f"{result.source}: not checked against the cluster: {exc}", err=True)
        return result, UNCHECKED
    return api.Result(result.source, result.spec, sort(result.problems + found)), OK


@main.command()
@spec_options
@click.option(
    "--api",
    "api_version",
    type=Choice(["v1beta1", "v1alpha1"]),
    default="v1beta1",
    show_default=True,
    help="DynamoGraphDeployment API version.",
)
@click.option(
    "--backend",
    type=Choice(list(CATALOG["dynamo"]["backends"])),
    help="The DGD's backendFramework (default vllm): sets what the engine reads for its compile cache.",
)
@click.option("--frontend", metavar="NAME", help="Name of your frontend component (default Frontend).")
@click.option(
    "--worker",
    "workers",
    metavar="NAME",
    multiple=True,
    help="Name of a worker component (repeatable; default: decode, or the backend's for v1alpha1).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the snippet here (atomically) instead of stdout."
)
@click.option("--force", is_flag=True, help="Replace an existing --output file (kept as FILE.bak).")
@common
@click.pass_context
def snippet(
    ctx: click.Context,
    /,
    spec_file: str | None,
    sets: tuple[str, ...],
    api_version: str,
    workers: tuple[str, ...],
    output: str | None,
    force: bool,
    strict: bool,
    fmt: str,
    **flags: str | None,
) -> None:
    """Print the YAML to merge into a DynamoGraphDeployment for these caches.

    \b
    gen-values snippet --tier lustre --namespace dynamo
    gen-values snippet --spec my-spec.yaml --api v1alpha1 --backend sglang --worker SGLangDecodeWorker
    """
    from . import snippet as snippets
    from . import values

    result = _load(spec_file, sets, workers=list(workers) if workers else None, **flags)
    code = _report(result, fmt, strict)
    found = [(result.source, p) for p in result.problems]
    if code != OK:
        _done(ctx, fmt, code, found)
    assert result.spec is not None
    chart_values = values.build(result.spec, prune=False)
    text = snippets.render(
        chart_values, result.spec.get("release", "dynamo-cache"), result.spec.get("namespace"), api_version
    )
    if output is None:
        _done(ctx, fmt, OK, found, text)
    _done(ctx, fmt, _write_output(output, text, force), found)


@main.command("wire")
@click.argument("file")
@spec_options
@click.option("--frontend", metavar="NAME", help="Wire this component as the frontend (default: by its type).")
@click.option(
    "--worker", "workers", metavar="NAME", multiple=True, help="Wire this component as a worker (repeatable)."
)
@click.option(
    "--fast-load",
    is_flag=True,
    help="Also make vLLM workers stream their weights (--load-format runai_streamer), where their args allow.",
)
@click.option("--check", is_flag=True, help="Exit 1, with one line, when FILE is not wired yet; write nothing.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result here instead of stdout.")
@click.option("--in-place", is_flag=True, help="Rewrite FILE (atomically; the old one kept as FILE.bak).")
@click.option("--force", is_flag=True, help="Replace an existing --output file (kept as FILE.bak).")
@common
@click.pass_context
def wire_command(
    ctx: click.Context,
    /,
    file: str,
    spec_file: str | None,
    sets: tuple[str, ...],
    frontend: str | None,
    workers: tuple[str, ...],
    fast_load: bool,
    check: bool,
    output: str | None,
    in_place: bool,
    force: bool,
    strict: bool,
    fmt: str,
    **flags: str | None,
) -> None:
    """Wire the caches into your DynamoGraphDeployment(s) or DynamoGraphDeploymentRequest in FILE (- for stdin).

    \b
    gen-values wire dgd.yaml --spec values.yaml --in-place
    gen-values wire dgd.yaml --tier lustre --namespace dynamo | kubectl apply -f -
    gen-values wire dgd.yaml --spec values.yaml --check          # in CI: exit 1 until wired
    Everything else in FILE stays as it was; what is wired differently is refused, never overwritten.
    """
    from . import report, values, wire

    if in_place and (output or file == "-"):
        raise click.UsageError("--in-place rewrites FILE: give a file, and no -o")
    result = _load(spec_file, sets, **flags)
    code = _report(result, fmt, strict)
    found = [(result.source, p) for p in result.problems]
    if code != OK:
        _done(ctx, fmt, code, found)
    assert result.spec is not None
    target = wire.Target(
        values.build(result.spec, prune=False),
        result.spec.get("release", "dynamo-cache"),
        result.spec.get("namespace"),
        frontend,
        workers,
        fast_load,
    )
    outcome = wire.wire_file(file, target)
    found += [(file, p) for p in outcome.problems]
    if outcome.problems:
        if fmt == "text":
            click.echo(report.text(outcome.problems, file), err=True)
        _done(ctx, fmt, INVALID, found)
    if check:
        verdict = (
            f"not wired: {outcome.changes[0]} (gen-values wire {file} ... --in-place)" if outcome.changed else "wired"
        )
        click.echo(f"{file}: {verdict}", err=True)
        _done(ctx, fmt, INVALID if outcome.changed else OK, found)
    for line in [f"note: {n}" for n in outcome.notes] + [f"wired {c}" for c in outcome.changes]:
        click.echo(f"{file}: {line}", err=True)
    if not outcome.changed:
        click.echo(f"{file}: already wired, nothing to change", err=True)
    if in_place:
        _done(ctx, fmt, _write_output(file, outcome.text, force=True) if outcome.changed else OK, found)
    if output is None:
        _done(ctx, fmt, OK, found, outcome.text)
    _done(ctx, fmt, _write_output(output, outcome.text, force), found)


@main.command(hidden=True)  # a maintainer's command (CONTRIBUTING.md), not a user's
@click.option("--check", is_flag=True, help="Exit 1 when a generated file differs; write nothing.")
@click.option(
    "--root",
    "root_dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Repository root holding charts/ and schemas/.",
)
@click.pass_context
def generate(ctx: click.Context, check: bool, root_dir: str) -> None:
    """Regenerate the chart's catalog, values, values schema and README, the spec schema, the
    expanded data files and the generated blocks of docs/tiers.md."""
    from pathlib import Path

    from . import chartgen

    root = Path(root_dir)
    if not (root / chartgen.CHART / "Chart.yaml").is_file():
        raise click.UsageError(f"{root}: no {chartgen.CHART}/Chart.yaml here; pass --root")
    stale = chartgen.drift(root) if check else chartgen.write(root)
    for rel in stale:
        click.echo(f"{rel}: {'out of date; run `gen-values generate`' if check else 'written'}", err=True)
    ctx.exit(INVALID if check and stale else OK)


# plan.SIZED, which tests/test_plan.py holds equal: importing the planner here would slow every command.
PLAN_SIZED = ("lustre", "files", "files-v2", "disk", "disk-v2")


def _capacity_options(command: F) -> F:
    """--<option>-size for every planner option a capacity can be given for (plan.OPTIONS)."""
    for name in reversed(PLAN_SIZED):
        command = click.option(
            f"--{name}-size",
            metavar="SIZE",
            help=f"The {name} capacity you have (or want), planned beside the smallest that fits.",
        )(command)
    return command


@main.command()
@click.option(
    "--model-size",
    metavar="SIZE",
    multiple=True,
    help="Size of the model's files, e.g. 140GB or 65Gi; repeat it for several models in one cache (their sum).",
)
@click.option("--params", metavar="COUNT", help="Parameter count instead of a size, e.g. 70B (with --dtype).")
@click.option(
    "--dtype",
    type=Choice(list(CATALOG["performance"]["dtypeBytes"])),
    default="bf16",
    show_default=True,
    help="Bytes per parameter (with --params).",
)
@click.option(
    "--replicas", type=click.IntRange(min=1), default=1, show_default=True, help="Replicas that start together."
)
@click.option(
    "--vm",
    type=Choice(list(CATALOG["performance"]["vms"])),
    default=next(iter(CATALOG["performance"]["vms"])),
    show_default=True,
    help="The nodes' VM size: their network, disk and NVMe rates.",
)
@click.option(
    "--nodes-per-replica",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Nodes one replica spans (tensor/pipeline parallel): each reads its share at once.",
)
@click.option(
    "--engine",
    type=Choice(list(CATALOG["performance"]["engineLoader"])),
    default="vllm",
    show_default=True,
    help="The engine, whose default loader reads the model unless --loader says otherwise.",
)
@click.option("--loader", type=Choice(list(CATALOG["performance"]["loaders"])), help="The weight loader.")
@click.option(
    "--layout",
    type=Choice(["striped", "unstriped"]),
    default=CATALOG["performance"]["defaultLayout"],
    show_default=True,
    help="Lustre files striped over every OST (lfs setstripe -c -1), or each on one OST.",
)
@click.option("--lustre-sku", type=Choice(list(CATALOG["lustre"]["skus"])), help="AMLFS SKU (default: the preset's).")
@click.option(
    "--target",
    "target_s",
    type=click.FloatRange(min=1),
    default=600,
    show_default=True,
    help="Cold-start target in seconds for all replicas: the cheapest tier meeting it is recommended.",
)
@_capacity_options
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def plan(
    ctx: click.Context,
    /,
    model_size: tuple[str, ...],
    params: str | None,
    dtype: str,
    replicas: int,
    vm: str,
    nodes_per_replica: int,
    engine: str,
    loader: str | None,
    layout: str,
    lustre_sku: str | None,
    target_s: float,
    fmt: str,
    **capacities: str | None,
) -> None:
    """Cold-start planner: per tier, what is provisioned and how long replicas wait for the model.

    \b
    gen-values plan --model-size 140GB --replicas 8
    gen-values plan --params 70B --dtype bf16 --replicas 4 --loader runai-streamer --layout striped
    gen-values plan --model-size 554Gi --nodes-per-replica 2 --lustre-size 16Ti
    gen-values plan --model-size 16GB --model-size 140GB   # two models in one cache
    """
    from . import plan as planner

    if bool(model_size) == (params is not None):
        raise click.UsageError(
            "give the model size (--model-size 140GB) or its parameter count (--params 70B --dtype bf16)"
        )
    have = {name.removesuffix("_size").replace("_", "-"): value for name, value in capacities.items() if value}
    try:
        sizes = model_size or (None,)
        nbytes = sum(planner.model_bytes(one, params, dtype) for one in sizes)
    except planner.PlanError as exc:  # a flag's value: a usage error
        raise click.UsageError(str(exc)) from None
    try:
        result = planner.plan(
            nbytes, replicas, vm, lustre_sku, target_s,
            loader=loader, engine=engine, layout=layout, nodes_per_replica=nodes_per_replica, have=have,
            models=len(model_size) or 1,
        )  # fmt: skip
    except planner.PlanError as exc:
        click.echo(f"gen-values plan: {exc}", err=True)
        ctx.exit(INVALID)
    if fmt == "json":
        import json

        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        click.echo(planner.format_text(result), nl=False)


@main.command()
@click.option("--kubeconfig", metavar="PATH", help="kubeconfig (default: kubectl's).")
@click.option("--context", metavar="NAME", help="kubeconfig context.")
@click.option("-n", "--namespace", default="default", show_default=True, help="Namespace of the release.")
@click.option("--release", default="dynamo-cache", show_default=True, help="Release whose claims to report.")
@click.option("--tier", type=Choice(TIERS), help="The tier to judge (default: the values file's, else files).")
@click.option("--values", "values_file", metavar="FILE", help="Values (or spec) of the release: its tier is judged.")
@click.option("--model-size", metavar="SIZE", help="With --replicas: recommend the best tier usable in this cluster.")
@click.option(
    "--replicas", type=click.IntRange(min=1), default=1, show_default=True, help="Replicas that start together."
)
@click.option(
    "--kubectl", "kubectl_binary", metavar="PATH", help="kubectl binary (default $KUBECTL, PATH, beside this Python)."
)
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def doctor(
    ctx: click.Context,
    kubeconfig: str | None,
    context: str | None,
    namespace: str,
    release: str,
    tier: str | None,
    values_file: str | None,
    model_size: str | None,
    replicas: int,
    kubectl_binary: str | None,
    fmt: str,
) -> None:
    """Read a live cluster: CSI drivers, StorageClasses, node pools, the release's claims, Dynamo's CRD;
    which tiers work there now and what the others need.

    \b
    gen-values doctor -n dynamo --tier lustre
    gen-values doctor --values values.yaml --model-size 140GB --replicas 8 --format json
    Exit 0: the chosen tier is usable; 1: something it needs is missing; 3: the cluster could not be read.
    """
    from . import api
    from . import doctor as checks
    from . import plan as planner

    if values_file:
        result = api.load_spec(values_file, {})
        if _report(result, "text", False) != OK:
            ctx.exit(INVALID)
        assert result.spec is not None
        tier = tier or result.spec.get("tier")
        namespace = result.spec.get("namespace") or namespace
    try:
        size = planner.model_bytes(model_size) if model_size else None
        kubectl = checks.find_kubectl(kubectl_binary)
    except planner.PlanError as exc:
        raise click.BadParameter(str(exc), param_hint="--model-size") from None
    except checks.DoctorError as exc:
        click.echo(f"gen-values doctor: {exc}", err=True)
        ctx.exit(UNCHECKED)
    report = checks.examine(
        kubectl, kubeconfig, context, namespace, release, tier or CATALOG["defaultTier"], size, replicas
    )
    if fmt == "json":
        import json

        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(checks.format_text(report), nl=False)
    ctx.exit(OK if report.ok else UNCHECKED if report.undetermined else INVALID)


def run() -> None:
    """Console entry point: no traceback ever reaches the user."""
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, with its own exit code, no traceback
        click.echo(f"gen-values: internal error (please report it): {type(exc).__name__}: {exc}", err=True)
        sys.exit(INTERNAL)
    finally:
        # The command is done: spare the interpreter's exit the cyclic-garbage passes over
        # every object the imports made (about 10% of a typical run, ci/benchmark.py).
        # Exit still flushes files, runs atexit handlers and frees memory as usual.
        gc.freeze()
