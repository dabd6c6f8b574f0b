"""The seam for WeChat template messages: a backend interface and a demo backend that logs.

A deployment with a 公众号/小程序 adds a backend that calls the platform with the template id and
the recipient's openid. Accounts do not store an openid yet, so until the WeChat login provider
binds one, the wechat channel records its messages as not sent ("未绑定微信").
"""
from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class WechatError(Exception):
    pass


class WechatBackend(ABC):
    @abstractmethod
    def send(self, *, openid: str, template_code: str, params: dict, text: str) -> str:
        """Send one template message; return the platform's message id; raise WechatError on failure."""


class LogWechatBackend(WechatBackend):
    def send(self, *, openid: str, template_code: str, params: dict, text: str) -> str:
        with Path(settings.WECHAT_OUTBOX_FILE).open("a", encoding="utf-8") as handle:
            handle.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {openid[:6]}… [{template_code}] {text}\n")
        return uuid.uuid4().hex


def wechat_backend() -> WechatBackend:
    return import_string(settings.WECHAT_BACKEND)()


def openid_for(user) -> str:
    return getattr(user, "wechat_openid", "") or ""
