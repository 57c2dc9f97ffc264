"""Pickles tables of a Spark build: `python read_spark_tables.py STORAGE OUT TABLE [TABLE ...]`.

Run in its own process for each build: a Spark session's metastore location (Derby's home, a JVM
system property) is fixed when its JVM starts, so one process cannot read two builds' metastores.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from pyspark.sql import SparkSession


def main(storage: Path, out: Path, tables: list[str]) -> None:
    """Every table as (column names, rows of plain tuples), pickled into `out`."""
    session = (
        SparkSession.builder.enableHiveSupport()
        .config("spark.sql.warehouse.dir", str(storage / "tables"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={storage}")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        result = {}
        for table in tables:
            frame = session.sql(f"select * from {table}")
            result[table] = (frame.columns, [tuple(row) for row in frame.collect()])
    finally:
        session.stop()
    out.write_bytes(pickle.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
