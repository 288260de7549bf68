"""When to stop labelling: what each cell records for stopping criteria (`record`), the
criteria (`criteria`) and the config's choice of them (`choice`). What each would have done on
each cell is `albench.analysis.stops`."""
