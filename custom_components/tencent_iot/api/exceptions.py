"""Exceptions raised by the Tencent IoT Explorer client, and the mapping from cloud error codes."""

import re
from typing import Final


class TencentIoTError(Exception):
    """Base class of every error raised by this package."""


class TencentIoTConnectionError(TencentIoTError):
    """The cloud could not be reached, or answered with an HTTP 5xx."""


class TencentIoTTimeoutError(TencentIoTConnectionError):
    """A request or a WebSocket reply took longer than allowed."""


class TencentIoTResponseError(TencentIoTConnectionError):
    """The cloud answered with a body that is not the expected JSON envelope."""


class TencentIoTRejectedError(TencentIoTError):
    """The cloud answered a request with an error code: the request's own, or the login's."""

    def __init__(
        self,
        code: str,
        message: str,
        request_id: str | None = None,
        *,
        action: str | None = None,
    ) -> None:
        """Keep the cloud's code and message; the text names the action too."""
        prefix = f"{action}: " if action else ""
        super().__init__(f"{prefix}{code}: {message}" if message else f"{prefix}{code}")
        self.code = code
        self.message = message
        self.request_id = request_id
        self.action = action


class TencentIoTCloudError(TencentIoTRejectedError):
    """The cloud rejected a request for what it asked, not for who asked."""


class TencentIoTDeviceGoneError(TencentIoTCloudError):
    """The device is not (or no longer) the family's: unbound, or no longer shared."""


class TencentIoTSceneRunningError(TencentIoTCloudError):
    """The scene's previous run is still going."""


