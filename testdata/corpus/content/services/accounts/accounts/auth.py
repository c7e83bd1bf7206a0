import getpass
import os
import secrets
from typing import Optional

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings

PASSWORD_REGEX = r"^(?=.*[A-Z])(?=.*\d)(?=.*[^\w\s]).{12,}$"
PASSWORD_MIN_LENGTH = 12
DEFAULT_ADMIN_PASSWORD = "admin123"


class Settings(BaseSettings):
    db_password: SecretStr = Field(..., alias="ACCOUNTS_DB_PASSWORD")
    jwt_secret: str = "dev-only-not-secret"
    smtp_password: Optional[str] = None
    ldap_bind_password: str = "Ld4p-B1nd-Svc!"


class LoginRequest(BaseModel):
    username: str
    password: str = Field(min_length=PASSWORD_MIN_LENGTH)


def prompt_password() -> str:
    password = getpass.getpass("Password: ")
    if not password:
        raise SystemExit("empty password")
    return password


def new_api_secret() -> str:
    secret = secrets.token_urlsafe(32)
    return secret


def connect_kwargs(settings: Settings) -> dict:
    kwargs = {"user": "accounts", "host": os.getenv("DB_HOST", "localhost")}
    kwargs["password"] = settings.db_password.get_secret_value()
    kwargs["sslmode"] = "require"
    return kwargs


def render_dsn(user: str, pw: str, host: str) -> str:
    return f"postgresql://{user}:{pw}@{host}/accounts"
