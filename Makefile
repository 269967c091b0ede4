# The project's commands. `make demo` runs the demo against the bundled test server;
# `make test` runs every test. Both install what they need first (idempotent).
# `make test-live URL=wss://user:password@host` checks the package against a real server.
.PHONY: demo test test-live setup pkg size bench

demo:
	bash .ci/demo.sh

test:
	bash .ci/test.sh

# The URL reaches the script through the environment (make exports command-line variables).
test-live:
	bash .ci/test-live.sh

setup:
	bash .ci/setup.sh

pkg:
	bash .ci/pkg.sh

size:
	bash .ci/size.sh

bench:
	bash .ci/bench.sh
