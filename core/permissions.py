"""Role checks for views. Anonymous users go to the login page; a signed-in user of the wrong
role gets 403. Region scoping is not done here: it is core.scoping's job."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import Role


def role_required(*roles: Role):
    allowed = {str(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in allowed:
                raise PermissionDenied("您的账号无权访问此页面")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorator


central_required = role_required(Role.CENTRAL)
admin_required = role_required(Role.CENTRAL, Role.REGIONAL)
