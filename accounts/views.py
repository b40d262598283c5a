from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from audit.actions import Action
from audit.services import audit_record
from core.errors import ApplicationError
from core.forms import add_application_error
from core.http import query_text
from core.pagination import paginate
from core.permissions import central_required, role_required
from core.roles import Role
from core.scoping import get_visible_or_404
from regions.models import Region
from sms.selectors import last_delivery_status

from . import security, selectors, services
from .forms import (
    AdminLoginForm,
    CandidateActivationFinishForm,
    CandidateActivationStartForm,
    CandidateLoginForm,
    CandidatePhoneChangeFinishForm,
    CandidatePhoneChangeStartForm,
    PasswordChangeForm,
    ReasonForm,
    RegionalAccountOpenForm,
    RegionalAccountReplaceForm,
)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _after_login(request, user) -> str:
    if services.password_change_required(user):
        return reverse("accounts:password_change")  # the page says why
    target = _next_url(request)
    if user.role == Role.CANDIDATE and target == reverse(settings.LOGIN_REDIRECT_URL):
        return reverse("candidates:my_registrations")  # a candidate's home is 我的考核
    return target


def demo_outbox_link() -> bool:
    """In the demo (DEBUG with the outbox page on) the login pages link to the outbox, which
    is then readable without an account, so a newcomer can finish a login alone."""
    from sms.views import outbox_is_public

    return outbox_is_public()


def _login_page(request, *, form=None, status=None, errors=(), status_code=200):
    """The page: 用户名, 密码 and the errors of the step just tried; a fresh captcha each time."""
    step = getattr(form, "step", None)
    send_form = form if step == "send_code" else AdminLoginForm(step="send_code")
    login_form = form if step == "login" else AdminLoginForm(step="login")
    head = form or login_form
    if step == "send_code" and set(form.errors) == {"captcha"}:
        # without htmx the whole page comes back: a wrong captcha keeps the typed password here too
        form.fields["password"].widget.render_value = True
    context = {
        "username": head["username"], "password": head["password"], "captcha": send_form["captcha"],
        "sms_code": login_form["sms_code"], "non_field_errors": head.non_field_errors() if form else [],
        "status": status, "errors": errors, "next": (request.POST.get("next") or request.GET.get("next") or "")[:500],
        "demo_outbox": demo_outbox_link(),
    }
    return render(request, "accounts/login.html", context, status=status_code)


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    """管理员登录 (guide §一). POST action=send_code is "获取验证码" (htmx answers with the status
    area and a fresh captcha); a plain POST is "登录"."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method != "POST":
        return _login_page(request)
    if request.POST.get("action") == "send_code":
        form = AdminLoginForm(request.POST, step="send_code")
        status, errors = None, []
        if form.is_valid():
            try:
                masked = services.admin_login_code_request(
                    request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
                status = f"验证码已发送至 {masked}，5 分钟内有效"
            except ApplicationError as exc:
                errors.append(exc.message)
        else:
            errors = [e for name in ("username", "password") for e in form.errors.get(name, [])]
        if request.htmx:
            return render(request, "accounts/_code_status.html",
                          {"status": status, "errors": errors, "captcha": form["captcha"]})
        return _login_page(request, form=form, status=status, errors=errors)
    form = AdminLoginForm(request.POST, step="login")
    if form.is_valid():
        try:
            user = services.admin_login(request=request, username=form.cleaned_data["username"],
                                        code=form.cleaned_data["sms_code"])
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return redirect(_after_login(request, user))
    return _login_page(request, form=form)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record(actor=request.user, action=Action.ACCOUNT_LOGOUT, obj=request.user, message="退出登录")
    logout(request)
    messages.info(request, "您已退出登录")
    return redirect("core:home")


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    reason = services.password_change_required(request.user)
    if request.method == "POST" and "old_password" in form.errors:
        if services.password_change_wrong_current(request=request, user=request.user):
            messages.error(request, f"当前密码连续错误 {security.FAIL_LIMIT} 次，账号已锁定 "
                                    f"{security.LOCK_SECONDS // 60} 分钟，请稍后重新登录")
            return redirect(settings.LOGIN_URL)
    elif request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(user=request.user, new_password=form.cleaned_data["new_password1"],
                                          acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改")
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form, "reason": reason})


# ---- candidates -------------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
def candidate_login(request):
    """考生登录: 证件类型 + 证件号码 + 密码 + 动态码 (docs/decisions.md#candidate-accounts)."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = CandidateLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.candidate_login(request=request, id_type=form.cleaned_data["id_type"],
                                            id_number=form.cleaned_data["id_number"],
                                            password=form.cleaned_data["password"])
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return redirect(_after_login(request, user))
    if form.is_bound:  # a used captcha is never shown again
        form = _rebind(form, CandidateLoginForm)
    return render(request, "accounts/candidate_login.html", {"form": form, "demo_outbox": demo_outbox_link()})