class TencentIoTRateLimitError(TencentIoTCloudError):
    """The cloud refused a request because too many were sent: every request should wait.

    `retry_after` is the wait in seconds the cloud asked for, when it named one.
    """

    def __init__(
        self,
        code: str,
        message: str,
        request_id: str | None = None,
        *,
        action: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Keep the wait the cloud asked for beside its code and message."""
        super().__init__(code, message, request_id, action=action)
        self.retry_after = retry_after


class TencentIoTAuthError(TencentIoTRejectedError):
    """Authentication failed: token, account credentials or application keys."""


class TencentIoTTokenError(TencentIoTAuthError):
    """The access token is missing, invalid or expired."""


class TencentIoTInvalidCredentials(TencentIoTAuthError):  # noqa: N818 (public name)
    """The account, password or verification code was rejected."""


class TencentIoTInvalidApp(TencentIoTAuthError):  # noqa: N818 (public name)
    """The AppKey is unknown or the request signature was rejected."""


class TencentIoTKugouError(TencentIoTCloudError):
    """A Kugou music command answered with a non-zero ErrorCode."""


class TencentIoTNotSupportedError(TencentIoTCloudError):
    """The device's cloud has no such capability (a Quectel app has no Kugou music, say).

    Raised by an adapter before anything is sent; `capability` names what was asked for.
    """

    def __init__(self, capability: str, message: str = "") -> None:
        """Name the capability; the code is always "NotSupported"."""
        super().__init__("NotSupported", message or f"{capability} is not supported by this cloud")
        self.capability = capability


class TencentIoTWrongPasswordError(TencentIoTInvalidCredentials):
    """The password was rejected; `attempts_left` is how many tries remain, when the cloud says."""

    def __init__(
        self,
        code: str,
        message: str,
        request_id: str | None = None,
        *,
        action: str | None = None,
        attempts_left: int | None = None,
    ) -> None:
        """Keep the number of attempts left beside the cloud's code and message."""
        super().__init__(code, message, request_id, action=action)
        self.attempts_left = attempts_left


class TencentIoTAccountLockedError(TencentIoTRejectedError):
    """The account is locked for a while (too many wrong passwords, a suspicious network).

    `retry_after` is the wait in seconds the cloud named, when it named one. Not an auth
    error: the same password works once the lock is lifted, so nobody should be asked again.
    """

    def __init__(
        self,
        code: str,
        message: str,
        request_id: str | None = None,
        *,
        action: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Keep the wait beside the cloud's code and message."""
        super().__init__(code, message, request_id, action=action)
        self.retry_after = retry_after


# Tencent's app SDK logs in again when a code contains one of these (errorHelper.js).
_SDK_TOKEN_MARKERS: Final = ("InvalidAccessToken", "VERIFY_LOGIN_FAIL")
# Error codes are otherwise matched on their last dotted segment ("reason"), because the
# doc and live services spell the namespace differently for the same reason.
# The doc's access-token codes beside InvalidAccessToken (both spellings of the expiry occur).
_DOC_TOKEN_REASONS: Final = frozenset({"TokenNotExist", "TokenIsExpire", "TokenIsExpired"})
# The wrapped envelope's code for a rejected token (protocol.md, section 3).
WRAPPED_LOGIN_EXPIRED: Final = "-1000"
# In the bind-token actions "TokenNotExist"/"TokenIsExpire" describe the Wi-Fi configuration
# token, so there only the SDK's markers and the wrapped code name the access token.
BIND_TOKEN_ACTIONS: Final = frozenset({"AppGetDeviceBindTokenState", "AppTokenBindDeviceFamily"})

# AppGetToken's own error table is not in the doc; these are the reasons public
# clients and the Tencent Cloud SDKs report for rejected logins.
_CREDENTIAL_REASONS: Final = frozenset(
    {
        "UserLoginFailed",
        "ErrorUserNotExists",
        "ErrorPasswordMismatch",  # the local simulator's (simulator/errors.py)
        "ErrorVerificationCodeMismatch",  # the local simulator's
        "UserNotExists",
        "UserNotExist",
        "AccountNotExist",
        "PasswordIncorrect",
        "PasswordInvalid",
        "PasswordError",
        "InvalidPassword",
        "InvalidUserPassword",
        "IotApplicationInvalidUserPassword",
        "VerificationCodeInvalid",
        "VerificationCodeError",
        "VerificationCodeExpired",
        "VerificationCodeIncorrect",
        "InvalidVerificationCode",
        "VerifyCodeInvalid",
        "VerifyCodeError",
        "VerifyCodeExpired",
        "PhoneNumberInvalid",
        "EmailInvalid",
    }
)
_APP_REASONS: Final = frozenset(
    {
        "AppKeyNotExist",
        "AppKeyNotExists",
        "AppKeyInvalid",
        "InvalidAppKey",
        "AppNotExist",
        "AppNotExists",
        "IotApplicationNotExists",
        "InvalidSignature",
        "SignatureInvalid",
        "SignatureError",
        "SignatureFailure",
        "SignatureExpire",
        "SignatureExpired",
        "InvalidTimestamp",
        "TimestampInvalid",
        "TimestampExpired",
        "InvalidNonce",
        "NonceInvalid",
    }
)
# Device actions' reasons for a device that left the family or is no longer shared.
_DEVICE_GONE_REASONS: Final = frozenset({"DeviceNotExist", "NoPermission"})
# AppRunScene's reasons while the scene's previous run is still going.
_SCENE_RUNNING_REASONS: Final = frozenset({"SceneRunInProgress", "SceneIsRunning", "SceneRunning"})
# Tencent Cloud's common code for too many requests, alone or with a detail after it
# (RequestLimitExceeded.UinLimitExceeded, RequestLimitExceeded.IPLimitExceeded...).
_RATE_LIMIT_SEGMENT: Final = "RequestLimitExceeded"
# Live services sometimes put the precise code in front of the message:
# {"Code": "InternalError", "Message": "InvalidParameterValue.UserLoginFailed|..."}.
_EMBEDDED_CODE: Final = re.compile(r"^\s*([A-Za-z]+(?:\.[A-Za-z]+)+)\s*\|")


def _reason(code: str) -> str:
    return code.rsplit(".", 1)[-1]


def _reasons(code: str, message: str) -> set[str]:
    reasons = {_reason(code)}
    if embedded := _EMBEDDED_CODE.match(message):
        reasons.add(_reason(embedded.group(1)))
    return reasons


def _is_rate_limited(code: str, message: str) -> bool:
    codes = [code]
    if embedded := _EMBEDDED_CODE.match(message):
        codes.append(embedded.group(1))
    return any(_RATE_LIMIT_SEGMENT in text.split(".") for text in codes)


def is_token_error(code: str, message: str = "", *, action: str | None = None) -> bool:
    """Tell whether a tokenapi error code means the access token is unusable."""
    reasons = _reasons(code, message)
    if WRAPPED_LOGIN_EXPIRED in reasons or any(
        marker in text for text in (code, *reasons) for marker in _SDK_TOKEN_MARKERS
    ):
        return True
    return action not in BIND_TOKEN_ACTIONS and not reasons.isdisjoint(_DOC_TOKEN_REASONS)


def cloud_error(
    code: str,
    message: str,
    request_id: str | None = None,
    *,
    action: str,
    signed: bool,
) -> TencentIoTRejectedError:
    """Build the most specific exception for a cloud error code.

    `signed` tells an appapi call (AppKey/signature, login) from a tokenapi call. A refusal
    for too many requests is that first, whichever call it answers.
    """
    if _is_rate_limited(code, message):
        return TencentIoTRateLimitError(code, message, request_id, action=action)
    return _rejection(code, message, request_id, action=action, signed=signed)


def _rejection(
    code: str, message: str, request_id: str | None, *, action: str, signed: bool
) -> TencentIoTRejectedError:
    reasons = _reasons(code, message)
    if signed:
        if not reasons.isdisjoint(_APP_REASONS) or code.startswith("AuthFailure"):
            return TencentIoTInvalidApp(code, message, request_id, action=action)
        if not reasons.isdisjoint(_CREDENTIAL_REASONS):
            return TencentIoTInvalidCredentials(code, message, request_id, action=action)
    elif is_token_error(code, message, action=action):
        return TencentIoTTokenError(code, message, request_id, action=action)
    if _reason(code) in _DEVICE_GONE_REASONS:
        return TencentIoTDeviceGoneError(code, message, request_id, action=action)
    if _reason(code) in _SCENE_RUNNING_REASONS:
        return TencentIoTSceneRunningError(code, message, request_id, action=action)
    return TencentIoTCloudError(code, message, request_id, action=action)
