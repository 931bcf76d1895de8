"""E-mail addresses: a tidy, syntax-checked `email` and a matching form `email_norm`.

`email` is trimmed and lower-cased; an address that fails the syntax check (one @, a local
part of the usual characters without leading, trailing or double dots, a domain of dotted
labels ending in a top-level domain of two or more letters, at most 254 characters) becomes
null with issue `email_syntax`. Internationalised addresses (jörg@müller.de, RFC 6531) are accepted.

`email_norm` is what identifies the mailbox: the plus tag is removed
("max+shop@web.de" -> "max@web.de"), domain aliases are replaced by their domain
("googlemail.com" -> "gmail.com") and, for providers that ignore dots (gmail.com), dots in
the local part are removed ("max.muster@gmail.com" -> "maxmuster@gmail.com").
"""

from __future__ import annotations

import re

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.transforms.silver.issues import replace_or_flag
from golden_record.transforms.silver.names import tidy_text

_ATOM = r"[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?"
VALID_EMAIL = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+\p{{L}}{{2,}}$"
"""Syntax an address must have after trimming and lower-casing."""

PLUS_TAG = r"(?<=.)\+.*$"
"""The plus tag of a local part ("max+shop" -> "max"), the same pattern for Spark (Java) and Python regex."""


def standardise_email(df: DataFrame, rules: StandardisationRules, column: str = "email", norm_column: str = "email_norm") -> DataFrame:
    """Lower-case and syntax-check `column` (invalid -> null + `email_syntax`), add its matching form `norm_column`."""
    email = F.lower(tidy_text(F.col(column)))
    valid = email.rlike(VALID_EMAIL) & (F.length(email) <= 254)
    df = replace_or_flag(df, column, F.when(valid, email), "email_syntax", "not a syntactically valid e-mail address")

    local = F.regexp_replace(F.substring_index(F.col(column), "@", 1), PLUS_TAG, "")
    domain = F.substring_index(F.col(column), "@", -1)
    aliases = rules.email.domain_aliases
    if aliases:
        alias_map = F.create_map(*[F.lit(x) for pair in aliases.items() for x in pair])
        domain = F.coalesce(F.try_element_at(alias_map, domain), domain)
    if rules.email.dotless_domains:
        local = F.when(domain.isin(rules.email.dotless_domains), F.replace(local, F.lit("."), F.lit(""))).otherwise(local)
    return df.withColumn(norm_column, F.when(F.col(column).isNotNull(), F.concat(local, F.lit("@"), domain)))


def email_matching_text(address: str, rules: StandardisationRules) -> str:
    """`email_norm` of one Python string (a search query), by the same steps, so it finds what silver holds."""
    address = address.strip().lower()
    local, domain = address.split("@", 1)[0], address.rsplit("@", 1)[-1]
    local = re.sub(PLUS_TAG, "", local)
    domain = rules.email.domain_aliases.get(domain, domain)
    if domain in rules.email.dotless_domains:
        local = local.replace(".", "")
    return f"{local}@{domain}"
