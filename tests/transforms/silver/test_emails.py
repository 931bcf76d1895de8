"""E-mail addresses: lower-cased and syntax-checked, matching form without plus tags and aliases."""

from __future__ import annotations

from chispa import assert_df_equality

from golden_record.lakehouse.standardisation_settings import EmailRules, StandardisationRules
from golden_record.transforms.silver.emails import email_matching_text, standardise_email

RULES = StandardisationRules(email=EmailRules(domain_aliases={"googlemail.com": "gmail.com"}, dotless_domains=["gmail.com"]))
ISSUES_DDL = "array<struct<field:string, rule:string, value:string, reason:string>>"


def test_valid_addresses_are_lowercased_and_plus_tags_dropped_from_the_matching_form(spark):
    df = spark.createDataFrame(
        [(" Anna.Schmidt+Newsletter@WEB.de ",), ("anna.schmidt@web.de",), ("Max.Muster+shop@GoogleMail.com",), ("maxmuster@gmail.com",), ("jörg@müller.de",)],
        "email string",
    )

    result = standardise_email(df, RULES)

    expected = spark.createDataFrame(
        [
            ("anna.schmidt+newsletter@web.de", [], "anna.schmidt@web.de"),
            ("anna.schmidt@web.de", [], "anna.schmidt@web.de"),
            ("max.muster+shop@googlemail.com", [], "maxmuster@gmail.com"),
            ("maxmuster@gmail.com", [], "maxmuster@gmail.com"),
            ("jörg@müller.de", [], "jörg@müller.de"),
        ],
        f"email string, quality_issues {ISSUES_DDL}, email_norm string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_invalid_addresses_become_null_with_an_email_syntax_issue(spark):
    invalid = ["anna.web.de", "anna@@web.de", "anna@web", "an na@web.de", ".anna@web.de", "anna..s@web.de", "anna@-web.de", "anna@web.d3"]
    df = spark.createDataFrame([(v,) for v in invalid] + [("   ",), (None,)], "email string")

    result = standardise_email(df, RULES)

    reason = "not a syntactically valid e-mail address"
    expected = spark.createDataFrame(
        [(None, [("email", "email_syntax", v, reason)], None) for v in invalid] + [(None, [], None), (None, [], None)],
        f"email string, quality_issues {ISSUES_DDL}, email_norm string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_email_matching_text_is_the_matching_form_for_one_string(spark):
    addresses = [" Anna.Schmidt+Newsletter@WEB.de ", "Max.Muster+shop@GoogleMail.com", "max.muster@gmail.com", "+tag@web.de", "jörg@müller.de", "a.b+c+d@gmail.com"]
    rows = standardise_email(spark.createDataFrame([(a,) for a in addresses], "email string"), RULES).collect()
    assert [email_matching_text(a, RULES) for a in addresses] == [r.email_norm for r in rows]
