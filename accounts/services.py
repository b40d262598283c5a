"""Writes on user accounts and the login flows (docs/decisions.md#accounts). Every change, login, failure,
lockout, code request and password change is audited; SMS go through sms.services."""

import re
import secrets

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record, model_snapshot
from core.errors import ApplicationError
from core.masking import mask_id_number, mask_phone
from core.roles import Role
from core.scoping import assert_visible, require_role
from sms.services import SEND_FAILED_MESSAGE, send_sms, send_sms_now

from . import security
from .models import User

SNAPSHOT_FIELDS = ["username", "role", "region", "full_name", "organization", "phone", "is_active",
                   "must_change_password", "deactivated_at", "deactivation_reason"]
BAD_CREDENTIALS = "用户名或密码错误"
BAD_CANDIDATE_CREDENTIALS = "证件号码或密码错误"
CANDIDATE_UNLOCKER = "报名所在管局或部中心"
# audit_record names a non-user actor by str(): events before sign-in are the visitor's
ANONYMOUS = "未登录访问者"


def _snapshot(user: User) -> dict:
    return model_snapshot(user, SNAPSHOT_FIELDS)


REGIONAL_ACCOUNTS_MESSAGE = "只有部中心可以分配管局账号"


def generate_initial_password(user: User | None = None, length: int = 12) -> str:
    """A random password that meets the policy: letters of both cases, digits and a symbol,
    without look-alike characters (0/O, 1/l/I) so it can be typed from an SMS."""
    lower, upper, digits, symbols = "abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "@#%+=?"
    alphabet = lower + upper + digits + symbols
    while True:
        chars = [secrets.choice(lower), secrets.choice(upper), secrets.choice(digits), secrets.choice(symbols)]
        chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _clean_holder_fields(*, full_name: str, organization: str, phone: str) -> tuple[str, str, str]:
    from people.validation import validate_mobile

    full_name, organization = (full_name or "").strip(), (organization or "").strip()
    if not full_name:
        raise ApplicationError("请填写姓名", field="full_name")
    if len(full_name) > 50:
        raise ApplicationError(f"姓名不能超过 50 个字（当前 {len(full_name)} 个）", field="full_name")
    if not organization:
        raise ApplicationError("请填写单位/部门", field="organization")
    if len(organization) > 100:
        raise ApplicationError(f"单位/部门不能超过 100 个字（当前 {len(organization)} 个）", field="organization")
    try:
        phone = validate_mobile(phone)
    except ValueError as exc:
        raise ApplicationError(str(exc), field="phone") from None
    return full_name, organization, phone


def _new_username(region) -> str:
    base = f"gj{region.code}"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def _create_holder(*, region, full_name, organization, phone) -> tuple[User, str]:
    user = User(username=_new_username(region), role=Role.REGIONAL, region=region, full_name=full_name,
                organization=organization, phone=phone, must_change_password=True,
                password_changed_at=timezone.now())
    password = generate_initial_password(user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the partial unique constraint: another holder became active meanwhile
        raise ApplicationError(f"{region.name}已有在用的管局账号，请使用“变更”更换人员", field="region") from None
    return user, password


def _send_initial_password(user: User, password: str, acting_user) -> None:
    send_sms(phone=user.phone, template="initial_password",
             params={"name": user.full_name, "username": user.username, "password": password},
             acting_user=acting_user)


@transaction.atomic
def regional_account_open(*, region, full_name: str, organization: str, phone: str,
                          acting_user: User) -> tuple[User, str]:
    """开通: central opens the one account of a region from 表1's fields (省份, 姓名, 单位/部门,
    手机号码; guide §一, "仅限1人"). The generated initial password goes to the holder's phone by
    SMS after commit and is returned once for central's screen; the first login forces a change."""
    require_role(acting_user, Role.CENTRAL, message=REGIONAL_ACCOUNTS_MESSAGE)
    full_name, organization, phone = _clean_holder_fields(full_name=full_name, organization=organization, phone=phone)
    if region is None:
        raise ApplicationError("请选择省份", field="region")
    if User.objects.filter(role=Role.REGIONAL, region=region, is_active=True).exists():
        raise ApplicationError(f"{region.name}已有在用的管局账号，请使用“变更”更换人员", field="region")
    user, password = _create_holder(region=region, full_name=full_name, organization=organization, phone=phone)
    audit_record(actor=acting_user, action=Action.ACCOUNT_OPEN, obj=user, after=_snapshot(user),
                 message=f"开通{region.name}管局账号 {user.username}")
    _send_initial_password(user, password, acting_user)
    return user, password


USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,31}$")