def _rebind(form, form_class):
    """A fresh unbound form for the page after a failed POST: same typed identity, the old
    errors, a new captcha (the old one was consumed). When only the captcha was wrong the typed
    password stays too, as on 管理员登录 where only the status area is replaced (docs/decisions.md#captcha)."""
    keep = ["id_type", "id_number"]
    if "password" in form.fields and set(form.errors) == {"captcha"}:
        keep.append("password")
    fresh = form_class(initial={k: form.data.get(k) for k in keep if form.data.get(k)})
    if "password" in keep:
        fresh.fields["password"].widget.render_value = True
    fresh._errors = form.errors
    return fresh


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def candidate_activate(request):
    """首次登录 / 忘记密码: 证件号码 + 动态码 → SMS code to the imported phone → new password."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.GET.get("restart"):
        request.session.pop(services.ACTIVATION_KEY, None)
        return redirect("accounts:candidate_activate")
    pending = request.session.get(services.ACTIVATION_KEY)
    if request.method == "POST" and request.POST.get("step") == "start":
        form = CandidateActivationStartForm(request.POST)
        if form.is_valid():
            try:
                services.candidate_activation_code_request(request=request, id_type=form.cleaned_data["id_type"],
                                                           id_number=form.cleaned_data["id_number"])
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.info(request, "如该证件已由管理员导入，验证码已发送至导入时登记的手机号码，5 分钟内有效；如未收到，请 60 秒后重新获取")
                return redirect("accounts:candidate_activate")
        return render(request, "accounts/candidate_activate.html",
                      {"form": _rebind(form, CandidateActivationStartForm), "step": "start",
                       "demo_outbox": demo_outbox_link()})
    if request.method == "POST" and request.POST.get("step") == "finish" and pending:
        form = CandidateActivationFinishForm(request.POST)
        if form.is_valid():
            try:
                user = services.candidate_activation_finish(request=request, code=form.cleaned_data["sms_code"],
                                                            new_password=form.cleaned_data["new_password1"])
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, "密码已设置，您已登录")
                return redirect(_after_login(request, user))
        return render(request, "accounts/candidate_activate.html",
                      {"form": form, "step": "finish", "demo_outbox": demo_outbox_link()})
    if pending:
        return render(request, "accounts/candidate_activate.html",
                      {"form": CandidateActivationFinishForm(), "step": "finish", "demo_outbox": demo_outbox_link()})
    return render(request, "accounts/candidate_activate.html",
                  {"form": CandidateActivationStartForm(), "step": "start", "demo_outbox": demo_outbox_link()})


@never_cache
@role_required(Role.CANDIDATE)
def candidate_phone_change(request):
    """更换登录手机号码 (docs/decisions.md#registration-contact): the signed-in candidate enters the new phone, gets a code on
    the old verified phone and one on the new; both right → changed. Always the session's own
    account: no id in the URL or the form."""
    user = request.user
    pending = request.session.get(services.PHONE_CHANGE_KEY) or {}
    pending = pending if pending.get("uid") == user.pk and pending.get("old_phone") == user.phone else {}
    start_form, finish_form = CandidatePhoneChangeStartForm(), CandidatePhoneChangeFinishForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "restart":
        request.session.pop(services.PHONE_CHANGE_KEY, None)
        return redirect("accounts:candidate_phone_change")
    if action == "send_code":
        start_form = CandidatePhoneChangeStartForm(request.POST)
        if start_form.is_valid():
            try:
                old, new = services.candidate_phone_change_request(
                    request=request, user=user, new_phone=start_form.cleaned_data["new_phone"])
            except ApplicationError as exc:
                add_application_error(start_form, exc)
            else:
                messages.info(request, f"验证码已分别发送至原手机 {old} 和新手机 {new}，5 分钟内有效")
                return redirect("accounts:candidate_phone_change")
    elif action == "confirm" and pending:
        finish_form = CandidatePhoneChangeFinishForm(request.POST)
        if finish_form.is_valid():
            try:
                services.candidate_phone_change_finish(request=request, user=user,
                                                       old_code=finish_form.cleaned_data["old_code"],
                                                       new_code=finish_form.cleaned_data["new_code"])
            except ApplicationError as exc:
                if exc.code == "locked":
                    messages.error(request, exc.message)
                    return redirect("accounts:candidate_login")
                add_application_error(finish_form, exc)
            else:
                messages.success(request, f"登录手机号码已更换为 {request.user.masked_phone}，原手机已收到变更通知")
                return redirect("candidates:my_registrations")
    elif action == "confirm":
        finish_form = CandidatePhoneChangeFinishForm(request.POST)
        finish_form.is_valid()
        finish_form.add_error(None, "请先填写新手机号码并获取验证码")
    from core.masking import mask_phone

    # a refused new request shows its form and message, even with an earlier request pending
    context = {"start_form": start_form, "finish_form": finish_form, "pending": bool(pending) and action != "send_code",
               "masked_phone": user.masked_phone, "masked_new": mask_phone(pending.get("new_phone", "")),
               "demo_outbox": demo_outbox_link()}
    return render(request, "accounts/candidate_phone_change.html", context)


# ---- central: regional account allocation (表1) -----------------------------------------


@central_required
def regional_accounts(request):
    rows = selectors.regional_account_rows(fetched_by=request.user)
    context = paginate(request, rows)
    return render(request, "accounts/regional_accounts.html", context)


def _issued(request, *, user, password, title):
    # the SMS went out (or failed) when the service's transaction committed: say which
    sms_status = last_delivery_status(phone=user.phone, template="initial_password")
    response = render(request, "accounts/initial_password.html",
                      {"account": user, "password": password, "title": title, "sms_status": sms_status})
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters()
@central_required
def regional_account_open(request):
    initial = {}
    if query_text(request, "region", 2):
        region = Region.objects.visible_to(request.user).filter(code=query_text(request, "region", 2)).first()
        initial["region"] = region
    form = RegionalAccountOpenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.regional_account_open(
                region=form.cleaned_data["region"], full_name=form.cleaned_data["full_name"],
                organization=form.cleaned_data["organization"], phone=form.cleaned_data["phone"],
                acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return _issued(request, user=user, password=password, title="管局账号已开通")
    return render(request, "accounts/regional_account_form.html", {"form": form, "title": "开通管局账号"})


@sensitive_post_parameters()
@central_required
def regional_account_replace(request, pk):
    holder = selectors.regional_holder_get(pk=pk, fetched_by=request.user)
    form = RegionalAccountReplaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.regional_account_replace(
                user=holder, full_name=form.cleaned_data["full_name"], organization=form.cleaned_data["organization"],
                phone=form.cleaned_data["phone"], reason=form.cleaned_data["reason"], acting_user=request.user)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return _issued(request, user=user, password=password, title="管局账号已变更")
    return render(request, "accounts/regional_account_form.html",
                  {"form": form, "title": f"变更{holder.region.name}管局账号", "holder": holder})


@require_POST
@central_required
def regional_account_reset_password(request, pk):
    holder = selectors.regional_holder_get(pk=pk, fetched_by=request.user)
    try:
        password = services.regional_account_reset_password(user=holder, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:regional_accounts")
    return _issued(request, user=holder, password=password, title="密码已重置")


@require_POST
@central_required
def regional_account_deactivate(request, pk):
    holder = selectors.regional_holder_get(pk=pk, fetched_by=request.user)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.regional_account_deactivate(user=holder, reason=reason, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已停用 {holder.region.name} 管局账号 {holder.username}")
    return redirect("accounts:regional_accounts")


@require_POST
@central_required
def regional_account_unlock(request, pk):
    holder = selectors.regional_holder_get(pk=pk, fetched_by=request.user)
    services.account_unlock(user=holder, acting_user=request.user)
    messages.success(request, f"已解锁 {holder.username}")
    return redirect("accounts:regional_accounts")


@central_required
def regional_account_history(request, code):
    region = get_visible_or_404(Region, request.user, code=code)
    users = selectors.regional_account_history(region=region, fetched_by=request.user)
    context = paginate(request, users)
    context["region"] = region
    return render(request, "accounts/regional_account_history.html", context)
