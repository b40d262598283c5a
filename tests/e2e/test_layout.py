"""The lists fit a 1366×768 screen (docs/decisions.md#lists-1366): the candidate list and the plan list show every
column of the guide without horizontal scrolling for the common case (realistic names, company
names and review notes), measured in the browser: the table's container does not scroll
sideways and every header cell lies inside it, none under the sticky action column."""

import datetime

import pytest

from candidates.tests.factories import RegistrationFactory
from plans.choices import AuditStatus, ExamType
from plans.tests.factories import ExamPlanFactory, plan_via_services

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MEASURE = """(selector) => {
  const table = document.querySelector(selector);
  const wrap = table.closest('.table-wrap');
  const box = wrap.getBoundingClientRect();
  const actions = table.querySelector('thead th:last-child').getBoundingClientRect();
  const hidden = [...table.querySelectorAll('thead th')].filter((th, i, all) => {
    const r = th.getBoundingClientRect();
    const covered = i < all.length - 1 && r.right > actions.left + 0.5;  // under the sticky 操作
    return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.width < 12 || covered;
  }).map((th) => th.textContent.trim());
  return {scrollWidth: wrap.scrollWidth, clientWidth: wrap.clientWidth, hidden: hidden,
          headers: [...table.querySelectorAll('thead th')].map((th) => th.textContent.replace(/[▲▼]/g, '').trim())};
}"""

COMPANIES = ["中国通信建设第三工程局有限公司", "北京市电信工程局有限公司", "广东省电信规划设计院有限公司",
             "中通服咨询设计研究院有限公司", "华信咨询设计研究院有限公司"]
NAMES = ["王建国", "李秀英", "欧阳志强", "刘海燕", "陈卫东", "杨丽华", "赵德明", "黄晓梅", "周国平", "吴春兰"]


def fits(page, selector):
    m = page.evaluate(MEASURE, selector)
    assert m["scrollWidth"] <= m["clientWidth"], m
    assert m["hidden"] == [], m
    return m["headers"]


@pytest.fixture
def screen(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


@pytest.mark.parametrize("who", ["admin_a", "central"])
def test_the_candidate_list_fits_1366(screen, world, who):
    plan = ExamPlanFactory(region=world.region_a, exam_type=ExamType.CONTINUING_ONLINE)
    for i, name in enumerate(NAMES):
        RegistrationFactory(plan=plan, person__name=name, company_name=COMPANIES[i % len(COMPANIES)],
                            personnel_type="ABC"[i % 3])
    login_session(screen, getattr(world, who))
    screen.goto(screen.base + f"/candidates/?plan={plan.pk}")
    headers = fits(screen, "[data-testid=candidate-table]")
    assert headers[1:] == ["考试批次", "考生编号", "姓名", "证件种类", "证件号码", "公司名称", "统一社会信用代码",
                           "考试类型", "人员类型/报考类型", "联系电话", "操作"]
    shot(screen, f"layout_candidates_1366_{who}")


@pytest.mark.parametrize("who", ["admin_a", "central"])
def test_the_plan_list_fits_1366(screen, world, who):
    now = datetime.datetime.now(datetime.UTC)
    for days, status, note in [(12, AuditStatus.PENDING, ""), (20, AuditStatus.APPROVED, "同意"),
                               (30, AuditStatus.REJECTED, "考试时间与当地其他考试冲突，请改到下午")]:
        plan_via_services(world.admin_a, days_ahead=days, status=status, reviewer=world.central, note=note, now=now)
    login_session(screen, getattr(world, who))
    screen.goto(screen.base + "/plans/")
    headers = fits(screen, "[data-testid=plan-table]")
    assert "申请时间" in headers and "申请人" in headers and headers[-1] == "操作"
    shot(screen, f"layout_plans_1366_{who}")
