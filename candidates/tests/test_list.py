"""The candidate list (docs/decisions.md#list-filters): the guide's filters, combinable and kept in the URL,
sortable columns, 20 rows a page with a page-size selector, masked 证件号码 and 联系电话,
buttons disabled once the roster is frozen."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.selectors import registration_list
from candidates.tests.factories import RegistrationFactory
from core.masking import mask_id_number, mask_phone
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    p1 = ExamPlanFactory(region=world.region_a, exam_type=ExamType.NEW_ONLINE)
    p2 = ExamPlanFactory(region=world.region_a, exam_type=ExamType.CONTINUING_ONLINE, days_ahead=400)
    rows = {
        "zhang": RegistrationFactory(plan=p1, person__name="张三", company_name="华信通信工程有限公司",
                                     personnel_type="A"),
        "zhangs": RegistrationFactory(plan=p1, person__name="张思远", company_name="中通建设有限公司",
                                      personnel_type="B"),
        "li": RegistrationFactory(plan=p2, person__name="李四", company_name="华信通信工程有限公司",
                                  personnel_type="B"),
        "other": RegistrationFactory(plan=ExamPlanFactory(region=world.region_b), person__name="张广东"),
    }
    return {"p1": p1, "p2": p2, **rows}


def names(qs):
    return sorted(r.person.name for r in qs.select_related("person"))


def test_each_filter_and_their_combination(world, data):
    f = lambda **kw: names(registration_list(filters=kw, fetched_by=world.admin_a))  # noqa: E731
    assert f() == ["张三", "张思远", "李四"]
    assert f(name="张") == ["张三", "张思远"]  # begins with
    assert f(name="三") == []
    assert f(id_number=data["li"].person.id_number) == ["李四"]
    # the whole number only, or the masked digits could be recovered one prefix search at a time
    assert f(id_number=data["li"].person.id_number[:6]) == []
    assert f(id_number=data["li"].person.id_number[:17]) == []
    assert f(id_number=" " + data["li"].person.id_number.lower() + " ") == ["李四"]  # normalised
    assert f(personnel_type="B") == ["张思远", "李四"]
    assert f(company_name="华信") == ["张三", "李四"]  # contains
    assert f(exam_type=ExamType.CONTINUING_ONLINE) == ["李四"]
    assert f(exam_year=data["p2"].exam_date.year) == ["李四"]  # 400 days ahead: another year
    assert f(plan=data["p1"]) == ["张三", "张思远"]
    assert f(name="张", company_name="华信", personnel_type="A", plan=data["p1"]) == ["张三"]
    assert f(name="张", personnel_type="C") == []


def test_central_sees_all_regions_and_filters_by_region(world, data):
    f = lambda **kw: names(registration_list(filters=kw, fetched_by=world.central))  # noqa: E731
    assert f(name="张") == ["张三", "张广东", "张思远"]
    assert f(name="张", region=world.region_b) == ["张广东"]


def test_invalid_filter_gives_no_rows_and_an_error(client, world, data):
    client.force_login(world.admin_a)
    response = client.get(reverse("candidates:list"), {"personnel_type": "Z"})
    body = response.content.decode()
    assert "张三" not in body and "没有符合条件的考生" in body and "errorlist" in body


def test_filters_live_in_the_url_and_survive_paging(client, world, data):
    for i in range(25):
        RegistrationFactory(plan=data["p1"], person__name=f"张测{i:02d}", personnel_type="A")
    client.force_login(world.admin_a)
    url = reverse("candidates:list")
    response = client.get(url, {"name": "张", "personnel_type": "A"})
    body = response.content.decode()
    assert body.count('data-testid="candidate-row"') == 20
    assert "共 26 条记录" in body
    assert "name=%E5%BC%A0&amp;personnel_type=A&amp;page=2" in body or "page=2" in body
    second = client.get(url, {"name": "张", "personnel_type": "A", "page": 2}).content.decode()
    assert second.count('data-testid="candidate-row"') == 6
    assert "李四" not in second
    bigger = client.get(url, {"name": "张", "personnel_type": "A", "page_size": 50}).content.decode()
    assert bigger.count('data-testid="candidate-row"') == 26
    # the filter form is filled from the URL (a bookmark shows the same search)
    assert 'name="name" value="张"' in body


def test_sorting_is_total_and_reversible(world, data):
    asc = list(registration_list(filters={"sort": "name"}, fetched_by=world.admin_a).values_list(
        "person__name", flat=True))
    desc = list(registration_list(filters={"sort": "-name"}, fetched_by=world.admin_a).values_list(
        "person__name", flat=True))
    assert asc == sorted(asc) and desc == list(reversed(asc))
    default = list(registration_list(filters={}, fetched_by=world.admin_a).values_list("candidate_number", flat=True))
    assert default == sorted(default)


def test_columns_and_masking(client, world, data):
    client.force_login(world.admin_a)
    body = client.get(reverse("candidates:list")).content.decode().replace("<br>", "")  # two-line headers
    person = data["zhang"].person
    for header in ["考试批次", "考生编号", "姓名", "证件种类", "证件号码", "公司名称", "统一社会信用代码", "考试类型",
                   "人员类型/报考类型", "联系电话"]:
        assert header in body
    phone = data["zhang"].phone
    assert person.id_number not in body and phone not in body
    assert mask_id_number(person.id_number) in body and mask_phone(phone) in body
    assert data["zhang"].candidate_number in body and data["p1"].batch_no in body


def test_detail_is_masked_until_revealed(client, world, data):
    client.force_login(world.admin_a)
    reg = data["zhang"]
    body = client.get(reverse("candidates:detail", args=[reg.pk])).content.decode()
    assert reg.person.id_number not in body and mask_id_number(reg.person.id_number) in body
    response = client.post(reverse("candidates:reveal", args=[reg.pk]), HTTP_HX_REQUEST="true")
    revealed = response.content.decode()
    assert reg.person.id_number in revealed and reg.phone in revealed
    assert "no-store" in response["Cache-Control"]  # never kept by a browser or proxy cache


def test_frozen_plan_disables_buttons_for_region_not_central(client, world):
    start = timezone.localtime() + datetime.timedelta(hours=30)
    plan = ExamPlanFactory(region=world.region_a, exam_date=start.date(), start_time=datetime.time(start.hour, 0))
    reg = RegistrationFactory(plan=plan)
    client.force_login(world.admin_a)
    body = client.get(reverse("candidates:list"), {"plan": plan.pk}).content.decode()
    assert "已锁定" in body and reverse("candidates:edit", args=[reg.pk]) not in body
    assert 'data-testid="frozen-note"' in body
    # the server refuses too, with the reason, and changes nothing
    response = client.post(reverse("candidates:delete", args=[reg.pk]))
    assert "已锁定" in response.content.decode()
    assert type(reg).objects.filter(pk=reg.pk).exists()
    client.force_login(world.central)
    body = client.get(reverse("candidates:list"), {"plan": plan.pk}).content.decode()
    assert reverse("candidates:edit", args=[reg.pk]) in body


def test_edit_page_shows_validator_errors_beside_fields(client, world, data):
    reg = data["zhang"]
    client.force_login(world.admin_a)
    response = client.post(reverse("candidates:edit", args=[reg.pk]), {
        "name": "张三", "id_type": "1", "id_number": reg.person.id_number, "phone": "123",
        "company_name": "某公司", "credit_code": "91110108551385082Q", "personnel_type": "A"})
    body = response.content.decode()
    assert 'data-testid="error-phone"' in body and "手机号码应为" in body
    reg.person.refresh_from_db()
    assert reg.phone != "123"


def test_add_page_creates_and_redirects(client, world, data):
    client.force_login(world.admin_a)
    from people.tests.factories import make_resident_id

    response = client.post(reverse("candidates:add", args=[data["p1"].pk]), {
        "name": "赵六", "id_type": "1", "id_number": make_resident_id(321), "phone": "13812345678",
        "company_name": "某公司", "credit_code": "91110108551385082Q", "personnel_type": "C"})
    assert response.status_code == 302
    assert registration_list(filters={"name": "赵六"}, fetched_by=world.admin_a).count() == 1


def test_edit_page_shows_the_document_and_phone_masked_and_keeps_them_when_unchanged(client, world, data):
    """Only 查看完整信息 (logged) shows full values: the edit form must not be a way around it."""
    from audit.models import AuditLog
    from core.masking import mask_id_number, mask_phone

    reg = data["zhang"]
    person = reg.person
    full_id, full_phone = person.id_number, reg.phone
    client.force_login(world.admin_a)
    logged = AuditLog.objects.count()
    body = client.get(reverse("candidates:edit", args=[reg.pk])).content.decode()
    assert full_id not in body and full_phone not in body
    assert mask_id_number(full_id) in body and mask_phone(full_phone) in body
    assert AuditLog.objects.count() == logged
    form = {"name": person.name, "id_type": "1", "id_number": mask_id_number(full_id), "phone": mask_phone(full_phone),
            "company_name": "改过的公司", "credit_code": "91110108551385082Q", "personnel_type": reg.personnel_type}
    # an error elsewhere: the form comes back, still masked
    body = client.post(reverse("candidates:edit", args=[reg.pk]), {**form, "personnel_type": "Z"}).content.decode()
    assert "error-personnel_type" in body and full_id not in body and full_phone not in body
    response = client.post(reverse("candidates:edit", args=[reg.pk]), form)
    assert response.status_code == 302
    person.refresh_from_db()
    reg.refresh_from_db()
    assert (person.id_number, reg.phone, reg.company_name) == (full_id, full_phone, "改过的公司")


def test_a_plan_not_yet_approved_says_so_not_that_the_cutoff_passed(client, world):
    from plans.choices import AuditStatus

    plan = ExamPlanFactory(region=world.region_a, audit_status=AuditStatus.PENDING)
    client.force_login(world.admin_a)
    for url in (reverse("candidates:list") + f"?plan={plan.pk}", reverse("candidates:add", args=[plan.pk])):
        body = client.get(url).content.decode()
        assert "该考核计划尚未审核通过" in body and "48 小时" not in body.split('data-testid="frozen-note"')[1][:200]


def test_a_partial_document_number_says_a_whole_number_is_needed(client, world, data):
    """docs/decisions.md#clear-messages: a partial 证件号码 says what is needed instead of an empty list."""
    client.force_login(world.admin_a)
    whole = data["li"].person.id_number
    html = client.get(reverse("candidates:list"), {"id_number": whole[:4]}).content.decode()
    assert "请输入完整的证件号码，不支持按部分号码查询" in html
    html = client.get(reverse("candidates:list"), {"id_number": whole[:10]}).content.decode()
    assert "证件号码按完整号码查询（不支持部分号码）" in html and "李四" not in html
    html = client.get(reverse("candidates:list"), {"id_number": whole}).content.decode()
    assert "李四" in html and "不支持部分号码" not in html
    # a short but whole number (a passport of 5 characters) is searched, not refused
    html = client.get(reverse("candidates:list"), {"id_number": "E1234"}).content.decode()
    assert "请输入完整的证件号码" not in html


