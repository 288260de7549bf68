from albench.plots import BASELINE_COLOUR, strategy_colours


def test_baseline_is_black_and_colours_are_distinct():
    colours = strategy_colours(["random", "entropy", "margin", "badge"], "random")
    assert colours["random"] == BASELINE_COLOUR
    others = [colours[s] for s in ("entropy", "margin", "badge")]
    assert len(set(others)) == 3


def test_a_strategy_keeps_its_colour_whatever_the_baseline_position():
    a = strategy_colours(["random", "entropy", "badge"], "random")
    b = strategy_colours(["entropy", "random", "badge"], "random")
    assert a == b
