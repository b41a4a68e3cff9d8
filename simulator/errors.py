"""Error codes the simulator answers with, and the exception that carries them.

Codes come from the API reference wherever it has one; the few it lacks (signature, AppKey,
timestamp, password, verification code) are chosen in the same style and listed in README.md.
"""

from typing import Final


class ApiError(Exception):
    """A logical API error: becomes `Response.Error` (or a non-zero `code` when wrapped)."""

    def __init__(self, code: str, message: str, *, access_token: bool = False) -> None:
        """Keep the code and message; `access_token` marks a problem with the AccessToken."""
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.access_token = access_token


# Common, from the reference's error tables.
MISSING_PARAM: Final = "ErrorRequiredParamNotFound"
INVALID_ACTION: Final = "InvalidAction"
INVALID_PARAM: Final = "InvalidParameterValue"
INVALID_JSON: Final = "InvalidParameterValue.InvalidJSON"
NO_PERMISSION: Final = "InvalidParameterValue.NoPermission"

# Access tokens (tokenapi): the doc's code, and the one Tencent's SDK re-logs in on (it matches
# "InvalidAccessToken" in the code), for unknown, revoked and expired tokens alike.
INVALID_ACCESS_TOKEN: Final = "InvalidParameterValue.InvalidAccessToken"

# Distribution-network (bind) tokens.
TOKEN_EXPIRED: Final = "InvalidParameterValue.TokenIsExpire"
TOKEN_NOT_EXIST: Final = "InvalidParameterValue.TokenNotExist"
TOKEN_NOT_BIND: Final = "InvalidParameterValue.TokenNotBind"
CANNOT_BIND_SAME_FAMILY: Final = "UnsupportedOperation.CannotBindSameFamily"

# Sharing.
APP_DEVICE_NOT_EXIST: Final = "InvalidParameterValue.AppDeviceNotExist"
CANNOT_BIND_OWN_DEVICE: Final = "InvalidParameterValue.CannotBindOwnDevice"

# Accounts.
USER_NOT_EXISTS: Final = "InvalidParameterValue.ErrorUserNotExists"
PASSWORD_MISMATCH: Final = "InvalidParameterValue.ErrorPasswordMismatch"  # not in the doc
CODE_MISMATCH: Final = "InvalidParameterValue.ErrorVerificationCodeMismatch"  # not in the doc
USER_EXISTS: Final = "InvalidParameterValue.ErrorUserExists"  # not in the doc

# Application credentials on appapi (none documented: Tencent Cloud's own common codes).
APP_NOT_EXISTS: Final = "ResourceNotFound.AppNotExists"
SIGNATURE_FAILURE: Final = "AuthFailure.SignatureFailure"
SIGNATURE_EXPIRE: Final = "AuthFailure.SignatureExpire"

# Resources.
RESOURCE_NOT_FOUND: Final = "ResourceNotFound"
DEVICE_NOT_EXIST: Final = "ResourceNotFound.DeviceNotExist"
FAMILY_NOT_EXIST: Final = "ResourceNotFound.StudioFamilyNotExist"
NO_PERMISSION_TO_FAMILY: Final = "UnauthorizedOperation.NoPermissionToFamily"
DEVICE_NOT_GATEWAY: Final = "UnsupportedOperation.DeviceNotGateway"
DEVICE_OFFLINE: Final = "FailedOperation.DeviceOffline"
SCENE_RUNNING: Final = "UnsupportedOperation.SceneRunInProgress"

# Firmware.
DEVICE_HAS_NO_FIRMWARE: Final = "ResourceNotFound.DeviceHasNoFirmware"
FIRMWARE_TASK_NOT_EXIST: Final = "ResourceNotFound.DeviceFirmwareTaskNotExist"


def wrapped_code(error: ApiError) -> int:
    """Return the numeric `code` of the live wrapper for an error.

    Live clients see -1000 for every access-token problem (not for the bind token, whose
    expiry shares the code string); anything else is only known to be non-zero, so it gets -1.
    """
    return -1000 if error.access_token else -1
