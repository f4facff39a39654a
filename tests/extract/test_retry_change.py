"""What a retry changed from the failed call, read word by word."""

from __future__ import annotations

from metis_distill.extract.retry_change import (
    activation,
    as_root,
    env_prefix,
    env_runner,
    forcing_flag,
    moved_into,
    one_value_changed,
    options_added,
    options_ended,
    other_binary,
    program_swapped,
)


def test_another_program_for_the_same_words_is_a_swap() -> None:
    assert program_swapped("npm install", "pnpm install") == ("npm", "pnpm")
    assert program_swapped("python script.py", "python3 script.py") == ("python", "python3")
    assert program_swapped("npm install", "npm install") is None


def test_options_added_to_the_same_command_are_found() -> None:
    assert options_added("pip install foo", "pip install --user foo")
    assert not options_added("pip install foo", "pip install foo")


def test_one_value_changed_is_told_from_another_command() -> None:
    assert one_value_changed("curl http://localhost:3000/a", "curl http://localhost:3001/a")
    assert not one_value_changed("curl http://localhost:3000/a", "wget http://example.org/b")


def test_an_environment_made_active_first_is_the_change() -> None:
    assert activation("pytest -q", "source .venv/bin/activate && pytest -q") == (
        "source .venv/bin/activate"
    )
    assert activation("pytest -q", "pytest -q") is None


def test_the_folder_a_command_moves_into_first() -> None:
    assert moved_into("cd /srv/app && make") == "/srv/app"
    assert moved_into("make") is None


def test_a_forcing_flag_added_is_named() -> None:
    assert forcing_flag("git push origin main", "git push --force origin main") == "--force"
    assert forcing_flag("git push origin main", "git push origin main") is None


def test_root_asked_for_and_settings_put_first() -> None:
    assert as_root("apt-get install jq", "sudo apt-get install jq")
    assert not as_root("apt-get install jq", "apt-get install jq")
    assert env_prefix("npm test", "CI=1 npm test") == ["CI=1"]
    assert env_prefix("npm test", "npm test") == []


def test_options_ended_before_a_dashed_argument() -> None:
    assert options_ended("git checkout -weird", "git checkout -- -weird")
    assert not options_ended("git checkout -weird", "git checkout -weird")


def test_a_runner_or_a_full_path_for_the_same_command() -> None:
    assert env_runner("python x.py", "conda run -n ml python x.py") == "conda run -n ml python"
    assert other_binary("node a.js", "/usr/local/bin/node a.js") == "/usr/local/bin/node"
    assert other_binary("node a.js", "node a.js") is None
