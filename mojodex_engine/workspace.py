"""A run's ``workspace/``: the code blocks of its code artifacts, written as files you can run.

An artifact whose definition says ``files = true`` is a code artifact. Each fenced code block in its accepted
text becomes a file: the path comes from the block's info string (```` ```python path=app/main.py ````,
```` ```app/main.py ````, ```` ```python:app/main.py ````) or from the line just before the block when that line
is a path alone (``**app/main.py**``, ```app/main.py`:``); else a default by language (``main.py``, then
``file2.py``, ``file3.py``...). A later block with the same path replaces the earlier one; a later artifact's
files replace the earlier artifacts' files of the same path, the others stay (the workspace is what the steps
accepted so far have written, in order).

Only relative paths inside the workspace are written: an absolute path, a ``..`` part, a drive or a path
through a symbolic link is refused (and said), never followed. Files are written atomically, mode 0600.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mojodex_core import atomic_write, ensure_private_dir

WORKSPACE_DIR = "workspace"
MAX_FILE_CHARS = 1_000_000

_FENCE_RE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")
_ATTR_RE = re.compile(r"""\b(?:path|file|filename|title)\s*=\s*(?:"([^"]+)"|'([^']+)'|(\S+))""")
_PATH_LINE_RE = re.compile(r"^[#>*_`\s]*(?:file(?:name)?\s*:\s*)?[*_`]*(?P<path>[\w.\-/]+\.\w+)[*_`]*\s*:?[*_`\s]*$",
                           re.IGNORECASE)
_FILE_NAME_RE = re.compile(r"^[\w.\-]+\.\w{1,10}$")

EXTENSIONS = {
    "python": "py", "py": "py", "python3": "py", "javascript": "js", "js": "js", "typescript": "ts", "ts": "ts",
    "tsx": "tsx", "jsx": "jsx", "java": "java", "kotlin": "kt", "go": "go", "golang": "go", "rust": "rs",
    "rs": "rs", "c": "c", "cpp": "cpp", "c++": "cpp", "csharp": "cs", "cs": "cs", "ruby": "rb", "rb": "rb",
    "php": "php", "swift": "swift", "bash": "sh", "sh": "sh", "shell": "sh", "zsh": "sh", "sql": "sql",
    "html": "html", "css": "css", "json": "json", "yaml": "yaml", "yml": "yaml", "toml": "toml", "ini": "ini",
    "markdown": "md", "md": "md", "dockerfile": "Dockerfile", "makefile": "Makefile", "xml": "xml",
}


@dataclass(frozen=True)
class CodeFile:
    """One file a code block writes: its path in the workspace (POSIX, relative) and its text."""

    path: str
    text: str


@dataclass(frozen=True)
class FileChange:
    """What writing a step's files would change: ``old`` is None for a new file."""

    path: str
    old: str | None
    new: str

    def diff(self) -> list[str]:
        """A unified diff, its lines without line ends."""
        old = [] if self.old is None else self.old.splitlines()
        return list(difflib.unified_diff(old, self.new.splitlines(), "/dev/null" if self.old is None
                                         else f"a/{self.path}", f"b/{self.path}", lineterm="", n=2))


@dataclass(frozen=True)
class Files:
    """The files of one artifact's text, and the paths refused (with why)."""

    files: tuple[CodeFile, ...]
    refused: tuple[tuple[str, str], ...] = ()


def safe_path(raw: str) -> str | None:
    """``raw`` as a clean relative POSIX path inside the workspace, or None when it would leave it."""
    raw = raw.strip().strip("\"'")
    if not raw or "\0" in raw or "\\" in raw or raw.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", raw):
        return None
    parts = [p for p in PurePosixPath(raw).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts) or len(raw) > 255:
        return None
    return "/".join(parts)


def _info_path(info: str) -> tuple[str, str | None]:
    """The language and the path an info string names (the path as written, unchecked)."""
    info = info.strip()
    found = _ATTR_RE.search(info)
    if found:
        path = next(g for g in found.groups() if g)
        return info[: found.start()].strip().split(" ")[0].lower() if found.start() else "", path
    first = info.split()[0] if info.split() else ""
    if ":" in first and not first.endswith(":"):
        lang, _, path = first.partition(":")
        if _looks_like_path(path):
            return lang.lower(), path
    if _looks_like_path(first) and first.lower() not in EXTENSIONS:
        return "", first
    return first.lower(), None


