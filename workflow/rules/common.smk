# Input functions and config helpers shared by the rule files.
import os
import re

from albench.config import (
    canonical,
    cell_spec,
    cells,
    embedding_maps,
    full_pool_spec,
    mapped_cells,
    seed_list,
)
from albench.pool import job_environment
from albench.provenance import dataset_inputs, openml_downloads


wildcard_constraints:
    dataset=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    model=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    strategy=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    seed=r"\d+",
    iteration=r"\d+",


# Every job's shell command starts with "$ALBENCH_PYTHON" "$ALBENCH_JOB" (scripts/job.py):
# Snakemake's interpreter, or the environment's own when --use-conda or a container supplies it.
DEPLOYMENT = {method.name for method in workflow.deployment_settings.deployment_method}
os.environ.update(
    job_environment(
        f"{workflow.basedir}/scripts/job.py",
        isolated=bool(DEPLOYMENT & {"CONDA", "APPTAINER"}),
    )
)

CELLS = cells(config)
PROTOCOL = config["protocol"]


CURVE = "results/curves/{dataset}/{model}/{strategy}/seed{seed}.parquet"
EMBEDDINGS = "results/embeddings/{dataset}/{model}/{strategy}/seed{seed}.parquet"
EMBEDDING_MAP = "results/figures/embeddings/{dataset}/{model}/{strategy}/seed{seed}/iteration{iteration}.png"
EMBEDDING_MAPS = embedding_maps(config)
EMBEDDING_METHOD = EMBEDDING_MAPS["method"] if EMBEDDING_MAPS else "tsne"
FULL_POOL = "results/full_pool/{dataset}/{model}/seed{seed}.parquet"
DATASET_SUMMARY = "results/summary/datasets/{dataset}"
SEEDS = seed_list(config)
OPENML_DOWNLOADS = openml_downloads(config["datasets"])


def get_dataset_inputs(wildcards):
    # The files a data set is read from, so that editing one reruns its preparation; an
    # image folder's manifest is brought up to date by the process that plans the run.
    spec = config["datasets"][wildcards.dataset]
    return dataset_inputs(wildcards.dataset, spec, update=workflow.is_main_process)


def get_openml_spec(wildcards):
    name, spec = OPENML_DOWNLOADS[wildcards.openml_cache]
    return canonical({"name": name, "spec": spec})


def get_dataset_curves(wildcards):
    return [CURVE.format(**c) for c in CELLS if c["dataset"] == wildcards.dataset]


def get_dataset_full_pools(wildcards):
    return expand(
        FULL_POOL, dataset=wildcards.dataset, model=config["models"], seed=SEEDS
    )


def get_dataset_summaries(name):
    return expand(f"{DATASET_SUMMARY}/{name}", dataset=config["datasets"])


def get_figure_curves(wildcards):
    # Only this figure's cells, so adding a data set or model redraws no old figure.
    return [
        CURVE.format(**c)
        for c in CELLS
        if c["dataset"] == wildcards.dataset and c["model"] == wildcards.model
    ]


def get_figures():
    return [
        *expand(
            "results/figures/{dataset}__{model}.png",
            dataset=config["datasets"],
            model=config["models"],
        ),
        *expand(
            "results/figures/overall/{figure}__{model}.png",
            figure=["aubc_difference", "cost_benefit", "critical_difference"],
            model=config["models"],
        ),
        *[EMBEDDING_MAP.format(**m) for m in mapped_cells(config)],
    ]


def get_final_output():
    return [
        *get_figures(),
        "results/summary/curves.parquet",
        "results/summary/aubc.csv",
        "results/summary/aubc_summary.csv",
        "results/summary/comparison.csv",
        "results/summary/ranks.csv",
        "results/summary/cost.csv",
        "results/summary/label_savings.csv",
    ]


def get_full_pool_spec(wildcards):
    return full_pool_spec(config, wildcards.dataset, wildcards.model)


def get_cell_spec(wildcards):
    return cell_spec(config, wildcards.dataset, wildcards.model, wildcards.strategy)


def get_dataset_spec(wildcards):
    return canonical(config["datasets"][wildcards.dataset])


def one_of(names):
    """A wildcard constraint matching exactly the given names (or numbers)."""
    return "|".join(re.escape(str(name)) for name in names)


def literal(pattern):
    """A param holding a path pattern as is (Snakemake fills the {wildcards} of a plain string);
    jobs that read many files expand it themselves, keeping their command lines short.
    """
    return lambda wildcards: pattern
