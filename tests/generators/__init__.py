"""Reusable Hypothesis generators of real-looking client data (see surveys.py, comments.py)."""
from .comments import CODEBOOK, MARKUP, NAMES, PLANTED, codebook, comment_lists, texts
from .surveys import SCALES, ClientSpec, clients, load_written, write_client

__all__ = ["CODEBOOK", "MARKUP", "NAMES", "PLANTED", "SCALES", "ClientSpec", "clients",
           "codebook", "comment_lists", "load_written", "texts", "write_client"]
