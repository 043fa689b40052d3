"""Inputs: client.yml, reading files as exported, checking them into the model frames."""
