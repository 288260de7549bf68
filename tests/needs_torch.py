"""Stands in for a module that imports torch, where torch is not installed."""

raise ModuleNotFoundError("No module named 'torch'", name="torch")
