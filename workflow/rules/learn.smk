rule al_cell:
    input:
        data="results/data/{dataset}.parquet",
        split="results/splits/{dataset}/seed{seed}.parquet",
    output:
        curve="results/curves/{dataset}/{model}/{strategy}/seed{seed}.parquet",
        selection="results/selections/{dataset}/{model}/{strategy}/seed{seed}.parquet",
    log:
        "logs/al_cell/{dataset}/{model}/{strategy}/seed{seed}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        cell=get_cell_spec,
        embeddings="",
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" al_cell {log:q} data={input.data:q} split={input.split:q}'
        " curve={output.curve:q} selection={output.selection:q} cell={params.cell:q}"
        " seed:={wildcards.seed} threads:={threads} embeddings={params.embeddings:q}"


# Cells of the models and seeds the config's embedding_maps names also record embeddings: the
# same job with one more output. Defined only then, so other grids pay nothing for it.
if EMBEDDING_MAPS:

    use rule al_cell as al_cell_mapped with:
        output:
            curve="results/curves/{dataset}/{model}/{strategy}/seed{seed}.parquet",
            selection="results/selections/{dataset}/{model}/{strategy}/seed{seed}.parquet",
            embeddings=EMBEDDINGS,
        wildcard_constraints:
            model=one_of(EMBEDDING_MAPS["models"]),
            seed=one_of(EMBEDDING_MAPS["seeds"]),
        params:
            cell=get_cell_spec,
            embeddings=EMBEDDINGS,

    ruleorder: al_cell_mapped > al_cell


rule full_pool:
    input:
        data="results/data/{dataset}.parquet",
        split="results/splits/{dataset}/seed{seed}.parquet",
    output:
        "results/full_pool/{dataset}/{model}/seed{seed}.parquet",
    log:
        "logs/full_pool/{dataset}/{model}/seed{seed}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        spec=get_full_pool_spec,
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" full_pool {log:q}'
        " data={input.data:q} split={input.split:q}"
        " output={output:q} spec={params.spec:q} seed:={wildcards.seed} threads:={threads}"
