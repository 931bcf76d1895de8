"""Entity resolution with Splink: settings from the JSON spec, linkage input, training, prediction."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from splink import DuckDBAPI, Linker, SettingsCreator, SparkAPI, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.em_training_session import EMTrainingSession
from splink.internals.exceptions import EMTrainingException
from splink.internals.expectation_maximisation import _max_change_in_parameters_comparison_levels
from splink.internals.splink_dataframe import SplinkDataFrame

from lakehouse.errors import PipelineError
from lakehouse.linkage_settings import BUNDLED_MODEL, TRAINED_MODEL_PREFIX, LinkageSettings, TrainingSettings, bundled_file

log = logging.getLogger(__name__)


class LinkageError(PipelineError):
    """Entity resolution cannot go on (bad spec, model that does not fit the spec, untrainable model)."""


class ModelNotTrainedError(LinkageError):
    """Training produced a model that must not be saved: EM did not converge or some levels have no m/u estimate."""


def load_spec(path: Path) -> dict[str, Any]:
    """Read a settings spec JSON (see linkage_models/customer_settings.json) and its first-name variants file, if named."""
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        variants_file = spec.get("first_name_variants_file")
        spec["first_name_variants"] = json.loads((Path(path).parent / variants_file).read_text(encoding="utf-8"))["variants"] if variants_file else {}
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        raise LinkageError(f"cannot read the linkage settings spec {path} or its first-name variants: {exc}") from exc
    missing = {"link_type", "input_columns", "comparisons", "blocking_rules"} - set(spec)
    if missing:
        raise LinkageError(f"linkage settings spec {path} lacks {sorted(missing)}")
    return spec


def load_model(path: Path) -> dict[str, Any]:
    """Read a trained model JSON (Splink's own format, as train writes it)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LinkageError(f"cannot read the trained linkage model {path}: {exc}; run `golden-record train` first") from exc


def save_model(model: dict[str, Any], metadata: dict[str, Any], models_dir: str, trained_at: datetime) -> Path:
    """Write model JSON plus its `.meta.json` sidecar under `models_dir` with a timestamped, sortable name."""
    folder = Path(models_dir)
    if folder.resolve() == bundled_file(BUNDLED_MODEL).parent.resolve():
        raise LinkageError(f"paths.models ({models_dir}) is the linkage_models package: trained models never go into the source tree")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{TRAINED_MODEL_PREFIX}-{trained_at:%Y%m%dT%H%M%S}Z.json"
    path.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    model_metadata_path(path).write_text(json.dumps(metadata, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def model_metadata_path(model_path: Path) -> Path:
    """The sidecar JSON with a model's training metadata."""
    return model_path.with_suffix(".meta.json")


def _column_names(entry: Any) -> list[str]:
    """Every 'col_name' argument inside a spec entry, in order."""
    if isinstance(entry, list):
        return [name for item in entry for name in _column_names(item)]
    if not isinstance(entry, dict):
        return []
    names = [entry["col_name"]] if "col_name" in entry else []
    return names + [name for value in entry.values() for name in _column_names(value)]


def comparison_columns(spec: dict[str, Any]) -> dict[str, list[str]]:
    """Silver columns each comparison of the spec reads, by comparison output name (derived helper columns left out)."""
    creators = comparison_creators(spec)
    return {
        creator.create_output_column_name(): [c for c in dict.fromkeys(_column_names(entry)) if c not in DERIVED_COLUMNS]
        for creator, entry in zip(creators, spec["comparisons"])
    }


def _build(entry: Any) -> Any:
    """Turn a spec entry naming a Splink class ({'comparison'|'level': name, 'args', 'configure'}) into its object."""
    if isinstance(entry, list):
        return [_build(item) for item in entry]
    if not isinstance(entry, dict):
        return entry
    if not {"comparison", "level"} & set(entry):
        return {key: _build(value) for key, value in entry.items()}
    library, name = (cl, entry["comparison"]) if "comparison" in entry else (cll, entry["level"])
    cls = getattr(library, name, None)
    if cls is None:
        raise LinkageError(f"{library.__name__} has no class {name!r}")
    args = _build(entry.get("args", {}))
    created = cls(*args) if isinstance(args, list) else cls(**args)
    return created.configure(**entry["configure"]) if "configure" in entry else created


def comparison_creators(spec: dict[str, Any]) -> list[ComparisonCreator]:
    """The spec's comparisons as Splink comparison creators (dialect-free)."""
    return [_build(entry) for entry in spec["comparisons"]]


def _levels(creator: ComparisonCreator) -> list[dict[str, Any]]:
    """A comparison's levels as Splink settings dicts (their labels do not depend on the SQL dialect)."""
    return creator.create_comparison_dict("duckdb")["comparison_levels"]


def level_labels(creator: ComparisonCreator) -> list[str]:
    """Labels of a comparison's non-null levels, most similar first."""
    return [level["label_for_charts"] for level in _levels(creator) if not level.get("is_null_level")]


def gamma_labels(spec: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Level label by gamma value (Splink's comparison vector value) for each comparison of the spec.

    Splink numbers the non-null levels from n-1 (the first, most similar) down to 0 (usually "else")
    and gives the null level -1.
    """
    result = {}
    for creator in comparison_creators(spec):
        labels = level_labels(creator)
        by_gamma = {len(labels) - 1 - i: label for i, label in enumerate(labels)}
        by_gamma.update({-1: level["label_for_charts"] for level in _levels(creator) if level.get("is_null_level")})
        result[creator.create_output_column_name()] = by_gamma
    return result


def _with_trained_parameters(creators: list[ComparisonCreator], model: dict[str, Any]) -> list[ComparisonCreator]:
    """Configure each comparison with the m and u probabilities a trained model holds for it."""
    trained = {comparison["output_column_name"]: comparison for comparison in model.get("comparisons", [])}
    for creator in creators:
        name = creator.create_output_column_name()
        levels = [level for level in trained.get(name, {}).get("comparison_levels", []) if not level.get("is_null_level")]
        if [level.get("label_for_charts") for level in levels] != level_labels(creator):
            raise LinkageError(f"the trained model's comparison '{name}' does not match the settings spec: retrain the model")
        if any("m_probability" not in level or "u_probability" not in level for level in levels):
            raise LinkageError(f"the trained model has no m/u probability for some levels of '{name}'")
        creator.configure(m_probabilities=[level["m_probability"] for level in levels], u_probabilities=[level["u_probability"] for level in levels])
    return creators


def blocking_rule(rule: list[str] | str) -> BlockingRuleCreator | str:
    """A spec blocking rule for Splink: a list of columns that must be equal, or SQL over `l.` and `r.` columns."""
    return rule if isinstance(rule, str) else block_on(*rule)


def splink_settings(
    spec: dict[str, Any], model: dict[str, Any] | None = None, training: TrainingSettings | None = None, blocking_rules: list[list[str] | str] | None = None
) -> SettingsCreator:
    """Splink settings from the spec, with a trained `model`'s parameters (None: untrained) and other blocking rules if given."""
    creators = comparison_creators(spec)
    extra: dict[str, Any] = {}
    if model is not None:
        creators = _with_trained_parameters(creators, model)
        extra["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    if training is not None:
        extra |= {"max_iterations": training.max_iterations, "em_convergence": training.em_convergence}
    return SettingsCreator(
        link_type=spec["link_type"],
        unique_id_column_name="unique_id",
        comparisons=creators,
        blocking_rules_to_generate_predictions=[blocking_rule(rule) for rule in blocking_rules or spec["blocking_rules"]],
        additional_columns_to_retain=["source_system", "source_record_id"],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        **extra,
    )


def _name_groups(variants: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each name of the variants table -> the table keys it belongs to (a key belongs to itself)."""
    groups: dict[str, set[str]] = {}
    for key, names in variants.items():
        for name in (key, *names):
            groups.setdefault(name, set()).add(key)
    return {name: sorted(keys) for name, keys in groups.items()}


def first_name_variants(first_name: Column, variants: dict[str, list[str]]) -> Column:
    """The name, its words ("hans peter" -> hans, peter) and the variant groups of each: two names sharing one are related."""
    pairs = [F.lit(x) for name, keys in sorted(_name_groups(variants).items()) for x in (name, F.array(*map(F.lit, keys)))]
    groups_of = F.create_map(*pairs).cast("map<string,array<string>>")
    words = F.split(first_name, " ")
    groups = F.flatten(F.transform(words, lambda word: F.coalesce(groups_of[word], F.array().cast("array<string>"))))
    return F.when(first_name.isNotNull(), F.array_distinct(F.concat(F.array(first_name), words, groups)))


DERIVED_COLUMNS = {
    "first_name_variants": lambda spec: first_name_variants(F.col("first_name_norm"), spec["first_name_variants"]),
    "last_name_parts": lambda spec: F.split("last_name_norm", " "),
}
"""Linkage input columns computed from silver columns: name variants for nicknames, compound and double names."""


def prepare_for_linkage(customers: DataFrame, spec: dict[str, Any]) -> DataFrame:
    """Silver customers as Splink input: record key columns plus the spec's input columns (blanks as null, derived ones added)."""
    types = dict(customers.dtypes)
    needed = ["source_system", "source_record_id", *[c for c in spec["input_columns"] if c not in DERIVED_COLUMNS]]
    missing = [c for c in needed if c not in types]
    if missing:
        raise LinkageError(f"silver customers lack the linkage input column(s) {missing}")
    values = {c: F.nullif(F.trim(c), F.lit("")) if types[c] == "string" else F.col(c) for c in needed[2:]}
    cleaned = customers.select(F.concat_ws(":", "source_system", "source_record_id").alias("unique_id"), "source_system", "source_record_id", *[v.alias(c) for c, v in values.items()])
    return cleaned.select(*cleaned.columns[:3], *[DERIVED_COLUMNS[c](spec).alias(c) if c in DERIVED_COLUMNS else F.col(c) for c in spec["input_columns"]])


def register(db_api: DuckDBAPI | SparkAPI, frame: DataFrame) -> SplinkDataFrame:
    """A Spark DataFrame as a table of a Splink backend (copied into DuckDB when that backend runs)."""
    return db_api.register(frame.toArrow() if isinstance(db_api, DuckDBAPI) else frame)


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


def _em_converged(session: EMTrainingSession, training: TrainingSettings) -> bool:
    """Whether an EM session stopped because its parameters settled (not because it ran out of iterations)."""
    history = session._core_model_settings_history
    return len(history) < 2 or _max_change_in_parameters_comparison_levels(history)["max_abs_change_value"] < training.em_convergence


def untrained_levels(model: dict[str, Any]) -> list[str]:
    """Comparison levels of a saved model that lack an estimated m or u probability ('comparison: level (m, u)')."""
    problems = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            missing = [p for p in ("m", "u") if not level.get("is_null_level") and not isinstance(level.get(f"{p}_probability"), (int, float))]
            if missing:
                problems.append(f"{comparison['output_column_name']}: {level.get('label_for_charts')} ({', '.join(missing)})")
    return problems


def train_model(linker: Linker, training: TrainingSettings) -> dict[str, Any]:
    """Estimate lambda, u and m unsupervised; return the model dict or raise ModelNotTrainedError."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*rule) for rule in training.deterministic_rules], recall=training.deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=training.u_max_pairs, seed=training.seed)
    try:
        sessions = [
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule), max_pairs=training.em_max_pairs)
            for rule in training.em_blocking_rules
        ]
    except EMTrainingException as exc:
        raise ModelNotTrainedError(f"the linkage model cannot be trained: {exc}") from exc
    model = linker.misc.save_model_to_json()
    log.info(
        "trained: probability two random records match %.3g; EM iterations %s",
        model["probability_two_random_records_match"],
        [len(session._core_model_settings_history) - 1 for session in sessions],
    )
    problems = [f"EM blocked on {rule} did not converge in {training.max_iterations} iterations" for rule, session in zip(training.em_blocking_rules, sessions) if not _em_converged(session, training)]
    problems += [f"untrained level {level}" for level in untrained_levels(model)]
    if problems:
        raise ModelNotTrainedError("the trained linkage model is not saved:\n  - " + "\n  - ".join(problems))
    return model


def count_comparisons(linker: Linker) -> int:
    """Record pairs the prediction blocking rules generate (Splink caches them, so predict reuses them)."""
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    return int(linker.misc.query_sql(f"select count(*) as pairs from {blocked.physical_name}", output_type="pandas")["pairs"][0])


def predict(linker: Linker, pair_floor: float) -> SplinkDataFrame:
    """Score the blocked pairs; keep those with match probability >= pair_floor."""
    return linker.inference.predict(threshold_match_probability=pair_floor)


def to_spark(frame: SplinkDataFrame, spark: SparkSession) -> DataFrame:
    """A Splink table as a Spark DataFrame (copied from DuckDB when that backend ran it)."""
    if isinstance(frame.db_api, SparkAPI):
        return frame.as_spark_dataframe()
    return spark.createDataFrame(frame.as_pyarrow_table())


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
