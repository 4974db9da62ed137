import pytest

from intake.runner import Intake


@pytest.fixture
def intake(system):
    i = Intake(system, workers=2)
    yield i
    i.close()


