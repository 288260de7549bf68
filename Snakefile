# albench: does any active-learning query strategy beat random sampling?
# The default config comes from profiles/default/profile.yaml (see there why not `configfile:`).
from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import min_version

from albench.analysis.verdict import show as show_verdict
from albench.errors import AlbenchError
from albench.plan.checked import check_config_once, validate_once, wait_for_check
from albench.plan.checks import check_config_files, design_warnings
from albench.plan.incomplete import show_incomplete
from albench.run.pool import start as start_pool
from albench.run.pool import pool_size, start_for_submission, stop as stop_pool
from albench.usercode import use_project_folders

min_version("9.19")  # reads profiles/default/profile.yaml


if not config:

    raise WorkflowError(
        "no config given: run from the repository root (the default profile names "
        "config/config.yaml) or pass --configfile my.yaml"
    )


# A config's own strategies and models are imported from its folder and the working directory,
# in this process and in every job (albench.usercode).
use_project_folders(workflow.overwrite_configfiles)


# Duplicate names first (YAML keeps the last silently), then the schema (which also fills the
# defaults), then what needs imports, once per config and code (albench.plan.checked): outside
# a dry run, in a process of its own while Snakemake builds its graph, waited for in `onstart`
# before any job. A Snakemake that runs jobs for another one (cluster jobs, --mode remote or
# subprocess) gets a config that was checked already: it only fills defaults.
try:
    if workflow.is_main_process:
        check_config_files(workflow.overwrite_configfiles)
    validate_once(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
    if workflow.is_main_process:
        check_config_once(config, background=not workflow.output_settings.dryrun)
except AlbenchError as error:
    raise WorkflowError(f"invalid config: {error}") from None
if workflow.is_main_process:
    for warning in design_warnings(config):
        logger.warning(f"albench: {warning}")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/learn.smk"
include: "workflow/rules/aggregate.smk"


rule all:
    default_target: True
    input:
        get_final_output(),


# Jobs run in a pool of warm worker processes (albench.run.pool), saving each job the ~1.5 s
# import of scikit-learn: in a local run every job; with a cluster executor the light local rules
# (data preparation, summaries, figures). A cluster submission that runs a group of cells
# (executor albench-slurm, profiles/slurm) starts a pool of its own while it reads this file, as
# hooks do not run there; a submission of one job runs it in its own process.
if workflow.remote_exec and not DEPLOYMENT:
    start_for_submission(workflow.cores)


# The pool's workers import while the config check (if one runs) finishes; no job starts
# before the check has passed, and a failed check stops the pool.
onstart:
    if not DEPLOYMENT:
        start_pool(
            pool_size(
                workflow.local_exec,
                workflow.cores,
                workflow.resource_settings.local_cores,
            )
        )
    try:
        wait_for_check()
    except AlbenchError as error:
        stop_pool()
        raise WorkflowError(f"invalid config: {error}") from None


onsuccess:
    stop_pool()
    show_verdict(VERDICT)


onerror:
    stop_pool()
    show_incomplete(
        config,
        incomplete_paths(),
        verdict_spec(config),
        VERDICT,
        workflow.execution_settings.keep_going,
    )
