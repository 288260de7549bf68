rule prepare_dataset:
    input:
        files=get_dataset_files,
    output:
        data=DATA,
    log:
        "logs/prepare_dataset/{dataset}.log",
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_dataset_spec,
        io=job_files,
    shell:
        job("prepare_dataset")


rule split:
    input:
        data=DATA,
    output:
        split=SPLIT,
    log:
        "logs/split/{dataset}/{protocol}/seed{seed}.log",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        spec=get_split_spec,
        io=job_files,
    shell:
        job("split")


# The OpenML cache file is the output of its own job, so the data sets read from it see it as
# an input; it runs where Snakemake runs (cluster nodes often have no internet).
if OPENML_DOWNLOADS:

    rule download_openml:
        output:
            cache="{openml_cache}",
        log:
            "logs/download_openml/{openml_cache}.log",
        wildcard_constraints:
            openml_cache=one_of(OPENML_DOWNLOADS),
        localrule: True
        conda:
            ENV
        params:
            spec=get_openml_spec,
            io=job_files,
        shell:
            job("download_openml")
