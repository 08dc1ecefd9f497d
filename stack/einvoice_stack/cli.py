"""`scripts/stack COMMAND`: argument parsing; the work is in deploy, operate and backup."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from einvoice_stack.layout import Layout, stackconf
from einvoice_stack.progress import StackError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/stack",
        description="The l10n-cr-einvoice staging stack on this host (see docs/operations.md).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    up = sub.add_parser("up", help="install what is missing, configure, start everything, wait for health, seed")
    up.add_argument("--no-seed", action="store_true", help="do not run scripts/stack-seed")
    sub.add_parser("status", help="each program's state and health (exit 0 healthy, 1 degraded, 3 down)")
    logs = sub.add_parser("logs", help="show the logs of one service or of all")
    logs.add_argument("service", nargs="?")
    logs.add_argument("-n", "--lines", type=int, default=40)
    logs.add_argument("-f", "--follow", action="store_true")
    sub.add_parser("down", help="stop every service (data kept)")
    restart = sub.add_parser("restart", help="restart one service (e.g. after changing its code)")
    restart.add_argument("service")
    cleanup = sub.add_parser("cleanup", help="stop and remove runtime files; --remove-data deletes all state")
    cleanup.add_argument("--remove-data", action="store_true",
                         help="also delete the database, filestore, secrets, metrics and backups")
    cleanup.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    backup = sub.add_parser("backup", help="dump the database and archive the filestore")
    backup.add_argument("--output", type=Path, help="backup directory (default STACK_HOME/backups/<db>-<time>)")
    restore = sub.add_parser("restore", help="restore a backup into the same database name")
    restore.add_argument("backup_dir", type=Path)
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    upgrade = sub.add_parser("upgrade", help="upgrade modules in the staging database (odoo-bin -u), then start Odoo")
    upgrade.add_argument("modules", nargs="*", help="default: the project's addons of [odoo].modules")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    layout = Layout.from_environment()
    try:
        from einvoice_stack.runtime_user import require_root_or_runtime_user

        require_root_or_runtime_user(args.command)
        if args.command == "up":
            from einvoice_stack.deploy import up

            return up(layout, seed=not args.no_seed)
        if args.command == "upgrade":
            from einvoice_stack.deploy import upgrade

            return upgrade(layout, args.modules)
        from einvoice_stack import backup, operate

        if args.command == "status":
            return operate.status(layout)
        if args.command == "logs":
            return operate.logs(layout, args.service, args.lines, args.follow)
        if args.command == "down":
            return operate.down(layout)
        if args.command == "restart":
            return operate.restart(layout, args.service)
        if args.command == "cleanup":
            return operate.cleanup(layout, args.remove_data, args.yes)
        if args.command == "backup":
            return backup.backup(layout, args.output)
        if args.command == "restore":
            return backup.restore(layout, args.backup_dir, args.yes)
    except StackError as exc:
        print(f"scripts/stack {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except stackconf.SettingsError as exc:
        print(f"scripts/stack {args.command}: error in the settings: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"scripts/stack {args.command}: interrupted", file=sys.stderr)
        return 130
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
