"""Durability: the event store (`open_store`: SQLite, or PostgreSQL when shared), deck files and
their history. Nothing here imports Flask."""

from .events import EventLog, Snapshot, StaleWriter
from .factory import open_store

__all__ = ["EventLog", "Snapshot", "StaleWriter", "open_store"]
