"""Quectel's error codes, turned into the package's typed errors."""

from typing import Final

from custom_components.tencent_iot.api.exceptions import (
    TencentIoTAccountLockedError,
    TencentIoTCloudError,
    TencentIoTDeviceGoneError,
    TencentIoTInvalidApp,
    TencentIoTInvalidCredentials,
    TencentIoTRateLimitError,
    TencentIoTRejectedError,
    TencentIoTTokenError,
    TencentIoTWrongPasswordError,
)

SUCCESS: Final = 200
# The doc's examples answer 0; live services answer 200 (quectel.md, section 3).
_DOC_SUCCESS: Final = 0

TOKEN_CODES: Final = frozenset({5032, 5106})
RATE_LIMITED: Final = 4026
FAMILY_MODE_OFF: Final = 5635
# Login: the user domain is unknown, disabled or malformed, or the signature (the secret) is wrong.
_APP_CODES: Final = frozenset({5013, 5015, 5023, 5104, 5420, 5550})
# Login: the account is unknown, or the password or code is missing, malformed or wrong.
_CREDENTIAL_CODES: Final = frozenset(
    {5003, 5004, 5019, 5021, 5022, 5026, 5029, 5031, 5037, 5040, 5056}
)
# "Wrong phone number or password, N more attempts" (5579..5582), the same for email (5583..5586).
_ATTEMPTS_LEFT: Final = {
    **{5578 + left: left for left in range(1, 5)},
    **{5582 + left: left for left in range(1, 5)},
}
# Locked for 20 minutes (too many wrong passwords), or for 24 hours (a suspicious network).
_LOCKED_FOR: Final = {5147: 20 * 60.0, 5325: 24 * 3600.0}
# The device is unknown, no longer bound to the user, or no longer shared with them.
DEVICE_GONE_CODES: Final = frozenset({404, 4004, 4007, 5041, 5052})


def is_success(code: int | None) -> bool:
    """Whether an envelope's code means success (200 live, 0 in the doc's examples)."""
    return code in (SUCCESS, _DOC_SUCCESS)


# The error of each code whose meaning does not depend on the call.
_ERRORS: Final[dict[int, type[TencentIoTRejectedError]]] = {
    **dict.fromkeys(TOKEN_CODES, TencentIoTTokenError),
    **dict.fromkeys(_APP_CODES, TencentIoTInvalidApp),
    **dict.fromkeys(_CREDENTIAL_CODES, TencentIoTInvalidCredentials),
}


def quectel_error(
    code: int | None, message: str, *, action: str, device_call: bool = False
) -> TencentIoTRejectedError:
    """The most specific error for a Quectel error code.

    `device_call` says the request named one device, so that "no permission" means the device
    left the user rather than that the user may not list families.
    """
    text = "unknown" if code is None else str(code)
    if code is None:
        return TencentIoTCloudError(text, message, action=action)
    if code == RATE_LIMITED:
        return TencentIoTRateLimitError(text, message, action=action)
    if code == 5028 or code in _ATTEMPTS_LEFT:
        return TencentIoTWrongPasswordError(
            text, message, action=action, attempts_left=_ATTEMPTS_LEFT.get(code)
        )
    if code in _LOCKED_FOR:
        return TencentIoTAccountLockedError(
            text, message, action=action, retry_after=_LOCKED_FOR[code]
        )
    if device_call and code in DEVICE_GONE_CODES:
        return TencentIoTDeviceGoneError(text, message, action=action)
    return _ERRORS.get(code, TencentIoTCloudError)(text, message, action=action)
