"""Planted secrets of many kinds never leave the archive: not into the ledger, the index,
the proposal, the report, the accepted target or what the CLI prints (contract 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]

SECRETS = {
    "anthropic": "sk-ant-api03-" + "Rk7bQ2xW9mZ4pL8vN3cT6yH1dF5gJ0sA" * 3,
    "openai": "sk-proj-" + "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc",
    "github": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "aws": "AKIA" + "Z7Q3M9X2K5R8T1W4",
    "slack": "xoxb-" + "2745937591-7361937391-Hq8Wd3Lk2Zp9Xc4Vb7Nm1Qa",
    "stripe": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc8Xq2",
    "google": "AIza" + "SyD-9tSrke72PouQMnMX7a7eZSW0jkFMBWY",
    "huggingface": "hf_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwicm9sZSI6ImFkbWluIn0.5mhBHqs5_DTLdINd9p5m7ZJ6XD0Xc55kIaCRY5r6HRA",
    "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
    "url_password": "postgres://ledger:Tr0ub4dor-and-3@db.internal:5432/books",
    "assignment": 'DB_PASSWORD="v9#Kq2!mZx7-Lp4"',
    "npm": "npm_" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2",
    "gitlab": "glpat-" + "Xq8Wv7Ut6Sr5Qp4On3Ml",
    "sendgrid": "SG."
    + "abcdefghijklmnopqrstuv"
    + "."
    + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "env_letters": "POSTGRES_PASSWORD=" + "correcthorsebatterystaple",
    "webhook": "https://hooks.slack.com/services/T01ABCDEF/B01ABCDEF/" + "Zq8Wv7Ut6Sr5Qp4On3MlKj2H",
    "sudo_stdin": 'echo "Wren-Tally-' + '77x" | sudo -S cp app.conf /etc/app/',
    "grouped_app_password": "Email__Gmail__Pass=" + "kqzv plmw rtxb nqsd",
    "user_secrets": 'dotnet user-secrets set "Smtp:Pass" "' + 'Wq7-Lomb-Tarn-42"',
    "sshpass": "sshpass -p '" + "Qx7Vorn-Lake91' ssh root@10.0.0.5 hostname",
    "said_password": "user root pass " + "Zt4mWq9rLp2xVb",
}
# The part of each secret that must never be seen (the assignment keeps its harmless name).
NEEDLES = {k: v.split("\n")[1] if k == "private_key" else v for k, v in SECRETS.items()}
NEEDLES["url_password"] = "Tr0ub4dor-and-3"
NEEDLES["assignment"] = "v9#Kq2!mZx7-Lp4"
NEEDLES["gitlab"] = "Xq8Wv7Ut6Sr5Qp4On3Ml"
NEEDLES["sendgrid"] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
NEEDLES["env_letters"] = "correcthorsebatterystaple"
NEEDLES["webhook"] = "Zq8Wv7Ut6Sr5Qp4On3MlKj2H"
NEEDLES["sudo_stdin"] = "Wren-Tally-77x"
NEEDLES["grouped_app_password"] = "rtxb nqsd"  # any group after the first is a leak too
NEEDLES["user_secrets"] = "Wq7-Lomb-Tarn-42"
NEEDLES["sshpass"] = "Qx7Vorn-Lake91"
NEEDLES["said_password"] = "Zt4mWq9rLp2xVb"


def transcript(path: Path) -> None:
    lines = []
    base = {"sessionId": "leaky-session", "cwd": "/home/dev/src/leaky", "isSidechain": False}

    def add(record: dict) -> None:  # type: ignore[type-arg]
        lines.append(
            json.dumps(
                {
                    **base,
                    "uuid": f"u{len(lines)}",
                    "timestamp": f"2026-11-20T10:{len(lines):02d}:00Z",
                    **record,
                }
            )
        )

    for n, (kind, secret) in enumerate(SECRETS.items()):
        tool_id = f"toolu_{n}"
        add(
            {
                "type": "assistant",
                "message": {
                    "content": [
                        {
                            "type": "tool_use",
                            "id": tool_id,
                            "name": "Bash",
                            "input": {"command": f"deploy --check {kind}"},
                        }
                    ]
                },
            }
        )
        add(
            {
                "type": "user",
                "message": {
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": tool_id,
                            "is_error": True,
                            "content": f"Exit code 1\nerror: rejected credential {secret} for {kind}",
                        }
                    ]
                },
            }
        )
        add(
            {
                "type": "assistant",
                "message": {
                    "content": [
                        {
                            "type": "text",
                            "text": f"Turns out the {kind} credential {secret} was revoked, so deploys fail.",
                        }
                    ]
                },
            }
        )
        add(
            {
                "type": "user",
                "message": {
                    "role": "user",
                    "content": f"Always rotate the {kind} secret {secret} before deploying.",
                },
            }
        )
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n")


def test_no_planted_secret_gets_out(tmp_path: Path) -> None:
    source = tmp_path / "runs"
    transcript(source / "proj" / "leaky.jsonl")
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    data = tmp_path / "data"
    runner = CliRunner()
    args = ["--data-dir", str(data)]
    outputs = []
    for command in (
        ["distill", "--archive", str(source), "--target", str(target), "--all-projects"],
        ["review"],
        ["accept"],
        ["sources"],
    ):
        result = runner.invoke(app, [*command, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)

    written = target.read_text()
    assert written.count("[REDACTED:") >= 10, "the lessons were found, with secrets redacted"
    haystacks = {"cli output": "\n".join(outputs).encode(), "target": written.encode()}
    for path in data.rglob("*"):
        if path.is_file() and path.relative_to(data).parts[0] != "archive":
            haystacks[str(path.relative_to(data))] = path.read_bytes()
    assert any("index" in name for name in haystacks) and any(".sqlite" in n for n in haystacks)
    for kind, needle in NEEDLES.items():
        for name, data_bytes in haystacks.items():
            assert needle.encode() not in data_bytes, f"{kind} secret leaked into {name}"
    # the raw bytes are kept in the archive, untouched
    archived = next((data / "archive").rglob("leaky.jsonl")).read_text()
    assert SECRETS["anthropic"] in archived
