"""Runs: papermill runs of the notebooks, batches, publishing, and the `cx` command."""
