"""customer-golden-record, installed as one package: `golden_record.jobs`, `golden_record.transforms`, `golden_record.lakehouse` …

The repository root is the package (pyproject.toml maps `golden_record` to it), so the folders keep their names.
"""
