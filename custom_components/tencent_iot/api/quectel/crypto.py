"""The login's password encryption and signature (the doc's rule, as live apps apply it).

The password travels AES-128-CBC encrypted (PKCS#5 padding, base64): the key is characters
8..24 of the upper-case MD5 hex of a 16-character random string, the IV the key's two halves
swapped. The signature is the SHA-256 hex of the account, the encrypted password, the random
string and the app's user domain secret.
"""

import base64
import hashlib
import secrets
import string
from typing import Final

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_RANDOM_ALPHABET: Final = string.digits + string.ascii_letters
RANDOM_LENGTH: Final = 16


def login_random() -> str:
    """A fresh 16-character random string of [0-9A-Za-z], as the login wants."""
    return "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(RANDOM_LENGTH))


def password_key(random: str) -> tuple[bytes, bytes]:
    """The AES key and IV for a random string."""
    # MD5 is the protocol's key derivation here, not a security choice of ours.
    digest = hashlib.md5(random.encode(), usedforsecurity=False).hexdigest().upper()
    key = digest[8:24]
    return key.encode(), (key[8:] + key[:8]).encode()


def encrypt_password(password: str, random: str) -> str:
    """The password as the login sends it: AES-128-CBC, PKCS#5, base64."""
    key, iv = password_key(random)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(password.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def login_signature(account: str, encrypted_password: str, random: str, secret: str) -> str:
    """SHA-256 hex of account + encrypted password + random + user domain secret."""
    text = f"{account}{encrypted_password}{random}{secret}"
    return hashlib.sha256(text.encode()).hexdigest()
