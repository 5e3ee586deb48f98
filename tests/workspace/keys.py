"""Service-account key files as Google's console writes them, made here with a fresh RSA key pair."""
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def key_file(email="crm-sync@crm-project.iam.gserviceaccount.com", key_id="0123456789abcdef0123456789abcdef01234567",
             client_id="104857600000000000001", private_key=None) -> dict:
    private_key = private_key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    return {
        "type": "service_account", "project_id": "crm-project", "private_key_id": key_id, "private_key": pem,
        "client_email": email, "client_id": client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }


def key_bytes(**kwargs) -> bytes:
    return json.dumps(key_file(**kwargs), indent=2).encode()
