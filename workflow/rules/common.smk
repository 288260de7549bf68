# Input functions, params and config helpers shared by the rule files.
import functools
import os
import re

from albench.plan.grid import (
    cell_spec,
    cells,
    code_files,
    logs_folder,
    dataset_models,
    dataset_spec,
    embedding_maps,
    figure_spec,
    map_spec,
    mapped_cells,
    model_pairs,
    protocol_names,
    reference_spec,
    results_folder,
    seed_list,
    split_spec,
    stopping_pairs,
    stopping_spec,
    summary_spec,
    verdict_spec,
    explorer_spec,
    blind_pick_spec,
    cell_gpus,
)
from albench.analysis.tables import (
    BLIND_PICK_MIN_DATASETS,
    DATASET_TABLES,
    OVERALL_TABLES,
    PARTS,
    STOPPING_TABLES,
    summary_files,
)
from albench.analysis.verdict import shown_paths
from albench.data.sources import dataset_inputs, openml_downloads
from albench.stopping.record import RECORD_VERSION


wildcard_constraints:
    dataset=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    model=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    strategy=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    protocol=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    seed=r"\d+",
    iteration=r"\d+",


ENV = "../../envs/albench.yaml"

CELLS = cells(config)
MODEL_PAIRS = model_pairs(config)  # (data set, model) of one task
STOPPING_PAIRS = stopping_pairs(config)  # those of classification data sets
SEEDS = seed_list(config)
PROTOCOLS = protocol_names(config)
EMBEDDING_MAPS = embedding_maps(config)
OPENML_DOWNLOADS = openml_downloads(config["datasets"])

# A rule's `spec` is a spec's canonical JSON (`to_json()`): Snakemake compares only built-in
# types to decide reruns, and the job reads the same text (albench.specs).

# Every path of the results folder (`results_dir`, default results/) and of the logs (logs/, or
# <results_dir>/logs for a results folder of its own), and where the rules below take them from.
RESULTS = results_folder(config)
LOGS = logs_folder(config)


def results(path):
    """`path` in the results folder."""
    return f"{RESULTS}/{path}"


def logged(path):
    """`path` in the logs folder."""
    return f"{LOGS}/{path}"


DATA = results("data/{dataset}.parquet")
SPLIT = results("splits/{dataset}/{protocol}/seed{seed}.parquet")
CURVE = results("curves/{dataset}/{protocol}/{model}/{strategy}/seed{seed}.parquet")
SELECTION = results(
    "selections/{dataset}/{protocol}/{model}/{strategy}/seed{seed}.parquet"
)
EMBEDDINGS = results(
    "embeddings/{dataset}/{protocol}/{model}/{strategy}/seed{seed}.parquet"
)
# What stopping criteria read of each cell (albench.stopping.record).
STOP_RECORD = results(
    "stopping/{dataset}/{protocol}/{model}/{strategy}/seed{seed}.parquet"
)
FULL_POOL = results("full_pool/{dataset}/{protocol}/{model}/seed{seed}.parquet")
DATASET_SUMMARY = results("summary/datasets/{dataset}")
SUMMARY = results("summary")
OVERALL = summary_files(SUMMARY, OVERALL_TABLES)
VERDICT = results("verdict.txt")
VERDICT_SPEC = verdict_spec(config, shown_paths(config_files(workflow)))
EXPLORER = results("explorer.html")
BLIND_PICK = results("summary/blind_pick.csv")
BLIND_PICK_SUMMARY = results("summary/blind_pick_summary.csv")
CELL_LOG = logged("al_cell/{dataset}/{protocol}/{model}/{strategy}/seed{seed}.log")
# The final products of the figure rules (workflow/rules/aggregate.smk), each added beside the
# rule that draws it; `rule all` asks for them (get_final_output).
FIGURES = []


def get_dataset_files(wildcards):
    # The files a data set is read from, so that editing one reruns its preparation; an
    # image folder's manifest is brought up to date by the process that plans the run.
    spec = config["datasets"][wildcards.dataset]
    return dataset_inputs(wildcards.dataset, spec, update=MAIN)


@functools.cache
def project_code(model, strategy=None):
    # The project's own code a model (and strategy) runs (albench.usercode): an input of their
    # jobs, so that editing it reruns them. Once per pair, not once per cell.
    return tuple(code_files(config, model, strategy))


