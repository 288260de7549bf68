rule summarise_dataset:
    input:
        data=DATA,
        cells=get_dataset_curves,
        references=get_dataset_full_pools,
    output:
        **summary_files(DATASET_SUMMARY),
    log:
        logged("summarise_dataset/{dataset}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        spec=get_summary_spec,
    script:
        "../../scripts/summarise_dataset.py"


rule summarise_stopping:
    input:
        cells=get_dataset_curves,
        records=get_dataset_stop_records,
    output:
        **summary_files(DATASET_SUMMARY, STOPPING_TABLES),
    log:
        logged("summarise_stopping/{dataset}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        spec=get_stopping_spec,
    script:
        "../../scripts/summarise_stopping.py"


rule aggregate:
    input:
        **summary_parts(),
    output:
        **summary_tables(),
    log:
        logged("aggregate.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    script:
        "../../scripts/aggregate.py"


rule aggregate_stopping:
    input:
        **stopping_parts(),
    output:
        **stopping_tables(),
    log:
        logged("aggregate_stopping.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../../scripts/aggregate_stopping.py"


rule blind_pick:
    input:
        aubc=OVERALL["aubc"],
        comparison=OVERALL["comparison"],
    output:
        table=report(BLIND_PICK, caption="../report/blind_pick.rst", category="Summary"),
        summary=report(
            BLIND_PICK_SUMMARY,
            caption="../report/blind_pick_summary.rst",
            category="Summary",
        ),
    log:
        logged("blind_pick.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        spec=get_blind_pick_spec,
    script:
        "../../scripts/blind_pick.py"


rule verdict:
    input:
        comparison=OVERALL["comparison"],
        savings=OVERALL["label_savings"],
        at_budget=OVERALL["comparison_at_budget"],
        warnings=OVERALL["warnings"],
        stops=OVERALL["stops"],
        blind=BLIND_PICK_SUMMARY,
    output:
        verdict=report(VERDICT, caption="../report/verdict.rst", category="Verdict"),
    log:
        logged("verdict.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        spec=get_verdict_spec,
    script:
        "../../scripts/verdict.py"


rule explorer:
    input:
        curves=OVERALL["curves"],
        comparison=OVERALL["comparison"],
        ranks=OVERALL["ranks"],
        label_savings=OVERALL["label_savings"],
        cost=OVERALL["cost"],
        stopping=OVERALL["stopping"],
        verdict=VERDICT,
    output:
        page=EXPLORER,
    log:
        logged("explorer.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_explorer_spec,
    script:
        "../../scripts/explorer.py"


# Figure names hold no "__" but as separators, so they split back into their parts.
LEARNING_CURVES = results("figures/{dataset}__{model}__{protocol}.png")
FIGURES += [
    LEARNING_CURVES.format(dataset=d, model=m, protocol=p)
    for d, m in MODEL_PAIRS
    for p in PROTOCOLS
]


rule plot_curves:
    input:
        curves=get_figure_curves,
    output:
        figure=report(
            LEARNING_CURVES,
            caption="../report/learning_curves.rst",
            category="Learning curves",
            labels={
                "data set": "{dataset}",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_curves/{dataset}__{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_curves.py"


HEATMAP = results("figures/overall/aubc_difference__{model}__{protocol}.png")
FIGURES += expand(HEATMAP, model=config["models"], protocol=PROTOCOLS)


rule plot_heatmap:
    input:
        comparison=OVERALL["comparison"],
    output:
        figure=report(
            HEATMAP,
            caption="../report/heatmap.rst",
            category="Overall",
            labels={
                "figure": "AUBC difference to the baseline",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_heatmap/{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_heatmap.py"


STOPS_FIGURE = results("figures/stopping/{dataset}__{model}__{protocol}.png")
FIGURES += [
    STOPS_FIGURE.format(dataset=d, model=m, protocol=p)
    for d, m in STOPPING_PAIRS
    for p in PROTOCOLS
]


rule plot_stops:
    input:
        stops=summary_files(DATASET_SUMMARY, STOPPING_TABLES)["stops"],
        curves=summary_files(DATASET_SUMMARY, DATASET_TABLES)["curves"],
    output:
        figure=report(
            STOPS_FIGURE,
            caption="../report/stops_figure.rst",
            category="Stopping",
            labels={
                "data set": "{dataset}",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_stops/{dataset}__{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_stops.py"


STOPPING_OVERVIEW = results("figures/overall/stopping__{model}__{protocol}.png")
FIGURES += expand(
    STOPPING_OVERVIEW,
    model=dict.fromkeys(m for _, m in STOPPING_PAIRS),
    protocol=PROTOCOLS,
)


rule plot_stopping_overview:
    input:
        summary=OVERALL["stopping"],
    output:
        figure=report(
            STOPPING_OVERVIEW,
            caption="../report/stopping_overview.rst",
            category="Stopping",
            labels={
                "figure": "stopping criteria's regret",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_stopping_overview/{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_stopping_overview.py"


STOPPING_RANKS = results("figures/overall/stopping_ranks__{model}__{protocol}.png")
FIGURES += expand(
    STOPPING_RANKS,
    model=dict.fromkeys(m for _, m in STOPPING_PAIRS),
    protocol=PROTOCOLS,
)


rule plot_stopping_ranks:
    input:
        summary=OVERALL["stopping"],
    output:
        figure=report(
            STOPPING_RANKS,
            caption="../report/stopping_ranks_figure.rst",
            category="Stopping",
            labels={
                "figure": "stopping criteria's ranks",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_stopping_ranks/{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_stopping_ranks.py"


COST_BENEFIT = results("figures/overall/cost_benefit__{model}__{protocol}.png")
FIGURES += expand(COST_BENEFIT, model=config["models"], protocol=PROTOCOLS)


rule plot_cost_benefit:
    input:
        cost=OVERALL["cost"],
        summary=OVERALL["aubc_summary"],
    output:
        figure=report(
            COST_BENEFIT,
            caption="../report/cost_benefit.rst",
            category="Overall",
            labels={
                "figure": "cost against benefit",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_cost_benefit/{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_cost_benefit.py"


CRITICAL_DIFFERENCE = results(
    "figures/overall/critical_difference__{model}__{protocol}.png"
)
FIGURES += expand(CRITICAL_DIFFERENCE, model=config["models"], protocol=PROTOCOLS)


rule plot_critical_difference:
    input:
        aubc=OVERALL["aubc"],
    output:
        figure=report(
            CRITICAL_DIFFERENCE,
            caption="../report/critical_difference.rst",
            category="Overall",
            labels={
                "figure": "critical difference",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_critical_difference/{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_critical_difference.py"


BLIND_PICK_FIGURE = results("figures/overall/blind_pick__{model}__{protocol}.png")
if len(config["datasets"]) >= BLIND_PICK_MIN_DATASETS:
    FIGURES += expand(BLIND_PICK_FIGURE, model=config["models"], protocol=PROTOCOLS)


rule plot_blind_pick:
    input:
        table=BLIND_PICK,
    output:
        figure=report(
            BLIND_PICK_FIGURE,
            caption="../report/blind_pick_figure.rst",
            category="Overall",
            labels={
                "figure": "blind pick",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_blind_pick/{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_blind_pick.py"


STABILITY_FIGURE = results("figures/overall/stability__{model}__{protocol}.png")
FIGURES += expand(STABILITY_FIGURE, model=config["models"], protocol=PROTOCOLS)


rule plot_stability:
    input:
        stability=OVERALL["stability"],
    output:
        figure=report(
            STABILITY_FIGURE,
            caption="../report/stability_figure.rst",
            category="Overall",
            labels={
                "figure": "verdict stability",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        logged("plot_stability/{model}__{protocol}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_stability.py"


PROTOCOL_FIGURE = results("figures/protocols/{dataset}__{model}.png")
if len(PROTOCOLS) > 1:
    FIGURES += [PROTOCOL_FIGURE.format(dataset=d, model=m) for d, m in MODEL_PAIRS]


rule plot_protocols:
    input:
        comparison=OVERALL["comparison"],
        agreement=OVERALL["protocol_agreement"],
    output:
        figure=report(
            PROTOCOL_FIGURE,
            caption="../report/protocols.rst",
            category="Protocols",
            labels={"data set": "{dataset}", "model": "{model}"},
        ),
    log:
        logged("plot_protocols/{dataset}__{model}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_figure_spec,
    script:
        "../../scripts/plot_protocols.py"


EMBEDDING_MAP = results(
    "figures/embeddings/{dataset}/{protocol}/{model}/{strategy}/seed{seed}/"
    "iteration{iteration}.png"
)
FIGURES += [EMBEDDING_MAP.format(**m) for m in mapped_cells(config)]


rule plot_embedding_map:
    input:
        embeddings=EMBEDDINGS,
    output:
        figure=report(
            EMBEDDING_MAP,
            caption="../report/embedding_map.rst",
            category="Embedding maps",
            subcategory="{dataset} / {model} / {protocol}",
            labels={
                "strategy": "{strategy}",
                "seed": "{seed}",
                "iteration": "{iteration}",
            },
        ),
    log:
        logged(
            "plot_embedding_map/{dataset}/{protocol}/{model}/{strategy}/seed{seed}/"
            "iteration{iteration}.log"
        ),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_map_spec,
    script:
        "../../scripts/plot_embedding_map.py"
