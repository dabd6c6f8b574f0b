"""Encryption of personal information at rest (DESIGN.md rule 2).

Every ciphertext names its algorithm and key id, so keys rotate and the algorithm can change
(AES-256-GCM by default, SM4-GCM 国密 for deployments under 密评) without a flag day:

    enc1:<alg>:<key id>:<base64(nonce | ciphertext | tag)>

Key material comes from settings (the environment): PII_KEYS is "id:base64key,id:base64key",
PII_ACTIVE_KEY_ID picks the key new values use, PII_ALGORITHM picks the algorithm, and
PII_INDEX_KEY keys the HMAC blind index used for exact lookup and uniqueness.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"
NONCE_BYTES = 12
TAG_BYTES = 16
AES_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
ALGORITHM_TAGS = {AES_GCM: "A256GCM", SM4_GCM: "SM4GCM"}
TAG_ALGORITHMS = {tag: name for name, tag in ALGORITHM_TAGS.items()}


class DecryptionError(ValueError):
    pass


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active_key_id: str
    algorithm: str
    index_key: bytes


def parse_key_list(text: str, *, setting: str = "PII_KEYS") -> dict[str, bytes]:
    """`id:base64,id:base64` as the key settings hold them (PII_KEYS, AUDIT_KEYS)."""
    keys = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, _, material = item.partition(":")
        raw = base64.b64decode(material)
        if not key_id or len(raw) < 32:
            raise ImproperlyConfigured(f"{setting} 中的密钥 {key_id or '?'} 格式不正确：应为 id:base64(至少32字节)")
        keys[key_id] = raw
    return keys


def keyring() -> KeyRing:
    return _keyring(settings.PII_KEYS, settings.PII_ACTIVE_KEY_ID, settings.PII_ALGORITHM, settings.PII_INDEX_KEY)


@lru_cache(maxsize=8)
def _keyring(keys_text: str, active: str, algorithm: str, index_key: str) -> KeyRing:
    keys = parse_key_list(keys_text)
    if active not in keys:
        raise ImproperlyConfigured(f"PII_ACTIVE_KEY_ID={active} 不在 PII_KEYS 中")
    if algorithm not in ALGORITHM_TAGS:
        raise ImproperlyConfigured(f"PII_ALGORITHM 只能是 {' 或 '.join(ALGORITHM_TAGS)}")
    return KeyRing(keys=keys, active_key_id=active, algorithm=algorithm, index_key=base64.b64decode(index_key))


@lru_cache(maxsize=64)
def _derived_key(material: bytes, algorithm: str) -> bytes:
    """One key per algorithm from the same material, so AES and SM4 never share a key."""
    length = 32 if algorithm == AES_GCM else 16
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"gonghui-pii-{algorithm}".encode()).derive(material)


@lru_cache(maxsize=64)
def _aesgcm(key: bytes) -> AESGCM:
    return AESGCM(key)


def _seal(algorithm: str, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if algorithm == AES_GCM:
        return _aesgcm(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _open(algorithm: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if algorithm == AES_GCM:
        return _aesgcm(key).decrypt(nonce, sealed, aad)
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()


def encrypt(plaintext: str, *, aad: str, algorithm: str | None = None, key_id: str | None = None) -> str:
    return encryptor(aad=aad, algorithm=algorithm, key_id=key_id, nonces_ahead=1)(plaintext)


def encryptor(*, aad: str, algorithm: str | None = None, key_id: str | None = None,
              nonces_ahead: int = 1024) -> Callable[[str], str]:
    """`encrypt` for many values of one column (bulk imports): the key, cipher and prefix are looked up once, and
    random nonces are drawn from the OS `nonces_ahead` at a time (one getrandom() call costs as much as an AES-GCM
    seal). Not for sharing between threads."""
    if nonces_ahead < 1:
        raise ValueError("nonces_ahead must be at least 1")
    ring = keyring()
    algorithm = algorithm or ring.algorithm
    key_id = key_id or ring.active_key_id
    key, aad_bytes = _derived_key(ring.keys[key_id], algorithm), aad.encode()
    prefix = f"{PREFIX}:{ALGORITHM_TAGS[algorithm]}:{key_id}:".encode()
    b64encode = binascii.b2a_base64
    aes = _aesgcm(key).encrypt if algorithm == AES_GCM else None  # the common case, without _seal's dispatch
    nonces = _random_chunks(NONCE_BYTES, nonces_ahead)

    def seal(plaintext: str) -> str:
        nonce = next(nonces)
        sealed = aes(nonce, plaintext.encode(), aad_bytes) if aes else _seal(algorithm, key, nonce, plaintext.encode(), aad_bytes)
        return (prefix + b64encode(nonce + sealed, newline=False)).decode()

    return seal


def _random_chunks(size: int, ahead: int) -> Iterator[bytes]:
    while True:
        pool = os.urandom(size * ahead)
        yield from (pool[start:start + size] for start in range(0, len(pool), size))


def describe(token: str) -> tuple[str, str]:
    """(algorithm, key id) of a ciphertext."""
    prefix, tag, key_id, _ = token.split(":", 3)
    if prefix != PREFIX or tag not in TAG_ALGORITHMS:
        raise DecryptionError("不是本系统的密文")
    return TAG_ALGORITHMS[tag], key_id


def decrypt(token: str, *, aad: str) -> str:
    algorithm, key_id = describe(token)
    ring = keyring()
    if key_id not in ring.keys:
        raise ImproperlyConfigured(f"缺少解密所需的密钥 {key_id}：请在 PII_KEYS 中保留旧密钥直到轮换完成")
    blob = base64.b64decode(token.rsplit(":", 1)[1])
    try:
        plain = _open(algorithm, _derived_key(ring.keys[key_id], algorithm), blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad.encode())
    except InvalidTag:
        raise DecryptionError("密文校验失败：数据被篡改或密钥不符") from None
    return plain.decode()


def needs_rotation(token: str) -> bool:
    ring = keyring()
    return describe(token) != (ring.algorithm, ring.active_key_id)


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash for exact lookup and uniqueness; the purpose keeps phone and ID indexes unlinkable."""
    return blind_indexer(purpose=purpose)(value)


def blind_indexer(*, purpose: str) -> Callable[[str], str]:
    """`blind_index` for many values of one purpose: HMAC-SHA256 (RFC 2104) from keyed inner and outer hash states
    prepared once per key, so each value costs two hash copies (a third of `hmac.new` per value; bulk imports)."""
    inner_keyed, outer_base = _hmac_states(keyring().index_key)
    inner_base = inner_keyed.copy()
    inner_base.update(f"{purpose}\x00".encode())

    def digest(value: str) -> str:
        inner, outer = inner_base.copy(), outer_base.copy()
        inner.update(value.encode())
        outer.update(inner.digest())
        return outer.hexdigest()

    return digest


_SHA256_BLOCK = 64


@lru_cache(maxsize=4)
def _hmac_states(key: bytes):
    """The SHA-256 states after the inner (ipad) and outer (opad) key blocks; callers copy them, never update them."""
    key = key if len(key) <= _SHA256_BLOCK else hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))
