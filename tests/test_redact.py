from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill import redact as redact_module
from metis_distill import secret_memory
from metis_distill.redact import redact

SECRETS = [
    (
        "anthropic_key",
        "ANTHROPIC_API_KEY=sk-ant-api03-"
        + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hJ7kL9m-Q",
    ),
    ("openai_key", "key: sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90"),
    ("github_token", "token ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"),
    ("aws_access_key", "aws AKIA" + "IOSFODNN7EXAMPLE" + " here"),
    (
        "jwt",
        "Authorization eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    ("url_password", "postgres://admin:hunter2secret@db.internal:5432/app"),
    ("assigned_secret", 'DB_PASSWORD="c0rrect-h0rse-battery"'),
    (
        "private_key",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    ),
]


@pytest.mark.parametrize(("kind", "text"), SECRETS, ids=[k for k, _ in SECRETS])
def test_secret_is_replaced(kind: str, text: str) -> None:
    out = redact(text)
    assert f"[REDACTED:{kind}]" in out or "[REDACTED:" in out
    for token in (
        "hunter2secret",
        "IOSFODNN7EXAMPLE",
        "c0rrect-h0rse",
        "MIIEpAIBAAKCAQEA",
        "aB3dE5fG7hJ9",
        "Ab12Cd34Ef56",
        "A1b2C3d4E5f6",
        "dozjgNryP4J3",
    ):
        assert token not in out


@pytest.mark.parametrize(
    "text",
    [
        "password=your-app-password",
        "API_KEY=<your key here>",
        "run `uv run pytest -q` and check 12 passed",
        "token = ${GITHUB_TOKEN}",
        'echo "hello" | grep h',
        "sudo ls -S /tmp",
        'echo "Y" | sudo pacman -S vim',
        "the token: will then make sure it works",
        "token = this that then what",
        "compass=north and bypass=true, test_pass_rate=0.95",
        # a test's name after PASS is no password
        "--- PASS: TestParse/empty_input (0.00s)",
        "PASS: tests/unit/test_parser.py::test_empty",
        "ruff check --bypass=src/generated/models.py",
        "x = d['token'] if y else 'abc'",
        "dotnet user-secrets list",
        "gh secret list",
        # "password" and "pass" in prose and flags that take no value
        "the password reset flow works for 12 users",
        "pass the tests to ci-runner-2 first",
        "psql --password -h db.local app",
        "pip install -e .[dev] --pass-through",
        "mysql -P 3306 -h db -u app",
        "password: ${DB_PASSWORD}",
        # `-u` of git's push sets the upstream: a URL after it is no user:password
        "git push -u https://github.com/acme/shop.git main",
        "git push --set-upstream -u http://git.local/acme/shop.git",
        # ... and so is an scp-like remote (`git@host:owner/repo.git`)
        "git push -u git@github.com:acme/shop.git main",
        "git push -u git@gitlab.example.com:team/sub/shop",
    ],
)
def test_ordinary_text_and_placeholders_are_kept(text: str) -> None:
    assert redact(text) == text


def test_secret_inside_a_json_string_is_replaced_the_same_way() -> None:
    raw = '{"content":"ANTHROPIC_API_KEY=sk-ant-api03-' + "x" * 40 + '\\nnext"}'
    assert "xxxxxxxx" not in redact(raw)


@pytest.mark.parametrize(
    "code",
    [
        "const token = cookies().get('session')",
        "password = getpass.getpass()",
        "api_key = settings.anthropic_api_key",
        "token: string[]",
    ],
)
def test_code_that_handles_secrets_is_not_a_secret(code: str) -> None:
    assert redact(code) == code


@pytest.mark.parametrize(
    "read",
    [
        "$env:N8N_API_KEY = Get-Content -Raw n8n_api_key.txt; curl.exe -H $env:N8N_API_KEY",
        "$env:API_KEY = (Get-Content -Raw key.txt).Trim()",
        "$env:DB_PASSWORD = ConvertTo-SecureString $raw -AsPlainText -Force",
        '{"command":"$env:API_TOKEN = Get-Content \\"token.txt\\""}',
    ],
)
def test_the_cmdlet_that_reads_a_secret_is_no_secret_and_is_not_hidden_later(read: str) -> None:
    later = "Get-Content -TotalCount 250 cli.py; ConvertTo-SecureString -String x"
    with secret_memory.reading():
        assert redact(read) == read
        assert redact(later) == later


@pytest.mark.parametrize(
    "text",
    [
        "DB_PASSWORD=Correct-Horse",
        "DB_PASSWORD=Get-Content",  # standing alone: the value itself
        "export DB_PASSWORD=New-Yorker && ./run.sh",  # bash, not PowerShell's environment
        "SECRET_KEY=Select-Star python manage.py runserver",
        "API_KEY=Invoke-Mischief npm start",
        "$env:DB_PASSWORD = Get-Lucky && echo done",  # no argument a cmdlet takes after it
        "$env:DB_PASSWORD = New-Yorker ./run.ps1",  # no cmdlet that reads a value
        "$env:DB_PASSWORD=New-Yorker ./run.ps1",
        "$env:DB_PASSWORD = Get-Lucky $HOME",
        "$env:PASS = New-Yorker -Force",
        "$env:DB_PASSWORD = (New-Yorker ./x",
    ],
)
def test_a_password_shaped_like_a_cmdlet_is_still_redacted(text: str) -> None:
    """Only a cmdlet given to `$env:NAME`, with its arguments after it, is left."""
    value = text.split("=", 1)[1].strip().split()[0].lstrip("(")
    assert value not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "$p = ConvertTo-SecureString 'Sup3rS3cretPass!' -AsPlainText -Force",
        '$p = ConvertTo-SecureString "Sup3rS3cretPass!" -AsPlainText -Force',
        '{"command": "$p = ConvertTo-SecureString -AsPlainText -Force \\"Sup3rS3cretPass!\\""}',
        "$p = ConvertTo-SecureString -AsPlainText -Force -String 'Sup3rS3cretPass!'",
        "$p = convertto-securestring 'Sup3rS3cretPass!' -asplaintext -force",
        "$p = ConvertTo-SecureString Sup3rS3cretPass -AsPlainText -Force",
        "$p = 'Sup3rS3cretPass!' | ConvertTo-SecureString -AsPlainText -Force",
        "$p = ConvertTo-SecureString -String:'Sup3rS3cretPass!' -AsPlainText",
    ],
)
def test_the_plain_text_given_to_a_secure_string_is_redacted(text: str) -> None:
    assert "Sup3rS3cretPass" not in redact(text)
    assert "securestring" in redact(text).lower()


