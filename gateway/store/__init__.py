"""Keeping every reading: the embedded SQLite history and the InfluxDB sink with its disk spool.

Schema and behaviour: gateway/store/README.md.
"""

from gateway.store.influx import InfluxSink, SinkStats
from gateway.store.local import LocalStore
from gateway.store.local_query import (
    History,
    HistoryPoint,
    HistoryReader,
    LatestValue,
    SeriesInfo,
    StoreCounts,
)
from gateway.store.local_schema import StoreError
from gateway.store.local_trim import TrimReport

__all__ = [
    "History",
    "HistoryPoint",
    "HistoryReader",
    "InfluxSink",
    "LatestValue",
    "LocalStore",
    "SeriesInfo",
    "SinkStats",
    "StoreCounts",
    "StoreError",
    "TrimReport",
]
