rule aggregate:
    input:
        curves=get_curves(),
        references=get_full_pools(),
    output:
        curves="results/summary/curves.parquet",
        aubc=report(
            "results/summary/aubc.csv",
            caption="../report/aubc.rst",
            category="Summary",
        ),
        aubc_summary=report(
            "results/summary/aubc_summary.csv",
            caption="../report/aubc_summary.rst",
            category="Summary",
        ),
        comparison=report(
            "results/summary/comparison.csv",
            caption="../report/comparison.rst",
            category="Summary",
        ),
        ranks=report(
            "results/summary/ranks.csv",
            caption="../report/ranks.rst",
            category="Summary",
        ),
        cost=report(
            "results/summary/cost.csv",
            caption="../report/cost.rst",
            category="Summary",
        ),
        label_savings=report(
            "results/summary/label_savings.csv",
            caption="../report/label_savings.rst",
            category="Summary",
        ),
    log:
        "logs/aggregate.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        baseline=config["baseline"],
    script:
        "../../scripts/aggregate.py"


rule plot_curves:
    input:
        get_figure_curves,
    output:
        report(
            "results/figures/{dataset}__{model}.png",
            caption="../report/learning_curves.rst",
            category="Learning curves",
            labels={"data set": "{dataset}", "model": "{model}"},
        ),
    log:
        "logs/plot_curves/{dataset}__{model}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        strategies=list(config["strategies"]),
        baseline=config["baseline"],
        metrics=PROTOCOL["metrics"],
    script:
        "../../scripts/plot_curves.py"


rule plot_heatmap:
    input:
        "results/summary/comparison.csv",
    output:
        report(
            "results/figures/overall/aubc_difference__{model}.png",
            caption="../report/heatmap.rst",
            category="Overall",
            labels={"figure": "AUBC difference to the baseline", "model": "{model}"},
        ),
    log:
        "logs/plot_heatmap/{model}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        strategies=list(config["strategies"]),
        baseline=config["baseline"],
        metric=PROTOCOL["metrics"][0],
    script:
        "../../scripts/plot_heatmap.py"


rule plot_cost_benefit:
    input:
        cost="results/summary/cost.csv",
        summary="results/summary/aubc_summary.csv",
    output:
        report(
            "results/figures/overall/cost_benefit__{model}.png",
            caption="../report/cost_benefit.rst",
            category="Overall",
            labels={"figure": "cost against benefit", "model": "{model}"},
        ),
    log:
        "logs/plot_cost_benefit/{model}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        strategies=list(config["strategies"]),
        baseline=config["baseline"],
        metric=PROTOCOL["metrics"][0],
    script:
        "../../scripts/plot_cost_benefit.py"


rule plot_critical_difference:
    input:
        "results/summary/aubc.csv",
    output:
        report(
            "results/figures/overall/critical_difference__{model}.png",
            caption="../report/critical_difference.rst",
            category="Overall",
            labels={"figure": "critical difference", "model": "{model}"},
        ),
    log:
        "logs/plot_critical_difference/{model}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        strategies=list(config["strategies"]),
        baseline=config["baseline"],
        metric=PROTOCOL["metrics"][0],
    script:
        "../../scripts/plot_critical_difference.py"
