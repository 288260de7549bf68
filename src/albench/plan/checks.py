"""Semantic checks of a benchmark config, beyond its schema.

The JSON schema (`workflow/schemas/config.schema.yaml`) checks shapes and types; this module
checks what a schema cannot: that classes exist, that the baseline is a strategy, and that the
protocol fits every data set. Every error names the config key, and the data set where one is
involved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from albench.analysis.power import ALPHA, seeds_needed, smallest_p
from albench.analysis.tables import BLIND_PICK_MIN_DATASETS as MIN_DATASETS
from albench.data.sources import check_dataset, dataset_shape, known_size, task_hint
from albench.errors import ConfigError
from albench.plan.grid import (
    dataset_tasks,
    embedding_maps,
    metrics_of,
    model_tasks,
    protocol_names,
    protocol_of,
    runs,
    seed_list,
    strategy_tasks,
)
from albench.plan.probe import PassedProbes, probe_grid
from albench.protocol import check_protocol_fits, resolve_protocol
from albench.stopping.choice import check_stopping
from albench.tasks import CLASSIFICATION, REGRESSION


def check_config(
    config: dict[str, Any],
    probe: bool = True,
    probed: PassedProbes | None = None,
    notify: Callable[[str], None] | None = None,
) -> None:
    """Raise ConfigError naming the key if the schema-valid `config` cannot run.

    First what `check_design` checks without imports, then that every model and strategy can
    be built and fits its data sets' tasks. With `probe`, every model x strategy pair also
    queries once on tiny data of each data set's shape (`albench.plan.probe`), so no pair fails
    in its first query for a reason known now; but not the pairs whose probe `probed`
    (`albench.plan.checked.ProbeRecords`) holds as passed before; a slow probe is told to
    `notify`.
    """
    known = check_design(config)
    for name, spec in config["datasets"].items():
        check_dataset(name, spec)
    from albench.learn.models import build_estimator, gives_embeddings, gives_probabilities
    from albench.learn.strategies import needs_probabilities, strategy_class

    check_tasks(config)
    check_stopping(config)
    strategies = config["strategies"]
    need_proba = [n for n, s in strategies.items() if needs_probabilities(strategy_class(n, s))]
    maps = embedding_maps(config)
    kinds = model_tasks(config, lazy=False)
    for name, spec in config["models"].items():
        estimator = build_estimator(f"models.{name}", spec, 0, kinds[name])
        if kinds[name] == CLASSIFICATION and need_proba and not gives_probabilities(estimator):
            raise ConfigError(
                f"models.{name}: {type(estimator).__name__} gives no class probabilities "
                f"(predict_proba), which strategies {need_proba} need; enable them (e.g. "
                "SVC's probability: true) or drop those strategies"
            )
        if maps and name in maps["models"] and not gives_embeddings(estimator):
            raise ConfigError(
                f"embedding_maps.models: model {name!r} ({type(estimator).__name__}) gives no "
                "embeddings (its predict_proba takes no return_embeddings)"
            )
    if probe:
        _probe(config, known, probed, notify)


def check_design(config: dict[str, Any]) -> dict[str, int]:
    """Raise ConfigError naming the key if the schema-valid `config` cannot run for a reason
    known without importing any model or strategy: the seeds, the baseline, the equivalence
    margins, the blind pick's data sets, the embedding maps' names, and the protocol's and
    budgets' fit to every data set whose size is cheap to know; return those sizes by data
    set."""
    seed_list(config)
    strategies = config["strategies"]
    if config["baseline"] not in strategies:
        raise ConfigError(
            f"baseline: {config['baseline']!r} is not one of the strategies {sorted(strategies)}"
        )
    if len(strategies) < 2:
        raise ConfigError(
            f"strategies: only the baseline {config['baseline']!r}; a benchmark compares at least "
            "one other strategy with it"
        )
    _check_margins(config.get("equivalence_margin"))
    if "blind_pick" in config and len(config["datasets"]) < MIN_DATASETS:
        raise ConfigError(
            f"blind_pick: each data set's strategy is picked from the others' results, which "
            f"needs at least {MIN_DATASETS} data sets (this config has "
            f"{len(config['datasets'])}); add data sets or remove the key"
        )
    maps = embedding_maps(config)
    if maps:
        _check_embedding_maps(config, maps)
    known = {}
    for name, spec in config["datasets"].items():
        size = known_size(spec, name)
        if size is None:
            continue
        known[name] = size
        for protocol_name in protocol_names(config):
            key = protocol_key(config, protocol_name)
            protocol = protocol_of(config, protocol_name)
            check_protocol_fits(name, protocol, size, key)
            sizes = resolve_protocol(protocol, size, key)
            pool = sizes.learnable - sizes.initial
            if protocol.get("stop_set_size", 0) > pool:
                raise ConfigError(
                    f"{key}.stop_set_size: {protocol['stop_set_size']} rows, but data set "
                    f"{name!r} has a pool of {pool}; give at most {pool}, or leave it out "
                    "(1000, or the whole pool where smaller)"
                )
            last = max(maps["iterations"]) if maps else 0
            if last > sizes.iterations:
                raise ConfigError(
                    f"embedding_maps.iterations: {last} is past the last iteration "
                    f"({sizes.iterations}) of data set {name!r} under {key}"
                )
    largest = {
        name: max(s.final_labelled for s in sizes) for name, sizes in protocol_sizes(config).items()
    }
    if largest:
        unreached = [b for b in config.get("budgets", []) if b > max(largest.values())]
        if unreached:
            name, most = max(largest.items(), key=lambda item: item[1])
            raise ConfigError(
                f"budgets: {unreached} labels are reached by no data set: the largest labelled "
                f"set is {most} (data set {name!r}, the protocol's last iteration); lower the "
                "budgets or raise protocol.iterations, budget or batch_size"
            )
    return known


def _probe(
    config: dict[str, Any],
    sizes: dict[str, int],
    probed: PassedProbes | None,
    notify: Callable[[str], None] | None = None,
) -> None:
    """Probe every model x strategy pair on data of each data set of a known size (`sizes`) and
    a shape cheap to know (`albench.plan.probe.probe_grid`)."""
    shapes = {}
    for name, size in sizes.items():
        if (shape := dataset_shape(name, config["datasets"][name])) is None:
            continue
        for protocol_name in protocol_names(config):
            key = protocol_key(config, protocol_name)
            sizes = resolve_protocol(protocol_of(config, protocol_name), size, key)
            # The probe's labelled set: the smallest initial set any protocol starts from;
            # users' strategies are checked with the largest batch any protocol queries.
            _, initial, batch = shapes.get(name, (shape, sizes.initial, sizes.batch))
            shapes[name] = (shape, min(initial, sizes.initial), max(batch, sizes.batch))
    if shapes:
        subsample = config["protocol"].get("candidate_subsample")
        probe_grid(
            config["models"], config["strategies"], shapes, subsample, runs(config), probed, notify
        )


NOUN = {CLASSIFICATION: "classifier", REGRESSION: "regressor"}


def check_tasks(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the key unless every model and strategy runs on some data set
    of its task, every data set has a model, the baseline and another strategy of its task,
    its metrics are of its task, and no protocol adds label noise to a regression target."""
    tasks = dataset_tasks(config)
    present = set(tasks.values())
    hint = {
        REGRESSION: " (a data set is a regression task with task: regression)",
        CLASSIFICATION: "",
    }
    for name, kind in model_tasks(config, lazy=False).items():
        if kind not in present:
            raise ConfigError(
                f"models.{name}: {config['models'][name].get('estimator', 'the pipeline')} is "
                f"a {NOUN[kind]}, but no data set is a {kind} task{hint[kind]}"
            )
    for name, kinds in strategy_tasks(config, lazy=False).items():
        if not present & set(kinds):
            query = config["strategies"][name]["query"]
            raise ConfigError(
                f"strategies.{name}: {query} is a {kinds[0]} strategy (its query takes a "
                f"{NOUN[kinds[0]]}), but no data set is a {kinds[0]} task{hint[kinds[0]]}"
            )
    baseline = config["baseline"]
    for dataset, (models, strategies) in runs(config).items():
        task = tasks[dataset]
        if not models:
            raise ConfigError(
                f"datasets.{dataset}: a {task} task, but no model is a {NOUN[task]}; add one "
                "to models"
            )
        if baseline not in strategies:
            raise ConfigError(
                f"baseline: {baseline!r} cannot query on data set {dataset!r} (a {task} task)"
            )
        if len(strategies) < 2:
            raise ConfigError(
                f"datasets.{dataset}: a {task} task, but no strategy besides the baseline "
                f"{baseline!r} queries on it; add a {task} strategy"
                + (" (GreedySamplingX, GreedySamplingTarget, ...)" if task == REGRESSION else "")
            )
        metrics_of(config, dataset)
        if task == REGRESSION:
            for protocol in protocol_names(config):
                if protocol_of(config, protocol).get("label_noise"):
                    raise ConfigError(
                        f"{protocol_key(config, protocol)}.label_noise: flips classes, but "
                        f"data set {dataset!r} is a regression task (its target has none)"
                    )


