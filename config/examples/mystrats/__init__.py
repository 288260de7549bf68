"""The own strategies of config/examples/own_strategy.yaml (an example of a user's package)."""
