"""Runs the unmodified `descope` PyPI SDK against a parse-compat server.

Env: DESCOPE_BASE_URL, DESCOPE_PROJECT_ID, PARSE_URL (…/parse), PARSE_APP_ID.
Exits non-zero on the first failure.
"""

import json
import os
import sys
import traceback
import urllib.error
import urllib.request
import uuid

from descope import AuthException, DescopeClient

BASE_URL = os.environ["DESCOPE_BASE_URL"]
PROJECT_ID = os.environ["DESCOPE_PROJECT_ID"]
PARSE_URL = os.environ["PARSE_URL"]
APP_ID = os.environ["PARSE_APP_ID"]


def step(name, fn):
    try:
        out = fn()
    except Exception:  # noqa: BLE001 - report any failure and stop
        print(f"FAIL {name}")
        traceback.print_exc()
        sys.exit(1)
    print(f"ok   {name}")
    return out


def parse_rest(method, path, body=None, session_token=None):
    headers = {"X-Parse-Application-Id": APP_ID, "Content-Type": "application/json"}
    if session_token:
        headers["X-Parse-Session-Token"] = session_token
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(PARSE_URL + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def expect_auth_failure(fn, status=401, code=None):
    try:
        fn()
    except AuthException as err:
        assert err.status_code == status, err
        if code is not None:
            assert code in str(err.error_message), err
        return
    raise AssertionError("the call succeeded")


def main():
    client = DescopeClient(project_id=PROJECT_ID, base_url=BASE_URL)
    login_id = f"py-{uuid.uuid4()}"
    email = f"{login_id}@example.com"
    password = "Secr3t!pass"

    def sign_up():
        res = client.password.sign_up(login_id, password, {"email": email})
        assert res["sessionToken"]["jwt"] and res["refreshSessionToken"]["jwt"]
        assert res["user"]["loginIds"] == [login_id]
        assert res["firstSeen"] is True
        assert res["projectId"] == PROJECT_ID
        return res

    up = step("password.sign_up creates the user and a session", sign_up)
    user_id = up["user"]["userId"]
    up_rt = up["refreshSessionToken"]["jwt"]

    def sign_in():
        res = client.password.sign_in(login_id, password)
        assert res["refreshSessionToken"]["jwt"] != up_rt
        assert res["userId"] == user_id
        return res

    signed = step("password.sign_in returns a different refresh token", sign_in)
    rt = signed["refreshSessionToken"]["jwt"]

    step(
        "password.sign_in with a wrong password raises",
        lambda: expect_auth_failure(lambda: client.password.sign_in(login_id, "wrong")),
    )

    def validate():
        claims = client.validate_session(signed["sessionToken"]["jwt"])
        assert claims["sessionToken"]["sub"] == user_id
        assert claims["sessionToken"]["drn"] == "DS"

    step("validate_session checks the session JWT against the JWKS", validate)

    def refresh():
        res = client.refresh_session(rt)
        assert res["sessionToken"]["sub"] == user_id
        again = client.validate_session(res["sessionToken"]["jwt"])
        assert again["sessionToken"]["sub"] == user_id

    step("refresh_session mints a new valid session JWT", refresh)

    def me():
        res = client.me(rt)
        assert res["userId"] == user_id
        assert res["loginIds"] == [login_id]
        assert res["email"] == email

    step("me returns the user", me)

    def logout():
        res = client.logout(rt)
        assert res.status_code == 200
        body = res.json()
        assert body["sessionJwt"] == "" and body["refreshJwt"] == ""
        set_cookies = res.headers.get_list("set-cookie")
        assert any(c.startswith("DSR=;") and "Max-Age=0" in c for c in set_cookies), set_cookies
        assert any(c.startswith("DS=;") and "Max-Age=0" in c for c in set_cookies), set_cookies
        expect_auth_failure(lambda: client.refresh_session(rt), code="E064001")
        expect_auth_failure(lambda: client.me(rt), code="E064001")
        expect_auth_failure(lambda: client.logout(rt), code="E064001")
        # The sign-up session is untouched.
        assert client.refresh_session(up_rt)["sessionToken"]["sub"] == user_id

    step("logout ends that session only (then refresh fails)", logout)

    def parse_login():
        status, body = parse_rest("POST", "/login", {"username": login_id, "password": password})
        assert status == 200, body
        assert body["objectId"] == user_id
        status, me_body = parse_rest("GET", "/users/me", session_token=body["sessionToken"])
        assert status == 200, me_body
        return body["sessionToken"]

    parse_token = step("Parse REST login of the same user works", parse_login)

    def logout_all():
        other = client.password.sign_in(login_id, password)["refreshSessionToken"]["jwt"]
        res = client.logout_all(other)
        assert res.status_code == 200
        assert res.json()["refreshJwt"] == ""
        expect_auth_failure(lambda: client.refresh_session(other), code="E064001")
        expect_auth_failure(lambda: client.refresh_session(up_rt), code="E064001")
        status, body = parse_rest("GET", "/users/me", session_token=parse_token)
        assert status == 400 and body["code"] == 209, (status, body)

    step("logout_all ends every session of the user, Parse sessions included", logout_all)

    def other_project():
        stranger = DescopeClient(project_id="P2another", base_url=BASE_URL)
        fresh = client.password.sign_in(login_id, password)["refreshSessionToken"]["jwt"]
        # The SDK fetches P2another's keys (refused), so it cannot even verify the token.
        expect_auth_failure(lambda: stranger.me(fresh))

    step("a refresh token is refused under another project id", other_project)
    print("descope-python: all passed")


if __name__ == "__main__":
    main()
