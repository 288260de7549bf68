"""How a job runs: what every rule's script does around its library call (`script`), the warm
worker processes of the `albench` executor (`workers`), and the attributes of Snakemake's objects
read beyond their public interfaces (`internals`).

Nothing in the library imports this package but `albench.run.script`'s callers: the scripts.
"""