def _check_margins(margins: Any) -> None:
    """Refuse an `equivalence_margin` mapping naming what is no metric."""
    from albench.tasks import TASK_METRICS

    known = [m for names in TASK_METRICS.values() for m in names]
    if isinstance(margins, dict):
        unknown = [m for m in margins if m not in known]
        if unknown:
            kind = "is no metric" if len(unknown) == 1 else "are no metrics"
            raise ConfigError(f"equivalence_margin: {unknown} {kind}; the metrics are {known}")


def left_out(config: dict[str, Any]) -> list[str]:
    """Return, for a config of both tasks, which models and strategies do not run on which
    data sets (those of the other task), one line each."""
    tasks = dataset_tasks(config)
    if len(set(tasks.values())) < 2:
        return []
    lines = []
    for dataset, (models, strategies) in runs(config).items():
        skipped = [m for m in config["models"] if m not in models]
        skipped += [s for s in config["strategies"] if s not in strategies]
        if skipped:
            lines.append(
                f"tasks: data set {dataset!r} is a {tasks[dataset]} task: it runs without "
                f"{skipped} (of the other task)"
            )
    return lines


def protocol_key(config: dict[str, Any], name: str) -> str:
    """Return the config key of protocol `name`, for errors: `protocols.<name>` or `protocol`."""
    return f"protocols.{name}" if config.get("protocols") else "protocol"


