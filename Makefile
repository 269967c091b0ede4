# The project's commands. `make demo` runs the demo against the bundled test server;
# `make test` runs every test. Both install what they need first (idempotent).
.PHONY: demo test setup pkg size bench

demo:
	bash .ci/demo.sh

test:
	bash .ci/test.sh

setup:
	bash .ci/setup.sh

pkg:
	bash .ci/pkg.sh

size:
	bash .ci/size.sh

bench:
	bash .ci/bench.sh
