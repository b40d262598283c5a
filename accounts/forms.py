from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms

from core.forms import Form
from core.roles import Role
from regions.models import Region

from .models import User
from .password_validation import policy_text


class CaptchaWidget(CaptchaTextInput):
    """The image captcha (动态码) with a refresh link; the link is wired up by
    accounts/static/accounts/login.js (no inline script under the CSP)."""

    template_name = "accounts/captcha_widget.html"


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label="动态码", widget=CaptchaWidget(attrs={"autocomplete": "off", "maxlength": 8}),
        error_messages={"invalid": "动态码不正确，请看图重新输入", "required": "请输入动态码", "incomplete": "请输入动态码"},
    )


class AdminLoginForm(Form):
    """管理员登录 (guide §一): 用户名, 密码, 动态码 → 获取验证码 → 短信验证码 → 登录. The captcha is
    checked when the code is requested; the login step checks the password and the SMS code."""

    username = forms.CharField(label="用户名", max_length=64, error_messages={"required": "请输入用户名"},
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="密码", max_length=128, strip=False, error_messages={"required": "请输入密码"},
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    captcha = captcha_field()
    sms_code = forms.CharField(
        label="短信验证码", max_length=6, min_length=6, required=False,
        error_messages={"min_length": "短信验证码为 6 位数字", "max_length": "短信验证码为 6 位数字"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6}),
    )

    def __init__(self, *args, step: str = "login", **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step == "login":
            # the captcha was used up by this session's code request: not checked again
            del self.fields["captcha"]
            self.fields["password"].required = False
            self.fields["sms_code"].required = True
            self.fields["sms_code"].error_messages["required"] = "请输入短信验证码"
        else:
            del self.fields["sms_code"]

    def clean_sms_code(self):
        code = (self.cleaned_data.get("sms_code") or "").strip()
        if code and not code.isdigit():
            raise forms.ValidationError("短信验证码为 6 位数字")
        return code


class PasswordChangeForm(Form):
    old_password = forms.CharField(label="当前密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                                   max_length=128, strip=False)
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    max_length=128, strip=False,
                                    help_text=policy_text())
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    max_length=128, strip=False)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("当前密码不正确")
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的新密码不一致")
        elif p1:
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return data


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class HolderFieldsMixin(Form):
    """表1: 姓名, 单位/部门, 手机号码 (11-digit mainland mobile)."""

    full_name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    organization = forms.CharField(label="单位/部门", max_length=100, error_messages={"required": "请填写单位/部门"})
    phone = forms.CharField(label="手机号码", max_length=20, error_messages={"required": "请填写手机号码"},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "type": "tel"}))

    def clean_phone(self):
        from people.validation import validate_mobile

        try:
            return validate_mobile(self.cleaned_data["phone"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class RegionalAccountOpenForm(HolderFieldsMixin):
    region = RegionChoiceField(label="省份", queryset=Region.objects.all(), empty_label="请选择省份",
                               error_messages={"required": "请选择省份", "invalid_choice": "请选择有效的省份"})
    field_order = ["region", "full_name", "organization", "phone"]

    def clean_region(self):
        region = self.cleaned_data["region"]
        if User.objects.filter(role=Role.REGIONAL, region=region, is_active=True).exists():
            raise forms.ValidationError(f"{region.name}已有在用的管局账号，请使用“变更”更换人员")
        return region


class RegionalAccountReplaceForm(HolderFieldsMixin):
    reason = forms.CharField(label="变更原因", max_length=200, required=False, widget=forms.TextInput())


class ReasonForm(Form):
    reason = forms.CharField(label="原因", max_length=200, required=False)


def id_type_queryset():
    from people.models import IdType

    return IdType.objects.filter(is_active=True).order_by("code")


class IdTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CandidateIdentityMixin(Form):
    id_type = IdTypeField(label="证件类型", queryset=None, empty_label=None,
                          error_messages={"required": "请选择证件类型", "invalid_choice": "请选择有效的证件类型"})
    id_number = forms.CharField(label="证件号码", max_length=32, error_messages={"required": "请输入证件号码"},
                                widget=forms.TextInput(attrs={"autocomplete": "username"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_type"].queryset = id_type_queryset()


class CandidateLoginForm(CandidateIdentityMixin):
    password = forms.CharField(label="密码", max_length=128, strip=False, error_messages={"required": "请输入密码"},
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    captcha = captcha_field()


class CandidateActivationStartForm(CandidateIdentityMixin):
    captcha = captcha_field()


class CandidateActivationFinishForm(Form):
    sms_code = forms.CharField(label="短信验证码", max_length=6, min_length=6,
                               error_messages={"required": "请输入短信验证码", "min_length": "短信验证码为 6 位数字"},
                               widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    new_password1 = forms.CharField(label="新密码", max_length=128, strip=False, error_messages={"required": "请输入新密码"},
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    help_text=policy_text())
    new_password2 = forms.CharField(label="确认新密码", max_length=128, strip=False,
                                    error_messages={"required": "请再次输入新密码"},
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class CandidatePhoneChangeStartForm(Form):
    new_phone = forms.CharField(label="新手机号码", max_length=20, error_messages={"required": "请输入新手机号码"},
                                widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}))


def _code_field(label):
    return forms.CharField(label=label, max_length=6, min_length=6,
                           error_messages={"required": f"请输入{label}", "min_length": f"{label}为 6 位数字"},
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class CandidatePhoneChangeFinishForm(Form):
    old_code = _code_field("原手机验证码")
    new_code = _code_field("新手机验证码")
