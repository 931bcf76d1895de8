"""Job: write a fresh, seeded sample of every silo under paths.samples (the CRM into PostgreSQL) plus its ground truth."""

from __future__ import annotations

import logging
import os
import time

import psycopg

from golden_record.lakehouse.config import ConfigError, JdbcLocation, PipelineConfig
from golden_record.lakehouse.errors import PipelineError
from golden_record.sample_silos.generator import SILOS, write_sample
from golden_record.sample_silos.increments import write_increment
from golden_record.sample_silos.writers import PostgresTarget

log = logging.getLogger(__name__)


def crm_target(config: PipelineConfig) -> PostgresTarget:
    """The PostgreSQL table of the configured `crm` source (its JDBC URL turned into a libpq URI)."""
    location = config.source("crm").location
    if not isinstance(location, JdbcLocation) or not location.table or not location.url.startswith("jdbc:postgresql://"):
        raise ConfigError("source 'crm' must be a jdbc:postgresql:// location with a table for the sample generator")
    password = os.environ.get(location.password_env) if location.password_env else location.password
    return PostgresTarget(conninfo=location.url.removeprefix("jdbc:"), table=location.table, user=location.user, password=password)


def run(config: PipelineConfig, persons: int, seed: int, increment: int = 0, change: float = 1.0) -> dict[str, dict[str, object]]:
    """Replace the sample silos with `persons` persons for `seed`, or with `increment` K deliver the sample's K-th batch
    (`change` percent of `persons` new persons, and as many moved records per customer silo: sample_silos/increments.py)."""
    missing = sorted({s.name for s in SILOS} - {s.name for s in config.sources})
    if missing:
        raise ConfigError(f"the sample generator writes sources that the configuration lacks: {missing}")
    started = time.perf_counter()
    target = crm_target(config)
    try:
        if increment:
            log.info("delivering batch %d of the sample of %d persons (seed %d) under %s", increment, persons, seed, config.paths.samples)
            summary = write_increment(config.paths.samples, persons, seed, increment, crm=target, share=change / 100)
        else:
            log.info("generating sample silos for %d persons (seed %d) under %s", persons, seed, config.paths.samples)
            summary = write_sample(config.paths.samples, persons, seed, crm=target)
    except psycopg.OperationalError as exc:
        raise PipelineError(f"cannot write the CRM table {target.table} ({exc}); start PostgreSQL with scripts/postgres.sh") from exc
    except (FileNotFoundError, FileExistsError) as exc:
        raise PipelineError(str(exc)) from exc
    log.info("sample silos written in %.1f s", time.perf_counter() - started)
    return summary