def _looks_like_path(word: str) -> bool:
    return bool(word) and ("/" in word or "\\" in word or bool(_FILE_NAME_RE.match(word)))


def code_files(text: str) -> Files:
    """The files the fenced code blocks of ``text`` write (see the module's docstring)."""
    files: dict[str, str] = {}
    refused: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE_RE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening.group("fence")
        lang, path = _info_path(opening.group("info"))
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (lines[j].strip().startswith(fence[0] * len(fence))
                                      and not lines[j].strip().strip(fence[0])):
            body.append(lines[j])
            j += 1
        if path is None:
            before = next((line for line in reversed(lines[:i]) if line.strip()), "")
            named = _PATH_LINE_RE.match(before)
            if named:
                path = named.group("path")
        content = "\n".join(body) + "\n"
        if path is None:
            ext = EXTENSIONS.get(lang, "txt")
            counts[ext] = counts.get(ext, 0) + 1
            n = counts[ext]
            if ext in ("Dockerfile", "Makefile"):
                path = ext if n == 1 else f"{ext}.{n}"
            else:
                path = f"main.{ext}" if n == 1 else f"file{n}.{ext}"
        clean = safe_path(path)
        if clean is None:
            refused.append((path, "outside the workspace"))
        elif len(content) > MAX_FILE_CHARS:
            refused.append((clean, "too large"))
        else:
            files[clean] = content
        i = j + 1
    return Files(tuple(CodeFile(p, t) for p, t in files.items()), tuple(refused))


class Workspace:
    """The ``workspace/`` folder of the run in ``run_path``."""

    def __init__(self, run_path: Path) -> None:
        self.run_path = run_path
        self.path = run_path / WORKSPACE_DIR

    def _target(self, rel: str) -> Path:
        """The file ``rel`` names; ``ValueError`` when a part of the way is a symbolic link or not a folder."""
        target = self.path
        parts = rel.split("/")
        for part in parts[:-1]:
            target = target / part
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                raise ValueError("a part of the way is a symbolic link or a file")
        target = target / parts[-1]
        if target.is_symlink() or target.is_dir():
            raise ValueError("it is a symbolic link or a folder")
        return target

    def read(self, rel: str) -> str | None:
        try:
            target = self._target(rel)
            return target.read_text(encoding="utf-8", errors="replace") if target.is_file() else None
        except (OSError, ValueError):
            return None

    def changes(self, files: Files) -> list[FileChange]:
        """What writing ``files`` would change (files it writes unchanged are left out)."""
        out = []
        for f in files.files:
            old = self.read(f.path)
            if old != f.text:
                out.append(FileChange(f.path, old, f.text))
        return out

    def write(self, files: Files) -> list[tuple[str, str]]:
        """Write ``files``; return the paths refused on the way (a symbolic link met), with why."""
        refused = list(files.refused)
        if not files.files:
            return refused
        if self.path.is_symlink():
            return refused + [(f.path, "the workspace is a symbolic link") for f in files.files]
        ensure_private_dir(self.path)
        for f in files.files:
            try:
                target = self._target(f.path)
                for parent in reversed(target.relative_to(self.path).parents[:-1]):
                    folder = self.path / parent
                    if folder.is_symlink():
                        raise ValueError("a part of the way is a symbolic link")
                    folder.mkdir(mode=0o700, exist_ok=True)
                atomic_write(target, f.text)
            except (OSError, ValueError) as exc:
                refused.append((f.path, str(exc) if isinstance(exc, ValueError) else exc.strerror or str(exc)))
        return refused

    def go_back(self, kept: Iterable[str], dropped: Iterable[str]) -> None:
        """For a rewind: each file the ``dropped`` artifact texts wrote is put back as the ``kept`` ones (in
        order) left it, or removed when none of them wrote it. Other files (yours) are left alone."""
        if self.path.is_symlink() or not self.path.is_dir():
            return
        paths = {f.path for text in dropped for f in code_files(text).files}
        before: dict[str, str] = {}
        for text in kept:
            before.update((f.path, f.text) for f in code_files(text).files)
        self.write(Files(tuple(CodeFile(p, before[p]) for p in sorted(paths) if p in before)))
        for path in sorted(paths - set(before)):
            try:
                target = self._target(path)
                if target.is_file():
                    target.unlink()
            except (OSError, ValueError):
                pass  # a link or a folder there now: not ours to remove
