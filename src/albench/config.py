"""Semantic checks of a benchmark config and the per-cell view of it.

The JSON schema (`workflow/schemas/config.schema.yaml`) checks shapes and types; this module
checks what a schema cannot: that classes exist, that the baseline is a strategy, and that the
protocol fits every data set. Every error names the config key, and the data set where one is
involved.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from albench import LOOP_VERSION
from albench.datasets import known_size
from albench.errors import ConfigError
from albench.probe import dataset_shape, probe_grid


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


def resolve_size(value: int | float, n_samples: int, key: str) -> int:
    """Return `value` as a sample count: integers as given, fractions of `n_samples` rounded."""
    if isinstance(value, bool):
        raise ConfigError(f"{key}: expected an integer or a fraction, got {value!r}")
    if isinstance(value, int):
        if value < 1:
            raise ConfigError(f"{key}: must be at least 1, got {value}")
        return value
    if not 0 < value < 1:
        raise ConfigError(f"{key}: a fraction must lie in (0, 1), got {value}")
    return max(1, round(value * n_samples))


DEFAULT_ITERATIONS = 20


@dataclass(frozen=True)
class Sizes:
    """A protocol's sample counts for one data set of `n_samples` labelled samples."""

    n_samples: int
    test: int
    validation: int
    initial: int
    batch: int
    iterations: int

    @property
    def learnable(self) -> int:
        """Rows the learner may label: neither test nor validation."""
        return self.n_samples - self.test - self.validation


def resolve_protocol(protocol: dict[str, Any], n_samples: int) -> Sizes:
    """Return the sample counts `protocol` means for a data set of `n_samples`.

    Fractions are of the whole data set. The test size follows scikit-learn's
    `train_test_split` (rounded up). `budget`, the labelled-set size to reach, is an alternative
    to `iterations`: it gives as many full batches as fit after the initial set.
    """
    test = math.ceil(protocol["test_size"] * n_samples)
    validation_size = protocol.get("validation_size", 0)
    validation = 0
    if validation_size:
        validation = resolve_size(validation_size, n_samples, "protocol.validation_size")
    initial = resolve_size(protocol["initial_size"], n_samples, "protocol.initial_size")
    batch = resolve_size(protocol["batch_size"], n_samples, "protocol.batch_size")
    if "budget" in protocol and "iterations" in protocol:
        raise ConfigError("protocol: give either iterations or budget, not both")
    if "budget" in protocol:
        budget = resolve_size(protocol["budget"], n_samples, "protocol.budget")
        iterations = (budget - initial) // batch
        if iterations < 1:
            raise ConfigError(
                f"protocol.budget: {budget} labels leave no room for a batch of {batch} after "
                f"the initial {initial}"
            )
    else:
        iterations = protocol.get("iterations", DEFAULT_ITERATIONS)
    return Sizes(n_samples, test, validation, initial, batch, iterations)


def check_protocol_fits(name: str, protocol: dict[str, Any], n_samples: int) -> None:
    """Raise ConfigError unless initial + iterations x batch fits in data set `name`'s pool."""
    sizes = resolve_protocol(protocol, n_samples)
    needed = sizes.initial + sizes.iterations * sizes.batch
    if needed > sizes.learnable:
        raise ConfigError(
            f"protocol: data set {name!r} has {sizes.learnable} samples outside the test and "
            f"validation sets, but initial_size ({sizes.initial}) + iterations "
            f"({sizes.iterations}) x batch_size ({sizes.batch}) = {needed}; lower "
            "protocol.iterations, budget or batch_size, or drop the data set"
        )


def check_config(config: dict[str, Any], probe: bool = True) -> None:
    """Raise ConfigError naming the key if the schema-valid `config` cannot run.

    With `probe`, every model x strategy pair also queries once on tiny data of each data
    set's shape (`albench.probe`), so no pair fails in its first query for a reason known now.
    """
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
    from albench.models import build_estimator, gives_embeddings, gives_probabilities
    from albench.strategies import needs_probabilities, strategy_class

    need_proba = [n for n, s in strategies.items() if needs_probabilities(strategy_class(n, s))]
    maps = embedding_maps(config)
    for name, spec in config["models"].items():
        estimator = build_estimator(f"models.{name}", spec, random_state=0)
        if need_proba and not gives_probabilities(estimator):
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
    if maps:
        _check_embedding_maps(config, maps)
    protocol = config["protocol"]
    shapes = {}
    for name, spec in config["datasets"].items():
        size = known_size(spec, name)
        if size is not None:
            check_protocol_fits(name, protocol, size)
            if probe and (shape := dataset_shape(name, spec)) is not None:
                shapes[name] = (shape, resolve_protocol(protocol, size).initial)
            last = max(maps["iterations"]) if maps else 0
            iterations = resolve_protocol(protocol, size).iterations
            if last > iterations:
                raise ConfigError(
                    f"embedding_maps.iterations: {last} is past the last iteration "
                    f"({iterations}) of data set {name!r}"
                )
    if shapes:
        probe_grid(config["models"], strategies, shapes, protocol.get("candidate_subsample"))


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


def cells(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one {dataset, model, strategy, seed} record per cell of the benchmark grid."""
    return [
        {"dataset": d, "model": m, "strategy": s, "seed": seed}
        for d in config["datasets"]
        for m in config["models"]
        for s in config["strategies"]
        for seed in seed_list(config)
    ]


def canonical(obj: Any) -> str:
    """Return `obj` as JSON with sorted keys, so equal configs give equal strings."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


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
    """Return one {dataset, model, strategy, seed, iteration} record per embedding map."""
    maps = embedding_maps(config)
    if maps is None:
        return []
    return [
        {**cell, "iteration": iteration}
        for cell in cells(config)
        if cell["model"] in maps["models"] and cell["seed"] in maps["seeds"]
        for iteration in maps["iterations"]
    ]


def cell_spec(config: dict[str, Any], dataset: str, model: str, strategy: str) -> str:
    """Return, as canonical JSON, exactly the config that cells of this triple depend on.

    Handed to each cell as a Snakemake param: editing one strategy's params reruns only that
    strategy's cells, and a LOOP_VERSION bump reruns all of them. Cells of a model with
    embedding maps also carry the iterations and seeds to record (not the drawing method).
    """
    spec = {
        "dataset": dataset,
        "model": model,
        "strategy": strategy,
        "model_spec": config["models"][model],
        "strategy_spec": config["strategies"][strategy],
        "protocol": config["protocol"],
        "loop_version": LOOP_VERSION,
    }
    maps = embedding_maps(config)
    if maps is not None and model in maps["models"]:
        spec["embedding_maps"] = {"iterations": maps["iterations"], "seeds": maps["seeds"]}
    return canonical(spec)


def full_pool_spec(config: dict[str, Any], dataset: str, model: str) -> str:
    """Return, as canonical JSON, the config a full-pool reference of this pair depends on."""
    return canonical(
        {
            "dataset": dataset,
            "model": model,
            "model_spec": config["models"][model],
            "metrics": config["protocol"]["metrics"],
            "loop_version": LOOP_VERSION,
        }
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
