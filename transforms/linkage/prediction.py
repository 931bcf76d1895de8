"""Score candidate pairs and choose thresholds from the model's own expected precision and recall."""

from __future__ import annotations

import logging
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T
from splink import Linker

from golden_record.lakehouse.linkage_settings import LinkageSettings
from golden_record.transforms.linkage.spec import comparison_columns
from golden_record.transforms.linkage.splink_adapter import SplinkDataFrame

log = logging.getLogger(__name__)


def count_comparisons(linker: Linker) -> int:
    """Record pairs the prediction blocking rules generate (Splink caches them, so predict reuses them)."""
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    return int(linker.misc.query_sql(f"select count(*) as pairs from {blocked.physical_name}", output_type="pandas")["pairs"][0])


def predict(linker: Linker, pair_floor: float) -> SplinkDataFrame:
    """Score the blocked pairs; keep those with match probability >= pair_floor."""
    return linker.inference.predict(threshold_match_probability=pair_floor)


PAIR_SCHEMA = T.StructType(
    [
        T.StructField("unique_id_l", T.StringType()),
        T.StructField("unique_id_r", T.StringType()),
        T.StructField("source_system_l", T.StringType()),
        T.StructField("source_record_id_l", T.StringType()),
        T.StructField("source_system_r", T.StringType()),
        T.StructField("source_record_id_r", T.StringType()),
        T.StructField("match_weight", T.DoubleType()),
        T.StructField("match_probability", T.DoubleType()),
        T.StructField("match_key", T.StringType()),
    ]
)
"""Schema of gold.match_pairs."""


def match_pairs(predictions: DataFrame) -> DataFrame:
    """The pair columns of Splink predictions (gold.match_pairs): ids, match weight and probability, blocking rule."""
    return predictions.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in PAIR_SCHEMA.fields])


CLUSTER_SHARE_OF_MATCH_THRESHOLD = 0.5
"""An automatic cluster threshold is this share of the match threshold: average linkage takes the mean over every pair of
two groups, including pairs no blocking rule compares and sparse records (an e-mail-only sign-up) whose evidence
against the group's other records is weak, so the mean of a true group sits well below its best pairs (measured on
both test populations: cluster F1 highest at 0.45-0.55 of the match threshold)."""


THRESHOLD_BINS = 1000
"""Resolution of the match probability histogram the automatic thresholds are chosen from."""


def probability_histogram(linker: Linker, predictions: SplinkDataFrame, floor: float) -> list[tuple[float, int, float]]:
    """(bin lower edge, pairs, sum of match probability) of the scored pairs at or above `floor`, one backend query."""
    sql = (
        f"select floor(match_probability * {THRESHOLD_BINS}) as bin, count(*) as pairs, sum(match_probability) as expected "
        f"from {predictions.physical_name} where match_probability >= {floor} group by floor(match_probability * {THRESHOLD_BINS})"
    )
    rows = linker.misc.query_sql(sql, output_type="pandas")
    return sorted((min(float(r.bin), THRESHOLD_BINS - 1) / THRESHOLD_BINS, int(r.pairs), float(r.expected)) for r in rows.itertuples())


def expected_f1_threshold(histogram: list[tuple[float, int, float]], floor: float) -> tuple[float, float]:
    """The match threshold that maximises the F1 the model itself expects, and that F1.

    The model's match probability of a pair is its expected share of true matches: above a threshold t,
    the expected true pairs are the sum of p, the predicted pairs their count, and all true pairs the sum
    of p over every kept pair. The best t is where adding a pair no longer raises the expected F1
    (a pair is worth adding while its probability exceeds half the F1 reached).
    """
    actual = sum(expected for _, _, expected in histogram)
    best = (0.5, 0.0)
    true_pairs = predicted = 0.0
    for edge, pairs, expected in sorted(histogram, reverse=True):
        true_pairs, predicted = true_pairs + expected, predicted + pairs
        f1 = 2 * true_pairs / (predicted + actual) if predicted + actual else 0.0
        if f1 > best[1] and edge >= floor:
            best = (edge, f1)
    return best


def settings_for_model(linkage: LinkageSettings, spec: dict[str, Any], linker: Linker, predictions: SplinkDataFrame) -> LinkageSettings:
    """The linkage settings this model and data use: guards on its comparisons, and 'auto' thresholds chosen from its scores."""
    names = set(comparison_columns(spec))
    guards = [guard for guard in linkage.cluster_guards if guard.comparison in names]
    update: dict[str, Any] = {"cluster_guards": guards}
    if "auto" in (linkage.match_threshold, linkage.cluster_threshold):
        threshold, f1 = expected_f1_threshold(probability_histogram(linker, predictions, linkage.pair_floor), linkage.pair_floor)
        threshold = min(max(threshold, linkage.review_band.low), 0.99)
        log.info("automatic threshold %.3f: the model expects pairwise F1 %.3f there", threshold, f1)
        if linkage.match_threshold == "auto":
            update["match_threshold"] = threshold
        if linkage.cluster_threshold == "auto":
            update["cluster_threshold"] = update.get("match_threshold", linkage.match_threshold) * CLUSTER_SHARE_OF_MATCH_THRESHOLD
    threshold = update.get("match_threshold", linkage.match_threshold)
    update["review_band"] = linkage.review_band.model_copy(update={"high": max(min(linkage.review_band.high, threshold), linkage.review_band.low + 1e-9)})
    resolved = linkage.model_copy(update=update)
    log.info("match threshold %.3f, cluster threshold %.3f, review band [%.3f, %.3f)", resolved.match_threshold, resolved.cluster_threshold, resolved.review_band.low, resolved.review_band.high)
    return resolved
