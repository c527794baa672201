from storefront.upstream.client import CryptorefillsClient


def test_healthz_answers_ok_without_an_upstream_call(client, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("healthz called the upstream")

    monkeypatch.setattr(CryptorefillsClient, "_send", fail)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]
