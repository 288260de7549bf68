rule al_cell:
    input:
        data="results/data/{dataset}.parquet",
        split="results/splits/{dataset}/seed{seed}.parquet",
    output:
        curve="results/curves/{dataset}/{model}/{strategy}/seed{seed}.parquet",
        selection="results/selections/{dataset}/{model}/{strategy}/seed{seed}.parquet",
        # Empty unless the config's embedding_maps names this cell's model and seed.
        embeddings=EMBEDDINGS,
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
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" al_cell {log:q} data={input.data:q} split={input.split:q}'
        " curve={output.curve:q} selection={output.selection:q}"
        " embeddings={output.embeddings:q} cell={params.cell:q}"
        " seed:={wildcards.seed} threads:={threads}"


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
