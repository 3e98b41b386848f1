"""Encryption of stored secrets with the key ring in `settings.VF_FERNET_KEYS`.

The first key encrypts, every key decrypts (`MultiFernet`). To rotate: put a new key first,
run `manage.py rotate_credentials` (or wait for the nightly job), then drop the old key.

Nothing in here ever logs or formats a key or a plaintext.
"""

import functools
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionFailed(Exception):
    """The token cannot be decrypted with any key of the ring (or is not a token at all)."""

    def __str__(self) -> str:
        return "The stored secret cannot be decrypted with any key in VF_FERNET_KEYS."


def key_fingerprint(key: str) -> str:
    """A short, non-reversible id of one key: which key encrypted a row."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@functools.lru_cache(maxsize=8)
def _ring_for(keys: tuple[str, ...]) -> tuple[MultiFernet, str]:
    if not keys:
        raise ImproperlyConfigured("VF_FERNET_KEYS is empty: at least one Fernet key is needed to store secrets.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            # Never echo the key itself.
            raise ImproperlyConfigured(
                f"VF_FERNET_KEYS: key #{position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes; create one with "
                '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).'
            ) from None
    return MultiFernet(fernets), key_fingerprint(keys[0])


def _ring() -> tuple[MultiFernet, str]:
    # Keyed by the configured keys, so a changed setting (override_settings in tests) takes effect at once.
    return _ring_for(tuple(settings.VF_FERNET_KEYS))


def reset_ring() -> None:
    """Forget cached key rings (tests that swap keys call this; the cache is keyed by the keys anyway)."""
    _ring_for.cache_clear()


def primary_key_id() -> str:
    return _ring()[1]


def encrypt_payload(payload: dict) -> tuple[str, str]:
    """Encrypt a JSON-serialisable dict → (token, id of the primary key that encrypted it)."""
    ring, key_id = _ring()
    token = ring.encrypt(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return token.decode(), key_id


def decrypt_payload(token: str) -> dict:
    ring, _key_id = _ring()
    try:
        data = ring.decrypt(token.encode())
    except (InvalidToken, AttributeError, TypeError):
        raise DecryptionFailed from None
    return json.loads(data)


def rotate_token(token: str) -> tuple[str, str]:
    """Re-encrypt a token with the primary key (it keeps its original timestamp) → (token, key id)."""
    ring, key_id = _ring()
    try:
        rotated = ring.rotate(token.encode())
    except (InvalidToken, AttributeError, TypeError):
        raise DecryptionFailed from None
    return rotated.decode(), key_id
