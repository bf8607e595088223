"""The only code that writes: each function takes a ``Session`` first, returns records, never commits."""
