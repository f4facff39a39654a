"""What a shell command really runs, once the steps that only set it up are cut."""

from __future__ import annotations

import pytest

from metis_distill.mine.text import clean, command_head, sentences


@pytest.mark.parametrize(
    ("command", "head"),
    [
        ("cd /w/app && npm test", "npm test"),
        # a script's shell options: how it runs, not what
        ("set -euo pipefail\nnpm test", "npm test"),
        ("set -e; make check", "make check"),
        ("set -x", "set -x"),
        ("set -euo pipefail\n# start the api\nnode server.js", "node server.js"),
        ('cd "C:/Users/a b/app"; export CI=1 && make check', "make check"),
        # the download failed, not the folder it goes to
        ("mkdir -p ~/Videos && yt-dlp -o '%(title)s' URL", "yt-dlp -o '%(title)s' URL"),
        # a plain mkdir can fail itself, and a command that is only set-up stays whole
        ("mkdir out && cp a out/", "mkdir out && cp a out/"),
        ("mkdir -p out", "mkdir -p out"),
        # the environment chosen first: Node's by nvm, conda's, a virtualenv
        ("source .venv/bin/activate && pytest", "pytest"),
        (". venv/bin/activate && python -m app", "python -m app"),
        ("source ~/.nvm/nvm.sh && nvm use 20 && pnpm compile", "pnpm compile"),
        ('. "$NVM_DIR/nvm.sh"; nvm use v20.11.0 && npx hardhat test', "npx hardhat test"),
        ("conda activate ml-env && python train.py", "python train.py"),
        # a ROS workspace's environment
        (
            "source /opt/ros/melodic/setup.bash && source ~/ws/devel/setup.bash && rosrun a b",
            "rosrun a b",
        ),
        ("cd packages/api && source .venv/bin/activate && pytest -q", "pytest -q"),
        # any other script sourced may fail or set anything: it stays
        ("source .env && npm start", "source .env && npm start"),
        ("source ~/.nvm/nvm.sh", "source ~/.nvm/nvm.sh"),
        # a script written to a file from a here-document, then run: the run is the command
        ("cat <<'PY' > /tmp/t.py\nimport app\nPY\npython /tmp/t.py", "python /tmp/t.py"),
        ("cat > run.py <<EOF && python run.py\nprint(1)\nEOF", "python run.py"),
        ("tee out.txt <<EOF\nhi\nEOF\nwc -l out.txt", "wc -l out.txt"),
        # a here-document piped on, or written and nothing more, stays the command
        ("cat <<EOF | python -\nprint(1)\nEOF", "cat <<EOF | python -"),
        ("cat > run.py <<EOF\nprint(1)\nEOF", "cat > run.py <<EOF"),
        # a script of several lines: each line a step, as after `;`
        (
            "export PYTHONPATH=$PYTHONPATH:$(pwd)\ncd repro\npython3 -m pylint --recursive=y .",
            "python3 -m pylint --recursive=y .",
        ),
        ("make build\nmake test", "make build; make test"),
        # a line that goes on: after `\\`, an operator, an opened clause; or a quote still open
        ("docker run \\\n  --rm app", "docker run --rm app"),
        ("npm ci &&\n  npm test", "npm ci && npm test"),
        ("npm test\n  | tail -5", "npm test | tail -5"),
        ("if [ -f a ]\nthen\n  cat a\nfi", "if [ -f a ]; then cat a; fi"),
        ("for f in *.md; do\n  wc -l $f\ndone", "for f in *.md; do wc -l $f; done"),
        ('git commit -m "one\ntwo"\ngit push', 'git commit -m "one two"; git push'),
        # PowerShell's call operator runs the word after it: that word is the program
        ("& ./tools/release.ps1 -Tag v2", "./tools/release.ps1 -Tag v2"),
        ("& 'tools/release.ps1' -Tag v2", "tools/release.ps1 -Tag v2"),
        ('& "C:/Py/python.exe" -m pip list', "C:/Py/python.exe -m pip list"),
        ("& { . './tools/release.ps1' -Tag v2 }", "./tools/release.ps1 -Tag v2"),
        ("& $python -m pytest", "$python -m pytest"),
        ("cd app; & ./run.ps1", "./run.ps1"),
        # a PowerShell here-string is text, as a here-document's body is; piped into a
        # command, that command is what runs
        (
            "@'\n# Release notes\n\n- fixed the totals\n'@ | Set-Content \"C:\\w\\docs\\notes.md\"",
            'Set-Content "C:\\w\\docs\\notes.md"',
        ),
        (
            '@"\nport = $port\n"@ | Out-File -Encoding utf8 conf/app.toml',
            "Out-File -Encoding utf8 conf/app.toml",
        ),
        (
            "Set-Content -Path notes.md -Value @'\n# Notes\n'@",
            "Set-Content -Path notes.md -Value @''@",
        ),
    ],
)
def test_the_setup_steps_before_a_command_are_cut(command: str, head: str) -> None:
    assert command_head(command) == head


