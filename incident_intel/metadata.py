"""Metadata the Dagster UI can show: the owner, column schemas and small markdown tables."""

from collections.abc import Mapping

import dagster as dg
import polars as pl

OWNER = "team:incident-intel"


def owned_by_team(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Every asset has one owner, the team that runs this platform: set here, once."""
    return spec.replace_attributes(owners=[OWNER])


def column_schema(schema: pl.Schema | Mapping[str, pl.DataType | str]) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(name, str(dtype)) for name, dtype in schema.items()]
    )


def markdown_table(frame: pl.DataFrame, float_digits: int = 3) -> dg.MarkdownMetadataValue:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.{float_digits}f}"
        return "" if value is None else str(value)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * frame.width
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return dg.MetadataValue.md("\n".join([header, rule, *rows]))
