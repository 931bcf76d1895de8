"""TableStore on delta-spark, where its classes are on the Spark classpath (Databricks, Delta clusters)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from py4j.java_gateway import JavaClass
from pyspark.sql import DataFrame, DataFrameWriter, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse.storage.table_store import (
    TABLE_NAME,
    StorageError,
    TableStore,
    check_keys,
    check_replace_where,
    check_unique_keys,
    commit_record,
    history_entry,
    merged_schema,
    parse_table_name,
    table_path,
)

USER_METADATA_CONF = "spark.databricks.delta.commitInfo.userMetadata"


RETENTION_CHECK_CONF = "spark.databricks.delta.retentionDurationCheck.enabled"


def delta_spark_missing(spark: SparkSession) -> str | None:
    """None when the delta-spark backend can run in this session, else the reason it cannot."""
    jvm = getattr(spark, "_jvm", None)  # Spark Connect sessions have no JVM gateway; the server is checked on use
    if jvm is not None and not isinstance(jvm.io.delta.tables.DeltaTable, JavaClass):
        return "delta-spark classes (io.delta.tables.DeltaTable) not on the JVM classpath"
    try:
        import delta.tables  # noqa: F401
    except ImportError:
        return "the delta-spark Python package is not installed (pip install 'customer-golden-record[delta-spark]')"
    return None


class DeltaSparkStore(TableStore):
    """Delta tables through delta-spark: by path under the lakehouse root, or as `<catalog>.<prefix><layer>.<name>`.

    Every commit carries this store's operation record in `userMetadata` (set through Delta's session setting
    for the duration of the call, so one store should not run operations from several threads at once).
    The returned version is read after the write, so a concurrent writer's later commit may be reported.
    """

    backend = "delta-spark"

    def __init__(self, spark: SparkSession, root: str, catalog: str | None = None, schema_prefix: str = "") -> None:
        self.spark = spark
        self.root = root.rstrip("/")
        self.catalog = catalog
        self.schema_prefix = schema_prefix

    def location(self, table: str) -> str:
        """`<catalog>.<prefix><layer>.<name>` with a catalog, else `<lakehouse>/<layer>/<name>`."""
        if not self.catalog:
            return table_path(self.root, table)
        layer, name = parse_table_name(table)
        return f"{self.catalog}.{self.schema_prefix}{layer}.{name}"

    def exists(self, table: str) -> bool:
        """Whether the catalog has the table, or a Delta table exists at its path."""
        from delta.tables import DeltaTable

        location = self.location(table)
        if self.catalog:
            return self.spark.catalog.tableExists(location)
        return DeltaTable.isDeltaTable(self.spark, location)

    def read(self, table: str, version: int | None = None) -> DataFrame:
        """The table's rows, at `version` if given (Delta's `versionAsOf`)."""
        self._require(table)
        reader = self.spark.read.format("delta")
        if version is not None:
            current = self.version(table)
            if not 0 <= version <= current:
                raise StorageError(f"table {table}: cannot load version {version}; the latest is {current}")
            reader = reader.option("versionAsOf", version)
        location = self.location(table)
        return reader.table(location) if self.catalog else reader.load(location)

    def overwrite(self, table: str, df: DataFrame, replace_where: str | None = None) -> int:
        """Replace the table and its schema (`overwriteSchema`), or only the rows matching `replace_where`."""
        writer = df.write.format("delta").mode("overwrite")
        if replace_where is None:
            writer, parameters = writer.option("overwriteSchema", "true"), {}
        else:
            self._check_types(table, df)
            check_replace_where(table, df, replace_where)
            writer = writer.option("replaceWhere", replace_where).option("mergeSchema", "true")
            parameters = {"replace_where": replace_where}
        with self._commit("OVERWRITE", parameters):
            self._save(table, writer)
        return self.version(table)

    def append(self, table: str, df: DataFrame) -> int:
        """Append with `mergeSchema`, creating the table if missing."""
        self._check_types(table, df)
        with self._commit("APPEND", {}):
            self._save(table, df.write.format("delta").mode("append").option("mergeSchema", "true"))
        return self.version(table)

    def merge(self, table: str, df: DataFrame, keys: list[str]) -> int:
        """Delta MERGE on key equality: update all columns of matched rows, insert the others, with schema evolution."""
        keys = list(keys)
        check_keys(table, df, keys)
        self._check_types(table, df)
        check_unique_keys(table, df, keys)
        with self._commit("MERGE", {"keys": keys}):
            if not self.exists(table):
                self._save(table, df.write.format("delta").mode("errorifexists"))
            else:
                target = self._delta_table(table)
                # A matched row is replaced as a whole: table columns the data lacks become null, as on delta-rs.
                missing = [field for field in target.toDF().schema.fields if field.name not in df.columns]
                source = df.select("*", *[F.lit(None).cast(field.dataType).alias(field.name) for field in missing])
                condition = " AND ".join(f"t.`{key}` = s.`{key}`" for key in keys)
                (
                    target.alias("t")
                    .merge(source.alias("s"), condition)
                    .withSchemaEvolution()
                    .whenMatchedUpdateAll()
                    .whenNotMatchedInsertAll()
                    .execute()
                )
        return self.version(table)

    def delete_where(self, table: str, predicate: str) -> int:
        """Delta DELETE; rows where the predicate is NULL stay, and no match makes no new version."""
        with self._commit("DELETE", {"predicate": predicate}):
            self._delta_table(table).delete(predicate)
        return self.version(table)

    def history(self, table: str) -> list[dict[str, Any]]:
        """Delta's DESCRIBE HISTORY, newest first."""
        rows = self._delta_table(table).history().collect()
        return [
            history_entry(
                row["version"],
                row["timestamp"],  # a naive local datetime from Spark; history_entry converts it to UTC
                row["operation"],
                dict(row["operationParameters"] or {}),
                dict(row["operationMetrics"] or {}),
                row["userMetadata"],
            )
            for row in rows
        ]

    def version(self, table: str) -> int:
        """The table's latest version."""
        return int(self._delta_table(table).history(1).collect()[0]["version"])

    def vacuum(self, table: str, retention_hours: float = 168, dry_run: bool = False) -> list[str]:
        """Delta VACUUM; the files come from a DRY RUN with the same retention just before."""
        target = self._delta_table(table)
        location = self.location(table)
        identifier = location if self.catalog else f"delta.`{location}`"
        # The caller chose the retention explicitly, so Delta's guard against short retentions is lifted for this call.
        with self._session_conf({RETENTION_CHECK_CONF: "false"}):
            dry = self.spark.sql(f"VACUUM {identifier} RETAIN {float(retention_hours)} HOURS DRY RUN").collect()
            if not dry_run:
                target.vacuum(float(retention_hours))
        return sorted(row["path"] for row in dry)

    def tables(self, layer: str | None = None) -> list[str]:
        """Tables of the catalog schemas `<prefix><layer>`, or Delta tables under the lakehouse root."""
        if layer is not None:
            parse_table_name(f"{layer}.any")
        found = self._catalog_tables(layer) if self.catalog else self._path_tables(layer)
        return sorted(table for table in found if TABLE_NAME.match(table))

    # -- helpers -------------------------------------------------------------------------------------------------

    def _require(self, table: str) -> None:
        if not self.exists(table):
            raise StorageError(f"table {table} does not exist ({self.location(table)})")

    def _check_types(self, table: str, df: DataFrame) -> None:
        """StorageError when a column would change type (Delta Spark would widen some types; delta-rs cannot)."""
        if self.exists(table):
            merged_schema(table, self.read(table).schema, df.schema)

    def _delta_table(self, table: str) -> Any:
        """The `delta.tables.DeltaTable` for an existing table."""
        from delta.tables import DeltaTable

        self._require(table)
        location = self.location(table)
        return DeltaTable.forName(self.spark, location) if self.catalog else DeltaTable.forPath(self.spark, location)

    def _save(self, table: str, writer: DataFrameWriter) -> None:
        location = self.location(table)
        if self.catalog:
            layer, _ = parse_table_name(table)
            self.spark.sql(f"CREATE SCHEMA IF NOT EXISTS {self.catalog}.{self.schema_prefix}{layer}")
            writer.saveAsTable(location)
        else:
            writer.save(location)

    @contextmanager
    def _commit(self, operation: str, parameters: dict[str, Any]) -> Iterator[None]:
        """Record this store's operation in the `userMetadata` of the commits made inside the block."""
        with self._session_conf({USER_METADATA_CONF: commit_record(operation, parameters)}):
            yield

    @contextmanager
    def _session_conf(self, settings: dict[str, str]) -> Iterator[None]:
        """Set Spark SQL settings for the block, then restore the previous values."""
        previous = {key: self.spark.conf.get(key, None) for key in settings}
        for key, value in settings.items():
            self.spark.conf.set(key, value)
        try:
            yield
        finally:
            for key, value in previous.items():
                if value is None:
                    self.spark.conf.unset(key)
                else:
                    self.spark.conf.set(key, value)

    def _catalog_tables(self, layer: str | None) -> list[str]:
        prefix = self.schema_prefix
        if layer is not None:
            layers = [layer]
        else:
            schemas = [row[0] for row in self.spark.sql(f"SHOW SCHEMAS IN {self.catalog}").collect()]
            layers = [schema[len(prefix) :] for schema in schemas if schema.startswith(prefix)]
        found = []
        for each in layers:
            schema = f"{self.catalog}.{prefix}{each}"
            if self.spark.catalog.databaseExists(schema):
                found += [f"{each}.{t.name}" for t in self.spark.catalog.listTables(schema) if not t.isTemporary]
        return found

    def _path_tables(self, layer: str | None) -> list[str]:
        layers = [layer] if layer is not None else self._subfolders(self.root)
        return [
            f"{each}.{name}"
            for each in layers
            for name in self._subfolders(f"{self.root}/{each}")
            if TABLE_NAME.match(f"{each}.{name}") and self.exists(f"{each}.{name}")
        ]

    def _subfolders(self, path: str) -> list[str]:
        """Folder names in `path`, listed through Hadoop's FileSystem (works for dbfs:, abfss:, s3a: …)."""
        jvm = self.spark._jvm
        hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
        fs = hadoop_path.getFileSystem(self.spark._jsc.hadoopConfiguration())
        if not fs.exists(hadoop_path):
            return []
        return [status.getPath().getName() for status in fs.listStatus(hadoop_path) if status.isDirectory()]