def get_cell_code(wildcards):
    return list(project_code(wildcards.model, wildcards.strategy))


def get_model_code(wildcards):
    return list(project_code(wildcards.model))


def get_dataset_spec(wildcards):
    return dataset_spec(config, wildcards.dataset).to_json()


def get_openml_spec(wildcards):
    name, _ = OPENML_DOWNLOADS[wildcards.openml_cache]
    return dataset_spec(config, name).to_json()


def get_split_spec(wildcards):
    return split_spec(
        config, wildcards.dataset, wildcards.seed, wildcards.protocol
    ).to_json()


def get_cell_gpus(wildcards):
    return cell_gpus(config, wildcards.model)


def get_cell_spec(wildcards):
    spec = cell_spec(
        config,
        wildcards.dataset,
        wildcards.model,
        wildcards.strategy,
        wildcards.seed,
        wildcards.protocol,
    )
    return spec.to_json()


def get_reference_spec(wildcards):
    return reference_spec(
        config, wildcards.dataset, wildcards.model, wildcards.seed, wildcards.protocol
    ).to_json()


def get_dataset_curves(wildcards):
    return [CURVE.format(**c) for c in CELLS if c["dataset"] == wildcards.dataset]


def get_dataset_stop_records(wildcards):
    return [STOP_RECORD.format(**c) for c in CELLS if c["dataset"] == wildcards.dataset]


def get_dataset_full_pools(wildcards):
    return expand(
        FULL_POOL,
        dataset=wildcards.dataset,
        protocol=PROTOCOLS,
        model=dataset_models(config, wildcards.dataset),
        seed=SEEDS,
    )


def get_figure_curves(wildcards):
    # Only this figure's cells, so adding a data set, model or protocol redraws no old figure.
    return [
        CURVE.format(**c)
        for c in CELLS
        if c["dataset"] == wildcards.dataset
        and c["model"] == wildcards.model
        and c["protocol"] == wildcards.protocol
    ]


def get_figure_spec(wildcards):
    return figure_spec(
        config, wildcards.model, wildcards.get("dataset"), wildcards.get("protocol")
    ).to_json()


def get_stopping_spec(wildcards):
    return stopping_spec(config).to_json()


def get_summary_spec(wildcards):
    return summary_spec(config).to_json()


def get_verdict_spec(wildcards):
    return VERDICT_SPEC.to_json()


def get_blind_pick_spec(wildcards):
    return blind_pick_spec(config).to_json()


def get_explorer_spec(wildcards):
    return explorer_spec(config, shown_paths(config_files(workflow))).to_json()


def get_map_spec(wildcards):
    return map_spec(config, dict(wildcards.items())).to_json()


def summary_parts():
    """The aggregate job's input: each summary table of every data set, as {table}_parts."""
    return {
        f"{name}{PARTS}": expand(path, dataset=config["datasets"])
        for name, path in summary_files(DATASET_SUMMARY).items()
    }


def stopping_parts():
    """The aggregate_stopping job's input: each stopping table of every data set."""
    return {
        f"{name}{PARTS}": expand(path, dataset=config["datasets"])
        for name, path in summary_files(DATASET_SUMMARY, STOPPING_TABLES).items()
    }


def summary_tables():
    """The aggregate job's output: the overall tables but the stopping ones, each in the report
    with its caption."""
    return {
        name: (
            path
            if name == "curves"
            else report(path, caption=f"../report/{name}.rst", category="Summary")
        )
        for name, path in OVERALL.items()
        if name not in (*STOPPING_TABLES, "stopping_ranks")
    }


def stopping_tables():
    """The aggregate_stopping job's output: the overall stopping tables and the criteria's
    ranks, in the report."""
    return {
        name: report(
            OVERALL[name], caption=f"../report/{name}.rst", category="Stopping"
        )
        for name in (*STOPPING_TABLES, "stopping_ranks")
    }


def get_final_output():
    return [*FIGURES, *OVERALL.values(), BLIND_PICK, VERDICT, EXPLORER]


def incomplete_paths():
    """The path patterns the verdict of a failed run reads (albench.plan.incomplete.show_incomplete)."""
    return dict(curve=CURVE, data=DATA, split=SPLIT, reference=FULL_POOL, log=CELL_LOG)


def one_of(names):
    """A wildcard constraint matching exactly the given names (or numbers)."""
    return "|".join(re.escape(str(name)) for name in names)
