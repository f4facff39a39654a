"""A person's name in a home folder's path never reaches shared text."""

from __future__ import annotations

import pytest

from metis_distill import homes
from metis_distill.homes import hide_homes, hide_person, home_folder


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("cd /home/ana/src/shop", "cd ~/src/shop"),
        ("open /Users/ana/docs", "open ~/docs"),
        ("C:\\Users\\ana\\docs", "~\\docs"),
        ("C:\\\\Users\\\\ana\\\\docs", "~\\\\docs"),
        ("C:/Users/ana/AppData", "~/AppData"),
        # a URL's scheme is no drive letter: the home in it is hidden, the scheme kept
        ("unix:///Users/max/.orbstack/run/docker.sock", "unix://~/.orbstack/run/docker.sock"),
        # WSL's view of a Windows home
        ("cd /mnt/c/Users/joshl/proj", "cd ~/proj"),
        # Git Bash's view of a Windows home
        (
            "/c/Users/ana/AppData/Local/Programs/Python/python.exe -c 1",
            "~/AppData/Local/Programs/Python/python.exe -c 1",
        ),
        ("cd /D/Users/ana/proj", "cd ~/proj"),
        # a drive mounted for its owner
        ("ls /media/nuttapong/work/own/wallet", "ls /media/…/work/own/wallet"),
        ("ls /run/media/ana/usb", "ls /run/media/…/usb"),
        ("see /srv/media/site", "see /srv/media/site"),
        # a path that starts a line of output held in a JSON string, after its `\n` escape
        ("where python\\nC:\\\\Users\\\\ana\\\\py.exe", "where python\\n~\\\\py.exe"),
        ("mounts:\\n/media/ana/usb", "mounts:\\n/media/…/usb"),
        # a home as a URL encodes it (Docker's socket path in its error)
        (
            'Get "http://%2FUsers%2Fmax%2F.orbstack%2Frun%2Fdocker.sock/v1.51/containers"',
            'Get "http://~%2F.orbstack%2Frun%2Fdocker.sock/v1.51/containers"',
        ),
        ("file=C%3A%5CUsers%5Cana%5Cdocs&x=1", "file=~%5Cdocs&x=1"),
        # a name with an encoded space or letter, or encoded twice
        ("file:///C%3A%5CUsers%5Cana%20Doe%5Cproj", "file:///~%5Cproj"),
        ("%2Fhome%2Fjos%C3%A9ana%2Fsrc", "~%2Fsrc"),
        ("u=%252FUsers%252Fana%252Fx", "u=~%252Fx"),
        # homes some systems keep under another root, and a home on a host a URL names
        ("ls /usr/home/ana/x /var/home/ana/y /export/home/ana/z", "ls ~/x ~/y ~/z"),
        ("git clone ssh://srv/home/ana/shop.git", "git clone ssh://srv/~/shop.git"),
        ("PATH=/usr/bin:/home/ana/.local/bin", "PATH=/usr/bin:~/.local/bin"),
    ],
)
def test_the_owner_of_a_home_is_hidden(text: str, hidden: str) -> None:
    assert hide_homes(text) == hidden
    assert "ana" not in hidden and "max" not in hidden and "joshl" not in hidden


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # Termux's home is the app's folder; what follows it is the user's own folder
        ("python /data/data/com.termux/files/home/shop-api/x.py", "python ~/shop-api/x.py"),
        ("cd /data/data/com.termux/files/home && ls", "cd ~ && ls"),
        # a folder named `home` inside a project is no home
        (
            "see docs/home/index.md and ./home/readme.md",
            "see docs/home/index.md and ./home/readme.md",
        ),
    ],
)
def test_a_folder_named_home_inside_a_path_is_no_home(text: str, kept: str) -> None:
    assert hide_homes(text) == kept


def test_a_paths_home_folder() -> None:
    assert home_folder("/home/ana/src/shop") == "/home/ana"
    assert home_folder("/srv/app") is None


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        # git's made-up identity: the user's name at the machine's name
        (
            "fatal: empty ident name (for <acead@Acead.localdomain>) not allowed",
            "fatal: empty ident name (for <…@…>) not allowed",
        ),
        ("write to ana.b+x@example.co.uk", "write to …@example.co.uk"),
        (
            "cd /home/ana/app && git config user.email ana@shop.io",
            "cd ~/app && git config user.email …@shop.io",
        ),
        # nobody's: a remote's user, a tool's no-reply address, packages and versions
        ("git@github.com:shop/app.git", "git@github.com:shop/app.git"),
        (
            "Co-Authored-By: Claude <noreply@anthropic.com>",
            "Co-Authored-By: Claude <noreply@anthropic.com>",
        ),
        ("npm i react@18.2.0 @scope/pkg@1.2.3", "npm i react@18.2.0 @scope/pkg@1.2.3"),
        # after a JSON `\n` escape: the address whole, its escape kept
        ("Author:\\nana.lopez@acme-corp.com", "Author:\\n…@acme-corp.com"),
        # a service account, a URL's user, a systemd unit: no person
        ("ssh ubuntu@ec2.example.com", "ssh ubuntu@ec2.example.com"),
        ("postgres://app@db.internal/shop", "postgres://app@db.internal/shop"),
        ("systemctl restart wg-quick@wg0.service", "systemctl restart wg-quick@wg0.service"),
        # GitHub's greeting over ssh names the account
        (
            "Hi ana-dev! You've successfully authenticated, but GitHub does not provide shell access.",
            "Hi …! You've successfully authenticated, but GitHub does not provide shell access.",
        ),
    ],
)
def test_an_e_mail_address_names_no_one(text: str, hidden: str) -> None:
    assert hide_person(text) == hidden


_SHAPES = [
    "cd /home/ana/src && ssh://srv/home/bo/x.git",
    "C:\\\\Users\\\\ana\\\\x and c:/USERS/bo/y and D:\\Documents and Settings\\cy\\z",
    "/mnt/c/Users/joshl/p /c/Users/ana/q /usr/home/x/y",
    "unix:///Users/max/.orbstack/run/docker.sock",
    'Get "http://%2FUsers%2Fmax%2F.orbstack" file=C%3A%5CUsers%5Cana%20Doe%5Cp u=%252Fhome%252Fa',
    "/data/data/com.termux/files/home/proj",
    "ls /media/ana/usb /run/media/bo/d",
    "mail ana@example.com or bo@bo-laptop.localdomain, git@github.com",
    "Hi ana-b! You've successfully authenticated, but GitHub does not provide shell access.",
    "nothing here: /usr/lib, localhost:3000/home/x, docs/home/y, 50%, a@b",
]


@pytest.mark.parametrize("text", _SHAPES)
def test_each_home_pattern_is_skipped_only_on_text_it_cannot_match(text: str) -> None:
    for needs, pattern, _ in homes.HOME_PATTERNS:
        for cut in range(len(text) + 1):  # every prefix: what a pattern meets partly written
            if pattern.search(text[:cut]):
                assert needs(text[:cut]), (pattern.pattern, text[:cut])


@pytest.mark.parametrize("text", _SHAPES)
def test_hiding_with_the_patterns_gated_gives_what_every_pattern_run_gives(text: str) -> None:
    ungated = text
    for _, pattern, replacement in homes.HOME_PATTERNS:
        ungated = pattern.sub(replacement, ungated)
    ungated = homes._GREETED.sub("…", homes._MAILBOX.sub(homes._hidden_address, ungated))
    assert hide_person(text) == ungated
    assert hide_person(text) != text or text.startswith("nothing here")
