"""The audit chain's own keys (decision 0014), apart from the PII keys: whoever may read personal data need not be able
to rewrite history, and the other way round.

AUDIT_KEYS is "id:base64key,..." and AUDIT_ACTIVE_KEY_ID picks the key new rows and checkpoints use. Every row and
checkpoint names its key id, so a new key takes over for new rows while rows sealed under an older one keep verifying
as long as that id stays listed. From each key three subkeys are derived (HKDF), one per use, so a row MAC can never
pass for a chain link or a checkpoint signature.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gonghui.core.crypto import parse_key_list

ROW, LINK, CHECKPOINT = "row", "link", "checkpoint"


class UnknownAuditKey(KeyError):
    """A row or checkpoint names a key id that AUDIT_KEYS no longer (or never) held."""


@dataclass(frozen=True)
class AuditKeyRing:
    keys: dict[str, bytes]
    active_key_id: str


def audit_keyring() -> AuditKeyRing:
    return _keyring(settings.AUDIT_KEYS, settings.AUDIT_ACTIVE_KEY_ID)


@lru_cache(maxsize=8)
def _keyring(keys_text: str, active: str) -> AuditKeyRing:
    keys = parse_key_list(keys_text, setting="AUDIT_KEYS")
    if active not in keys:
        raise ImproperlyConfigured(f"AUDIT_ACTIVE_KEY_ID={active} 不在 AUDIT_KEYS 中")
    return AuditKeyRing(keys=keys, active_key_id=active)


@lru_cache(maxsize=64)
def _subkey(material: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"gonghui-audit-{purpose}".encode()).derive(material)


def canonical(content: dict) -> bytes:
    """One byte string per content, whatever order its keys come in."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def sign(content: dict, *, key_id: str, purpose: str) -> str:
    """HMAC-SHA256 (hex) of `content` and the key id under the `purpose` subkey of key `key_id`."""
    material = audit_keyring().keys.get(key_id)
    if material is None:
        raise UnknownAuditKey(key_id)
    return hmac.new(_subkey(material, purpose), canonical({**content, "key_id": key_id}), hashlib.sha256).hexdigest()


def signature_matches(content: dict, *, key_id: str, purpose: str, signature: str) -> bool:
    try:
        return hmac.compare_digest(sign(content, key_id=key_id, purpose=purpose), signature or "")
    except UnknownAuditKey:
        return False
