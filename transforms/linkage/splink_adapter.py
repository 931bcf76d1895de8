"""The one module that imports `splink.internals`: linkers, backend tables, EM session state, comparison levels, charts.

Everything else imports Splink's public modules or these names, so a Splink upgrade that moves what we rely on fails
here, and `tests/transforms/linkage/test_splink_adapter.py` says what changed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from splink import DuckDBAPI, Linker, SettingsCreator, SparkAPI
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.charts import MatchWeightsHistogramChart
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.em_training_session import EMTrainingSession
from splink.internals.exceptions import EMTrainingException
from splink.internals.expectation_maximisation import _max_change_in_parameters_comparison_levels
from splink.internals.html_utils import chart_html, json_for_html, load_chart_libraries
from splink.internals.splink_dataframe import SplinkDataFrame

from golden_record.lakehouse.linkage_settings import LinkageSettings, TrainingSettings

log = logging.getLogger(__name__)

StageArgs = ParamSpec("StageArgs")
StageResult = TypeVar("StageResult")

__all__ = [
    "BlockingRuleCreator",
    "ComparisonCreator",
    "EMTrainingException",
    "EMTrainingSession",
    "SplinkDataFrame",
    "chart_page",
    "comparison_levels",
    "em_converged",
    "em_iterations",
    "new_linker",
    "register",
    "register_for",
    "register_term_frequencies",
    "remove_intermediate_tables",
    "removes_intermediate_tables",
    "share_term_frequencies",
    "to_spark",
]


def register(db_api: DuckDBAPI | SparkAPI, frame: DataFrame) -> SplinkDataFrame:
    """A Spark DataFrame as a table of a Splink backend (copied into DuckDB when that backend runs)."""
    return db_api.register(frame.toArrow() if isinstance(db_api, DuckDBAPI) else frame)


def register_for(linker: Linker, frame: DataFrame) -> SplinkDataFrame:
    """A Spark DataFrame as a table of the backend a linker runs on."""
    return register(linker._db_api, frame)


def new_linker(records: DataFrame, settings: SettingsCreator, linkage: LinkageSettings) -> Linker:
    """A Splink linker over `records` on the configured backend (Spark, or DuckDB in this process)."""
    if linkage.backend == "duckdb":
        db_api: DuckDBAPI | SparkAPI = DuckDBAPI()
    else:
        db_api = SparkAPI(
            spark_session=records.sparkSession,
            break_lineage_method=linkage.spark.break_lineage_method,
            num_partitions_on_repartition=linkage.spark.num_partitions_on_repartition,
        )
    return Linker(register(db_api, records), settings, log_level=logging.WARNING)


def register_term_frequencies(linker: Linker) -> dict[str, SplinkDataFrame]:
    """Compute the term-frequency table of every column the model adjusts for, over all the linker's records, and keep
    it in the linker's cache (predict_between/predict_within need them); return the tables by column."""
    columns = [column.unquote().name for column in linker._settings_obj._term_frequency_columns]
    return {column: linker.table_management.compute_tf_table(column) for column in columns}


def share_term_frequencies(source: Linker, target: Linker) -> list[str]:
    """Give `target` the term-frequency tables of `source`'s records (e.g. all of silver for a linker over a subset), so
    both score a pair alike; return the columns."""
    tables = register_term_frequencies(source)
    for column, table in tables.items():
        if isinstance(target._db_api, DuckDBAPI):  # another DuckDB connection: copied over as Arrow
            table = target._db_api.register(table.as_pyarrow_table())
        target.table_management.register_term_frequency_lookup(table, column)  # on Spark both see the one session's view
    return list(tables)


def em_iterations(session: EMTrainingSession) -> int:
    """How many EM iterations a finished training session ran."""
    return len(session._core_model_settings_history) - 1


def em_converged(session: EMTrainingSession, training: TrainingSettings) -> bool:
    """Whether an EM session stopped because its parameters settled (not because it ran out of iterations)."""
    history = session._core_model_settings_history
    return len(history) < 2 or _max_change_in_parameters_comparison_levels(history)["max_abs_change_value"] < training.em_convergence


