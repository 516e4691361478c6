"""A small client of Superset's REST API: logs in (JWT), sends the CSRF token with a Referer as Superset
requires for writes, lists resources page by page, and fails with Superset's own message."""

from __future__ import annotations

from typing import Any

import requests


class SupersetError(RuntimeError):
    """Superset answered a request with an error."""


class Superset:
    """A logged-in session on one Superset server."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        login = self.session.post(
            f"{self.base_url}/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": True},
            timeout=timeout,
        )
        self._check(login, "log in")
        self.session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        csrf = self.session.get(f"{self.base_url}/api/v1/security/csrf_token/", timeout=timeout)
        self._check(csrf, "get a CSRF token")
        self.session.headers["X-CSRFToken"] = csrf.json()["result"]
        self.session.headers["Referer"] = self.base_url

    @staticmethod
    def _check(response: requests.Response, what: str) -> None:
        if response.status_code >= 400:
            raise SupersetError(
                f"Superset could not {what}: HTTP {response.status_code} {response.text[:2000]}"
            )

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call; returns the decoded JSON body."""
        response = self.session.request(method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs)
        self._check(response, f"{method} {path}")
        return response.json() if response.content else None

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET a path of the API."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST a JSON body."""
        return self.request("POST", path, json=body)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        """PUT a JSON body."""
        return self.request("PUT", path, json=body)

    def list_all(self, resource: str, columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Every row of a resource's list endpoint (dataset, chart, dashboard, database), all pages."""
        rows: list[dict[str, Any]] = []
        page = 0
        select = f",columns:!({','.join(columns)})" if columns else ""
        while True:
            body = self.get(f"/api/v1/{resource}/", params={"q": f"(page:{page},page_size:100{select})"})
            rows += body["result"]
            if len(rows) >= body["count"] or not body["result"]:
                return rows
            page += 1
