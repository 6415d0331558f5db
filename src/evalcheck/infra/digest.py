"""SHA-256 of small texts: cache keys, row keys, answer versions."""

import hashlib


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
