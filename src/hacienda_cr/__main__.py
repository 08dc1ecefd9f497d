import sys

from hacienda_cr.cli import main

sys.exit(main())
