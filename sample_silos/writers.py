"""Write silo records block by block in each silo's native format: CSV, JSON lines, parquet, or a PostgreSQL table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def public_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns the source system really has (generator-only columns start with "_")."""
    return frame[[c for c in frame.columns if not c.startswith("_")]]


def broken_csv_line(line: str, delimiter: str) -> str:
    """The line cut off after half of its fields: a row with the wrong field count."""
    parts = line.split(delimiter)
    return delimiter.join(parts[: max(1, len(parts) // 2)])


def broken_json_line(line: str) -> str:
    """The JSON object cut off in the middle: a line no JSON parser accepts."""
    return line[: max(1, int(len(line) * 0.6))]


class BlockWriter(Protocol):
    """Appends the records of one block after the other; `close` finishes the output (or discards it when incomplete)."""

    def write(self, frame: pd.DataFrame) -> None: ...

    def close(self, complete: bool = True) -> None: ...


class CsvWriter:
    """Delimited text in the silo's encoding, with a header line; rows flagged `_malformed` lose half their fields."""

    def __init__(self, path: Path, delimiter: str, encoding: str, decimal: str) -> None:
        self.path, self.delimiter, self.encoding, self.decimal = path, delimiter, encoding, decimal
        self.handle = path.open("wb")
        self.header = True

    def write(self, frame: pd.DataFrame) -> None:
        text = public_columns(frame).to_csv(
            sep=self.delimiter, index=False, header=self.header, lineterminator="\n", decimal=self.decimal, float_format="%.2f"
        )
        lines = text.split("\n")[:-1]
        header, body = (lines[:1], lines[1:]) if self.header else ([], lines)
        body = [broken_csv_line(line, self.delimiter) if bad else line for line, bad in zip(body, frame["_malformed"])]
        self.handle.write("".join(line + "\n" for line in header + body).encode(self.encoding))
        self.header = False

    def close(self, complete: bool = True) -> None:
        self.handle.close()


class JsonLinesWriter:
    """One JSON object per line (UTF-8, missing values as null); rows flagged `_malformed` are cut off mid-object."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="\n")

    def write(self, frame: pd.DataFrame) -> None:
        for record, bad in zip(public_columns(frame).to_dict("records"), frame["_malformed"]):
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            self.handle.write((broken_json_line(line) if bad else line) + "\n")

    def close(self, complete: bool = True) -> None:
        self.handle.close()


class ParquetWriter:
    """A parquet file with a fixed schema and one row group per block."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="snappy")

    def write(self, frame: pd.DataFrame) -> None:
        columns = []
        for field in self.schema:
            values = frame[field.name].to_numpy()
            if pa.types.is_timestamp(field.type):
                values = values.astype("datetime64[us]")
            elif pa.types.is_date(field.type):
                values = values.astype("datetime64[D]")
            columns.append(pa.array(values, type=field.type, from_pandas=True))  # None and NaT become null
        self.writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))

    def close(self, complete: bool = True) -> None:
        self.writer.close()


@dataclass(frozen=True)
class PostgresTarget:
    """Where the CRM table goes: a libpq connection string (or URI), credentials and a schema-qualified table."""

    conninfo: str
    table: str = "crm.customers"
    user: str | None = None
    password: str | None = None


CRM_COLUMNS = {
    "customer_id": "bigint PRIMARY KEY",
    "customer_no": "text NOT NULL UNIQUE",
    "salutation": "text",
    "title": "text",
    "first_name": "text",
    "last_name": "text",
    "date_of_birth": "date",
    "email": "text",
    "phone": "text",
    "street": "text",
    "house_number": "text",
    "postcode": "text",
    "city": "text",
    "country": "char(2)",
    "marketing_consent": "boolean NOT NULL",
    "created_at": "timestamp NOT NULL",
    "updated_at": "timestamp NOT NULL",
    "deleted_at": "timestamp",
}
"""The CRM table's columns and SQL types."""


class PostgresWriter:
    """Recreates the CRM table and loads it with COPY, block by block, in one transaction."""

    def __init__(self, target: PostgresTarget) -> None:
        import psycopg

        self.connection = psycopg.connect(target.conninfo, user=target.user, password=target.password, autocommit=False)
        schema, _, _ = target.table.rpartition(".")
        self.table = target.table
        with self.connection.cursor() as cursor:
            if schema:
                cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            columns = ", ".join(f"{name} {sql_type}" for name, sql_type in CRM_COLUMNS.items())
            cursor.execute(f"CREATE TABLE {self.table} ({columns})")

    def write(self, frame: pd.DataFrame) -> None:
        with self.connection.cursor() as cursor:
            _copy_rows(cursor, self.table, frame)

    def close(self, complete: bool = True) -> None:
        if complete:
            self.connection.execute(f"ANALYZE {self.table}")
            self.connection.commit()
        else:
            self.connection.rollback()
        self.connection.close()


def _copy_rows(cursor, table: str, frame: pd.DataFrame) -> None:
    """Load CRM rows with COPY (columns the frame lacks, such as deleted_at, are null)."""
    text = frame.reindex(columns=list(CRM_COLUMNS)).to_csv(index=False, header=False, lineterminator="\n")
    with cursor.copy(f"COPY {table} ({', '.join(CRM_COLUMNS)}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(text)


@dataclass(frozen=True)
class CrmDelivery:
    """What a later delivery changes in the CRM table: new rows, moved rows (new address), consent flips, deletions."""

    new_rows: pd.DataFrame
    moved: pd.DataFrame  # customer_id, the address columns and updated_at
    consent_changed: list[int]
    deleted: list[int]
    at: pd.Timestamp


def apply_crm_delivery(target: PostgresTarget, delivery: CrmDelivery) -> None:
    """Apply a delivery to the CRM table in one transaction: insert, move, flip consent, flag deleted (deleted_at), all at `at`."""
    import psycopg

    at = delivery.at.to_pydatetime()
    address = ("street", "house_number", "postcode", "city", "country")
    with psycopg.connect(target.conninfo, user=target.user, password=target.password) as connection, connection.cursor() as cursor:
        _copy_rows(cursor, target.table, delivery.new_rows)
        cursor.executemany(
            f"UPDATE {target.table} SET {', '.join(f'{c} = %s' for c in address)}, updated_at = %s WHERE customer_id = %s",
            [(*(None if pd.isna(v) else str(v) for v in row[list(address)]), at, int(row["customer_id"])) for _, row in delivery.moved.iterrows()],
        )
        cursor.execute(f"UPDATE {target.table} SET marketing_consent = NOT marketing_consent, updated_at = %s WHERE customer_id = ANY(%s)", (at, delivery.consent_changed))
        cursor.execute(f"UPDATE {target.table} SET deleted_at = %s, updated_at = %s WHERE customer_id = ANY(%s)", (at, at, delivery.deleted))


def crm_rows(target: PostgresTarget) -> list[tuple]:
    """Every row of the CRM table ordered by customer id (for checks and tests)."""
    import psycopg

    with psycopg.connect(target.conninfo, user=target.user, password=target.password) as connection:
        return connection.execute(f"SELECT * FROM {target.table} ORDER BY customer_id").fetchall()