@transaction.atomic
def central_account_create(*, username: str, full_name: str, organization: str, phone: str,
                           actor_label: str) -> tuple[User, str]:
    """A 部中心 account, made from the server's shell (manage.py create_central_account): the way
    the first central account comes to exist. Like a regional account it has a phone for the
    login SMS, a generated initial password shown once, and a forced change at first login."""
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ApplicationError("用户名须以字母开头，由 3–32 位字母、数字或下划线组成", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"用户名 {username} 已被使用", field="username")
    full_name, organization, phone = _clean_holder_fields(full_name=full_name, organization=organization, phone=phone)
    user = User(username=username, role=Role.CENTRAL, full_name=full_name, organization=organization, phone=phone,
                must_change_password=True, password_changed_at=timezone.now())
    password = generate_initial_password(user)
    user.set_password(password)
    user.save()
    audit_record(actor=actor_label, action=Action.ACCOUNT_OPEN, obj=user, after=_snapshot(user),
                 message=f"开通部中心账号 {username}")
    return user, password


def _end_holding(user: User, reason: str) -> None:
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.deactivation_reason = reason
    user.save(update_fields=["is_active", "deactivated_at", "deactivation_reason"])
    security.unlock(security.admin_subject(user.username))


def _active_regional(user: User) -> None:
    if user.role != Role.REGIONAL or not user.is_active:
        raise ApplicationError("该账号不是在用的管局账号", field="user")


@transaction.atomic
def regional_account_replace(*, user: User, full_name: str, organization: str, phone: str,
                             acting_user: User, reason: str = "") -> tuple[User, str]:
    """变更: the region's account passes to another person (guide §一: 开通(或变更)). The old
    account is deactivated at once (its sessions end on their next request) and kept for the
    history; a new account with a new initial password is created for the new person."""
    require_role(acting_user, Role.CENTRAL, message=REGIONAL_ACCOUNTS_MESSAGE)
    _active_regional(user)
    full_name, organization, phone = _clean_holder_fields(full_name=full_name, organization=organization, phone=phone)
    before = _snapshot(user)
    _end_holding(user, "变更")
    new_user, password = _create_holder(region=user.region, full_name=full_name, organization=organization, phone=phone)
    # the ended account's own history says when and why it stopped
    audit_record(actor=acting_user, action=Action.ACCOUNT_DEACTIVATE, obj=user, before=before, after=_snapshot(user),
                 reason=reason, message=f"变更：{user.username} 停用，由 {new_user.username} 接替")
    audit_record(actor=acting_user, action=Action.ACCOUNT_REPLACE, obj=new_user, before=before, after=_snapshot(new_user),
                 reason=reason, message=f"变更{user.region.name}管局账号：{user.username} → {new_user.username}")
    _send_initial_password(new_user, password, acting_user)
    return new_user, password


@transaction.atomic
def regional_account_reset_password(*, user: User, acting_user: User) -> str:
    """重置密码: a new initial password, sent by SMS and shown once; the next login must change
    it. Existing sessions of the account end (the session hash follows the password)."""
    require_role(acting_user, Role.CENTRAL, message=REGIONAL_ACCOUNTS_MESSAGE)
    _active_regional(user)
    password = generate_initial_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    security.unlock(security.admin_subject(user.username))
    audit_record(actor=acting_user, action=Action.ACCOUNT_PASSWORD_RESET, obj=user, message=f"重置 {user.username} 的密码")
    _send_initial_password(user, password, acting_user)
    return password


@transaction.atomic
def regional_account_deactivate(*, user: User, acting_user: User, reason: str = "") -> User:
    """停用: the account can no longer log in (at once); it stays in the region's history."""
    require_role(acting_user, Role.CENTRAL, message=REGIONAL_ACCOUNTS_MESSAGE)
    _active_regional(user)
    before = _snapshot(user)
    _end_holding(user, "停用")
    audit_record(actor=acting_user, action=Action.ACCOUNT_DEACTIVATE, obj=user, before=before, after=_snapshot(user),
                 reason=reason, message=f"停用 {user.username}")
    return user


