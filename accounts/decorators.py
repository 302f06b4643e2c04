"""Small view decorators. They ask accounts.permissions; they decide nothing themselves."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from .pages import problem
from .permissions import is_petition_staff, may_manage_reference_data
from .permissions import may_manage_resolutions


def office_staff_required(view):
    """Sign-in first; then only council office staff (permissions.may_manage_reference_data)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_manage_reference_data(request.user):
            return problem(request, "forbidden", _("Trang này chỉ dành cho cán bộ Văn phòng HĐND."),
                           title=_("Không có quyền truy cập"),
                           advice=_("Nếu bạn cần dùng chức năng này, hãy liên hệ Văn phòng để được cấp quyền."))
        return view(request, *args, **kwargs)

    return wrapper


def petition_staff_required(view):
    """Sign-in first; then only petition staff (permissions.is_petition_staff)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_petition_staff(request.user):
            return problem(request, "forbidden", _("Trang này chỉ dành cho cán bộ tiếp nhận, xử lý đơn thư."),
                           title=_("Không có quyền truy cập"),
                           advice=_("Nếu bạn cần dùng chức năng này, hãy liên hệ Văn phòng để được cấp quyền."))
        return view(request, *args, **kwargs)

    return wrapper


def resolution_staff_required(view):
    """Sign-in first; then only the office's resolution staff (permissions.may_manage_resolutions)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_manage_resolutions(request.user):
            return problem(request, "forbidden", _("Trang này chỉ dành cho cán bộ Văn phòng được giao theo dõi nghị quyết."),
                           title=_("Không có quyền truy cập"),
                           advice=_("Nếu bạn cần dùng chức năng này, hãy liên hệ Văn phòng để được cấp quyền."))
        return view(request, *args, **kwargs)

    return wrapper
