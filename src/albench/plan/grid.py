"""The benchmark grid a config describes, and the spec of each of its jobs.

The workflow's input functions and params call these, and nothing else enumerates the grid:
aggregating jobs receive their rule's input list itself.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
from collections.abc import Sequence
from typing import Any

from albench.errors import ConfigError
from albench.protocol import DEFAULT_ITERATIONS
from albench.specs import (
    DEFAULT_PROTOCOL,
    BlindPickSpec,
    CellSpec,
    DatasetSpec,
    ExplorerSpec,
    FigureSpec,
    MapSpec,
    ReferenceSpec,
    SplitSpec,
    StoppingSpec,
    SummarySpec,
    VerdictSpec,
    canonical,
)
from albench.tasks import CLASSIFICATION, REGRESSION, TASKS, task_metrics
from albench.usercode import imports_of, source_files


def seed_list(config: dict[str, Any]) -> list[int]:
    """Return the replicate seeds: 0..n-1 for an integer `seeds`, else the list as given."""
    seeds = config["seeds"]
    if isinstance(seeds, bool) or not isinstance(seeds, int | list):
        raise ConfigError(f"seeds: expected a positive integer or a list, got {seeds!r}")
    if isinstance(seeds, int):
        if seeds < 1:
            raise ConfigError(f"seeds: must be at least 1, got {seeds}")
        return list(range(seeds))
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds):
        raise ConfigError(f"seeds: a list must hold non-negative integers, got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"seeds: the list repeats a seed: {seeds!r}")
    return list(seeds)


# What a named protocol's entry replaces as a whole: giving one of these drops the other.
ALTERNATIVES = {"budget": "iterations", "iterations": "budget"}


def protocol_names(config: dict[str, Any]) -> list[str]:
    """Return the protocols the cells run: those `protocols:` names, else DEFAULT_PROTOCOL."""
    return list(config.get("protocols") or [DEFAULT_PROTOCOL])


def protocol_name(config: dict[str, Any], name: str | None = None) -> str:
    """Return `name`, or the config's first protocol when None."""
    return protocol_names(config)[0] if name is None else name