def test_a_variable_given_to_a_secure_string_is_left() -> None:
    text = "$p = ConvertTo-SecureString $raw -AsPlainText -Force"
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("token glpat-Xq8Wv7Ut6Sr5Qp4On3Ml here", "Xq8Wv7Ut6Sr5Qp4On3Ml"),
        ("\\nghp_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8", "Q1w2E3r4T5y6U7i8O9p0"),
        (
            "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "abcdefghijklmnopqrstuvwxyz0123456789",
        ),
        ("DB_PASSWORD=correcthorsebatterystaple", "correcthorsebatterystaple"),
        ("POSTGRES_PASSWORD=Sh0rt!1", "Sh0rt!1"),
        ("SIGNING_KEY=9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
        ("redis://:s3cretpass@cache:6379/0", "s3cretpass"),
        ("curl -u admin:hunter22 https://api.local", "hunter22"),
        ("curl -u me@example.com:hunter22 https://api.local", "hunter22"),
        ("curl -u git@example.com:hunter22 https://api.local", "hunter22"),
        ("curl -u git@example.com:hunt/er22 https://api.local", "er22"),
        ("Authorization: Basic YWRtaW46aHVudGVyMjI=", "YWRtaW46aHVudGVyMjI="),
        ("https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX", "XXXXsecretXXXX"),
        ("client GOCSPX-abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwx"),
        ("bearer ya29.a0AfH6SMBx1234567890abcdefghij", "a0AfH6SMBx1234567890"),
        ("stripe sk_test_4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc"),
        # a password given to sudo on its standard input, also as a JSON string holds it
        ('echo "Wren-Tally-77" | sudo -S cp a /etc/b', "Wren-Tally-77"),
        ('{"command": "echo \\"Wren-Tally-77\\" | sudo -S ls"}', "Wren-Tally-77"),
        ("echo -n Wren-Tally-77 | sudo -kS systemctl restart app", "Wren-Tally-77"),
        ("printf '%s\\n' 'Wren-Tally-77' | sudo -S ls", "Wren-Tally-77"),
        ("sudo -S ls /root <<< 'Wren-Tally-77'", "Wren-Tally-77"),
        ("echo Wren-Tally-77 | sudo --stdin ls", "Wren-Tally-77"),
        ("echo Wren-Tally-77 | /usr/bin/sudo -S ls", "Wren-Tally-77"),
        ("yes Wren-Tally-77 | sudo -S apt-get install vim", "Wren-Tally-77"),
        # an ASP.NET setting as an environment variable, an app password in four groups
        (".env.api:12:Email__Gmail__Pass=kqzv plmw rtxb nqsd", "rtxb nqsd"),
        ("SMTP_PASS=kqzv plmw rtxb nqsd", "plmw"),
        ('{"Smtp": {"Pass": "kqzv plmw rtxb nqsd"}}', "rtxb nqsd"),
        ("Email__Gmail__Pass=hunter22", "hunter22"),
        ("Gmail app password: kqzv plmw rtxb nqsd", "rtxb nqsd"),
        ("smtp_pass: kqzv plmw rtxb nqsd", "rtxb nqsd"),
        ("PASSWORD=kqzv  plmw rtxb nqsd", "rtxb nqsd"),
        ("Email__Gmail__Pass=kqzvplmwrtxbnqsd dotnet run", "kqzvplmwrtxbnqsd"),
        ("{'password': 'hunter2hunter2'}", "hunter2hunter2"),
        ("config = {'api_key': 'a8f3k2m9x7q1w5e4'}", "a8f3k2m9x7q1w5e4"),
        # a value handed to a secret store on the command line
        ('dotnet user-secrets set "Email:Gmail:Pass" "kqzv plmw rtxb nqsd"', "rtxb nqsd"),
        ("dotnet user-secrets set Smtp:Password hunter2x", "hunter2x"),
        ('gh secret set NPM_TOKEN --body "abc123secretvalue"', "abc123secretvalue"),
        (
            '{"command": "dotnet user-secrets set \\"Smtp:Pass\\" \\"kqzv plmw rtxb nqsd\\""}',
            "rtxb",
        ),
    ],
)
def test_no_part_of_the_secret_survives(text: str, secret: str) -> None:
    assert secret not in redact(text)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        # on the command line: sshpass, MySQL's attached -p, --password (JSON-escaped too)
        ("sshpass -p 'Abc123Xyz987Qwe' ssh root@10.0.0.5 hostname", "Abc123Xyz987Qwe"),
        ("sshpass -pAbc123Xyz987Qwe ssh root@10.0.0.5", "Abc123Xyz987Qwe"),
        ('{"command": "sshpass -p \\"Abc123Xyz987Qwe\\" ssh x"}', "Abc123Xyz987Qwe"),
        ("mysql -uroot -pAbc123Xyz987Qwe shop", "Abc123Xyz987Qwe"),
        ("mysql -u root -p'Abc123Xyz987Qwe' -e 'select 1'", "Abc123Xyz987Qwe"),
        ('mysqldump -u root -p"Abc123Xyz987Qwe" shop', "Abc123Xyz987Qwe"),
        ('{"command": "mysql -u root -p\\"Abc123Xyz987Qwe\\" -e x"}', "Abc123Xyz987Qwe"),
        ("docker login --password Abc123Xyz987Qwe ghcr.io", "Abc123Xyz987Qwe"),
        ("redis-cli --pass=Abc123Xyz987Qwe ping", "Abc123Xyz987Qwe"),
        # typed in a message, in several languages
        ("user root pass Abc123Xyz987Qwe", "Abc123Xyz987Qwe"),
        ("the root password is Abc123Xyz987.", "Abc123Xyz987"),
        ("密码：Abc123Xyz987", "Abc123Xyz987"),
        ("пароль Abc123Xyz987", "Abc123Xyz987"),
        ("mật khẩu là Abc123Xyz987", "Abc123Xyz987"),
        ("Le mot de passe est Abc123Xyz987", "Abc123Xyz987"),
    ],
)
def test_a_password_on_the_command_line_or_in_a_message_is_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_redacting_twice_changes_nothing() -> None:
    once = redact("glpat-Xq8Wv7Ut6Sr5Qp4On3Ml and DB_PASSWORD=hunter2hunter2")
    assert redact(once) == once


