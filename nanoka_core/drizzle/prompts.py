"""Answering drizzle-kit 0.31's "created or renamed?" prompts from a RenamePlan.

drizzle-kit asks only on a terminal, so nanoka runs it on a pseudo-terminal
(pexpect) and reads each prompt as the user would see it: a line
``Is fullName column in users table created or renamed from another column?``,
then ``+ fullName  create column`` and one ``~ name <ARROW> fullName  rename
column`` line per candidate, the selected one marked by ``SELECTED``.
The first option is "create", then one "rename" per old name; the down arrow
moves, Enter answers. nanoka reads the options off the screen rather than
predicting their order, moves to the declared one, waits until it is shown
selected, and presses Enter. A question the plan does not answer goes to the
user in a terminal; elsewhere drizzle-kit is stopped (Escape: it exits 1
before writing anything).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nanoka_core.errors import NanokaError, ToolError
from nanoka_core.migrations.renames import CREATE, Kind, Question, RenamePlan

if TYPE_CHECKING:
    import pexpect

QUESTION = re.compile(
    r"Is (?P<column>\w+) column in (?P<table>\w+) table created or renamed from another column\?"
    r"|Is (?P<new_table>\w+) table created or renamed from another table\?"
)
OPTION = re.compile(
    r"^(?P<selected>\u276f |  )(?:\+ (?P<create>\w+) +create (?:column|table)"
    r"|~ (?P<old>\w+) \u203a (?P<new>\w+) +rename (?:column|table))[ \t]*$",
    re.M,
)
RESOLVED = re.compile(r"(?:column|table) will be (?:renamed|created)")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\r")
SELECTED, ARROW = "\u276f", "\u203a"  # drizzle-kit's selection mark and rename arrow
DOWN, ENTER, ESCAPE = "\x1b[B", "\r", "\x1b"
_KEY_GAP_SECONDS = 0.05
_QUIET_SECONDS = 0.2
_SCREEN = (50, 250)  # rows, columns: wide enough that no option line wraps


@dataclasses.dataclass
class Prompt:
    """One prompt read off the screen."""

    kind: Kind
    table: str
    name: str
    options: list[str]
    """``CREATE`` first, then the old names offered, in screen order."""


def plain(text: str) -> str:
    """The screen text without colours and cursor movement."""
    return _ANSI.sub("", text)


def parse_prompt(screen: str) -> tuple[Prompt, int] | None:
    """The first complete prompt in ``screen`` and where its render ends, or None."""
    question = QUESTION.search(screen)
    if question is None:
        return None
    options: list[str] = []
    end = question.end()
    for match in OPTION.finditer(screen, question.end()):
        if screen[end : match.start()].strip():
            break  # a later render of the prompt: this one is complete
        options.append(CREATE if match["create"] else match["old"])
        end = match.end()
    if not options or options[0] != CREATE:
        return None
    if question["column"]:
        return Prompt("column", question["table"], question["column"], options), end
    return Prompt("table", question["new_table"], question["new_table"], options), end


class PromptSession:
    """drizzle-kit on a pseudo-terminal, its prompts answered from the plan."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        plan: RenamePlan,
        interactive: bool,
        on_answer: Callable[[Prompt, str], None],
        env: Mapping[str, str] | None = None,
    ) -> None:
        if sys.platform == "win32":
            raise NanokaError(
                "answering drizzle-kit's rename questions needs a pseudo-terminal, which Windows "
                "lacks: run nanoka generate in WSL, or without renamed_from declarations in a "
                "terminal and answer the prompts yourself"
            )
        self.argv = list(argv)
        self.cwd = cwd
        self.plan = plan
        self.interactive = interactive
        self.on_answer = on_answer
        self.env = os.environ if env is None else env
        self.raw = ""

    def run(self) -> tuple[int, str]:
        """Run to the end; the exit code and what drizzle-kit printed (prompts left out)."""
        import pexpect

        env = {**self.env, "FORCE_COLOR": "0"}
        child = pexpect.spawn(
            self.argv[0], self.argv[1:], cwd=str(self.cwd), env=env,
            encoding="utf-8", codec_errors="replace", dimensions=_SCREEN,
        )  # fmt: skip
        try:
            self._converse(child)
        except pexpect.EOF:
            pass  # drizzle-kit ended mid-conversation: its exit code says how
        except KeyboardInterrupt:
            child.terminate(force=True)
            raise
        child.close()
        code = child.exitstatus if child.exitstatus is not None else -(child.signalstatus or 1)
        return code, self.transcript()

    def transcript(self) -> str:
        """drizzle-kit's output without the prompt screens (its own "will be renamed" lines stay)."""
        lines = plain(self.raw).splitlines()
        return "".join(
            f"{line}\n" for line in lines if not (QUESTION.search(line) or OPTION.match(line))
        )

    def _converse(self, child: pexpect.spawn[str]) -> None:
        import pexpect

        done = 0  # screen text up to here is answered
        while True:
            try:
                self.raw += child.read_nonblocking(65536, timeout=_QUIET_SECONDS)
                continue  # read until the screen is quiet, so a prompt is whole
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                return
            screen = plain(self.raw)
            found = parse_prompt(screen[done:])
            if found is None:
                continue
            prompt, end = found
            answer = self.plan.answer(prompt.kind, prompt.table, prompt.name, prompt.options[1:])
            if answer is None:
                if not self.interactive:
                    child.send(ESCAPE)
                    child.expect(pexpect.EOF, timeout=None)
                    raise ToolError(unanswered_message([_as_question(prompt, self.plan.table_prefix)]))
                self._hand_over(child, screen[done : done + end])
            else:
                self._choose(child, prompt, answer)
                self.on_answer(prompt, answer)
            resolved = RESOLVED.search(plain(self.raw), done + end)
            while resolved is None:
                self.raw += child.read_nonblocking(65536, timeout=None)
                resolved = RESOLVED.search(plain(self.raw), done + end)
            done = resolved.end()

    def _choose(self, child: pexpect.spawn[str], prompt: Prompt, answer: str) -> None:
        """Move to the answer, wait until it shows selected, press Enter."""
        index = prompt.options.index(answer)
        for _ in range(index):
            child.send(DOWN)
            time.sleep(_KEY_GAP_SECONDS)
        if index:
            target = re.compile(rf"^{SELECTED} ~ {answer} {ARROW} {prompt.name} ", re.M)
            mark = len(plain(self.raw))
            while not target.search(plain(self.raw), mark):
                self.raw += child.read_nonblocking(65536, timeout=None)
        child.send(ENTER)

    def _hand_over(self, child: pexpect.spawn[str], shown: str) -> None:
        """Show the user this prompt and pass their keys on until they answer it."""
        import select
        import termios
        import tty

        sys.stdout.write(shown.replace("\n", "\r\n"))
        sys.stdout.flush()
        stdin = sys.stdin.fileno()
        saved = termios.tcgetattr(stdin)
        tty.setraw(stdin)
        mark = len(plain(self.raw))
        try:
            while not RESOLVED.search(plain(self.raw), mark):
                ready, _, _ = select.select([stdin, child.child_fd], [], [])
                if stdin in ready:
                    child.send(os.read(stdin, 1024).decode("utf-8", errors="replace"))
                if child.child_fd in ready:
                    chunk = child.read_nonblocking(65536, timeout=0)
                    self.raw += chunk
                    answered = RESOLVED.search(chunk)  # show no further: the next prompt may be nanoka's
                    line_end = chunk.find("\n", answered.end()) if answered else -1
                    sys.stdout.write(chunk[: line_end + 1] if line_end >= 0 else chunk)
                    sys.stdout.flush()
        finally:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)


def _as_question(prompt: Prompt, table_prefix: str) -> Question:
    return Question(prompt.kind, prompt.table, prompt.name, tuple(prompt.options[1:]), None, table_prefix)


def unanswered_message(questions: Sequence[Question]) -> str:
    """Each question no declaration answers, with the declaration that would."""
    lines = [
        f"drizzle-kit asks {len(questions)} question(s) that no renamed_from declaration answers, "
        "and there is no terminal to ask you. No migration was written."
    ]
    for question in questions:
        lines.append(f"  {question.describe()}")
        lines.extend(f"    if renamed, add {declaration}" for declaration in question.declarations())
    lines.append(
        "Declare each rename in the models and run again, or run `nanoka generate --no-renames` to "
        'answer "created" to every remaining question (the old columns and tables are then dropped).'
    )
    return "\n".join(lines)
