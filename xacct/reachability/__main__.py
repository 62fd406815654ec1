import sys

from xacct.reachability.run import main

sys.exit(main())