def _person_subject(person) -> str:
    """A candidate's login subject, as they sign in: 证件类型 + 证件号码."""
    return security.candidate_subject(person.id_type.code, person.id_number)


def candidate_lock_status(*, person) -> security.Lock | None:
    """The login lock of a candidate (by 证件类型 + 证件号码, as the candidate signs in)."""
    return security.lock_status(_person_subject(person))


def candidate_unlock(*, person, acting_user: User) -> bool:
    """解除登录锁定 for a candidate: central, or the administrator of a region where the person is
    registered (the candidate's help desk is the 管局 that imported them). The caller's view has
    already scoped the registration; this checks the region again so no other path can skip it."""
    require_role(acting_user, Role.CENTRAL, Role.REGIONAL, message="只有部中心和管局管理员可以解除登录锁定")
    assert_visible(person, acting_user, message="只能解除本管局考生的登录锁定")
    was_locked = security.unlock(_person_subject(person))
    audit_record(actor=acting_user, action=Action.ACCOUNT_UNLOCK, obj=person,
                 message=f"解除考生 {person.name} 的登录锁定" + ("" if was_locked else "（未处于锁定状态）"))
    return was_locked


def account_unlock(*, user: User, acting_user: User) -> bool:
    """解锁: central lifts a login lock (docs/decisions.md#login-lockout: 5 failures in 15 minutes lock 30 minutes)."""
    require_role(acting_user, Role.CENTRAL, message="只有部中心可以解除管局账号的登录锁定")
    was_locked = security.unlock(security.admin_subject(user.username))
    audit_record(actor=acting_user, action=Action.ACCOUNT_UNLOCK, obj=user, message=f"解锁 {user.username}")
    return was_locked


@transaction.atomic
def user_change_password(*, user: User, new_password: str, acting_user: User) -> User:
    """Set a new password after the policy check (accounts.password_validation: 8+ characters,
    3 of 4 classes, not containing the username, not a common password, none of the last 5);
    clears the forced-change flag."""
    if user.check_password(new_password):
        raise ApplicationError("新密码不能与当前密码相同", field="new_password1")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ApplicationError("；".join(exc.messages), field="new_password1") from None
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(actor=acting_user, action=Action.ACCOUNT_PASSWORD_CHANGE, obj=user, message="修改密码")
    return user


def login_subject(user: User) -> str | None:
    """The subject the user's login counters and lock are kept under."""
    if user.is_admin:
        return security.admin_subject(user.username)
    from people.models import Person

    person = Person.objects.select_related("id_type").filter(user=user).first()
    return _person_subject(person) if person else None


def password_change_wrong_current(*, request, user: User) -> bool:
    """A wrong 当前密码 on the password page counts like a failed login (someone holding a left-open
    session must not guess the password without limit). Audited; on the fifth failure within 15
    minutes the account is locked and this session ends. Returns True when it did."""
    subject = login_subject(user)
    audit_record(actor=user, action=Action.ACCOUNT_PASSWORD_CHANGE_FAILED, obj=user, message="修改密码：当前密码不正确")
    if subject is None:
        return False
    if security.failure_register(subject):
        audit_record(actor=user, action=Action.ACCOUNT_LOCKED, obj=user,
                     message=f"修改密码时当前密码错误 {security.FAIL_LIMIT} 次，锁定 {security.LOCK_SECONDS // 60} 分钟")
        logout(request)
        return True
    return False


def password_expired(user) -> bool:
    """Administrators must change their password every PASSWORD_MAX_AGE_DAYS (default 90) days.
    An administrator's password of unknown age (no recorded change time) counts as expired;
    an account with no usable password has nothing to expire."""
    if not getattr(user, "is_admin", False):
        return False
    if user.password_changed_at is None:
        return user.has_usable_password()
    days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90))
    return timezone.now() - user.password_changed_at > timezone.timedelta(days=days)


