"""The two kinds of task a data set can be, and the metrics each is scored with.

A data set is a classification task (classes, the default) or a regression task (a numeric
target): its models, its strategies and its metrics follow from that. The planner reads a data
set's task from its config (`task:`) or from its source (`albench.data.sources`: scikit-learn's
diabetes and the `make_regression`/`make_friedman*` generators are regression tasks); this
module holds what does not need the data: the names, the metrics of each task, and which metrics
a protocol's `metrics` means for a task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from albench.errors import ConfigError

CLASSIFICATION = "classification"
REGRESSION = "regression"
TASKS = (CLASSIFICATION, REGRESSION)


@dataclass(frozen=True)
class Metric:
    """A metric a task records: its name (its function's in `albench.learn.metrics`), its task,
    which way it improves (`albench.directions`), its axis label, and whether a protocol without
    `metrics` records it."""

    name: str
    task: str
    higher_is_better: bool
    label: str
    default: bool = True


# Every metric, in the order the config lists them: adding one is an entry here and its
# function in `albench.learn.metrics`.
METRIC_INFO = {
    metric.name: metric
    for metric in (
        Metric("accuracy", CLASSIFICATION, True, "accuracy"),
        Metric("balanced_accuracy", CLASSIFICATION, True, "balanced accuracy"),
        Metric("f1_macro", CLASSIFICATION, True, "macro F1"),
        Metric("f1_weighted", CLASSIFICATION, True, "weighted F1", default=False),
        Metric("rmse", REGRESSION, False, "RMSE"),
        Metric("mae", REGRESSION, False, "MAE"),
        Metric("r2", REGRESSION, True, "R²"),
        Metric("p95_abs_error", REGRESSION, False, "95th-percentile absolute error", False),
    )
}
# The metrics each task can record, and those a protocol without `metrics` records.
TASK_METRICS = {
    task: tuple(m.name for m in METRIC_INFO.values() if m.task == task) for task in TASKS
}
DEFAULT_METRICS = {
    task: [m.name for m in METRIC_INFO.values() if m.task == task and m.default] for task in TASKS
}


def metric_task(metric: str) -> str:
    """Return the task `metric` scores; ValueError for an unknown metric."""
    for task, names in TASK_METRICS.items():
        if metric in names:
            return task
    raise ValueError(f"unknown metric {metric!r}")


def task_metrics(protocol: dict[str, Any], task: str, where: str = "") -> list[str]:
    """Return the metrics a protocol records on data sets of `task`.

    The protocol's `metrics` is a list (every data set records it: all its metrics must be of
    the data sets' task) or a mapping from task to list; a task it does not name records
    DEFAULT_METRICS. `where` names the data set, for the error when a listed metric is of the
    other task.
    """
    metrics = protocol.get("metrics")
    if metrics is None:
        return list(DEFAULT_METRICS[task])
    if isinstance(metrics, dict):
        for kind, names in metrics.items():
            unknown = [m for m in names if m not in TASK_METRICS[kind]]
            if unknown:
                raise ConfigError(
                    f"protocol.metrics.{kind}: {unknown} {_not_metrics(unknown, kind)}; the "
                    f"{kind} metrics are {list(TASK_METRICS[kind])}"
                )
        return list(metrics.get(task) or DEFAULT_METRICS[task])
    unknown = [m for m in metrics if not any(m in names for names in TASK_METRICS.values())]
    if unknown:
        raise ConfigError(
            f"protocol.metrics: {unknown} {_not_metrics(unknown)}; "
            + "; ".join(f"the {t} metrics are {list(TASK_METRICS[t])}" for t in TASKS)
        )
    wrong = [m for m in metrics if metric_task(m) != task]
    if wrong:
        other = metric_task(wrong[0])
        raise ConfigError(
            f"protocol.metrics: {wrong} {'is a' if len(wrong) == 1 else 'are'} {other} "
            f"metric{'s' * (len(wrong) > 1)}, but {where or 'a data set'} is a {task} task; "
            f"name the metrics per task (metrics: {{{CLASSIFICATION}: [...], {REGRESSION}: "
            "[...]}) or leave them out (defaults: "
            f"{', '.join(f'{t}: {DEFAULT_METRICS[t]}' for t in TASKS)})"
        )
    return list(metrics)


def _not_metrics(names: list[str], task: str | None = None) -> str:
    kind = f"{task} metric" if task else "metric"
    return f"is no {kind}" if len(names) == 1 else f"are no {kind}s"