def _plan_options(body: str) -> set[str]:
    import re

    select = re.search(r'<select name="plan".*?</select>', body, re.S).group(0)
    return set(re.findall(r'<option value="(\d+)"', select))


def test_the_plan_select_lists_the_plans_of_the_chosen_region_year_and_type(client, world):
    a_now = ExamPlanFactory(region=world.region_a, exam_type=ExamType.NEW_ONLINE)
    a_later = ExamPlanFactory(region=world.region_a, exam_type=ExamType.CONTINUING_ONLINE, days_ahead=400)
    b = ExamPlanFactory(region=world.region_b)
    url = reverse("candidates:list")
    ids = {p: str(p.pk) for p in (a_now, a_later, b)}
    client.force_login(world.central)
    assert _plan_options(client.get(url).content.decode()) >= set(ids.values())
    assert _plan_options(client.get(url, {"region": world.region_a.pk}).content.decode()) == {ids[a_now], ids[a_later]}
    assert _plan_options(client.get(url, {"region": world.region_a.pk, "exam_year": a_now.exam_date.year,
                                          "exam_type": ExamType.NEW_ONLINE}).content.decode()) == {ids[a_now]}
    # the chosen plan stays listed (and selected) whatever the other filters say
    body = client.get(url, {"region": world.region_a.pk, "plan": b.pk}).content.decode()
    assert _plan_options(body) == {ids[a_now], ids[a_later], ids[b]} and f'<option value="{b.pk}" selected>' in body
    # a region's administrator never sees another region's plans, filtered or not
    client.force_login(world.admin_a)
    assert _plan_options(client.get(url).content.decode()) == {ids[a_now], ids[a_later]}
    body = client.get(url, {"plan": b.pk}).content.decode()
    assert ids[b] not in _plan_options(body) and 'data-testid="no-rows"' in body


def test_options_html_escapes_values_and_labels():
    from candidates.forms import options_html

    html = options_html([("", "全部", False), ("1", 'a<b>&"\'', True), ("x\x00y", "z", False)])
    assert html == ('<option value="">全部</option><option value="1" selected>a&lt;b&gt;&amp;&quot;&#x27;</option>'
                    '<option value="x\x00y">z</option>')
    assert options_html([]) == ""


def test_the_rows_escape_what_the_user_typed(client, world):
    """The table's rows are written by candidates.views._rows_html, not the template: every
    value is still escaped."""
    plan = ExamPlanFactory(region=world.region_a)
    reg = RegistrationFactory(plan=plan, company_name='<script>alert("x")</script>&\'公司')
    client.force_login(world.admin_a)
    body = client.get(reverse("candidates:list")).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;公司" in body
    assert f'data-testid="edit-{reg.candidate_number}"' in body
    assert f'<td class="num">1</td><td>{plan.batch_no}</td>' in body
