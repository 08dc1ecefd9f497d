import sys

from stack_lib.cli import main

sys.exit(main())