def test_here_strings_that_never_close_leave_the_command_as_it_is() -> None:
    """Openers of one quote with no closer (`@"` of C# strings written to a file) end the
    search for that quote: a here-string of the other quote after them is still cut, and a
    here-document's body is no PowerShell text."""
    body = 'x = @"\n  SELECT 1\n";\n// another line of code\n' * 4000
    written = f"cat > Q.cs <<'EOF'\n{body}EOF\ndotnet build"
    assert command_head(written) == "dotnet build"
    script = 'Write-Host @"\n' * 3000 + "$v = @'\n'@\nSet-Content -Path a.txt -Value @'\nhi\n'@"
    head = command_head(script)
    assert head.endswith("$v = @''@; Set-Content -Path a.txt -Value @''@")
    assert head.count('Write-Host @"') == 3000


@pytest.mark.parametrize(
    ("sentence", "line"),
    [
        ("the build needs Node 20.", "The build needs Node 20."),
        ("**always** run the linter first", "Always run the linter first"),
        ("well-known ports are taken here", "Well-known ports are taken here"),
        # a program or a file opening the sentence keeps the shell's spelling
        ("npm ci needs the lock file in sync", "npm ci needs the lock file in sync"),
        ("pnpm: the store is on another disk", "pnpm: the store is on another disk"),
        ("package.json pins the engines", "package.json pins the engines"),
        ("src/app/page.tsx is generated", "src/app/page.tsx is generated"),
        (
            "utf8 is the only encoding the parser reads",
            "utf8 is the only encoding the parser reads",
        ),
    ],
)
def test_a_sentence_opens_with_a_capital_unless_it_opens_with_code(
    sentence: str, line: str
) -> None:
    assert clean(sentence) == line


def test_markup_is_stripped_outside_code_spans_only() -> None:
    said = "**Root cause**: `__exportStar` in `db/__init__.py` ran **before** the `**kwargs` check"
    assert (
        clean(said)
        == "Root cause: `__exportStar` in `db/__init__.py` ran before the `**kwargs` check"
    )


def test_a_call_operators_block_of_blanks_is_read_at_once() -> None:
    """`& {` and a run of blanks with no closing brace is no block (the pattern before
    backtracked over such a run for minutes)."""
    from metis_distill.mine.text import _CALL_OPERATOR

    assert _CALL_OPERATOR.match("& {" + " " * 20000) is None
    found = _CALL_OPERATOR.match("& {  . 'x.ps1' -Json  }")
    assert found is not None and found["block"].strip() == ". 'x.ps1' -Json"


@pytest.mark.parametrize(
    ("text", "split"),
    [
        (
            "请用中文回答我, 谢谢! 我想先问一下部署的事.",
            ["请用中文回答我, 谢谢!", "我想先问一下部署的事."],
        ),
        ("Use pnpm. 然后运行测试。", ["Use pnpm.", "然后运行测试。"]),
        (
            "日本語で答えてください! それから質問です.",
            ["日本語で答えてください!", "それから質問です."],
        ),
        ("한국어로 답해 주세요! 다음 질문입니다.", ["한국어로 답해 주세요!", "다음 질문입니다."]),
        ("It failed again! and then it passed.", ["It failed again! and then it passed."]),
    ],
)
def test_an_ascii_mark_and_a_space_end_a_sentence_before_chinese_japanese_or_korean(
    text: str, split: list[str]
) -> None:
    """A rule asked with an ASCII "!" and a question after it in the user's own script are
    two sentences: the rule is kept without the question."""
    assert sentences(text) == split
