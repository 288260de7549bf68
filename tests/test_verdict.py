"""The end-of-run verdict says what comparison.csv and label_savings.csv say, in words."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from helpers import aubc_rows

from albench.analysis.compare import holm
from albench.analysis.notices import COLUMNS
from albench.analysis.summary import comparison_table
from albench.analysis.verdict import _more_seeds, verdict_text
from albench.specs import VerdictSpec

SPEC = VerdictSpec(
    baseline="random", metric="accuracy", strategies=["random", "up", "down", "same"]
)


def savings_for(comparison: pd.DataFrame) -> pd.DataFrame:
    rows = comparison[["dataset", "model", "protocol", "strategy"]].assign(metric="accuracy")
    saved = np.where(rows["strategy"] == "up", 12.0, np.where(rows["strategy"] == "down", -8.0, 0))
    return rows.assign(
        **{
            "saved_0.95_vs_baseline": saved,
            "saved_0.95_ci_low": saved - 4,
            "saved_0.95_ci_high": saved + 4,
        }
    )


def comparison_of(n_seeds: int) -> pd.DataFrame:
    base = np.linspace(0.6, 0.8, n_seeds)
    spec = {
        ("d", "random"): base,
        ("d", "up"): base + 0.05,
        ("d", "down"): base - 0.03,
        ("d", "same"): base + np.tile([0.01, -0.01], n_seeds)[:n_seeds],
    }
    return comparison_table(aubc_rows(spec), ["accuracy"], "random")


def test_verdict_text_matches_the_comparison_table():
    comparison = comparison_of(10)
    text = verdict_text(comparison, savings_for(comparison), SPEC)
    rows = comparison.set_index("strategy")
    for strategy in ("up", "down"):
        row = rows.loc[strategy]
        line = next(line for line in text.splitlines() if re.match(rf"\s+\w+\s+{strategy}\s", line))
        assert line.split()[0] == row["accuracy_verdict"]
        expected = (
            f"{row['accuracy_diff']:+.3f} [{row['accuracy_diff_ci_low']:+.3f}, "
            f"{row['accuracy_diff_ci_high']:+.3f}]"
        )
        assert expected in line
    assert "labels saved +12 [+8, +16]" in text
    assert "labels saved -8 [-12, -4]" in text
    # "same" is within ±0.01 of the baseline seed by seed, but at the margin itself: neither a
    # difference nor equivalence is shown; a power calculation says 16 seeds would likely tell.
    assert rows.loc["same", "accuracy_verdict"] == "undecided"
    assert rows.loc["same", "accuracy_seeds_to_decide"] == 16
    assert "  undecided: same (~16 seeds: equivalent?)\n" in text
    assert text.splitlines()[1:3] == [
        "random is as good as every strategy on 0 of 1 data set × model pair (within",
        "±0.01 AUBC); some strategy beats it on 1.",
    ]
    flat = " ".join(text.split())  # the introduction is wrapped
    assert "d × m:" in text and "over 10 paired seeds" in flat
    assert "Holm over 3 strategies" in flat
    assert "cannot be significant" not in text


def test_several_protocols_get_one_summary_sentence_each():
    import pandas as pd

    one = comparison_of(10)
    comparison = pd.concat([one.assign(protocol="cold"), one.assign(protocol="noisy")])
    text = verdict_text(comparison, savings_for(comparison), SPEC)
    lines = text.splitlines()
    assert " ".join(lines[1:3]) == (
        "Protocol cold: random is as good as every strategy on 0 of 1 data set × model"
        "   pair (within ±0.01 AUBC); some strategy beats it on 1."
    )
    assert lines[3].startswith("Protocol noisy: random is as good as every strategy on 0 of 1")
    assert "d × m × cold:" in text and "d × m × noisy:" in text


def test_verdict_says_when_the_seeds_cannot_tell():
    comparison = comparison_of(4)
    text = verdict_text(comparison, savings_for(comparison), SPEC)
    assert "With 4 seeds no comparison can be significant (7 are needed)" in " ".join(text.split())
    assert "too few seeds to tell: up +0.050, down -0.030, same" in text
    assert "better" not in text.split("d × m:")[1]


def test_verdict_at_budgets_says_what_comparison_at_budget_says():
    from helpers import VALUES, curves

    from albench.analysis.budgets import comparison_at_budget

    comparison = comparison_of(10)
    at_budget = comparison_at_budget(curves(VALUES), ["accuracy"], "random", [15, 30])
    at_budget = at_budget.assign(dataset="d", model="m", protocol="default")
    spec = VerdictSpec(
        baseline="random", metric="accuracy", strategies=["random", "ahead", "same", "up", "down"]
    )
    text = verdict_text(comparison, savings_for(comparison), spec, at_budget=at_budget)
    ahead = at_budget[(at_budget["strategy"] == "ahead") & (at_budget["budget"] == 15)].iloc[0]
    assert (
        f"at 15 labels: better ahead {ahead['diff']:+.3f} [{ahead['diff_ci_low']:+.3f}, "
        f"{ahead['diff_ci_high']:+.3f}]; equivalent: same"
    ) in " ".join(text.split())
    assert "\n  at 30 labels: equivalent: same; undecided: ahead (~30 seeds: equivalent?)\n" in text
    assert "At N labels: accuracy minus random's at the first iteration" in " ".join(text.split())
    # Without budgets the text is as before.
    plain = verdict_text(comparison, savings_for(comparison), SPEC)
    assert "labels:" not in plain and "At N labels" not in plain


def test_a_verdict_of_both_tasks_judges_each_data_set_on_its_tasks_metric():
    """Lower RMSE is better: the strategy whose error falls is `better`, its difference
    negative, and the line names the metric; the classification data set keeps accuracy."""
    base = np.linspace(50.0, 60.0, 10)
    errors = aubc_rows({("r", "random"): base, ("r", "up"): base - 2.0, ("r", "down"): base + 1})
    errors = errors.rename(columns={"aubc_accuracy": "aubc_rmse", "final_accuracy": "final_rmse"})
    regression = comparison_table(errors, ["rmse"], "random")
    comparison = pd.concat([comparison_of(10), regression], ignore_index=True)
    savings = pd.concat(
        [savings_for(comparison_of(10)), savings_for(regression).assign(metric="rmse")]
    )
    spec = VerdictSpec(
        baseline="random",
        metric="accuracy",
        strategies=["random", "up", "down", "same"],
        regression_metric="rmse",
    )
    text = verdict_text(comparison, savings, spec)
    regression_part = text.split("r × m:")[1]
    assert "  better up     rmse AUBC -2.000 [-2.000, -2.000]  labels saved +12" in regression_part
    assert "  worse  down   rmse AUBC +1.000" in regression_part
    assert "  better up     accuracy AUBC +0.050" in text.split("d × m:")[1].split("r × m:")[0]
    flat = " ".join(text.split())
    assert "AUBC (area under the learning curve) of accuracy / rmse minus random's" in flat
    assert "Lower rmse is better: there a better strategy's difference is negative." in flat
    assert "full-pool accuracy / rmse (an error: 1/0.95 of it)" in flat
    # Where a cell of every seed never reaches the target, the saving is a bound: not quoted.
    censored = savings.assign(
        **{"saved_0.95_censored_seeds": np.where(savings["metric"] == "rmse", 10, 0)}
    )
    text = verdict_text(comparison, censored, spec)
    assert "down   rmse AUBC +1.000 [+1.000, +1.000]  labels saved: unknown (95 % not" in text
    assert "labels saved -8 [-12, -4]" in text  # the classification data set's


def test_the_method_sentence_names_the_holm_family_of_each_data_set():
    # Data set d compares three strategies with the baseline, data set e two (a strategy of
    # another task, say): Holm corrects over 3 on d and 2 on e, and the sentence says so.
    base = np.linspace(0.6, 0.8, 10)
    spec = {
        ("d", "random"): base,
        ("d", "up"): base + 0.05,
        ("d", "down"): base - 0.03,
        ("d", "same"): base + np.tile([0.01, -0.01], 5),
        ("e", "random"): base,
        ("e", "up"): base + 0.05,
        ("e", "down"): base - 0.03,
    }
    comparison = comparison_table(aubc_rows(spec), ["accuracy"], "random")
    compared = comparison[comparison["strategy"] != "random"]
    for dataset, rows in compared.groupby("dataset"):
        family = {"d": 3, "e": 2}[dataset]
        assert len(rows) == family
        expected = holm(rows["accuracy_p_wilcoxon"].to_numpy())
        np.testing.assert_array_equal(rows["accuracy_p_holm"].to_numpy(), expected)
    flat = " ".join(verdict_text(comparison, savings_for(comparison), SPEC).split())
    assert "Holm over the 2 to 3 strategies compared on each data set × model" in flat
    assert "Holm over 3 strategies" not in flat


def test_seeds_beyond_any_practical_design_read_as_no_practical_difference():
    comparison = comparison_of(10)
    same = comparison["strategy"] == "same"
    comparison.loc[same, "accuracy_seeds_to_decide"] = 2625
    text = verdict_text(comparison, savings_for(comparison), SPEC)
    flat = " ".join(text.replace("\u00a0", " ").split())
    assert "same (more than 200 seeds: no practical difference at this margin)" in flat
    assert "~2625" not in flat
    # The summary sentence's count of more seeds, too.
    assert _more_seeds([2600.0, 3000.0]) == " (more than 200 more seeds each would tell)"
    assert _more_seeds([14.0, 2600.0]) == (
        " (about 14 more seeds would tell; more than 200 on the others)"
    )


def test_the_report_command_names_the_config_that_ran(tmp_path, monkeypatch):
    from albench.analysis.verdict import report_command

    monkeypatch.chdir(tmp_path)
    default = tmp_path / "config" / "config.yaml"
    assert report_command([str(default)], str(default)) == (
        "snakemake --report results/report.html"
    )
    assert report_command(["my.yaml"], str(default)) == (
        "snakemake --report results/report.html --configfile my.yaml"
    )
    assert report_command(["/elsewhere/a b.yaml"], str(default)) == (
        "snakemake --report results/report.html --configfile '/elsewhere/a b.yaml'"
    )


def test_the_verdict_counts_the_jobs_warnings_and_says_where_they_are():
    comparison = comparison_of(10)
    rows = [
        ["d", "prepare_dataset", "", "", "", "data set 'd': dropped 4 row(s) without a label"],
        ["d", "al_cell", "m", "default", "up", "ConvergenceWarning: lbfgs failed"],
        ["d", "al_cell", "m", "default", "down", "ConvergenceWarning: lbfgs failed"],
    ]
    counts = [[1, 1], [7, 9], [2, 2]]
    warnings = pd.DataFrame([r + c for r, c in zip(rows, counts, strict=True)], columns=COLUMNS)
    text = verdict_text(comparison, savings_for(comparison), SPEC, warnings=warnings)
    assert "Warnings and notes of the jobs behind these results (12 in all; each in" in text
    assert "\n  data set 'd': dropped 4 row(s) without a label\n" in text
    assert (
        "\n  data set 'd', model 'm': 9 cell(s) of up, down, 11 times: ConvergenceWarning" in text
    )
    quiet = verdict_text(comparison, savings_for(comparison), SPEC, warnings=warnings.head(0))
    assert "Warnings" not in quiet
