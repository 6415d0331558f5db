"""Where the files of a year's work live: the answers file, the evidence store beside
it, last year's values, and who is writing."""

import os
from pathlib import Path

ENV_ANSWERS = "EVALCHECK_ANSWERS"
ENV_EVIDENCE_DIR = "EVALCHECK_EVIDENCE_DIR"  # where evidence files are kept (evidence.py)
EVIDENCE_DIR = "佐证材料"  # the default: a folder beside the answers file
ENV_USER = "EVALCHECK_USER"
# Login names of shared office PCs that say nothing about who answered.
GENERIC_USERS = {
    "administrator", "admin", "user", "users", "guest", "owner", "pc", "lenovo", "dell", "hp",
    "asus", "acer", "huawei", "thinkpad", "microsoft", "unknown", "root", "用户", "管理员",
}  # fmt: skip
DEFAULT_ANSWERS = "answers.yaml"


def resolve_answers_path(option: str | None) -> Path:
    if option:
        return Path(option)
    return Path(os.environ.get(ENV_ANSWERS) or DEFAULT_ANSWERS)


def store_root(answers_path: Path) -> Path:
    """`佐证材料` beside the answers file, or $EVALCHECK_EVIDENCE_DIR."""
    base = answers_path.parent if str(answers_path.parent) else Path(".")
    configured = os.environ.get(ENV_EVIDENCE_DIR)
    if configured:
        p = Path(configured)
        return p if p.is_absolute() else base / p
    return base / EVIDENCE_DIR


def previous_path(answers_path: Path) -> Path:
    """Last year's values beside the answers (previous.py): answers.yaml → answers.previous.yaml."""
    return answers_path.with_name(answers_path.stem + ".previous.yaml")


def current_user() -> str:
    """Who writes: EVALCHECK_USER (a person's name), else the login name."""
    chosen = os.environ.get(ENV_USER, "").strip()
    if chosen:
        return chosen
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except Exception:  # getpass raises OSError or KeyError where no login name exists
        return "unknown"


def is_generic_user(name: str) -> bool:
    """A shared PC's login (Administrator, user, lenovo …) rather than a person."""
    return name.strip().casefold() in GENERIC_USERS
