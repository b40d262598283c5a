"""Alibaba Cloud SMS (短信服务 dysmsapi, API version 2017-05-25, action SendSms).

Request signing follows Alibaba Cloud's documented RPC signature, version 1.0 (HMAC-SHA1):

1. take every request parameter except Signature, percent-encode name and value in UTF-8
   (RFC 3986: A-Z a-z 0-9 - _ . ~ stay as they are, a space is %20, never +),
2. sort by name and join as name=value with & (the canonicalized query string),
3. StringToSign = "GET" + "&" + percentEncode("/") + "&" + percentEncode(canonicalized query),
4. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)),
5. send GET endpoint?canonicalized query&Signature=percentEncode(signature).

The documented example (AccessKey secret "testsecret", DescribeRegions) signs to
CT9X0VtwR86fNWSnsc6v8YGOjuE= — sms/tests/test_aliyun.py checks that vector.
A response {"Code": "OK", "BizId": ...} is success; any other Code, an HTTP error or a network
error is a failure reported in the SendResult, never raised.

Settings (read with defaults from the environment): SMS_ALIYUN_ACCESS_KEY_ID,
SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_ALIYUN_SIGN_NAME, SMS_ALIYUN_TEMPLATE_CODES (a dict, or JSON in
the environment: {"login_code": "SMS_123", ...}), SMS_ALIYUN_ENDPOINT (default
https://dysmsapi.aliyuncs.com/), SMS_ALIYUN_REGION_ID (cn-hangzhou), SMS_HTTP_TIMEOUT (seconds)."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import SendResult, SmsBackend

API_VERSION = "2017-05-25"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"


def percent_encode(value) -> str:
    return urllib.parse.quote(str(value), safe="-_.~")


def canonical_query(params: dict) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def string_to_sign(params: dict, method: str = "GET") -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(params: dict, secret: str, method: str = "GET") -> str:
    digest = hmac.new((secret + "&").encode("utf-8"), string_to_sign(params, method).encode("utf-8"), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode("ascii")


def _setting(name: str, default: str = "") -> str:
    return getattr(settings, name, None) or os.environ.get(name, default)


def parse_template_codes(value) -> dict:
    """SMS_ALIYUN_TEMPLATE_CODES as settings or the environment give it: a dict, or its JSON text
    (`{"login_code": "SMS_123"}`). Anything else is a configuration error, said plainly."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"SMS_ALIYUN_TEMPLATE_CODES is not valid JSON: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ImproperlyConfigured('SMS_ALIYUN_TEMPLATE_CODES must map template names to codes, '
                                   'e.g. {"login_code": "SMS_123"}')
    return dict(value)


def _template_codes() -> dict:
    value = getattr(settings, "SMS_ALIYUN_TEMPLATE_CODES", None)
    if value is None:
        value = os.environ.get("SMS_ALIYUN_TEMPLATE_CODES", "")
    return parse_template_codes(value)


class AliyunSmsBackend(SmsBackend):
    def __init__(self):
        self.access_key_id = _setting("SMS_ALIYUN_ACCESS_KEY_ID")
        self.access_key_secret = _setting("SMS_ALIYUN_ACCESS_KEY_SECRET")
        self.sign_name = _setting("SMS_ALIYUN_SIGN_NAME")
        self.endpoint = _setting("SMS_ALIYUN_ENDPOINT", DEFAULT_ENDPOINT)
        self.region_id = _setting("SMS_ALIYUN_REGION_ID", "cn-hangzhou")
        self.timeout = float(_setting("SMS_HTTP_TIMEOUT", "5"))
        self.template_codes = _template_codes()

    def configuration_errors(self) -> list[str]:
        """What stops this adapter from sending each template (for the deploy check)."""
        from sms.message_templates import TEMPLATES

        errors = [f"{name} is empty" for name, value in (
            ("SMS_ALIYUN_ACCESS_KEY_ID", self.access_key_id),
            ("SMS_ALIYUN_ACCESS_KEY_SECRET", self.access_key_secret),
            ("SMS_ALIYUN_SIGN_NAME", self.sign_name)) if not value]
        missing = sorted(code for code in TEMPLATES if not self.template_codes.get(code))
        if missing:
            errors.append("SMS_ALIYUN_TEMPLATE_CODES has no code for: " + ", ".join(missing))
        return errors

    def build_params(self, *, phone: str, template_code: str, params: dict) -> dict:
        return {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region_id,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps({k: str(v) for k, v in params.items()}, ensure_ascii=False,
                                        separators=(",", ":")),
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }

    def signed_url(self, params: dict) -> str:
        signature = sign(params, self.access_key_secret)
        base = self.endpoint if self.endpoint.endswith("/") else self.endpoint + "/"
        return f"{base}?{canonical_query(params)}&Signature={percent_encode(signature)}"

    def send(self, *, phone: str, text: str, template, params: dict) -> SendResult:
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            return SendResult(ok=False, error="阿里云短信未配置 AccessKey 或签名")
        template_code = self.template_codes.get(template.code)
        if not template_code:
            return SendResult(ok=False, error=f"阿里云短信未配置模板“{template.code}”的模板 Code")
        url = self.signed_url(self.build_params(phone=phone, template_code=template_code,
                                                params={p: params[p] for p in template.params}))
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (https endpoint from settings)
                body = response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
            if not body:
                return SendResult(ok=False, error=f"HTTP {exc.code}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return SendResult(ok=False, error=f"网络错误：{type(exc).__name__}")
        try:
            data = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return SendResult(ok=False, error="阿里云短信返回了无法解析的响应")
        if data.get("Code") == "OK":
            return SendResult(ok=True, provider_id=str(data.get("BizId", ""))[:64])
        return SendResult(ok=False, error=f"{data.get('Code', '?')}: {data.get('Message', '')}"[:300])