def to_spark(frame: SplinkDataFrame, spark: SparkSession) -> DataFrame:
    """A Splink table as a Spark DataFrame (copied from DuckDB when that backend ran it)."""
    if isinstance(frame.db_api, SparkAPI):
        return frame.as_spark_dataframe()
    table = frame.as_pyarrow_table()
    # DuckDB types the columns of an empty result NULL, which Spark cannot take: those become strings
    untyped = [i for i, field in enumerate(table.schema) if pa.types.is_null(field.type)]
    for i in untyped:
        table = table.set_column(i, table.schema.field(i).name, table.column(i).cast(pa.string()))
    return spark.createDataFrame(table if table.num_rows else table.schema.empty_table())  # Spark needs one chunk per column


def comparison_levels(creator: ComparisonCreator) -> list[dict[str, Any]]:
    """A comparison's levels as Splink settings dicts (their labels do not depend on the SQL dialect)."""
    return creator.create_comparison_dict("duckdb")["comparison_levels"]


def chart_page(chart: Any) -> str:
    """An Altair chart (or its spec dict) as a self-contained HTML page, scripts inlined (no CDN needed)."""
    return chart_html(chart, inline=True, fullhtml=True)


def chart_libraries() -> dict[str, str]:
    """The JavaScript of Vega, Vega-Lite and Vega-Embed that Splink ships, by name (to inline: no CDN needed)."""
    return load_chart_libraries()


def spec_for_html(spec: dict[str, Any]) -> str:
    """A chart spec as JSON safe inside a <script> element."""
    return json_for_html(spec)


def model_weights_chart(model: dict[str, Any]) -> dict[str, Any]:
    """Splink's match weights chart of a trained model (the saved model JSON), as a Vega-Lite spec."""
    return SettingsCreator.from_path_or_dict(model).get_settings(model.get("sql_dialect") or "duckdb").match_weights_chart().chart_dict


def weight_histogram_chart(bins: list[dict[str, float]]) -> dict[str, Any]:
    """Splink's match weight histogram from (splink_score_bin_low, splink_score_bin_high, binwidth, count_rows) bins."""
    return MatchWeightsHistogramChart(bins).chart_dict


def remove_intermediate_tables(spark: SparkSession) -> int:
    """Delete what Splink materialised under the session's checkpoint folder (`__splink__df_…` parquet tables, Spark
    checkpoints): every compared pair's values, personal data nobody else keeps track of. Returns the entries removed."""
    jsc = getattr(spark, "_jsc", None)  # None on Spark Connect: no checkpoint folder, Splink cannot write there either
    if jsc is None or jsc.sc().getCheckpointDir().isEmpty():
        return 0
    folder = spark._jvm.org.apache.hadoop.fs.Path(jsc.sc().getCheckpointDir().get())
    fs = folder.getFileSystem(jsc.hadoopConfiguration())
    if not fs.exists(folder):
        return 0
    entries = [status.getPath() for status in fs.listStatus(folder)]
    for entry in entries:
        fs.delete(entry, True)
    return len(entries)


def removes_intermediate_tables(stage: Callable[StageArgs, StageResult]) -> Callable[StageArgs, StageResult]:
    """A linkage job's `run(config, spark, store, …)` that removes Splink's intermediate tables when it ends, successfully or not."""

    @functools.wraps(stage)
    def run(*args: StageArgs.args, **kwargs: StageArgs.kwargs) -> StageResult:
        spark = kwargs.get("spark", args[1] if len(args) > 1 else None)
        try:
            return stage(*args, **kwargs)
        finally:
            if isinstance(spark, SparkSession):
                removed = remove_intermediate_tables(spark)
                if removed:
                    log.info("%s: removed %d intermediate table(s) of Splink from the checkpoint folder", stage.__module__, removed)

    return run