def password_change_required(user) -> str | None:
    """Why the user must change the password before anything else, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.must_change_password:
        return "首次登录（或密码被重置）后须先修改密码"
    if password_expired(user):
        days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90))
        if user.password_changed_at is None:
            return f"系统中没有您的密码修改记录，管理员密码须每 {days} 天修改一次，请先修改密码"
        return f"您的密码已超过 {days} 天未修改，请修改密码后继续使用"
    return None


# ---- administrator login: 用户名 + 密码 + 动态码 → 获取验证码 → 短信验证码 ----------------

PENDING_KEY = "login_pending"


def _failure(*, subject: str, action_label: str, username: str, user: User | None, reason: str) -> None:
    """Audit one failed attempt and count it; a fifth failure in 15 minutes locks."""
    audit_record(actor=ANONYMOUS, action=Action.ACCOUNT_LOGIN_FAILED, obj=user, object_type="" if user else "accounts.User",
                 object_repr="" if user else username[:64], reason=reason,
                 message=f"{action_label}失败：{username[:64]}（{reason}）")
    if security.failure_register(subject):
        audit_record(actor=ANONYMOUS, action=Action.ACCOUNT_LOCKED, obj=user, object_type="" if user else "accounts.User",
                     object_repr="" if user else username[:64],
                     message=f"{username[:64]} 登录失败 {security.FAIL_LIMIT} 次，锁定 {security.LOCK_SECONDS // 60} 分钟")


def _check_lock(subject: str, *, unlocker: str = "部中心") -> None:
    lock = security.lock_status(subject)
    if lock is not None:
        raise ApplicationError(security.locked_message(lock, unlocker=unlocker), code="locked")


def _authenticate_admin(request, username: str, password: str) -> User | None:
    user = authenticate(request, username=username, password=password)
    if user is None or user.role not in (Role.CENTRAL, Role.REGIONAL):
        return None
    return user


def _existing(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def admin_login_code_request(*, request, username: str, password: str) -> str:
    """获取验证码 (guide §一): after the captcha has been checked by the form, a correct username
    and password send a 6-digit code to the account's phone. Returns the masked phone. A wrong
    password and an unknown username get the same message and both count towards the lock."""
    username = (username or "").strip()
    subject = security.admin_subject(username)
    _check_lock(subject)
    user = _authenticate_admin(request, username, password)
    if user is None:
        _failure(subject=subject, action_label="获取登录验证码", username=username, user=_existing(username),
                 reason="用户名或密码错误")
        raise ApplicationError(BAD_CREDENTIALS, code="credentials")
    if not user.phone:
        raise ApplicationError("该账号未登记手机号码，请联系部中心", code="no_phone")
    code = security.code_issue(subject)
    ok = send_sms_now(phone=user.phone, template="login_code", params={"code": code}, acting_user=None)
    audit_record(actor=user, action=Action.ACCOUNT_LOGIN_CODE_REQUEST, obj=user,
                 message=f"获取登录验证码，发往 {mask_phone(user.phone)}" + ("" if ok else "（短信发送失败）"))
    if not ok:
        security.code_release_cooldown(subject)
        raise ApplicationError(SEND_FAILED_MESSAGE, field="sms_code", code="sms_failed")
    request.session[PENDING_KEY] = {"uid": user.pk, "subject": subject}
    return mask_phone(user.phone)


def admin_login(*, request, username: str, code: str) -> User:
    """登录: the SMS code sent by this session's code request (which checked the captcha and the
    password) for the same username. A wrong code is a failed login (it counts towards the
    lock) as well as a wrong try on the code."""
    username = (username or "").strip()
    subject = security.admin_subject(username)
    _check_lock(subject)
    pending = request.session.get(PENDING_KEY) or {}
    user = None
    if pending.get("subject") == subject:
        user = User.objects.filter(pk=pending.get("uid"), is_active=True).first()
    if user is None:
        raise ApplicationError("请先填写用户名、密码和动态码，点击“获取验证码”", field="sms_code", code="no_code")
    try:
        security.code_verify(subject, code)
    except ApplicationError as exc:
        _failure(subject=subject, action_label="管理员登录", username=username, user=user, reason=exc.message)
        raise
    _login(request, user, subject, "管理员登录")
    return user


def _login(request, user: User, subject: str, label: str) -> None:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    security.failures_clear(subject)
    audit_record(actor=user, action=Action.ACCOUNT_LOGIN, obj=user, message=label)


# ---- candidate login: 证件号码 + 密码; first time an SMS code to the imported phone ----------

ACTIVATION_KEY = "candidate_activation"


def _find_person(id_type, id_number: str):
    from people.models import Person
    from people.validation import normalize_id_number

    return Person.objects.select_related("user").filter(id_type=id_type, id_number=normalize_id_number(id_number)).first()


def candidate_code_phone(person) -> str:
    """Where a candidate's first-login and password-reset codes go (docs/decisions.md#registration-contact): the account's
    verified phone once the candidate has activated it (set then, changed only by the candidate
    or by central); before that, the phone of the person's EARLIEST registration — never one a
    later region brought, so another region's import cannot re-route the code."""
    from candidates.selectors import earliest_registration_phone

    user = getattr(person, "user", None)
    if user is not None and user.phone:
        return user.phone
    return earliest_registration_phone(person=person)


