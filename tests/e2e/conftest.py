import pytest


@pytest.fixture
def screenshot(page, tmp_path):
    """Save a full-page screenshot under the test's temporary folder; return its path."""

    def take(name: str):
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