@pytest.mark.parametrize(
    "text",
    [
        '{"usage": {"input_tokens": 12345678, "cache_read_input_tokens": 87654321}}',
        "MAX_TOKENS=40000 python run.py",
        "num_tokens=1_000_000, total_tokens: 98765432",
    ],
)
def test_a_count_of_tokens_is_no_secret(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("token: 12345678", "12345678"),
        ("GITHUB_TOKEN=87654321", "87654321"),
        ("input_tokens: 1234abcd5678", "1234abcd5678"),
        ("OTP_SECRET_TOKENS=123456", "123456"),
        ('"api_key_tokens": 98765432', "98765432"),
    ],
)
def test_a_number_named_as_one_token_is_still_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_a_sudo_password_in_a_json_line_leaves_the_json_whole() -> None:
    import json

    raw = json.dumps({"command": "sudo -S ls /root <<< Wren-Tally-77"})
    assert json.loads(redact(raw)) == {"command": "sudo -S ls /root <<< [REDACTED:sudo_password]"}


_WORDY = st.lists(
    st.sampled_from(
        ["pass", "PASS", "_pass", ".Pass", ":pass", '"pass', "'pass", "xpass", "passw", "passwd"]
        + ["password", "secret", "token", "api_key", "apikey", "private_key", "privatekey"]
        + ["\u017f", "\u0131", "\u0130", "\u212a", "_", ".", "=", " ", "a", "s", "K", "é"]
    )
    | st.text(max_size=2)
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_WORDY)
def test_the_secret_words_are_found_where_the_rules_find_them(text: str) -> None:
    """`name_starts` finds the words with `pass`'s look-behind after it: the same matches,
    in either case, as the rules' own alternation."""
    assert redact_module._WORDS_FOUND != redact_module._SECRET_WORDS  # the look-behind was moved
    for flags in (0, re.IGNORECASE):
        rules = re.compile(redact_module._SECRET_WORDS, flags)
        found = re.compile(redact_module._WORDS_FOUND, flags)
        assert [m.span() for m in found.finditer(text)] == [m.span() for m in rules.finditer(text)]
