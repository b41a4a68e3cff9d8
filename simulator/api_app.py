"""appapi actions: logging in (signature, AppKey and Timestamp are checked before these run).

The reference documents only the WeChat login under appapi; phone/email login follows the shape
public clients use: `AppGetToken` with `Type` phone|email returning `Data {Token, ExpireAt}`.
"""

import logging
import uuid

from simulator import errors
from simulator.calls import AppCall, AppHandler, Result
from simulator.errors import ApiError
from simulator.model import User

_LOGGER = logging.getLogger(__name__)


def _account(call: AppCall, kind: str) -> str:
    """Return the account key named by CountryCode+PhoneNumber or Email."""
    params = call.params
    if kind == "phone":
        return call.state.account_key(
            "phone", params.text("CountryCode"), params.text("PhoneNumber")
        )
    if kind == "email":
        return call.state.account_key("email", "", params.text("Email"))
    raise ApiError(errors.INVALID_PARAM, "Type must be phone or email")


def _user(call: AppCall, key: str) -> User:
    user = call.state.find_user(key)
    if user is None:
        raise ApiError(errors.USER_NOT_EXISTS, "account does not exist")
    return user


async def get_token(call: AppCall) -> Result:
    """AppGetToken: password or verification-code login."""
    key = _account(call, call.params.text("Type"))
    user = _user(call, key)
    password = call.params.text("Password", required=False)
    code = call.params.text("VerificationCode", required=False)
    if password:
        if password != user.password:
            raise ApiError(errors.PASSWORD_MISMATCH, "Incorrect password")
    elif code:
        if call.state.codes.get(key) != code:
            raise ApiError(errors.CODE_MISMATCH, "Incorrect or expired verification code")
        del call.state.codes[key]  # a code logs in once
    else:
        raise ApiError(errors.MISSING_PARAM, "Missing required parameter Password")
    session = call.state.open_session(user)
    return {"Data": {"Token": session.token, "ExpireAt": session.expire_at}}


async def get_token_by_weixin(call: AppCall) -> Result:
    """AppGetTokenByWeiXin: log in with a WeChat id, registering it the first time."""
    open_id = call.params.text("WxOpenID")
    user = next((u for u in call.state.users.values() if u.wx_open_id == open_id), None)
    if user is None:
        nickname = call.params.text("NickName", "Nickname", required=False)
        user = User(uuid.uuid4().hex[:12], nickname or "WeChat user", "", wx_open_id=open_id)
        user.avatar = call.params.text("Avatar", required=False)
        call.state.users[user.user_id] = user
    session = call.state.open_session(user)
    return {"Data": {"ExpireAt": session.expire_at, "Token": session.token}}


def _send_code(call: AppCall, key: str) -> Result:
    purpose = call.params.text("Type")
    exists = call.state.find_user(key) is not None
    if purpose == "register" and exists:
        raise ApiError(errors.USER_EXISTS, "account already exists")
    if purpose != "register" and not exists:
        raise ApiError(errors.USER_NOT_EXISTS, "account does not exist")
    code = call.state.verification_code
    call.state.codes[key] = code
    call.state.last_code = code
    _LOGGER.info("Verification code for %s (%s): %s", key, purpose, code)
    return {}


async def send_verification_code(call: AppCall) -> Result:
    """AppSendVerificationCode: an SMS code (the simulator's is fixed and logged)."""
    return _send_code(call, _account(call, "phone"))


async def send_email_verification_code(call: AppCall) -> Result:
    """AppSendEmailVerificationCode: an email code (fixed and logged)."""
    return _send_code(call, _account(call, "email"))


HANDLERS: dict[str, AppHandler] = {
    "AppGetToken": get_token,
    "AppGetTokenByWeiXin": get_token_by_weixin,
    "AppSendVerificationCode": send_verification_code,
    "AppSendEmailVerificationCode": send_email_verification_code,
}
