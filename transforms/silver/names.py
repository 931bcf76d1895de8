"""Person names, plus the text forms and reference data every silver standardiser shares.

Two forms per name:
- tidy (`first_name`, `last_name`): trimmed, whitespace collapsed, no spaces around hyphens,
  ALL-CAPS or all-lower input written as capitalised words ("MÜLLER-LÜDENSCHEIDT" ->
  "Müller-Lüdenscheidt", "o'brien" -> "O'Brien", "VON DER LEYEN" -> "von der Leyen");
  mixed-case input keeps its case. Leading titles and salutations move to `title`.
- matching (`first_name_norm`, `last_name_norm`), see `matching_form`: lower case, umlauts and
  ß transliterated (ä -> ae, ß -> ss), Nordic letters too (ø -> oe, æ -> ae, å -> aa), other
  diacritics stripped (Unicode NFKD), apostrophes removed ("O'Brien" -> "obrien"), hyphens
  and other punctuation turned into single spaces ("Hans-Peter" -> "hans peter").
  `last_name_norm` also drops name particles unless they are the last word
  ("von der Leyen" -> "leyen", "Van" -> "van").
A name with characters no name has (digits, @, _ …) becomes null with issue
`name_invalid_characters`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.transforms.silver.issues import flag_issue

DIACRITIC_RANGES = [(0x00C0, 0x024F), (0x0370, 0x04FF), (0x1E00, 0x1FFF), (0xFF21, 0xFF5A)]
"""Where `matching_form` strips diacritics: Latin-1, Latin Extended A/B, Greek, Cyrillic, Latin/Greek Extended Additional, fullwidth Latin."""


@cache
def _diacritics_table(transliterated: frozenset[str]) -> tuple[str, str]:
    """(from, to) for `translate`: each lower-case letter whose NFKD form is one base letter plus marks maps to that base
    (letters in `transliterated` excluded); combining marks (decomposed input) come last without a partner: deleted."""
    sources, targets = [], []
    for first, last in DIACRITIC_RANGES:
        for char in map(chr, range(first, last + 1)):
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            if char.islower() and char not in transliterated and len(base) == 1 and base.isalpha() and base != char:
                sources.append(char)
                targets.append(base)
    marks = "".join(map(chr, range(0x0300, 0x0370)))
    return "".join(sources) + marks, "".join(targets)


def tidy_text(column: Column) -> Column:
    """Trim, collapse every run of (Unicode) whitespace to one space, and turn blank strings into null."""
    return F.nullif(F.trim(F.regexp_replace(column, r"(?U)\s+", " ")), F.lit(""))


def fix_case(column: Column, particles: list[str]) -> Column:
    """Write ALL-CAPS or all-lower text as capitalised words (also after - and '), particles in lower case; keep mixed case."""
    spaced = F.regexp_replace(column, r"([-'’])", "$1 ")
    words = F.split(F.regexp_replace(F.initcap(spaced), r"([-'’]) ", "$1"), " ")
    last = F.size(words) - 1
    words = F.transform(words, lambda word, i: F.when(F.lower(word).isin(particles) & (i < last), F.lower(word)).otherwise(word))
    one_case = (column == F.upper(column)) | (column == F.lower(column))
    return F.when(one_case, F.array_join(words, " ")).otherwise(column)


def matching_form(column: Column, rules: StandardisationRules) -> Column:
    """Lower-case, transliterate (rules), strip diacritics (NFKD), drop apostrophes, other punctuation -> single spaces."""
    text = F.lower(column)
    single = {letter: to for letter, to in rules.transliterations.items() if len(letter) == 1 and len(to) == 1}
    for letter, replacement in rules.transliterations.items():
        if letter not in single:
            for form in {letter, unicodedata.normalize("NFD", letter)}:  # "ü" and "u" + combining diaeresis
                text = F.replace(text, F.lit(form), F.lit(replacement))
    marked, bases = _diacritics_table(frozenset(single))
    text = F.translate(text, "".join(single) + marked, "".join(single.values()) + bases)
    text = F.regexp_replace(text, r"['’`´]", "")
    return tidy_text(F.regexp_replace(text, r"[^\p{L}\p{N}]+", " "))


def matching_text(text: str | None, rules: StandardisationRules) -> str | None:
    """`matching_form` of one Python string (a search query), step by step the same, so it finds what silver holds."""
    if text is None:
        return None
    text = text.lower()
    single = {letter: to for letter, to in rules.transliterations.items() if len(letter) == 1 and len(to) == 1}
    for letter, replacement in rules.transliterations.items():
        if letter not in single:
            for form in {letter, unicodedata.normalize("NFD", letter)}:
                text = text.replace(form, replacement)
    marked, bases = _diacritics_table(frozenset(single))
    sources, targets = "".join(single) + marked, "".join(single.values()) + bases
    text = text.translate(str.maketrans(sources[: len(targets)], targets, sources[len(targets) :]))
    text = re.sub(r"['’`´]", "", text)
    return " ".join(re.sub(r"[\W_]+", " ", text).split()) or None


def tidy_columns(df: DataFrame, columns: list[str]) -> DataFrame:
    """Apply `tidy_text` to free-text columns such as address_line2 or region."""
    return df.withColumns({name: tidy_text(F.col(name)) for name in columns})


def _titles_pattern(titles: list[str]) -> str:
    """Regex for one or more leading titles, any case; dots optional ("Dr" = "Dr."), spaces inside a title flexible."""
    alternatives = "|".join(
        r"\s*".join(re.escape(part.rstrip(".")) + r"\.?" for part in title.split()) for title in sorted(titles, key=len, reverse=True)
    )
    return rf"^(?i:(?:{alternatives})(?:(?<=\.)|(?= |$)) ?)+"


def _split_titles(name: Column, titles: list[str]) -> tuple[Column, Column]:
    """(leading titles, rest of the name) of a tidied name."""
    if not titles:
        return F.lit(None).cast("string"), name
    pattern = _titles_pattern(titles)
    return tidy_text(F.regexp_extract(name, pattern, 0)), tidy_text(F.regexp_replace(name, pattern, ""))


def _without_particles(norm: Column, particles: list[str]) -> Column:
    """Drop particle words from a matching form unless they are its last word."""
    if not particles:
        return norm
    alternatives = "|".join(re.escape(p.lower()) for p in sorted(particles, key=len, reverse=True))
    return tidy_text(F.regexp_replace(norm, rf"(?<![^ ])(?:{alternatives})(?= )", " "))


VALID_NAME = r"^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$"
"""A tidy name: letters, then letters, spaces, dots, apostrophes or hyphens."""


def standardise_names(
    df: DataFrame,
    rules: StandardisationRules,
    first_column: str = "first_name",
    last_column: str = "last_name",
    title_column: str = "title",
) -> DataFrame:
    """Tidy first and last name, move leading titles to `title`, flag invalid names, add `<name>_norm` matching forms."""
    if title_column not in df.columns:
        df = df.withColumn(title_column, F.lit(None).cast("string"))
    first_title, first = _split_titles(F.regexp_replace(tidy_text(F.col(first_column)), r" ?- ?", "-"), rules.titles)
    last_title, last = _split_titles(F.regexp_replace(tidy_text(F.col(last_column)), r" ?- ?", "-"), rules.titles)
    titles = F.concat_ws(" ", tidy_text(F.col(title_column)), first_title, last_title)
    df = df.withColumns({f"__{first_column}": first, f"__{last_column}": last, title_column: F.nullif(titles, F.lit(""))})
    for name in (first_column, last_column):
        tidy = F.col(f"__{name}")
        invalid = tidy.isNotNull() & ~tidy.rlike(VALID_NAME)
        df = flag_issue(df, name, "name_invalid_characters", "contains characters other than letters, spaces, . ' -", invalid, F.col(name))
        df = df.withColumn(name, F.when(~invalid, fix_case(tidy, rules.particles))).drop(f"__{name}")
    return df.withColumns(
        {
            f"{first_column}_norm": matching_form(F.col(first_column), rules),
            f"{last_column}_norm": _without_particles(matching_form(F.col(last_column), rules), rules.particles),
        }
    )


def split_full_name(
    df: DataFrame,
    rules: StandardisationRules,
    full_column: str = "full_name",
    first_column: str = "first_name",
    last_column: str = "last_name",
) -> DataFrame:
    """Fill first/last name from `full_name` where both are empty: "Last, First" or "First [particles] Last"."""
    for name in (first_column, last_column):
        if name not in df.columns:
            df = df.withColumn(name, F.lit(None).cast("string"))
    full = tidy_text(F.col(full_column))
    particles = "|".join(re.escape(p) for p in sorted(rules.particles, key=len, reverse=True))
    last_words = rf"((?:(?i:{particles}) )*\S+)" if particles else r"(\S+)"
    comma = full.contains(",")
    first = F.when(comma, F.regexp_extract(full, r",(.*)$", 1)).otherwise(F.regexp_extract(full, rf"^(.*?) {last_words}$", 1))
    last = F.when(comma, F.regexp_extract(full, r"^([^,]*),", 1)).otherwise(F.regexp_extract(full, rf"^(?:.*? )?{last_words}$", 1))
    empty = F.col(first_column).isNull() & F.col(last_column).isNull() & full.isNotNull()
    return df.withColumns(
        {
            first_column: F.when(empty, tidy_text(first)).otherwise(F.col(first_column)),
            last_column: F.when(empty, tidy_text(last)).otherwise(F.col(last_column)),
        }
    )
