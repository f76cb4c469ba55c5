"""Which department should answer a letter."""
from typing import Optional

from ..models import Department, Letter


def suggest_department(letter: Letter) -> Optional[Department]:
    """For now the category's default department; learning from past routing comes later."""
    return letter.category.default_department
