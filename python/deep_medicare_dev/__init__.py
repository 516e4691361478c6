"""Deep Medicare's developers' tools: benchmarks, evaluation on injected anomalies, mutation check.

Run with `python -m deep_medicare_dev.<tool>` (or the Makefile targets `benchmark`, `benchmark-national`,
`evaluate`, `mutation-check`). They import the product package `deep_medicare`; the product never imports
them (tests/python/test_package_boundaries.py holds that rule), so the dbt Python model and anything else that
loads `deep_medicare` never loads a tool.
"""
