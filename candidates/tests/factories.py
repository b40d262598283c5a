import factory

from candidates.choices import PersonnelType
from candidates.models import Registration
from people.tests.factories import PersonFactory
from plans.tests.factories import ExamPlanFactory


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration with 考生编号 = 批次编号 + 5-digit sequence, taken from the plan's counter."""

    class Meta:
        model = Registration

    person = factory.SubFactory(PersonFactory)
    plan = factory.SubFactory(ExamPlanFactory)
    personnel_type = PersonnelType.A
    phone = factory.Sequence(lambda n: f"139{n % 10**8:08d}")
    company_name = factory.Sequence(lambda n: f"测试通信工程有限公司{n % 50}")
    credit_code = "91110108551385082Q"
    region = factory.LazyAttribute(lambda o: o.plan.region)
    exam_type = factory.LazyAttribute(lambda o: o.plan.exam_type)
    exam_year = factory.LazyAttribute(lambda o: o.plan.exam_date.year)

    @factory.lazy_attribute
    def candidate_number(self):
        from plans.models import ExamPlan

        plan = self.plan
        plan.last_candidate_seq += 1
        ExamPlan.objects.filter(pk=plan.pk).update(last_candidate_seq=plan.last_candidate_seq)
        return f"{plan.batch_no}{plan.last_candidate_seq:05d}"
