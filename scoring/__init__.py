"""Scorers: figures for the tables against gold. Nothing here builds a table (that is
``transforms/``); the entry points in ``flows/app`` read the gold and the rows and hand them
over as values."""
