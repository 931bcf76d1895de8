"""A second, independently written test population (issue 12, item 6).

The main generator (sample_silos/) writes a DACH/Nordic retailer. This package was written separately, without
reading the matcher (its nickname tables, rules, thresholds) and without sharing any vocabulary with the main
generator, so that accuracy measured on it is not partly circular.

Population
    Customers of a Benelux-based web and store retailer: NL 22 %, FR 16 %, IT 13 %, BE 12 % (Flemish and
    French names), ES 11 %, PL 11 %, TR_DE 8 % (Turkish families living in Germany), CZ 7 %; about 6 % live in
    another of these countries than their name suggests (a Polish name at a Dutch address). Names are drawn
    common-to-rare (Zipf), so de Jong, Rossi, Nowak, García … are shared by many different persons. Real
    address shapes per country (NL "1012 AB" postcodes and 12a/12-2/12 hs, BE "bus 3", FR "12bis rue …",
    PL flats "12/4" and "00-950", CZ "1234/5" and "110 00", ES floors "3º B"), mobile numbers that
    `phonenumbers` accepts, national ids with their real check digits (BSN, Rijksregisternummer, NIR, codice
    fiscale, PESEL, rodné číslo, DNI; none for German residents).

Relations (to the previous person, never in chains): partner 5 % (same address; shares the phone 50 %, the
e-mail in some records 35 %; takes the partner's surname 50 % of women outside ES/IT), twin 0.8 % (same
surname, birth date, address, another first name), namesake 3 % (same first and last name, another person;
same town 40 %).

Life events (older records show the old value; a record of a person with events is "old" 35 %): married name
(women NL 10 %, BE 3 %, FR 12 %, IT 2 %, ES 0, PL 12 %, CZ 12 %, TR_DE 10 %, men a tenth; NL/TR_DE take a
double name "Jansen-de Vries" half the time), move 12 % (same town 50 %), new e-mail 12 %, new phone 8 %.

Error kinds and rates (per record and field; all in errors.Rates):
    diminutives of the population's own table (vocabulary.DIMINUTIVES: Jan/Johannes, Beppe/Giuseppe,
    Kasia/Katarzyna, Pepe/José …) crm 5 %, shop 15 %, newsletter 20 %, loyalty 15 %; compound first names
    varied 35 % (Jean-Pierre -> Jean Pierre / Jeanpierre / Jean); initial only 3 % (crm);
    OCR confusions (rn->m, m->rn, cl->d, 0->O, l->1, 5->S …) crm 3 %, loyalty 4 % per field (half that in
    phones and postcodes); keyboard typos on the locale's layout (QWERTY/AZERTY/QWERTZ) 1.5 %, dropped
    0.8 %, transposed 0.8 %, doubled character 0.5 % per name field (half in streets);
    accents dropped shop 25 %, newsletter 35 %, loyalty 30 % of records; the windows-1252 CRM folds letters it
    lacks (ł, ř, ş, ı) to their base letter or, in 15 % of such values, to "?"; Turkish letters transliterated
    60 % (ş -> s / sch, ı -> i, ğ -> g); name particles varied 25 % (van der Berg -> "Berg, van der",
    "Van Der Berg", "Vanderberg", "Berg"; D'Angelo -> Dangelo); Spanish surnames both 45 % (else mostly the
    first only, some hyphenated or with an initial); Polish/Czech women with the masculine form 6 %;
    first/last swapped crm 1.5 %, loyalty 1 %, shop 0.5 %; surname upper case crm 20 %, lower-case names
    newsletter 25 %, stray whitespace 2 %;
    street abbreviations crm 30 %, shop 10 % (straat -> str., avenue -> av., Via -> V., Calle -> C/ …; Polish
    "ul." spelled out); house-number/floor variants 30 %; city exonyms/other languages crm 5 %, shop 12 %
    (Bruxelles/Brussel/Brussels, Milan, Warsaw, Den Bosch); city upper case crm 30 %; postcode format variants
    30 % (1012AB, 1012 ab, 00950, 11000, B-1000); leading zero lost crm 15 % (06000 -> 6000);
    birth date day/month swapped 3 % (day <= 12), year digits swapped 1 %, placeholder 01-01-1900 crm 1 %,
    three date styles in one CRM column (dd-MM-yyyy 80 %, dd/MM/yyyy 15 %, yyyy-MM-dd 5 %);
    phones in six styles per silo (+31612345678, +31 6 12345678, 0031…, 06-12345678, 0612345678,
    +31 (0)6 …), placeholders 1 %; e-mail case 6 %, mistyped domain 1.5 % (gmial.com);
    national id: crm 45 %, shop 12 % of records, of those typo 3 %, placeholder 2.5 % (000000000, 999999999,
    123456789 … shared by unrelated persons), CRM writes half of them formatted (85.07.30-033.28);
    CRM customer number quoted by 30 % of shop records of CRM customers; loyalty card number in 40 % of
    CRM records of card holders (1 % mistyped).
    Missing: crm birth date 25 %, e-mail 15 %, phone 25 %, first name 1 %; shop birth date 55 %, phone 35 %;
    newsletter name 8 %, first name only 25 %; loyalty birth date 20 %, postcode 10 %, first name 2 %.

Silos (source name, file under the output folder, record id) and who is in them:
    crm_export              crm/klanten_export.csv  KlantNr   CSV, ";", windows-1252, CRLF; 60 % of persons, 5 % twice
    webshop_customers       shop/customers.jsonl    customerId JSON lines, UTF-8; 55 % (+ everyone in no other silo), 7 % twice
    newsletter_subscribers  newsletter/subscribers.csv subscriber_id CSV, ",", UTF-8: e-mail, one name field, consent 1/0,
                                                    no birth date; 30 %, 10 % twice
    loyalty_members         loyalty/members.parquet card_number EAN-13 card, names, birth date (date32), postcode,
                                                    country, enrolled_at; 35 %, 6 % a second card
    About 2.0 records per person; 62 % of persons are in two or more silos. `ground_truth.csv` has one row
    `source,source_record_id,person_id` (person ids P00000000 …) for every record of every silo; there are no
    malformed rows.

The shop export writes its address as a nested object ("address": {"line1", "line2", "zip", "city",
"country"}); sources.yaml maps it with dotted paths (`street: address.line1`, `postcode: address.zip` …).

Onboarding, by config alone (customers only, no interactions):
    python -m golden_record.sample_silos.second_population --persons 10000 --seed 7 --out DIR
    golden-record ingest --conf-file sample_silos/second_population/pipeline.yaml --samples-dir DIR
    (then standardise, train, match, evaluate — truth DIR/ground_truth.csv by default — build-gold)
pipeline.yaml extends conf/local.yaml and includes sources.yaml (the four sources and their mappings).

Determinism: person k comes from `random.Random(f"{seed}:{k}")` (and person k-1 for a relation); the same
seed writes byte-identical files, and a bigger population with the same seed contains every record of a smaller
one unchanged. 100k persons take about 35 s (pure Python, no Spark).
"""

from golden_record.sample_silos.second_population.generator import GROUND_TRUTH_FILE, SILOS, generate

__all__ = ["GROUND_TRUTH_FILE", "SILOS", "generate"]
