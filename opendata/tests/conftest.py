import pytest

from findings.tests.world import build_world


@pytest.fixture
def world(municipality):
    """The findings app's test world: three parks, two under a green-spaces contract with two
    obligations, guardians and directorate staff."""
    return build_world(municipality)
