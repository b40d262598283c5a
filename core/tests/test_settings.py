import os
import secrets
import subprocess
import sys

from django.conf import settings


def _run(code: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "REDIS_URL"}}
    full_env = {**base, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env}
    return subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=full_env,
                          capture_output=True, text=True, timeout=120)


CHECK = "import django; django.setup(); from django.core.management import call_command; call_command('check', '--deploy', '--fail-level', 'WARNING')"


ALIYUN = {
    "SMS_BACKEND": "sms.backends.aliyun.AliyunSmsBackend",
    "SMS_ALIYUN_ACCESS_KEY_ID": "LTAI-test", "SMS_ALIYUN_ACCESS_KEY_SECRET": "secret",
    "SMS_ALIYUN_SIGN_NAME": "三类人员考核",
    # the environment's form, exactly as the README shows it
    "SMS_ALIYUN_TEMPLATE_CODES": '{"login_code": "SMS_1", "candidate_activation_code": "SMS_2", '
                                 '"initial_password": "SMS_3", "exam_notice": "SMS_4", '
                                 '"candidate_phone_change_code": "SMS_5", "candidate_phone_changed": "SMS_6"}',
}


REDIS = {"REDIS_URL": "redis://127.0.0.1:6379/0"}


def test_production_settings_pass_check_deploy():
    result = _run(CHECK, SECRET_KEY=secrets.token_urlsafe(64), SMS_OUTBOX_PAGE_ENABLED="0",
                  CAPTCHA_TEST_MODE="0", DEBUG="0", **ALIYUN, **REDIS)
    assert result.returncode == 0, result.stderr[-2000:]


def test_production_refuses_to_run_without_redis():
    """Lockout counters and code limits kept per process multiply an attacker's tries (docs/decisions.md#shared-counters)."""
    result = _run(CHECK, SECRET_KEY=secrets.token_urlsafe(64), SMS_OUTBOX_PAGE_ENABLED="0",
                  CAPTCHA_TEST_MODE="0", DEBUG="0", **ALIYUN)
    assert result.returncode != 0
    assert "sanlei.E006" in result.stderr and "sanlei.E007" in result.stderr


def test_production_refuses_the_fixed_captcha():
    result = _run(CHECK, SECRET_KEY=secrets.token_urlsafe(64), CAPTCHA_TEST_MODE="1", **ALIYUN)
    assert result.returncode != 0 and "sanlei.E001" in result.stderr


def test_production_requires_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=settings.BASE_DIR,
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked():
    result = _run("import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
                  SECRET_KEY=secrets.token_urlsafe(64), DEBUG="")
    assert result.stdout.strip() == "False", result.stderr


def test_every_app_with_tests_is_collected_by_a_plain_pytest_run():
    """A new app's tests must run in `make test`: pytest only looks in the listed testpaths."""
    import tomllib

    from django.conf import settings

    base = settings.BASE_DIR
    testpaths = set(tomllib.loads((base / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"])
    with_tests = {p.parent.name for p in base.glob("*/tests") if (p.parent / "apps.py").is_file()}
    assert with_tests - testpaths == set()
