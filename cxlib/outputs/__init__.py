"""Outputs: findings (sections), words and numbers, charts, the report and its deliverables."""