def protocol_of(config: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """Return protocol `name` (the first by default): `protocol` with the named entry's keys
    replacing its own (a named `budget` drops the defaults' `iterations`, and vice versa), and
    every default filled (`iterations` where no `budget` is given; no `label_noise` for a clean
    oracle)."""
    name = protocol_name(config, name)
    named = config.get("protocols") or {}
    if named and name not in named:
        raise ConfigError(f"protocols: no protocol named {name!r}; named: {sorted(named)}")
    if not named and name != DEFAULT_PROTOCOL:
        raise ConfigError(f"protocols: no protocol named {name!r} (the config names none)")
    override = named.get(name, {})
    protocol = {
        key: value
        for key, value in config["protocol"].items()
        if not any(ALTERNATIVES.get(k) == key for k in override)
    }
    protocol = {**protocol, **override}
    # What the schema cannot fill, so that a default written out and one left out give the
    # same specs (and reuse the same cells): `iterations` where no `budget` is given; a clean
    # oracle is no `label_noise` key.
    if "budget" not in protocol:
        protocol.setdefault("iterations", DEFAULT_ITERATIONS)
    if not protocol.get("label_noise"):
        protocol.pop("label_noise", None)
    return protocol


def dataset_tasks(config: dict[str, Any]) -> dict[str, str]:
    """Return each data set's task (`albench.tasks`), from its config or its source."""
    from albench.data.sources import dataset_task

    return {name: dataset_task(name, spec) for name, spec in config["datasets"].items()}


@functools.cache
def _model_task(name: str, spec: str) -> str:
    import json

    from albench.learn.models import model_task

    return model_task(f"models.{name}", json.loads(spec))


@functools.cache
def _strategy_tasks(name: str, spec: str) -> tuple[str, ...]:
    import json

    from albench.learn.strategies import strategy_tasks

    return strategy_tasks(name, json.loads(spec))


def model_tasks(config: dict[str, Any], lazy: bool = True) -> dict[str, str]:
    """Return each model's task: classification for a classifier, regression for a regressor.
    When `lazy`, a config of classification data sets only imports no model for it (all are
    classifiers, as the config check, which is not lazy, makes sure)."""
    if lazy and set(dataset_tasks(config).values()) == {CLASSIFICATION}:
        return dict.fromkeys(config["models"], CLASSIFICATION)
    return {name: _model_task(name, canonical(spec)) for name, spec in config["models"].items()}


def strategy_tasks(config: dict[str, Any], lazy: bool = True) -> dict[str, tuple[str, ...]]:
    """Return the tasks each strategy can query on (`albench.learn.strategies.strategy_tasks`);
    as `model_tasks`, without imports for a config of classification data sets only when
    `lazy`."""
    if lazy and set(dataset_tasks(config).values()) == {CLASSIFICATION}:
        return dict.fromkeys(config["strategies"], TASKS)
    return {
        name: _strategy_tasks(name, canonical(spec)) for name, spec in config["strategies"].items()
    }


def runs(config: dict[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    """Return, per data set, the models and the strategies of its task, in config order: the
    cells a data set runs (a classifier never meets a regression data set)."""
    models, strategies = model_tasks(config), strategy_tasks(config)
    return {
        dataset: (
            [m for m, kind in models.items() if kind == task],
            [s for s, kinds in strategies.items() if task in kinds],
        )
        for dataset, task in dataset_tasks(config).items()
    }


def dataset_models(config: dict[str, Any], dataset: str) -> list[str]:
    """Return the models that run on data set `dataset` (those of its task)."""
    return runs(config)[dataset][0]


def cells(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one {dataset, model, protocol, strategy, seed} record per cell of the grid: every
    data set with each model and strategy of its task."""
    return [
        {"dataset": d, "model": m, "protocol": p, "strategy": s, "seed": seed}
        for d, (models, strategies) in runs(config).items()
        for m in models
        for p in protocol_names(config)
        for s in strategies
        for seed in seed_list(config)
    ]


def model_pairs(config: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the (data set, model) pairs that run, in config order."""
    return [(d, m) for d, (models, _) in runs(config).items() for m in models]


def stopping_pairs(config: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the (data set, model) pairs whose cells stopping criteria judge: every pair (a
    regression data set's by the criteria for a numeric target)."""
    return model_pairs(config)


def metrics_of(config: dict[str, Any], dataset: str) -> list[str]:
    """Return the metrics data set `dataset` is scored with: the protocol's for its task
    (`albench.tasks.task_metrics`)."""
    task = dataset_tasks(config)[dataset]
    return task_metrics(config["protocol"], task, f"data set {dataset!r}")


def model_metrics(config: dict[str, Any], model: str) -> list[str]:
    """Return the metrics the data sets of model `model`'s task are scored with."""
    return task_metrics(config["protocol"], model_tasks(config)[model], f"model {model!r}")


def embedding_maps(config: dict[str, Any]) -> dict[str, Any] | None:
    """Return the config's `embedding_maps` with its defaults filled (seeds: the first seed),
    or None when it has none."""
    maps = config.get("embedding_maps")
    if not maps:
        return None
    return {
        "models": list(maps["models"]),
        "iterations": sorted(maps["iterations"]),
        "seeds": list(maps.get("seeds") or seed_list(config)[:1]),
        "method": maps.get("method", "tsne"),
    }


def mapped_cells(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one {dataset, model, protocol, strategy, seed, iteration} record per embedding map."""
    maps = embedding_maps(config)
    if maps is None:
        return []
    return [
        {**cell, "iteration": iteration}
        for cell in cells(config)
        if cell["model"] in maps["models"] and cell["seed"] in maps["seeds"]
        for iteration in maps["iterations"]
    ]


def code_files(config: dict[str, Any], model: str, strategy: str | None = None) -> list[str]:
    """Return the files of the project's own code that the model (and strategy) of a job
    import (`albench.usercode.source_files`), so that editing them reruns exactly its jobs."""
    specs = {f"models.{model}": config["models"][model]}
    if strategy is not None:
        specs[f"strategies.{strategy}"] = config["strategies"][strategy]
    files = {
        f
        for key, spec in specs.items()
        for path in imports_of(spec)
        for f in source_files(path, key)
    }
    return sorted(files)


def dataset_spec(config: dict[str, Any], dataset: str) -> DatasetSpec:
    """Return the spec of data set `dataset`'s preparation (and download)."""
    return DatasetSpec(name=dataset, source=config["datasets"][dataset])


def split_spec(
    config: dict[str, Any], dataset: str, seed: int, protocol: str | None = None
) -> SplitSpec:
    """Return the spec of data set `dataset`'s split for replicate `seed` under `protocol`
    (protocols with equal test and validation sizes hold out the same rows)."""
    protocol = protocol_of(config, protocol)
    return SplitSpec(
        dataset=dataset,
        seed=int(seed),
        test_size=protocol["test_size"],
        initial_size=protocol["initial_size"],
        validation_size=protocol.get("validation_size", 0),
    )


# Estimators that train on a GPU where one is seen unless their `device` says otherwise.
GPU_ESTIMATORS = {"albench.torch.CNNClassifier": "auto"}


def cell_gpus(config: dict[str, Any], model: str) -> int:
    """Return the GPUs a cell of `model` asks for (Snakemake resource `gpu`): 1 where its
    `device` param (for albench's CNN, "auto" without one) is "auto" or a CUDA device, else 0.
    `--resources gpu=N` then runs at most N such cells at once; a SLURM job asks for the GPU."""
    spec = config["models"][model]
    device = spec.get("params", {}).get("device", GPU_ESTIMATORS.get(spec["estimator"], "cpu"))
    return int(str(device).startswith(("auto", "cuda")))


def cell_spec(
    config: dict[str, Any],
    dataset: str,
    model: str,
    strategy: str,
    seed: int,
    protocol: str | None = None,
) -> CellSpec:
    """Return exactly the config the cell of this data set, model, strategy and seed uses.

    Handed to each cell as a Snakemake param: editing one strategy's params reruns only that
    strategy's cells, and a LOOP_VERSION bump reruns all of them. Cells of a model with
    embedding maps also carry the iterations and seeds to record (not the drawing method).
    """
    maps = embedding_maps(config)
    recorded = None
    if maps is not None and model in maps["models"]:
        recorded = {"iterations": maps["iterations"], "seeds": maps["seeds"]}
    return CellSpec(
        dataset=dataset,
        model=model,
        strategy=strategy,
        seed=int(seed),
        model_spec=config["models"][model],
        strategy_spec=config["strategies"][strategy],
        protocol={**protocol_of(config, protocol), "metrics": metrics_of(config, dataset)},
        embedding_maps=recorded,
        protocol_name=protocol_name(config, protocol),
    )


def reference_spec(
    config: dict[str, Any], dataset: str, model: str, seed: int, protocol: str | None = None
) -> ReferenceSpec:
    """Return the config the full-pool reference of this data set, model, seed and protocol
    uses (of the protocol: its split and its oracle's `label_noise`)."""
    return ReferenceSpec(
        dataset=dataset,
        model=model,
        seed=int(seed),
        model_spec=config["models"][model],
        metrics=metrics_of(config, dataset),
        label_noise=protocol_of(config, protocol).get("label_noise", 0.0),
        protocol_name=protocol_name(config, protocol),
    )


def figure_spec(
    config: dict[str, Any], model: str, dataset: str | None = None, protocol: str | None = None
) -> FigureSpec:
    """Return what a comparison figure of `model` (and `dataset`) under `protocol` needs."""
    task = dataset_tasks(config)[dataset] if dataset else model_tasks(config)[model]
    return FigureSpec(
        model=model,
        strategies=[s for s, kinds in strategy_tasks(config).items() if task in kinds],
        baseline=config["baseline"],
        metrics=metrics_of(config, dataset) if dataset else model_metrics(config, model),
        dataset=dataset,
        protocol=protocol_name(config, protocol),
    )


def stopping_spec(config: dict[str, Any]) -> StoppingSpec:
    """Return what a data set's stopping summaries replay: the config's criteria with their
    defaults filled, its costs and plateau margin, and the first classification metric."""
    from albench.stopping.choice import DEFAULT_COSTS, DEFAULT_PLATEAU, criteria_config

    stopping = config.get("stopping") or {}
    tasks = set(dataset_tasks(config).values())  # the metric of a task the config lacks: unused
    return StoppingSpec(
        criteria=criteria_config(stopping),
        costs=[list(map(float, c)) for c in stopping.get("costs", DEFAULT_COSTS)],
        plateau_margin=float(stopping.get("plateau_margin", DEFAULT_PLATEAU)),
        **{
            key: task_metrics(config["protocol"], task)[0]
            for key, task in (("metric", CLASSIFICATION), ("regression_metric", REGRESSION))
            if task in tasks
        },
    )


def summary_spec(config: dict[str, Any]) -> SummarySpec:
    """Return what the summaries of a data set's cells need of the config: its top-level keys
    named as SummarySpec's fields (a field's default where the config has none)."""
    names = [field.name for field in dataclasses.fields(SummarySpec)]
    return SummarySpec(**{name: copy.deepcopy(config[name]) for name in names if name in config})


def verdict_spec(config: dict[str, Any], config_files: Sequence[str] = ()) -> VerdictSpec:
    """Return what the end-of-run verdict needs of the config, and which config it is: the
    `config_files` it was read from and its `config_fingerprint`."""
    tasks = [t for t in TASKS if t in dataset_tasks(config).values()]
    first = {t: task_metrics(config["protocol"], t)[0] for t in tasks}
    return VerdictSpec(
        baseline=config["baseline"],
        metric=first[tasks[0]],
        strategies=list(config["strategies"]),
        regression_metric=first[REGRESSION] if len(tasks) > 1 else None,
        results=results_folder(config),
        config_files=list(config_files),
        config_fingerprint=config_fingerprint(config),
    )


def blind_pick_spec(config: dict[str, Any]) -> BlindPickSpec:
    """Return what the blind pick needs of the config (`albench.analysis.blind`)."""
    tasks = [t for t in TASKS if t in set(dataset_tasks(config).values())]
    policies = config.get("blind_pick", {}).get("policies", ["by_rank", "by_difference"])
    return BlindPickSpec(
        baseline=config["baseline"],
        strategies=list(config["strategies"]),
        metrics=[task_metrics(config["protocol"], t)[0] for t in tasks],
        policies=list(policies),
    )


def explorer_spec(config: dict[str, Any], config_files: Sequence[str] = ()) -> ExplorerSpec:
    """Return what the explorer page needs of the config (`albench.explorer`)."""
    tasks = dataset_tasks(config)
    return ExplorerSpec(
        baseline=config["baseline"],
        strategies=list(config["strategies"]),
        metrics={t: task_metrics(config["protocol"], t) for t in TASKS if t in set(tasks.values())},
        tasks=tasks,
        config_files=list(config_files),
        config_fingerprint=config_fingerprint(config),
        seeds=bool(config.get("explorer", {}).get("seeds", False)),
    )


DEFAULT_RESULTS = "results"


def results_folder(config: dict[str, Any]) -> str:
    """Return the folder of the config's results: its `results_dir` (default results)."""
    return str(config.get("results_dir", DEFAULT_RESULTS)).rstrip("/") or DEFAULT_RESULTS


def logs_folder(config: dict[str, Any]) -> str:
    """Return the folder of the jobs' logs: logs/, or <results_dir>/logs for a config whose
    results have a folder of their own."""
    results = results_folder(config)
    return "logs" if results == DEFAULT_RESULTS else f"{results}/logs"


def config_fingerprint(config: dict[str, Any]) -> str:
    """Return a short hash of the config (its defaults filled): what a verdict records, so that
    a report of another config can tell."""
    return hashlib.sha256(canonical(config).encode()).hexdigest()[:12]


def map_spec(config: dict[str, Any], cell: dict[str, Any]) -> MapSpec:
    """Return the spec of the embedding map of `cell` ({dataset, model, strategy, seed,
    iteration})."""
    maps = embedding_maps(config)
    protocol = cell.get("protocol", DEFAULT_PROTOCOL)
    names = [
        cell["dataset"],
        cell["model"],
        *([protocol] if protocol != DEFAULT_PROTOCOL else []),
        cell["strategy"],
        f"seed {cell['seed']}",
    ]
    return MapSpec(
        title=" / ".join(names) + ": ",
        seed=int(cell["seed"]),
        iteration=int(cell["iteration"]),
        method=maps["method"] if maps else "tsne",
    )
