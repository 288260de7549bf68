rule summarise_dataset:
    input:
        curves=get_dataset_curves,
        references=get_dataset_full_pools,
    output:
        curves=f"{DATASET_SUMMARY}/curves.parquet",
        aubc=f"{DATASET_SUMMARY}/aubc.csv",
        aubc_summary=f"{DATASET_SUMMARY}/aubc_summary.csv",
        comparison=f"{DATASET_SUMMARY}/comparison.csv",
        cost=f"{DATASET_SUMMARY}/cost.csv",
        label_savings=f"{DATASET_SUMMARY}/label_savings.csv",
    log:
        "logs/summarise_dataset/{dataset}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        curves=literal(CURVE),
        references=literal(FULL_POOL),
        models=canonical(list(config["models"])),
        strategies=canonical(list(config["strategies"])),
        seeds=canonical(SEEDS),
        baseline=config["baseline"],
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" summarise_dataset {log:q} dataset={wildcards.dataset:q}'
        " curve_pattern={params.curves:q} reference_pattern={params.references:q}"
        " models:={params.models:q} strategies:={params.strategies:q} seeds:={params.seeds:q}"
        " baseline={params.baseline:q} curves={output.curves:q} aubc={output.aubc:q}"
        " aubc_summary={output.aubc_summary:q} comparison={output.comparison:q}"
        " cost={output.cost:q} label_savings={output.label_savings:q}"


rule aggregate:
    input:
        get_dataset_summaries("curves.parquet"),
        get_dataset_summaries("aubc.csv"),
        get_dataset_summaries("aubc_summary.csv"),
        get_dataset_summaries("comparison.csv"),
        get_dataset_summaries("cost.csv"),
        get_dataset_summaries("label_savings.csv"),
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
        summaries=literal(DATASET_SUMMARY),
        datasets=canonical(list(config["datasets"])),
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" aggregate {log:q} summaries={params.summaries:q}'
        " datasets:={params.datasets:q} curves={output.curves:q} aubc={output.aubc:q}"
        " aubc_summary={output.aubc_summary:q} comparison={output.comparison:q}"
        " ranks={output.ranks:q} cost={output.cost:q} label_savings={output.label_savings:q}"


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
        curves=literal(CURVE),
        strategies=canonical(list(config["strategies"])),
        seeds=canonical(SEEDS),
        baseline=config["baseline"],
        metrics=canonical(PROTOCOL["metrics"]),
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" plot_curves {log:q}'
        " dataset={wildcards.dataset:q} model={wildcards.model:q}"
        " curves={params.curves:q} strategies:={params.strategies:q} seeds:={params.seeds:q}"
        " output={output:q} baseline={params.baseline:q} metrics:={params.metrics:q}"


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
        strategies=canonical(list(config["strategies"])),
        baseline=config["baseline"],
        metric=PROTOCOL["metrics"][0],
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" plot_heatmap {log:q}'
        " comparison={input:q} model={wildcards.model:q}"
        " output={output:q} strategies:={params.strategies:q} baseline={params.baseline:q}"
        " metric={params.metric:q}"


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
        strategies=canonical(list(config["strategies"])),
        baseline=config["baseline"],
        metric=PROTOCOL["metrics"][0],
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" plot_cost_benefit {log:q}'
        " cost={input.cost:q} summary={input.summary:q} model={wildcards.model:q}"
        " output={output:q} strategies:={params.strategies:q} baseline={params.baseline:q}"
        " metric={params.metric:q}"


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
        strategies=canonical(list(config["strategies"])),
        baseline=config["baseline"],
        metric=PROTOCOL["metrics"][0],
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" plot_critical_difference {log:q}'
        " aubc={input:q} model={wildcards.model:q}"
        " output={output:q} strategies:={params.strategies:q} baseline={params.baseline:q}"
        " metric={params.metric:q}"


rule plot_embedding_map:
    input:
        EMBEDDINGS,
    output:
        report(
            EMBEDDING_MAP,
            caption="../report/embedding_map.rst",
            category="Embedding maps",
            subcategory="{dataset} / {model}",
            labels={
                "strategy": "{strategy}",
                "seed": "{seed}",
                "iteration": "{iteration}",
            },
        ),
    log:
        "logs/plot_embedding_map/{dataset}/{model}/{strategy}/seed{seed}/iteration{iteration}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        method=EMBEDDING_METHOD,
        title="{dataset} / {model} / {strategy} / seed {seed}: ",
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" plot_embedding_map {log:q} embeddings={input:q}'
        " iteration:={wildcards.iteration} output={output:q} method={params.method:q}"
        " title={params.title:q} seed:={wildcards.seed}"
