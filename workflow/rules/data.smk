rule prepare_dataset:
    input:
        files=get_dataset_files,
    output:
        data=DATA,
    log:
        logged("prepare_dataset/{dataset}.log"),
    localrule: True
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        spec=get_dataset_spec,
    script:
        "../../scripts/prepare_dataset.py"


rule split:
    input:
        data=DATA,
    output:
        split=SPLIT,
    log:
        logged("split/{dataset}/{protocol}/seed{seed}.log"),
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        spec=get_split_spec,
    script:
        "../../scripts/split.py"


# The OpenML cache file is the output of its own job, so the data sets read from it see it as
# an input; it runs where Snakemake runs (cluster nodes often have no internet).
if OPENML_DOWNLOADS:

    rule download_openml:
        output:
            cache="{openml_cache}",
        log:
            logged("download_openml/{openml_cache}.log"),
        wildcard_constraints:
            openml_cache=one_of(OPENML_DOWNLOADS),
        localrule: True
        conda:
            ENV
        params:
            spec=get_openml_spec,
        script:
            "../../scripts/download_openml.py"
