"""Pure renderers: records in, deterministic bytes out (iCalendar, JSON, CSV)."""
