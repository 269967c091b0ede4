esbuild main.js shared-worker=openiap-wasm/shared-worker.js --bundle --format=esm --outdir=dist
