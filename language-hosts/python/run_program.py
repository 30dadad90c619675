"""Runs a Pulumi Python program (a ``__main__.py``) under the real ``pulumi`` CLI without
``pulumi-language-python``, which cannot be had here (language-hosts/index.ts says why).

The Automation API's inline programs run in this process: the SDK serves the CLI the language
runtime itself (``pulumi up --client=<address>``), and the inline function runs the program file
unchanged with ``runpy``, as the language host runs ``__main__.py``. The project is the
``Pulumi.yaml`` in the working directory; the backend, ``PULUMI_HOME`` and the passphrase come
from the environment.

    python run_program.py <preview|up|refresh|destroy> <stack> <program.py>

Exits 0 when the CLI did, else 1 (the CLI's output, streamed as it came, says why).
"""

import os
import runpy
import sys

from pulumi import automation as auto


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] not in ("preview", "up", "refresh", "destroy"):
        print(__doc__, file=sys.stderr)
        return 2
    command, stack_name, program_path = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])

    def program() -> None:
        runpy.run_path(program_path, run_name="__main__")

    work_dir = os.getcwd()
    # The project name is read from Pulumi.yaml in work_dir; the argument is only used without one.
    stack = auto.create_or_select_stack(
        stack_name=stack_name,
        project_name=os.path.basename(work_dir),
        program=program,
        opts=auto.LocalWorkspaceOptions(work_dir=work_dir),
    )
    # The CLI's output is streamed as it comes (the SDK hands over each line without its newline).
    streams = {
        "on_output": lambda line: print(line, flush=True),
        "on_error": lambda line: print(line, file=sys.stderr, flush=True),
    }
    try:
        getattr(stack, command)(**streams)
    except auto.errors.CommandError:
        # The error's text repeats the output streamed above.
        print(f"{command} failed: the pulumi CLI exited non-zero (its output is above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
