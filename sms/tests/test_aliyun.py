"""The Alibaba Cloud adapter against a local HTTP server that checks every request the way
Alibaba Cloud documents its RPC signature v1.0 (HMAC-SHA1), written here independently of the
adapter's own signer."""

import base64
import datetime
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from sms.backends import aliyun
from sms.message_templates import TEMPLATES
from sms.models import SmsMessage, SmsStatus
from sms.services import send_sms_now

ACCESS_KEY_ID = "LTAItestkeyid"
ACCESS_KEY_SECRET = "test/secret+with=chars"


def documented_signature(query_pairs: list[tuple[str, str]], secret: str) -> str:
    """The documented steps: RFC 3986 percent-encoding (space → %20, * → %2A, ~ kept), sort by
    name, join with &, StringToSign = GET&%2F&<encoded query>, key = secret + "&"."""

    def enc(value: str) -> str:
        return urllib.parse.quote(value, safe="~").replace("%7E", "~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(query_pairs))
    to_sign = "GET&" + enc("/") + "&" + enc(canonical)
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeDysmsapi(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list = []

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        query = urllib.parse.urlsplit(self.path).query
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        params = dict(pairs)
        FakeDysmsapi.requests.append(params)
        signature = params.pop("Signature", None)
        unsigned = [(k, v) for k, v in pairs if k != "Signature"]
        if signature != documented_signature(unsigned, ACCESS_KEY_SECRET):
            return self._reply(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"})
        for name, expected in {"Action": "SendSms", "Version": "2017-05-25", "SignatureMethod": "HMAC-SHA1",
                               "SignatureVersion": "1.0", "AccessKeyId": ACCESS_KEY_ID, "Format": "JSON"}.items():
            if params.get(name) != expected:
                return self._reply(400, {"Code": "MissingParameter", "Message": name})
        datetime.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        if not params.get("SignatureNonce"):
            return self._reply(400, {"Code": "MissingSignatureNonce", "Message": ""})
        if FakeDysmsapi.mode == "limit":
            return self._reply(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1",
                                     "RequestId": "r-2"})
        if FakeDysmsapi.mode == "http500":
            self.send_response(500)
            self.end_headers()
            return None
        return self._reply(200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r-1"})


@pytest.fixture
def fake_server(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeDysmsapi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeDysmsapi.mode, FakeDysmsapi.requests = "ok", []
    settings.SMS_BACKEND = "sms.backends.aliyun.AliyunSmsBackend"
    settings.SMS_ALIYUN_ENDPOINT = f"http://127.0.0.1:{server.server_address[1]}/"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    settings.SMS_ALIYUN_SIGN_NAME = "三类人员考核"
    settings.SMS_ALIYUN_TEMPLATE_CODES = {"login_code": "SMS_100001", "exam_notice": "SMS_100004"}
    yield server
    server.shutdown()
    server.server_close()


def test_signer_matches_the_documented_example():
    """Alibaba Cloud's published example: AccessKey secret testsecret, DescribeRegions."""
    params = {"TimeStamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid",
              "Action": "DescribeRegions", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "Version": "2014-05-26",
              "SignatureVersion": "1.0"}
    assert aliyun.string_to_sign(params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")
    assert aliyun.sign(params, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="


def test_percent_encoding_follows_rfc3986():
    assert aliyun.percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"


@pytest.mark.django_db
def test_adapter_sends_a_correctly_signed_request(fake_server):
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "482913"}) is True
    request = FakeDysmsapi.requests[-1]
    assert request["PhoneNumbers"] == "13812345678"
    assert request["TemplateCode"] == "SMS_100001"
    assert request["SignName"] == "三类人员考核"
    assert json.loads(request["TemplateParam"]) == {"code": "482913"}
    message = SmsMessage.objects.get()
    assert message.status == SmsStatus.SENT and message.provider_id == "900619746936498440^0"
    assert "482913" not in message.text  # a real provider's log never keeps the code


@pytest.mark.django_db
def test_chinese_parameters_are_signed_correctly(fake_server):
    ok = send_sms_now(phone="13812345678", template="exam_notice",
                      params={"name": "张 三*", "batch_no": "2002", "exam_date": "2026-03-09", "start_time": "15:00"})
    assert ok is True
    assert json.loads(FakeDysmsapi.requests[-1]["TemplateParam"])["name"] == "张 三*"


@pytest.mark.django_db
def test_a_wrong_secret_is_refused_by_the_server(fake_server, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "000001"}) is False
    message = SmsMessage.objects.get()
    assert message.status == SmsStatus.FAILED and "SignatureDoesNotMatch" in message.error


@pytest.mark.django_db
def test_a_provider_error_is_a_failure(fake_server):
    FakeDysmsapi.mode = "limit"
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "000002"}) is False
    assert "BUSINESS_LIMIT_CONTROL" in SmsMessage.objects.get().error


@pytest.mark.django_db
def test_an_http_error_without_body_is_a_failure(fake_server):
    FakeDysmsapi.mode = "http500"
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "000003"}) is False
    assert "500" in SmsMessage.objects.get().error


@pytest.mark.django_db
def test_an_unreachable_provider_is_a_failure(fake_server, settings):
    settings.SMS_ALIYUN_ENDPOINT = "http://127.0.0.1:9/"  # discard port: connection refused
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "000004"}) is False
    assert "网络错误" in SmsMessage.objects.get().error


@pytest.mark.django_db
def test_a_template_without_provider_code_is_a_failure(fake_server):
    assert send_sms_now(phone="13812345678", template="initial_password",
                        params={"name": "张三", "username": "gj11", "password": "x"}) is False
    assert FakeDysmsapi.requests == [] and "initial_password" in SmsMessage.objects.get().error


def test_every_template_has_a_chinese_text():
    for template in TEMPLATES.values():
        assert template.text and template.name


@pytest.mark.django_db
def test_template_codes_given_as_json_text_like_the_environment(fake_server, settings):
    """settings read SMS_ALIYUN_TEMPLATE_CODES from the environment as text: it must work as such."""
    settings.SMS_ALIYUN_TEMPLATE_CODES = '{"login_code": "SMS_100009"}'
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "135790"}) is True
    assert FakeDysmsapi.requests[-1]["TemplateCode"] == "SMS_100009"


@pytest.mark.django_db
def test_a_misconfigured_adapter_fails_the_message_instead_of_the_page(fake_server, settings):
    settings.SMS_ALIYUN_TEMPLATE_CODES = "login_code=SMS_1"  # not JSON
    assert send_sms_now(phone="13812345678", template="login_code", params={"code": "135790"}) is False
    message = SmsMessage.objects.get()
    assert message.status == SmsStatus.FAILED and "not valid JSON" in message.error
    assert "135790" not in message.text
