#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import sys


def main() -> None:
    from trustasset.startup import folders_ensure, process_prepare

    process_prepare()  # the embedded database when DATABASE_URL is unset
    folders_ensure()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