@transaction.atomic
def candidate_verified_phone_set(*, person, phone: str, reason: str, acting_user: User) -> User:
    """部中心 changes a candidate account's verified phone (where login and reset codes go),
    with a reason, audited (docs/decisions.md#registration-contact). No 管局 may: the account is shared by every region
    holding a registration of the person."""
    from people.validation import validate_mobile

    require_role(acting_user, Role.CENTRAL, message="只有部中心可以更正考生的登录手机号码")
    user = User.objects.select_for_update().filter(pk=person.user_id).first() if person.user_id else None
    if user is None:
        raise ApplicationError("该考生尚未激活账号：首次登录的验证码发往其最早一条报名的手机号码", field="phone")
    try:
        phone = validate_mobile(phone)
    except ValueError as exc:
        raise ApplicationError(str(exc), field="phone") from None
    if not (reason or "").strip():
        raise ApplicationError("请填写更正原因", field="reason")
    before = _snapshot(user)
    user.phone = phone
    user.save(update_fields=["phone"])
    audit_record(actor=acting_user, action=Action.ACCOUNT_CANDIDATE_PHONE, obj=person, before={"phone": before["phone"]},
                 after={"phone": phone}, reason=reason.strip()[:500],
                 message=f"部中心更正考生 {person.name} 的登录手机号码")
    return user


def candidate_login(*, request, id_type, id_number: str, password: str) -> User:
    """考生登录 with 证件号码 and the password the candidate set. Unknown numbers, accounts not
    yet activated and wrong passwords give the same message; all count towards the lock."""
    from people.validation import normalize_id_number

    number = normalize_id_number(id_number)
    subject = security.candidate_subject(id_type.code, number)
    _check_lock(subject, unlocker=CANDIDATE_UNLOCKER)
    person = _find_person(id_type, number)
    user = person.user if person is not None else None
    if user is not None and user.is_active and user.role == Role.CANDIDATE and user.has_usable_password() \
            and user.check_password(password):
        _login(request, user, subject, "考生登录")
        return user
    if user is None:
        User().set_password(password)  # same work as a real check: no timing difference
    _failure(subject=subject, action_label="考生登录", username=f"{id_type.name} {mask_id_number(number)}", user=user,
             reason="证件号码或密码错误")
    raise ApplicationError(BAD_CANDIDATE_CREDENTIALS, code="credentials")


def candidate_activation_code_request(*, request, id_type, id_number: str) -> None:
    """首次登录/忘记密码, step 1: a code to the phone the administrator imported for this
    person. From outside an unknown number behaves exactly the same (same message, same limits;
    nothing is sent)."""
    from people.validation import normalize_id_number

    number = normalize_id_number(id_number)
    subject = security.candidate_subject(id_type.code, number)
    _check_lock(subject, unlocker=CANDIDATE_UNLOCKER)
    code = security.code_issue(subject)
    person = _find_person(id_type, number)
    request.session[ACTIVATION_KEY] = {"subject": subject, "person": person.pk if person else None}
    audit_record(actor=ANONYMOUS, action=Action.ACCOUNT_ACTIVATION_CODE_REQUEST, obj=person,
                 object_type="" if person else "people.Person", object_repr="" if person else f"{id_type.name} {mask_id_number(number)}",
                 message="考生获取设置密码验证码" + ("" if person else "（证件未登记，未发送）"))
    phone = candidate_code_phone(person) if person is not None else ""
    if not phone:
        return
    # Delivered after commit and never reported on the page: a "短信发送失败" here would tell an
    # outsider that the document number is registered (the admin path may say it, because it
    # has already checked the password). A failure is stored on the SMS record and logged; the
    # page tells everyone alike to ask again after the 60 s cooldown if nothing arrives. The
    # provider is called off the request too, so the answer's speed says nothing either.
    send_sms(phone=phone, template="candidate_activation_code", params={"code": code}, off_request=True)


