"""Digests of what an import reads: a row as a file reads it, and its fingerprint.

A lineup row's digest covers its bytes (or its cells) and how its file reads them (the
``reading``: header, mapping, date order, options); its fingerprint adds what else
decides how the importer applies it (``services.skipping.salt``). Both are computed for
every row of every import, so they use xxHash's XXH3 (``xxhash``), a 128-bit digest
about six times faster than ``hashlib.blake2b`` on a line of a lineup, seeded with a
blake2b digest of what the rows are read with. A digest tells rows apart; it guards
against no one: whoever can edit the file can change the catalogue anyway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from itertools import repeat

import xxhash


def _seed(reading: bytes, person: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(reading, digest_size=8, person=person).digest())


class Digester:
    """Digests of data read by ``reading`` (16 bytes each); ``person`` tells apart the
    kinds of data digested (a line, a row's cells)."""

    def __init__(self, reading: bytes, person: bytes) -> None:
        self.seed = _seed(reading, person)

    def one(self, data: bytes) -> bytes:
        return xxhash.xxh3_128_digest(data, self.seed)

    def many(self, data: Iterable[bytes]) -> Iterator[bytes]:
        return map(xxhash.xxh3_128_digest, data, repeat(self.seed))


class Fingerprinter:
    """Rows' fingerprints from their digests, salted with ``salt`` (32 hexadecimal
    digits each)."""

    def __init__(self, salt: bytes) -> None:
        self.seed = _seed(salt, b"salt")

    def one(self, digest: bytes) -> str:
        return xxhash.xxh3_128_hexdigest(digest, self.seed)

    def many(self, digests: Iterable[bytes]) -> Iterator[str]:
        return map(xxhash.xxh3_128_hexdigest, digests, repeat(self.seed))
