"""What each workflow job is given, as typed values: the rules' params.

A spec holds exactly the config its job depends on, so Snakemake's params comparison reruns a
job when, and only when, that part of the config changes. Dicts inside a spec are stored with
sorted keys: the same config gives the same spec whatever the order of keys in the YAML file.
Rules hand specs to Snakemake as canonical JSON (`to_json`, a rule's `spec` param): a built-in
type, which Snakemake's params comparison sees (it would never rerun a job for a change inside
another object), and the one form in which a spec travels to its job, whose script rebuilds
it with `SpecClass.from_json(snakemake.params.spec)` (scripts/).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Self

from albench import LOOP_VERSION

# The name of a config's one protocol when it names none (`protocols:` absent).
DEFAULT_PROTOCOL = "default"


def canonical(obj: Any) -> str:
    """Return `obj` as JSON with sorted keys, so equal configs give equal strings."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def sorted_data(obj: Any) -> Any:
    """Return plain data `obj` with every dict's keys sorted (recursively)."""
    if isinstance(obj, dict):
        return {key: sorted_data(obj[key]) for key in sorted(obj)}
    if isinstance(obj, list | tuple):
        return [sorted_data(item) for item in obj]
    return obj


class Spec:
    """Base of the job specs: frozen dataclasses of plain data."""

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, dict | list | tuple):
                object.__setattr__(self, item.name, sorted_data(value))

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as a dict of plain data."""
        return {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}

    def to_json(self) -> str:
        """Return the spec as canonical JSON (a rule's `spec` param, file metadata, checkpoint
        keys)."""
        return canonical(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Self:
        """Return the spec whose `to_json()` is `text` (a rule's `spec` param, in its script)."""
        return cls(**json.loads(text))


@dataclass(frozen=True)
class DatasetSpec(Spec):
    """A data set: its name and its config entry (`datasets.<name>`)."""

    name: str
    source: dict[str, Any]


@dataclass(frozen=True)
class SplitSpec(Spec):
    """The split of one data set for one replicate seed."""

    dataset: str
    seed: int
    test_size: float
    initial_size: int | float
    validation_size: int | float = 0


@dataclass(frozen=True)
class CellSpec(Spec):
    """One AL cell: data set x model x protocol x strategy x seed, with the model, strategy and
    protocol config it runs. `embedding_maps` ({iterations, seeds}) only for cells of mapped
    models."""

    dataset: str
    model: str
    strategy: str
    seed: int
    model_spec: dict[str, Any]
    strategy_spec: dict[str, Any]
    protocol: dict[str, Any]
    loop_version: int = LOOP_VERSION
    embedding_maps: dict[str, Any] | None = None
    protocol_name: str = DEFAULT_PROTOCOL

    def config_json(self) -> str:
        """Return the cell's config without its seed as canonical JSON (file metadata)."""
        config = {
            k: v
            for k, v in self.to_dict().items()
            if k != "seed" and not (k == "embedding_maps" and v is None)
        }
        return canonical(config)


@dataclass(frozen=True)
class ReferenceSpec(Spec):
    """The full-pool reference of one data set x model x seed: the model fitted on the labels
    the protocol's oracle gives for every learnable row (`label_noise`)."""

    dataset: str
    model: str
    seed: int
    model_spec: dict[str, Any]
    metrics: list[str]
    loop_version: int = LOOP_VERSION
    label_noise: float = 0.0
    protocol_name: str = DEFAULT_PROTOCOL

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as plain data; without `label_noise` when there is none, so that
        references of exact oracles keep the params (and results) they had before it."""
        spec = super().to_dict()
        if not spec["label_noise"]:
            del spec["label_noise"]
        return spec


@dataclass(frozen=True)
class FigureSpec(Spec):
    """What a comparison figure draws: which model (and data set), the strategies in colour
    order, the baseline and the metrics (the first one for single-metric figures)."""

    model: str
    strategies: list[str]
    baseline: str
    metrics: list[str]
    dataset: str | None = None
    protocol: str = DEFAULT_PROTOCOL


@dataclass(frozen=True)
class SummarySpec(Spec):
    """What a data set's summary tables compare: the baseline, the labelled-set sizes of
    `budgets` (the config's), the config's `equivalence_margin` (None: the defaults) and its
    `stability` settings ({seeds: subset sizes, draws}; None: the defaults)."""

    baseline: str
    budgets: list[int] = dataclasses.field(default_factory=list)
    equivalence_margin: float | dict[str, float] | None = None
    stability: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as plain data; without `equivalence_margin` or `stability` when the
        config sets none, so that summaries of configs without them keep their params."""
        spec = super().to_dict()
        for name in ("equivalence_margin", "stability"):
            if spec[name] is None:
                del spec[name]
        return spec


@dataclass(frozen=True)
class StoppingSpec(Spec):
    """What a data set's stopping summaries replay: the criteria ({name: {criterion, params}},
    defaults filled), the cost pairs, the plateau margin, and the score (first classification
    metric) the stops are judged by."""

    criteria: dict[str, dict[str, Any]]
    costs: list[list[float]]
    plateau_margin: float
    metric: str = "accuracy"
    regression_metric: str = "rmse"


@dataclass(frozen=True)
class VerdictSpec(Spec):
    """What the end-of-run verdict states: the baseline, the metric of its comparisons (the
    first of the protocol's), the strategies in config order, and the share of the full-pool
    score whose label savings it quotes. A config of both tasks names the metric of its
    regression data sets in `regression_metric` (`metric` is then the classification one)."""

    baseline: str
    metric: str
    strategies: list[str]
    threshold: float = 0.95
    regression_metric: str | None = None
    results: str = "results"
    config_files: list[str] = dataclasses.field(default_factory=list)
    config_fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as plain data; without `regression_metric` when there is none, so
        that the verdicts of configs of one task keep their params."""
        spec = super().to_dict()
        if spec["regression_metric"] is None:
            del spec["regression_metric"]
        return spec


@dataclass(frozen=True)
class BlindPickSpec(Spec):
    """What the blind pick compares: the baseline, the strategies in config order (ties go to
    the first), the verdict's metric of each task, and the policies that pick
    (`albench.analysis.blind`)."""

    baseline: str
    strategies: list[str]
    metrics: list[str]
    policies: list[str]


@dataclass(frozen=True)
class ExplorerSpec(Spec):
    """What the explorer page needs of the config: the baseline, the strategies in config
    order, each task's metrics (the first is the verdict's), each data set's task, which
    config it is, and whether it draws every seed's curve (`explorer.seeds`)."""

    baseline: str
    strategies: list[str]
    metrics: dict[str, list[str]]
    tasks: dict[str, str]
    config_files: list[str] = dataclasses.field(default_factory=list)
    config_fingerprint: str = ""
    seeds: bool = False


@dataclass(frozen=True)
class MapSpec(Spec):
    """One embedding map: a cell's recorded iteration, drawn with `method`."""

    title: str
    seed: int
    iteration: int
    method: str = "tsne"
