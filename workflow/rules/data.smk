rule prepare_dataset:
    output:
        "results/data/{dataset}.parquet",
    log:
        "logs/prepare_dataset/{dataset}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=lambda wc: config["datasets"][wc.dataset],
    script:
        "../../scripts/prepare_dataset.py"


rule split:
    input:
        "results/data/{dataset}.parquet",
    output:
        "results/splits/{dataset}/seed{seed}.parquet",
    log:
        "logs/split/{dataset}/seed{seed}.log",
    conda:
        "../../envs/albench.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        test_size=PROTOCOL["test_size"],
        initial_size=PROTOCOL["initial_size"],
        validation_size=PROTOCOL.get("validation_size", 0),
    script:
        "../../scripts/split.py"
