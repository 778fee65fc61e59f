"""The binary as the container image lays it out (run by scripts/check-packaging.py against the static release
build, and in the ordinary suite against the debug build): its panel is found next to it, and `berqenas health`
is the image's HEALTHCHECK."""
import urllib.request

from conftest import free_port


def test_the_panel_ships_next_to_the_binary(hub):
    with urllib.request.urlopen(hub.url + "/") as response:
        page = response.read().decode()
        assert response.status == 200 and "<html" in page.lower()
    assert "/assets/" in page


def test_health_says_ready_or_why_not(hub, cli):
    ready = cli("health", "--url", hub.url)
    assert ready.returncode == 0 and '"ready"' in ready.stdout
    live = cli("health", "--live", "--url", hub.url + "/")
    assert live.returncode == 0 and '"ok"' in live.stdout
    nobody = cli("health", "--url", f"http://127.0.0.1:{free_port()}", check=False)
    assert nobody.returncode != 0 and "cannot reach" in nobody.stderr
