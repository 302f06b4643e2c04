"""The demo's questioning: two officials of the provincial People's Committee who answer, and
two issue groups for the demo sitting's questioning item (deterministic, like meeting.demo).

Department names as they stand after the 2025 reorganisation of provincial departments."""

from django.contrib.auth import get_user_model

from agenda.models import AgendaItem
from meeting.models import Member

from .models import IssueGroup

OFFICIALS = [
    ("CB001", "gd_sogddt", "Hoàng Minh Đức", "Giám đốc Sở Giáo dục và Đào tạo"),
    ("CB002", "gd_sonnmt", "Ma Thị Hạnh", "Giám đốc Sở Nông nghiệp và Môi trường"),
]
GROUPS = [
    ("Chất lượng giáo dục vùng đồng bào dân tộc thiểu số; trường, lớp sau sắp xếp đơn vị hành chính", ["CB001"]),
    ("Nhà công vụ giáo viên, bếp ăn bán trú và nước sạch ở trường học vùng cao", ["CB001", "CB002"]),
]


def load_demo_floor(sitting, password_hash: str) -> None:
    User = get_user_model()
    officials = {}
    for code, username, name, position in OFFICIALS:
        user = User.objects.create(username=username, password=password_hash, first_name=name)
        officials[code] = Member.objects.create(user=user, code=code, full_name=name, kind=Member.Kind.OFFICIAL,
                                                position=position)
    item = AgendaItem.objects.filter(sitting=sitting, kind=AgendaItem.Kind.QUESTIONING).first()
    for position, (title, codes) in enumerate(GROUPS):
        group = IssueGroup.objects.create(sitting=sitting, item=item, title=title, position=position)
        group.officials.set([officials[c] for c in codes])
