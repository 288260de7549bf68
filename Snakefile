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
from albench.run.pool import launcher as pool_launcher
from albench.run.pool import pool_size, start_for_submission
from albench.run.pool import release as release_pool, start as start_pool
from albench.run.scheduling import coalesce_reevaluation_timers
from albench.run.teardown import freeze_heap_at_exit
from albench.usercode import use_project_folders

min_version("9.19")  # reads profiles/default/profile.yaml

# Snakemake's scheduler re-evaluates on timers that multiply with the jobs and that an ending run
# waits for (up to a second); one at a time, as daemon threads (albench.run.scheduling).
coalesce_reevaluation_timers()
# And the interpreter's collections of its heap at exit (up to 0.45 s a call) are skipped
# (albench.run.teardown).
freeze_heap_at_exit()


if not config:

    raise WorkflowError(
        "no config given: run from the repository root (the default profile names "
        "config/config.yaml) or pass --configfile my.yaml"
    )


# A config's own strategies and models are imported from its folder and the working directory,
# in this process and in every job (albench.usercode).
use_project_folders(workflow.overwrite_configfiles)


DEPLOYMENT = {method.name for method in workflow.deployment_settings.deployment_method}
DRYRUN = workflow.output_settings.dryrun

# Duplicate names first (YAML keeps the last silently), then the schema (which also fills the
# defaults), then what needs imports, once per config and code (albench.plan.checked): outside
# a dry run, while Snakemake builds its graph, waited for in `onstart` before any job, in a
# worker of the run's pool (albench.run.pool: the one an earlier local run in this folder left
# lingering, or one started for it that then runs the jobs too). A Snakemake that runs jobs
# for another one (cluster jobs, --mode remote or subprocess) gets a config that was checked
# already: it only fills defaults.
try:
    if workflow.is_main_process:
        check_config_files(workflow.overwrite_configfiles)
    validate_once(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
    if workflow.is_main_process:
        check_config_once(
            config,
            background=not DRYRUN,
            launch=None if DEPLOYMENT else pool_launcher(linger=workflow.local_exec),
        )
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
# before the check has passed. A local run's pool lingers after it (release_pool) for the next
# call in this folder, a cluster run's light local jobs' pool stops.
onstart:
    if not DEPLOYMENT:
        start_pool(
            pool_size(
                workflow.local_exec,
                workflow.cores,
                workflow.resource_settings.local_cores,
            ),
            linger=workflow.local_exec,
        )
    try:
        wait_for_check()
    except AlbenchError as error:
        release_pool()
        raise WorkflowError(f"invalid config: {error}") from None


onsuccess:
    release_pool()
    show_verdict(VERDICT)


onerror:
    release_pool()
    show_incomplete(
        config,
        incomplete_paths(),
        verdict_spec(config),
        VERDICT,
        workflow.execution_settings.keep_going,
    )
