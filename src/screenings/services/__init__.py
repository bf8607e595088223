"""The only code that writes.

Each function takes a ``Session`` first and returns records; none commits or prints.
"""
