"""Pipeline configuration as YAML: one file per environment plus sources, taxonomy and rules."""
