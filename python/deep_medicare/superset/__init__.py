"""Apache Superset on the served warehouse, provisioned from the dbt project: `make superset`.

- `semantic`: Superset metrics and joined datasets generated from the semantic layer (semantic_manifest.json).
- `dbt_docs`: the public marts and their column descriptions (manifest.json).
- `charts`: the "Medicare payments" dashboard's charts, each one query spec.
- `api`: a small client of Superset's REST API.
- `bootstrap`: creates or updates the database, datasets, metrics, charts and dashboard (idempotent).
- `server`: installs nothing; initialises Superset's metadata, starts and stops it.
"""
