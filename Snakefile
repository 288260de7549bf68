# albench: does any active-learning query strategy beat random sampling?
# The default config comes from profiles/default/profile.yaml (see there why not `configfile:`).
from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import min_version

from albench.analysis.verdict import check_report_config, show as show_verdict
from albench.errors import AlbenchError
from albench.plan.checked import check_config_once, validate_once
from albench.plan.checks import check_config_files, design_warnings
from albench.plan.incomplete import show_incomplete
from albench.run.internals import (
    config_files,
    is_main_process,
    keeps_going,
    report_requested,
)
from albench.usercode import use_project_folders

min_version("9.23")  # profile.yaml (9.19); the logger plugin's filter (9.23)

DEFAULT_CONFIG = f"{workflow.basedir}/config/config.yaml"


if not config:

    raise WorkflowError(
        "no config given: run from the repository root (the default profile names "
        "config/config.yaml) or pass --configfile my.yaml"
    )


# A config's own strategies and models are imported from its folder and the working directory,
# in this process and in every job (albench.usercode).
use_project_folders(config_files(workflow))

# Duplicate names first (YAML keeps the last silently), then the schema (which also fills the
# defaults), then what needs imports, once per config and code (albench.plan.checked), before
# the graph is built. A Snakemake that runs jobs for another one (a cluster submission) gets a
# checked config: it only fills the defaults.
MAIN = is_main_process(workflow)
try:
    if MAIN:
        check_config_files(config_files(workflow))
    validate_once(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
    if MAIN:
        check_config_once(
            config, notify=lambda message: logger.warning(f"albench: {message}")
        )
except AlbenchError as error:
    raise WorkflowError(f"invalid config: {error}") from None
if MAIN:
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


# A report of this config from another config's verdict and figures is refused.
if MAIN and report_requested():
    try:
        check_report_config(VERDICT, VERDICT_SPEC)
    except AlbenchError as error:
        raise WorkflowError(str(error)) from None


onsuccess:
    show_verdict(VERDICT, config_files(workflow), DEFAULT_CONFIG)


onerror:
    show_incomplete(
        config,
        incomplete_paths(),
        VERDICT_SPEC,
        VERDICT,
        keeps_going(workflow),
        log,
    )