@transaction.atomic
def candidate_account_activate(*, person, new_password: str, acting_user=None) -> User:
    """Create (or re-activate) the candidate's account and set the password: username
    p<person id>, role candidate, linked as Person.user (docs/decisions.md#candidate-accounts). The first activation
    records the phone the code went to as the account's verified phone; a later reset never
    changes it (docs/decisions.md#registration-contact)."""
    user = person.user
    created = user is None
    if created:
        user = User(username=f"p{person.pk}", role=Role.CANDIDATE, full_name=person.name)
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ApplicationError("；".join(exc.messages), field="new_password1") from None
    before = None if created else _snapshot(user)
    user.set_password(new_password)
    user.is_active = True
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.full_name = person.name
    if not user.phone:
        user.phone = candidate_code_phone(person)
    user.save()
    if created:
        type(person).objects.filter(pk=person.pk).update(user=user)
        person.user = user
    audit_record(actor=acting_user or user, action=Action.ACCOUNT_CANDIDATE_ACTIVATE, obj=user, before=before,
                 after=_snapshot(user), message="考生设置密码" + ("（首次）" if created else "（重设）"))
    return user


def candidate_activation_finish(*, request, code: str, new_password: str) -> User:
    """首次登录/忘记密码, step 2: the SMS code, then the new password (policy) → signed in."""
    from people.models import Person

    state = request.session.get(ACTIVATION_KEY) or {}
    subject = state.get("subject")
    if not subject:
        raise ApplicationError("请先获取短信验证码", field="sms_code", code="no_code")
    _check_lock(subject, unlocker=CANDIDATE_UNLOCKER)
    person = Person.objects.select_related("user").filter(pk=state.get("person")).first() if state.get("person") else None
    # the policy first, so that a weak password does not use up the code
    probe = (person.user if person and person.user else User(username=f"p{person.pk}" if person else "candidate"))
    try:
        validate_password(new_password, probe)
    except ValidationError as exc:
        raise ApplicationError("；".join(exc.messages), field="new_password1") from None
    try:
        security.code_verify(subject, code)
        if person is None:  # an unregistered number can never get this far
            raise ApplicationError("短信验证码不正确", field="sms_code", code="wrong")
    except ApplicationError as exc:
        _failure(subject=subject, action_label="考生设置密码", username=mask_id_number(subject.split(":", 2)[-1]),
                 user=person.user if person else None, reason=exc.message)
        raise
    user = candidate_account_activate(person=person, new_password=new_password)
    request.session.pop(ACTIVATION_KEY, None)
    _login(request, user, subject, "考生设置密码后登录")
    return user


# ---- the candidate changes their own verified phone (docs/decisions.md#registration-contact) ----------------------------

PHONE_CHANGE_KEY = "candidate_phone_change"


def _phone_change_subjects(user: User) -> tuple[str, str]:
    """The old phone's code is kept under the candidate's login subject (one cooldown, one daily
    limit and one lock with the login codes); the new phone's under a subject of its own."""
    require_role(user, Role.CANDIDATE, message="只有考生本人可以更换登录手机号码")
    subject = login_subject(user)
    if subject is None:
        raise ApplicationError("该账号没有对应的考生信息，请联系报名所在管局", code="no_person")
    return subject, subject + "|new-phone"


