"""SMS goes out as a template code plus parameters, as Chinese SMS providers require (DESIGN.md rule 10).

`settings.SMS_BACKEND` names the backend class. A real deployment adds one that calls its provider
with the provider's template code; the demo backend renders the text locally, prints it and
appends it to a file so a tester can read the code.
"""
from __future__ import annotations

import logging
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from gonghui.core.masking import mask_phone

logger = logging.getLogger("gonghui.sms")

# template code → (provider-side template id, local rendering for the demo and the message log)
SMS_TEMPLATES: dict[str, str] = {
    "LOGIN_CODE": "【广东工会】您的登录验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。",
}


class SmsError(Exception):
    pass


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    template_code: str
    params: dict
    text: str = ""  # the local rendering (demo output, message log); providers render from code + params

    def render(self) -> str:
        return self.text or SMS_TEMPLATES[self.template_code].format(**self.params)


class SmsBackend(ABC):
    @abstractmethod
    def send(self, message: SmsMessage) -> str:
        """Send one message; return the provider's message id; raise SmsError on failure."""


class ConsoleFileBackend(SmsBackend):
    """Demo: prints the rendered text and appends it to var/sms-outbox.log (phone masked)."""

    def send(self, message: SmsMessage) -> str:
        message_id = uuid.uuid4().hex
        line = f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {mask_phone(message.phone)} [{message.template_code}] {message.render()}"
        print(f"[短信] {line}", flush=True)
        outbox = Path(settings.SMS_OUTBOX_FILE)
        with outbox.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return message_id


class MemoryBackend(SmsBackend):
    """Tests: keeps messages in `MemoryBackend.outbox`; set `fail_next` to make the next sends fail."""

    outbox: list[SmsMessage] = []
    fail_next: int = 0

    def send(self, message: SmsMessage) -> str:
        if MemoryBackend.fail_next:
            MemoryBackend.fail_next -= 1
            raise SmsError("短信网关超时（测试）")
        MemoryBackend.outbox.append(message)
        return uuid.uuid4().hex


def sms_send(*, phone: str, template_code: str, params: dict, text: str = "") -> str:
    if not text and template_code not in SMS_TEMPLATES:
        raise SmsError(f"未知的短信模板 {template_code}")
    message = SmsMessage(phone=phone, template_code=template_code, params=params, text=text)
    backend = import_string(settings.SMS_BACKEND)()
    message_id = backend.send(message)
    logger.info("sms sent template=%s to=%s id=%s", template_code, mask_phone(phone), message_id)
    return message_id
