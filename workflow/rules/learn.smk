rule al_cell:
    input:
        data=DATA,
        split=SPLIT,
        code=get_cell_code,
    output:
        curve=CURVE,
        selection=SELECTION,
        stopping=STOP_RECORD,
    log:
        CELL_LOG,
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=get_cell_gpus,
    params:
        spec=get_cell_spec,
        stop_record=RECORD_VERSION,
    script:
        "../../scripts/al_cell.py"


# Cells of the models and seeds the config's embedding_maps names also record embeddings: the
# same job with one more output. Defined only then, so other grids pay nothing for it.
if EMBEDDING_MAPS:

    use rule al_cell as al_cell_mapped with:
        output:
            curve=CURVE,
            selection=SELECTION,
            stopping=STOP_RECORD,
            embeddings=EMBEDDINGS,
        wildcard_constraints:
            model=one_of(EMBEDDING_MAPS["models"]),
            seed=one_of(EMBEDDING_MAPS["seeds"]),

    ruleorder: al_cell_mapped > al_cell


rule full_pool:
    input:
        data=DATA,
        split=SPLIT,
        code=get_model_code,
    output:
        scores=FULL_POOL,
    log:
        logged("full_pool/{dataset}/{protocol}/{model}/seed{seed}.log"),
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=get_cell_gpus,
    params:
        spec=get_reference_spec,
    script:
        "../../scripts/full_pool.py"
