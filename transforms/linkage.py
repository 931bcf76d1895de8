"""Entity resolution with Splink: settings from the JSON spec, linkage input, training, prediction."""

from __future__ import annotations

import json
import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
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
from transforms.training_plan import TrainingPlan
from lakehouse.linkage_settings import BUNDLED_MODEL, IDENTIFIER_FIELDS, TRAINED_MODEL_PREFIX, IdentifierSettings, LinkageSettings, TrainingSettings, bundled_file

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


def load_metadata(model_path: Path) -> dict[str, Any]:
    """A model's training metadata ({} for a model without a sidecar, e.g. one written by hand)."""
    path = model_metadata_path(model_path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def load_prior(linkage: LinkageSettings) -> tuple[Path | None, dict[str, Any] | None]:
    """The prior model (path and JSON) whose values fill the levels training data never shows."""
    path = linkage.prior_model_path()
    return (path, load_model(path)) if path.exists() else (None, None)


@dataclass(frozen=True)
class MatchingModel:
    """A trained model ready to match with: its file, parameters, training metadata and the spec it was trained with."""

    path: Path
    model: dict[str, Any]
    metadata: dict[str, Any]
    spec: dict[str, Any]


def matching_model(linkage: LinkageSettings, models_dir: str) -> MatchingModel:
    """The configured model, else the newest trained on this lakehouse; never a model of other data unasked."""
    path = linkage.model_path(models_dir)
    if path is None:
        raise LinkageError(f"no trained linkage model under {models_dir}: run `golden-record train` (or `golden-record run`, which trains one) first")
    model, metadata = load_model(path), load_metadata(path)
    return MatchingModel(path, model, metadata, spec_for_model(load_spec(linkage.settings_path()), model, metadata))


def spec_for_model(spec: dict[str, Any], model: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """The spec as the model was trained: its comparisons only, and the blocking rules training chose for the data."""
    trained = {c["output_column_name"] for c in model.get("comparisons", [])}
    kept = [entry for name, entry in zip(comparison_columns(spec), spec["comparisons"]) if name in trained]
    rules = metadata.get("plan", {}).get("blocking_rules", spec["blocking_rules"])
    return {**spec, "comparisons": kept, "blocking_rules": rules}


def _column_names(entry: Any) -> list[str]:
    """Every 'col_name' argument inside a spec entry, in order."""
    if isinstance(entry, list):
        return [name for item in entry for name in _column_names(item)]
    if not isinstance(entry, dict):
        return []
    names = [entry["col_name"]] if "col_name" in entry else []
    return names + [name for value in entry.values() for name in _column_names(value)]


def comparison_columns(spec: dict[str, Any], include_derived: bool = False) -> dict[str, list[str]]:
    """Columns each comparison of the spec reads, by comparison output name (the null level's first; derived ones only if asked)."""
    creators = comparison_creators(spec)
    return {
        creator.create_output_column_name(): [c for c in dict.fromkeys(_column_names(entry)) if include_derived or c not in DERIVED_COLUMNS]
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


def rule_sql(rule: list[str] | str) -> str:
    """A spec blocking rule as SQL over `l.` and `r.` columns."""
    return rule if isinstance(rule, str) else " and ".join(f"l.{c} = r.{c}" for c in rule)


def known_matches(linker: Linker, rule: list[str] | str, deterministic_rules: list[list[str] | str]) -> int:
    """Pairs a blocking rule finds that a deterministic rule also finds: the near-certain matches inside its block."""
    anyone = " or ".join(f"({rule_sql(d)})" for d in deterministic_rules)
    counted = linker.blocking_analysis.count_comparisons_from_blocking_rules([f"({rule_sql(rule)}) and ({anyone})"], record_sample_proportion=1.0)
    return int(counted[0]["marginal_comparison_count"])


def blocking_rule(rule: list[str] | str) -> BlockingRuleCreator | str:
    """A spec blocking rule for Splink: a list of columns that must be equal, or SQL over `l.` and `r.` columns."""
    return rule if isinstance(rule, str) else block_on(*rule)


def splink_settings(
    spec: dict[str, Any],
    model: dict[str, Any] | None = None,
    training: TrainingSettings | None = None,
    blocking_rules: list[list[str] | str] | None = None,
    prior_lambda: float | None = None,
) -> SettingsCreator:
    """Splink settings from the spec, with a trained `model`'s parameters (None: untrained) and other blocking rules if given."""
    creators = comparison_creators(spec)
    extra: dict[str, Any] = {} if prior_lambda is None else {"probability_two_random_records_match": prior_lambda}
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


def identifier_key(value: Column, placeholder_patterns: list[str]) -> Column:
    """An identifier as a matching key: letters and digits only, upper case; null when blank or a placeholder value."""
    key = F.regexp_replace(F.upper(value), "[^0-9A-Z]", "")
    placeholder = reduce(operator.or_, [key.rlike(pattern) for pattern in placeholder_patterns], F.lit(False))
    return F.when((key != "") & ~placeholder, key)


@dataclass(frozen=True)
class DerivedColumn:
    """A linkage input column computed from a silver column."""

    base: str
    make: Callable[[dict[str, Any], IdentifierSettings], Column]


DERIVED_COLUMNS = {
    "first_name_variants": DerivedColumn("first_name_norm", lambda spec, _: first_name_variants(F.col("first_name_norm"), spec["first_name_variants"])),
    "last_name_parts": DerivedColumn("last_name_norm", lambda spec, _: F.split("last_name_norm", " ")),
    "birth_date_text": DerivedColumn("birth_date", lambda spec, _: F.date_format("birth_date", "yyyy-MM-dd")),
    **{
        f"{name}_key": DerivedColumn(name, lambda spec, ids, name=name: identifier_key(F.col(name), ids.placeholder_patterns))
        for name in IDENTIFIER_FIELDS
    },
}
"""Linkage input columns computed from silver columns: name variants for nicknames, compound and double names, the birth
date as text (digit typos), identifier keys."""


def without_shared_values(records: DataFrame, columns: list[str], max_records: int) -> tuple[DataFrame, dict[str, int]]:
    """Null identifier keys that more than `max_records` records share (a default or test value, not a person's id)."""
    shared_counts: dict[str, int] = {}
    for column in columns:
        shared = records.where(F.col(column).isNotNull()).groupBy(column).count().where(F.col("count") > max_records).select(column, F.lit(True).alias("_shared"))
        values = shared.count()
        if values:
            shared_counts[column] = values
            records = records.join(F.broadcast(shared), column, "left").withColumn(column, F.when(F.col("_shared").isNull(), F.col(column))).drop("_shared")
    return records, shared_counts


def prepare_for_linkage(customers: DataFrame, spec: dict[str, Any], identifiers: IdentifierSettings | None = None) -> DataFrame:
    """Silver customers as Splink input: record key columns plus the spec's input columns (blanks as null, derived ones added)."""
    identifiers = identifiers or IdentifierSettings()
    types = dict(customers.dtypes)
    derived = [DERIVED_COLUMNS[c] for c in spec["input_columns"] if c in DERIVED_COLUMNS]
    needed = list(dict.fromkeys(["source_system", "source_record_id", *[c for c in spec["input_columns"] if c not in DERIVED_COLUMNS], *[d.base for d in derived]]))
    missing = [c for c in needed if c not in types]
    if missing:
        raise LinkageError(f"silver customers lack the linkage input column(s) {missing}")
    values = {c: F.nullif(F.trim(c), F.lit("")) if types[c] == "string" else F.col(c) for c in needed[2:]}
    cleaned = customers.select(F.concat_ws(":", "source_system", "source_record_id").alias("unique_id"), "source_system", "source_record_id", *[v.alias(c) for c, v in values.items()])
    prepared = cleaned.select(*cleaned.columns[:3], *[DERIVED_COLUMNS[c].make(spec, identifiers).alias(c) if c in DERIVED_COLUMNS else F.col(c) for c in spec["input_columns"]])
    keys = [c for c in spec["input_columns"] if c in DERIVED_COLUMNS and DERIVED_COLUMNS[c].base in IDENTIFIER_FIELDS]
    columns = prepared.columns
    prepared, shared = without_shared_values(prepared, keys, identifiers.max_records_per_value)
    for column, count in shared.items():
        log.info("%s: %d value(s) shared by more than %d records ignored for matching", column, count, identifiers.max_records_per_value)
    return prepared.select(*columns)


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


def _prior_levels(prior: dict[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
    """The prior model's levels by (comparison, level label)."""
    if not prior:
        return {}
    return {(c["output_column_name"], level.get("label_for_charts")): level for c in prior.get("comparisons", []) for level in c["comparison_levels"]}


def with_priors(model: dict[str, Any], prior: dict[str, Any] | None, pairs_sampled: float) -> tuple[dict[str, Any], list[str]]:
    """Fill the m/u probabilities the data never showed: the prior model's value for the same level, else a documented default.

    Defaults: a u the random sample never showed is 1 / pairs sampled (rarer than one in the sample);
    an m never estimated equals the level's u, so the level weighs nothing until data shows it.
    Returns the filled model and one line per filled value ('comparison: level: m from prior').
    """
    known = _prior_levels(prior)
    filled = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = f"{comparison['output_column_name']}: {level.get('label_for_charts')}"
            source = known.get((comparison["output_column_name"], level.get("label_for_charts")), {})
            for p in ("u", "m"):
                if isinstance(level.get(f"{p}_probability"), (int, float)):
                    continue
                if isinstance(source.get(f"{p}_probability"), (int, float)):
                    level[f"{p}_probability"], origin = source[f"{p}_probability"], "prior model"
                elif p == "u":
                    level["u_probability"], origin = 1.0 / max(pairs_sampled, 1.0), "1 / pairs sampled"
                else:
                    level["m_probability"], origin = level["u_probability"], "equal to u (no evidence)"
                filled.append(f"{label}: {p} = {level[f'{p}_probability']:.3g} ({origin})")
    return model, filled


@dataclass(frozen=True)
class TrainingReport:
    """What training did on this data: sessions run and skipped, values filled from priors, warnings."""

    em_sessions: list[str]
    skipped_sessions: list[str]
    prior_values: list[str]
    warnings: list[str]


def train_model(linker: Linker, training: TrainingSettings, plan: TrainingPlan, records: int, prior: dict[str, Any] | None) -> tuple[dict[str, Any], TrainingReport]:
    """Estimate lambda, u and m unsupervised on this data; levels it never shows keep prior values (see with_priors).

    EM sessions run in the configured order; a session that would estimate only comparisons earlier sessions
    already estimated is not run, and one whose rule finds no pairs, or fewer near-certain matches (pairs a
    deterministic rule also finds) than training.min_known_matches, is skipped: EM on a block without matches
    fits its m probabilities to non-matches.
    """
    deterministic_rules, em_rules = plan.deterministic_rules, plan.em_rules
    warnings = []
    try:
        if not deterministic_rules:
            raise LinkageError("no deterministic rule has its columns filled")
        linker.training.estimate_probability_two_random_records_match([blocking_rule(rule) for rule in deterministic_rules], recall=training.deterministic_recall)
    except Exception as exc:  # no pairs or no rule: the settings' prior lambda stays (see splink_settings)
        if not prior:
            raise ModelNotTrainedError(f"the probability that two records match cannot be estimated: {exc}") from exc
        warnings.append(f"probability two random records match kept from the prior model ({exc})")
    pairs_sampled = min(training.u_max_pairs, records * (records - 1) / 2)
    linker.training.estimate_u_using_random_sampling(max_pairs=training.u_max_pairs, seed=training.seed)
    sessions, skipped, estimated = [], [], set()
    for rule in em_rules:
        if plan.estimates.get(str(rule), set()) <= estimated:
            continue
        known = known_matches(linker, rule, deterministic_rules) if deterministic_rules else training.min_known_matches
        if known < training.min_known_matches:
            skipped.append(f"{rule}: only {known} pair(s) in its block that a deterministic rule also finds (min_known_matches {training.min_known_matches})")
            continue
        try:
            session = linker.training.estimate_parameters_using_expectation_maximisation(blocking_rule(rule), max_pairs=training.em_max_pairs)
        except EMTrainingException as exc:
            skipped.append(f"{rule}: {str(exc).splitlines()[0]}")
            continue
        estimated |= plan.estimates.get(str(rule), set())
        sessions.append(f"{rule}: {len(session._core_model_settings_history) - 1} iterations")
        if not _em_converged(session, training):
            warnings.append(f"EM blocked on {rule} did not converge in {training.max_iterations} iterations")
    model, prior_values = with_priors(linker.misc.save_model_to_json(), prior, pairs_sampled)
    report = TrainingReport(sessions, skipped, prior_values, warnings)
    log.info("trained: probability two random records match %.3g; EM sessions %s", model["probability_two_random_records_match"], sessions)
    for line in [*(f"EM session skipped: {s}" for s in skipped), *(f"prior value: {p}" for p in prior_values), *warnings]:
        log.warning(line)
    return model, report


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
