rule prepare_dataset:
    input:
        get_dataset_inputs,
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
        spec=get_dataset_spec,
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" prepare_dataset {log:q}'
        " name={wildcards.dataset:q} spec={params.spec:q}"
        " output={output:q}"


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
    shell:
        '"$ALBENCH_PYTHON" "$ALBENCH_JOB" split {log:q} data={input:q} output={output:q}'
        " name={wildcards.dataset:q} seed:={wildcards.seed} test_size:={params.test_size}"
        " initial_size:={params.initial_size} validation_size:={params.validation_size}"


# The OpenML cache file is the output of its own job, so the data sets read from it see it as
# an input; it runs where Snakemake runs (cluster nodes often have no internet).
if OPENML_DOWNLOADS:

    rule download_openml:
        output:
            "{openml_cache}",
        log:
            "logs/download_openml/{openml_cache}.log",
        wildcard_constraints:
            openml_cache=one_of(OPENML_DOWNLOADS),
        localrule: True
        params:
            openml=get_openml_spec,
        shell:
            '"$ALBENCH_PYTHON" "$ALBENCH_JOB" download_openml {log:q}'
            " openml={params.openml:q} output={output:q}"
