"""The SMS templates this system sends, in one registry (docs/decisions.md#sms-backend).

Each template has a code used by callers (`send_sms(template="exam_notice", ...)`), the Chinese
text with `{param}` placeholders, the parameters it needs, and which of them are secrets (codes,
passwords): secrets are never kept in the send log unless the backend is the development outbox,
whose whole purpose is to let a developer read them. A provider adapter maps the code to the
provider's approved template id (for Alibaba Cloud: settings.SMS_ALIYUN_TEMPLATE_CODES)."""

from dataclasses import dataclass, field

from core.errors import ApplicationError


@dataclass(frozen=True)
class SmsTemplate:
    code: str
    name: str
    text: str
    params: tuple[str, ...]
    secret_params: frozenset[str] = field(default_factory=frozenset)

    def render(self, params: dict) -> str:
        missing = [p for p in self.params if params.get(p) in (None, "")]
        if missing:
            raise ApplicationError(f"短信模板“{self.name}”缺少参数：{'、'.join(missing)}", field="params")
        return self.text.format(**{p: str(params[p]) for p in self.params})

    def redacted(self, params: dict) -> dict:
        return {p: ("******" if p in self.secret_params else str(params.get(p, ""))) for p in self.params}


TEMPLATES: dict[str, SmsTemplate] = {
    t.code: t
    for t in [
        SmsTemplate(
            code="login_code",
            name="登录验证码",
            text="您的登录验证码为{code}，5分钟内有效。如非本人操作，请忽略本短信。",
            params=("code",),
            secret_params=frozenset({"code"}),
        ),
        SmsTemplate(
            code="candidate_activation_code",
            name="考生设置密码验证码",
            text="您正在设置“三类人员”线上考核系统的登录密码，验证码为{code}，5分钟内有效，请勿告知他人。",
            params=("code",),
            secret_params=frozenset({"code"}),
        ),
        SmsTemplate(
            code="candidate_phone_change_code",
            name="考生更换手机号码验证码",
            text="您正在更换“三类人员”线上考核系统的登录手机号码，验证码为{code}，5分钟内有效，请勿告知他人。",
            params=("code",),
            secret_params=frozenset({"code"}),
        ),
        SmsTemplate(
            code="candidate_phone_changed",
            name="考生登录手机号码变更通知",
            text="您在“三类人员”线上考核系统的登录手机号码已于{changed_at}变更为{new_phone}。如非本人操作，请立即联系报名所在通信管理局。",
            params=("changed_at", "new_phone"),
        ),
        SmsTemplate(
            code="initial_password",
            name="管理员初始密码",
            text="{name}您好，您的“三类人员”线上考核系统管理员账号已开通。用户名：{username}，初始密码：{password}。"
            "首次登录须修改密码，请妥善保管。",
            params=("name", "username", "password"),
            secret_params=frozenset({"password"}),
        ),
        SmsTemplate(
            code="exam_notice",
            name="考前测试通知",
            text="{name}您好，您已报名“三类人员”安全生产考核（批次{batch_no}），考试日期{exam_date}，开始时间{start_time}。"
            "请于考试48小时前登录考核系统完成考前测试。",
            params=("name", "batch_no", "exam_date", "start_time"),
        ),
    ]
}


def get_template(code: str) -> SmsTemplate:
    try:
        return TEMPLATES[code]
    except KeyError:
        raise ApplicationError(f"未知的短信模板：{code}", field="template") from None
