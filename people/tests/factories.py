import datetime

import factory
from stdnum.cn import ric

from people.models import IdType, Person


def make_resident_id(seq: int, *, area: str = "110105", birth: datetime.date = datetime.date(1985, 6, 1)) -> str:
    """A valid 18-digit GB 11643 number, different for each seq (up to 999 per birth date)."""
    birth = birth + datetime.timedelta(days=seq // 999)
    body = f"{area}{birth:%Y%m%d}{seq % 999 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


def resident_id_type() -> IdType:
    return IdType.objects.get(code=1)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    id_type = factory.LazyFunction(resident_id_type)
    id_number = factory.Sequence(make_resident_id)
    name = factory.Sequence(lambda n: f"考生{n:04d}")
