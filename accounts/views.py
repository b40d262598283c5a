from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.services import audit_record

from .forms import PasswordChangeForm
from .services import user_change_password


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    from django.contrib.auth import logout

    if request.user.is_authenticated:
        audit_record(actor=request.user, action="account.logout", obj=request.user, message="退出登录")
    logout(request)
    messages.info(request, "您已退出登录")
    return redirect("core:home")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_change_password(user=request.user, new_password=form.cleaned_data["new_password1"], acting_user=request.user)
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改")
        return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})
