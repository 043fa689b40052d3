"""Reusable Hypothesis generators of real-looking client data (see surveys.py)."""
from .surveys import SCALES, ClientSpec, clients, write_client

__all__ = ["SCALES", "ClientSpec", "clients", "write_client"]
