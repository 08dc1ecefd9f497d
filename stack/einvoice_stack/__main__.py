import sys

from einvoice_stack.cli import main

sys.exit(main())
