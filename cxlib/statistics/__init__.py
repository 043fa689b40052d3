"""Statistics: estimates with intervals and tests, key drivers, regression models."""
