"""The marketing audience: golden customers who agreed to e-mail marketing, with what a campaign tool needs."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.tables import MARKETING_AUDIENCE


def marketing_audience(golden: DataFrame, kpis: DataFrame) -> DataFrame:
    """gold.marketing_audience: one row per golden customer with e-mail consent and an e-mail address, with its value segment."""
    consenting = golden.where(F.coalesce(F.col("consent_email"), F.lit(False)) & F.col("email").isNotNull())
    return consenting.join(kpis.select("golden_id", "value_segment"), "golden_id", "left").select(*MARKETING_AUDIENCE.columns)