def protocol_sizes(config: dict[str, Any]) -> dict[str, list]:
    """Return, per data set whose size is known without loading it, the sample counts
    (`albench.protocol.Sizes`) of each protocol."""
    return {
        name: [
            resolve_protocol(protocol_of(config, p), size, protocol_key(config, p))
            for p in protocol_names(config)
        ]
        for name, spec in config["datasets"].items()
        if (size := known_size(spec, name)) is not None
    }


def design_warnings(config: dict[str, Any]) -> list[str]:
    """Return warnings about what the design cannot show, for the user before the run: seeds
    too few for any comparison with the baseline to be significant (`analysis.power`), budgets
    that some data sets never reach, and budgets within the initial labelled set."""
    warnings = [*left_out(config)]
    for name, spec in config["datasets"].items():
        hint = task_hint(name, spec)
        if hint is not None:
            warnings.append(hint)
    if config.get("budgets"):
        sizes = protocol_sizes(config)
        largest = {name: max(s.final_labelled for s in each) for name, each in sizes.items()}
        initial = {name: max(s.initial for s in each) for name, each in sizes.items()}
        for budget in sorted(config["budgets"]):
            short = [name for name, most in largest.items() if most < budget]
            if short and len(short) < len(largest):
                warnings.append(
                    f"budgets: {budget} labels are past the last iteration of data set(s) "
                    f"{short}: comparison_at_budget.csv has no rows for them at {budget}"
                )
            cold = [name for name, size in initial.items() if budget <= size]
            if cold:
                warnings.append(
                    f"budgets: {budget} labels are within the initial labelled set of data "
                    f"set(s) {cold}: there every strategy is still the same initial model, so "
                    "the comparison at that budget shows no difference by construction"
                )
    n_seeds, compared = len(seed_list(config)), len(config["strategies"]) - 1
    floor = smallest_p(n_seeds, compared)
    if floor < ALPHA:
        return warnings
    return [
        *warnings,
        f"seeds: {n_seeds} seed(s) cannot show any strategy better or worse than the baseline "
        f"{config['baseline']!r} at alpha = {ALPHA}: the smallest p-value any result could give "
        f"is {floor:.3g} (two-sided Wilcoxon signed-rank test over paired seeds, Holm-corrected "
        f"for {compared} {'strategy' if compared == 1 else 'strategies'}). "
        f"{seeds_needed(compared)} seeds can; with {n_seeds}, every "
        "comparison will read 'too few seeds to tell'.",
    ]


def _check_embedding_maps(config: dict[str, Any], maps: dict[str, Any]) -> None:
    unknown = [m for m in maps["models"] if m not in config["models"]]
    if unknown:
        raise ConfigError(
            f"embedding_maps.models: {unknown} not among the models {sorted(config['models'])}"
        )
    seeds = seed_list(config)
    foreign = [s for s in maps["seeds"] if s not in seeds]
    if foreign:
        raise ConfigError(f"embedding_maps.seeds: {foreign} not among the seeds {seeds}")
    if maps["method"] == "umap":
        import importlib.util

        if importlib.util.find_spec("umap") is None:
            raise ConfigError(
                "embedding_maps.method: umap needs umap-learn (pip install umap-learn, or the "
                "albench[umap] extra); or use tsne"
            )


def check_config_files(paths: Sequence[str | Path]) -> None:
    """Raise ConfigError naming the file, line and key of any duplicate name in a YAML config.

    YAML loaders (Snakemake's too) keep the last of two equal keys without a word, so a second
    strategy pasted under an existing name would silently replace the first.
    """
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(
                    f"{path}: line {line}: duplicate name {key!r} (first on line {seen[key]}); "
                    "names of data sets, models and strategies must be unique"
                )
            seen[key] = line
        return loader.construct_mapping(node, deep)

    UniqueKeyLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping
    )
    for path in paths:
        with open(path, encoding="utf-8") as stream:
            yaml.load(stream, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
