# Input functions and config helpers shared by the rule files.
from albench.config import cell_spec, cells, full_pool_spec, seed_list


wildcard_constraints:
    dataset=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    model=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    strategy=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    seed=r"\d+",


CELLS = cells(config)
PROTOCOL = config["protocol"]


CURVE = "results/curves/{dataset}/{model}/{strategy}/seed{seed}.parquet"


def get_curves():
    return [CURVE.format(**c) for c in CELLS]


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


def get_full_pools():
    return expand(
        "results/full_pool/{dataset}/{model}/seed{seed}.parquet",
        dataset=config["datasets"],
        model=config["models"],
        seed=seed_list(config),
    )


def get_full_pool_spec(wildcards):
    return full_pool_spec(config, wildcards.dataset, wildcards.model)


def get_cell_spec(wildcards):
    return cell_spec(config, wildcards.dataset, wildcards.model, wildcards.strategy)
