"""The one place that reads the process environment (HackSoft styleguide)."""
import os

from django.core.exceptions import ImproperlyConfigured

DEMO_SECRET_KEY = "demo-insecure-secret-key-change-me-0123456789abcdef"
DEMO_PII_KEY = "ZGVtby1waWkta2V5LWRvLW5vdC11c2UtaW4tcHJvZHVjdGlvbiE="
DEMO_PII_KEYS = f"demo1:{DEMO_PII_KEY}"
DEMO_PII_INDEX_KEY = "ZGVtby1ibGluZC1pbmRleC1rZXktbm90LWZvci1wcm9kdWN0aW9u"
DEMO_AUDIT_KEY = "ZGVtby1hdWRpdC1jaGFpbi1rZXktbm90LWZvci1wcm9kdWN0aW9uISE="
DEMO_AUDIT_KEYS = f"demo1:{DEMO_AUDIT_KEY}"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def refuse_demo_keys_in_production(*, debug: bool, secret_key: str, pii_keys: str, pii_index_key: str,
                                   audit_keys: str = "") -> None:
    """Production (DEBUG off) must never run on the keys that ship in this file."""
    if debug:
        return
    if (secret_key == DEMO_SECRET_KEY or DEMO_PII_KEY in pii_keys or pii_index_key == DEMO_PII_INDEX_KEY
            or DEMO_AUDIT_KEY in audit_keys):
        raise ImproperlyConfigured(
            "生产模式（DEBUG=0）禁止使用演示密钥：请设置 SECRET_KEY、PII_KEYS、PII_INDEX_KEY 和 AUDIT_KEYS 环境变量。"
        )
