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
    script:
        "../../scripts/al_cell.py"


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
    script:
        "../../scripts/full_pool.py"