def candidate_phone_change_request(*, request, user: User, new_phone: str) -> tuple[str, str]:
    """更换手机号码, step 1: a 6-digit code to the OLD verified phone and one to the NEW phone,
    under the login codes' limits (60 s, 10 a day, the lock). Returns both phones masked."""
    from people.validation import validate_mobile

    old_subject, new_subject = _phone_change_subjects(user)
    _check_lock(old_subject, unlocker=CANDIDATE_UNLOCKER)
    try:
        new_phone = validate_mobile(new_phone)
    except ValueError as exc:
        raise ApplicationError(str(exc), field="new_phone") from None
    if not user.phone:
        raise ApplicationError("账号尚无登录手机号码，请联系报名所在管局", field="new_phone")
    if new_phone == user.phone:
        raise ApplicationError("新手机号码与当前登录手机号码相同", field="new_phone")
    old_code = security.code_issue(old_subject)
    try:
        new_code = security.code_issue(new_subject)
    except ApplicationError:
        security.code_release_cooldown(old_subject)
        raise
    sent_old = send_sms_now(phone=user.phone, template="candidate_phone_change_code", params={"code": old_code},
                            acting_user=user)
    sent_new = sent_old and send_sms_now(phone=new_phone, template="candidate_phone_change_code",
                                         params={"code": new_code}, acting_user=user)
    audit_record(actor=user, action=Action.ACCOUNT_PHONE_CHANGE_CODE_REQUEST, obj=user,
                 message=f"更换登录手机号码：验证码发往 {mask_phone(user.phone)} 和 {mask_phone(new_phone)}"
                 + ("" if sent_new else "（短信发送失败）"))
    if not sent_new:
        security.code_release_cooldown(old_subject)
        security.code_release_cooldown(new_subject)
        raise ApplicationError(SEND_FAILED_MESSAGE, field="old_code", code="sms_failed")
    request.session[PHONE_CHANGE_KEY] = {"uid": user.pk, "new_phone": new_phone, "old_phone": user.phone}
    return mask_phone(user.phone), mask_phone(new_phone)


def candidate_phone_change_finish(*, request, user: User, old_code: str, new_code: str) -> User:
    """更换手机号码, step 2: both codes right → the verified phone is the new one, audited
    (masked), and the old phone is told. A wrong code on either phone changes nothing and
    counts as a failed login (the fifth within 15 minutes locks and signs out)."""
    old_subject, new_subject = _phone_change_subjects(user)
    _check_lock(old_subject, unlocker=CANDIDATE_UNLOCKER)
    pending = request.session.get(PHONE_CHANGE_KEY) or {}
    if pending.get("uid") != user.pk or pending.get("old_phone") != user.phone or not pending.get("new_phone"):
        raise ApplicationError("请先填写新手机号码并获取验证码", field="new_phone", code="no_code")
    for subject, code, field in ((old_subject, old_code, "old_code"), (new_subject, new_code, "new_code")):
        try:
            security.code_verify(subject, code)
        except ApplicationError as exc:
            label = "原手机" if field == "old_code" else "新手机"
            audit_record(actor=user, action=Action.ACCOUNT_PHONE_CHANGE_FAILED, obj=user,
                         message=f"更换登录手机号码：{label}验证码错误（{exc.message}）")
            if field == "new_code":  # the old code was used up: both must be asked for again
                exc = ApplicationError(f"新手机{exc.message}；请重新获取验证码", field="new_code", code=exc.code)
            else:
                exc = ApplicationError(f"原手机{exc.message}", field="old_code", code=exc.code)
            if security.failure_register(old_subject):
                audit_record(actor=user, action=Action.ACCOUNT_LOCKED, obj=user,
                             message=f"更换手机号码时验证码错误 {security.FAIL_LIMIT} 次，"
                                     f"锁定 {security.LOCK_SECONDS // 60} 分钟")
                request.session.pop(PHONE_CHANGE_KEY, None)
                logout(request)
                raise ApplicationError(security.locked_message(security.lock_status(old_subject),
                                                               unlocker=CANDIDATE_UNLOCKER), code="locked") from None
            raise exc from None
    new_phone = pending["new_phone"]
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.phone != pending["old_phone"]:
            raise ApplicationError("登录手机号码已被更改，请重新操作", field="new_phone")
        old_phone = locked.phone
        locked.phone = new_phone
        locked.save(update_fields=["phone"])
        from people.models import Person

        person = Person.objects.filter(user=locked).first()  # its audit shows under each region holding it
        audit_record(actor=user, action=Action.ACCOUNT_CANDIDATE_PHONE, obj=person or locked, before={"phone": old_phone},
                     after={"phone": new_phone},
                     message=f"考生本人更换登录手机号码：{mask_phone(old_phone)} → {mask_phone(new_phone)}")
        send_sms(phone=old_phone, template="candidate_phone_changed", acting_user=user,
                 params={"changed_at": f"{timezone.localtime():%Y-%m-%d %H:%M}", "new_phone": mask_phone(new_phone)})
    request.session.pop(PHONE_CHANGE_KEY, None)
    user.phone = new_phone
    return locked
