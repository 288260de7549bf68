"""The offline explorer: one self-contained HTML page that shows every result of a run."""
